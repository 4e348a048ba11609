//! Steps and their expectations.

use super::{field, opt_map, opt_string, opt_strings, sized_policy, Ctx};
use crate::iam::context::ContextValue;
use crate::iam::policy::limits::PolicySlot;
use crate::iam::policy::PolicyKind;
use crate::json::JsonValue;
use crate::scenario::model::*;
use crate::scenario::read::{error_at, Node};
use crate::scenario::ScenarioError;
use crate::time::Duration;
use crate::trace::Decision;

pub(super) fn parse_step(n: Node<'_>, index: usize, ctx: &Ctx<'_>) -> Result<Step, ScenarioError> {
    let fs = n.object(
        "a step",
        &[
            "id",
            "description",
            "caller",
            "accessKeyId",
            "call",
            "input",
            "resource",
            "context",
            "grantTokens",
            "advance",
            "expect",
            "session",
        ],
    )?;
    let _ = ctx;
    let id = opt_string(fs, n, "id")?;
    let caller = match (
        opt_string(fs, n, "caller")?,
        opt_string(fs, n, "accessKeyId")?,
    ) {
        (Some(_), Some(_)) => return Err(n.err("a step gives `caller` or `accessKeyId`, not both")),
        (Some(c), None) => Some(CallerSpec::Caller(c)),
        (None, Some(k)) => Some(CallerSpec::AccessKey(k)),
        (None, None) => None,
    };
    let call = opt_string(fs, n, "call")?;
    let value_pos = |k: &str| field(fs, k).map_or(n.json.pos, |m| m.value.pos);
    let positions = StepPositions {
        caller: field(fs, "caller")
            .or_else(|| field(fs, "accessKeyId"))
            .map_or(n.json.pos, |m| m.value.pos),
        call: value_pos("call"),
        resource: value_pos("resource"),
        grant_tokens: value_pos("grantTokens"),
    };
    if let Some(c) = &call {
        let ok = c.split_once(':').is_some_and(|(s, o)| {
            !s.is_empty()
                && !o.is_empty()
                && s.chars().all(|x| x.is_ascii_alphanumeric() || x == '-')
                && o.chars().all(|x| x.is_ascii_alphanumeric())
        });
        if !ok {
            return Err(error_at(
                &n.path.key("call"),
                positions.call,
                format!(
                    "`{c}` is not an operation: write `service:Operation` (e.g. `kms:Decrypt`)"
                ),
            ));
        }
        // A `kms:` step without `resource` runs the operation, and the operations are known:
        // a misspelt one is refused here, where the editor can mark it while the user types.
        if let (Some(op), None) = (c.strip_prefix("kms:"), field(fs, "resource")) {
            if let Some(message) = crate::kms::catalog::unknown_operation(op) {
                return Err(error_at(&n.path.key("call"), positions.call, message));
            }
        }
        if caller.is_none() {
            return Err(n.err("a step with `call` needs `caller` or `accessKeyId`"));
        }
    }
    let advance = match field(fs, "advance") {
        Some(m) => {
            let p = n.path.key("advance");
            let an = Node {
                json: &m.value,
                path: &p,
            };
            let d =
                Duration::parse_iso(an.string("`advance`")?).map_err(|e| an.err(e.to_string()))?;
            if d.0 < 0 {
                return Err(an.err("`advance` cannot move the clock backwards"));
            }
            Some(d)
        }
        None => None,
    };
    if call.is_none() && advance.is_none() {
        return Err(n.err("a step needs `call` (an operation) or `advance` (time passing)"));
    }
    let mut context = Vec::new();
    if let Some(m) = field(fs, "context") {
        let p = n.path.key("context");
        let cn = Node {
            json: &m.value,
            path: &p,
        };
        for cm in cn
            .json
            .as_object()
            .ok_or_else(|| cn.err("`context` must be an object of condition keys"))?
        {
            let kp = p.key(&cm.key);
            let v = match &cm.value.value {
                JsonValue::String(s) => ContextValue::Single(s.clone()),
                JsonValue::Bool(b) => ContextValue::Single(b.to_string()),
                JsonValue::Number(x) => ContextValue::Single(x.clone()),
                JsonValue::Array(items) => ContextValue::Multi(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, j)| match &j.value {
                            JsonValue::String(s) => Ok(s.clone()),
                            JsonValue::Bool(b) => Ok(b.to_string()),
                            JsonValue::Number(x) => Ok(x.clone()),
                            _ => Err(error_at(&kp.index(i), j.pos, format!("context values must be strings, found {}", j.type_name()))),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                _ => return Err(error_at(&kp, cm.value.pos, format!("the value of context key `{}` must be a string, number, boolean or array, found {}", cm.key, cm.value.type_name()))),
            };
            if !cm.key.contains(':') {
                return Err(error_at(
                    &kp,
                    cm.key_pos,
                    format!(
                        "`{}` is not a condition key: write `service:Key` (e.g. `aws:SourceIp`)",
                        cm.key
                    ),
                ));
            }
            context.push((cm.key.clone(), v, cm.key_pos));
        }
    }
    let session = match field(fs, "session") {
        Some(m) => {
            let p = n.path.key("session");
            let sn = Node {
                json: &m.value,
                path: &p,
            };
            let sf = sn.object("`session`", &["policy", "managedPolicies", "tags"])?;
            Some(SessionSpec {
                policy: field(sf, "policy")
                    .map(|f| {
                        sized_policy(
                            Node {
                                json: &f.value,
                                path: &p.key("policy"),
                            },
                            PolicyKind::Identity,
                            PolicySlot::Session,
                        )
                    })
                    .transpose()?,
                managed: opt_strings(sf, sn, "managedPolicies")?,
                tags: opt_map(sf, sn, "tags")?,
                transitive: Vec::new(),
                source_identity: None,
            })
        }
        None => None,
    };
    let expect = field(fs, "expect")
        .map(|m| {
            parse_expect(Node {
                json: &m.value,
                path: &n.path.key("expect"),
            })
        })
        .transpose()?;
    let input = match field(fs, "input") {
        Some(m) if m.value.as_object().is_none() => {
            return Err(error_at(
                &n.path.key("input"),
                m.value.pos,
                format!(
                    "`input` must be an object of request parameters, found {}",
                    m.value.type_name()
                ),
            ))
        }
        Some(m) => {
            check_parameters(
                n,
                call.as_deref(),
                field(fs, "resource").is_some(),
                &m.value,
            )?;
            Some(m.value.clone())
        }
        None => None,
    };
    Ok(Step {
        id,
        index,
        pos: n.json.pos,
        caller,
        call,
        resource: opt_string(fs, n, "resource")?,
        input,
        context,
        grant_tokens: opt_strings(fs, n, "grantTokens")?,
        advance,
        session,
        expect,
        description: opt_string(fs, n, "description")?,
        positions,
    })
}

/// Refuses a parameter the step's KMS operation does not take, at the parameter, with the
/// nearest name it does take: the operations and their parameters are known before anything
/// runs ([`crate::kms::catalog`]). Only for steps that execute the operation (`kms:` without
/// `resource`).
fn check_parameters(
    n: Node<'_>,
    call: Option<&str>,
    has_resource: bool,
    input: &crate::json::Json,
) -> Result<(), ScenarioError> {
    let Some(op) = call.and_then(|c| c.strip_prefix("kms:")) else {
        return Ok(());
    };
    if has_resource {
        return Ok(());
    }
    for m in input.as_object().unwrap_or_default() {
        if let Some(message) = crate::kms::catalog::unknown_parameter(op, &m.key) {
            return Err(error_at(
                &n.path.key("input").key(&m.key),
                m.key_pos,
                message,
            ));
        }
    }
    Ok(())
}

fn parse_expect(n: Node<'_>) -> Result<Expect, ScenarioError> {
    let fs = n.object("`expect`", &["decision", "error", "output", "deciding"])?;
    let decision = match field(fs, "decision") {
        Some(m) => {
            let p = n.path.key("decision");
            let dn = Node {
                json: &m.value,
                path: &p,
            };
            let s = dn.string("`decision`")?;
            Some(Decision::parse(s).ok_or_else(|| {
                dn.err(format!(
                    "`{s}` is not a decision: use `Allow`, `ExplicitDeny` or `ImplicitDeny`"
                ))
            })?)
        }
        None => None,
    };
    let error = match field(fs, "error") {
        Some(m) if m.value.value == JsonValue::Null => Some(None),
        Some(m) => Some(Some(
            Node {
                json: &m.value,
                path: &n.path.key("error"),
            }
            .string("`error`")?
            .to_string(),
        )),
        None => None,
    };
    Ok(Expect {
        decision,
        error,
        output: field(fs, "output").map(|m| m.value.to_serde()),
        deciding: match field(fs, "deciding") {
            Some(m) => Some(
                Node {
                    json: &m.value,
                    path: &n.path.key("deciding"),
                }
                .strings("`deciding`")?,
            ),
            None => None,
        },
    })
}
