//! Condition checks: operators AWS does not know (`NullIfExists` among them), set operators on
//! the wrong kind of key, `ForAllValues` without a guard, `IfExists` combined with `Null`,
//! malformed `kms:ViaService` values, and KMS keys that the statement's actions never carry.
//!
//! Sources: the IAM User Guide's "IAM JSON policy elements: Condition operators" (`Null`,
//! `...IfExists`) and "Multivalued context keys" pages, the IAM Access Analyzer policy check
//! reference, and the KMS Developer Guide's "AWS KMS condition keys" page (`ForAllValues` with
//! `kms:EncryptionContext:` is refused as `OverlyPermissiveCondition`; `kms:ViaService` names
//! are `SERVICE.REGION.amazonaws.com` in every partition; which operations carry which key).

use super::keys::{
    action_may_include, known_condition_key, operations_for, refuses_for_all_values, IAM_ONLY_KEYS,
    MULTI_VALUED,
};
use super::{Severity, Sink};
use crate::iam::condition::{Condition, OpKind, Operator, SetQualifier};
use crate::iam::policy::{Effect, Statement};
use crate::json::JsonPath;

/// Checks every condition of a statement at `sp`.
pub(super) fn check(s: &Statement, sp: &JsonPath, key_policy: bool, sink: &mut Sink<'_>) {
    for c in &s.conditions {
        let cp = sp.key("Condition").key(&c.operator_name).key(&c.key);
        match &c.operator {
            Operator::Unknown(name) => unknown_operator(name, &cp, c, sink),
            Operator::Known {
                kind,
                qualifier,
                if_exists,
            } => {
                let key_lc = c.key.to_ascii_lowercase();
                if !known_condition_key(&c.key) {
                    sink.push(Severity::Warning, "unknown-condition-key", &cp, c.pos,
                        format!("`{}` is not a condition key AWS defines: the request will never have it", c.key));
                }
                set_operators(s, c, *kind, *qualifier, &key_lc, &cp, sink);
                if *if_exists {
                    if_exists_with_null(s, c, &cp, sink);
                }
                if key_lc == "kms:viaservice" {
                    via_service(c, &cp, sink);
                }
                if let Some(ops) = operations_for(&key_lc) {
                    if !action_may_include(&s.action, ops) {
                        sink.push(Severity::Warning, "condition-key-not-in-request", &cp, c.pos,
                            format!("`{}` is only in `{}` requests, and no action of statement `{}` is one of them: the condition always sees a missing key", c.key, ops.join("`, `"), s.label()));
                    }
                }
                if key_policy && IAM_ONLY_KEYS.contains(&key_lc.as_str()) {
                    sink.push(Severity::Warning, "iam-only-key-in-key-policy", &cp, c.pos,
                        format!("`{}` counts in IAM policies only: a key policy never sees it, so this condition always finds it missing", c.key));
                }
            }
        }
    }
}

fn unknown_operator(name: &str, cp: &JsonPath, c: &Condition, sink: &mut Sink<'_>) {
    let base = name
        .strip_prefix("ForAllValues:")
        .or_else(|| name.strip_prefix("ForAnyValue:"))
        .unwrap_or(name);
    if base == "NullIfExists" {
        sink.push(Severity::Error, "null-with-ifexists", cp, c.pos,
            format!("`{name}` is not a condition operator: `Null` takes no `IfExists`, since it already tests whether the key is present; the condition can never hold, so write `Null`"));
    } else {
        sink.push(
            Severity::Error,
            "unknown-operator",
            cp,
            c.pos,
            format!("`{name}` is not a condition operator: the condition can never hold"),
        );
    }
}

/// `ForAllValues` / `ForAnyValue` used with the kind of key they suit, and `ForAllValues`
/// guarded against a missing key.
fn set_operators(
    s: &Statement,
    c: &Condition,
    kind: OpKind,
    qualifier: Option<SetQualifier>,
    key_lc: &str,
    cp: &JsonPath,
    sink: &mut Sink<'_>,
) {
    let multi = MULTI_VALUED.contains(&key_lc);
    if multi && qualifier.is_none() && kind != OpKind::Null {
        sink.push(
            Severity::Warning,
            "multivalued-without-set-operator",
            cp,
            c.pos,
            format!(
                "`{}` carries a set of values; use `ForAllValues:` or `ForAnyValue:` with `{}`",
                c.key,
                kind.name()
            ),
        );
    }
    if qualifier == Some(SetQualifier::ForAllValues) && refuses_for_all_values(key_lc) {
        sink.push(Severity::Error, "forallvalues-on-single-valued-key", cp, c.pos,
            format!("`ForAllValues:` with the single-valued `{}` matches requests without it or with other pairs, and KMS refuses such a policy (`OverlyPermissiveCondition`); remove `ForAllValues:`", c.key));
        return;
    }
    if !multi
        && qualifier.is_some()
        && known_condition_key(&c.key)
        && (key_lc.starts_with("aws:") || key_lc.starts_with("kms:"))
    {
        sink.push(
            Severity::Suggestion,
            "set-operator-on-single-value",
            cp,
            c.pos,
            format!(
                "`{}` has a single value; a set operator is not needed",
                c.key
            ),
        );
    }
    if qualifier == Some(SetQualifier::ForAllValues)
        && s.effect == Effect::Allow
        && !guarded(s, c, key_lc)
    {
        sink.push(Severity::Warning, "forallvalues-without-null-guard", cp, c.pos,
            format!("`ForAllValues:` is true when `{}` is missing or empty, so this allow also applies to requests without it; add `\"Null\": {{\"{}\": \"false\"}}`", c.key, c.key));
    }
}

/// Whether another condition of the statement fails when `c`'s key is missing: `Null` false on
/// the key, a `ForAnyValue` (positive, no `IfExists`) on it, or, for
/// `kms:EncryptionContextKeys`, a required `kms:EncryptionContext:` pair (the KMS guide's
/// recommended pairing).
fn guarded(s: &Statement, c: &Condition, key_lc: &str) -> bool {
    s.conditions.iter().any(|o| {
        let Operator::Known {
            kind,
            qualifier,
            if_exists,
        } = &o.operator
        else {
            return false;
        };
        let same = o.key.eq_ignore_ascii_case(&c.key);
        let requires = !kind.negated() && !*if_exists && *kind != OpKind::Null;
        (same
            && *kind == OpKind::Null
            && o.values
                .iter()
                .any(|v| v.raw().eq_ignore_ascii_case("false")))
            || (same && *qualifier == Some(SetQualifier::ForAnyValue) && requires)
            || (key_lc == "kms:encryptioncontextkeys"
                && o.key
                    .to_ascii_lowercase()
                    .starts_with("kms:encryptioncontext:")
                && qualifier.is_none()
                && requires)
    })
}

/// `...IfExists` on a key that a `Null` condition of the same statement also tests.
fn if_exists_with_null(s: &Statement, c: &Condition, cp: &JsonPath, sink: &mut Sink<'_>) {
    let null_values: Vec<&str> = s
        .conditions
        .iter()
        .filter(|o| {
            o.key.eq_ignore_ascii_case(&c.key)
                && matches!(
                    o.operator,
                    Operator::Known {
                        kind: OpKind::Null,
                        ..
                    }
                )
        })
        .flat_map(|o| o.values.iter().map(|v| v.raw()))
        .collect();
    if null_values.iter().any(|v| v.eq_ignore_ascii_case("true")) {
        sink.push(Severity::Warning, "ifexists-with-null-check", cp, c.pos,
            format!("`\"Null\": {{\"{}\": \"true\"}}` requires the key to be absent, so `{}` never compares a value: it holds only through `IfExists`", c.key, c.operator_name));
    } else if null_values.iter().any(|v| v.eq_ignore_ascii_case("false")) {
        sink.push(Severity::Suggestion, "ifexists-with-null-check", cp, c.pos,
            format!("`\"Null\": {{\"{}\": \"false\"}}` already requires the key, so `IfExists` in `{}` never applies; drop one of them", c.key, c.operator_name));
    }
}

/// `kms:ViaService` names a service endpoint in a region: `SERVICE.REGION.amazonaws.com`.
fn via_service(c: &Condition, cp: &JsonPath, sink: &mut Sink<'_>) {
    for v in &c.values {
        let raw = v.raw();
        if raw.contains("${") {
            continue;
        }
        let problem = if raw != raw.to_ascii_lowercase() {
            Some("service names are lowercase, and `StringEquals` compares them exactly")
        } else if raw.contains('*') || raw.contains('?') {
            None
        } else if !raw.ends_with(".amazonaws.com") {
            Some("the names end in `.amazonaws.com`, in every partition")
        } else {
            let labels: Vec<&str> = raw.trim_end_matches(".amazonaws.com").split('.').collect();
            match labels.as_slice() {
                [service, region] if !service.is_empty() && looks_like_region(region) => None,
                [_] => Some("the name has no region: write `SERVICE.REGION.amazonaws.com`, such as `ec2.us-east-1.amazonaws.com`"),
                _ => Some("write `SERVICE.REGION.amazonaws.com`, such as `ec2.us-east-1.amazonaws.com`"),
            }
        };
        if let Some(why) = problem {
            sink.push(
                Severity::Warning,
                "viaservice-malformed",
                cp,
                c.pos,
                format!("`{raw}` is not a `kms:ViaService` name a request can carry: {why}"),
            );
        }
    }
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, or a wildcard.
fn looks_like_region(r: &str) -> bool {
    if r.contains('*') || r.contains('?') {
        return true;
    }
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.chars().all(|ch| ch.is_ascii_digit()))
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|ch| ch.is_ascii_alphanumeric()))
}
