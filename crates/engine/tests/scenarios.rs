//! The scenario corpus: every `*.json` under `scenarios/` is parsed and run, and every step's
//! `expect` must hold. Also: malformed documents give the exact located error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::{parse_scenario, run_scenario};
use std::path::{Path, PathBuf};

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

#[test]
fn every_scenario_meets_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no scenarios found under {}",
        root.display()
    );
    let mut failures = Vec::new();
    let (mut checked, mut iam, mut kms, mut identity) = (0, 0, 0, 0);
    for f in &files {
        let name = f.strip_prefix(&root).unwrap().display().to_string();
        let src = std::fs::read_to_string(f).unwrap();
        let s = parse_scenario(&src).unwrap_or_else(|e| panic!("{}", e.in_file(&name)));
        let report = run_scenario(&s).unwrap_or_else(|e| panic!("{}", e.in_file(&name)));
        let with_expect = report
            .steps
            .iter()
            .filter(|r| r.expectation.is_some())
            .count();
        assert!(with_expect > 0, "{name}: no step has an `expect`");
        for r in &report.steps {
            let Some(e) = &r.expectation else { continue };
            checked += 1;
            match r.call.as_deref() {
                Some(c) if c.starts_with("kms:") => kms += 1,
                Some(c) if kmslab_engine::identity::is_identity_call(c) => {
                    identity += 1;
                    iam += 1;
                }
                Some(_) => iam += 1,
                None => {}
            }
            if !e.passed {
                failures.push(format!("{name} step {}: {}", r.id, e.failures.join("; ")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing steps:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        iam >= 80,
        "the corpus needs at least 80 IAM steps with expectations, has {iam}"
    );
    assert!(
        kms >= 120,
        "the corpus needs at least 120 KMS steps with expectations, has {kms}"
    );
    assert!(
        identity >= 60,
        "the corpus needs at least 60 IAM/STS operation steps with expectations, has {identity}"
    );
    assert!(checked >= iam + kms);
    println!(
        "{checked} steps checked ({iam} IAM/authorization, of them {identity} IAM/STS operations; {kms} KMS) in {} files",
        files.len()
    );
}

fn error_of(src: &str) -> String {
    parse_scenario(src)
        .and_then(|s| run_scenario(&s).map(|_| ()))
        .map(|()| String::from("no error"))
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn malformed_documents_are_located() {
    assert_eq!(
        error_of("{\n  \"kmslab\": 1,\n  \"steps\": [],\n}"),
        "4:1: at $: trailing comma before `}`"
    );
    assert_eq!(
        error_of("{\"kmslab\": 1, \"stepz\": []}"),
        "1:15: at $.stepz: unknown field `stepz` in a scenario (did you mean `steps`?)"
    );
    assert_eq!(
        error_of(
            "{\"kmslab\": 1, \"iam\": {\"policies\": [{\"name\": \"P\", \"document\":\n {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}}]}, \"steps\": []}"
        ),
        "2:53: at $.iam.policies[0].document.Statement[0].Effect: `Effect` must be `Allow` or `Deny`, found `allow`"
    );
    assert_eq!(
        error_of(
            "{\"kmslab\": 1, \"iam\": {\"users\": [{\"name\": \"u\"}]}, \"steps\": [\n {\"caller\": \"${nope.Arn}\", \"call\": \"s3:ListAllMyBuckets\"}]}"
        ),
        "2:13: at $.steps[0].caller: `${nope.Arn}` refers to step `nope`, but no step has that id"
    );
    assert_eq!(
        error_of("{\"kmslab\": 2, \"steps\": []}"),
        "1:12: at $.kmslab: unsupported scenario format version `2`: this kmslab reads version 1"
    );
    assert_eq!(
        error_of("{\"kmslab\": 1, \"steps\": [{\"caller\": \"arn:aws:iam::111122223333:user/ghost\", \"call\": \"s3:ListAllMyBuckets\"}]}"),
        "1:36: at $.steps[0].caller: caller `arn:aws:iam::111122223333:user/ghost`: there is no user `ghost` in account `111122223333` (add it to `iam.users`, or create it in an earlier step)"
    );
}

/// The same value is asserted in the browser (`tests/engine_wasm.rs`): a scenario run is
/// byte-for-byte reproducible across targets.
#[test]
fn example_ciphertext_is_reproducible() {
    let src = include_str!("../../../scenarios/examples/nps-least-privilege.json");
    let r = run_scenario(&parse_scenario(src).unwrap()).unwrap();
    let blob = r.steps[0].output.as_ref().unwrap()["CiphertextBlob"]
        .as_str()
        .unwrap();
    assert_eq!(
        blob,
        "S0wBJDEyMzRhYmNkLTEyYWItMzRjZC01NmVmLTEyMzQ1Njc4OTBhYgAAAADlSw+pcYE3fBxKUCcLL4RYEFCaKmLt4oavZiu8OaSR7ho="
    );
    let again = run_scenario(&parse_scenario(src).unwrap()).unwrap();
    assert_eq!(r, again);
}

/// An unknown condition operator never matches, and the decision trace says why.
#[test]
fn unknown_operator_is_recorded_in_the_trace() {
    let src =
        include_str!("../../../scenarios/conformance/04-conditions-bool-binary-ip-arn-null.json");
    let report = run_scenario(&parse_scenario(src).unwrap()).unwrap();
    let step = report
        .steps
        .iter()
        .find(|s| s.id == "unknown-operator")
        .expect("the step `unknown-operator`");
    let trace = step.trace.as_ref().expect("a decision trace");
    assert!(
        trace.errors.iter().any(|e| e.contains("StringEqualz")),
        "the trace should record the unknown operator; errors: {:?}",
        trace.errors
    );
}

/// A run forked after any step and finished on the copy gives exactly what one straight run
/// gives (the lab checker forks the learner's world for each check), and a run through a shared
/// key-pair memo gives exactly what a run without it gives (the forks use the memo, so it is
/// hit many times).
#[test]
fn forked_and_memoized_runs_equal_straight_runs() {
    use kmslab_engine::crypto::asym::PairCache;
    use kmslab_engine::scenario::{run_scenario_with, Run, RunOptions};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    files.sort();
    let pairs = PairCache::new(1024);
    let opts = RunOptions {
        pairs: Some(&pairs),
    };
    let mut forked = 0;
    for f in &files {
        let name = f.strip_prefix(&root).unwrap().display().to_string();
        let s = parse_scenario(&std::fs::read_to_string(f).unwrap()).unwrap();
        let straight = run_scenario(&s).unwrap();
        let n = s.steps.len();
        for split in [0, n / 3, n / 2, n.saturating_sub(1)] {
            let mut run = Run::start(&s, opts);
            for step in &s.steps[..split] {
                run.step(step).unwrap();
            }
            // The original goes on too: the fork must not share state with it.
            let mut fork = run.clone();
            for step in &s.steps[split..] {
                fork.step(step).unwrap();
                run.step(step).unwrap();
            }
            assert_eq!(
                fork.into_report(),
                straight,
                "{name}: forked after {split} steps"
            );
            assert_eq!(
                run.into_report(),
                straight,
                "{name}: the original of the fork"
            );
            forked += 1;
        }
        let memo = run_scenario_with(&s, opts).unwrap();
        assert_eq!(memo, straight, "{name}: a run through the memo");
    }
    assert!(forked >= 4 * files.len());
    // Imports and RSA keys in the corpus derived their pairs through the memo.
    assert!(!pairs.is_empty());
}
