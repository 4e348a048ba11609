//! Grants: who they name, what they allow, their constraints, and eventual consistency.

use super::model::{Constraint, Grant, CONTEXT_OPERATIONS};
use crate::iam::context::{Principal, PrincipalKind};
use crate::time::{Duration, Instant};
use std::collections::BTreeMap;

/// How one grant fared for a request, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantTrace {
    /// The grant id.
    pub grant_id: String,
    /// Its name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The grantee principal.
    pub grantee: String,
    /// The operations it allows.
    pub operations: Vec<String>,
    /// Whether the grantee is the caller (or the caller's role).
    pub grantee_matches: bool,
    /// Whether the operation is among the grant's operations.
    pub operation_matches: bool,
    /// The constraint check, when the grant has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Whether the constraint holds (true without one).
    pub constraint_holds: bool,
    /// Whether the grant is in effect (propagated, or named by a grant token; not deleted).
    pub in_effect: bool,
    /// Why it is or is not in effect.
    pub effect_note: String,
    /// Whether the grant allows the request.
    pub applies: bool,
}

/// Whether the grant's grantee is the caller: the exact ARN, or the role of an assumed-role
/// session (a grant to a role serves its sessions).
pub fn grantee_matches(grantee: &str, caller: &Principal) -> bool {
    if grantee == caller.arn {
        return true;
    }
    matches!(&caller.kind, PrincipalKind::AssumedRole { role_arn, .. } if role_arn == grantee)
}

/// Checks a constraint against a request's encryption context. Context keys compare
/// case-insensitively, values exactly. Operations without an encryption context
/// (`DescribeKey`, `RetireGrant`) ignore the constraint.
pub fn constraint_holds(
    constraint: &Constraint,
    operation: &str,
    ctx: &BTreeMap<String, String>,
) -> (bool, String) {
    if !CONTEXT_OPERATIONS.contains(&operation) {
        return (
            true,
            format!("`{operation}` takes no encryption context, so the constraint is ignored"),
        );
    }
    let find = |k: &str| {
        ctx.iter()
            .find(|(rk, _)| rk.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    };
    let show = |m: &BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match constraint {
        Constraint::Equals(want) => {
            let ok = want.len() == ctx.len() && want.iter().all(|(k, v)| find(k) == Some(v));
            (
                ok,
                format!(
                    "EncryptionContextEquals {{{}}} {} the request's context {{{}}}",
                    show(want),
                    if ok { "equals" } else { "does not equal" },
                    show(ctx)
                ),
            )
        }
        Constraint::Subset(want) => {
            let missing: Vec<String> = want
                .iter()
                .filter(|(k, v)| find(k) != Some(*v))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let ok = missing.is_empty();
            (
                ok,
                if ok {
                    format!("the request's context includes every pair of EncryptionContextSubset {{{}}}", show(want))
                } else {
                    format!(
                        "the request's context lacks {} from EncryptionContextSubset",
                        missing.join(", ")
                    )
                },
            )
        }
    }
}

/// Whether a grant is in effect now: created long enough ago to have propagated (or named by a
/// grant token in the request), and not deleted long enough ago for the deletion to have
/// propagated.
pub fn in_effect(g: &Grant, now: Instant, delay: Duration, tokens: &[String]) -> (bool, String) {
    let by_token = tokens.iter().any(|t| t == &g.token);
    let propagated = now >= g.created.plus(delay);
    match g.deleted {
        Some(d) if now >= d.plus(delay) => (false, "retired or revoked".into()),
        Some(_) => (
            true,
            "retired or revoked, but the deletion has not propagated yet (eventual consistency)"
                .into(),
        ),
        None if propagated => (true, "created and propagated".into()),
        None if by_token => (
            true,
            "not propagated yet, but the request carries its grant token".into(),
        ),
        None => (
            false,
            format!(
                "created at {} and not propagated until {}; pass its grant token to use it at once",
                g.created,
                g.created.plus(delay)
            ),
        ),
    }
}

/// Evaluates one grant for an operation by a caller.
pub fn evaluate(
    g: &Grant,
    operation: &str,
    caller: &Principal,
    ctx: &BTreeMap<String, String>,
    now: Instant,
    delay: Duration,
    tokens: &[String],
) -> GrantTrace {
    let grantee_ok = grantee_matches(&g.grantee, caller);
    let op_ok = g.operations.iter().any(|o| o == operation);
    let (c_ok, c_note) = match &g.constraint {
        Some(c) => {
            let (ok, note) = constraint_holds(c, operation, ctx);
            (ok, Some(note))
        }
        None => (true, None),
    };
    let (live, note) = in_effect(g, now, delay, tokens);
    GrantTrace {
        grant_id: g.id.clone(),
        name: g.name.clone(),
        grantee: g.grantee.clone(),
        operations: g.operations.clone(),
        grantee_matches: grantee_ok,
        operation_matches: op_ok,
        constraint: c_note,
        constraint_holds: c_ok,
        in_effect: live,
        effect_note: note,
        applies: grantee_ok && op_ok && c_ok && live,
    }
}

/// Whether `child` is no wider than `parent` (for CreateGrant authorized by a grant): its
/// operations are a subset, and its constraint at least as strict.
pub fn narrower(child_ops: &[String], child: Option<&Constraint>, parent: &Grant) -> bool {
    let ops_ok = child_ops.iter().all(|o| parent.operations.contains(o));
    let c_ok = match (&parent.constraint, child) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(Constraint::Equals(p)), Some(Constraint::Equals(c))) => p == c,
        (Some(Constraint::Equals(_)), Some(Constraint::Subset(_))) => false,
        (Some(Constraint::Subset(p)), Some(Constraint::Subset(c) | Constraint::Equals(c))) => {
            p.iter().all(|(k, v)| c.get(k) == Some(v))
        }
    };
    ops_ok && c_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn constraints() {
        let eq = Constraint::Equals(m(&[("Department", "IT")]));
        assert!(constraint_holds(&eq, "Decrypt", &m(&[("department", "IT")])).0);
        assert!(!constraint_holds(&eq, "Decrypt", &m(&[("Department", "it")])).0);
        assert!(!constraint_holds(&eq, "Decrypt", &m(&[("Department", "IT"), ("x", "y")])).0);
        assert!(constraint_holds(&eq, "DescribeKey", &m(&[])).0);
        let sub = Constraint::Subset(m(&[("Department", "IT")]));
        assert!(
            constraint_holds(
                &sub,
                "Encrypt",
                &m(&[("Department", "IT"), ("Purpose", "Test")])
            )
            .0
        );
        assert!(!constraint_holds(&sub, "Encrypt", &m(&[("Purpose", "Test")])).0);
    }
}
