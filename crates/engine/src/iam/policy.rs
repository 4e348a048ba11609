//! The IAM policy language: the document model and its parser.
//!
//! Documents are read exactly as AWS accepts them: `Statement` as an object or an array,
//! single values or arrays for `Action`, `Resource` and principals, every element and its
//! `Not` form. What AWS would refuse as a `MalformedPolicyDocument` is a [`PolicyError`] that
//! names the JSON path and the line and column of the offending value.

pub mod limits;

use super::condition::{Condition, Operator};
use super::vars::Template;
use super::wildcard::Pattern;
use crate::json::{Json, JsonPath, JsonValue, Pos};

/// Where a policy is attached: the rules for `Principal` and `Resource` differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PolicyKind {
    /// Identity-based (managed or inline), permission boundary, session policy: no principal.
    Identity,
    /// Service control policy: no principal.
    Scp,
    /// Resource control policy: `Principal` must be `"*"`.
    Rcp,
    /// Resource-based policy (bucket, queue, KMS key policy): a principal is required.
    Resource,
    /// A role's trust policy: a principal is required, `Resource` is not used.
    Trust,
}

/// `2012-10-17` (policy variables work) or `2008-10-17` (everything literal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PolicyVersion {
    /// The current language version.
    V2012_10_17,
    /// The original version, also what AWS assumes when `Version` is missing.
    V2008_10_17,
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    /// Grants, unless something denies.
    Allow,
    /// Denies, overriding every allow.
    Deny,
}

/// The type of a principal entry in `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PrincipalType {
    /// `"AWS"`: accounts, users, roles, sessions.
    Aws,
    /// `"Service"`: AWS service principals.
    Service,
    /// `"Federated"`: identity providers.
    Federated,
    /// `"CanonicalUser"`: S3 canonical ids.
    CanonicalUser,
}

impl PrincipalType {
    /// The JSON key.
    pub fn name(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalBlock {
    /// `NotPrincipal`.
    pub negated: bool,
    /// `"*"` (everyone) or typed entries.
    pub entries: Option<Vec<(PrincipalType, String)>>,
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionBlock {
    /// `NotAction`.
    pub negated: bool,
    /// The patterns as written, and compiled.
    pub patterns: Vec<(String, Pattern)>,
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceBlock {
    /// `NotResource`.
    pub negated: bool,
    /// The patterns, with policy variables.
    pub patterns: Vec<Template>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// Position in the policy's statement list, from 0.
    pub index: usize,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` / `NotPrincipal` (resource-based and trust policies).
    pub principal: Option<PrincipalBlock>,
    /// `Action` / `NotAction`.
    pub action: ActionBlock,
    /// `Resource` / `NotResource` (absent only in trust policies).
    pub resource: Option<ResourceBlock>,
    /// Every condition, ANDed.
    pub conditions: Vec<Condition>,
    /// Where the statement starts.
    pub pos: Pos,
}

impl Statement {
    /// The statement's name in traces and `expect.deciding`: its `Sid`, or `#N` without one.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index),
        }
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `Version`.
    pub version: PolicyVersion,
    /// Whether `Version` was written (its absence is worth a lint).
    pub version_given: bool,
    /// Where `Version`'s value is written, or where the document starts when it is not (for
    /// the lints about the version).
    pub version_pos: Pos,
    /// `Id`.
    pub id: Option<String>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// The kind the policy was parsed as.
    pub kind: PolicyKind,
    /// For a policy kmslab wrote rather than read from the user's document (a key's default
    /// policy), what it is; its statements then have no position (line 0): they are nowhere in
    /// the document.
    pub generated: Option<String>,
}

/// A policy that AWS would refuse, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: at {path}: {message}")]
pub struct PolicyError {
    /// The JSON path of the offending value.
    pub path: String,
    /// Its position.
    pub pos: Pos,
    /// What is wrong, lowercase, with the user's text in backticks.
    pub message: String,
}

fn err(path: &JsonPath, j: &Json, message: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.to_string(),
        pos: j.pos,
        message: message.into(),
    }
}

impl Policy {
    /// The policy marked as written by kmslab (`what`, e.g. `generated default key policy`),
    /// its statements without positions: a trace then names it so and shows no line that
    /// would point at nothing in the user's document.
    pub fn generated(mut self, what: &str) -> Policy {
        self.generated = Some(what.to_string());
        for st in &mut self.statements {
            st.pos = Pos::default();
        }
        self
    }

    /// Parses a policy document that has been read as located JSON. `base` is the document's
    /// own JSON path inside its file (e.g. `$.iam.policies[0].document`).
    pub fn from_json(doc: &Json, kind: PolicyKind, base: &JsonPath) -> Result<Policy, PolicyError> {
        let members = doc.as_object().ok_or_else(|| {
            err(
                base,
                doc,
                format!(
                    "a policy document must be a JSON object, found {}",
                    doc.type_name()
                ),
            )
        })?;
        let mut version = PolicyVersion::V2008_10_17;
        let mut version_given = false;
        let mut version_pos = doc.pos;
        let mut id = None;
        let mut statements_json = None;
        for m in members {
            let path = base.key(&m.key);
            match m.key.as_str() {
                "Version" => {
                    version_given = true;
                    version_pos = m.value.pos;
                    version = match m.value.as_str() {
                        Some("2012-10-17") => PolicyVersion::V2012_10_17,
                        Some("2008-10-17") => PolicyVersion::V2008_10_17,
                        Some(other) => {
                            return Err(err(
                                &path,
                                &m.value,
                                format!("unsupported policy version `{other}`: use `2012-10-17`"),
                            ))
                        }
                        None => {
                            return Err(err(
                                &path,
                                &m.value,
                                format!("`Version` must be a string, found {}", m.value.type_name()),
                            ))
                        }
                    };
                }
                "Id" => {
                    id = Some(
                        m.value
                            .as_str()
                            .ok_or_else(|| err(&path, &m.value, format!("`Id` must be a string, found {}", m.value.type_name())))?
                            .to_string(),
                    );
                }
                "Statement" => statements_json = Some((path, &m.value)),
                other => {
                    return Err(PolicyError {
                        path: path.to_string(),
                        pos: m.key_pos,
                        message: format!(
                            "unknown policy element `{other}` (expected `Version`, `Id` or `Statement`)"
                        ),
                    })
                }
            }
        }
        let (spath, sjson) = statements_json
            .ok_or_else(|| err(base, doc, "the policy has no `Statement` element"))?;
        let variables = version == PolicyVersion::V2012_10_17;
        let mut statements = Vec::new();
        match &sjson.value {
            JsonValue::Object(_) => {
                statements.push(parse_statement(sjson, 0, kind, variables, &spath)?)
            }
            JsonValue::Array(items) => {
                if items.is_empty() {
                    return Err(err(&spath, sjson, "`Statement` is an empty array"));
                }
                for (i, s) in items.iter().enumerate() {
                    statements.push(parse_statement(s, i, kind, variables, &spath.index(i))?);
                }
            }
            _ => {
                return Err(err(
                    &spath,
                    sjson,
                    format!(
                        "`Statement` must be an object or an array of objects, found {}",
                        sjson.type_name()
                    ),
                ))
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in statements.iter().enumerate() {
            if let Some(sid) = s.sid.as_deref().filter(|s| !s.is_empty()) {
                if !seen.insert(sid.to_string()) {
                    let p = if matches!(sjson.value, JsonValue::Array(_)) {
                        spath.index(i)
                    } else {
                        spath.clone()
                    };
                    return Err(PolicyError {
                        path: p.key("Sid").to_string(),
                        pos: s.pos,
                        message: format!("duplicate `Sid` `{sid}`: statement ids must be unique"),
                    });
                }
            }
        }
        Ok(Policy {
            version,
            version_given,
            version_pos,
            id,
            statements,
            kind,
            generated: None,
        })
    }
}

/// A string or an array of strings; numbers and booleans are accepted as their text, as AWS
/// does for condition values.
fn string_list(
    j: &Json,
    path: &JsonPath,
    what: &str,
    scalars: bool,
) -> Result<Vec<(String, Pos)>, PolicyError> {
    let one = |v: &Json, p: &JsonPath| -> Result<(String, Pos), PolicyError> {
        match &v.value {
            JsonValue::String(s) => Ok((s.clone(), v.pos)),
            JsonValue::Number(n) if scalars => Ok((n.clone(), v.pos)),
            JsonValue::Bool(b) if scalars => Ok((b.to_string(), v.pos)),
            _ => Err(err(
                p,
                v,
                format!(
                    "{what} must be a string or an array of strings, found {}",
                    v.type_name()
                ),
            )),
        }
    };
    match &j.value {
        JsonValue::Array(items) => {
            if items.is_empty() {
                return Err(err(path, j, format!("{what} is an empty array")));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| one(v, &path.index(i)))
                .collect()
        }
        _ => Ok(vec![one(j, path)?]),
    }
}

fn parse_statement(
    j: &Json,
    index: usize,
    kind: PolicyKind,
    variables: bool,
    path: &JsonPath,
) -> Result<Statement, PolicyError> {
    let members = j.as_object().ok_or_else(|| {
        err(
            path,
            j,
            format!("a statement must be a JSON object, found {}", j.type_name()),
        )
    })?;
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<PrincipalBlock> = None;
    let mut action: Option<ActionBlock> = None;
    let mut resource: Option<ResourceBlock> = None;
    let mut conditions = Vec::new();
    for m in members {
        let p = path.key(&m.key);
        let v = &m.value;
        let dup = |what: &str| PolicyError {
            path: p.to_string(),
            pos: m.key_pos,
            message: format!("a statement cannot have both {what}"),
        };
        match m.key.as_str() {
            "Sid" => {
                sid = Some(
                    v.as_str()
                        .ok_or_else(|| err(&p, v, format!("`Sid` must be a string, found {}", v.type_name())))?
                        .to_string(),
                )
            }
            "Effect" => {
                effect = Some(match v.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    Some(other) => {
                        return Err(err(
                            &p,
                            v,
                            format!("`Effect` must be `Allow` or `Deny`, found `{other}`"),
                        ))
                    }
                    None => return Err(err(&p, v, "`Effect` must be the string `Allow` or `Deny`")),
                })
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(dup("`Principal` and `NotPrincipal`"));
                }
                if matches!(kind, PolicyKind::Identity | PolicyKind::Scp) {
                    return Err(PolicyError {
                        path: p.to_string(),
                        pos: m.key_pos,
                        message: format!(
                            "`{}` is not allowed in an identity-based policy or SCP: the principal is whoever the policy is attached to",
                            m.key
                        ),
                    });
                }
                principal = Some(parse_principal(v, m.key == "NotPrincipal", &p)?);
            }
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(dup("`Action` and `NotAction`"));
                }
                let mut patterns = Vec::new();
                for (i, (a, pos)) in string_list(v, &p, &format!("`{}`", m.key), false)?
                    .into_iter()
                    .enumerate()
                {
                    let ok = a == "*"
                        || a.split_once(':').is_some_and(|(svc, name)| {
                            !svc.is_empty()
                                && !name.is_empty()
                                && svc
                                    .chars()
                                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?')
                                && !name.contains(':')
                        });
                    if !ok {
                        let ep = if matches!(v.value, JsonValue::Array(_)) { p.index(i) } else { p.clone() };
                        return Err(PolicyError {
                            path: ep.to_string(),
                            pos,
                            message: format!(
                                "`{a}` is not an action: write `service:Action` (e.g. `kms:Decrypt`) or `*`"
                            ),
                        });
                    }
                    // Actions match case-insensitively: compile the lowercase form once.
                    patterns.push((a.clone(), Pattern::new(&a.to_lowercase())));
                }
                action = Some(ActionBlock {
                    negated: m.key == "NotAction",
                    patterns,
                });
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(dup("`Resource` and `NotResource`"));
                }
                let list = string_list(v, &p, &format!("`{}`", m.key), false)?;
                for (i, (r, pos)) in list.iter().enumerate() {
                    let arn_like = r.starts_with("arn:") && r.matches(':').count() >= 5;
                    if r != "*" && !arn_like && !r.starts_with("${") {
                        let ep = if matches!(v.value, JsonValue::Array(_)) { p.index(i) } else { p.clone() };
                        return Err(PolicyError {
                            path: ep.to_string(),
                            pos: *pos,
                            message: format!(
                                "`{r}` is not a resource: write `*` or an ARN with six parts (`arn:partition:service:region:account:resource`)"
                            ),
                        });
                    }
                }
                let patterns = list
                    .into_iter()
                    .map(|(r, _)| Template::parse(&r, variables))
                    .collect();
                resource = Some(ResourceBlock {
                    negated: m.key == "NotResource",
                    patterns,
                });
            }
            "Condition" => conditions = parse_conditions(v, variables, &p)?,
            other => {
                return Err(PolicyError {
                    path: p.to_string(),
                    pos: m.key_pos,
                    message: format!(
                        "unknown statement element `{other}` (expected `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource` or `Condition`)"
                    ),
                })
            }
        }
    }
    let effect = effect.ok_or_else(|| err(path, j, "the statement has no `Effect`"))?;
    let action =
        action.ok_or_else(|| err(path, j, "the statement has no `Action` or `NotAction`"))?;
    match kind {
        PolicyKind::Resource | PolicyKind::Trust if principal.is_none() => {
            return Err(err(
                path,
                j,
                "a resource-based policy statement needs `Principal` or `NotPrincipal`",
            ))
        }
        PolicyKind::Rcp => {
            let star = principal
                .as_ref()
                .is_some_and(|p| !p.negated && p.entries.is_none());
            if !star {
                return Err(err(
                    path,
                    j,
                    "an RCP statement must have `\"Principal\": \"*\"`",
                ));
            }
        }
        _ => {}
    }
    if resource.is_none() && kind != PolicyKind::Trust {
        return Err(err(
            path,
            j,
            "the statement has no `Resource` or `NotResource`",
        ));
    }
    Ok(Statement {
        sid,
        index,
        effect,
        principal,
        action,
        resource,
        conditions,
        pos: j.pos,
    })
}

fn parse_principal(v: &Json, negated: bool, p: &JsonPath) -> Result<PrincipalBlock, PolicyError> {
    match &v.value {
        JsonValue::String(s) if s == "*" => Ok(PrincipalBlock {
            negated,
            entries: None,
        }),
        JsonValue::String(s) => Err(err(
            p,
            v,
            format!("principal `{s}` must be `\"*\"` or an object such as `{{\"AWS\": \"{s}\"}}`"),
        )),
        JsonValue::Object(members) => {
            let mut entries = Vec::new();
            for m in members {
                let mp = p.key(&m.key);
                let ty = match m.key.as_str() {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    other => {
                        return Err(PolicyError {
                            path: mp.to_string(),
                            pos: m.key_pos,
                            message: format!(
                                "unknown principal type `{other}` (expected `AWS`, `Service`, `Federated` or `CanonicalUser`)"
                            ),
                        })
                    }
                };
                for (i, (value, pos)) in string_list(&m.value, &mp, "a principal", false)?
                    .into_iter()
                    .enumerate()
                {
                    let ep = if matches!(m.value.value, JsonValue::Array(_)) {
                        mp.index(i)
                    } else {
                        mp.clone()
                    };
                    if ty == PrincipalType::Aws && value != "*" {
                        let account = super::arn::AccountId::parse(&value).is_some();
                        let arn = super::arn::Arn::parse(&value)
                            .is_some_and(|a| a.service == "iam" || a.service == "sts");
                        if !account && !arn {
                            return Err(PolicyError {
                                path: ep.to_string(),
                                pos,
                                message: format!(
                                    "invalid principal `{value}`: expected an account id, `*`, or an IAM/STS ARN"
                                ),
                            });
                        }
                    }
                    entries.push((ty, value));
                }
            }
            if entries.is_empty() {
                return Err(err(p, v, "the principal object is empty"));
            }
            Ok(PrincipalBlock {
                negated,
                entries: Some(entries),
            })
        }
        _ => Err(err(
            p,
            v,
            format!(
                "`Principal` must be `\"*\"` or an object, found {}",
                v.type_name()
            ),
        )),
    }
}

fn parse_conditions(
    v: &Json,
    variables: bool,
    p: &JsonPath,
) -> Result<Vec<Condition>, PolicyError> {
    let ops = v.as_object().ok_or_else(|| {
        err(
            p,
            v,
            format!("`Condition` must be an object, found {}", v.type_name()),
        )
    })?;
    let mut out = Vec::new();
    for op in ops {
        let op_path = p.key(&op.key);
        let operator = Operator::parse(&op.key);
        let keys = op.value.as_object().ok_or_else(|| {
            err(
                &op_path,
                &op.value,
                format!(
                    "the `{}` block must map condition keys to values, found {}",
                    op.key,
                    op.value.type_name()
                ),
            )
        })?;
        if keys.is_empty() {
            return Err(err(
                &op_path,
                &op.value,
                format!("the `{}` block is empty", op.key),
            ));
        }
        for k in keys {
            let kp = op_path.key(&k.key);
            let values = string_list(&k.value, &kp, "a condition value", true)?;
            let cond = Condition::new(
                operator.clone(),
                &op.key,
                &k.key,
                values,
                variables,
                k.key_pos,
            )
            .map_err(|(pos, message)| PolicyError {
                path: kp.to_string(),
                pos,
                message,
            })?;
            out.push(cond);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn pol(src: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        Policy::from_json(&parse(src).unwrap(), kind, &JsonPath::root())
    }

    #[test]
    fn accepts_aws_shapes() {
        let p = pol(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].label(), "#0");
        let p = pol(
            r#"{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["s3:*","kms:Get*"],"NotResource":"arn:aws:s3:::b","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:user/x"]}}]}"#,
            PolicyKind::Resource,
        )
        .unwrap();
        assert_eq!(p.version, PolicyVersion::V2008_10_17);
        assert!(!p.version_given);
        assert!(p.statements[0].action.negated);
    }

    #[test]
    fn rejects_with_location() {
        let e = pol(
            "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]\n}",
            PolicyKind::Identity,
        )
        .unwrap_err();
        assert_eq!(e.path, "$.Statement[0].Effect");
        assert_eq!(e.pos.line, 3);
        assert!(e.message.contains("`allow`"));
        let e = pol(
            r#"{"Statement":[{"Effect":"Allow","Action":"Decrypt","Resource":"*"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap_err();
        assert_eq!(e.path, "$.Statement[0].Action");
        let e = pol(
            r#"{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Principal":"*"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap_err();
        assert!(e.message.contains("identity-based"));
        let e = pol(
            r#"{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#,
            PolicyKind::Resource,
        )
        .unwrap_err();
        assert!(e.message.contains("Principal"));
        let e = pol(
            r#"{"Statement":[{"Effect":"Allow","Action":"a:b"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap_err();
        assert!(e.message.contains("Resource"));
        let e = pol(r#"{"Statment":[]}"#, PolicyKind::Identity).unwrap_err();
        assert!(e.message.contains("`Statment`"));
        let e = pol(
            r#"{"Statement":[{"Sid":"a","Effect":"Allow","Action":"a:b","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"a:b","Resource":"*"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap_err();
        assert!(e.message.contains("duplicate `Sid`"));
        let e = pol(
            r#"{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"NumericLessThan":{"x":"ten"}}}]}"#,
            PolicyKind::Identity,
        )
        .unwrap_err();
        assert_eq!(e.path, "$.Statement[0].Condition.NumericLessThan.x");
        assert!(e.message.contains("`ten`"));
    }
}
