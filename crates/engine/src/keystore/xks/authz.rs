//! The proxy's secondary authorization over `requestMetadata` (spec "Authorization": optional,
//! vendor-defined, "it SHOULD be possible for a customer to configure an external key to be
//! usable only by specific AWS callers").
//!
//! kmslab's rule language is a small cousin of IAM's:
//!
//! ```json
//! { "Statement": [
//!   { "Sid": "AppEncryptsViaEbs", "Effect": "Allow", "Action": "Encrypt",
//!     "Resource": ["ext-key-1"],
//!     "Condition": { "awsPrincipalArn": "arn:aws:iam::111122223333:role/app",
//!                    "kmsViaService": "ebs" } } ] }
//! ```
//!
//! `Action` names proxy operations (`GetKeyMetadata`, `Encrypt`, `Decrypt`, or `*`),
//! `Resource` external key ids (default every key), and `Condition` maps a `requestMetadata`
//! field to the values it may take (any one; `*` and `?` are wildcards); every listed field
//! must match, and a field the request lacks never matches. As in IAM, an explicit Deny wins,
//! then any Allow; with rules configured and none allowing, the request is refused. The
//! statement that decided is recorded (spec "Logging": log "the specific statement in the
//! policy statement responsible for the denial"). GetHealthStatus is never subject to these
//! rules (spec GetHealthStatus: it "MUST be excluded from secondary authorization").

use super::read::{error_at, Obj};
use super::XksOperation;
use crate::iam::wildcard::Pattern;
use crate::json::{Json, JsonPath};
use crate::scenario::ScenarioError;

/// The `requestMetadata` fields a condition may test (spec Appendix B and each API).
pub const METADATA_FIELDS: [&str; 7] = [
    "awsPrincipalArn",
    "awsSourceVpc",
    "awsSourceVpce",
    "kmsKeyArn",
    "kmsOperation",
    "kmsRequestId",
    "kmsViaService",
];

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    /// Permits.
    Allow,
    /// Forbids, whatever else permits.
    Deny,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`, or `#N` (its index) when it has none.
    pub name: String,
    /// Allow or Deny.
    pub effect: Effect,
    /// Operation patterns.
    pub actions: Vec<String>,
    /// External key id patterns.
    pub resources: Vec<String>,
    /// Metadata field and the patterns it may match.
    pub conditions: Vec<(String, Vec<String>)>,
}

/// The proxy's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationPolicy {
    /// In order.
    pub statements: Vec<Statement>,
}

/// How a request fared.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthzDecision {
    /// Whether the proxy serves it.
    pub allowed: bool,
    /// `Allow`, `ExplicitDeny`, `ImplicitDeny`, `NoRules` (none configured) or `Exempt`
    /// (GetHealthStatus).
    pub decision: &'static str,
    /// The statement that decided (`Sid` or `#N`).
    pub rule: Option<String>,
    /// In words.
    pub explanation: String,
}

impl AuthzDecision {
    /// The decision when no rules are configured.
    pub fn no_rules() -> Self {
        AuthzDecision {
            allowed: true,
            decision: "NoRules",
            rule: None,
            explanation: "the proxy has no authorization rules".into(),
        }
    }

    /// GetHealthStatus's decision.
    pub fn exempt() -> Self {
        AuthzDecision {
            allowed: true,
            decision: "Exempt",
            rule: None,
            explanation: "GetHealthStatus is excluded from secondary authorization".into(),
        }
    }
}

impl Statement {
    fn matches(
        &self,
        op: XksOperation,
        key_id: &str,
        md: &serde_json::Map<String, serde_json::Value>,
    ) -> bool {
        let any = |pats: &[String], text: &str| pats.iter().any(|p| Pattern::new(p).matches(text));
        any(&self.actions, op.as_str())
            && any(&self.resources, key_id)
            && self.conditions.iter().all(|(field, pats)| {
                md.get(field)
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|v| any(pats, v))
            })
    }
}

impl AuthorizationPolicy {
    /// Reads `{"Statement": [...]}` (a single statement object is accepted too).
    pub fn parse(json: &Json, path: &JsonPath) -> Result<Self, ScenarioError> {
        let o = Obj::new(json, path, "`authorization`", &["Statement"])?;
        let (sj, sp) = o
            .get("Statement")
            .ok_or_else(|| o.err("`authorization` needs `Statement`"))?;
        let items: Vec<(&Json, JsonPath)> = match sj.as_object() {
            Some(_) => vec![(sj, sp.clone())],
            None => o.array("Statement")?.unwrap_or_default(),
        };
        let statements = items
            .into_iter()
            .enumerate()
            .map(|(i, (j, p))| parse_statement(i, j, &p))
            .collect::<Result<_, _>>()?;
        Ok(AuthorizationPolicy { statements })
    }

    /// Decides a request for `op` on external key `key_id` with the metadata the proxy
    /// received.
    pub fn evaluate(
        &self,
        op: XksOperation,
        key_id: &str,
        md: &serde_json::Map<String, serde_json::Value>,
    ) -> AuthzDecision {
        if op == XksOperation::GetHealthStatus {
            return AuthzDecision::exempt();
        }
        let matching = |e: Effect| {
            self.statements
                .iter()
                .find(|s| s.effect == e && s.matches(op, key_id, md))
        };
        let who = md
            .get("awsPrincipalArn")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("(no principal)");
        if let Some(s) = matching(Effect::Deny) {
            return AuthzDecision {
                allowed: false,
                decision: "ExplicitDeny",
                rule: Some(s.name.clone()),
                explanation: format!(
                    "statement `{}` denies {op} on `{key_id}` for `{who}`",
                    s.name
                ),
            };
        }
        if let Some(s) = matching(Effect::Allow) {
            return AuthzDecision {
                allowed: true,
                decision: "Allow",
                rule: Some(s.name.clone()),
                explanation: format!(
                    "statement `{}` allows {op} on `{key_id}` for `{who}`",
                    s.name
                ),
            };
        }
        AuthzDecision {
            allowed: false,
            decision: "ImplicitDeny",
            rule: None,
            explanation: format!("no statement allows {op} on `{key_id}` for `{who}`"),
        }
    }
}

fn parse_statement(i: usize, j: &Json, p: &JsonPath) -> Result<Statement, ScenarioError> {
    let s = Obj::new(
        j,
        p,
        "an authorization statement",
        &["Sid", "Effect", "Action", "Resource", "Condition"],
    )?;
    let effect = match s.required("Effect", "an authorization statement")?.as_str() {
        "Allow" => Effect::Allow,
        "Deny" => Effect::Deny,
        other => {
            return Err(s.err(format!(
                "`Effect` must be `Allow` or `Deny`, found `{other}`"
            )));
        }
    };
    let actions: Vec<String> = match s.strings("Action")? {
        None => return Err(s.err("an authorization statement needs `Action`")),
        Some(list) => list
            .into_iter()
            .map(|(a, pos)| {
                let known = XksOperation::ALL
                    .iter()
                    .any(|o| Pattern::new(&a).matches(o.as_str()));
                if known {
                    Ok(a)
                } else {
                    Err(error_at(
                        &p.key("Action"),
                        pos,
                        format!("action `{a}` matches no proxy operation (`GetKeyMetadata`, `Encrypt`, `Decrypt`)"),
                    ))
                }
            })
            .collect::<Result<_, _>>()?,
    };
    let resources = s
        .strings("Resource")?
        .map(|l| l.into_iter().map(|(r, _)| r).collect())
        .unwrap_or_else(|| vec!["*".to_string()]);
    let mut conditions = Vec::new();
    if let Some((cj, cp)) = s.get("Condition") {
        let c = Obj::new(cj, &cp, "a `Condition`", &METADATA_FIELDS)?;
        for m in c.members.iter().filter(|m| !m.key.starts_with("x-")) {
            let vals = c
                .strings(&m.key)?
                .unwrap_or_default()
                .into_iter()
                .map(|(v, _)| v)
                .collect();
            conditions.push((m.key.clone(), vals));
        }
    }
    Ok(Statement {
        name: s.string("Sid")?.unwrap_or_else(|| format!("#{i}")),
        effect,
        actions,
        resources,
        conditions,
    })
}
