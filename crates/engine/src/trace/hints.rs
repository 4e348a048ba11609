//! "What would change the outcome": hints derived from a decision trace.
//!
//! For an implicit deny, the layer that had to allow and did not is known from the trace's
//! [`Rule`]; its allow statements are ranked by how far they matched (action, then resource,
//! then principal, then conditions) and the closest ones say which element or condition failed,
//! with the request's value or the absence of the key. For an explicit deny, each deciding
//! statement says what made it apply. Grants that name the caller and a key state that refuses
//! the operation add their own hints. Nothing here is specific to a scenario.

use super::explain::{applying, list, near_grant, resource_account, rule_outcome, statements};
use super::{Decision, Layer, Rule, StatementTrace, StoppedBy, Trace};
use crate::iam::condition::ConditionTrace;
use crate::iam::policy::Effect;
use serde::Serialize;

/// What a hint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HintKind {
    /// A condition of the closest statement reads a key the request does not have.
    MissingContextKey,
    /// A condition of the closest statement does not hold for the request's value.
    ConditionFailed,
    /// The closest statement allows the action, but not on this resource.
    ResourceMismatch,
    /// The closest statement allows the action on the resource, but does not name the caller.
    PrincipalMismatch,
    /// No statement of a layer that must allow even mentions the action.
    AddAllow,
    /// An IAM policy allows, but the key policy does not delegate to the account.
    DelegateToIam,
    /// An explicit deny applies: which statement, and what made it apply.
    ChangeDeny,
    /// A grant names the caller but does not allow this request.
    Grant,
    /// The key's state refuses the operation.
    KeyState,
}

/// One way the outcome could change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// What kind of change.
    pub kind: HintKind,
    /// The statement id (`identity:P:Sid`), grant id or layer the hint is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The condition key involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The hint in plain words.
    pub text: String,
}

/// How many closest statements a layer contributes, so that hints stay readable.
const CLOSEST: usize = 2;

/// The hints for a trace: empty for a request that was allowed and served.
pub fn hints(trace: &Trace) -> Vec<Hint> {
    let mut out = Vec::new();
    match trace.decision {
        Decision::ExplicitDeny => deny_hints(trace, &mut out),
        Decision::ImplicitDeny
            if rule_outcome(&trace.rule, trace.stopped_by) != Decision::Allow =>
        {
            for (layer, target) in needed_layers(trace) {
                closest(trace, layer, target.as_deref(), &mut out);
            }
            let resource_side = trace
                .layers
                .iter()
                .any(|l| matches!(l.layer, Layer::KeyPolicy | Layer::Resource));
            let needs_resource_policy = matches!(
                trace.rule,
                Rule::CrossAccountNoResource | Rule::ServiceNotAllowed
            );
            if needs_resource_policy && !resource_side {
                out.push(Hint {
                    kind: HintKind::AddAllow,
                    subject: None,
                    key: None,
                    text: format!(
                        "`{}` has no resource-based policy, and for this caller IAM policies alone never allow: give it a policy that allows `{}` to call `{}`",
                        trace.request.resource, trace.request.principal, trace.request.action
                    ),
                });
            }
            if trace.rule == Rule::KeyPolicyNoDelegation {
                let identity = applying(trace, Layer::Identity, Effect::Allow);
                if !identity.is_empty() {
                    out.push(Hint {
                        kind: HintKind::DelegateToIam,
                        subject: Some("key-policy".into()),
                        key: None,
                        text: format!(
                            "{} already allows `{}`: add a key policy statement that allows the account principal `{}` (the default key policy's \"Enable IAM User Permissions\"), and IAM policies will count for this key",
                            list(&identity),
                            trace.request.action,
                            account_root(trace)
                        ),
                    });
                }
            }
            grant_hints(trace, &mut out);
        }
        Decision::ImplicitDeny | Decision::Allow => {}
    }
    // The remedies are those of the KMS Developer Guide's "Key states of AWS KMS keys" page; an
    // enabled key that refuses an operation does not support it, which no state change fixes.
    if let Some(k) = trace.key_state.as_ref().filter(|k| !k.allowed) {
        let remedy = match k.state {
            "Disabled" => Some("enable the key (EnableKey)"),
            "PendingDeletion" => Some("cancel its deletion (CancelKeyDeletion), then enable it"),
            "PendingReplicaDeletion" => Some("the replica is being deleted; use another key"),
            "PendingImport" => Some("import key material (ImportKeyMaterial)"),
            "Unavailable" => Some("connect its custom key store (ConnectCustomKeyStore)"),
            "Creating" | "Updating" => Some("wait until the key's state changes"),
            _ => None,
        };
        if let Some(remedy) = remedy {
            out.push(Hint {
                kind: HintKind::KeyState,
                subject: None,
                key: None,
                text: format!(
                    "the key is `{}`, and `{}` needs another state: {remedy}",
                    k.state, k.operation
                ),
            });
        }
    }
    out.dedup_by(|a, b| a.text == b.text);
    out
}

/// The layers (with the SCP/RCP level) that had to allow the request and did not.
fn needed_layers(trace: &Trace) -> Vec<(Layer, Option<String>)> {
    match (&trace.rule, trace.stopped_by) {
        (Rule::OrgNotAllowed { layer, target }, _) => vec![(*layer, Some(target.clone()))],
        (Rule::ServiceNotAllowed | Rule::CrossAccountNoResource, _) => {
            vec![(Layer::KeyPolicy, None), (Layer::Resource, None)]
        }
        (Rule::KeyPolicyNoDelegation, _) => vec![(Layer::KeyPolicy, None)],
        (Rule::TrustNotAllowed, _) => vec![(Layer::Resource, None)],
        (_, Some(StoppedBy::Identity)) => vec![(Layer::Identity, None)],
        (_, Some(StoppedBy::Boundary)) => vec![(Layer::Boundary, None)],
        (_, Some(StoppedBy::Session)) => vec![(Layer::Session, None)],
        (_, None) => vec![],
    }
}

/// `arn:PARTITION:iam::ACCOUNT:root` for the resource's account.
fn account_root(trace: &Trace) -> String {
    let partition = crate::iam::arn::Arn::parse(&trace.request.resource)
        .map_or_else(|| "aws".to_string(), |a| a.partition);
    format!(
        "arn:{partition}:iam::{}:root",
        resource_account(trace).unwrap_or_else(|| "ACCOUNT".into())
    )
}

/// How far a statement matched: the element it stopped at, then fewer failed conditions.
fn reach(s: &StatementTrace) -> (u8, i64) {
    let stage = if !s.action.matched {
        0
    } else if s.resource.as_ref().is_some_and(|c| !c.matched) {
        1
    } else if s.principal.as_ref().is_some_and(|c| !c.matched) {
        2
    } else {
        3
    };
    let failed = s.conditions.iter().filter(|c| !c.result).count();
    (stage, -i64::try_from(failed).unwrap_or(i64::MAX))
}

/// Hints from the allow statements of one layer that came closest to applying.
fn closest(trace: &Trace, layer: Layer, target: Option<&str>, out: &mut Vec<Hint>) {
    let in_scope: Vec<(&str, &StatementTrace)> = statements(trace, layer)
        .filter(|(l, _, _)| target.is_none() || l.target.as_deref() == target)
        .map(|(_, p, s)| (p, s))
        .collect();
    let present = trace
        .layers
        .iter()
        .any(|l| l.layer == layer && (target.is_none() || l.target.as_deref() == target));
    if !present {
        return;
    }
    let title = trace
        .layers
        .iter()
        .find(|l| l.layer == layer && (target.is_none() || l.target.as_deref() == target))
        .map_or(layer.title(), |l| l.title.as_str());
    let mut candidates: Vec<&StatementTrace> = in_scope
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| s.effect == Effect::Allow && !s.applies)
        .collect();
    candidates.sort_by_key(|s| std::cmp::Reverse(reach(s)));
    let best = candidates.first().map(|s| reach(s));
    match best {
        None | Some((0, _)) => out.push(Hint {
            kind: HintKind::AddAllow,
            subject: Some(title.to_string()),
            key: None,
            text: add_allow_text(trace, layer, target, title),
        }),
        Some(top) => {
            for s in candidates
                .iter()
                .take_while(|s| reach(s) == top)
                .take(CLOSEST)
            {
                statement_hints(trace, s, out);
            }
        }
    }
}

fn add_allow_text(trace: &Trace, layer: Layer, target: Option<&str>, title: &str) -> String {
    let action = &trace.request.action;
    let caller = &trace.request.principal;
    let resource = &trace.request.resource;
    match layer {
        Layer::Scp | Layer::Rcp => format!(
            "no {} at `{}` allows `{action}`: attach there a policy that allows it (every level of the path must)",
            if layer == Layer::Scp { "SCP" } else { "RCP" },
            target.unwrap_or("this level")
        ),
        Layer::KeyPolicy => format!(
            "no key policy statement allows `{action}`: add one that allows `{caller}` to call `{action}`, or delegate to IAM by allowing the account principal `{}` and grant `{action}` in an IAM policy",
            account_root(trace)
        ),
        Layer::Resource => format!(
            "no statement of the resource's policy allows `{action}` for the caller: add one whose `Principal` names `{caller}` (or its account)"
        ),
        Layer::Identity => format!(
            "no identity-based policy statement allows `{action}`: attach a policy that allows `{action}` on `{resource}` to `{caller}` (or its group or role)"
        ),
        Layer::Boundary | Layer::Session => format!(
            "no statement of the {} allows `{action}`: it must allow `{action}` on `{resource}` too",
            title.to_lowercase()
        ),
    }
}

/// What matched, for "came closest (...)".
fn matched_elements(s: &StatementTrace) -> String {
    let mut parts = vec!["action"];
    if s.resource.is_some() {
        parts.push("resource");
    }
    if s.principal.is_some() {
        parts.push("principal");
    }
    let n = parts.len();
    match parts.split_last() {
        Some((last, rest)) if n > 1 => format!("{} and {last} match", rest.join(", ")),
        _ => "action matches".into(),
    }
}

fn condition_text(c: &ConditionTrace) -> String {
    format!(
        "`{}` on `{}` with [{}]",
        c.operator,
        c.key,
        c.policy_values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn statement_hints(trace: &Trace, s: &StatementTrace, out: &mut Vec<Hint>) {
    let action = &trace.request.action;
    let hint = |kind, key: Option<String>, text: String| Hint {
        kind,
        subject: Some(s.id.clone()),
        key,
        text,
    };
    match reach(s).0 {
        1 => out.push(hint(
            HintKind::ResourceMismatch,
            None,
            format!(
                "statement `{}` allows `{action}` but not on this resource ({}); add `{}` to its resources, or write a statement for it",
                s.id,
                s.resource.as_ref().map_or("", |c| c.detail.as_str()),
                trace.request.resource
            ),
        )),
        2 => out.push(hint(
            HintKind::PrincipalMismatch,
            None,
            format!(
                "statement `{}` allows `{action}` on this resource but not for the caller ({}); name `{}` (or its account) in its `Principal`",
                s.id,
                s.principal.as_ref().map_or("", |c| c.detail.as_str()),
                trace.request.principal
            ),
        )),
        _ => {
            for c in s.conditions.iter().filter(|c| !c.result) {
                let cond = condition_text(c);
                let (kind, text) = match (&c.request_values, &c.error) {
                    (_, Some(e)) => (
                        HintKind::ConditionFailed,
                        format!(
                            "statement `{}` came closest ({}), but its condition {cond} cannot be evaluated: {e}",
                            s.id,
                            matched_elements(s)
                        ),
                    ),
                    (None, None) => (
                        HintKind::MissingContextKey,
                        format!(
                            "statement `{}` came closest ({}), but its condition {cond} needs `{}`, which the request does not have ({}); a request that carries it could be allowed",
                            s.id,
                            matched_elements(s),
                            c.key,
                            c.explanation
                        ),
                    ),
                    (Some(v), None) => (
                        HintKind::ConditionFailed,
                        format!(
                            "statement `{}` came closest ({}), but its condition {cond} does not hold: the request has [{}] ({})",
                            s.id,
                            matched_elements(s),
                            v.iter()
                                .map(|x| format!("`{x}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            c.explanation
                        ),
                    ),
                };
                out.push(hint(kind, Some(c.key.clone()), text));
            }
        }
    }
}

/// For an explicit deny: each deciding statement and what made it apply.
fn deny_hints(trace: &Trace, out: &mut Vec<Hint>) {
    let all: Vec<(Layer, &StatementTrace)> = [
        Layer::Rcp,
        Layer::Scp,
        Layer::Resource,
        Layer::KeyPolicy,
        Layer::Identity,
        Layer::Boundary,
        Layer::Session,
    ]
    .into_iter()
    .flat_map(|l| statements(trace, l).map(move |(_, _, s)| (l, s)))
    .filter(|(_, s)| s.applies && s.effect == Effect::Deny)
    .collect();
    for id in &trace.deciding {
        let Some((layer, s)) = all.iter().find(|(_, s)| &s.id == id) else {
            continue;
        };
        let where_ = match layer {
            Layer::Scp | Layer::Rcp => {
                " (it is in an organization policy, so nothing in the account can override it)"
            }
            _ => "",
        };
        if s.conditions.is_empty() {
            out.push(Hint {
                kind: HintKind::ChangeDeny,
                subject: Some(s.id.clone()),
                key: None,
                text: format!(
                    "deny `{}` has no condition, so it refuses every request its elements match ({}){where_}; to allow this one, narrow its elements or add a condition that excludes it",
                    s.id,
                    std::iter::once(&s.action)
                        .chain(s.resource.as_ref())
                        .chain(s.principal.as_ref())
                        .map(|c| c.detail.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            });
            continue;
        }
        for c in &s.conditions {
            let cond = condition_text(c);
            match &c.request_values {
                None => out.push(Hint {
                    kind: HintKind::MissingContextKey,
                    subject: Some(s.id.clone()),
                    key: Some(c.key.clone()),
                    text: format!(
                        "deny `{}` applies because the request has no `{}`: its condition {cond} holds when the key is absent ({}){where_}; a request that carries `{}` is compared instead",
                        s.id, c.key, c.explanation, c.key
                    ),
                }),
                Some(v) => out.push(Hint {
                    kind: HintKind::ChangeDeny,
                    subject: Some(s.id.clone()),
                    key: Some(c.key.clone()),
                    text: format!(
                        "deny `{}` applies because its condition {cond} holds for the request's [{}] ({}){where_}; a request for which it does not hold, or a narrower condition, would not be denied",
                        s.id,
                        v.iter()
                            .map(|x| format!("`{x}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.explanation
                    ),
                }),
            }
        }
    }
}

/// Grants that name the caller but do not allow the request.
fn grant_hints(trace: &Trace, out: &mut Vec<Hint>) {
    let op = trace
        .request
        .action
        .strip_prefix("kms:")
        .unwrap_or(&trace.request.action);
    if let Some(g) = near_grant(trace) {
        let why = if !g.in_effect {
            g.effect_note.clone()
        } else {
            g.constraint.clone().unwrap_or_default()
        };
        out.push(Hint {
            kind: HintKind::Grant,
            subject: Some(g.grant_id.clone()),
            key: None,
            text: format!(
                "grant `{}` names the caller and `{op}` but does not apply: {why}",
                g.grant_id
            ),
        });
        return;
    }
    for g in trace
        .grants
        .iter()
        .filter(|g| g.grantee_matches && !g.operation_matches)
    {
        out.push(Hint {
            kind: HintKind::Grant,
            subject: Some(g.grant_id.clone()),
            key: None,
            text: format!(
                "grant `{}` names the caller but allows only `{}`, not `{op}`",
                g.grant_id,
                g.operations.join("`, `")
            ),
        });
    }
}
