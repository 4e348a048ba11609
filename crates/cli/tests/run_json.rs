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
