//! `kmslab`: run scenario files and lint policies from the command line (and in CI).
//!
//! `kmslab run [--trace] [--json] FILE...` prints each step's decision, error and reason, checks
//! every `expect`, and ends with `N passed, N failed`. Exit status: 0 when all expectations hold,
//! 1 when any fails, 2 when a file cannot be read or is not a valid scenario.
//!
//! `kmslab lab check LAB.json [SCENARIO.json]` checks a lab's tasks against a scenario (the lab's
//! own starting scenario when none is given): a line per task, ✓ or ✗, and why a task fails.
//! Exit status: 0 when every task passes, 1 when one fails, 2 on bad input.
//!
//! `kmslab matrix [OPTIONS] FILE` prints the scenario's access matrix (see [`matrix`]).

mod matrix;

/// `println!` for standard output that survives a reader going away (`kmslab run ... | head`):
/// the rest of the output is dropped, and the exit status still says how the run went.
macro_rules! outln {
    ($($t:tt)*) => { $crate::emit(format_args!("{}\n", format_args!($($t)*))) };
}
/// `print!`, as [`outln!`].
macro_rules! out {
    ($($t:tt)*) => { $crate::emit(format_args!($($t)*)) };
}
pub(crate) use {out, outln};

thread_local! {
    static STDOUT_GONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Writes to standard output; once the reader has gone (a broken pipe), writes nothing more.
pub(crate) fn emit(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if STDOUT_GONE.get() {
        return;
    }
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        STDOUT_GONE.set(true);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("kmslab: cannot write to standard output: {e}");
        }
    }
}

use kmslab_engine::crypto::asym::PairCache;
use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::json::{self, JsonPath};
use kmslab_engine::lab::check_lab;
use kmslab_engine::lint::{lint_policy, lint_scenario, Finding, Severity};
use kmslab_engine::parse_scenario;
use kmslab_engine::scenario::{run_scenario_with, RunOptions};
use kmslab_engine::trace::{hints, summarize};
use std::process::ExitCode;

const USAGE: &str = "kmslab: an AWS IAM + KMS playground

usage:
  kmslab run [--trace] [--json] FILE...   run scenarios and check their expectations
  kmslab lint FILE...                     report findings in a scenario's policies, or in a policy document
  kmslab lab check LAB [SCENARIO]         check a lab's tasks against SCENARIO (default: the lab's start)
  kmslab matrix [OPTIONS] FILE            who may do what with which key (`kmslab matrix --help`)
  kmslab --version

exit status: 0 all expectations hold (lint: no errors), 1 an expectation failed (lint: an error
finding), 2 a file cannot be read or is not a valid scenario or policy";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("lint") => lint(&args[1..]),
        Some("lab") => lab(&args[1..]),
        Some("matrix") if args.get(1).is_some_and(|a| a == "--help" || a == "-h") => {
            outln!("{}", matrix::USAGE);
            ExitCode::SUCCESS
        }
        Some("matrix") => matrix::main(&args[1..]),
        Some("--version" | "-V") => {
            outln!("kmslab {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            outln!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("kmslab: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

struct RunOpts {
    trace: bool,
    json: bool,
    files: Vec<String>,
}

fn parse_opts(args: &[String]) -> Result<RunOpts, String> {
    let mut o = RunOpts {
        trace: false,
        json: false,
        files: Vec::new(),
    };
    for a in args {
        match a.as_str() {
            "--trace" => o.trace = true,
            "--json" => o.json = true,
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
            f => o.files.push(f.to_string()),
        }
    }
    if o.files.is_empty() {
        return Err("no scenario file given".into());
    }
    Ok(o)
}

fn read(file: &str) -> Result<String, String> {
    if file == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("-: cannot read standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(file).map_err(|e| format!("{file}: cannot read: {e}"))
}

fn run(args: &[String]) -> ExitCode {
    let opts = match parse_opts(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kmslab run: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut bad_file = false;
    let mut json_out = Vec::new();
    // Scenarios with the same seed derive the same key pairs: generate each RSA pair once.
    let pairs = PairCache::default();
    let run_opts = RunOptions {
        pairs: Some(&pairs),
    };
    for file in &opts.files {
        let report = read(file).and_then(|src| {
            let s = parse_scenario(&src).map_err(|e| e.in_file(file).to_string())?;
            run_scenario_with(&s, run_opts).map_err(|e| e.in_file(file).to_string())
        });
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                bad_file = true;
                continue;
            }
        };
        passed += report.passed;
        failed += report.failed;
        if opts.json {
            for s in &report.steps {
                json_out.push(serde_json::json!({
                    "file": file,
                    "id": s.id,
                    "call": s.call,
                    "caller": s.caller,
                    "resource": s.resource,
                    // The context keys the step supplied, in their order.
                    "context": s
                        .context
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::json!(v)))
                        .collect::<serde_json::Map<String, serde_json::Value>>(),
                    "decision": s.decision,
                    "error": s.error,
                    "message": s.message,
                    "reason": s.reason,
                    "output": s.output,
                    "authorizationOnly": s.authorization_only,
                    "expectation": s.expectation,
                    // Why the step did not run (a reference it cannot resolve), located.
                    "notRun": s.not_run,
                    "trace": s.trace,
                    "proxyCalls": s.proxy_calls,
                }));
            }
            continue;
        }
        outln!(
            "{file}: {}",
            report.title.as_deref().unwrap_or("(untitled)")
        );
        for s in &report.steps {
            let mark = match &s.expectation {
                Some(e) if e.passed => "pass",
                Some(_) => "FAIL",
                None => "    ",
            };
            let decision = s.decision.map_or("-", |d| d.as_str());
            let err = s.error.as_deref().unwrap_or("success");
            let call = s.call.as_deref().unwrap_or("(advance)");
            outln!(
                "  {mark} {:<16} {call:<28} {decision:<13} {err:<28} {}",
                s.id,
                s.reason
            );
            if let Some(e) = &s.expectation {
                for f in &e.failures {
                    outln!("         expected: {f}");
                }
            }
            if opts.trace {
                if let Some(t) = &s.trace {
                    // The plain-language summary and what would change the outcome come first.
                    outln!("         | {}", summarize(t).line());
                    for h in hints(t) {
                        outln!("         |   hint: {}", h.text);
                    }
                    for l in t.to_text().lines() {
                        outln!("         | {l}");
                    }
                }
                // Calls to an external key store's proxy, with its own authorization.
                for c in &s.proxy_calls {
                    let status = c
                        .response_status
                        .map_or_else(|| "no answer".to_string(), |st| format!("HTTP {st}"));
                    outln!(
                        "         | [XKS proxy] {} {} -> {status} in {} ms",
                        c.method,
                        c.path,
                        c.elapsed_ms
                    );
                    if let Some(a) = &c.authorization {
                        outln!("         |   proxy authorization: {}", a.explanation);
                    }
                    if let Some(e) = &c.error {
                        outln!("         |   KMS answers {}: {}", e.exception, e.message);
                    }
                }
            }
        }
    }
    if opts.json {
        match serde_json::to_string_pretty(&json_out) {
            Ok(s) => outln!("{s}"),
            Err(e) => eprintln!("error: cannot serialize results: {e}"),
        }
    }
    // With --json, standard output stays one JSON document; the summary goes to standard error.
    if opts.json {
        eprintln!("{passed} passed, {failed} failed");
    } else {
        outln!("{passed} passed, {failed} failed");
    }
    if bad_file {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn lint(args: &[String]) -> ExitCode {
    if args.is_empty() {
        eprintln!("kmslab lint: no file given\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    let mut errors = false;
    for file in args {
        let findings: Result<Vec<Finding>, String> = read(file).and_then(|src| {
            let doc = json::parse(&src).map_err(|e| format!("{file}:{e}"))?;
            if doc.get("kmslab").is_some() {
                let s = parse_scenario(&src).map_err(|e| e.in_file(file).to_string())?;
                Ok(lint_scenario(&s))
            } else {
                let kind = if policy_has_principal(&doc) {
                    PolicyKind::Resource
                } else {
                    PolicyKind::Identity
                };
                let p = Policy::from_json(&doc, kind, &JsonPath::root())
                    .map_err(|e| format!("{file}:{e}"))?;
                let mut out = Vec::new();
                lint_policy(&p, file, &JsonPath::root(), &mut out);
                Ok(out)
            }
        });
        match findings {
            Ok(fs) => {
                for f in &fs {
                    let sev = match f.severity {
                        Severity::Error => {
                            errors = true;
                            "error"
                        }
                        Severity::Warning => "warning",
                        Severity::Suggestion => "suggestion",
                    };
                    outln!(
                        "{file}:{}: {sev}[{}]: {} ({}, at {})",
                        f.pos,
                        f.code,
                        f.message,
                        f.policy,
                        f.path
                    );
                }
                if fs.is_empty() {
                    outln!("{file}: no findings");
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                status = ExitCode::from(2);
            }
        }
    }
    if status == ExitCode::SUCCESS && errors {
        ExitCode::from(1)
    } else {
        status
    }
}

fn policy_has_principal(doc: &json::Json) -> bool {
    let stmts = match doc.get("Statement") {
        Some(s) => s,
        None => return false,
    };
    let has = |s: &json::Json| s.get("Principal").is_some() || s.get("NotPrincipal").is_some();
    match &stmts.value {
        json::JsonValue::Array(items) => items.iter().any(has),
        _ => has(stmts),
    }
}

fn lab(args: &[String]) -> ExitCode {
    let (lab_file, scenario_file) = match args {
        [cmd, lab] if cmd == "check" => (lab, lab),
        [cmd, lab, scenario] if cmd == "check" => (lab, scenario),
        _ => {
            eprintln!("kmslab lab: write `kmslab lab check LAB.json [SCENARIO.json]`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let parsed = |file: &str| {
        read(file).and_then(|src| parse_scenario(&src).map_err(|e| e.in_file(file).to_string()))
    };
    let inputs = parsed(lab_file).and_then(|start| {
        let lab = start
            .lab
            .clone()
            .ok_or_else(|| format!("{lab_file}: not a lab (the scenario has no `lab` object)"))?;
        let user = if scenario_file == lab_file {
            start
        } else {
            parsed(scenario_file)?
        };
        Ok((lab, user))
    });
    let (lab, user) = match inputs {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = check_lab(&lab, &user);
    outln!(
        "{scenario_file}: lab {} ({})",
        lab.id,
        user.title.as_deref().unwrap_or("untitled")
    );
    for (task, status) in lab.tasks.iter().zip(&report.tasks) {
        let mark = if status.passed { "✓" } else { "✗" };
        outln!("  {mark} {:<24} {}", task.id, task.title);
        for f in &status.failures {
            outln!("      - {f}");
        }
    }
    outln!("{} of {} tasks pass", report.passed(), report.tasks.len());
    if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
