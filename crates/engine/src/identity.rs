//! IAM and STS operations: users, groups, roles, customer managed policies and their versions,
//! access keys, service-linked roles, AssumeRole and GetSessionToken, with AWS's request and
//! response shapes, quotas and error codes.
//!
//! Every operation is authorized first, like any AWS call: [`Op::authorize`] asks the caller's
//! policies (as the world stood before the call) through the injected [`Authorizer`], and only an
//! allowed call changes the world. The error names and messages follow the IAM and STS API
//! references; quotas are AWS's defaults.

mod access_keys;
mod policies;
mod roles;
mod sts;
mod users;
pub mod view;

pub use roles::service_linked_role;

use crate::iam::arn::AccountId;
use crate::iam::context::{Context, Principal, PrincipalKind};
use crate::iam::evaluate::Response;
use crate::iam::policy::Policy;
use crate::scenario::Iam;
use crate::time::Instant;
use crate::trace::{Decision, Trace};
use rand_chacha::ChaCha20Rng;
use serde_json::{Map, Value};

/// The service-linked role custom key stores need.
pub const KEY_STORE_ROLE: &str = "AWSServiceRoleForKeyManagementServiceCustomKeyStores";

/// The operations this module executes, as `service:Operation`.
pub const OPERATIONS: &[&str] = &[
    "iam:CreateUser",
    "iam:GetUser",
    "iam:ListUsers",
    "iam:DeleteUser",
    "iam:TagUser",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:DetachUserPolicy",
    "iam:CreateGroup",
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:PutGroupPolicy",
    "iam:CreateRole",
    "iam:GetRole",
    "iam:UpdateRoleDescription",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:DeletePolicyVersion",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:DeleteAccessKey",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
    "iam:CreateServiceLinkedRole",
    "iam:DeleteServiceLinkedRole",
    "iam:GetServiceLinkedRoleDeletionStatus",
    "sts:GetCallerIdentity",
    "sts:AssumeRole",
    "sts:GetSessionToken",
];

/// A starting input for `call`, for forms: every required parameter with an example value,
/// ARNs in `account` and `partition`.
pub fn example_input(call: &str, account: &str, partition: &str) -> Value {
    // Templates as JSON text, not `json!` literals: one parser call instead of code that builds
    // every object key by key (about 11 KB of the app's wasm, docs/size.md). Placeholders are
    // replaced by JSON strings: `{iam}` by `arn:PARTITION:iam::ACCOUNT` (without quotes),
    // `{doc}` and `{trust}` by policy documents (with quotes).
    let template = match call {
        "iam:CreateUser" | "iam:TagUser" => {
            r#"{"UserName":"app-user","Tags":[{"Key":"team","Value":"sec"}]}"#
        }
        "iam:GetUser" | "iam:ListAccessKeys" | "iam:CreateAccessKey" | "iam:DeleteUser" => {
            r#"{"UserName":"app-user"}"#
        }
        "iam:PutUserPermissionsBoundary" => {
            r#"{"UserName":"app-user","PermissionsBoundary":"{iam}:policy/ExamplePolicy"}"#
        }
        "iam:PutUserPolicy" => {
            r#"{"UserName":"app-user","PolicyName":"inline","PolicyDocument":{doc}}"#
        }
        "iam:AttachUserPolicy" | "iam:DetachUserPolicy" => {
            r#"{"UserName":"app-user","PolicyArn":"{iam}:policy/ExamplePolicy"}"#
        }
        "iam:CreateGroup" => r#"{"GroupName":"admins"}"#,
        "iam:AddUserToGroup" => r#"{"GroupName":"admins","UserName":"app-user"}"#,
        "iam:AttachGroupPolicy" => {
            r#"{"GroupName":"admins","PolicyArn":"{iam}:policy/ExamplePolicy"}"#
        }
        "iam:PutGroupPolicy" => {
            r#"{"GroupName":"admins","PolicyName":"inline","PolicyDocument":{doc}}"#
        }
        "iam:CreateRole" => r#"{"RoleName":"app","AssumeRolePolicyDocument":{trust}}"#,
        "iam:GetRole" => r#"{"RoleName":"app"}"#,
        "iam:UpdateRoleDescription" => {
            r#"{"RoleName":"app","Description":"the application's role"}"#
        }
        "iam:AttachRolePolicy" => r#"{"RoleName":"app","PolicyArn":"{iam}:policy/ExamplePolicy"}"#,
        "iam:PutRolePolicy" => r#"{"RoleName":"app","PolicyName":"inline","PolicyDocument":{doc}}"#,
        "iam:CreatePolicy" => r#"{"PolicyName":"ExamplePolicy","PolicyDocument":{doc}}"#,
        "iam:GetPolicy" | "iam:ListPolicyVersions" => {
            r#"{"PolicyArn":"{iam}:policy/ExamplePolicy"}"#
        }
        "iam:GetPolicyVersion" | "iam:SetDefaultPolicyVersion" | "iam:DeletePolicyVersion" => {
            r#"{"PolicyArn":"{iam}:policy/ExamplePolicy","VersionId":"v1"}"#
        }
        "iam:CreatePolicyVersion" => {
            r#"{"PolicyArn":"{iam}:policy/ExamplePolicy","PolicyDocument":{doc},"SetAsDefault":true}"#
        }
        "iam:UpdateAccessKey" => {
            r#"{"UserName":"app-user","AccessKeyId":"AKIAIOSFODNN7EXAMPLE","Status":"Inactive"}"#
        }
        "iam:DeleteAccessKey" => r#"{"UserName":"app-user","AccessKeyId":"AKIAIOSFODNN7EXAMPLE"}"#,
        "iam:GetAccessKeyLastUsed" => r#"{"AccessKeyId":"AKIAIOSFODNN7EXAMPLE"}"#,
        "iam:CreateServiceLinkedRole" => r#"{"AWSServiceName":"cks.kms.amazonaws.com"}"#,
        "iam:DeleteServiceLinkedRole" => {
            r#"{"RoleName":"AWSServiceRoleForKeyManagementServiceCustomKeyStores"}"#
        }
        "iam:GetServiceLinkedRoleDeletionStatus" => {
            r#"{"DeletionTaskId":"task/aws-service-role/cks.kms.amazonaws.com/AWSServiceRoleForKeyManagementServiceCustomKeyStores/EXAMPLE"}"#
        }
        "sts:AssumeRole" => {
            r#"{"RoleArn":"{iam}:role/app","RoleSessionName":"console","DurationSeconds":3600}"#
        }
        "sts:GetSessionToken" => r#"{"DurationSeconds":3600}"#,
        _ => "{}",
    };
    let iam = format!("arn:{partition}:iam::{account}");
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{iam}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    // As JSON strings, so that a quote or backslash in the account cannot break the template.
    let quoted = |s: &str| Value::String(s.to_string()).to_string();
    let iam_q = quoted(&iam);
    let text = template
        .replace("{iam}", iam_q.get(1..iam_q.len() - 1).unwrap_or_default())
        .replace("{doc}", &quoted(doc))
        .replace("{trust}", &quoted(&trust));
    serde_json::from_str(&text).unwrap_or_else(|_| Value::Object(Map::new()))
}

/// Whether `call` (`service:Operation`) is executed here.
pub fn is_identity_call(call: &str) -> bool {
    OPERATIONS.contains(&call)
}

/// IAM's and STS's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The caller is not allowed (IAM and STS both answer `AccessDenied`).
    AccessDenied,
    /// The named entity does not exist.
    NoSuchEntity,
    /// An entity with that name already exists.
    EntityAlreadyExists,
    /// A quota would be exceeded.
    LimitExceeded,
    /// The policy document is not valid.
    MalformedPolicyDocument,
    /// The entity still has attachments.
    DeleteConflict,
    /// A parameter has an invalid value.
    InvalidInput,
    /// A parameter fails the API's constraints.
    ValidationError,
    /// A protected (service-linked) role.
    UnmodifiableEntity,
    /// An STS session policy or tags too large.
    PackedPolicyTooLarge,
}

impl ErrorCode {
    /// AWS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AccessDenied => "AccessDenied",
            ErrorCode::NoSuchEntity => "NoSuchEntity",
            ErrorCode::EntityAlreadyExists => "EntityAlreadyExists",
            ErrorCode::LimitExceeded => "LimitExceeded",
            ErrorCode::MalformedPolicyDocument => "MalformedPolicyDocument",
            ErrorCode::DeleteConflict => "DeleteConflict",
            ErrorCode::InvalidInput => "InvalidInput",
            ErrorCode::ValidationError => "ValidationError",
            ErrorCode::UnmodifiableEntity => "UnmodifiableEntity",
            ErrorCode::PackedPolicyTooLarge => "PackedPolicyTooLarge",
        }
    }
}

/// An IAM or STS error: the code and AWS's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct IdError {
    /// The code.
    pub code: ErrorCode,
    /// The message.
    pub message: String,
}

fn fail<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, IdError> {
    Err(IdError {
        code,
        message: message.into(),
    })
}

/// One authorization question: the action, the resource and what the request adds to the
/// context, with the resource's policy (a role's trust policy) when it has one.
pub struct AuthzQuestion<'q> {
    /// `iam:CreateUser`.
    pub action: &'q str,
    /// The resource ARN.
    pub resource: &'q str,
    /// The resource's account.
    pub resource_account: Option<&'q AccountId>,
    /// The role's trust policy (AssumeRole).
    pub trust: Option<&'q Policy>,
    /// Context keys the request sets (`iam:PolicyARN`, `aws:RequestTag/...`).
    pub context: &'q Context,
}

/// Decides a question against the world as it stood before the call.
pub type Authorizer<'a> = dyn Fn(&AuthzQuestion<'_>) -> Response + 'a;

/// One call in progress.
pub struct Op<'a> {
    /// The IAM world (changed only after authorization).
    pub iam: &'a mut Iam,
    /// The caller.
    pub caller: &'a Principal,
    /// The credentials' kind, when the call was signed with STS credentials.
    pub via_session: Option<SessionCredentials>,
    /// Decides the caller's requests.
    pub authz: &'a Authorizer<'a>,
    /// The input.
    pub input: &'a Value,
    /// The simulated clock.
    pub now: Instant,
    /// `aws`.
    pub partition: &'a str,
    /// The region.
    pub region: &'a str,
    /// Whether custom key stores exist (a service-linked role for them cannot be deleted).
    pub custom_key_stores: bool,
    /// The seeded generator.
    pub rng: &'a mut ChaCha20Rng,
    /// The caller's role session (its transitive tags and source identity pass on when it
    /// assumes another role).
    pub caller_session: Option<crate::scenario::SessionSpec>,
    decision: Option<Decision>,
    trace: Option<Trace>,
    denied: Option<(String, String)>,
}

/// What kind of temporary credentials signed the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCredentials {
    /// From GetSessionToken, with or without MFA.
    UserSession {
        /// MFA was given.
        mfa: bool,
    },
    /// From AssumeRole.
    RoleSession {
        /// Assumed from another role session.
        chained: bool,
    },
}

/// The result of one call.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The authorization decision (none when the call failed before authorization, or needs
    /// none, like GetCallerIdentity).
    pub decision: Option<Decision>,
    /// The trace of the deciding authorization.
    pub trace: Option<Trace>,
    /// For a denied call, the action and resource that were refused.
    pub denied: Option<(String, String)>,
    /// The output, or the error.
    pub result: Result<Value, IdError>,
}

impl<'a> Op<'a> {
    /// A call by `caller` with `input`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        iam: &'a mut Iam,
        caller: &'a Principal,
        via_session: Option<SessionCredentials>,
        authz: &'a Authorizer<'a>,
        input: &'a Value,
        now: Instant,
        partition: &'a str,
        region: &'a str,
        custom_key_stores: bool,
        rng: &'a mut ChaCha20Rng,
    ) -> Self {
        Op {
            iam,
            caller,
            via_session,
            authz,
            input,
            now,
            partition,
            region,
            custom_key_stores,
            rng,
            caller_session: None,
            decision: None,
            trace: None,
            denied: None,
        }
    }

    /// Asks whether the caller may do `action` on `resource`; a refusal ends the call with
    /// `AccessDenied`. The last answer's trace is the call's trace.
    fn authorize(
        &mut self,
        action: &str,
        resource: &str,
        trust: Option<&Policy>,
        context: &Context,
    ) -> Result<(), IdError> {
        let account = self.caller_account().ok();
        let resource_account = crate::iam::arn::Arn::parse(resource)
            .and_then(|a| AccountId::parse(&a.account))
            .or(account);
        let r = (self.authz)(&AuthzQuestion {
            action,
            resource,
            resource_account: resource_account.as_ref(),
            trust,
            context,
        });
        self.decision = Some(r.decision);
        self.trace = r.trace;
        if r.decision != Decision::Allow {
            self.denied = Some((action.to_string(), resource.to_string()));
            return fail(ErrorCode::AccessDenied, "");
        }
        Ok(())
    }

    /// The caller's account.
    fn caller_account(&self) -> Result<AccountId, IdError> {
        self.caller.account.clone().ok_or_else(|| IdError {
            code: ErrorCode::InvalidInput,
            message: "a service principal has no account to call IAM in".into(),
        })
    }

    fn str_opt(&self, name: &str) -> Result<Option<&'a str>, IdError> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => fail(
                ErrorCode::ValidationError,
                format!("1 validation error detected: Value at '{name}' must be a string"),
            ),
        }
    }

    fn str_req(&self, name: &str) -> Result<&'a str, IdError> {
        self.str_opt(name)?.ok_or_else(|| IdError {
            code: ErrorCode::ValidationError,
            message: format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(name)),
        })
    }

    /// A policy document parameter: a string, as the AWS API takes it, or (a kmslab
    /// convenience for scenarios) the document itself as a JSON object.
    fn doc_opt(&self, name: &str) -> Result<Option<String>, IdError> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v @ Value::Object(_)) => Ok(Some(v.to_string())),
            Some(_) => fail(
                ErrorCode::ValidationError,
                format!("1 validation error detected: Value at '{}' must be a policy document (a string)", lower_first(name)),
            ),
        }
    }

    fn doc_req(&self, name: &str) -> Result<String, IdError> {
        self.doc_opt(name)?.ok_or_else(|| IdError {
            code: ErrorCode::ValidationError,
            message: format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(name)),
        })
    }

    fn int_opt(&self, name: &str) -> Result<Option<i64>, IdError> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| IdError {
                code: ErrorCode::ValidationError,
                message: format!(
                    "1 validation error detected: Value at '{}' must be an integer",
                    lower_first(name)
                ),
            }),
        }
    }

    /// `Tags: [{Key, Value}]` as pairs.
    fn tags(&self) -> Result<Vec<(String, String)>, IdError> {
        let Some(v) = self.input.get("Tags").filter(|v| !v.is_null()) else {
            return Ok(Vec::new());
        };
        let arr = v.as_array().ok_or_else(|| IdError {
            code: ErrorCode::ValidationError,
            message: "`Tags` must be a list of {\"Key\": ..., \"Value\": ...}".into(),
        })?;
        let tags: Vec<(String, String)> = arr
            .iter()
            .map(|t| {
                let k = t.get("Key").and_then(Value::as_str);
                let v = t.get("Value").and_then(Value::as_str);
                match (k, v) {
                    (Some(k), Some(v)) if !k.is_empty() && k.len() <= 128 && v.len() <= 256 => {
                        Ok((k.to_string(), v.to_string()))
                    }
                    _ => fail(
                        ErrorCode::ValidationError,
                        "each tag needs a `Key` (1-128 characters) and a `Value` (0-256 characters)",
                    ),
                }
            })
            .collect::<Result<_, _>>()?;
        // Tag keys are case-insensitive in IAM: one request may not name a key twice.
        for (i, (k, _)) in tags.iter().enumerate() {
            if tags
                .iter()
                .skip(i + 1)
                .any(|(other, _)| other.eq_ignore_ascii_case(k))
            {
                return fail(
                    ErrorCode::InvalidInput,
                    format!("Duplicate tag keys found. Please note that Tag keys are case insensitive. (`{k}`)"),
                );
            }
        }
        Ok(tags)
    }

    fn arn(&self, account: &AccountId, kind: &str, path: &str, name: &str) -> String {
        format!("arn:{}:iam::{account}:{kind}{path}{name}", self.partition)
    }

    /// A random id: `prefix` and `n` characters of AWS's id alphabet.
    fn random_id(&mut self, prefix: &str, n: usize) -> String {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut bytes = vec![0u8; n];
        rand_core::Rng::fill_bytes(self.rng, &mut bytes);
        let mut s = String::from(prefix);
        for b in bytes {
            let c = ALPHABET.get(usize::from(b % 32)).copied().unwrap_or(b'A');
            s.push(char::from(c));
        }
        s
    }

    /// A random secret of `n` base64-alphabet characters.
    fn random_secret(&mut self, n: usize) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bytes = vec![0u8; n];
        rand_core::Rng::fill_bytes(self.rng, &mut bytes);
        bytes
            .into_iter()
            .map(|b| char::from(ALPHABET.get(usize::from(b % 64)).copied().unwrap_or(b'A')))
            .collect()
    }

    fn date(&self, at: Option<Instant>) -> String {
        at.unwrap_or(self.now).to_string()
    }
}

/// Runs `call` (`iam:CreateUser`, `sts:AssumeRole`, ...).
pub fn execute(op: &mut Op<'_>, call: &str) -> Outcome {
    let result = match call {
        "iam:CreateUser" => users::create_user(op),
        "iam:GetUser" => users::get_user(op),
        "iam:ListUsers" => users::list_users(op),
        "iam:DeleteUser" => users::delete_user(op),
        "iam:TagUser" => users::tag_user(op),
        "iam:PutUserPermissionsBoundary" => users::put_boundary(op),
        "iam:PutUserPolicy" => users::put_user_policy(op),
        "iam:AttachUserPolicy" => users::attach_user_policy(op),
        "iam:DetachUserPolicy" => users::detach_user_policy(op),
        "iam:CreateGroup" => users::create_group(op),
        "iam:AddUserToGroup" => users::add_user_to_group(op),
        "iam:AttachGroupPolicy" => users::attach_group_policy(op),
        "iam:PutGroupPolicy" => users::put_group_policy(op),
        "iam:CreateRole" => roles::create_role(op),
        "iam:GetRole" => roles::get_role(op),
        "iam:UpdateRoleDescription" => roles::update_role_description(op),
        "iam:AttachRolePolicy" => roles::attach_role_policy(op),
        "iam:PutRolePolicy" => roles::put_role_policy(op),
        "iam:CreateServiceLinkedRole" => roles::create_service_linked_role(op),
        "iam:DeleteServiceLinkedRole" => roles::delete_service_linked_role(op),
        "iam:GetServiceLinkedRoleDeletionStatus" => roles::deletion_status(op),
        "iam:CreatePolicy" => policies::create_policy(op),
        "iam:GetPolicy" => policies::get_policy(op),
        "iam:GetPolicyVersion" => policies::get_policy_version(op),
        "iam:CreatePolicyVersion" => policies::create_policy_version(op),
        "iam:SetDefaultPolicyVersion" => policies::set_default_version(op),
        "iam:ListPolicyVersions" => policies::list_policy_versions(op),
        "iam:DeletePolicyVersion" => policies::delete_policy_version(op),
        "iam:CreateAccessKey" => access_keys::create(op),
        "iam:UpdateAccessKey" => access_keys::update(op),
        "iam:DeleteAccessKey" => access_keys::delete(op),
        "iam:ListAccessKeys" => access_keys::list(op),
        "iam:GetAccessKeyLastUsed" => access_keys::last_used(op),
        "sts:GetCallerIdentity" => sts::get_caller_identity(op),
        "sts:AssumeRole" => sts::assume_role(op),
        "sts:GetSessionToken" => sts::get_session_token(op),
        other => fail(
            ErrorCode::InvalidInput,
            format!("`{other}` is not an operation kmslab executes"),
        ),
    };
    Outcome {
        decision: op.decision,
        trace: op.trace.take(),
        denied: op.denied.take(),
        result,
    }
}

/// RFC 3986 percent-encoding, as IAM returns policy documents (GetPolicyVersion, GetRole).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A policy's size as IAM counts it against its quotas: characters other than white space.
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Reads a policy document given as a string parameter (`PolicyDocument`,
/// `AssumeRolePolicyDocument`): JSON and the policy grammar, as IAM checks them.
fn parse_document(text: &str, kind: crate::iam::policy::PolicyKind) -> Result<Policy, IdError> {
    let doc = crate::json::parse(text).map_err(|e| IdError {
        code: ErrorCode::MalformedPolicyDocument,
        message: format!("Syntax errors in policy. (at {}: {})", e.pos, e.message),
    })?;
    Policy::from_json(&doc, kind, &crate::json::JsonPath::root()).map_err(|e| IdError {
        code: ErrorCode::MalformedPolicyDocument,
        message: format!(
            "{} (at {}, line {} column {})",
            e.message, e.path, e.pos.line, e.pos.column
        ),
    })
}

/// Checks an IAM name (`UserName`, `RoleName`, ...): 1-`max` characters of `\w+=,.@-`.
fn check_name(field: &str, name: &str, max: usize) -> Result<(), IdError> {
    let ok = !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value '{name}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and {max}", lower_first(field)),
        )
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn path_param(op: &Op<'_>) -> Result<String, IdError> {
    let path = op.str_opt("Path")?.unwrap_or("/");
    if !path.starts_with('/') || !path.ends_with('/') || path.len() > 512 {
        return fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value '{path}' at 'path' failed to satisfy constraint: Member must begin and end with /"),
        );
    }
    Ok(path.to_string())
}

/// `[{Key, Value}]`.
fn tag_list(tags: &[(String, String)]) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// Context keys for tags on a request: `aws:RequestTag/K` and `aws:TagKeys`.
fn request_tag_context(tags: &[(String, String)]) -> Context {
    let mut ctx = Context::default();
    if tags.is_empty() {
        return ctx;
    }
    for (k, v) in tags {
        ctx.insert_single(&format!("aws:RequestTag/{k}"), v.clone());
    }
    ctx.insert(
        "aws:TagKeys",
        crate::iam::context::ContextValue::Multi(tags.iter().map(|(k, _)| k.clone()).collect()),
    );
    ctx
}

fn object(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// Whether the caller is the named user of `account`.
fn caller_is_user(caller: &Principal) -> Option<&str> {
    match &caller.kind {
        PrincipalKind::User { name } => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_placeholders_are_filled_as_json_strings() {
        let v = example_input("iam:CreateRole", "111122223333", "aws-cn");
        let trust = v["AssumeRolePolicyDocument"].as_str().unwrap();
        assert!(
            trust.contains(r#""AWS":"arn:aws-cn:iam::111122223333:root""#),
            "{trust}"
        );
        let v = example_input("iam:CreatePolicyVersion", "111122223333", "aws");
        assert_eq!(
            v["PolicyArn"],
            "arn:aws:iam::111122223333:policy/ExamplePolicy"
        );
        assert!(v["PolicyDocument"]
            .as_str()
            .unwrap()
            .contains("kms:Decrypt"));
        assert_eq!(v["SetAsDefault"], true);
        assert_eq!(
            example_input("sts:AssumeRole", "1", "aws")["DurationSeconds"],
            3600
        );
        // A quote in the account stays inside its string instead of breaking the template.
        let v = example_input("sts:AssumeRole", "12\"3", "aws");
        assert_eq!(v["RoleArn"], "arn:aws:iam::12\"3:role/app");
    }

    #[test]
    fn every_operation_has_an_example() {
        for op in OPERATIONS {
            assert!(example_input(op, "111122223333", "aws").is_object(), "{op}");
        }
    }

    #[test]
    fn documents_are_percent_encoded() {
        assert_eq!(
            url_encode(r#"{"a": "b/c"}"#),
            "%7B%22a%22%3A%20%22b%2Fc%22%7D"
        );
    }

    #[test]
    fn sizes_leave_out_white_space() {
        assert_eq!(policy_size("{ \"a\" :\n\t1 }"), 7);
    }
}
