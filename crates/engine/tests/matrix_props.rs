//! Property: in random small worlds (users and roles in two accounts, identity policies,
//! boundaries, key policies with principals, NotPrincipal, NotAction and conditions, tags,
//! aliases, key states, grants with and without constraints, an SCP, encryption-context
//! conditions), with and without an encryption context, every cell of the access matrix equals
//! the full authorization path for it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::matrix::{access_matrix, check_cell_with, MatrixOptions};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const A: &str = "111122223333";
const B: &str = "444455556666";
const KEYS: [&str; 3] = [
    "11111111-aaaa-4bbb-8ccc-dddddddddddd",
    "22222222-aaaa-4bbb-8ccc-dddddddddddd",
    "33333333-aaaa-4bbb-8ccc-dddddddddddd",
];

fn actions() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!("kms:*"),
        json!("kms:Encrypt"),
        json!(["kms:Decrypt", "kms:ReEncrypt*"]),
        json!("kms:Describe*"),
        json!(["kms:Create*", "kms:Disable*", "kms:ScheduleKeyDeletion"]),
        json!("kms:*Grant*"),
        json!("*"),
    ])
}

fn conditions() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop::sample::select(vec![
        json!({ "StringEquals": { "aws:ResourceTag/team": "red" } }),
        json!({ "StringEquals": { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } }),
        json!({ "StringEquals": { "kms:CallerAccount": A } }),
        json!({ "Null": { "kms:ResourceAliases": "false" } }),
        json!({ "ForAnyValue:StringLike": { "kms:ResourceAliases": "alias/app*" } }),
        json!({ "Bool": { "kms:GrantIsForAWSResource": "true" } }),
        json!({ "NotIpAddress": { "aws:SourceIp": "10.0.0.0/8" } }),
        json!({ "StringNotEqualsIfExists": { "aws:PrincipalTag/team": "blue" } }),
        json!({ "ArnLike": { "aws:PrincipalArn": format!("arn:aws:iam::{A}:role/*") } }),
        json!({ "StringEquals": { "kms:EncryptionContext:app": "x" } }),
        json!({ "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["app"] } }),
        json!({ "Null": { "kms:EncryptionContextKeys": "true" } }),
        json!({ "StringEquals": { "aws:ResourceTag/team": "${kms:EncryptionContext:team}" } }),
    ]))
}

fn identity_statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        any::<bool>(),
        actions(),
        prop::sample::select(vec![
            json!("*"),
            json!(format!("arn:aws:kms:us-east-1:{A}:key/*")),
            json!(format!("arn:aws:kms:us-east-1:{B}:key/{}", KEYS[2])),
        ]),
        conditions(),
    )
        .prop_map(|(deny, not_action, act, res, cond)| {
            let mut s = json!({ "Effect": if deny { "Deny" } else { "Allow" }, "Resource": res });
            s[if not_action { "NotAction" } else { "Action" }] = act;
            if let Some(c) = cond {
                s["Condition"] = c;
            }
            s
        })
}

fn principal() -> impl Strategy<Value = (bool, Value)> {
    prop::sample::select(vec![
        (false, json!({ "AWS": format!("arn:aws:iam::{A}:root") })),
        (false, json!({ "AWS": B })),
        (false, json!("*")),
        (false, json!({ "AWS": format!("arn:aws:iam::{A}:user/u0") })),
        (false, json!({ "AWS": format!("arn:aws:iam::{A}:role/r0") })),
        (
            true,
            json!({ "AWS": [format!("arn:aws:iam::{A}:root"), format!("arn:aws:iam::{A}:user/u1")] }),
        ),
    ])
}

fn key_statement() -> impl Strategy<Value = Value> {
    (any::<bool>(), principal(), actions(), conditions()).prop_map(
        |(deny, (not_principal, p), act, cond)| {
            let mut s = json!({ "Effect": if deny { "Deny" } else { "Allow" }, "Action": act, "Resource": "*" });
            s[if not_principal { "NotPrincipal" } else { "Principal" }] = p;
            if let Some(c) = cond {
                s["Condition"] = c;
            }
            s
        },
    )
}

fn doc(statements: Vec<Value>) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

prop_compose! {
    fn world()(
        identity in prop::collection::vec(prop::collection::vec(identity_statement(), 1..3), 3),
        boundary in any::<bool>(),
        key_policies in prop::collection::vec(prop::option::of(prop::collection::vec(key_statement(), 1..4)), 3),
        states in prop::collection::vec(prop::sample::select(vec!["Enabled", "Enabled", "Disabled", "PendingImport"]), 3),
        teams in prop::collection::vec(prop::sample::select(vec!["red", "blue"]), 6),
        grants in prop::collection::vec((0usize..3, prop::sample::select(vec!["u0", "u1", "r0"]), 0u8..3), 0..3),
        scp in any::<bool>(),
    ) -> String {
        let users: Vec<Value> = (0..2).map(|i| json!({
            "name": format!("u{i}"), "inline": { "p": doc(identity[i].clone()) },
            "tags": { "team": teams[i] },
            "boundary": if boundary && i == 1 { json!("Boundary") } else { Value::Null },
        })).map(|mut u| { if u["boundary"].is_null() { u.as_object_mut().unwrap().remove("boundary"); } u }).collect();
        let mut all_users = users;
        all_users.push(json!({ "name": "ext", "account": B, "inline": { "p": doc(identity[2].clone()) } }));
        let keys: Vec<Value> = (0..3).map(|i| {
            let account = if i == 2 { B } else { A };
            let mut k = json!({ "id": KEYS[i], "account": account,
                "policy": key_policies[i].clone().map_or(json!("default"), doc),
                "tags": { "team": teams[3 + i] } });
            if states[i] == "PendingImport" {
                k["origin"] = json!("EXTERNAL");
            }
            k["state"] = json!(states[i]);
            if i == 0 {
                k["aliases"] = json!(["alias/app-one"]);
            }
            k
        }).collect();
        let grants: Vec<Value> = grants.iter().map(|(k, who, constrained)| {
            let grantee = if *who == "r0" { format!("arn:aws:iam::{A}:role/r0") } else { format!("arn:aws:iam::{A}:user/{who}") };
            let mut g = json!({ "keyId": KEYS[*k], "grantee": grantee, "operations": ["Decrypt", "Encrypt", "DescribeKey", "CreateGrant"],
                                "issuingAccount": if *k == 2 { B } else { A } });
            match constrained {
                1 => g["constraints"] = json!({ "encryptionContextSubset": { "app": "x" } }),
                2 => g["constraints"] = json!({ "encryptionContextEquals": { "app": "x" } }),
                _ => {}
            }
            g
        }).collect();
        let mut s = json!({
            "kmslab": 1,
            "defaults": { "account": A, "region": "us-east-1", "time": "2026-11-22T12:00:00Z" },
            "iam": {
                "policies": [{ "name": "Boundary", "document": doc(vec![json!({ "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Describe*"], "Resource": "*" })]) }],
                "users": all_users,
                "roles": [{ "name": "r0", "trust": doc(vec![json!({ "Effect": "Allow", "Principal": { "AWS": A }, "Action": "sts:AssumeRole" })]),
                            "inline": { "p": doc(identity[0].clone()) }, "tags": { "team": "red" } }]
            },
            "keys": keys,
            "grants": grants,
            "steps": []
        });
        if scp {
            s["organization"] = json!({ "management": "999988887777",
                "accounts": { A: { "name": "a", "path": ["r-root"] }, B: { "name": "b", "path": ["r-root"] } },
                "scps": [{ "id": "p-all", "targets": ["r-root"], "document": doc(vec![json!({ "Effect": "Allow", "NotAction": "kms:ScheduleKeyDeletion", "Resource": "*" })]) }] });
        }
        s.to_string()
    }
}

/// None, or one that meets or misses the conditions and constraints above.
fn encryption_context() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::sample::select(vec![
        vec![],
        vec![("app", "x")],
        vec![("app", "y")],
        vec![("app", "x"), ("team", "red")],
        vec![("team", "blue")],
    ])
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_cell_equals_the_full_path(src in world(), ec in encryption_context()) {
        let s = kmslab_engine::parse_scenario(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        let opts = MatrixOptions { encryption_context: ec, ..MatrixOptions::default() };
        let m = access_matrix(&s, &opts).unwrap();
        prop_assert!(m.principals.len() >= 5);
        for (p, pr) in m.principals.iter().enumerate() {
            for (k, key) in m.keys.iter().enumerate() {
                for (o, op) in m.operations.iter().enumerate() {
                    let c = m.cell(p, k, o).unwrap();
                    let full = check_cell_with(&s, &opts, &pr.arn, &key.id, op).unwrap();
                    let cell = format!("{} x {} x {op}", pr.arn, key.id);
                    prop_assert_eq!(c.decision, full.decision, "{}: decision", cell);
                    prop_assert_eq!(c.via, full.via, "{}: via", cell);
                    prop_assert_eq!(c.state_error, full.state_error, "{}: state", cell);
                    prop_assert_eq!(m.reason(&c), full.deciding.join(", "), "{}: deciding", cell);
                }
            }
        }
    }
}
