//! `kmslab matrix`: the access matrix on the command line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::{Command, Output};

fn kmslab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmslab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

const NPS: &str = "../../scenarios/examples/nps-least-privilege.json";
const GRANTS: &str = "../../scenarios/examples/grants-and-tokens.json";

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn the_summary_groups_each_pairs_operations_by_outcome_and_reason() {
    let o = kmslab(&["matrix", "--principal", "nps-service", NPS]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.starts_with(
        "../../scenarios/examples/nps-least-privilege.json: 2 principals x 1 key x 39 operations = 78 cells (before the steps)\n"
    ), "{text}");
    // Without aws:SourceIp the network guard denies every operation, in one group.
    let deny = text
        .lines()
        .find(|l| l.trim_start().starts_with("ExplicitDeny"))
        .unwrap();
    assert!(deny.contains("Decrypt, DeleteAlias"), "{deny}");
    assert!(
        deny.ends_with("[identity:NPS_KMS_Policy:DenyOutsideCorpNetwork]"),
        "{deny}"
    );
    assert!(!text.contains("user/nps-service on key") || !text.contains("root on key"));
}

#[test]
fn a_context_key_reaches_every_cell() {
    let o = kmslab(&[
        "matrix",
        "--principal",
        "nps-service",
        "--context",
        "aws:SourceIp=203.0.113.10",
        NPS,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("every request carries aws:SourceIp=203.0.113.10"),
        "{text}"
    );
    // Inside the network nothing is denied explicitly; the identity policy's allow needs an
    // encryption context, so the pair's cells are implicit denies, counted.
    assert!(!text.contains("  ExplicitDeny "), "{text}");
    assert!(
        text.contains("  ImplicitDeny            39 operations more"),
        "{text}"
    );
}

#[test]
fn an_encryption_context_reaches_the_operations_that_take_one() {
    let o = kmslab(&[
        "matrix",
        "--principal",
        "nps-service",
        "--context",
        "aws:SourceIp=203.0.113.10",
        "--encryption-context",
        "app=nps",
        NPS,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.contains("the operations that take an encryption context carry app=nps"),
        "{text}"
    );
    // The identity policy allows these three with kms:EncryptionContext:app = nps.
    assert!(text.contains("  Allowed                 Decrypt, Encrypt, GenerateDataKey  [via key policy + IAM; key-policy:Enable IAM User Permissions, identity:NPS_KMS_Policy:UseNpsKey]\n"), "{text}");
    assert!(
        text.contains("  ImplicitDeny            36 operations more"),
        "{text}"
    );

    let o = kmslab(&["matrix", "--json", "--encryption-context", "app=other", NPS]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["encryptionContext"],
        serde_json::json!({"app": "other"})
    );
    assert!(doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["principal"] == "arn:aws:iam::111122223333:user/nps-service")
        .all(|c| c["outcome"] != "Allowed"));
}

#[test]
fn csv_and_json_carry_the_kept_cells() {
    let o = kmslab(&[
        "matrix",
        "--csv",
        "--operation",
        "decrypt",
        "--outcome",
        "allowed",
        GRANTS,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let csv = stdout(&o);
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "principal,key_id,key_arn,operation,outcome,decision,via,state_exception,deciding"
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.contains(",Decrypt,Allowed,Allow,")),
        "{csv}"
    );

    let o = kmslab(&[
        "matrix",
        "--json",
        "--operation",
        "decrypt",
        "--outcome",
        "allowed",
        GRANTS,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["world"], "beforeSteps");
    let cells = doc["cells"].as_array().unwrap();
    assert_eq!(cells.len(), rows.len());
    assert!(cells
        .iter()
        .all(|c| c["operation"] == "Decrypt" && c["outcome"] == "Allowed"));
    // The counts are of the whole matrix, not of the kept cells.
    let total: u64 = doc["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        total as usize,
        doc["principals"].as_array().unwrap().len()
            * doc["keys"].as_array().unwrap().len()
            * doc["operations"].as_array().unwrap().len()
    );
}

#[test]
fn the_world_after_the_steps_has_what_the_steps_made() {
    // The example's security admin schedules the key's deletion: after the steps the key is
    // pending deletion, and its cryptographic operations are refused by its state.
    let scp = "../../scenarios/examples/scp-guardrail.json";
    let cell = |doc: &serde_json::Value| {
        doc["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                c["principal"] == "arn:aws:iam::111122223333:user/admin"
                    && c["operation"] == "Encrypt"
            })
            .cloned()
            .unwrap()
    };
    let before = kmslab(&["matrix", "--json", scp]);
    let after = kmslab(&["matrix", "--json", "--after-steps", scp]);
    assert_eq!(after.status.code(), Some(0));
    let (b, a): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&before.stdout).unwrap(),
        serde_json::from_slice(&after.stdout).unwrap(),
    );
    assert_eq!(b["world"], "beforeSteps");
    assert_eq!(a["world"], "afterSteps");
    assert_eq!(cell(&b)["outcome"], "Allowed");
    assert_eq!(cell(&a)["outcome"], "AllowedButStateRefuses");
    assert_eq!(cell(&a)["stateException"], "DisabledException");
    assert_eq!(a["keys"][0]["state"], "PendingDeletion");
}

#[test]
fn bad_input_is_refused_with_where_and_why() {
    let o = kmslab(&["matrix", "--outcome", "maybe", NPS]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.starts_with("kmslab matrix: `--outcome maybe`: write any, allowed"),
        "{err}"
    );

    let o = kmslab(&[
        "matrix",
        "--encryption-context",
        "app=a",
        "--encryption-context",
        "app=b",
        NPS,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.starts_with("kmslab matrix: `--encryption-context app=b`: `app` is given twice"),
        "{err}"
    );

    let o = kmslab(&["matrix", "--context", "kms:CallerAccount=1", NPS]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.starts_with("error: ../../scenarios/examples/nps-least-privilege.json: `kms:CallerAccount` is set by the simulator"),
        "{err}"
    );

    let dir = std::env::temp_dir().join(format!("kmslab-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"kmslab\": 1,\n  \"keys\": [ { \"id\": 7 } ]\n}\n",
    )
    .unwrap();
    let o = kmslab(&["matrix", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("bad.json:3:"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn help_lists_the_options() {
    let o = kmslab(&["matrix", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--after-steps"));
    let o = kmslab(&["--help"]);
    assert!(stdout(&o).contains("kmslab matrix [OPTIONS] FILE"));
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    // More output than a pipe holds (this JSON is about 600 KB).
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmslab"))
        .args([
            "matrix",
            "--json",
            "../../scenarios/kms/14-condition-keys.json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // Standard output is closed here, as `| head` does.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
