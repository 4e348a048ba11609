//! Benchmarks: authorization per request (realistic world, with and without the trace), a
//! whole one-step scenario run of the same world, an adversarial 32 KB policy (with and
//! without the trace), the example scenario parsed and run, and a 4 KiB KMS Encrypt end to end.
//! `scripts/bench.sh` runs them and writes the figures into `docs/benchmarks.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion};
use kmslab_engine::iam::arn::AccountId;
use kmslab_engine::iam::context::{Context, Principal, PrincipalKind, Request};
use kmslab_engine::iam::evaluate::{
    authorize, AuthzInput, NamedPolicy, OrgPolicies, ResourceKind, ResourcePolicy,
};
use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::json::{self, JsonPath};
use std::hint::black_box;

fn parse(src: &str, kind: PolicyKind) -> Policy {
    Policy::from_json(&json::parse(src).unwrap(), kind, &JsonPath::root()).unwrap()
}

/// The documents of ten identity policies with five statements each (50 statements),
/// conditions throughout; the request matches one statement near the end.
fn realistic_documents() -> Vec<String> {
    (0..10)
        .map(|p| {
            let stmts: Vec<String> = (0..5)
                .map(|s| {
                    let n = p * 5 + s;
                    format!(
                        r#"{{"Sid":"S{n}","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","s3:Get*"],
                        "Resource":"arn:aws:kms:us-east-1:111122223333:key/{n:08}-aaaa-bbbb-cccc-dddddddddddd",
                        "Condition":{{"StringEquals":{{"kms:EncryptionContext:app":"app-{n}"}},
                                     "IpAddress":{{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}},
                                     "StringLike":{{"aws:PrincipalTag/team":"team-*"}},
                                     "Bool":{{"aws:SecureTransport":"true"}},
                                     "DateLessThan":{{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}}}"#
                    )
                })
                .collect();
            format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, stmts.join(","))
        })
        .collect()
}

fn realistic_policies() -> Vec<Policy> {
    realistic_documents()
        .iter()
        .map(|d| parse(d, PolicyKind::Identity))
        .collect()
}

/// The same world as a scenario: user `alice` (tagged `team=team-red`) with the ten policies
/// attached, the key whose default key policy delegates to IAM, and one `kms:Encrypt` step
/// with the encryption context and request context the matching statement asks for.
fn realistic_one_step_scenario() -> String {
    let policies: Vec<String> = realistic_documents()
        .iter()
        .enumerate()
        .map(|(i, d)| format!(r#"{{"name":"P{i}","document":{d}}}"#))
        .collect();
    let names: Vec<String> = (0..10).map(|i| format!(r#""P{i}""#)).collect();
    format!(
        r#"{{"kmslab":1,"defaults":{{"account":"111122223333","region":"us-east-1","time":"2026-11-22T12:00:00Z"}},
           "iam":{{"policies":[{}],
                  "users":[{{"name":"alice","attached":[{}],"tags":{{"team":"team-red"}}}}]}},
           "keys":[{{"id":"00000047-aaaa-bbbb-cccc-dddddddddddd","policy":"default"}}],
           "steps":[{{"caller":"arn:aws:iam::111122223333:user/alice","call":"kms:Encrypt",
             "input":{{"KeyId":"00000047-aaaa-bbbb-cccc-dddddddddddd","Plaintext":"aGVsbG8=","EncryptionContext":{{"app":"app-47"}}}},
             "context":{{"aws:SourceIp":"203.0.113.10","aws:SecureTransport":"true"}},
             "expect":{{"decision":"Allow","deciding":["key-policy:Enable IAM User Permissions","identity:P9:S47"]}}}}]}}"#,
        policies.join(","),
        names.join(",")
    )
}

fn request(resource: &str) -> Request {
    let mut context = Context::default();
    for (k, v) in [
        ("aws:SourceIp", "203.0.113.10"),
        ("aws:PrincipalTag/team", "team-red"),
        ("aws:SecureTransport", "true"),
        ("aws:CurrentTime", "2026-11-22T12:00:00Z"),
        ("kms:EncryptionContext:app", "app-47"),
        ("aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice"),
        ("kms:CallerAccount", "111122223333"),
    ] {
        context.insert_single(k, v);
    }
    Request {
        principal: Principal {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            account: AccountId::parse("111122223333"),
            kind: PrincipalKind::User {
                name: "alice".into(),
            },
        },
        action: "kms:Decrypt".into(),
        resource: resource.into(),
        resource_account: AccountId::parse("111122223333"),
        partition: "aws".into(),
        context,
    }
}

fn bench_authorize(c: &mut Criterion) {
    let policies = realistic_policies();
    let key_policy = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#,
        PolicyKind::Resource,
    );
    let resource = "arn:aws:kms:us-east-1:111122223333:key/00000047-aaaa-bbbb-cccc-dddddddddddd";
    let req = request(resource);
    let input = AuthzInput {
        request: &req,
        identity: policies
            .iter()
            .enumerate()
            .map(|(i, p)| NamedPolicy {
                name: format!("P{i}"),
                via: None,
                policy: p,
            })
            .collect(),
        boundary: None,
        session: None,
        scps: OrgPolicies::NotApplicable("bench".into()),
        rcps: OrgPolicies::NotApplicable("bench".into()),
        resource_policy: Some(ResourcePolicy {
            kind: ResourceKind::KmsKey,
            name: resource.into(),
            policy: &key_policy,
        }),
    };
    assert_eq!(
        authorize(&input, false).decision,
        kmslab_engine::Decision::Allow
    );
    c.bench_function("authorize_realistic_no_trace", |b| {
        b.iter(|| authorize(black_box(&input), false))
    });
    c.bench_function("authorize_realistic_traced", |b| {
        b.iter(|| authorize(black_box(&input), true))
    });

    // Profile hint: the same world with the `Condition` blocks removed, so the difference to
    // `authorize_realistic_no_trace` is the cost of evaluating conditions.
    let bare: Vec<Policy> = realistic_documents()
        .iter()
        .map(|d| {
            let mut v: serde_json::Value = serde_json::from_str(d).unwrap();
            for st in v["Statement"].as_array_mut().unwrap() {
                st.as_object_mut().unwrap().remove("Condition");
            }
            parse(&v.to_string(), PolicyKind::Identity)
        })
        .collect();
    let bare_input = AuthzInput {
        identity: bare
            .iter()
            .enumerate()
            .map(|(i, p)| NamedPolicy {
                name: format!("P{i}"),
                via: None,
                policy: p,
            })
            .collect(),
        ..input.clone()
    };
    assert_eq!(
        authorize(&bare_input, false).decision,
        kmslab_engine::Decision::Allow
    );
    c.bench_function("authorize_realistic_no_conditions_no_trace", |b| {
        b.iter(|| authorize(black_box(&bare_input), false))
    });

    // An adversarial policy of about 32 KB: patterns built to make a backtracking matcher blow
    // up, against long request values.
    let evil_pat = format!("{}b", "*a".repeat(60));
    let stmts: Vec<String> = (0..62)
        .map(|i| {
            format!(
                r#"{{"Sid":"E{i}","Effect":"Allow","Action":"kms:{evil_pat}","Resource":"arn:aws:kms:*:*:key/{evil_pat}","Condition":{{"StringLike":{{"aws:PrincipalTag/team":"{evil_pat}"}}}}}}"#
            )
        })
        .collect();
    let evil_src = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    );
    assert!(
        evil_src.len() > 28_000 && evil_src.len() <= 32_768,
        "adversarial policy is {} bytes",
        evil_src.len()
    );
    let evil = parse(&evil_src, PolicyKind::Identity);
    let long = "a".repeat(2000);
    let mut evil_req = request(&format!("arn:aws:kms:us-east-1:111122223333:key/{long}"));
    evil_req.action = format!("kms:{long}");
    evil_req
        .context
        .insert_single("aws:PrincipalTag/team", long.clone());
    let evil_input = AuthzInput {
        request: &evil_req,
        identity: vec![NamedPolicy {
            name: "Evil".into(),
            via: None,
            policy: &evil,
        }],
        boundary: None,
        session: None,
        scps: OrgPolicies::NotApplicable("bench".into()),
        rcps: OrgPolicies::NotApplicable("bench".into()),
        resource_policy: None,
    };
    c.bench_function("authorize_adversarial_32kb", |b| {
        b.iter(|| authorize(black_box(&evil_input), true))
    });
    c.bench_function("authorize_adversarial_32kb_no_trace", |b| {
        b.iter(|| authorize(black_box(&evil_input), false))
    });
}

fn bench_scenarios(c: &mut Criterion) {
    let src = include_str!("../../../scenarios/examples/nps-least-privilege.json");
    let s = kmslab_engine::parse_scenario(src).unwrap();
    c.bench_function("parse_scenario_example", |b| {
        b.iter(|| kmslab_engine::parse_scenario(black_box(src)).unwrap())
    });
    c.bench_function("run_scenario_example_5_steps", |b| {
        b.iter(|| kmslab_engine::run_scenario(black_box(&s)).unwrap())
    });

    let one_src = realistic_one_step_scenario();
    let one = kmslab_engine::parse_scenario(&one_src).unwrap();
    let r = kmslab_engine::run_scenario(&one).unwrap();
    assert_eq!(
        r.passed, 1,
        "the one-step scenario must pass: {:?}",
        r.steps
    );
    c.bench_function("run_scenario_one_step_realistic", |b| {
        b.iter(|| kmslab_engine::run_scenario(black_box(&one)).unwrap())
    });

    let plaintext = base64_4k();
    let enc_src = format!(
        r#"{{"kmslab":1,"iam":{{"policies":[{{"name":"P","document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}]}}}}],
           "users":[{{"name":"u","attached":["P"]}}]}},
           "keys":[{{"id":"1234abcd-12ab-34cd-56ef-1234567890ab"}}],
           "steps":[{{"caller":"arn:aws:iam::111122223333:user/u","call":"kms:Encrypt",
             "input":{{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","Plaintext":"{plaintext}","EncryptionContext":{{"app":"bench"}}}},
             "expect":{{"error":null}}}}]}}"#
    );
    let enc = kmslab_engine::parse_scenario(&enc_src).unwrap();
    let r = kmslab_engine::run_scenario(&enc).unwrap();
    assert_eq!(r.passed, 1, "the Encrypt step must succeed");
    c.bench_function("kms_encrypt_4kib_end_to_end", |b| {
        b.iter(|| kmslab_engine::run_scenario(black_box(&enc)).unwrap())
    });
}

/// An Encrypt then a Decrypt of 4 KiB under a key in an external key store: both calls go
/// through the simulated XKS proxy (SigV4-signed request, proxy-side authorization, the
/// double encryption of ciphertext format v2), so this is the XKS round trip end to end.
fn bench_xks(c: &mut Criterion) {
    let plaintext = base64_4k();
    let src = format!(
        r#"{{"kmslab":1,"defaults":{{"account":"111122223333","time":"2026-11-22T12:00:00Z"}},
          "keyStores":[{{"id":"cks-abcdef01234567890","name":"ext-store","type":"EXTERNAL_KEY_STORE","connectionState":"CONNECTED",
            "proxy":{{"uriEndpoint":"https://xks.example.com","uriPath":"/example/kms/xks/v1",
              "credential":{{"accessKeyId":"ABCDEFGHIJKLMNOPQRSTUVWXYZ","secret":"R2VoZWltbmlzR2VoZWltbmlzR2VoZWltbmlzR2VoZWltbmlz"}},
              "externalKeys":[{{"id":"ext-key-1","status":"ENABLED","usage":["ENCRYPT","DECRYPT"]}}]}}}}],
          "keys":[{{"id":"1234abcd-12ab-34cd-56ef-1234567890ab","aliases":["alias/xks"],"origin":"EXTERNAL_KEY_STORE",
            "keyStore":"cks-abcdef01234567890","externalKeyId":"ext-key-1"}}],
          "steps":[
            {{"id":"enc","caller":"arn:aws:iam::111122223333:root","call":"kms:Encrypt",
              "input":{{"KeyId":"alias/xks","Plaintext":"{plaintext}"}},"expect":{{"error":null}}}},
            {{"caller":"arn:aws:iam::111122223333:root","call":"kms:Decrypt",
              "input":{{"CiphertextBlob":"${{enc.CiphertextBlob}}"}},"expect":{{"error":null,"output":{{"Plaintext":"{plaintext}"}}}}}}]}}"#
    );
    let s = kmslab_engine::parse_scenario(&src).unwrap();
    let r = kmslab_engine::run_scenario(&s).unwrap();
    assert_eq!(r.passed, 2, "both XKS steps must succeed: {:?}", r.steps);
    assert!(
        r.steps.iter().all(|st| st.proxy_calls.len() == 1),
        "each call goes through the proxy"
    );
    c.bench_function("xks_encrypt_decrypt_4kib_round_trip", |b| {
        b.iter(|| kmslab_engine::run_scenario(black_box(&s)).unwrap())
    });
}

fn base64_4k() -> String {
    // 4096 bytes of 0x61 ('a') in base64.
    "YWFh".repeat(1365) + "YQ=="
}

criterion_group!(benches, bench_authorize, bench_scenarios, bench_xks);
criterion_main!(benches);
