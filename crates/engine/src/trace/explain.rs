//! A plain-language summary of a decision trace, for newcomers: one paragraph that says what
//! was decided, by which rule of AWS's policy evaluation logic, and which policies and statements
//! it rests on. It reads only the [`Trace`]; the evaluator decides, this module explains.
//!
//! The rules it names are those of the IAM User Guide's "Policy evaluation logic" and
//! "Cross-account policy evaluation logic" pages and the KMS Developer Guide's "Key policies in
//! AWS KMS" (IAM policies count only where the key policy delegates to the account), "Grants in
//! AWS KMS" and "Key states of AWS KMS keys" pages.

use super::{Decision, Layer, LayerTrace, Named, Rule, StatementTrace, StoppedBy, Trace};
use crate::iam::arn::Arn;
use crate::iam::policy::Effect;
use serde::Serialize;

/// A trace explained in one paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The outcome, as decided (after grants and the key-state gate's refusal, see `refused`).
    pub decision: Decision,
    /// The outcome in words: `Allowed`, `Denied (explicit deny)`, `Denied (implicit deny)`, or
    /// `Allowed by policy, refused by the key state`.
    pub headline: String,
    /// The explanation, naming the policies and statements involved.
    pub text: String,
    /// Whether the request was authorized but KMS refused it for the key's state.
    pub refused: bool,
}

impl Summary {
    /// `headline: text`, the form the CLI prints.
    pub fn line(&self) -> String {
        format!("{}: {}", self.headline, self.text)
    }
}

/// Explains a trace in one paragraph.
pub fn summarize(trace: &Trace) -> Summary {
    let mut text = match trace.decision {
        Decision::ExplicitDeny => explicit_deny(trace),
        Decision::Allow if rule_outcome(&trace.rule, trace.stopped_by) != Decision::Allow => {
            allowed_otherwise(trace)
        }
        Decision::Allow => allowed(trace),
        Decision::ImplicitDeny
            if rule_outcome(&trace.rule, trace.stopped_by) == Decision::Allow =>
        {
            // The policies allow, and a KMS-specific rule (retiring a grant) did not.
            format!(
                "the policies allow `{}`, but {}.",
                trace.request.action, trace.summary
            )
        }
        Decision::ImplicitDeny => {
            let mut t = implicit_deny(trace);
            if let Some(g) = near_grant(trace) {
                let why = if g.in_effect {
                    g.constraint.clone().unwrap_or_default()
                } else {
                    g.effect_note.clone()
                };
                t.push_str(&format!(
                    " Grant `{}` names the caller and the operation but does not apply: {why}.",
                    g.grant_id
                ));
            }
            t
        }
    };
    let refused = trace.key_state.as_ref().filter(|k| !k.allowed);
    if let Some(k) = refused {
        text.push_str(&format!(
            " Authorization passed, but KMS refuses `{}` for this key in state `{}`{}.",
            k.operation,
            k.state,
            k.error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ));
    }
    if let Some(e) = trace.errors.first() {
        let more = trace.errors.len() - 1;
        text.push_str(&format!(
            " Note: a policy could not be evaluated as written ({e}{}).",
            if more > 0 {
                format!(", and {more} more problem(s)")
            } else {
                String::new()
            }
        ));
    }
    let headline = match (trace.decision, refused.is_some()) {
        (Decision::Allow, false) => "Allowed",
        (Decision::Allow, true) => "Allowed by policy, refused by the key state",
        (Decision::ExplicitDeny, _) => "Denied (explicit deny)",
        (Decision::ImplicitDeny, _) => "Denied (implicit deny)",
    };
    Summary {
        decision: trace.decision,
        headline: headline.to_string(),
        text,
        refused: refused.is_some(),
    }
}

/// The decision the combining rule reached, before grants or KMS-specific rules.
pub(super) fn rule_outcome(rule: &Rule, stopped: Option<StoppedBy>) -> Decision {
    match rule {
        Rule::ExplicitDeny => Decision::ExplicitDeny,
        Rule::OrgNotAllowed { .. }
        | Rule::ServiceNotAllowed
        | Rule::KeyPolicyNoDelegation
        | Rule::TrustNotAllowed
        | Rule::CrossAccountNoResource => Decision::ImplicitDeny,
        Rule::ServiceAllowed | Rule::ResourceNamesCaller => Decision::Allow,
        Rule::ResourceAllowsRole
        | Rule::KeyPolicyDelegates
        | Rule::TrustAllowsAccount
        | Rule::ResourceAllowsAccount
        | Rule::IdentityOnly
        | Rule::CrossAccount => {
            if stopped.is_some() {
                Decision::ImplicitDeny
            } else {
                Decision::Allow
            }
        }
    }
}

/// Each statement of a layer kind, with its policy's name.
pub(super) fn statements(
    trace: &Trace,
    layer: Layer,
) -> impl Iterator<Item = (&LayerTrace, &str, &StatementTrace)> {
    trace
        .layers
        .iter()
        .filter(move |l| l.layer == layer)
        .flat_map(|l| {
            l.policies
                .iter()
                .flat_map(move |p| p.statements.iter().map(move |s| (l, p.name.as_str(), s)))
        })
}

/// The ids of the statements of a layer kind that apply with the given effect.
pub(super) fn applying(trace: &Trace, layer: Layer, effect: Effect) -> Vec<&str> {
    statements(trace, layer)
        .filter(|(_, _, s)| s.applies && s.effect == effect)
        .map(|(_, _, s)| s.id.as_str())
        .collect()
}

/// `` `a`, `b` and `c` ``.
pub(super) fn list(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// What the resource-side policy is called, from the layers that ran. A role's trust policy is
/// evaluated as a resource-based policy on `sts:AssumeRole`, the one action trust policies serve.
pub(super) fn resource_policy_name(trace: &Trace) -> &'static str {
    if trace.layers.iter().any(|l| l.layer == Layer::KeyPolicy) {
        "key policy"
    } else if trace.request.action.eq_ignore_ascii_case("sts:AssumeRole") {
        "role's trust policy"
    } else {
        "resource-based policy"
    }
}

/// The resource-side statements that allow (key policy or resource policy).
fn resource_allows(trace: &Trace) -> Vec<&str> {
    let mut v = applying(trace, Layer::KeyPolicy, Effect::Allow);
    v.extend(applying(trace, Layer::Resource, Effect::Allow));
    v
}

/// The resource-side allow statements that apply and whose principal names the caller as
/// `how` (the caller itself, its role, or its account).
fn resource_allows_naming(trace: &Trace, how: Named) -> Vec<&str> {
    [Layer::KeyPolicy, Layer::Resource]
        .iter()
        .flat_map(|l| statements(trace, *l))
        .filter(|(_, _, s)| s.applies && s.effect == Effect::Allow && s.names == Some(how))
        .map(|(_, _, s)| s.id.as_str())
        .collect()
}

/// For a request the resource's policy allows on its own: the applying statements that name
/// the caller's account instead, said for what they are (they let the account's IAM policies
/// decide, which this request does not need), or nothing.
fn account_statements_note(trace: &Trace) -> String {
    let account = resource_allows_naming(trace, Named::Account);
    if account.is_empty() {
        return String::new();
    }
    let root = caller_account(trace)
        .map(|a| format!(" (`arn:aws:iam::{a}:root`)"))
        .unwrap_or_default();
    format!(
        " {} {} too, but {} the account{root}, not the caller: that only lets the account's IAM policies decide, which this request does not need.",
        list(&account),
        if account.len() > 1 { "apply" } else { "applies" },
        if account.len() > 1 { "they name" } else { "it names" },
    )
}

/// The account that owns the resource, from its ARN.
pub(super) fn resource_account(trace: &Trace) -> Option<String> {
    Arn::parse(&trace.request.resource)
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
}

/// "into account 444455556666", or "a resource in another account" when the ARN has none (S3).
fn into_account(trace: &Trace) -> String {
    resource_account(trace).map_or_else(
        || "a resource in another account".into(),
        |a| format!("into account {a}"),
    )
}

/// The caller's account, from its ARN.
fn caller_account(trace: &Trace) -> Option<String> {
    Arn::parse(&trace.request.principal)
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
}

/// Whether the caller is an account's root user (`arn:aws:iam::ACCOUNT:root`), whose own
/// account's side allows without any policy.
pub(super) fn is_root(trace: &Trace) -> bool {
    Arn::parse(&trace.request.principal)
        .is_some_and(|a| a.service == "iam" && a.resource == "root" && !a.account.is_empty())
}

/// " (`a`, `b`)", or nothing for no ids.
fn paren(ids: &[&str]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", list(ids))
    }
}

/// `prefix` and the quoted ids, or nothing for no ids.
fn with_ids(prefix: &str, ids: &[&str]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!("{prefix}{}", list(ids))
    }
}

fn allowed(trace: &Trace) -> String {
    let action = &trace.request.action;
    let identity = applying(trace, Layer::Identity, Effect::Allow);
    let res = resource_allows(trace);
    let rp = resource_policy_name(trace);
    let limits = limits_note(trace);
    let iam_side = if is_root(trace) {
        "the root user holds every permission of its account".to_string()
    } else {
        format!("{} allows it", list(&identity))
    };
    match &trace.rule {
        Rule::ServiceAllowed => format!(
            "the {rp} names the service principal `{}`{}; a service has no identity-based policies, so that is what allows it.",
            trace.request.principal,
            paren(&resource_allows_naming(trace, Named::Caller))
        ),
        Rule::ResourceNamesCaller => format!(
            "the {rp} names `{}` directly{}. Within one account that is enough on its own: identity-based policies, permissions boundaries and session policies are not needed for `{action}`.{}",
            trace.request.principal,
            paren(&resource_allows_naming(trace, Named::Caller)),
            account_statements_note(trace)
        ),
        Rule::ResourceAllowsRole => format!(
            "the {rp} names the caller's role{}. Within one account that is enough without identity-based policies{limits}.{}",
            paren(&resource_allows_naming(trace, Named::Role)),
            account_statements_note(trace)
        ),
        // The account's root user is the account the key policy names: no IAM policy is
        // involved, so "it names the account, not the caller" would be wrong.
        Rule::KeyPolicyDelegates if is_root(trace) => format!(
            "the key policy allows the account{}, and the caller is that account's root user, which holds every permission of its account without any IAM policy{limits}.",
            with_ids(" in ", &res)
        ),
        Rule::KeyPolicyDelegates => format!(
            "the key policy delegates to the account{} (it names the account, not the caller), so the account's IAM policies decide, and {iam_side}{limits}.",
            with_ids(" in ", &res)
        ),
        Rule::TrustAllowsAccount => format!(
            "the role's trust policy trusts the caller's account{}, so the account's IAM policies must also allow `{action}`, and {iam_side}{limits}.",
            paren(&res)
        ),
        Rule::ResourceAllowsAccount => format!(
            "the {rp} allows the caller's account{}, and {iam_side}{limits}.",
            paren(&res)
        ),
        Rule::IdentityOnly if is_root(trace) => format!(
            "the root user holds every permission of its account, so it may call `{action}` on `{}`{limits}, and no statement denies it.",
            trace.request.resource
        ),
        Rule::IdentityOnly => format!(
            "identity-based policy {} {} {} `{action}` on `{}`{limits}, and no statement denies it.",
            if identity.len() > 1 { "statements" } else { "statement" },
            list(&identity),
            if identity.len() > 1 { "allow" } else { "allows" },
            trace.request.resource
        ),
        Rule::CrossAccount => format!(
            "this is a cross-account request ({} calling {}), so both sides must allow: the {rp} trusts the caller{}, and in the caller's own account {iam_side}{limits}.",
            caller_account(trace).map_or_else(|| "a caller".into(), |a| format!("account {a}")),
            into_account(trace),
            paren(&res)
        ),
        // The other rules deny; `allowed_otherwise` explains allows they did not reach.
        _ => format!("{}.", trace.summary),
    }
}

/// " (and the permissions boundary and session policies allow too)" for an allowed path.
fn limits_note(trace: &Trace) -> String {
    let b = applying(trace, Layer::Boundary, Effect::Allow);
    let s = applying(trace, Layer::Session, Effect::Allow);
    let mut parts = Vec::new();
    if !b.is_empty() {
        parts.push(format!(
            "the permissions boundary allows it too ({})",
            list(&b)
        ));
    }
    if !s.is_empty() {
        parts.push(format!("the session policy allows it too ({})", list(&s)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join(", and "))
    }
}

/// An allow that the combining rule did not give: a grant, or a KMS rule such as a grant's
/// retiring principal.
fn allowed_otherwise(trace: &Trace) -> String {
    let grant = trace
        .deciding
        .iter()
        .find_map(|d| d.strip_prefix("grant:"))
        .and_then(|id| trace.grants.iter().find(|g| g.grant_id == id && g.applies));
    match grant {
        Some(g) => format!(
            "the policies alone do not allow it ({}), but grant `{}` on the key names `{}` and allows `{}`{}. Grants add permissions to the key policy; they cannot lift an explicit deny.",
            policy_reason(trace),
            g.grant_id,
            g.grantee,
            g.operations.join("`, `"),
            g.constraint
                .as_ref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        ),
        None => format!(
            "the policies alone do not allow it ({}), but {}.",
            policy_reason(trace),
            trace.summary
        ),
    }
}

/// Why the policies (without grants) did not allow, in a few words.
fn policy_reason(trace: &Trace) -> String {
    let t = implicit_deny(trace);
    t.trim_end_matches('.').to_string()
}

fn explicit_deny(trace: &Trace) -> String {
    let denies: Vec<&str> = trace.deciding.iter().map(String::as_str).collect();
    let allows: Vec<&str> = [
        Layer::Identity,
        Layer::KeyPolicy,
        Layer::Resource,
        Layer::Boundary,
        Layer::Session,
    ]
    .iter()
    .flat_map(|l| applying(trace, *l, Effect::Allow))
    .collect();
    let held: Vec<String> = trace
        .layers
        .iter()
        .flat_map(|l| l.policies.iter().flat_map(|p| p.statements.iter()))
        .filter(|s| s.applies && s.effect == Effect::Deny)
        .take(1)
        .flat_map(|s| s.conditions.iter())
        .map(|c| {
            let req = c
                .request_values
                .as_ref()
                .map_or("absent".to_string(), |v| format!("`{}`", v.join("`, `")));
            format!("`{} {}` holds (request: {req})", c.operator, c.key)
        })
        .collect();
    format!(
        "{} {} `{}`{}. An explicit deny overrides every allow{}.",
        list(&denies),
        if denies.len() > 1 { "deny" } else { "denies" },
        trace.request.action,
        if held.is_empty() {
            String::new()
        } else {
            format!(" because {}", held.join(" and "))
        },
        with_ids(", including ", &allows)
    )
}

fn implicit_deny(trace: &Trace) -> String {
    let action = &trace.request.action;
    let caller = &trace.request.principal;
    let identity = applying(trace, Layer::Identity, Effect::Allow);
    let res = resource_allows(trace);
    let rp = resource_policy_name(trace);
    let ignored_sentence = |what: &str| {
        if identity.is_empty() {
            String::new()
        } else {
            format!("; the IAM allow in {} {what}", list(&identity))
        }
    };
    let ignored = |what: &str| {
        if identity.is_empty() {
            String::new()
        } else {
            format!(", so the IAM allow in {} {what}", list(&identity))
        }
    };
    match (&trace.rule, trace.stopped_by) {
        (Rule::OrgNotAllowed { layer, target }, _) => {
            let short = if *layer == Layer::Scp { "SCP" } else { "RCP" };
            let none_attached = trace.layers.iter().any(|l| {
                l.layer == *layer && l.target.as_deref() == Some(target) && l.policies.is_empty()
            });
            format!(
                "{} at `{target}` allows `{action}`. Every level of the organization path (root, OUs, account) must allow a request through its {short}s, so nothing in the account can allow it{}.",
                if none_attached {
                    format!("no {short} is attached, so no {short}")
                } else {
                    format!("no {short}")
                },
                ignored_sentence("does not count")
            )
        }
        (Rule::ServiceNotAllowed, _) => format!(
            "the caller is the service principal `{caller}`, which has no identity-based policies, and no {rp} statement names it."
        ),
        (Rule::KeyPolicyNoDelegation, _) if !identity.is_empty() => format!(
            "the key policy does not allow the account to use IAM policies{}. For a KMS key, IAM policies count only when the key policy delegates to the account (a statement whose principal is the account, `arn:aws:iam::{}:root`), and no key policy statement names the caller either.",
            ignored("was ignored"),
            resource_account(trace).unwrap_or_else(|| "ACCOUNT".into())
        ),
        (Rule::KeyPolicyNoDelegation, _) => format!(
            "no key policy statement allows `{caller}` to call `{action}`, and the key policy does not delegate to the account's IAM policies (no identity-based policy allows it either)."
        ),
        (Rule::TrustNotAllowed, _) => format!(
            "the role's trust policy does not allow `{caller}` to assume the role{}; a role can be assumed only by principals its trust policy allows.",
            ignored("is not enough")
        ),
        (Rule::CrossAccountNoResource, _) => format!(
            "this is a cross-account request (`{caller}` calling {}), and {}. Across accounts the resource's own policy must allow the caller or its account{}.",
            into_account(trace),
            if trace.layers.iter().any(|l| matches!(l.layer, Layer::KeyPolicy | Layer::Resource)) {
                format!("no statement of the {rp} names the caller or its account")
            } else {
                "the resource has no resource-based policy".to_string()
            },
            ignored("is not enough on its own")
        ),
        (rule, Some(StoppedBy::Identity)) => {
            let before = match rule {
                Rule::KeyPolicyDelegates => format!(
                    "the key policy delegates to the account{}, so IAM policies decide, but ",
                    with_ids(" in ", &res)
                ),
                Rule::TrustAllowsAccount => format!(
                    "the role's trust policy trusts the caller's account{}, so IAM must allow too, but ",
                    paren(&res)
                ),
                Rule::ResourceAllowsAccount => format!(
                    "the {rp} allows the caller's account{}, so IAM decides, but ",
                    paren(&res)
                ),
                Rule::CrossAccount => format!(
                    "this is a cross-account request: the {rp} trusts the caller{}, but the caller's own account must allow too, and ",
                    paren(&res)
                ),
                _ => String::new(),
            };
            let has_identity = statements(trace, Layer::Identity).next().is_some();
            format!(
                "{before}no identity-based policy allows `{caller}` to call `{action}` on `{}`{}.",
                trace.request.resource,
                if has_identity {
                    ""
                } else {
                    " (the caller has none)"
                }
            )
        }
        (_, Some(StoppedBy::Boundary)) => format!(
            "{} allows `{action}`, but the permissions boundary does not{}: a boundary caps what the other policies can grant.",
            if identity.is_empty() {
                format!("the {rp}{}", paren(&res))
            } else {
                list(&identity)
            },
            trace
                .layers
                .iter()
                .find(|l| l.layer == Layer::Boundary)
                .and_then(|l| l.policies.first())
                .map(|p| format!(" (`{}`)", p.name))
                .unwrap_or_default()
        ),
        (_, Some(StoppedBy::Session)) => format!(
            "{} allows `{action}`, but the session policies passed when the session was created do not: a session can do only what both its role's policies and its session policies allow.",
            if identity.is_empty() {
                format!("the {rp}{}", paren(&res))
            } else {
                list(&identity)
            }
        ),
        // An allowing rule with nothing stopping it does not deny; say what the evaluator said.
        (_, None) => format!("{}.", trace.summary),
    }
}

/// A grant that names the caller and the operation but does not apply.
pub(super) fn near_grant(trace: &Trace) -> Option<&crate::kms::grant::GrantTrace> {
    trace
        .grants
        .iter()
        .find(|g| g.grantee_matches && g.operation_matches && !g.applies)
}
