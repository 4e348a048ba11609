//! STS: GetCallerIdentity, AssumeRole (the trust policy and the caller's own policies, session
//! policies, session tags, durations and role chaining) and GetSessionToken.

use super::users::policy_name_of;
use super::{fail, parse_document, ErrorCode, IdError, Op};
use crate::iam::arn::AccountId;
use crate::iam::context::{ContextValue, PrincipalKind};
use crate::iam::policy::{Policy, PolicyKind, PolicyVersion};
use crate::scenario::{unique_id, SessionKind, SessionSpec, StsSession};
use crate::time::Duration;
use serde_json::{json, Value};

/// Session policy plaintext limit.
const SESSION_POLICY_QUOTA: usize = 2_048;
/// Managed session policies per AssumeRole.
const SESSION_ARNS_QUOTA: usize = 10;
/// Session tags per AssumeRole.
const SESSION_TAGS_QUOTA: usize = 50;

pub(super) fn get_caller_identity(op: &mut Op<'_>) -> Result<Value, IdError> {
    // No permission is needed: AWS answers GetCallerIdentity even when a policy denies it.
    let p = op.caller;
    let account = p
        .account
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let user_id = match &p.kind {
        PrincipalKind::Root => account.clone(),
        PrincipalKind::User { .. } => unique_id("AIDA", &p.arn),
        PrincipalKind::AssumedRole {
            role_arn, session, ..
        } => format!("{}:{session}", unique_id("AROA", role_arn)),
        _ => unique_id("AIDA", &p.arn),
    };
    Ok(json!({ "UserId": user_id, "Account": account, "Arn": p.arn }))
}

fn empty_trust() -> Policy {
    Policy {
        version: PolicyVersion::V2012_10_17,
        version_given: true,
        version_pos: crate::json::Pos::default(),
        id: None,
        statements: Vec::new(),
        kind: PolicyKind::Trust,
        generated: None,
    }
}

fn credentials(op: &mut Op<'_>, seconds: i64) -> (String, Value, crate::time::Instant) {
    let id = op.random_id("ASIA", 16);
    let secret = op.random_secret(40);
    let token = op.random_secret(356);
    let expires = op.now.plus(Duration::seconds(seconds));
    let v = json!({ "AccessKeyId": id, "SecretAccessKey": secret, "SessionToken": token,
                    "Expiration": expires.to_string() });
    (id, v, expires)
}

fn session_name_param(op: &Op<'_>) -> Result<String, IdError> {
    let name = op.str_req("RoleSessionName")?;
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !ok {
        return fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64"),
        );
    }
    Ok(name.to_string())
}

pub(super) fn assume_role(op: &mut Op<'_>) -> Result<Value, IdError> {
    let role_arn = op.str_req("RoleArn")?.to_string();
    let session_name = session_name_param(op)?;
    let duration = op.int_opt("DurationSeconds")?.unwrap_or(3600);
    let policy_text = op.doc_opt("Policy")?;
    let external_id = op.str_opt("ExternalId")?.map(str::to_string);
    let requested_identity = op.str_opt("SourceIdentity")?.map(str::to_string);
    let request_tags = op.tags()?;
    let transitive_keys: Vec<String> = match op.input.get("TransitiveTagKeys") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(t)) => t
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(_) => {
            return fail(
                ErrorCode::ValidationError,
                "`TransitiveTagKeys` is a list of tag keys",
            )
        }
    };
    if let Some(k) = transitive_keys
        .iter()
        .find(|k| !request_tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k)))
    {
        return fail(
            ErrorCode::ValidationError,
            format!("TransitiveTagKeys must name session tags of this request; `{k}` is not one"),
        );
    }
    // Role chaining: the caller session's transitive tags and source identity pass on and
    // cannot be changed (IAM: "Chaining roles with session tags", "Monitor and control
    // actions taken with assumed roles").
    let inherited_tags: Vec<(String, String)> = op
        .caller_session
        .as_ref()
        .map(|s| {
            s.tags
                .iter()
                .filter(|(k, _)| s.transitive.iter().any(|t| t.eq_ignore_ascii_case(k)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if let Some((k, _)) = request_tags.iter().find(|(k, _)| {
        inherited_tags
            .iter()
            .any(|(i, _)| i.eq_ignore_ascii_case(k))
    }) {
        return fail(
            ErrorCode::ValidationError,
            format!("the session tag `{k}` is transitive from the calling session and cannot be set again"),
        );
    }
    let inherited_identity = op
        .caller_session
        .as_ref()
        .and_then(|s| s.source_identity.clone());
    if let (Some(old), Some(new)) = (&inherited_identity, &requested_identity) {
        if old != new {
            return fail(
                ErrorCode::ValidationError,
                format!("the source identity `{old}` of the calling session cannot be changed to `{new}`"),
            );
        }
    }
    let source_identity = requested_identity.clone().or(inherited_identity);
    let tags = request_tags.clone();
    let arns: Vec<String> = match op.input.get("PolicyArns") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.get("arn")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| IdError {
                        code: ErrorCode::ValidationError,
                        message: "`PolicyArns` is a list of {\"arn\": \"...\"}".into(),
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return fail(
                ErrorCode::ValidationError,
                "`PolicyArns` is a list of {\"arn\": \"...\"}",
            )
        }
    };
    if !(900..=43_200).contains(&duration) {
        return fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"),
        );
    }
    if policy_text
        .as_ref()
        .is_some_and(|p| p.chars().count() > SESSION_POLICY_QUOTA)
    {
        return fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to {SESSION_POLICY_QUOTA}"),
        );
    }
    if arns.len() > SESSION_ARNS_QUOTA || tags.len() > SESSION_TAGS_QUOTA {
        return fail(
            ErrorCode::ValidationError,
            "1 validation error detected: at most 10 policy ARNs and 50 session tags",
        );
    }
    let a = crate::iam::arn::Arn::parse(&role_arn)
        .filter(|a| a.service == "iam" && a.resource.starts_with("role/"))
        .ok_or_else(|| IdError {
            code: ErrorCode::ValidationError,
            message: format!("{role_arn} is not a valid role ARN"),
        })?;
    let role_account = AccountId::parse(&a.account).ok_or_else(|| IdError {
        code: ErrorCode::ValidationError,
        message: format!("{role_arn} is not a valid role ARN"),
    })?;
    let role_name = a
        .resource
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if matches!(op.caller.kind, PrincipalKind::Root) {
        return fail(
            ErrorCode::AccessDenied,
            "Roles may not be assumed by root accounts.",
        );
    }
    let role = op
        .iam
        .roles
        .iter()
        .find(|r| r.account == role_account && r.name == role_name)
        .filter(|r| op.arn(&r.account, "role", &r.path, &r.name) == role_arn)
        .cloned();

    let mut ctx = super::request_tag_context(&tags);
    ctx.insert_single("sts:RoleSessionName", session_name.clone());
    if let Some(e) = &external_id {
        ctx.insert_single("sts:ExternalId", e.clone());
    }
    if let Some(s) = &source_identity {
        ctx.insert_single("sts:SourceIdentity", s.clone());
    }
    if !transitive_keys.is_empty() {
        ctx.insert(
            "sts:TransitiveTagKeys",
            ContextValue::Multi(transitive_keys.clone()),
        );
    }
    // A role's trust policy is required: a role that does not exist trusts nobody.
    let empty = empty_trust();
    let trust = role
        .as_ref()
        .and_then(|r| r.trust.as_ref())
        .unwrap_or(&empty);
    op.authorize("sts:AssumeRole", &role_arn, Some(trust), &ctx)?;
    if !tags.is_empty() {
        op.authorize("sts:TagSession", &role_arn, Some(trust), &ctx)?;
    }
    // Setting a source identity needs sts:SetSourceIdentity; passing one on by chaining too.
    if source_identity.is_some() {
        op.authorize("sts:SetSourceIdentity", &role_arn, Some(trust), &ctx)?;
    }
    let Some(role) = role else {
        return fail(
            ErrorCode::AccessDenied,
            format!("{role_arn} does not exist"),
        );
    };
    let chained = matches!(op.caller.kind, PrincipalKind::AssumedRole { .. });
    if chained && duration > 3600 {
        return fail(
            ErrorCode::ValidationError,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        );
    }
    if duration > i64::from(role.max_session_seconds) {
        return fail(
            ErrorCode::ValidationError,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        );
    }
    let policy = match &policy_text {
        Some(t) => Some(parse_document(t, PolicyKind::Identity)?),
        None => None,
    };
    let mut managed = Vec::new();
    for arn in &arns {
        managed.push(policy_name_of(op, arn)?);
    }
    // AWS packs the session policies and tags into a binary form; this estimate uses their
    // plaintext size against the same 2,048 limit.
    let packed = policy_text.as_deref().map_or(0, super::policy_size)
        + tags.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let packed_percent = (packed * 100).div_ceil(SESSION_POLICY_QUOTA);
    if packed > SESSION_POLICY_QUOTA {
        return fail(
            ErrorCode::PackedPolicyTooLarge,
            format!("Packed size of policy and session tags exceeds 100% of the allowed value ({packed_percent}%)."),
        );
    }
    let (id, creds, expires) = credentials(op, duration);
    let session_arn = format!(
        "arn:{}:sts::{}:assumed-role/{}/{}",
        op.partition, role.account, role.name, session_name
    );
    let role_full_arn = op.arn(&role.account, "role", &role.path, &role.name);
    op.iam.sessions.push(StsSession {
        access_key_id: id,
        expires,
        kind: SessionKind::Role {
            account: role.account.clone(),
            role: role.name.clone(),
            session_name: session_name.clone(),
            spec: Box::new(SessionSpec {
                policy,
                managed,
                tags: inherited_tags
                    .iter()
                    .cloned()
                    .chain(tags.iter().cloned())
                    .collect(),
                transitive: inherited_tags
                    .iter()
                    .map(|(k, _)| k.clone())
                    .chain(transitive_keys)
                    .collect(),
                source_identity: source_identity.clone(),
            }),
            chained,
        },
    });
    let mut out = json!({
        "Credentials": creds,
        "AssumedRoleUser": {
            "AssumedRoleId": format!("{}:{session_name}", unique_id("AROA", &role_full_arn)),
            "Arn": session_arn,
        },
    });
    if let Some(o) = out.as_object_mut() {
        if policy_text.is_some() || !tags.is_empty() {
            o.insert("PackedPolicySize".into(), json!(packed_percent));
        }
        if let Some(s) = source_identity {
            o.insert("SourceIdentity".into(), json!(s));
        }
    }
    Ok(out)
}

pub(super) fn get_session_token(op: &mut Op<'_>) -> Result<Value, IdError> {
    // No permission is needed: GetSessionToken authenticates, it does not act on a resource.
    // Parameters are validated first, as for any call.
    let duration = op.int_opt("DurationSeconds")?;
    if let Some(d) = duration {
        if !(900..=129_600).contains(&d) {
            return fail(
                ErrorCode::ValidationError,
                format!("1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600"),
            );
        }
    }
    let serial = op.str_opt("SerialNumber")?;
    let code = op.str_opt("TokenCode")?;
    let mfa = match (serial, code) {
        (None, None) => false,
        (Some(_), Some(c)) if c.len() == 6 && c.chars().all(|d| d.is_ascii_digit()) => true,
        (Some(_), Some(_)) => {
            return fail(
                ErrorCode::ValidationError,
                "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must have length 6 and only digits",
            )
        }
        _ => {
            return fail(
                ErrorCode::ValidationError,
                "SerialNumber and TokenCode go together (the MFA device and its current code)",
            )
        }
    };
    let user = match &op.caller.kind {
        PrincipalKind::User { name } => name.clone(),
        PrincipalKind::Root => String::new(),
        _ => {
            return fail(
                ErrorCode::AccessDenied,
                "Cannot call GetSessionToken with session credentials",
            )
        }
    };
    if op.via_session.is_some() {
        return fail(
            ErrorCode::AccessDenied,
            "Cannot call GetSessionToken with session credentials",
        );
    }
    // A user's session lasts 12 hours unless asked otherwise; the root user's at most one hour,
    // whatever was asked.
    let duration = duration.unwrap_or(43_200);
    let duration = if user.is_empty() {
        duration.min(3600)
    } else {
        duration
    };
    let account = op.caller_account()?;
    let (id, creds, expires) = credentials(op, duration);
    op.iam.sessions.push(StsSession {
        access_key_id: id,
        expires,
        kind: SessionKind::User { account, user, mfa },
    });
    Ok(json!({ "Credentials": creds }))
}
