//! Property test: a condition's fast (untraced) evaluation always agrees with the traced one,
//! for every operator family, qualifier, IfExists, and missing, single or multi-valued keys.
//! (Matching, the combining rule and the parsers have their properties in `proptests.rs`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::iam::condition::{Condition, Operator};
use kmslab_engine::iam::context::{Context, ContextValue};
use kmslab_engine::json::Pos;
use proptest::prelude::*;

// ---- Conditions: the fast path agrees with the traced path ----

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThanEquals",
    "NumericNotEquals",
    "DateLessThan",
    "DateNotEquals",
    "Bool",
    "IpAddress",
    "NotIpAddress",
    "ArnLike",
    "ArnNotEquals",
    "Null",
    "BinaryEquals",
];

fn values_for(op: &str) -> Vec<&'static str> {
    match op {
        o if o.starts_with("Numeric") => vec!["1", "10", "2.5"],
        o if o.starts_with("Date") => vec!["2026-01-01T00:00:00Z", "1795348800"],
        "Bool" | "Null" => vec!["true", "false"],
        "IpAddress" | "NotIpAddress" => vec!["10.0.0.0/8", "2001:db8::/32"],
        o if o.starts_with("Arn") => vec!["arn:aws:s3:::a*", "arn:aws:s3:::b"],
        _ => vec!["a", "A*", "b?", "${aws:username}"],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn condition_fast_path_matches_traced(
        op_i in 0..OPERATORS.len(),
        qualifier in prop_oneof![Just(""), Just("ForAllValues:"), Just("ForAnyValue:")],
        if_exists in any::<bool>(),
        picks in prop::collection::vec(0usize..4, 1..3),
        req in prop::option::of(prop::collection::vec(prop_oneof![
            Just("a"), Just("Ab"), Just("b1"), Just("10"), Just("1"), Just("true"), Just("10.1.2.3"),
            Just("arn:aws:s3:::abc"), Just("2025-06-01T00:00:00Z"), Just("not a value")], 0..3)),
        single in any::<bool>(),
    ) {
        let base = OPERATORS[op_i];
        let name = format!("{qualifier}{base}{}", if if_exists && base != "Null" { "IfExists" } else { "" });
        let pool = values_for(base);
        let values: Vec<(String, Pos)> = picks.iter().map(|i| (pool[i % pool.len()].to_string(), Pos::default())).collect();
        let c = Condition::new(Operator::parse(&name), &name, "test:Key", values, true, Pos::default()).unwrap();
        let mut ctx = Context::default();
        ctx.insert_single("aws:username", "a");
        match req {
            Some(v) if single && !v.is_empty() => ctx.insert_single("test:key", v[0]),
            Some(v) => ctx.insert("TEST:KEY", ContextValue::Multi(v.iter().map(|s| s.to_string()).collect())),
            None => {}
        }
        let fast = c.evaluate(&ctx, false);
        let traced = c.evaluate(&ctx, true);
        prop_assert_eq!(fast.result, traced.result, "{} on {:?}", name, ctx.get("test:key"));
        prop_assert_eq!(fast.missing_key, traced.missing_key);
    }
}
