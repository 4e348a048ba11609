//! The access matrix's correctness guarantee: every cell of the matrix of every scenario in
//! `scenarios/` equals what the full authorization path decides for the same request
//! (`matrix::check_cell`: `kms::authz::authorize_key` with the runner's IAM side, grants, the
//! cross-account rule and the key-state gate), and the full path agrees with the scenario
//! runner itself for real KMS calls that take no request parameters.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::iam::context::ContextValue;
use kmslab_engine::json::{Json, Pos};
use kmslab_engine::matrix::{
    access_matrix, check_cell, check_cell_with, trace_for, Cell, MatrixError, MatrixFilter,
    MatrixOptions, Outcome, OutcomeFilter, Via,
};
use kmslab_engine::scenario::{CallerSpec, Step};
use kmslab_engine::trace::Decision;
use kmslab_engine::{parse_scenario, run_scenario, Scenario};
use std::collections::BTreeMap;
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

fn corpus() -> Vec<(String, Scenario)> {
    corpus_with_sources()
        .into_iter()
        .map(|(name, _, s)| (name, s))
        .collect()
}

/// The corpus with each scenario's text.
fn corpus_with_sources() -> Vec<(String, String, Scenario)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 10, "the corpus is missing");
    files
        .iter()
        .filter_map(|f| {
            let name = f.strip_prefix(&root).unwrap().display().to_string();
            let src = std::fs::read_to_string(f).unwrap();
            // Documents meant to be refused are in the corpus too.
            parse_scenario(&src).ok().map(|s| (name, src, s))
        })
        .collect()
}

#[test]
fn every_cell_of_every_scenario_agrees_with_the_full_path() {
    let mut checked = 0usize;
    let mut with_keys = 0usize;
    let mut seen = std::collections::HashSet::new();
    for (name, s) in corpus() {
        let m = access_matrix(&s, &MatrixOptions::default()).unwrap();
        if !m.keys.is_empty() {
            with_keys += 1;
        }
        for (p, pr) in m.principals.iter().enumerate() {
            for (k, key) in m.keys.iter().enumerate() {
                for (o, op) in m.operations.iter().enumerate() {
                    let c = m.cell(p, k, o).unwrap();
                    let full = check_cell(&s, &pr.arn, &key.id, op).unwrap();
                    let cell = format!("{name}: {} x {} x {op}", pr.arn, key.id);
                    assert_eq!(c.decision, full.decision, "{cell}: decision");
                    assert_eq!(c.via, full.via, "{cell}: via");
                    assert_eq!(c.state_error, full.state_error, "{cell}: state");
                    assert_eq!(m.reason(&c), full.deciding.join(", "), "{cell}: deciding");
                    seen.insert((c.outcome(), c.via));
                    checked += 1;
                }
            }
        }
    }
    assert!(with_keys >= 10, "only {with_keys} scenarios have keys");
    assert!(checked > 5_000, "only {checked} cells checked");
    // The corpus exercises every kind of cell, so the comparison above means something.
    for want in [
        (Outcome::Allowed, Via::KeyPolicy),
        (Outcome::Allowed, Via::KeyPolicyAndIam),
        (Outcome::Allowed, Via::Grant),
        (Outcome::AllowedButStateRefuses, Via::KeyPolicy),
        (Outcome::ExplicitDeny, Via::Nothing),
        (Outcome::ImplicitDeny, Via::Nothing),
        (Outcome::ImplicitDeny, Via::NotCrossAccount),
    ] {
        assert!(seen.contains(&want), "no cell is {want:?}; seen {seen:?}");
    }
}

/// The decision the runner reports for a call a cell describes: none for a call the
/// cross-account rule refuses before any policy is read.
fn runner_decision(c: Cell) -> Option<Decision> {
    (c.via != Via::NotCrossAccount).then_some(c.decision)
}

/// A one-step scenario: the world of `s` and the call `kms:OP` with `{"KeyId": ARN}`.
fn one_call(s: &Scenario, caller: &str, op: &str, key_arn: &str) -> Scenario {
    one_call_with(s, caller, op, serde_json::json!({ "KeyId": key_arn }))
}

/// A one-step scenario: the world of `s` and the call `kms:OP` with `input`.
fn one_call_with(s: &Scenario, caller: &str, op: &str, input: serde_json::Value) -> Scenario {
    let mut w = s.world_copy();
    w.steps.push(Step {
        id: Some("call".into()),
        index: 0,
        pos: Pos::default(),
        caller: Some(CallerSpec::Caller(caller.to_string())),
        call: Some(format!("kms:{op}")),
        resource: None,
        input: Some(Json::from_serde(&input, Pos::default())),
        context: Vec::new(),
        grant_tokens: Vec::new(),
        advance: None,
        session: None,
        expect: None,
        description: None,
        positions: Default::default(),
    });
    w
}

/// The matrix's full path is the runner's: for operations whose call takes nothing but the
/// key (so the runner adds no request-specific context), a real call of every principal on
/// every key ends as the matrix cell says.
#[test]
fn the_runner_agrees_for_calls_without_parameters() {
    let ops = [
        "DescribeKey",
        "GetKeyRotationStatus",
        "DisableKey",
        "GetKeyPolicy",
    ];
    let mut compared = 0usize;
    for (name, s) in corpus() {
        let m = access_matrix(&s, &MatrixOptions::default()).unwrap();
        for (p, pr) in m.principals.iter().enumerate() {
            for (k, key) in m.keys.iter().enumerate() {
                for op in ops {
                    let o = m.operations.iter().position(|x| *x == op).unwrap();
                    let c = m.cell(p, k, o).unwrap();
                    let r = run_scenario(&one_call(&s, &pr.arn, op, &key.arn)).unwrap();
                    let step = &r.steps[0];
                    let cell = format!("{name}: {} x {} x {op}", pr.arn, key.id);
                    assert_eq!(step.decision, runner_decision(c), "{cell}: {step:?}");
                    let want_error = match (c.decision, c.state_error) {
                        (Decision::Allow, None) => None,
                        (Decision::Allow, Some(e)) => Some(e.as_str().to_string()),
                        _ => Some("AccessDeniedException".to_string()),
                    };
                    assert_eq!(step.error, want_error, "{cell}: {step:?}");
                    if let Some(t) = &step.trace {
                        assert_eq!(m.reason(&c), t.deciding.join(", "), "{cell}");
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "only {compared} calls compared");
}

const SMALL: &str = r#"{"kmslab":1,
  "defaults":{"account":"111122223333","region":"us-east-1","time":"2026-11-22T12:00:00Z"},
  "iam":{"users":[{"name":"alice","inline":{"use":{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}}},
    {"name":"bob"}]},
  "keys":[{"id":"1234abcd-12ab-34cd-56ef-1234567890ab","aliases":["alias/app"]},
          {"id":"0000abcd-12ab-34cd-56ef-1234567890ab","state":"Disabled"}],
  "grants":[{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","grantee":"arn:aws:iam::111122223333:user/bob",
             "operations":["Decrypt","DescribeKey"],"grantId":"g-bob"}],
  "steps":[]}"#;

#[test]
fn cells_filters_traces_and_csv_of_a_small_world() {
    let s = parse_scenario(SMALL).unwrap();
    let m = access_matrix(&s, &MatrixOptions::default()).unwrap();
    let p = |arn: &str| m.principals.iter().position(|x| x.arn == arn).unwrap();
    let k = |id: &str| m.keys.iter().position(|x| x.id.starts_with(id)).unwrap();
    let o = |op: &str| m.operations.iter().position(|x| *x == op).unwrap();
    let (alice, bob) = (
        p("arn:aws:iam::111122223333:user/alice"),
        p("arn:aws:iam::111122223333:user/bob"),
    );
    let (app, off) = (k("1234"), k("0000"));
    assert!(m.operations.contains(&"ReEncryptFrom") && m.operations.contains(&"ReEncryptTo"));
    assert!(!m.operations.contains(&"ReEncrypt") && !m.operations.contains(&"CreateKey"));
    let enc = m.cell(alice, app, o("Encrypt")).unwrap();
    assert_eq!(enc.outcome(), Outcome::Allowed);
    assert_eq!(enc.via, Via::KeyPolicyAndIam);
    assert_eq!(
        m.cell(alice, app, o("DisableKey")).unwrap().outcome(),
        Outcome::ImplicitDeny
    );
    let dis = m.cell(alice, off, o("Encrypt")).unwrap();
    assert_eq!(dis.outcome(), Outcome::AllowedButStateRefuses);
    assert_eq!(dis.state_error.unwrap().as_str(), "DisabledException");
    let bob_dec = m.cell(bob, app, o("Decrypt")).unwrap();
    assert_eq!(
        (bob_dec.decision, bob_dec.via),
        (Decision::Allow, Via::Grant)
    );
    assert_eq!(m.reason(&bob_dec), "grant:g-bob");
    assert_eq!(
        m.cell(bob, app, o("Encrypt")).unwrap().outcome(),
        Outcome::ImplicitDeny
    );
    assert!(m.cell(99, 0, 0).is_none());
    // The root user of the account: the default key policy gives it everything.
    let root = p("arn:aws:iam::111122223333:root");
    assert_eq!(
        m.cell(root, app, o("ScheduleKeyDeletion")).unwrap().via,
        Via::KeyPolicy
    );
    let no_roots = access_matrix(
        &s,
        &MatrixOptions {
            include_roots: false,
            ..MatrixOptions::default()
        },
    )
    .unwrap();
    assert_eq!(no_roots.principals.len(), m.principals.len() - 1);

    // Filters: text on each axis, and outcome.
    let f = MatrixFilter {
        principal: "BOB".into(),
        key: "alias/app".into(),
        operation: "crypt".into(),
        outcome: OutcomeFilter::Allowed,
    };
    let v = m.filter(&f);
    assert_eq!(v.rows, vec![(bob, app)]);
    assert_eq!(v.cells, 1, "only Decrypt (Encrypt, ReEncrypt* are denied)");
    let csv = m.to_csv(&f);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(
        lines[0],
        "principal,key_id,key_arn,operation,outcome,decision,via,state_exception,deciding"
    );
    assert_eq!(
        lines[1],
        "arn:aws:iam::111122223333:user/bob,1234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab,Decrypt,Allowed,Allow,grant,,grant:g-bob"
    );
    let all = m.to_csv(&MatrixFilter::default());
    assert_eq!(all.matches("\r\n").count(), m.len() + 1);
    // A deciding list with a comma is quoted.
    assert!(
        all.contains("\"key-policy:Enable IAM User Permissions, identity:use:#0\""),
        "{all}"
    );

    // The trace of a cell: the full path's, with the grant and the key-state gate.
    let t = trace_for(&s, &m, bob, app, o("Decrypt")).unwrap();
    assert_eq!(t.decision, Some(Decision::Allow));
    assert_eq!(t.error, None);
    let trace = t.trace.unwrap();
    assert_eq!(trace.deciding, vec!["grant:g-bob".to_string()]);
    assert!(trace.grants.iter().any(|g| g.applies));
    assert!(trace.key_state.is_some());
    let t = trace_for(&s, &m, alice, off, o("Encrypt")).unwrap();
    assert_eq!(t.error.as_deref(), Some("DisabledException"));
    let t = trace_for(&s, &m, alice, app, o("DisableKey")).unwrap();
    assert_eq!(t.error.as_deref(), Some("AccessDeniedException"));
    assert!(trace_for(&s, &m, 0, 0, 999).is_err());
}

/// The matrix of the world after the steps (`world_after_steps`) says what a call made after
/// those steps does: for every scenario with steps, every principal of that world calls each
/// parameterless operation on every key, on a fork of the run, and ends as the cell says.
#[test]
fn the_matrix_after_the_steps_agrees_with_calls_made_after_them() {
    use kmslab_engine::crypto::asym::PairCache;
    use kmslab_engine::scenario::{world_after_steps, Run, RunOptions};
    let ops = ["DescribeKey", "GetKeyPolicy", "DisableKey"];
    let pairs = PairCache::new(256);
    let opts = RunOptions {
        pairs: Some(&pairs),
    };
    let (mut compared, mut changed) = (0usize, 0usize);
    for (name, s) in corpus() {
        if s.steps.is_empty() {
            continue;
        }
        let mut run = Run::start(&s, opts);
        if s.steps.iter().any(|st| run.step(st).is_err()) {
            continue; // a document meant to stop halfway
        }
        let after = world_after_steps(&s, opts).unwrap();
        let m = access_matrix(&after, &MatrixOptions::default()).unwrap();
        let before = access_matrix(&s, &MatrixOptions::default()).unwrap();
        if m.keys.len() != before.keys.len()
            || m.principals.len() != before.principals.len()
            || m.cells
                .iter()
                .zip(&before.cells)
                .any(|(a, b)| (a.decision, a.state_error) != (b.decision, b.state_error))
        {
            changed += 1;
        }
        for (p, pr) in m.principals.iter().enumerate() {
            for (k, key) in m.keys.iter().enumerate() {
                for op in ops {
                    let o = m.operations.iter().position(|x| *x == op).unwrap();
                    let c = m.cell(p, k, o).unwrap();
                    let mut call = one_call(&s, &pr.arn, op, &key.arn).steps.remove(0);
                    call.index = s.steps.len();
                    let mut fork = run.clone();
                    let cell = format!("{name} (after its steps): {} x {} x {op}", pr.arn, key.id);
                    fork.step(&call).unwrap_or_else(|e| panic!("{cell}: {e}"));
                    let step = fork.results().last().unwrap();
                    assert_eq!(step.decision, runner_decision(c), "{cell}: {step:?}");
                    let want_error = match (c.decision, c.state_error) {
                        (Decision::Allow, None) => None,
                        (Decision::Allow, Some(e)) => Some(e.as_str().to_string()),
                        _ => Some("AccessDeniedException".to_string()),
                    };
                    assert_eq!(step.error, want_error, "{cell}: {step:?}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "only {compared} calls compared");
    // Steps change who can do what in many scenarios, so the comparison means something.
    assert!(
        changed >= 10,
        "only {changed} scenarios' matrices change with their steps"
    );
}

/// The request context a matrix can be given: keys a step's `context` could carry.
fn with_context() -> MatrixOptions {
    MatrixOptions {
        include_roots: true,
        context: vec![
            (
                "aws:SourceIp".into(),
                ContextValue::Single("203.0.113.10".into()),
            ),
            (
                "aws:MultiFactorAuthPresent".into(),
                ContextValue::Single("true".into()),
            ),
        ],
        ..MatrixOptions::default()
    }
}

/// With a context, every cell still equals the full path given the same context, and a real
/// call whose step carries that context ends as the cell says.
#[test]
fn a_matrix_with_a_request_context_agrees_with_the_full_path_and_the_runner() {
    let opts = with_context();
    let (mut checked, mut changed, mut calls) = (0usize, 0usize, 0usize);
    for (name, s) in corpus() {
        let m = access_matrix(&s, &opts).unwrap();
        assert_eq!(m.context, opts.context);
        let plain = access_matrix(&s, &MatrixOptions::default()).unwrap();
        if m.cells
            .iter()
            .zip(&plain.cells)
            .any(|(a, b)| a.decision != b.decision)
        {
            changed += 1;
        }
        for (p, pr) in m.principals.iter().enumerate() {
            for (k, key) in m.keys.iter().enumerate() {
                for (o, op) in m.operations.iter().enumerate() {
                    let c = m.cell(p, k, o).unwrap();
                    let full = check_cell_with(&s, &opts, &pr.arn, &key.id, op).unwrap();
                    let cell = format!("{name} with context: {} x {} x {op}", pr.arn, key.id);
                    assert_eq!(c.decision, full.decision, "{cell}: decision");
                    assert_eq!(c.via, full.via, "{cell}: via");
                    assert_eq!(m.reason(&c), full.deciding.join(", "), "{cell}: deciding");
                    checked += 1;
                    if *op != "DescribeKey" {
                        continue;
                    }
                    let mut one = one_call(&s, &pr.arn, op, &key.arn);
                    one.steps[0].context = opts
                        .context
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone(), Pos::default()))
                        .collect();
                    let r = run_scenario(&one).unwrap();
                    assert_eq!(r.steps[0].decision, Some(c.decision), "{cell}: the runner");
                    let t = trace_for(&s, &m, p, k, o).unwrap();
                    assert_eq!(t.decision, Some(c.decision), "{cell}: the cell's trace");
                    calls += 1;
                }
            }
        }
    }
    assert!(
        checked > 5_000 && calls > 100,
        "{checked} cells, {calls} calls"
    );
    // The context decides cells (the NPS example's aws:SourceIp deny no longer applies from
    // its corporate network), so the comparisons above cover context-dependent cells.
    assert!(changed >= 1, "the context changed no matrix");
}

#[test]
fn a_matrix_context_cannot_set_what_the_simulator_derives() {
    let s = parse_scenario(SMALL).unwrap();
    for key in [
        "aws:PrincipalArn",
        "kms:CallerAccount",
        "aws:ResourceTag/team",
        "kms:KeySpec",
    ] {
        let opts = MatrixOptions {
            include_roots: true,
            context: vec![(key.into(), ContextValue::Single("x".into()))],
            ..MatrixOptions::default()
        };
        let e = access_matrix(&s, &opts).unwrap_err();
        assert_eq!(e, MatrixError::DerivedKey(key.into()));
        assert_eq!(
            e.to_string(),
            format!("`{key}` is set by the simulator for each cell (from the caller or the key); the matrix's context takes keys a request carries, such as aws:SourceIp or aws:ViaService")
        );
    }
    for key in ["kms:EncryptionContext:app", "kms:EncryptionContextKeys"] {
        let opts = MatrixOptions {
            include_roots: true,
            context: vec![(key.into(), ContextValue::Single("x".into()))],
            ..MatrixOptions::default()
        };
        assert_eq!(
            access_matrix(&s, &opts).unwrap_err(),
            MatrixError::EncryptionContextKey(key.into())
        );
    }
}

/// The encryption-context pairs a scenario's documents mention: `kms:EncryptionContext:KEY`
/// conditions (each value), the keys `kms:EncryptionContextKeys` conditions name, and the
/// pairs of grant constraints (declared grants and CreateGrant steps); and each constraint's
/// map on its own (an EncryptionContextEquals constraint needs exactly it).
fn mentioned(v: &serde_json::Value, pairs: &mut Vec<(String, String)>, exact: &mut Vec<Ec>) {
    use serde_json::Value;
    let strings = |x: &Value| -> Vec<String> {
        match x {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let lc = k.to_ascii_lowercase();
                if lc.starts_with("kms:encryptioncontext:") {
                    let key = &k["kms:EncryptionContext:".len()..];
                    pairs.extend(strings(x).into_iter().map(|v| (key.to_string(), v)));
                } else if lc == "kms:encryptioncontextkeys" {
                    pairs.extend(strings(x).into_iter().map(|k| (k, "v".to_string())));
                } else if lc == "encryptioncontextsubset" || lc == "encryptioncontextequals" {
                    if let Value::Object(c) = x {
                        let m: Ec = c
                            .iter()
                            .filter_map(|(a, b)| b.as_str().map(|b| (a.clone(), b.to_string())))
                            .collect();
                        pairs.extend(m.clone());
                        exact.push(m);
                    }
                }
                mentioned(x, pairs, exact);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| mentioned(x, pairs, exact)),
        _ => {}
    }
}

type Ec = BTreeMap<String, String>;

fn ec(pairs: &[(&str, &str)]) -> Ec {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Encryption contexts to try on a scenario: none; one nothing mentions; every mentioned key
/// with its first mentioned value (matching the conditions and Subset constraints); each
/// constraint's map exactly; and the mentioned keys with values nothing mentions.
fn encryption_contexts(src: &str) -> Vec<Ec> {
    let v: serde_json::Value = serde_json::from_str(src).unwrap();
    let (mut pairs, mut exact) = (Vec::new(), Vec::new());
    mentioned(&v, &mut pairs, &mut exact);
    let mut matching = Ec::new();
    for (k, v) in &pairs {
        matching.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let other: Ec = matching
        .keys()
        .map(|k| (k.clone(), "kmslab-other".to_string()))
        .collect();
    let mut all = vec![
        Ec::new(),
        ec(&[("purpose", "kmslab-matrix")]),
        matching,
        other,
    ];
    all.extend(exact);
    let mut out: Vec<Ec> = Vec::new();
    for c in all {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// With an encryption context, every cell of an operation that takes one equals the full path
/// with that context, every other cell is the cell without it, and the context changes cells
/// through key policy conditions, grant constraints and the asymmetric-key refusal, so the
/// comparison is not of a context the matrix ignores.
#[test]
fn every_cell_agrees_with_the_full_path_under_encryption_contexts() {
    use kmslab_engine::kms::model::takes_encryption_context;
    let (mut checked, mut by_policy, mut by_grant, mut by_gate) = (0usize, 0usize, 0usize, 0usize);
    let mut contexts = 0usize;
    for (name, src, s) in corpus_with_sources() {
        let plain = access_matrix(&s, &MatrixOptions::default()).unwrap();
        for ec in encryption_contexts(&src) {
            let opts = MatrixOptions {
                encryption_context: ec.clone(),
                ..MatrixOptions::default()
            };
            let m = access_matrix(&s, &opts).unwrap();
            assert_eq!(m.encryption_context, ec);
            contexts += 1;
            if ec.is_empty() {
                // No encryption context is today's matrix, byte for byte.
                assert_eq!(m, plain, "{name}");
                continue;
            }
            for (p, pr) in m.principals.iter().enumerate() {
                for (k, key) in m.keys.iter().enumerate() {
                    for (o, op) in m.operations.iter().enumerate() {
                        let c = m.cell(p, k, o).unwrap();
                        let before = plain.cell(p, k, o).unwrap();
                        let cell = format!("{name} with {ec:?}: {} x {} x {op}", pr.arn, key.id);
                        if !takes_encryption_context(op) {
                            assert_eq!(
                                (c.decision, c.via, c.state_error),
                                (before.decision, before.via, before.state_error),
                                "{cell}: an operation without one"
                            );
                            assert_eq!(m.reason(&c), plain.reason(&before), "{cell}");
                            continue;
                        }
                        let full = check_cell_with(&s, &opts, &pr.arn, &key.id, op).unwrap();
                        assert_eq!(c.decision, full.decision, "{cell}: decision");
                        assert_eq!(c.via, full.via, "{cell}: via");
                        assert_eq!(c.state_error, full.state_error, "{cell}: state");
                        assert_eq!(m.reason(&c), full.deciding.join(", "), "{cell}: deciding");
                        checked += 1;
                        if c.state_error != before.state_error && c.decision == before.decision {
                            by_gate += 1;
                        } else if c.decision != before.decision {
                            if c.via == Via::Grant || before.via == Via::Grant {
                                by_grant += 1;
                            } else {
                                by_policy += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 5_000,
        "only {checked} cells checked in {contexts} contexts"
    );
    assert!(
        by_policy > 0,
        "no encryption context changed a policy decision"
    );
    assert!(
        by_grant > 0,
        "no encryption context met or missed a grant constraint"
    );
    assert!(
        by_gate > 0,
        "no encryption context was refused by a key's type"
    );
}

/// The operations the matrix gives the encryption context to are those whose call takes one
/// in the runner: every other operation refuses the parameter as not its own.
#[test]
fn the_operations_with_an_encryption_context_are_the_runners() {
    use kmslab_engine::kms::model::takes_encryption_context;
    let s = parse_scenario(SMALL).unwrap();
    let caller = "arn:aws:iam::111122223333:user/alice";
    let mut taking = Vec::new();
    for op in kmslab_engine::matrix::operations() {
        let (call, param) = match op {
            "ReEncryptFrom" => ("ReEncrypt", "SourceEncryptionContext"),
            "ReEncryptTo" => ("ReEncrypt", "DestinationEncryptionContext"),
            _ => (op, "EncryptionContext"),
        };
        // Only the parameter: the runner refuses a parameter an operation does not take
        // before anything else.
        let mut input = serde_json::json!({});
        input[param] = serde_json::json!({ "app": "nps" });
        let refused = match run_scenario(&one_call_with(&s, caller, call, input)) {
            Err(e) => e.to_string().contains("is not a parameter of"),
            Ok(_) => false,
        };
        assert_eq!(!refused, takes_encryption_context(op), "{op}");
        if !refused {
            taking.push(op);
        }
    }
    assert_eq!(
        taking,
        [
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo"
        ]
    );
}

/// The matrix's request with an encryption context is the runner's: for Encrypt and
/// GenerateDataKey (calls that take only the key, the context and a size), a real call of every
/// principal on every key with the context ends as the cell says. Scenarios whose policies test
/// kms:EncryptionAlgorithm are left out (the runner's call has one; a matrix cell none), and so
/// are keys in custom key stores (the runner then asks the store's backend).
#[test]
fn the_runner_agrees_with_cells_that_carry_an_encryption_context() {
    let mut compared = 0usize;
    for (name, src, s) in corpus_with_sources() {
        if src.contains("kms:EncryptionAlgorithm") {
            continue;
        }
        let ecs = encryption_contexts(&src);
        // The matching context (or the one nothing mentions).
        let ec = ecs.get(2).or(ecs.get(1)).unwrap().clone();
        let opts = MatrixOptions {
            encryption_context: ec.clone(),
            ..MatrixOptions::default()
        };
        let m = access_matrix(&s, &opts).unwrap();
        for (p, pr) in m.principals.iter().enumerate() {
            for (k, key) in m.keys.iter().enumerate() {
                let def = s.keys.iter().find(|d| d.id == key.id).unwrap();
                if def.key_store.is_some() {
                    continue;
                }
                for op in ["Encrypt", "GenerateDataKey"] {
                    let o = m.operations.iter().position(|x| *x == op).unwrap();
                    let c = m.cell(p, k, o).unwrap();
                    let mut input =
                        serde_json::json!({ "KeyId": key.arn, "EncryptionContext": ec });
                    if op == "Encrypt" {
                        input["Plaintext"] = "aGk=".into();
                        if matches!(def.spec, kmslab_engine::kms::model::KeySpec::Pair(_)) {
                            input["EncryptionAlgorithm"] = "RSAES_OAEP_SHA_256".into();
                        }
                    } else {
                        input["KeySpec"] = "AES_256".into();
                    }
                    let r = run_scenario(&one_call_with(&s, &pr.arn, op, input)).unwrap();
                    let step = &r.steps[0];
                    let cell = format!("{name} with {ec:?}: {} x {} x {op}", pr.arn, key.id);
                    assert_eq!(step.decision, runner_decision(c), "{cell}: {step:?}");
                    let want_error = match (c.decision, c.state_error) {
                        (Decision::Allow, None) => None,
                        (Decision::Allow, Some(e)) => Some(e.as_str().to_string()),
                        _ => Some("AccessDeniedException".to_string()),
                    };
                    assert_eq!(step.error, want_error, "{cell}: {step:?}");
                    if let Some(t) = &step.trace {
                        assert_eq!(m.reason(&c), t.deciding.join(", "), "{cell}");
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 300, "only {compared} calls compared");
}

const SMALL_EC: &str = r#"{"kmslab":1,
  "defaults":{"account":"111122223333","region":"us-east-1","time":"2026-11-22T12:00:00Z"},
  "iam":{"users":[{"name":"nps"},{"name":"bob"},
    {"name":"admin","inline":{"all":{"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"kms:*","Resource":"*"}]}}}]},
  "keys":[{"id":"1234abcd-12ab-34cd-56ef-1234567890ab","policy":{"Version":"2012-10-17","Statement":[
      {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
      {"Sid":"NpsDecrypt","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/nps"},
       "Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*",
       "Condition":{"StringEquals":{"kms:EncryptionContext:app":"nps"}}}]}},
    {"id":"5678abcd-12ab-34cd-56ef-1234567890ab","spec":"RSA_2048","usage":"ENCRYPT_DECRYPT"}],
  "grants":[{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","grantee":"arn:aws:iam::111122223333:user/bob",
             "operations":["Decrypt","DescribeKey","CreateGrant"],"grantId":"g-bob",
             "constraints":{"encryptionContextSubset":{"dept":"it"}}}],
  "steps":[]}"#;

#[test]
fn an_encryption_context_decides_conditions_constraints_and_key_types() {
    let s = parse_scenario(SMALL_EC).unwrap();
    let with = |pairs: &[(&str, &str)]| {
        access_matrix(
            &s,
            &MatrixOptions {
                encryption_context: ec(pairs),
                ..MatrixOptions::default()
            },
        )
        .unwrap()
    };
    let none = with(&[]);
    let p = |arn: &str| {
        none.principals
            .iter()
            .position(|x| x.arn.ends_with(arn))
            .unwrap()
    };
    let k = |id: &str| none.keys.iter().position(|x| x.id.starts_with(id)).unwrap();
    let o = |op: &str| none.operations.iter().position(|x| *x == op).unwrap();
    let (nps, bob, admin) = (p("user/nps"), p("user/bob"), p("user/admin"));
    let (key, rsa) = (k("1234"), k("5678"));
    let outcome = |m: &kmslab_engine::matrix::AccessMatrix, p, k, op| {
        let c = m.cell(p, k, o(op)).unwrap();
        (c.outcome(), c.via)
    };

    // The key policy allows nps Decrypt with app=nps only: without encryption context, with
    // another value, with it.
    assert_eq!(
        outcome(&none, nps, key, "Decrypt"),
        (Outcome::ImplicitDeny, Via::Nothing)
    );
    let nps_ctx = with(&[("app", "nps")]);
    assert_eq!(nps_ctx.encryption_context, ec(&[("app", "nps")]));
    assert_eq!(
        outcome(&nps_ctx, nps, key, "Decrypt"),
        (Outcome::Allowed, Via::KeyPolicy)
    );
    assert!(nps_ctx
        .reason(&nps_ctx.cell(nps, key, o("Decrypt")).unwrap())
        .contains("key-policy:NpsDecrypt"));
    assert_eq!(
        outcome(&with(&[("app", "x")]), nps, key, "Decrypt"),
        (Outcome::ImplicitDeny, Via::Nothing)
    );
    // The condition key's name is case-insensitive, as in the runner.
    assert_eq!(
        outcome(&with(&[("APP", "nps")]), nps, key, "Decrypt"),
        (Outcome::Allowed, Via::KeyPolicy)
    );
    // DescribeKey takes no encryption context: its cell has none, whatever the matrix's.
    assert_eq!(
        outcome(&nps_ctx, nps, key, "DescribeKey"),
        (Outcome::ImplicitDeny, Via::Nothing)
    );

    // The grant's EncryptionContextSubset dept=it: met by a context with that pair (and more),
    // not by none; DescribeKey ignores it, and CreateGrant's request has no encryption context
    // (its grant constraint is judged against the new grant's constraint, here none).
    assert_eq!(
        outcome(&none, bob, key, "Decrypt"),
        (Outcome::ImplicitDeny, Via::Nothing)
    );
    let it = with(&[("dept", "it"), ("app", "nps")]);
    assert_eq!(
        outcome(&it, bob, key, "Decrypt"),
        (Outcome::Allowed, Via::Grant)
    );
    assert_eq!(
        outcome(&it, bob, key, "ReEncryptFrom"),
        (Outcome::ImplicitDeny, Via::Nothing)
    );
    assert_eq!(
        outcome(&none, bob, key, "DescribeKey"),
        (Outcome::Allowed, Via::Grant)
    );
    assert_eq!(
        outcome(&it, bob, key, "CreateGrant"),
        (Outcome::ImplicitDeny, Via::Nothing)
    );
    assert_eq!(
        outcome(&with(&[("dept", "IT")]), bob, key, "Decrypt"),
        (Outcome::ImplicitDeny, Via::Nothing),
        "constraint values compare exactly"
    );

    // An RSA key: Encrypt with an encryption context is authorized, then refused; Decrypt reads
    // it for authorization only (as the runner does); without one, Encrypt runs.
    assert_eq!(
        outcome(&none, admin, rsa, "Encrypt"),
        (Outcome::Allowed, Via::KeyPolicyAndIam)
    );
    let c = nps_ctx.cell(admin, rsa, o("Encrypt")).unwrap();
    assert_eq!(c.outcome(), Outcome::AllowedButStateRefuses);
    assert_eq!(c.state_error.unwrap().as_str(), "ValidationException");
    assert_eq!(
        outcome(&nps_ctx, admin, rsa, "Decrypt"),
        (Outcome::Allowed, Via::KeyPolicyAndIam)
    );

    // A cell's trace has the encryption context's condition keys and the grant's verdict, and
    // the refusal's message.
    let t = trace_for(&s, &it, bob, key, o("Decrypt")).unwrap();
    assert_eq!(t.decision, Some(Decision::Allow));
    let trace = t.trace.unwrap();
    let ctx = &trace.request.context;
    assert!(
        ctx.iter().any(|(k, _)| k == "kms:EncryptionContext:dept"),
        "{ctx:?}"
    );
    assert!(trace.grants.iter().any(|g| g.applies && g.constraint_holds));
    let t = trace_for(&s, &it, bob, key, o("DescribeKey")).unwrap();
    let ctx = &t.trace.unwrap().request.context;
    assert!(
        !ctx.iter()
            .any(|(k, _)| k.starts_with("kms:EncryptionContext")),
        "{ctx:?}"
    );
    let t = trace_for(&s, &nps_ctx, admin, rsa, o("Encrypt")).unwrap();
    assert_eq!(t.error.as_deref(), Some("ValidationException"));
    assert_eq!(
        t.message.as_deref(),
        Some("EncryptionContext is not supported with asymmetric keys")
    );

    // Every cell is the full path's with the same options.
    let opts = MatrixOptions {
        encryption_context: ec(&[("dept", "it"), ("app", "nps")]),
        ..MatrixOptions::default()
    };
    for (pi, pr) in it.principals.iter().enumerate() {
        for (ki, kd) in it.keys.iter().enumerate() {
            for (oi, op) in it.operations.iter().enumerate() {
                let c = it.cell(pi, ki, oi).unwrap();
                let full = check_cell_with(&s, &opts, &pr.arn, &kd.id, op).unwrap();
                assert_eq!(
                    (c.decision, c.via, c.state_error),
                    (full.decision, full.via, full.state_error),
                    "{} x {} x {op}",
                    pr.arn,
                    kd.id
                );
            }
        }
    }

    // KMS's size limit, before authorization.
    let big = "x".repeat(8200);
    let e = access_matrix(
        &s,
        &MatrixOptions {
            encryption_context: ec(&[("big", &big)]),
            ..MatrixOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the encryption context would be refused before authorization: Encryption context exceeds the 8192-byte limit"
    );
}

#[test]
fn the_request_context_points_encryption_context_keys_to_the_option() {
    let s = parse_scenario(SMALL).unwrap();
    let opts = MatrixOptions {
        context: vec![(
            "kms:EncryptionContext:app".into(),
            ContextValue::Single("nps".into()),
        )],
        ..MatrixOptions::default()
    };
    assert_eq!(
        access_matrix(&s, &opts).unwrap_err().to_string(),
        "`kms:EncryptionContext:app` comes from a request's encryption context: give the encryption context itself in the matrix's encryption context option instead (the operations that take one carry it, and grant constraints read it)"
    );
}
