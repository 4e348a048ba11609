//! Assertions on a policy document: what a `policy` check verifies.

use super::PolicyCheck;
use crate::iam::policy::{Effect, Policy, Statement};
use crate::json::JsonPath;
use crate::lint::lint_policy;

/// What is wrong with `policy` (named `name` in messages) against the check's assertions, one
/// plain-language sentence each.
pub(super) fn assess_policy(policy: &Policy, pc: &PolicyCheck, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !pc.no_findings.is_empty() {
        let mut findings = Vec::new();
        lint_policy(policy, name, &JsonPath::root(), &mut findings);
        out.extend(
            findings
                .iter()
                .filter(|f| pc.no_findings.iter().any(|c| c == f.code))
                .map(|f| format!("{name} at {}: {} ({})", f.path, f.message, f.code)),
        );
    }
    let allows = || {
        policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
    };
    if let Some(within) = &pc.actions_within {
        for s in allows() {
            if s.action.negated {
                out.push(format!(
                    "{} of {name} uses NotAction, so it allows every action it does not list; allow only {}",
                    statement(s),
                    listing(within)
                ));
                continue;
            }
            for (written, _) in &s.action.patterns {
                if !within.iter().any(|w| w.eq_ignore_ascii_case(written)) {
                    out.push(format!(
                        "{} of {name} allows `{written}`, which is more than {}",
                        statement(s),
                        listing(within)
                    ));
                }
            }
        }
    }
    if let Some(within) = &pc.resources_within {
        for s in allows() {
            match &s.resource {
                Some(r) if r.negated => out.push(format!(
                    "{} of {name} uses NotResource, so it covers every resource it does not list; name only {}",
                    statement(s),
                    listing(within)
                )),
                Some(r) => {
                    for t in &r.patterns {
                        if !within.iter().any(|w| w == t.raw()) {
                            out.push(format!(
                                "{} of {name} allows resource `{}`, which is more than {}",
                                statement(s),
                                t.raw(),
                                listing(within)
                            ));
                        }
                    }
                }
                None => out.push(format!(
                    "{} of {name} has no Resource; name only {}",
                    statement(s),
                    listing(within)
                )),
            }
        }
    }
    out
}

/// `statement "Sid"` or `statement 2`.
fn statement(s: &Statement) -> String {
    match &s.sid {
        Some(sid) => format!("statement `{sid}`"),
        None => format!("statement {}", s.index + 1),
    }
}

fn listing(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
