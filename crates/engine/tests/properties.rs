//! Property tests: the wildcard matcher and ARN rules against simple reference matchers, the
//! combining rule against a ten-line reference model of AWS's documented logic, and the parsers
//! against arbitrary input (they must return errors, never panic).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::iam::arn::{resource_matches, AccountId};
use kmslab_engine::iam::context::{Context, Principal, PrincipalKind, Request};
use kmslab_engine::iam::evaluate::{
    authorize, AuthzInput, NamedPolicy, OrgLevel, OrgPolicies, ResourceKind, ResourcePolicy,
};
use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::iam::wildcard::Pattern;
use kmslab_engine::json::{self, JsonPath};
use kmslab_engine::Decision;
use proptest::prelude::*;

/// The obvious exponential-free reference: dynamic programming over (pattern, text) positions.
fn reference_glob(p: &[char], t: &[char], fold: bool) -> bool {
    let eq = |a: char, b: char| a == b || (fold && a.to_lowercase().eq(b.to_lowercase()));
    let mut dp = vec![vec![false; t.len() + 1]; p.len() + 1];
    dp[0][0] = true;
    for i in 1..=p.len() {
        if p[i - 1] == '*' {
            dp[i][0] = dp[i - 1][0];
        }
        for j in 1..=t.len() {
            dp[i][j] = match p[i - 1] {
                '*' => dp[i - 1][j] || dp[i][j - 1],
                '?' => dp[i - 1][j - 1],
                c => dp[i - 1][j - 1] && eq(c, t[j - 1]),
            };
        }
    }
    dp[p.len()][t.len()]
}

fn reference_resource(pattern: &str, resource: &str) -> bool {
    let pp: Vec<&str> = pattern.splitn(6, ':').collect();
    let rp: Vec<&str> = resource.splitn(6, ':').collect();
    let chars = |s: &str| s.chars().collect::<Vec<_>>();
    if pattern == "*" {
        return true;
    }
    if pp.len() == 6 && pp[0] == "arn" {
        return rp.len() == 6
            && rp[0] == "arn"
            && !rp[1].is_empty()
            && !rp[2].is_empty()
            && pp
                .iter()
                .zip(rp.iter())
                .all(|(a, b)| reference_glob(&chars(a), &chars(b), false));
    }
    if pattern.starts_with("arn:") {
        return false;
    }
    reference_glob(&chars(pattern), &chars(resource), false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn wildcard_matches_reference(p in "[ab*?:/]{0,10}", t in "[abAB:/]{0,12}") {
        let pc: Vec<char> = p.chars().collect();
        let tc: Vec<char> = t.chars().collect();
        prop_assert_eq!(Pattern::new(&p).matches(&t), reference_glob(&pc, &tc, false), "pattern {} text {}", p, t);
        prop_assert_eq!(Pattern::new(&p).matches_ignore_case(&t), reference_glob(&pc, &tc, true), "pattern {} text {} (folded)", p, t);
    }

    #[test]
    fn arn_rules_match_reference(
        p in prop::collection::vec("[a*?]{0,3}", 6),
        r in prop::collection::vec("[ab]{0,3}", 6),
        sep in "[/:]",
    ) {
        let pattern = format!("arn:{}:{}:{}:{}:{}{sep}{}", p[1], p[2], p[3], p[4], p[5], p[0]);
        let resource = format!("arn:{}:{}:{}:{}:{}{sep}{}", r[1], r[2], r[3], r[4], r[5], r[0]);
        prop_assert_eq!(
            resource_matches(&Pattern::new(&pattern), &resource),
            reference_resource(&pattern, &resource),
            "pattern {} resource {}", pattern, resource
        );
    }

    #[test]
    fn json_parser_never_panics(s in "\\PC{0,200}") {
        let _ = json::parse(&s);
        let _ = kmslab_engine::parse_scenario(&s);
    }

    #[test]
    fn scenario_mutations_never_panic(edits in prop::collection::vec((0usize..4000, any::<u8>()), 1..6)) {
        let src = include_str!("../../../scenarios/examples/nps-least-privilege.json");
        let mut bytes = src.as_bytes().to_vec();
        for (at, b) in edits {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(s) = kmslab_engine::parse_scenario(&text) {
            let _ = kmslab_engine::run_scenario(&s);
        }
    }
}

// ---- The combining rule against a reference model ----

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stmt {
    None,
    Allow,
    Deny,
    NoMatch,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Names {
    User,
    Root,
    Nobody,
}

#[derive(Debug, Clone)]
struct World {
    identity: Stmt,
    boundary: Option<Stmt>,
    session: Option<Stmt>,
    scp_levels: Option<Vec<Stmt>>,
    same_account: bool,
    resource: Option<(Names, bool)>, // (who, is_deny)
}

fn stmt() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        Just(Stmt::None),
        Just(Stmt::Allow),
        Just(Stmt::Deny),
        Just(Stmt::NoMatch)
    ]
}

fn world() -> impl Strategy<Value = World> {
    (
        stmt(),
        prop::option::of(stmt()),
        prop::option::of(stmt()),
        prop::option::of(prop::collection::vec(stmt(), 1..3)),
        any::<bool>(),
        prop::option::of((
            prop_oneof![Just(Names::User), Just(Names::Root), Just(Names::Nobody)],
            any::<bool>(),
        )),
    )
        .prop_map(
            |(identity, boundary, session, scp_levels, same_account, resource)| World {
                identity,
                boundary,
                session,
                scp_levels,
                same_account,
                resource,
            },
        )
}

/// AWS's documented evaluation logic for an IAM user, in ten lines.
fn reference(w: &World) -> Decision {
    let denies = [Some(w.identity), w.boundary, w.session].contains(&Some(Stmt::Deny))
        || w.scp_levels
            .as_ref()
            .is_some_and(|l| l.contains(&Stmt::Deny))
        || w.resource
            .is_some_and(|(n, deny)| deny && n != Names::Nobody);
    if denies {
        return Decision::ExplicitDeny;
    }
    if w.scp_levels
        .as_ref()
        .is_some_and(|l| l.iter().any(|s| *s != Stmt::Allow))
    {
        return Decision::ImplicitDeny;
    }
    let gate = |g: Option<Stmt>| g.is_none() || g == Some(Stmt::Allow);
    let identity_ok = w.identity == Stmt::Allow && gate(w.boundary) && gate(w.session);
    let grants_user = w.resource == Some((Names::User, false));
    let grants_acct = w.resource == Some((Names::Root, false));
    let allowed = if w.same_account {
        grants_user || identity_ok
    } else {
        (grants_user || grants_acct) && identity_ok
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn named<'a>(p: &'a Policy, n: &str) -> NamedPolicy<'a> {
    NamedPolicy {
        name: n.into(),
        via: None,
        policy: p,
    }
}

const USER: &str = "arn:aws:iam::111122223333:user/alice";
const RES: &str = "arn:aws:s3:::bucket/key";

fn policy(s: Stmt, kind: PolicyKind, principal: Option<&str>) -> Policy {
    let (effect, action) = match s {
        Stmt::Allow => ("Allow", "s3:GetObject"),
        Stmt::Deny => ("Deny", "s3:GetObject"),
        Stmt::NoMatch | Stmt::None => ("Allow", "s3:PutObject"),
    };
    let p = principal
        .map(|p| format!(r#","Principal":{{"AWS":"{p}"}}"#))
        .unwrap_or_default();
    let src = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"*"{p}}}]}}"#
    );
    Policy::from_json(&json::parse(&src).unwrap(), kind, &JsonPath::root()).unwrap()
}

fn decide(w: &World, tracing: bool) -> (Decision, Vec<String>) {
    let request = Request {
        principal: Principal {
            arn: USER.into(),
            account: AccountId::parse("111122223333"),
            kind: PrincipalKind::User {
                name: "alice".into(),
            },
        },
        action: "s3:GetObject".into(),
        resource: RES.into(),
        resource_account: AccountId::parse(if w.same_account {
            "111122223333"
        } else {
            "444455556666"
        }),
        partition: "aws".into(),
        context: Context::default(),
    };
    let identity =
        (w.identity != Stmt::None).then(|| policy(w.identity, PolicyKind::Identity, None));
    let boundary = w.boundary.map(|s| policy(s, PolicyKind::Identity, None));
    let session = w.session.map(|s| policy(s, PolicyKind::Identity, None));
    let scps: Option<Vec<Policy>> = w.scp_levels.as_ref().map(|l| {
        l.iter()
            .map(|s| policy(*s, PolicyKind::Scp, None))
            .collect()
    });
    let resource = w.resource.map(|(who, deny)| {
        let p = match who {
            Names::User => USER,
            Names::Root => "arn:aws:iam::111122223333:root",
            Names::Nobody => "arn:aws:iam::999999999999:user/nobody",
        };
        policy(
            if deny { Stmt::Deny } else { Stmt::Allow },
            PolicyKind::Resource,
            Some(p),
        )
    });
    let input = AuthzInput {
        request: &request,
        identity: identity.iter().map(|p| named(p, "id")).collect(),
        boundary: boundary.as_ref().map(|p| named(p, "b")),
        session: session.as_ref().map(|p| vec![named(p, "s")]),
        scps: match &scps {
            None => OrgPolicies::NotApplicable("none".into()),
            Some(levels) => OrgPolicies::Levels(
                levels
                    .iter()
                    .enumerate()
                    .map(|(i, p)| OrgLevel {
                        target: format!("ou-{i}"),
                        policies: vec![named(p, "scp")],
                    })
                    .collect(),
            ),
        },
        rcps: OrgPolicies::NotApplicable("none".into()),
        resource_policy: resource.as_ref().map(|p| ResourcePolicy {
            kind: ResourceKind::Generic,
            name: RES.into(),
            policy: p,
        }),
    };
    let r = authorize(&input, tracing);
    (r.decision, r.deciding)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn combining_rule_matches_reference(w in world()) {
        let (traced, deciding_t) = decide(&w, true);
        let (fast, deciding_f) = decide(&w, false);
        prop_assert_eq!(traced, reference(&w), "world {:?}", w);
        prop_assert_eq!(fast, traced);
        prop_assert_eq!(deciding_t, deciding_f);
    }
}

// ---- Conditions: the fast path agrees with the traced path ----

use kmslab_engine::iam::condition::{Condition, Operator};
use kmslab_engine::iam::context::ContextValue;
use kmslab_engine::json::Pos;

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
