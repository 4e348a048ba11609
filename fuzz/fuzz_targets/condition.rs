//! Condition evaluation: a policy whose `Condition` block is built from fuzzed operators, keys
//! and values is parsed and evaluated against a fuzzed request context. Parsing may refuse it
//! with an error; evaluation must never panic, and the traced and untraced evaluations (the
//! explanation path and the fast path) must reach the same decision.
#![no_main]

use arbitrary::Arbitrary;
use kmslab_engine::iam::arn::AccountId;
use kmslab_engine::iam::context::{Context, ContextValue, Principal, PrincipalKind, Request};
use kmslab_engine::iam::evaluate::{authorize, AuthzInput, NamedPolicy, OrgPolicies};
use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::json::{self, JsonPath};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

/// Operator names a policy may use, so most inputs reach evaluation; `Other` reaches the
/// unknown-operator path.
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Context keys, so that conditions and the context meet.
const KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SecureTransport",
    "aws:PrincipalArn",
    "aws:PrincipalTag/team",
    "aws:username",
    "aws:TagKeys",
    "kms:EncryptionContext:app",
    "kms:EncryptionContextKeys",
    "kms:ViaService",
    "kms:CallerAccount",
    "aws:MultiFactorAuthAge",
    "s3:prefix",
];

#[derive(Debug, Arbitrary)]
enum Op {
    Known { index: u8, if_exists: bool, set: u8 },
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Key {
    Known(u8),
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Val {
    Str(String),
    Num(i64),
    Float(f64),
    Bool(bool),
    Null,
    List(Vec<String>),
}

#[derive(Debug, Arbitrary)]
struct Cond {
    op: Op,
    key: Key,
    value: Val,
}

#[derive(Debug, Arbitrary)]
struct Input {
    deny: bool,
    conds: Vec<Cond>,
    /// The request's context: keys with one value or with a set.
    context: Vec<(Key, Vec<String>, bool)>,
}

fn key_name(k: &Key) -> String {
    match k {
        Key::Known(i) => KEYS[usize::from(*i) % KEYS.len()].to_string(),
        Key::Other(s) => s.clone(),
    }
}

fn op_name(o: &Op) -> String {
    match o {
        Op::Known {
            index,
            if_exists,
            set,
        } => {
            let base = OPERATORS[usize::from(*index) % OPERATORS.len()];
            let prefix = match set % 3 {
                0 => "",
                1 => "ForAnyValue:",
                _ => "ForAllValues:",
            };
            let suffix = if *if_exists { "IfExists" } else { "" };
            format!("{prefix}{base}{suffix}")
        }
        Op::Other(s) => s.clone(),
    }
}

fn value(v: &Val) -> Value {
    match v {
        Val::Str(s) => json!(s),
        Val::Num(n) => json!(n),
        Val::Float(f) => json!(f),
        Val::Bool(b) => json!(b),
        Val::Null => Value::Null,
        Val::List(l) => json!(l),
    }
}

fuzz_target!(|input: Input| {
    if input.conds.len() > 16 || input.context.len() > 32 {
        return;
    }
    let mut block: Map<String, Value> = Map::new();
    for c in &input.conds {
        let entry = block
            .entry(op_name(&c.op))
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(key_name(&c.key), value(&c.value));
        }
    }
    let doc = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": if input.deny { "Deny" } else { "Allow" },
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": block,
        }]
    });
    let Ok(parsed) = json::parse(&doc.to_string()) else {
        return;
    };
    let Ok(policy) = Policy::from_json(&parsed, PolicyKind::Identity, &JsonPath::root()) else {
        return;
    };
    let mut context = Context::default();
    for (k, values, multi) in &input.context {
        let v = if *multi {
            ContextValue::Multi(values.clone())
        } else {
            ContextValue::Single(values.first().cloned().unwrap_or_default())
        };
        context.insert(&key_name(k), v);
    }
    let request = Request {
        principal: Principal {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            account: AccountId::parse("111122223333"),
            kind: PrincipalKind::User {
                name: "alice".into(),
            },
        },
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::bucket/key".into(),
        resource_account: AccountId::parse("111122223333"),
        partition: "aws".into(),
        context,
    };
    let authz = AuthzInput {
        request: &request,
        identity: vec![NamedPolicy {
            name: "fuzz".into(),
            via: None,
            policy: &policy,
        }],
        boundary: None,
        session: None,
        scps: OrgPolicies::NotApplicable("no organization".into()),
        rcps: OrgPolicies::NotApplicable("no organization".into()),
        resource_policy: None,
    };
    let traced = authorize(&authz, true);
    let fast = authorize(&authz, false);
    assert_eq!(
        traced.decision, fast.decision,
        "traced and untraced decisions differ"
    );
    assert_eq!(
        traced.deciding, fast.deciding,
        "traced and untraced deciding lists differ"
    );
});
