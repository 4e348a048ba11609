//! The labs under `scenarios/labs/`: each parses, its starting state leaves work to do, its
//! solution (`solutions/`) passes every task, and each typical wrong attempt (`wrong/`) fails
//! the task it names, with a message that says why.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::lab::{check_lab, check_lab_with, Lab};
use kmslab_engine::parse_scenario;
use kmslab_engine::scenario::RunOptions;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/labs")
}

fn json_files(d: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    out.sort();
    out
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Every lab: its file stem and its lab.
fn labs() -> Vec<(String, Lab)> {
    json_files(&dir())
        .iter()
        .map(|p| {
            let src = std::fs::read_to_string(p).unwrap();
            let s = parse_scenario(&src).unwrap_or_else(|e| panic!("{}", e.in_file(&stem(p))));
            let lab = s
                .lab
                .unwrap_or_else(|| panic!("{}: a lab file needs a `lab` object", stem(p)));
            (stem(p), lab)
        })
        .collect()
}

/// The lab's report on a file, checked twice: without a key-pair memo and through one shared
/// by every check (as the app does), which must not change a word of it.
fn check_file(lab: &Lab, p: &Path) -> kmslab_engine::lab::LabReport {
    let src = std::fs::read_to_string(p).unwrap();
    let s = parse_scenario(&src).unwrap_or_else(|e| panic!("{}", e.in_file(&stem(p))));
    let plain = check_lab_with(lab, &s, RunOptions::default());
    let memo = check_lab(lab, &s);
    assert_eq!(plain, memo, "{}: the memo changed the report", stem(p));
    memo
}

#[test]
fn the_labs_are_well_formed() {
    let labs = labs();
    let seeds = labs
        .iter()
        .filter(|(_, l)| l.track == kmslab_engine::lab::Track::Seeds)
        .count();
    let course = labs.len() - seeds;
    assert!(
        seeds >= 5 && course >= 5,
        "{seeds} seed labs and {course} course labs: the product has one per seed walkthrough and a course of at least five"
    );
    let mut ids = BTreeSet::new();
    let mut orders = BTreeSet::new();
    for (name, lab) in &labs {
        assert!(ids.insert(lab.id.clone()), "{name}: duplicate lab id");
        assert!(
            orders.insert((lab.track, lab.order)),
            "{name}: duplicate order in its track"
        );
        assert!(
            (2..=5).contains(&lab.tasks.len()),
            "{name}: {} tasks, a lab has 2 to 5",
            lab.tasks.len()
        );
        for t in &lab.tasks {
            assert!(!t.hints.is_empty(), "{name}: task `{}` has no hint", t.id);
        }
    }
}

#[test]
fn each_start_leaves_work_and_each_solution_passes() {
    for (name, lab) in labs() {
        let start = check_file(&lab, &dir().join(format!("{name}.json")));
        assert!(
            !start.complete(),
            "{name}: the starting scenario already passes every task"
        );
        let sol = dir().join("solutions").join(format!("{name}.json"));
        assert!(sol.exists(), "{name}: no solution in solutions/");
        let report = check_file(&lab, &sol);
        let failing: Vec<String> = report
            .tasks
            .iter()
            .filter(|t| !t.passed)
            .map(|t| format!("{}: {}", t.id, t.failures.join(" | ")))
            .collect();
        assert!(
            failing.is_empty(),
            "{name}: the solution fails:\n{}",
            failing.join("\n")
        );
    }
}

#[test]
fn each_wrong_attempt_fails_its_task_and_says_why() {
    let labs = labs();
    let mut per_lab: BTreeSet<String> = BTreeSet::new();
    let wrong = json_files(&dir().join("wrong"));
    assert!(!wrong.is_empty());
    for p in &wrong {
        let file = stem(p);
        let (name, lab) = labs
            .iter()
            .find(|(n, _)| file.starts_with(&format!("{n}-")))
            .unwrap_or_else(|| panic!("{file}: no lab named by its prefix"));
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let task = meta["x-wrong"]["task"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: needs `x-wrong.task`"));
        let mentions = meta["x-wrong"]["mentions"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: needs `x-wrong.mentions`"));
        let report = check_file(lab, p);
        let status = report
            .tasks
            .iter()
            .find(|t| t.id.0 == task)
            .unwrap_or_else(|| panic!("{file}: lab {name} has no task `{task}`"));
        assert!(!status.passed, "{file}: task `{task}` passes");
        assert!(
            status.failures.iter().any(|f| f.contains(mentions)),
            "{file}: no failure of `{task}` mentions `{mentions}`: {:?}",
            status.failures
        );
        per_lab.insert(name.clone());
    }
    for (name, _) in &labs {
        assert!(per_lab.contains(name), "{name}: no wrong attempt in wrong/");
    }
}
