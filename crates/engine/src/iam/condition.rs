//! Condition operators and their evaluation, with AWS's rules for missing keys, `IfExists`,
//! set qualifiers and negation.
//!
//! The rules, as the IAM documentation gives them:
//! - values listed for one key are ORed; keys and operators in a block are ANDed;
//! - a negated operator (`StringNotEquals`, `NotIpAddress`, ...) is true when the request value
//!   matches none of the policy values, and true when the key is missing;
//! - any other operator is false when the key is missing, unless it ends in `IfExists`;
//! - `ForAllValues:` is true when every request value matches (so true for a missing key or an
//!   empty set), `ForAnyValue:` when at least one does (so false for a missing key);
//! - `Null` tests presence: `"true"` means the key is absent.

use super::arn::{resource_matches, Arn};
use super::context::{Context, ContextValue};
use super::vars::Template;
use crate::json::Pos;
use crate::time::Instant;
use std::net::IpAddr;

/// The operator families and their members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub enum OpKind {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const ALL_KINDS: [(&str, OpKind); 27] = [
    ("StringEquals", OpKind::StringEquals),
    ("StringNotEquals", OpKind::StringNotEquals),
    ("StringEqualsIgnoreCase", OpKind::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        OpKind::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OpKind::StringLike),
    ("StringNotLike", OpKind::StringNotLike),
    ("NumericEquals", OpKind::NumericEquals),
    ("NumericNotEquals", OpKind::NumericNotEquals),
    ("NumericLessThan", OpKind::NumericLessThan),
    ("NumericLessThanEquals", OpKind::NumericLessThanEquals),
    ("NumericGreaterThan", OpKind::NumericGreaterThan),
    ("NumericGreaterThanEquals", OpKind::NumericGreaterThanEquals),
    ("DateEquals", OpKind::DateEquals),
    ("DateNotEquals", OpKind::DateNotEquals),
    ("DateLessThan", OpKind::DateLessThan),
    ("DateLessThanEquals", OpKind::DateLessThanEquals),
    ("DateGreaterThan", OpKind::DateGreaterThan),
    ("DateGreaterThanEquals", OpKind::DateGreaterThanEquals),
    ("Bool", OpKind::Bool),
    ("BinaryEquals", OpKind::BinaryEquals),
    ("IpAddress", OpKind::IpAddress),
    ("NotIpAddress", OpKind::NotIpAddress),
    ("ArnEquals", OpKind::ArnEquals),
    ("ArnLike", OpKind::ArnLike),
    ("ArnNotEquals", OpKind::ArnNotEquals),
    ("ArnNotLike", OpKind::ArnNotLike),
    ("Null", OpKind::Null),
];

impl OpKind {
    /// Whether the operator is a negation ("matches none of").
    pub fn negated(self) -> bool {
        matches!(
            self,
            OpKind::StringNotEquals
                | OpKind::StringNotEqualsIgnoreCase
                | OpKind::StringNotLike
                | OpKind::NumericNotEquals
                | OpKind::DateNotEquals
                | OpKind::NotIpAddress
                | OpKind::ArnNotEquals
                | OpKind::ArnNotLike
        )
    }

    /// The operator's name.
    pub fn name(self) -> &'static str {
        ALL_KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }

    /// The kind of value the operator compares, for validation and messages.
    fn value_type(self) -> ValueType {
        use OpKind::*;
        match self {
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => ValueType::Number,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => ValueType::Date,
            Bool | Null => ValueType::Bool,
            IpAddress | NotIpAddress => ValueType::Ip,
            BinaryEquals => ValueType::Binary,
            _ => ValueType::String,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueType {
    String,
    Number,
    Date,
    Bool,
    Ip,
    Binary,
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SetQualifier {
    /// Every request value must match.
    ForAllValues,
    /// At least one request value must match.
    ForAnyValue,
}

/// A parsed condition operator, or the name of one AWS does not know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Operator {
    /// A known operator with its modifiers.
    Known {
        /// The base operator.
        kind: OpKind,
        /// Set qualifier prefix.
        qualifier: Option<SetQualifier>,
        /// `...IfExists` suffix.
        if_exists: bool,
    },
    /// Not an operator AWS knows: kept so the trace and the lint can show it.
    Unknown(String),
}

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringLikeIfExists`. Names are
    /// case-sensitive, as in AWS.
    pub fn parse(name: &str) -> Operator {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        match ALL_KINDS.iter().find(|(n, _)| *n == base) {
            // `NullIfExists` is not an operator.
            Some((_, OpKind::Null)) if if_exists => Operator::Unknown(name.to_string()),
            Some((_, kind)) => Operator::Known {
                kind: *kind,
                qualifier,
                if_exists,
            },
            None => Operator::Unknown(name.to_string()),
        }
    }
}

/// One condition: an operator, a key, and the policy's values for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The operator as written.
    pub operator_name: String,
    /// The condition key as written (matched case-insensitively).
    pub key: String,
    /// The key in lowercase, for lookups without allocation.
    key_lc: String,
    /// The values, with policy variables.
    pub values: Vec<Template>,
    /// Where the key is written.
    pub pos: Pos,
}

impl Condition {
    /// Builds a condition, checking that each value suits the operator (a number for
    /// `Numeric*`, a date for `Date*`, a CIDR for `IpAddress`, `true`/`false` for `Bool` and
    /// `Null`), as AWS does when a policy is saved. Values with variables are checked at
    /// evaluation time instead.
    pub fn new(
        operator: Operator,
        operator_name: &str,
        key: &str,
        values: Vec<(String, Pos)>,
        variables: bool,
        pos: Pos,
    ) -> Result<Condition, (Pos, String)> {
        if let Operator::Known { kind, .. } = &operator {
            for (v, vpos) in &values {
                let t = Template::parse(v, variables);
                if t.has_variables() {
                    continue;
                }
                check_value(*kind, v).map_err(|m| (*vpos, m))?;
            }
        }
        Ok(Condition {
            operator,
            operator_name: operator_name.to_string(),
            key: key.to_string(),
            key_lc: key.to_ascii_lowercase(),
            values: values
                .into_iter()
                .map(|(v, _)| Template::parse(&v, variables))
                .collect(),
            pos,
        })
    }
}

fn check_value(kind: OpKind, v: &str) -> Result<(), String> {
    let name = kind.name();
    match kind.value_type() {
        ValueType::Number if parse_number(v).is_none() => {
            Err(format!("`{v}` is not a number, as `{name}` needs"))
        }
        ValueType::Date if Instant::parse_policy_date(v).is_err() => Err(format!(
            "`{v}` is not a date (ISO 8601 or epoch seconds), as `{name}` needs"
        )),
        ValueType::Bool if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") => {
            Err(format!("`{name}` takes `true` or `false`, found `{v}`"))
        }
        ValueType::Ip if parse_cidr(v).is_none() => Err(format!(
            "`{v}` is not an IP address or CIDR block, as `{name}` needs"
        )),
        _ => Ok(()),
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host route).
fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = match s.trim().split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (s.trim(), None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = len.unwrap_or(max);
    (len <= max).then_some((ip, len))
}

fn ip_in(ip: IpAddr, (net, len): (IpAddr, u8)) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// What evaluating one condition found, for the decision trace.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionTrace {
    /// The operator as written.
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The policy's values, after variable substitution.
    pub policy_values: Vec<String>,
    /// The request's values for the key, or `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
    /// Whether the condition holds.
    pub result: bool,
    /// Why, in plain words.
    pub explanation: String,
    /// A problem that made the condition fail (unknown operator, unparsable value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The result of evaluating a condition: its outcome, plus the trace when asked for.
pub struct CondOutcome {
    /// Whether it holds.
    pub result: bool,
    /// Whether the key was absent from the request.
    pub missing_key: bool,
    /// The detail, when tracing.
    pub trace: Option<ConditionTrace>,
}

impl Condition {
    /// Evaluates the condition against the request context. Without `tracing` no explanation
    /// is built (the fast path); the result is the same.
    pub fn evaluate(&self, ctx: &Context, tracing: bool) -> CondOutcome {
        let request = ctx.get_lowercase(&self.key_lc);
        if !tracing {
            return CondOutcome {
                result: self.holds(ctx, request),
                missing_key: request.is_none(),
                trace: None,
            };
        }
        let missing_key = request.is_none();
        let (result, explanation, error, policy_values) = self.eval_inner(ctx, request);
        let trace = tracing.then(|| ConditionTrace {
            operator: self.operator_name.clone(),
            key: self.key.clone(),
            policy_values,
            request_values: request.map(|v| v.values().into_iter().map(str::to_string).collect()),
            result,
            explanation,
            error,
        });
        CondOutcome {
            result,
            missing_key,
            trace,
        }
    }

    /// The condition's truth, with no explanation.
    fn holds(&self, ctx: &Context, request: Option<&ContextValue>) -> bool {
        let Operator::Known {
            kind,
            qualifier,
            if_exists,
        } = &self.operator
        else {
            return false;
        };
        let kind = *kind;
        if kind == OpKind::Null {
            let absent = match request {
                None => true,
                Some(ContextValue::Multi(v)) => v.is_empty(),
                Some(ContextValue::Single(_)) => false,
            };
            return self.values.iter().any(|t| {
                t.resolve(ctx).is_ok_and(|r| {
                    (absent && r.text().eq_ignore_ascii_case("true"))
                        || (!absent && r.text().eq_ignore_ascii_case("false"))
                })
            });
        }
        let negated = kind.negated();
        let Some(value) = request else {
            return match (qualifier, if_exists, negated) {
                (_, true, _) => true,
                (Some(SetQualifier::ForAllValues), _, _) => true,
                (Some(SetQualifier::ForAnyValue), _, _) => false,
                (None, false, negated) => negated,
            };
        };
        let passes = |v: &str| {
            let m = self.values.iter().any(|t| {
                t.resolve(ctx)
                    .is_ok_and(|p| positive_match(kind, v, &p).unwrap_or(false))
            });
            m != negated
        };
        match (value, qualifier) {
            (ContextValue::Single(v), _) => passes(v),
            (ContextValue::Multi(vs), Some(SetQualifier::ForAllValues)) => {
                vs.iter().all(|v| passes(v))
            }
            (ContextValue::Multi(vs), Some(SetQualifier::ForAnyValue)) => {
                vs.iter().any(|v| passes(v))
            }
            (ContextValue::Multi(vs), None) if negated => vs.iter().all(|v| passes(v)),
            (ContextValue::Multi(vs), None) => vs.iter().any(|v| passes(v)),
        }
    }

    fn eval_inner(
        &self,
        ctx: &Context,
        request: Option<&ContextValue>,
    ) -> (bool, String, Option<String>, Vec<String>) {
        let raw_values: Vec<String> = self.values.iter().map(|t| t.raw().to_string()).collect();
        let (kind, qualifier, if_exists) = match &self.operator {
            Operator::Known {
                kind,
                qualifier,
                if_exists,
            } => (*kind, *qualifier, *if_exists),
            Operator::Unknown(name) => {
                return (
                    false,
                    format!("`{name}` is not a condition operator, so the condition cannot hold"),
                    Some(format!("unknown condition operator `{name}`")),
                    raw_values,
                )
            }
        };
        // Resolve policy variables; a value whose variable is missing matches nothing.
        let mut resolved = Vec::with_capacity(self.values.len());
        let mut shown = Vec::with_capacity(self.values.len());
        let mut unresolved = Vec::new();
        for t in &self.values {
            match t.resolve(ctx) {
                Ok(r) => {
                    shown.push(r.text().to_string());
                    resolved.push(r);
                }
                Err(missing) => {
                    shown.push(t.raw().to_string());
                    unresolved.push(missing.0);
                }
            }
        }
        let var_note = if unresolved.is_empty() {
            String::new()
        } else {
            format!(
                " (policy variable {} has no value in the request, so its value matches nothing)",
                unresolved
                    .iter()
                    .map(|k| format!("`${{{k}}}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };

        if kind == OpKind::Null {
            let want_absent = resolved
                .iter()
                .any(|r| r.text().eq_ignore_ascii_case("true"));
            let want_present = resolved
                .iter()
                .any(|r| r.text().eq_ignore_ascii_case("false"));
            let absent = match request {
                None => true,
                Some(ContextValue::Multi(v)) => v.is_empty(),
                Some(ContextValue::Single(_)) => false,
            };
            let result = (absent && want_absent) || (!absent && want_present);
            let state = if absent { "absent" } else { "present" };
            return (
                result,
                format!("the key is {state} in the request{var_note}"),
                None,
                shown,
            );
        }

        let negated = kind.negated();
        let Some(value) = request else {
            let (result, why) = match (qualifier, if_exists, negated) {
                (_, true, _) => (true, "the key is missing and the operator ends in IfExists"),
                (Some(SetQualifier::ForAllValues), _, _) => (
                    true,
                    "the key is missing, and ForAllValues holds for an empty set of values",
                ),
                (Some(SetQualifier::ForAnyValue), _, _) => (
                    false,
                    "the key is missing, and ForAnyValue needs at least one matching value",
                ),
                (None, false, true) => (
                    true,
                    "the key is missing, and a negated operator holds when there is nothing to match",
                ),
                (None, false, false) => (false, "the key is missing from the request"),
            };
            return (result, why.to_string(), None, shown);
        };

        let request_values = value.values();
        let mut error = None;
        // m(v): does request value v match at least one policy value (for the positive form)?
        let mut matches_any = |v: &str| -> bool {
            resolved.iter().any(|p| match positive_match(kind, v, p) {
                Ok(b) => b,
                Err(e) => {
                    error.get_or_insert(e);
                    false
                }
            })
        };
        let per_value: Vec<bool> = request_values
            .iter()
            .map(|v| {
                let m = matches_any(v);
                if negated {
                    !m
                } else {
                    m
                }
            })
            .collect();
        let multi = matches!(value, ContextValue::Multi(_));
        let result = match qualifier {
            Some(SetQualifier::ForAllValues) => per_value.iter().all(|b| *b),
            Some(SetQualifier::ForAnyValue) => per_value.iter().any(|b| *b),
            // Without a qualifier a negated operator needs every value to miss all policy
            // values; a positive one needs some value to match.
            None if negated => per_value.iter().all(|b| *b),
            None => per_value.iter().any(|b| *b),
        };
        let verb = if negated {
            "matches none of"
        } else {
            "matches"
        };
        let explanation = match (qualifier, multi) {
            (Some(SetQualifier::ForAllValues), _) => format!(
                "{} of {} request values pass `{}` against the policy values; ForAllValues needs all{var_note}",
                per_value.iter().filter(|b| **b).count(),
                per_value.len(),
                kind.name()
            ),
            (Some(SetQualifier::ForAnyValue), _) => format!(
                "{} of {} request values pass `{}`; ForAnyValue needs at least one{var_note}",
                per_value.iter().filter(|b| **b).count(),
                per_value.len(),
                kind.name()
            ),
            (None, true) => format!(
                "multi-valued key without ForAllValues/ForAnyValue: {} of {} values pass `{}`{var_note}",
                per_value.iter().filter(|b| **b).count(),
                per_value.len(),
                kind.name()
            ),
            (None, false) => format!(
                "request value `{}` {} the policy values{var_note}",
                request_values.first().copied().unwrap_or_default(),
                if result { verb.to_string() } else if negated { "matches one of".to_string() } else { "matches none of".to_string() }
            ),
        };
        (result, explanation, error, shown)
    }
}

/// The positive comparison of one request value with one policy value (for a negated operator,
/// its positive counterpart). `Err` when the request value cannot be read as the operator's type.
fn positive_match(kind: OpKind, req: &str, pol: &super::vars::Resolved) -> Result<bool, String> {
    use OpKind::*;
    let p = pol.text();
    Ok(match kind {
        StringEquals | StringNotEquals => req == p,
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
            req.to_lowercase() == p.to_lowercase()
        }
        StringLike | StringNotLike => pol.pattern().matches(req),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            let r = parse_number(req)
                .ok_or_else(|| format!("request value `{req}` is not a number"))?;
            let pv =
                parse_number(p).ok_or_else(|| format!("policy value `{p}` is not a number"))?;
            match kind {
                NumericLessThan => r < pv,
                NumericLessThanEquals => r <= pv,
                NumericGreaterThan => r > pv,
                NumericGreaterThanEquals => r >= pv,
                _ => r == pv,
            }
        }
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => {
            let r = Instant::parse_policy_date(req)
                .map_err(|_| format!("request value `{req}` is not a date"))?;
            let pv = Instant::parse_policy_date(p)
                .map_err(|_| format!("policy value `{p}` is not a date"))?;
            match kind {
                DateLessThan => r < pv,
                DateLessThanEquals => r <= pv,
                DateGreaterThan => r > pv,
                DateGreaterThanEquals => r >= pv,
                _ => r == pv,
            }
        }
        Bool => {
            let r = req.trim();
            if !r.eq_ignore_ascii_case("true") && !r.eq_ignore_ascii_case("false") {
                return Err(format!("request value `{req}` is not `true` or `false`"));
            }
            r.eq_ignore_ascii_case(p.trim())
        }
        BinaryEquals => req == p,
        IpAddress | NotIpAddress => {
            let ip: IpAddr = req
                .trim()
                .parse()
                .map_err(|_| format!("request value `{req}` is not an IP address"))?;
            let net =
                parse_cidr(p).ok_or_else(|| format!("policy value `{p}` is not a CIDR block"))?;
            ip_in(ip, net)
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => {
            if Arn::parse(req).is_none() {
                return Err(format!("request value `{req}` is not an ARN"));
            }
            resource_matches(pol.pattern(), req)
        }
        Null => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition::new(
            Operator::parse(op),
            op,
            key,
            values
                .iter()
                .map(|v| (v.to_string(), Pos::default()))
                .collect(),
            true,
            Pos::default(),
        )
        .unwrap()
    }

    fn eval(c: &Condition, ctx: &Context) -> bool {
        c.evaluate(ctx, true).result
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::default();
        for (k, v) in pairs {
            c.insert_single(k, *v);
        }
        c
    }

    fn multi(key: &str, vals: &[&str]) -> Context {
        let mut c = Context::default();
        c.insert(
            key,
            ContextValue::Multi(vals.iter().map(|s| s.to_string()).collect()),
        );
        c
    }

    #[test]
    fn parse_operators() {
        assert_eq!(
            Operator::parse("ForAnyValue:StringLikeIfExists"),
            Operator::Known {
                kind: OpKind::StringLike,
                qualifier: Some(SetQualifier::ForAnyValue),
                if_exists: true
            }
        );
        assert!(matches!(
            Operator::parse("StringEqual"),
            Operator::Unknown(_)
        ));
        assert!(matches!(
            Operator::parse("NullIfExists"),
            Operator::Unknown(_)
        ));
        assert!(matches!(
            Operator::parse("stringequals"),
            Operator::Unknown(_)
        ));
    }

    #[test]
    fn string_family() {
        let c = ctx(&[("aws:username", "Alice")]);
        assert!(eval(&cond("StringEquals", "aws:username", &["Alice"]), &c));
        assert!(!eval(&cond("StringEquals", "aws:username", &["alice"]), &c));
        assert!(eval(
            &cond("StringEquals", "AWS:UserName", &["bob", "Alice"]),
            &c
        ));
        assert!(eval(
            &cond("StringEqualsIgnoreCase", "aws:username", &["alice"]),
            &c
        ));
        assert!(eval(&cond("StringNotEquals", "aws:username", &["bob"]), &c));
        assert!(!eval(
            &cond("StringNotEquals", "aws:username", &["bob", "Alice"]),
            &c
        ));
        assert!(!eval(
            &cond("StringNotEqualsIgnoreCase", "aws:username", &["ALICE"]),
            &c
        ));
        assert!(eval(&cond("StringLike", "aws:username", &["A*"]), &c));
        assert!(eval(&cond("StringLike", "aws:username", &["Al?ce"]), &c));
        assert!(!eval(&cond("StringNotLike", "aws:username", &["*ice"]), &c));
        // Exact operators treat `*` literally.
        assert!(!eval(&cond("StringEquals", "aws:username", &["A*"]), &c));
    }

    #[test]
    fn missing_keys() {
        let c = Context::default();
        assert!(!eval(&cond("StringEquals", "k", &["v"]), &c));
        assert!(eval(&cond("StringNotEquals", "k", &["v"]), &c));
        assert!(eval(&cond("StringEqualsIfExists", "k", &["v"]), &c));
        assert!(eval(&cond("ForAllValues:StringEquals", "k", &["v"]), &c));
        assert!(!eval(&cond("ForAnyValue:StringEquals", "k", &["v"]), &c));
        assert!(eval(
            &cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
            &c
        ));
        assert!(!eval(
            &cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
            &c
        ));
        assert!(eval(&cond("Null", "k", &["true"]), &c));
        assert!(!eval(&cond("Null", "k", &["false"]), &c));
        assert!(c.get("k").is_none());
    }

    #[test]
    fn set_qualifiers() {
        let c = multi("aws:TagKeys", &["env", "team"]);
        assert!(eval(
            &cond(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &["env", "team", "x"]
            ),
            &c
        ));
        assert!(!eval(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["env"]),
            &c
        ));
        assert!(eval(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["env"]),
            &c
        ));
        assert!(!eval(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["x"]),
            &c
        ));
        assert!(eval(
            &cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["x"]),
            &c
        ));
        assert!(!eval(
            &cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["env"]),
            &c
        ));
        assert!(eval(
            &cond("ForAnyValue:StringNotEquals", "aws:TagKeys", &["env"]),
            &c
        ));
        let empty = multi("aws:TagKeys", &[]);
        assert!(eval(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["env"]),
            &empty
        ));
        assert!(!eval(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["env"]),
            &empty
        ));
        assert!(eval(&cond("Null", "aws:TagKeys", &["true"]), &empty));
    }

    #[test]
    fn numeric_date_bool_binary() {
        let c = ctx(&[
            ("n", "10"),
            ("aws:CurrentTime", "2026-11-22T12:00:00Z"),
            ("b", "true"),
            ("bin", "QUJD"),
        ]);
        assert!(eval(&cond("NumericLessThan", "n", &["11"]), &c));
        assert!(!eval(&cond("NumericLessThan", "n", &["10"]), &c));
        assert!(eval(&cond("NumericLessThanEquals", "n", &["10"]), &c));
        assert!(eval(&cond("NumericGreaterThan", "n", &["9.5"]), &c));
        assert!(eval(&cond("NumericGreaterThanEquals", "n", &["10.0"]), &c));
        assert!(eval(&cond("NumericEquals", "n", &["10"]), &c));
        assert!(eval(&cond("NumericNotEquals", "n", &["11"]), &c));
        assert!(eval(
            &cond("DateLessThan", "aws:CurrentTime", &["2027-01-01T00:00:00Z"]),
            &c
        ));
        assert!(eval(
            &cond("DateGreaterThan", "aws:CurrentTime", &["2026-01-01"]),
            &c
        ));
        assert!(eval(
            &cond("DateEquals", "aws:CurrentTime", &["1795348800"]),
            &c
        ));
        assert!(eval(
            &cond("DateNotEquals", "aws:CurrentTime", &["2026-01-01"]),
            &c
        ));
        assert!(eval(
            &cond(
                "DateLessThanEquals",
                "aws:CurrentTime",
                &["2026-11-22T12:00:00Z"]
            ),
            &c
        ));
        assert!(eval(
            &cond(
                "DateGreaterThanEquals",
                "aws:CurrentTime",
                &["2026-11-22T12:00:00Z"]
            ),
            &c
        ));
        assert!(eval(&cond("Bool", "b", &["true"]), &c));
        assert!(!eval(&cond("Bool", "b", &["false"]), &c));
        assert!(eval(&cond("BinaryEquals", "bin", &["QUJD"]), &c));
        assert!(!eval(&cond("BinaryEquals", "bin", &["QUJE"]), &c));
        // A request value of the wrong type fails and says why.
        let bad = ctx(&[("n", "ten")]);
        let out = cond("NumericLessThan", "n", &["11"]).evaluate(&bad, true);
        assert!(!out.result);
        assert!(out.trace.unwrap().error.unwrap().contains("`ten`"));
    }

    #[test]
    fn ip_and_arn() {
        let c = ctx(&[
            ("aws:SourceIp", "203.0.113.10"),
            ("v6", "2001:db8::1"),
            ("aws:SourceArn", "arn:aws:s3:::bucket"),
        ]);
        assert!(eval(
            &cond("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]),
            &c
        ));
        assert!(!eval(
            &cond("IpAddress", "aws:SourceIp", &["198.51.100.0/24"]),
            &c
        ));
        assert!(eval(
            &cond("IpAddress", "aws:SourceIp", &["203.0.113.10"]),
            &c
        ));
        assert!(eval(
            &cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
            &c
        ));
        assert!(eval(&cond("IpAddress", "v6", &["2001:db8::/32"]), &c));
        assert!(!eval(&cond("IpAddress", "v6", &["0.0.0.0/0"]), &c));
        assert!(eval(
            &cond("ArnLike", "aws:SourceArn", &["arn:aws:s3:::*"]),
            &c
        ));
        assert!(eval(
            &cond("ArnEquals", "aws:SourceArn", &["arn:aws:s3:::bucket"]),
            &c
        ));
        assert!(eval(
            &cond("ArnNotLike", "aws:SourceArn", &["arn:aws:s3:::other*"]),
            &c
        ));
        assert!(!eval(
            &cond("ArnNotEquals", "aws:SourceArn", &["arn:aws:s3:::bucket"]),
            &c
        ));
    }

    #[test]
    fn values_are_validated() {
        let bad = |op: &str, v: &str| {
            Condition::new(
                Operator::parse(op),
                op,
                "k",
                vec![(v.into(), Pos::default())],
                true,
                Pos::default(),
            )
            .is_err()
        };
        assert!(bad("NumericEquals", "x"));
        assert!(bad("DateEquals", "tomorrow"));
        assert!(bad("Bool", "yes"));
        assert!(bad("IpAddress", "300.1.1.1/8"));
        assert!(bad("Null", "maybe"));
        assert!(!bad("StringEquals", "anything"));
        assert!(!bad("NumericEquals", "${aws:username}"));
    }

    #[test]
    fn unknown_operator_fails_with_error() {
        let c = cond("StringEqualz", "k", &["v"]);
        let out = c.evaluate(&ctx(&[("k", "v")]), true);
        assert!(!out.result);
        assert!(out.trace.unwrap().error.unwrap().contains("StringEqualz"));
    }
}
