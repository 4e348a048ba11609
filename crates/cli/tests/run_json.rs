//! `kmslab run --json`: one JSON document on standard output, a record per step.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

#[test]
fn each_step_record_has_its_decision_and_the_context_it_supplied() {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslab"))
        .args([
            "run",
            "--json",
            "../../scenarios/examples/nps-least-privilege.json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outside = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "outside")
        .unwrap();
    assert_eq!(outside["decision"], "ExplicitDeny");
    assert_eq!(
        outside["context"],
        serde_json::json!({"aws:SourceIp": "198.51.100.7"})
    );
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("5 passed, 0 failed"));
}

/// The NPS example with the first Encrypt made from outside the corporate network.
fn nps_with_denied_encrypt() -> String {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/examples/nps-least-privilege.json"
    ))
    .unwrap();
    let at = src.find("\"id\": \"enc\"").unwrap();
    let ip = at + src[at..].find("203.0.113.10").unwrap();
    format!(
        "{}198.51.100.9{}",
        &src[..ip],
        &src[ip + "203.0.113.10".len()..]
    )
}

fn run_stdin(args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmslab"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_denied_step_does_not_hide_the_others_and_fails_with_status_1() {
    let out = run_stdin(&["run", "-"], &nps_with_denied_encrypt());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every step has its line: the denial, and the steps that could not be made.
    assert!(stdout.contains("FAIL enc"), "{stdout}");
    assert!(stdout.contains("pass wrong-context"), "{stdout}");
    let outside = stdout.lines().find(|l| l.contains("FAIL outside")).unwrap();
    let words: Vec<&str> = outside.split_whitespace().take(5).collect();
    assert_eq!(
        words,
        ["FAIL", "outside", "kms:Decrypt", "-", "UnresolvedReference"]
    );
    assert!(
        outside.ends_with("not run: 33:36: at $.steps[2].input.CiphertextBlob: `${enc.CiphertextBlob}` refers to step `enc`, which ended with `AccessDeniedException`, so it has no output"),
        "{outside}"
    );
    assert!(stdout.ends_with("1 passed, 4 failed\n"), "{stdout}");

    let out = run_stdin(&["run", "--json", "-"], &nps_with_denied_encrypt());
    assert_eq!(out.status.code(), Some(1));
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inside = &steps[3];
    assert_eq!(inside["id"], "inside");
    assert_eq!(inside["decision"], serde_json::Value::Null);
    assert_eq!(inside["error"], "UnresolvedReference");
    assert_eq!(inside["notRun"]["path"], "$.steps[3].input.CiphertextBlob");
    assert_eq!(inside["notRun"]["pos"]["line"], 38);
    assert_eq!(inside["expectation"]["passed"], false);
}

#[test]
fn a_file_that_is_not_a_scenario_is_still_status_2() {
    let out = run_stdin(
        &["run", "-"],
        "{\"kmslab\": 1, \"steps\": [], \"stepz\": 1}",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("unknown field `stepz`"));
}
