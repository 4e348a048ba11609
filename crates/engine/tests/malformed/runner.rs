//! Runs the malformed-input catalogue (`catalogue.json` beside this file) through the engine's
//! public entry points and compares each error, as the user would read it, with the expected
//! text. Shared by the native test (`tests/malformed.rs`) and the browser test
//! (`tests/engine_wasm.rs` of the app), so both targets check the same cases and messages.
//!
//! A case is `{ "name", "kind", "input", "error" }`. `input` is a string, or an array of
//! strings and `{ "repeat": "...", "times": N }` parts that are concatenated (for deep nesting
//! and oversized values). The kinds:
//! - `json`: [`kmslab_engine::json::parse`];
//! - `scenario`: [`kmslab_engine::parse_scenario`];
//! - `run`: parse (must succeed), then [`kmslab_engine::run_scenario`]; the error is the run's
//!   error, or else the first failed step as `step <id>: <Exception>: <message>` (for a step
//!   that did not run, `<message>` is where and why);
//! - `policy` / `scp` / `key-policy`: [`kmslab_engine::lint::check_policy_text`] (identity,
//!   service control) and [`kmslab_engine::lint::check_key_policy_text`];
//! - `policy-lint`: an identity policy that parses but can never work as written (an unknown
//!   condition operator, which AWS evaluates as never matching): the first error finding of
//!   [`kmslab_engine::lint::check_policy_text`], as `<line:col>: at <path>: <message> [<code>]`;
//! - `share`: [`kmslab_engine::share::decode`];
//! - `ciphertext`: [`kmslab_engine::crypto::parse_blob`] on the hex-decoded input.

// Test support: a malformed catalogue is a bug in the test data, so it panics.
#![allow(clippy::panic)]

use kmslab_engine::iam::policy::PolicyKind;
use kmslab_engine::json::{self, Json, JsonValue};
use kmslab_engine::lint::Severity;

/// One catalogue entry.
pub struct Case {
    /// A unique, descriptive name.
    pub name: String,
    /// Which entry point reads the input.
    pub kind: String,
    /// The broken input.
    pub input: String,
    /// The exact error text expected.
    pub error: String,
}

/// Reads the catalogue. Panics on a malformed catalogue: that is a bug in the test data.
pub fn cases(catalogue: &str) -> Vec<Case> {
    let doc = json::parse(catalogue).unwrap_or_else(|e| panic!("catalogue.json: {e}"));
    let JsonValue::Array(items) = &doc.value else {
        panic!("catalogue.json must be an array")
    };
    items
        .iter()
        .map(|c| {
            let s = |k: &str| {
                c.get(k)
                    .and_then(Json::as_str)
                    .unwrap_or_else(|| panic!("case at {}: missing string `{k}`", c.pos))
                    .to_string()
            };
            Case {
                name: s("name"),
                kind: s("kind"),
                input: input(
                    c.get("input")
                        .unwrap_or_else(|| panic!("no input at {}", c.pos)),
                ),
                error: s("error"),
            }
        })
        .collect()
}

fn input(j: &Json) -> String {
    match &j.value {
        JsonValue::String(s) => s.clone(),
        JsonValue::Array(parts) => parts.iter().map(input).collect(),
        JsonValue::Object(_) => {
            let text = j.get("repeat").and_then(Json::as_str).unwrap_or_default();
            let times = match j.get("times").map(|t| &t.value) {
                Some(JsonValue::Number(n)) => n.parse::<usize>().unwrap_or(0),
                _ => 0,
            };
            text.repeat(times)
        }
        _ => panic!("input parts are strings or repeats, at {}", j.pos),
    }
}

/// The error the engine gives for `case`, as displayed to the user, or why there was none.
pub fn actual(case: &Case) -> String {
    let text = case.input.as_str();
    match case.kind.as_str() {
        "json" => match json::parse(text) {
            Ok(_) => "no error: the JSON parsed".into(),
            Err(e) => e.to_string(),
        },
        "scenario" => match kmslab_engine::parse_scenario(text) {
            Ok(_) => "no error: the scenario parsed".into(),
            Err(e) => e.to_string(),
        },
        "run" => match kmslab_engine::parse_scenario(text) {
            Err(e) => format!("parse error instead of a run error: {e}"),
            Ok(s) => match kmslab_engine::run_scenario(&s) {
                Err(e) => e.to_string(),
                Ok(r) => r
                    .steps
                    .iter()
                    .find_map(|st| {
                        st.error.as_ref().map(|err| {
                            // A step that did not run has no AWS message: its located reason.
                            let message = match &st.not_run {
                                Some(why) => why.to_string(),
                                None => st.message.clone().unwrap_or_default(),
                            };
                            format!("step {}: {err}: {message}", st.id)
                        })
                    })
                    .unwrap_or_else(|| "no error: every step ran".into()),
            },
        },
        "policy" | "scp" | "key-policy" => {
            let check = match case.kind.as_str() {
                "policy" => kmslab_engine::lint::check_policy_text(text, PolicyKind::Identity, "p"),
                "scp" => kmslab_engine::lint::check_policy_text(text, PolicyKind::Scp, "p"),
                _ => kmslab_engine::lint::check_key_policy_text(text, "p"),
            };
            match check.error {
                Some(e) => e.to_string(),
                None => "no error: the policy parsed".into(),
            }
        }
        "policy-lint" => {
            let check = kmslab_engine::lint::check_policy_text(text, PolicyKind::Identity, "p");
            match (
                check.error,
                check
                    .findings
                    .iter()
                    .find(|f| f.severity == Severity::Error),
            ) {
                (Some(e), _) => format!("parse error instead of a finding: {e}"),
                (None, Some(f)) => format!("{}: at {}: {} [{}]", f.pos, f.path, f.message, f.code),
                (None, None) => "no error finding".into(),
            }
        }
        "share" => match kmslab_engine::share::decode(text) {
            Ok(_) => "no error: the link decoded".into(),
            Err(e) => e.to_string(),
        },
        "ciphertext" => match hex(text) {
            None => "the catalogue's hex is malformed".into(),
            Some(bytes) => match kmslab_engine::crypto::parse_blob(&bytes) {
                Ok(_) => "no error: the blob parsed".into(),
                Err(e) => e.to_string(),
            },
        },
        other => format!("unknown case kind `{other}`"),
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    let s: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    s.chunks(2)
        .map(|p| match p {
            [a, b] => Some((a.to_digit(16)? * 16 + b.to_digit(16)?) as u8),
            _ => None,
        })
        .collect()
}

/// Runs every case and returns one line per mismatch (empty when all match). Also checks that
/// names are unique, so a failure names one case.
pub fn mismatches(catalogue: &str) -> (usize, Vec<String>) {
    let cases = cases(catalogue);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in &cases {
        if !seen.insert(c.name.clone()) {
            out.push(format!("duplicate case name `{}`", c.name));
        }
        let got = actual(c);
        if got != c.error {
            out.push(format!(
                "case `{}` ({}):\n  expected: {}\n  actual:   {}",
                c.name, c.kind, c.error, got
            ));
        }
    }
    (cases.len(), out)
}
