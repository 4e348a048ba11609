//! `kmslab lab check`: the exit status and the per-task lines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

const LAB: &str = "../../scenarios/labs/00-seed-000-byok-service-account.json";

fn kmslab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_starting_scenario_fails_and_says_why() {
    let (code, out, _) = kmslab(&["lab", "check", LAB]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ scope-kms"), "{out}");
    assert!(out.contains("      - "), "{out}");
    assert!(out.contains(" of 4 tasks pass"), "{out}");
}

#[test]
fn the_solution_passes() {
    let solution = "../../scenarios/labs/solutions/00-seed-000-byok-service-account.json";
    let (code, out, _) = kmslab(&["lab", "check", LAB, solution]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✓ rotate"), "{out}");
    assert!(out.contains("4 of 4 tasks pass"), "{out}");
}

#[test]
fn bad_input_is_status_2() {
    let (code, _, err) = kmslab(&["lab", "check"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = kmslab(&["lab", "check", "missing.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json: cannot read"), "{err}");
    // A scenario without a `lab` object is not a lab.
    let (code, _, err) = kmslab(&[
        "lab",
        "check",
        "../../scenarios/examples/grants-and-tokens.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a lab"), "{err}");
}
