//! Plain-language summaries and "what would change the outcome" hints: one test per decision
//! path and per hint kind, each on a small scenario run by the engine, plus the whole corpus.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::trace::{hints, summarize, Hint, HintKind, Summary, Trace};
use kmslab_engine::{parse_scenario, run_scenario, Decision, RunReport};
use std::path::{Path, PathBuf};

fn run(src: &str) -> RunReport {
    let s = parse_scenario(src).unwrap_or_else(|e| panic!("{e}"));
    run_scenario(&s).unwrap_or_else(|e| panic!("{e}"))
}

fn trace<'a>(r: &'a RunReport, id: &str) -> &'a Trace {
    r.steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
        .trace
        .as_ref()
        .unwrap_or_else(|| panic!("step {id} has no trace"))
}

fn explain(r: &RunReport, id: &str) -> (Summary, Vec<Hint>) {
    let t = trace(r, id);
    (summarize(t), hints(t))
}

fn kinds(h: &[Hint]) -> Vec<HintKind> {
    h.iter().map(|h| h.kind).collect()
}

/// IAM paths on S3 and SQS resources.
const IAM: &str = r#"{
  "kmslab": 1,
  "defaults": { "account": "111122223333", "region": "us-east-1", "time": "2026-11-22T12:00:00Z" },
  "organization": {
    "management": "999988887777",
    "accounts": {
      "111122223333": { "name": "prod", "path": ["r-root", "ou-prod"] },
      "444455556666": { "name": "dev", "path": ["r-root", "ou-dev"] },
      "999988887777": { "name": "management", "path": ["r-root"] }
    },
    "scps": [
      { "id": "p-full", "targets": ["r-root", "ou-prod", "111122223333", "444455556666", "999988887777"],
        "document": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "*" } ] } },
      { "id": "p-dev-allowlist", "targets": ["ou-dev"],
        "document": { "Version": "2012-10-17", "Statement": [ { "Sid": "DevS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*" } ] } }
    ]
  },
  "iam": {
    "policies": [
      { "name": "ReadReports", "document": { "Version": "2012-10-17", "Statement": [
        { "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*" } ] } },
      { "name": "FromCorp", "document": { "Version": "2012-10-17", "Statement": [
        { "Sid": "CorpOnly", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
          "Condition": { "IpAddress": { "aws:SourceIp": "203.0.113.0/24" } } } ] } },
      { "name": "NoDeletes", "document": { "Version": "2012-10-17", "Statement": [
        { "Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*" },
        { "Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*" },
        { "Sid": "NoPutWithoutMfa", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
          "Condition": { "BoolIfExists": { "aws:MultiFactorAuthPresent": "false" } } } ] } },
      { "name": "ListOnly", "document": { "Version": "2012-10-17", "Statement": [
        { "Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*" } ] } },
      { "name": "DevAll", "account": "444455556666", "document": { "Version": "2012-10-17", "Statement": [
        { "Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*" } ] } }
    ],
    "users": [
      { "name": "alice", "attached": ["ReadReports"] },
      { "name": "nobody" },
      { "name": "net", "attached": ["FromCorp"] },
      { "name": "ops", "attached": ["NoDeletes"] },
      { "name": "boxed", "attached": ["ReadReports"], "boundary": "ListOnly" },
      { "name": "named" },
      { "name": "dev", "account": "444455556666", "attached": ["DevAll"] }
    ],
    "roles": [
      { "name": "worker", "attached": ["ReadReports"],
        "trust": { "Version": "2012-10-17", "Statement": [
          { "Sid": "AliceOnly", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:user/alice" }, "Action": "sts:AssumeRole" } ] } }
    ]
  },
  "resources": [
    { "arn": "arn:aws:s3:::named", "account": "111122223333", "covers": ["arn:aws:s3:::named/*"],
      "policy": { "Version": "2012-10-17", "Statement": [
        { "Sid": "NamedUser", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:user/named" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::named/*" } ] } },
    { "arn": "arn:aws:s3:::shared", "account": "111122223333", "covers": ["arn:aws:s3:::shared/*"],
      "policy": { "Version": "2012-10-17", "Statement": [
        { "Sid": "Notifications", "Effect": "Allow", "Principal": { "Service": "sns.amazonaws.com" }, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared/*" },
        { "Sid": "WorkerRole", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:role/worker" }, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::shared/*" },
        { "Sid": "DevAccount", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::444455556666:root" }, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*" } ] } }
  ],
  "steps": [
    { "id": "identity-allows", "caller": "arn:aws:iam::111122223333:user/alice", "call": "s3:GetObject", "resource": "arn:aws:s3:::reports/q4.csv" },
    { "id": "no-policy", "caller": "arn:aws:iam::111122223333:user/nobody", "call": "s3:GetObject", "resource": "arn:aws:s3:::reports/q4.csv" },
    { "id": "wrong-resource", "caller": "arn:aws:iam::111122223333:user/alice", "call": "s3:GetObject", "resource": "arn:aws:s3:::other/x" },
    { "id": "wrong-ip", "caller": "arn:aws:iam::111122223333:user/net", "call": "s3:GetObject", "resource": "arn:aws:s3:::reports/q4.csv",
      "context": { "aws:SourceIp": "198.51.100.7" } },
    { "id": "no-ip", "caller": "arn:aws:iam::111122223333:user/net", "call": "s3:GetObject", "resource": "arn:aws:s3:::reports/q4.csv" },
    { "id": "deny", "caller": "arn:aws:iam::111122223333:user/ops", "call": "s3:DeleteObject", "resource": "arn:aws:s3:::reports/q4.csv" },
    { "id": "deny-missing-key", "caller": "arn:aws:iam::111122223333:user/ops", "call": "s3:PutObject", "resource": "arn:aws:s3:::reports/q4.csv" },
    { "id": "boundary", "caller": "arn:aws:iam::111122223333:user/boxed", "call": "s3:GetObject", "resource": "arn:aws:s3:::reports/q4.csv" },
    { "id": "session", "caller": "arn:aws:sts::111122223333:assumed-role/worker/job", "call": "s3:GetObject", "resource": "arn:aws:s3:::reports/q4.csv",
      "session": { "policy": { "Version": "2012-10-17", "Statement": [ { "Sid": "OnlyList", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*" } ] } } },
    { "id": "scp", "caller": "arn:aws:iam::444455556666:user/dev", "call": "sqs:SendMessage", "resource": "arn:aws:sqs:us-east-1:444455556666:jobs" },
    { "id": "resource-names-caller", "caller": "arn:aws:iam::111122223333:user/named", "call": "s3:GetObject", "resource": "arn:aws:s3:::named/a" },
    { "id": "cross-account", "caller": "arn:aws:iam::444455556666:user/dev", "call": "s3:GetObject", "resource": "arn:aws:s3:::named/a" },
    { "id": "service-allowed", "caller": "service:sns.amazonaws.com", "call": "s3:PutObject", "resource": "arn:aws:s3:::shared/n" },
    { "id": "service-denied", "caller": "service:sqs.amazonaws.com", "call": "s3:PutObject", "resource": "arn:aws:s3:::shared/n" },
    { "id": "role-named", "caller": "arn:aws:sts::111122223333:assumed-role/worker/job", "call": "s3:DeleteObject", "resource": "arn:aws:s3:::shared/n" },
    { "id": "cross-account-both", "caller": "arn:aws:iam::444455556666:user/dev", "call": "s3:GetObject", "resource": "arn:aws:s3:::shared/n" },
    { "id": "trust", "caller": "arn:aws:iam::111122223333:user/net", "call": "sts:AssumeRole",
      "input": { "RoleArn": "arn:aws:iam::111122223333:role/worker", "RoleSessionName": "net-session" } }
  ]
}"#;

#[test]
fn identity_allow_names_the_statement() {
    let r = run(IAM);
    let (s, h) = explain(&r, "identity-allows");
    assert_eq!(s.decision, Decision::Allow);
    assert!(s.line().starts_with("Allowed: "), "{}", s.line());
    assert!(s.text.contains("`identity:ReadReports:Read`"), "{}", s.text);
    assert!(h.is_empty(), "{h:?}");
}

#[test]
fn no_identity_policy_says_add_an_allow() {
    let r = run(IAM);
    let (s, h) = explain(&r, "no-policy");
    assert!(
        s.line().starts_with("Denied (implicit deny): "),
        "{}",
        s.line()
    );
    assert!(
        s.text.contains("no identity-based policy allows"),
        "{}",
        s.text
    );
    assert!(s.text.contains("(the caller has none)"), "{}", s.text);
    assert_eq!(kinds(&h), [HintKind::AddAllow]);
    assert!(h[0].text.contains("`s3:GetObject`"), "{}", h[0].text);
}

#[test]
fn resource_mismatch_names_the_closest_statement() {
    let r = run(IAM);
    let (_, h) = explain(&r, "wrong-resource");
    assert_eq!(kinds(&h), [HintKind::ResourceMismatch]);
    assert_eq!(h[0].subject.as_deref(), Some("identity:ReadReports:Read"));
    assert!(h[0].text.contains("arn:aws:s3:::other/x"), "{}", h[0].text);
}

#[test]
fn failed_condition_shows_the_request_value() {
    let r = run(IAM);
    let (_, h) = explain(&r, "wrong-ip");
    assert_eq!(kinds(&h), [HintKind::ConditionFailed]);
    assert_eq!(h[0].subject.as_deref(), Some("identity:FromCorp:CorpOnly"));
    assert_eq!(h[0].key.as_deref(), Some("aws:SourceIp"));
    assert!(h[0].text.contains("`198.51.100.7`"), "{}", h[0].text);
    assert!(h[0].text.contains("`203.0.113.0/24`"), "{}", h[0].text);
}

#[test]
fn missing_context_key_is_named() {
    let r = run(IAM);
    let (_, h) = explain(&r, "no-ip");
    assert_eq!(kinds(&h), [HintKind::MissingContextKey]);
    assert_eq!(h[0].key.as_deref(), Some("aws:SourceIp"));
    assert!(h[0].text.contains("does not have"), "{}", h[0].text);
}

#[test]
fn explicit_deny_names_the_statement_to_change() {
    let r = run(IAM);
    let (s, h) = explain(&r, "deny");
    assert!(
        s.line().starts_with("Denied (explicit deny): "),
        "{}",
        s.line()
    );
    assert!(
        s.text.contains("`identity:NoDeletes:NoDelete` denies"),
        "{}",
        s.text
    );
    assert!(
        s.text.contains("including `identity:NoDeletes:All`"),
        "{}",
        s.text
    );
    assert_eq!(kinds(&h), [HintKind::ChangeDeny]);
    assert_eq!(h[0].subject.as_deref(), Some("identity:NoDeletes:NoDelete"));
    assert!(h[0].text.contains("has no condition"), "{}", h[0].text);
}

#[test]
fn deny_that_holds_on_a_missing_key_says_so() {
    let r = run(IAM);
    let (s, h) = explain(&r, "deny-missing-key");
    assert!(s.text.contains("request: absent"), "{}", s.text);
    assert_eq!(kinds(&h), [HintKind::MissingContextKey]);
    assert_eq!(h[0].key.as_deref(), Some("aws:MultiFactorAuthPresent"));
    assert!(h[0].text.contains("IfExists"), "{}", h[0].text);
}

#[test]
fn boundary_that_does_not_allow() {
    let r = run(IAM);
    let (s, h) = explain(&r, "boundary");
    assert!(
        s.text.contains("permissions boundary does not"),
        "{}",
        s.text
    );
    assert!(s.text.contains("`ListOnly`"), "{}", s.text);
    assert!(s.text.contains("`identity:ReadReports:Read`"), "{}", s.text);
    // The boundary's one statement does not mention the action: add it there.
    assert_eq!(kinds(&h), [HintKind::AddAllow]);
    assert!(h[0].text.contains("permissions boundary"), "{}", h[0].text);
}

#[test]
fn session_policy_that_does_not_allow() {
    let r = run(IAM);
    let (s, h) = explain(&r, "session");
    assert!(s.text.contains("session policies"), "{}", s.text);
    assert_eq!(kinds(&h), [HintKind::AddAllow]);
    assert!(h[0].text.contains("session policies"), "{}", h[0].text);
}

#[test]
fn scp_level_that_does_not_allow() {
    let r = run(IAM);
    let (s, h) = explain(&r, "scp");
    assert!(
        s.text
            .contains("no SCP at `ou-dev` allows `sqs:SendMessage`"),
        "{}",
        s.text
    );
    assert!(
        s.text
            .contains("`identity:DevAll:Everything` does not count"),
        "{}",
        s.text
    );
    assert_eq!(kinds(&h), [HintKind::AddAllow]);
    assert!(h[0].text.contains("`ou-dev`"), "{}", h[0].text);
}

#[test]
fn resource_policy_naming_the_caller() {
    let r = run(IAM);
    let (s, _) = explain(&r, "resource-names-caller");
    assert_eq!(s.decision, Decision::Allow);
    assert!(
        s.text
            .contains("names `arn:aws:iam::111122223333:user/named` directly"),
        "{}",
        s.text
    );
    assert!(s.text.contains("`resource:NamedUser`"), "{}", s.text);
}

#[test]
fn cross_account_without_the_resource_side() {
    let r = run(IAM);
    let (s, h) = explain(&r, "cross-account");
    assert_eq!(s.decision, Decision::ImplicitDeny);
    assert!(s.text.contains("cross-account"), "{}", s.text);
    assert!(
        s.text
            .contains("`identity:DevAll:Everything` is not enough"),
        "{}",
        s.text
    );
    assert_eq!(kinds(&h), [HintKind::PrincipalMismatch]);
    assert_eq!(h[0].subject.as_deref(), Some("resource:NamedUser"));
}

#[test]
fn trust_policy_that_does_not_allow() {
    let r = run(IAM);
    let (s, h) = explain(&r, "trust");
    assert!(s.text.contains("trust policy does not allow"), "{}", s.text);
    assert_eq!(kinds(&h), [HintKind::PrincipalMismatch]);
    assert!(h[0].text.contains("user/net"), "{}", h[0].text);
}

#[test]
fn service_principal_paths() {
    let r = run(IAM);
    let (s, _) = explain(&r, "service-allowed");
    assert_eq!(s.decision, Decision::Allow);
    assert!(
        s.text
            .contains("service principal `service:sns.amazonaws.com`"),
        "{}",
        s.text
    );
    assert!(s.text.contains("`resource:Notifications`"), "{}", s.text);
    let (s, h) = explain(&r, "service-denied");
    assert_eq!(s.decision, Decision::ImplicitDeny);
    assert!(
        s.text.contains("has no identity-based policies"),
        "{}",
        s.text
    );
    assert_eq!(kinds(&h), [HintKind::PrincipalMismatch]);
    assert_eq!(h[0].subject.as_deref(), Some("resource:Notifications"));
}

#[test]
fn resource_policy_naming_the_role() {
    let r = run(IAM);
    let (s, _) = explain(&r, "role-named");
    assert_eq!(s.decision, Decision::Allow);
    assert!(
        s.text
            .contains("names the caller's role (`resource:WorkerRole`)"),
        "{}",
        s.text
    );
}

#[test]
fn cross_account_with_both_sides() {
    let r = run(IAM);
    let (s, h) = explain(&r, "cross-account-both");
    assert_eq!(s.decision, Decision::Allow);
    assert!(s.text.contains("both sides must allow"), "{}", s.text);
    assert!(s.text.contains("`resource:DevAccount`"), "{}", s.text);
    assert!(
        s.text.contains("`identity:DevAll:Everything`"),
        "{}",
        s.text
    );
    assert!(h.is_empty(), "{h:?}");
}

/// KMS paths: delegation, a key policy that ignores IAM, grants, key states.
const KMS: &str = r#"{
  "kmslab": 1,
  "defaults": { "account": "111122223333", "region": "us-east-1", "time": "2026-11-22T12:00:00Z" },
  "grantPropagation": "PT60S",
  "iam": {
    "policies": [
      { "name": "UseKeys", "document": { "Version": "2012-10-17", "Statement": [
        { "Sid": "Crypto", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*" } ] } }
    ],
    "users": [
      { "name": "app", "attached": ["UseKeys"] },
      { "name": "admin" },
      { "name": "granted" },
      { "name": "ec" }
    ]
  },
  "keys": [
    { "id": "11111111-1111-4111-8111-111111111111", "aliases": ["alias/delegating"], "policy": "default" },
    { "id": "22222222-2222-4222-8222-222222222222", "aliases": ["alias/closed"],
      "policy": { "Version": "2012-10-17", "Statement": [
        { "Sid": "AdminOnly", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:user/admin" }, "Action": "kms:*", "Resource": "*" },
        { "Sid": "EcUse", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:user/ec" }, "Action": "kms:Encrypt", "Resource": "*",
          "Condition": { "StringEquals": { "kms:EncryptionContext:app": "billing" } } } ] } },
    { "id": "33333333-3333-4333-8333-333333333333", "aliases": ["alias/off"], "policy": "default", "state": "Disabled" }
  ],
  "grants": [
    { "keyId": "22222222-2222-4222-8222-222222222222", "grantId": "0000000000000000000000000000000000000000000000000000000000000001",
      "grantee": "arn:aws:iam::111122223333:user/granted", "operations": ["Encrypt"] },
    { "keyId": "22222222-2222-4222-8222-222222222222", "grantId": "0000000000000000000000000000000000000000000000000000000000000002",
      "grantee": "arn:aws:iam::111122223333:user/granted", "retiring": "arn:aws:iam::111122223333:user/ec", "operations": ["Decrypt"] }
  ],
  "steps": [
    { "id": "delegated", "caller": "arn:aws:iam::111122223333:user/app", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/delegating", "Plaintext": "aGk=" } },
    { "id": "ignored-iam", "caller": "arn:aws:iam::111122223333:user/app", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/closed", "Plaintext": "aGk=" } },
    { "id": "by-grant", "caller": "arn:aws:iam::111122223333:user/granted", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/closed", "Plaintext": "aGk=" } },
    { "id": "grant-wrong-op", "caller": "arn:aws:iam::111122223333:user/granted", "call": "kms:DescribeKey",
      "input": { "KeyId": "alias/closed" } },
    { "id": "ec-wrong", "caller": "arn:aws:iam::111122223333:user/ec", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/closed", "Plaintext": "aGk=", "EncryptionContext": { "app": "hr" } } },
    { "id": "ec-missing", "caller": "arn:aws:iam::111122223333:user/ec", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/closed", "Plaintext": "aGk=" } },
    { "id": "disabled", "caller": "arn:aws:iam::111122223333:user/app", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/off", "Plaintext": "aGk=" } },
    { "id": "retire", "caller": "arn:aws:iam::111122223333:user/ec", "call": "kms:RetireGrant",
      "input": { "KeyId": "arn:aws:kms:us-east-1:111122223333:key/22222222-2222-4222-8222-222222222222",
                 "GrantId": "0000000000000000000000000000000000000000000000000000000000000002" } },
    { "id": "enc", "caller": "arn:aws:iam::111122223333:user/admin", "call": "kms:Encrypt",
      "input": { "KeyId": "alias/closed", "Plaintext": "aGk=" } },
    { "id": "new-grant", "caller": "arn:aws:iam::111122223333:user/admin", "call": "kms:CreateGrant",
      "input": { "KeyId": "22222222-2222-4222-8222-222222222222", "GranteePrincipal": "arn:aws:iam::111122223333:user/ec", "Operations": ["Decrypt"] } },
    { "id": "too-soon", "caller": "arn:aws:iam::111122223333:user/ec", "call": "kms:Decrypt",
      "input": { "CiphertextBlob": "${enc.CiphertextBlob}" } }
  ]
}"#;

#[test]
fn key_policy_delegation_allows_through_iam() {
    let r = run(KMS);
    let (s, h) = explain(&r, "delegated");
    assert_eq!(s.decision, Decision::Allow);
    assert!(s.text.contains("delegates to the account"), "{}", s.text);
    assert!(s.text.contains("`identity:UseKeys:Crypto`"), "{}", s.text);
    assert!(h.is_empty(), "{h:?}");
}

#[test]
fn the_root_user_is_explained_as_the_root_user() {
    let r = run(r#"{"kmslab": 1,
      "keys": [{"id": "11111111-1111-4111-8111-111111111111", "policy": "default"}],
      "steps": [
        {"id": "iam", "caller": "arn:aws:iam::111122223333:root", "call": "iam:ListUsers"},
        {"id": "kms", "caller": "arn:aws:iam::111122223333:root", "call": "kms:DescribeKey",
         "input": {"KeyId": "11111111-1111-4111-8111-111111111111"}}]}"#);
    // The one-line reason and the summary agree: no identity-based policy is involved.
    let iam = &r.steps[0];
    assert_eq!(iam.decision, Some(Decision::Allow));
    assert_eq!(
        iam.reason,
        "the root user holds every permission of its account, and nothing limits it"
    );
    let (s, _) = explain(&r, "iam");
    assert!(
        s.text.starts_with("the root user holds every permission"),
        "{}",
        s.text
    );
    let kms = &r.steps[1];
    assert_eq!(
        kms.reason,
        "the key policy delegates to the account, and the root user holds every permission of its account"
    );
    let (s, _) = explain(&r, "kms");
    assert!(!s.text.contains("not the caller"), "{}", s.text);
    assert!(
        s.text.contains("the caller is that account's root user"),
        "{}",
        s.text
    );
}

#[test]
fn a_key_policy_naming_the_caller_lists_only_what_names_it() {
    let src = include_str!("../../../scenarios/examples/grants-and-tokens.json");
    let r = run(src);
    let (s, _) = explain(&r, "grant");
    assert!(
        s.text.starts_with("the key policy names `arn:aws:iam::111122223333:user/key-admin` directly (`key-policy:Allow key administration`)."),
        "{}",
        s.text
    );
    assert!(
        s.text.contains("`key-policy:Enable IAM User Permissions` applies too, but it names the account (`arn:aws:iam::111122223333:root`), not the caller"),
        "{}",
        s.text
    );
    // Only the statement that named the caller decided.
    assert_eq!(
        trace(&r, "grant").deciding,
        ["key-policy:Allow key administration"]
    );
}

#[test]
fn the_iam_only_key_note_appears_only_where_a_key_policy_reads_the_key() {
    let r = run(r#"{"kmslab": 1,
      "iam": {"users": [{"name": "u", "inline": {"p": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}}}]},
      "keys": [
        {"id": "11111111-1111-4111-8111-111111111111", "aliases": ["alias/plain"], "policy": "default"},
        {"id": "22222222-2222-4222-8222-222222222222", "aliases": ["alias/reads"], "policy": {
          "Version": "2012-10-17", "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "ByAlias", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/u"}, "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/reads"}}}]}}],
      "steps": [
        {"id": "plain", "caller": "arn:aws:iam::111122223333:user/u", "call": "kms:DescribeKey", "input": {"KeyId": "alias/plain"}},
        {"id": "reads", "caller": "arn:aws:iam::111122223333:user/u", "call": "kms:DescribeKey", "input": {"KeyId": "alias/reads"}}]}"#);
    let note = |id: &str| {
        trace(&r, id)
            .layers
            .iter()
            .find(|l| l.layer == kmslab_engine::trace::Layer::KeyPolicy)
            .and_then(|l| l.note.clone())
    };
    assert_eq!(note("plain"), None);
    assert_eq!(
        note("reads").as_deref(),
        Some("`kms:ResourceAliases` counts in IAM policies only, so the key policy's condition on it finds it absent")
    );
}

#[test]
fn a_generated_key_policy_says_so_and_has_no_line() {
    let r = run(KMS);
    let key_policy = |id: &str| {
        trace(&r, id)
            .layers
            .iter()
            .find(|l| l.layer == kmslab_engine::trace::Layer::KeyPolicy)
            .and_then(|l| l.policies.first())
            .cloned()
            .unwrap()
    };
    // `"policy": "default"`: written by kmslab, nowhere in the document.
    let generated = key_policy("delegated");
    assert_eq!(
        generated.via.as_deref(),
        Some("generated default key policy")
    );
    assert!(generated.statements.iter().all(|s| s.line == 0));
    // A key policy written in the document keeps its lines.
    let written = key_policy("ignored-iam");
    assert_eq!(written.via, None);
    assert!(written.statements.iter().all(|s| s.line > 1), "{written:?}");
}

#[test]
fn key_policy_without_delegation_ignores_the_iam_allow() {
    let r = run(KMS);
    let (s, h) = explain(&r, "ignored-iam");
    assert!(
        s.text.contains("the key policy does not allow the account to use IAM policies, so the IAM allow in `identity:UseKeys:Crypto` was ignored"),
        "{}",
        s.text
    );
    assert!(kinds(&h).contains(&HintKind::DelegateToIam), "{h:?}");
    assert!(kinds(&h).contains(&HintKind::PrincipalMismatch), "{h:?}");
    let d = h
        .iter()
        .find(|h| h.kind == HintKind::DelegateToIam)
        .unwrap();
    assert!(
        d.text.contains("arn:aws:iam::111122223333:root"),
        "{}",
        d.text
    );
}

#[test]
fn grant_that_allows_is_named() {
    let r = run(KMS);
    let (s, h) = explain(&r, "by-grant");
    assert_eq!(s.decision, Decision::Allow);
    assert!(
        s.text.contains("policies alone do not allow it"),
        "{}",
        s.text
    );
    assert!(
        s.text
            .contains("grant `0000000000000000000000000000000000000000000000000000000000000001`"),
        "{}",
        s.text
    );
    assert!(h.is_empty(), "{h:?}");
}

#[test]
fn grant_for_another_operation_is_a_hint() {
    let r = run(KMS);
    let (_, h) = explain(&r, "grant-wrong-op");
    let g = h
        .iter()
        .find(|h| h.kind == HintKind::Grant)
        .expect("grant hint");
    assert!(
        g.text.contains("allows only `Encrypt`, not `DescribeKey`"),
        "{}",
        g.text
    );
}

#[test]
fn key_policy_condition_on_the_encryption_context() {
    let r = run(KMS);
    let (_, h) = explain(&r, "ec-wrong");
    let c = h
        .iter()
        .find(|h| h.kind == HintKind::ConditionFailed)
        .expect("condition hint");
    assert_eq!(c.subject.as_deref(), Some("key-policy:EcUse"));
    assert!(
        c.text.contains("`hr`") && c.text.contains("`billing`"),
        "{}",
        c.text
    );
    let (_, h) = explain(&r, "ec-missing");
    let c = h
        .iter()
        .find(|h| h.kind == HintKind::MissingContextKey)
        .expect("missing key hint");
    assert_eq!(c.key.as_deref(), Some("kms:EncryptionContext:app"));
}

#[test]
fn key_state_refusal_after_authorization() {
    let r = run(KMS);
    let (s, h) = explain(&r, "disabled");
    assert_eq!(s.decision, Decision::Allow);
    assert!(s.refused);
    assert!(
        s.headline.contains("refused by the key state"),
        "{}",
        s.headline
    );
    assert!(s.text.contains("state `Disabled`"), "{}", s.text);
    assert_eq!(kinds(&h), [HintKind::KeyState]);
    assert!(h[0].text.contains("EnableKey"), "{}", h[0].text);
}

#[test]
fn grant_not_yet_propagated() {
    let r = run(KMS);
    let (s, h) = explain(&r, "too-soon");
    assert_eq!(s.decision, Decision::ImplicitDeny);
    assert!(s.text.contains("not propagated"), "{}", s.text);
    let g = h
        .iter()
        .find(|h| h.kind == HintKind::Grant)
        .expect("grant hint");
    assert!(g.text.contains("grant token"), "{}", g.text);
}

#[test]
fn kms_rule_outside_the_policies_is_named() {
    let r = run(KMS);
    let (s, h) = explain(&r, "retire");
    assert_eq!(s.decision, Decision::Allow);
    assert!(
        s.text.contains("policies alone do not allow it"),
        "{}",
        s.text
    );
    assert!(s.text.contains("retiring principal"), "{}", s.text);
    assert!(h.is_empty(), "{h:?}");
}

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            scenario_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Every traced step of the corpus gets a summary that states its decision, and every denied
/// step that the policies decided gets at least one hint.
#[test]
fn every_scenario_step_is_summarized() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    let mut traced = 0;
    for f in &files {
        let s = parse_scenario(&std::fs::read_to_string(f).unwrap()).unwrap();
        let report = run_scenario(&s).unwrap();
        for step in &report.steps {
            let Some(t) = &step.trace else { continue };
            traced += 1;
            let sum = summarize(t);
            let word = match t.decision {
                Decision::Allow => "Allowed",
                Decision::ExplicitDeny => "explicit deny",
                Decision::ImplicitDeny => "implicit deny",
            };
            assert!(
                sum.headline.contains(word) && sum.text.len() > 20,
                "{} step {}: {}",
                f.display(),
                step.id,
                sum.line()
            );
            if t.decision != Decision::Allow {
                assert!(
                    !hints(t).is_empty(),
                    "{} step {}: a denial without hints: {}",
                    f.display(),
                    step.id,
                    sum.line()
                );
            }
        }
    }
    assert!(traced > 300, "only {traced} traced steps");
}
