//! Access Analyzer-like lints on policy fixtures: each lint fires on the policy that has the
//! problem, at its JSON path and line:column, and stays quiet on the corrected policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::json::{parse, JsonPath};
use kmslab_engine::lint::{
    check_key_policy_text, check_policy_text, lint_key_policy, lint_policy, lint_scenario, Finding,
    Severity,
};
use kmslab_engine::parse_scenario;

fn lint(src: &str, kind: PolicyKind) -> Vec<Finding> {
    let p = Policy::from_json(&parse(src).unwrap(), kind, &JsonPath::root()).unwrap();
    let mut out = Vec::new();
    lint_policy(&p, "p", &JsonPath::root(), &mut out);
    out
}

fn lint_key(src: &str) -> Vec<Finding> {
    let p = Policy::from_json(
        &parse(src).unwrap(),
        PolicyKind::Resource,
        &JsonPath::root(),
    )
    .unwrap();
    let mut out = Vec::new();
    lint_key_policy(&p, "key k", &JsonPath::root(), &mut out);
    out
}

fn find<'a>(f: &'a [Finding], code: &str) -> Option<&'a Finding> {
    f.iter().find(|x| x.code == code)
}

fn has(f: &[Finding], code: &str) -> bool {
    find(f, code).is_some()
}

/// An identity policy with one statement and the given condition block.
fn with_condition(action: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"S","Effect":"Allow","Action":"{action}","Resource":"*","Condition":{condition}}}]}}"#
    )
}

#[test]
fn null_with_ifexists_has_its_own_code_and_location() {
    let src = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\n  \"Condition\":{\"NullIfExists\":{\n    \"aws:SourceIp\":\"false\"}}}}";
    let f = lint(src, PolicyKind::Identity);
    let n = find(&f, "null-with-ifexists").expect("null-with-ifexists");
    assert_eq!(n.severity, Severity::Error);
    assert_eq!(
        n.path,
        "$.Statement.Condition.NullIfExists[\"aws:SourceIp\"]"
    );
    assert_eq!((n.pos.line, n.pos.column), (3, 5));
    assert!(n.message.contains("`NullIfExists`"), "{}", n.message);
    assert!(!has(&f, "unknown-operator"), "{f:?}");
    // Any other unknown operator keeps the generic code.
    let f = lint(
        &with_condition("s3:GetObject", r#"{"StringEqual":{"aws:username":"a"}}"#),
        PolicyKind::Identity,
    );
    assert!(has(&f, "unknown-operator") && !has(&f, "null-with-ifexists"));
}

#[test]
fn ifexists_combined_with_null_on_the_same_key() {
    let absent = with_condition(
        "s3:GetObject",
        r#"{"StringEqualsIfExists":{"aws:RequestTag/env":"prod"},"Null":{"aws:RequestTag/env":"true"}}"#,
    );
    let f = lint(&absent, PolicyKind::Identity);
    let n = find(&f, "ifexists-with-null-check").expect("warning");
    assert_eq!(n.severity, Severity::Warning);
    assert!(
        n.path
            .ends_with("StringEqualsIfExists[\"aws:RequestTag/env\"]"),
        "{}",
        n.path
    );
    let present = absent.replace(r#""true""#, r#""false""#);
    let f = lint(&present, PolicyKind::Identity);
    assert_eq!(
        find(&f, "ifexists-with-null-check").map(|n| n.severity),
        Some(Severity::Suggestion)
    );
    let other_key = absent.replace(
        r#""Null":{"aws:RequestTag/env""#,
        r#""Null":{"aws:RequestTag/team""#,
    );
    assert!(!has(
        &lint(&other_key, PolicyKind::Identity),
        "ifexists-with-null-check"
    ));
}

#[test]
fn forallvalues_on_an_encryption_context_pair_is_refused() {
    let f = lint(
        &with_condition(
            "kms:Decrypt",
            r#"{"ForAllValues:StringEquals":{"kms:EncryptionContext:Department":"IT"}}"#,
        ),
        PolicyKind::Identity,
    );
    let e = find(&f, "forallvalues-on-single-valued-key").expect("error");
    assert_eq!(e.severity, Severity::Error);
    assert!(
        e.message.contains("OverlyPermissiveCondition"),
        "{}",
        e.message
    );
    let f = lint(
        &with_condition(
            "kms:Decrypt",
            r#"{"StringEquals":{"kms:EncryptionContext:Department":"IT"}}"#,
        ),
        PolicyKind::Identity,
    );
    assert!(!has(&f, "forallvalues-on-single-valued-key"), "{f:?}");
}

#[test]
fn forallvalues_guards_that_aws_documents() {
    let bare = r#"{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName"]}}"#;
    assert!(has(
        &lint(&with_condition("kms:Decrypt", bare), PolicyKind::Identity),
        "forallvalues-without-null-guard"
    ));
    // The KMS guide's pairing: a required encryption context pair fails without a context.
    let paired = r#"{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["AppName"]},"StringEquals":{"kms:EncryptionContext:AppName":"ExampleApp"}}"#;
    assert!(!has(
        &lint(&with_condition("kms:Decrypt", paired), PolicyKind::Identity),
        "forallvalues-without-null-guard"
    ));
    // ForAnyValue on the same key requires at least one value.
    let any = r#"{"ForAllValues:StringLike":{"kms:ResourceAliases":"alias/*Test*"},"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/*Test*"}}"#;
    assert!(!has(
        &lint(&with_condition("kms:EnableKey", any), PolicyKind::Identity),
        "forallvalues-without-null-guard"
    ));
}

#[test]
fn via_service_names_need_a_region() {
    for bad in [
        "ec2.amazonaws.com",
        "EC2.us-east-1.amazonaws.com",
        "ec2.us-east-1.amazonaws.com.cn",
        "ec2.useast1.amazonaws.com",
    ] {
        let f = lint(
            &with_condition(
                "kms:Decrypt",
                &format!(r#"{{"StringEquals":{{"kms:ViaService":"{bad}"}}}}"#),
            ),
            PolicyKind::Identity,
        );
        let v = find(&f, "viaservice-malformed").unwrap_or_else(|| panic!("{bad}: {f:?}"));
        assert!(v.message.contains(&format!("`{bad}`")), "{}", v.message);
    }
    for good in [
        "ec2.us-east-1.amazonaws.com",
        "rds.us-gov-west-1.amazonaws.com",
        "*.us-west-2.amazonaws.com",
    ] {
        let f = lint(
            &with_condition(
                "kms:Decrypt",
                &format!(r#"{{"StringLike":{{"kms:ViaService":"{good}"}}}}"#),
            ),
            PolicyKind::Identity,
        );
        assert!(!has(&f, "viaservice-malformed"), "{good}: {f:?}");
    }
}

#[test]
fn grant_condition_keys_need_a_grant_action() {
    let cond = r#"{"ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt"]},"Null":{"kms:GrantOperations":"false"}}"#;
    let f = lint(&with_condition("kms:Decrypt", cond), PolicyKind::Identity);
    let w = find(&f, "condition-key-not-in-request").expect("warning");
    assert!(w.message.contains("`CreateGrant`"), "{}", w.message);
    for action in ["kms:CreateGrant", "kms:*", "kms:Create*"] {
        assert!(
            !has(
                &lint(&with_condition(action, cond), PolicyKind::Identity),
                "condition-key-not-in-request"
            ),
            "{action}"
        );
    }
    let not_action = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"kms:CreateGrant","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:GrantOperations":"Decrypt"}}}]}"#;
    assert!(has(
        &lint(not_action, PolicyKind::Identity),
        "condition-key-not-in-request"
    ));
    // kms:GrantIsForAWSResource is also in ListGrants and RevokeGrant requests.
    let list = with_condition(
        "kms:ListGrants",
        r#"{"Bool":{"kms:GrantIsForAWSResource":"true"}}"#,
    );
    assert!(!has(
        &lint(&list, PolicyKind::Identity),
        "condition-key-not-in-request"
    ));
}

#[test]
fn key_policies_never_see_resource_aliases() {
    let src = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*",
        "Condition":{"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/finance"}}}]}"#;
    assert!(has(&lint_key(src), "iam-only-key-in-key-policy"));
    assert!(!has(
        &lint(src, PolicyKind::Resource),
        "iam-only-key-in-key-policy"
    ));
    // The key policy editor's text check has the key-policy findings too.
    let f = check_key_policy_text(src, "key k").findings;
    let w = find(&f, "iam-only-key-in-key-policy").expect("finding");
    assert_eq!(w.pos.line, 2);
    let plain = check_policy_text(src, PolicyKind::Resource, "b").findings;
    assert!(!has(&plain, "iam-only-key-in-key-policy"));
}

#[test]
fn every_kms_action_for_a_principal_that_is_not_an_admin() {
    let src = |who: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"All","Effect":"Allow","Principal":{{"AWS":"{who}"}},"Action":"kms:*","Resource":"*"}}]}}"#
        )
    };
    let f = lint_key(&src("arn:aws:iam::111122223333:role/app"));
    let w = find(&f, "kms-star-for-non-admin").expect("warning");
    assert_eq!(w.path, "$.Statement.Action");
    assert!(
        w.message.contains("`arn:aws:iam::111122223333:role/app`"),
        "{}",
        w.message
    );
    for ok in [
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:role/KeyAdmin",
        "111122223333",
    ] {
        assert!(!has(&lint_key(&src(ok)), "kms-star-for-non-admin"), "{ok}");
    }
}

#[test]
fn deny_with_notaction_and_notresource() {
    let src = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Fence","Effect":"Deny","NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::public/*"}]}"#;
    let f = lint(src, PolicyKind::Identity);
    let w = find(&f, "deny-notaction-notresource").expect("warning");
    assert_eq!(w.path, "$.Statement.NotAction");
    let one_negation = src.replace("NotResource", "Resource");
    assert!(!has(
        &lint(&one_negation, PolicyKind::Identity),
        "deny-notaction-notresource"
    ));
}

#[test]
fn policy_text_check_reports_new_lints_with_positions() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\",\n    \"Condition\": {\"StringEquals\": {\"kms:ViaService\": \"ec2.amazonaws.com\"}}\n  }]\n}";
    let c = check_policy_text(text, PolicyKind::Identity, "p");
    let f = find(&c.findings, "viaservice-malformed").expect("finding");
    assert_eq!(f.pos.line, 5);
}

const LOCKOUT: &str = r#"{
  "kmslab": 1,
  "defaults": { "account": "111122223333", "time": "2026-11-22T12:00:00Z" },
  "iam": {
    "policies": [
      { "name": "Everything", "document": { "Version": "2012-10-17", "Statement": [ { "Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*" } ] } }
    ],
    "users": [ { "name": "app" }, { "name": "key-admin" } ],
    "roles": [ { "name": "ops", "attached": ["Everything"] } ]
  },
  "keys": [
    { "id": "11111111-1111-4111-8111-111111111111", "policy": { "Version": "2012-10-17", "Statement": [
      { "Sid": "UseOnly", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:user/app" }, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*" } ] } },
    { "id": "22222222-2222-4222-8222-222222222222", "policy": { "Version": "2012-10-17", "Statement": [
      { "Sid": "Admin", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:user/key-admin" }, "Action": "kms:PutKeyPolicy", "Resource": "*" } ] } },
    { "id": "33333333-3333-4333-8333-333333333333", "policy": { "Version": "2012-10-17", "Statement": [
      { "Sid": "Delegate", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
      { "Sid": "NobodyChangesIt", "Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*" } ] } }
  ],
  "steps": []
}"#;

#[test]
fn key_policy_lockout_is_the_safety_check_for_every_principal() {
    let s = parse_scenario(LOCKOUT).unwrap();
    let f = lint_scenario(&s);
    let locked: Vec<&str> = f
        .iter()
        .filter(|x| x.code == "key-policy-lockout")
        .map(|x| x.path.as_str())
        .collect();
    // Key 1: nobody may call PutKeyPolicy. Key 2: key-admin may. Key 3: delegates to the
    // account, but an explicit deny stops everyone (a statement-shape check would miss it).
    assert_eq!(locked, ["$.keys[0].policy", "$.keys[2].policy"], "{f:?}");
    let first = f.iter().find(|x| x.code == "key-policy-lockout").unwrap();
    assert!(
        first.pos.line > 0,
        "located at the policy's first statement"
    );
}

#[test]
fn full_access_for_principals_that_are_not_admins() {
    let s = parse_scenario(LOCKOUT).unwrap();
    let f = lint_scenario(&s);
    let w = find(&f, "full-access-for-non-admin").expect("warning");
    assert_eq!(w.path, "$.iam.policies[0].document.Statement");
    assert!(w.message.contains("`role/ops`"), "{}", w.message);
    let renamed = LOCKOUT.replace(r#""name": "ops""#, r#""name": "OpsAdmin""#);
    let f = lint_scenario(&parse_scenario(&renamed).unwrap());
    assert!(!has(&f, "full-access-for-non-admin"), "{f:?}");
}
