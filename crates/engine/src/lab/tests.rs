//! Unit tests: reading the `lab` object and each kind of check on a small world.

use crate::parse_scenario;

/// A world with two users and one key whose policy lets `alice` decrypt; `lab` and `steps` are
/// spliced in.
fn scenario(key_users: &str, lab: &str, steps: &str) -> String {
    format!(
        r#"{{"kmslab": 1,
  "iam": {{
    "policies": [{{"name": "AppPolicy", "document": {{"Version": "2012-10-17", "Statement": [
      {{"Sid": "Use", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}}]}}}}],
    "users": [{{"name": "alice"}}, {{"name": "bob"}}, {{"name": "admin"}}]}},
  "keys": [{{"id": "k1", "policy": {{"Version": "2012-10-17", "Statement": [
    {{"Sid": "Root", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}}, "Action": "kms:*", "Resource": "*"}},
    {{"Sid": "Users", "Effect": "Allow", "Principal": {{"AWS": [{key_users}]}}, "Action": "kms:Decrypt", "Resource": "*"}}]}}}}],
  "lab": {lab},
  "steps": [{steps}]}}"#
    )
}

const LAB: &str = r#"{"id": "t", "track": "course", "order": 1, "summary": "s", "tasks": [
  {"id": "only-alice", "title": "t", "description": "d", "hints": ["h1", "h2"], "checks": [
    {"description": "only alice decrypts", "only": {"principals": ["arn:aws:iam::111122223333:user/alice"],
      "setup": [{"id": "lab-blob", "caller": "arn:aws:iam::111122223333:root", "call": "kms:Encrypt",
                 "input": {"KeyId": "k1", "Plaintext": "aGk="}, "expect": {"error": null}}],
      "step": {"call": "kms:Decrypt", "input": {"CiphertextBlob": "${lab-blob.CiphertextBlob}"}}}}]},
  {"id": "probe", "title": "t", "description": "d", "checks": [
    {"steps": [{"id": "lab-enc", "caller": "arn:aws:iam::111122223333:root", "call": "kms:Encrypt", "input": {"KeyId": "k1", "Plaintext": "aGk="}},
               {"description": "bob is denied", "caller": "arn:aws:iam::111122223333:user/bob", "call": "kms:Decrypt",
                "input": {"CiphertextBlob": "${lab-enc.CiphertextBlob}"}, "expect": {"decision": "ImplicitDeny"}}]}]},
  {"id": "policy", "title": "t", "description": "d", "checks": [
    {"policy": {"managedPolicy": "AppPolicy", "actionsWithin": ["kms:Decrypt"],
                "resourcesWithin": ["arn:aws:kms:us-east-1:111122223333:key/k1"]}}]},
  {"id": "order", "title": "t", "description": "d", "checks": [
    {"sequence": [{"call": "iam:CreateAccessKey", "input": {"UserName": "alice"}},
                  {"call": "iam:ListAccessKeys"}]}]}]}"#;

const ALICE: &str = r#""arn:aws:iam::111122223333:user/alice""#;
const ADMIN_STEPS: &str = r#"
  {"id": "k", "caller": "arn:aws:iam::111122223333:root", "call": "iam:CreateAccessKey", "input": {"UserName": "alice"}, "expect": {"error": null}},
  {"id": "l", "caller": "arn:aws:iam::111122223333:root", "call": "iam:ListAccessKeys", "input": {"UserName": "alice"}}"#;

fn statuses(src: &str) -> Vec<(String, bool, Vec<String>)> {
    let s = parse_scenario(src).unwrap();
    let lab = s.lab.clone().unwrap();
    super::check_lab(&lab, &s)
        .tasks
        .into_iter()
        .map(|t| (t.id.0, t.passed, t.failures))
        .collect()
}

#[test]
fn reads_the_lab() {
    let s = parse_scenario(&scenario(ALICE, LAB, "")).unwrap();
    let lab = s.lab.unwrap();
    assert_eq!(lab.id.0, "t");
    assert_eq!(lab.track, super::Track::Course);
    assert_eq!(lab.tasks.len(), 4);
    assert_eq!(lab.tasks[0].hints, ["h1", "h2"]);
}

#[test]
fn each_kind_of_check_passes_and_fails() {
    let got = statuses(&scenario(ALICE, LAB, ""));
    assert!(got[0].1, "{:?}", got[0]);
    assert!(got[1].1, "{:?}", got[1]);
    // The managed policy allows every key (`*`).
    assert!(!got[2].1);
    assert!(
        got[2].2[0].contains("statement `Use`") && got[2].2[0].contains("`*`"),
        "{:?}",
        got[2]
    );
    // No steps: nothing was done in order.
    assert!(got[3].2[0].contains("none of your steps"), "{:?}", got[3]);

    let both = format!("{ALICE}, \"arn:aws:iam::111122223333:user/bob\"");
    let got = statuses(&scenario(&both, LAB, ADMIN_STEPS));
    assert!(!got[0].1);
    assert!(
        got[0].2[0].contains("`user/bob` is also allowed"),
        "{:?}",
        got[0]
    );
    assert!(!got[1].1);
    assert!(got[1].2[0].starts_with("bob is denied: "), "{:?}", got[1]);
    assert!(got[3].1, "{:?}", got[3]);

    let got = statuses(&scenario(
        r#""arn:aws:iam::111122223333:user/admin""#,
        LAB,
        "",
    ));
    assert!(
        got[0].2[0]
            .contains("`user/alice` should be allowed to call kms:Decrypt, but got ImplicitDeny")
            && got[0].2[1].contains("`user/admin` is also allowed"),
        "{:?}",
        got[0]
    );
}

#[test]
fn order_matters_in_a_sequence() {
    let reversed = r#"
  {"id": "l", "caller": "arn:aws:iam::111122223333:root", "call": "iam:ListAccessKeys", "input": {"UserName": "alice"}},
  {"id": "k", "caller": "arn:aws:iam::111122223333:root", "call": "iam:CreateAccessKey", "input": {"UserName": "alice"}, "expect": {"error": null}}"#;
    let got = statuses(&scenario(ALICE, LAB, reversed));
    assert!(got[3].2[0].contains("too early"), "{:?}", got[3]);
}

#[test]
fn a_scenario_that_cannot_run_fails_every_task() {
    // A context key the simulator derives, contradicted: the scenario itself is wrong.
    let steps = r#"{"caller": "arn:aws:iam::111122223333:user/bob", "call": "kms:ListKeys", "context": {"aws:username": "mallory"}}"#;
    let got = statuses(&scenario(ALICE, LAB, steps));
    assert!(got
        .iter()
        .all(|t| !t.1 && t.2[0].starts_with("your scenario does not run")));
}

#[test]
fn a_learner_step_that_cannot_run_does_not_stop_the_checks() {
    // `dec` uses the output of a denied Encrypt: it does not run, and the tasks are still
    // judged on the world the other steps leave.
    let steps = r#"
  {"id": "enc", "caller": "arn:aws:iam::111122223333:user/bob", "call": "kms:Encrypt", "input": {"KeyId": "k1", "Plaintext": "aGk="}},
  {"id": "dec", "caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:Decrypt", "input": {"CiphertextBlob": "${enc.CiphertextBlob}"}},"#;
    let got = statuses(&scenario(ALICE, LAB, &format!("{steps}{ADMIN_STEPS}")));
    assert!(got[0].1, "{:?}", got[0]);
    assert!(got[1].1, "{:?}", got[1]);
    assert!(got[3].1, "{:?}", got[3]);
}

#[test]
fn bad_labs_are_located_errors() {
    let cases = [
        (
            r#"{"id": "t", "track": "x", "order": 1, "summary": "s", "tasks": []}"#,
            "$.lab.track",
            "unknown track",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [], "extra": 1}"#,
            "$.lab.extra",
            "unknown field `extra`",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [
            {"id": "a", "title": "t", "description": "d", "checks": [{"policy": {"key": "k1", "noFindings": ["nope"]}}]}]}"#,
            "$.lab.tasks[0].checks[0].policy.noFindings",
            "`nope` is not a finding code",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [
            {"id": "a", "title": "t", "description": "d", "checks": [{"steps": [{"advance": "PT1S"}]}]}]}"#,
            "$.lab.tasks[0].checks[0].steps",
            "cannot fail",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [
            {"id": "a", "title": "t", "description": "d", "checks": [{"only": {"principals": [],
              "step": {"call": "kms:Decrypt", "caller": "x"}}}]}]}"#,
            "$.lab.tasks[0].checks[0].only.step.caller",
            "unknown field `caller`",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [
            {"id": "a", "title": "t", "description": "d", "checks": [{"steps": [{"caler": "x"}]}]}]}"#,
            "$.lab.tasks[0].checks[0].steps[0].caler",
            "did you mean `caller`",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [
            {"id": "a", "title": "t", "description": "d", "checks": [{"sequence": [{"call": "kms:Decrypt"}], "policy": {}}]}]}"#,
            "$.lab.tasks[0].checks[0].policy",
            "not several",
        ),
        (
            r#"{"id": "t", "track": "seeds", "order": 1, "summary": "s", "tasks": [
            {"id": "a", "title": "t", "description": "d", "checks": [{"expectations": "yes"}]}]}"#,
            "$.lab.tasks[0].checks[0].expectations",
            "`expectations` must be \"hold\"",
        ),
    ];
    for (lab, path, message) in cases {
        let e = parse_scenario(&scenario(ALICE, lab, "")).unwrap_err();
        assert_eq!(e.path, path, "{e}");
        assert!(e.message.contains(message), "{e}");
    }
}

#[test]
fn a_check_that_cannot_run_says_which_preparation_failed() {
    let lab = r#"{"id": "t", "track": "course", "order": 1, "summary": "s", "tasks": [
  {"id": "a", "title": "t", "description": "d", "checks": [
    {"description": "bob decrypts", "steps": [
      {"caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:DescribeKey", "input": {"KeyId": "k1"}, "expect": {"decision": "ImplicitDeny"}},
      {"id": "lab-enc", "caller": "arn:aws:iam::111122223333:user/bob", "call": "kms:Encrypt", "input": {"KeyId": "k1", "Plaintext": "aGk="}},
      {"caller": "arn:aws:iam::111122223333:user/bob", "call": "kms:Decrypt",
       "input": {"CiphertextBlob": "${lab-enc.CiphertextBlob}"}, "expect": {"decision": "Allow"}}]}]}]}"#;
    let got = statuses(&scenario(ALICE, lab, ""));
    let f = &got[0].2;
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("bob decrypts: the check could not run on your scenario")
            && f[0].contains("its preparation step `lab-enc` failed first: AccessDeniedException"),
        "{f:?}"
    );
}

#[test]
fn a_role_arn_matches_its_sessions() {
    use super::check::same_principal;
    let role = "arn:aws:iam::111122223333:role/app";
    assert!(same_principal(
        role,
        "arn:aws:sts::111122223333:assumed-role/app/worker"
    ));
    assert!(same_principal(
        "arn:aws:iam::111122223333:role/team/app",
        "arn:aws:sts::111122223333:assumed-role/app/x"
    ));
    assert!(!same_principal(
        role,
        "arn:aws:sts::111122223333:assumed-role/apps/worker"
    ));
    assert!(!same_principal(
        role,
        "arn:aws:sts::444455556666:assumed-role/app/worker"
    ));
    assert!(!same_principal(role, "arn:aws:iam::111122223333:user/app"));
}

#[test]
fn policy_assertions_name_the_statement_and_the_excess() {
    let lab = r#"{"id": "t", "track": "course", "order": 1, "summary": "s", "tasks": [
  {"id": "key", "title": "t", "description": "d", "checks": [
    {"policy": {"key": "k1", "actionsWithin": ["kms:*", "kms:Decrypt"], "resourcesWithin": ["*"]}}]},
  {"id": "missing", "title": "t", "description": "d", "checks": [
    {"policy": {"managedPolicy": "Nope", "noFindings": ["kms-star-on-star"]}}]},
  {"id": "negated", "title": "t", "description": "d", "checks": [
    {"policy": {"managedPolicy": "Negated", "actionsWithin": ["kms:Decrypt"], "resourcesWithin": ["*"]}}]},
  {"id": "lint", "title": "t", "description": "d", "checks": [
    {"description": "no kms:* on *", "policy": {"managedPolicy": "Star", "noFindings": ["kms-star-on-star"]}}]}]}"#;
    let src = scenario(ALICE, lab, "").replace(
        r#""policies": [{"name": "AppPolicy""#,
        r#""policies": [
      {"name": "Negated", "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "N", "Effect": "Allow", "NotAction": "kms:Decrypt", "NotResource": "arn:aws:kms:us-east-1:111122223333:key/k1"}]}},
      {"name": "Star", "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "S", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}},
      {"name": "AppPolicy""#,
    );
    let got = statuses(&src);
    // The key policy's statements use only `kms:*` / `kms:Decrypt` on `*`.
    assert!(got[0].1, "{:?}", got[0]);
    assert_eq!(
        got[1].2,
        ["the managed policy `Nope`: your scenario has no customer managed policy `Nope`"]
    );
    assert!(
        got[2].2[0].contains("statement `N`") && got[2].2[0].contains("NotAction"),
        "{:?}",
        got[2]
    );
    assert!(got[2].2[1].contains("NotResource"), "{:?}", got[2]);
    assert!(
        got[3].2[0].starts_with("no kms:* on *: the managed policy `Star`")
            && got[3].2[0].ends_with("(kms-star-on-star)"),
        "{:?}",
        got[3]
    );
}

#[test]
fn expectations_hold_only_when_every_expect_of_the_users_steps_does() {
    const LAB: &str = r#"{"id": "t", "track": "course", "order": 1, "summary": "s", "tasks": [
      {"id": "agree", "title": "t", "description": "d", "checks": [{"expectations": "hold"}]}]}"#;
    let step = |expect: &str| {
        format!(
            r#"{{"id": "enc", "caller": "arn:aws:iam::111122223333:root", "call": "kms:Encrypt",
                 "input": {{"KeyId": "k1", "Plaintext": "aGk="}}{expect}}},
               {{"id": "bob-reads", "caller": "arn:aws:iam::111122223333:user/bob", "call": "kms:Decrypt",
                 "input": {{"CiphertextBlob": "${{enc.CiphertextBlob}}"}}, "expect": {{"decision": "ImplicitDeny"}}}}"#
        )
    };
    let holds = statuses(&scenario(ALICE, LAB, &step("")));
    assert_eq!(holds, vec![("agree".to_string(), true, vec![])]);
    // The key policy lets bob decrypt: the step's own `expect` no longer holds.
    let (_, passed, failures) = statuses(&scenario(
        r#""arn:aws:iam::111122223333:user/bob""#,
        LAB,
        &step(""),
    ))
    .remove(0);
    assert!(!passed);
    assert_eq!(
        failures,
        ["what your steps expect: step `bob-reads` does not do what its `expect` says (decision: expected ImplicitDeny, got Allow)"]
    );
    // A step that cannot run fails too: `enc` names no key, so `bob-reads` has no blob.
    let (_, passed, failures) = statuses(&scenario(
        ALICE,
        LAB,
        &step("").replacen(r#""KeyId": "k1""#, r#""KeyId": "alias/none""#, 1),
    ))
    .remove(0);
    assert!(!passed);
    assert!(
        failures.len() == 1 && failures[0].starts_with("what your steps expect: step `bob-reads` does not do what its `expect` says (the step did not run"),
        "{failures:?}"
    );
    // No `expect` at all says nothing about what the steps should do.
    let (_, passed, failures) = statuses(&scenario(
        ALICE,
        LAB,
        r#"{"id": "enc", "caller": "arn:aws:iam::111122223333:root", "call": "kms:Encrypt", "input": {"KeyId": "k1", "Plaintext": "aGk="}}"#,
    ))
    .remove(0);
    assert!(!passed);
    assert_eq!(
        failures,
        ["what your steps expect: none of your steps has an `expect`, so nothing says what they should do"]
    );
}
