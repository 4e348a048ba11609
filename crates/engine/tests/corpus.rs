//! The conformance corpus runner: every `*.json` under the workspace's `scenarios/` directory
//! (recursively) is parsed and run, and every step's `expect` must hold. A file with no
//! expectation-checked step is an error, and the corpus as a whole must check at least 80 steps.
//! A second test pins the exact located errors of a few malformed documents.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::{parse_scenario, run_scenario};
use std::path::{Path, PathBuf};

/// At least this many steps with `expect` across the whole corpus.
const MIN_CHECKED_STEPS: usize = 80;

fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read directory {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_expectations_hold() {
    let root = scenarios_root();
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no scenario files under {}",
        root.display()
    );

    let mut problems: Vec<String> = Vec::new();
    let mut checked = 0usize;
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let src = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        let scenario = match parse_scenario(&src) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{}", e.in_file(&name)));
                continue;
            }
        };
        let report = match run_scenario(&scenario) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{}", e.in_file(&name)));
                continue;
            }
        };
        let mut in_file = 0usize;
        for step in &report.steps {
            let Some(exp) = &step.expectation else {
                continue;
            };
            in_file += 1;
            if !exp.passed {
                problems.push(format!(
                    "{name} step `{}`: {}",
                    step.id,
                    exp.failures.join("; ")
                ));
            }
        }
        if in_file == 0 {
            problems.push(format!("{name}: no step has an `expect`"));
        }
        checked += in_file;
    }

    assert!(
        problems.is_empty(),
        "{} problem(s) in the scenario corpus:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        checked >= MIN_CHECKED_STEPS,
        "the corpus checks {checked} steps with `expect`; it needs at least {MIN_CHECKED_STEPS}"
    );
    println!(
        "{checked} expectation-checked steps in {} files",
        files.len()
    );
}

/// An unknown condition operator never matches, and the decision trace says why.
#[test]
fn unknown_operator_is_recorded_in_the_trace() {
    let path = scenarios_root().join("conformance/04-conditions-bool-binary-ip-arn-null.json");
    let src = std::fs::read_to_string(&path).unwrap();
    let report = run_scenario(&parse_scenario(&src).unwrap()).unwrap();
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

fn located_error(src: &str) -> String {
    match parse_scenario(src).and_then(|s| run_scenario(&s).map(|_| ())) {
        Ok(()) => "no error".to_string(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_documents_give_located_errors() {
    // A trailing comma: JSON syntax, located at the closing brace.
    assert_eq!(
        located_error("{\n  \"kmslab\": 1,\n  \"steps\": [],\n}"),
        "4:1: at $: trailing comma before `}`"
    );
    // An unknown field, with a hint.
    assert_eq!(
        located_error("{\"kmslab\": 1, \"stepz\": []}"),
        "1:15: at $.stepz: unknown field `stepz` in a scenario (did you mean `steps`?)"
    );
    // An invalid Effect inside a policy document, located inside the policy.
    assert_eq!(
        located_error(
            "{\"kmslab\": 1, \"iam\": {\"policies\": [{\"name\": \"P\", \"document\":\n {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}}]}, \"steps\": []}"
        ),
        "2:53: at $.iam.policies[0].document.Statement[0].Effect: `Effect` must be `Allow` or `Deny`, found `allow`"
    );
    // A reference to a step that has not run.
    assert_eq!(
        located_error(
            "{\"kmslab\": 1, \"iam\": {\"users\": [{\"name\": \"u\"}]}, \"steps\": [\n {\"caller\": \"${nope.X}\", \"call\": \"s3:ListAllMyBuckets\"}]}"
        ),
        "2:2: at $.steps[0].caller: `${nope.X}` refers to step `nope`, which has not run before this step or has no output"
    );
}
