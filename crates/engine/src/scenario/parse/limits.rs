//! Budgets that keep a scenario from hanging the tab: the document's size, its longest string,
//! its number of steps, and the policy evaluation work a run may do. Each is far above what a
//! hand-written or shared scenario needs, and each refusal is a located error that says which
//! limit and by how much, rather than a page that stops responding.

use crate::json::{Json, JsonPath, JsonValue, Pos};
use crate::scenario::read::error_at;
use crate::scenario::ScenarioError;

/// The largest scenario document read: the largest a share link carries
/// ([`crate::share::MAX_TEXT_BYTES`], 4 MiB), so every scenario that parses can be shared.
pub const MAX_SCENARIO_BYTES: usize = crate::share::MAX_TEXT_BYTES;
/// The longest string value: twice the largest policy a string can hold (a 32 KB key policy
/// given to `PutKeyPolicy` as text). Wildcard matching is linear in pattern times text, so this
/// bounds the cost of one match.
pub const MAX_STRING_CHARS: usize = 65_536;
/// The most steps in one scenario.
pub const MAX_STEPS: usize = 10_000;
/// The most RSA key generation one run may do, in RSA_2048 generations
/// ([`crate::crypto::asym::PairSpec::generation_cost`]: RSA_3072 counts 4, RSA_4096 10, ECC
/// nothing): about ten seconds in the browser, where one RSA_4096 pair takes 2 to 5 s. Every
/// pair an import's `GetParametersForImport`, a `GenerateDataKeyPair` or the first use of an
/// RSA key derives is charged, whether or not a memo already holds it, so the same scenario
/// stops at the same step everywhere.
pub const KEY_GENERATION_BUDGET: u32 = 40;
/// The most statement evaluations a run may need: steps times the policy statements in the
/// scenario (each step evaluates at most every statement once). About a second of work in the
/// browser.
pub const EVALUATION_BUDGET: u64 = 1_000_000;

/// Refuses a document over [`MAX_SCENARIO_BYTES`] before reading it.
pub fn check_document_size(src: &str) -> Result<(), ScenarioError> {
    if src.len() > MAX_SCENARIO_BYTES {
        return Err(error_at(
            &JsonPath::root(),
            Pos { line: 1, column: 1 },
            format!(
                "the scenario is {} bytes; kmslab reads at most {MAX_SCENARIO_BYTES} (4 MiB)",
                src.len()
            ),
        ));
    }
    Ok(())
}

/// What a walk over the document counted.
#[derive(Debug, Default)]
pub struct Census {
    /// Policy statements anywhere in the document (`Statement` members).
    pub statements: u64,
}

/// One step of a path, recorded only on the way back from an error.
enum Seg {
    Key(String),
    Index(usize),
}

/// Walks the whole document: refuses a string over [`MAX_STRING_CHARS`] (at its path) and
/// counts policy statements for [`check_budget`].
pub fn census(doc: &Json) -> Result<Census, ScenarioError> {
    let mut c = Census::default();
    if let Some((mut segs, pos, len)) = walk(doc, &mut c) {
        segs.reverse();
        let path = segs.iter().fold(JsonPath::root(), |p, s| match s {
            Seg::Key(k) => p.key(k),
            Seg::Index(i) => p.index(*i),
        });
        return Err(error_at(
            &path,
            pos,
            format!("the string is {len} characters; kmslab accepts at most {MAX_STRING_CHARS} in one value"),
        ));
    }
    Ok(c)
}

fn walk(j: &Json, c: &mut Census) -> Option<(Vec<Seg>, Pos, usize)> {
    match &j.value {
        JsonValue::String(s) => {
            // Bytes bound characters from above: count characters only when it matters.
            let len = if s.len() > MAX_STRING_CHARS {
                s.chars().count()
            } else {
                0
            };
            (len > MAX_STRING_CHARS).then(|| (Vec::new(), j.pos, len))
        }
        JsonValue::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            walk(item, c).map(|mut e| {
                e.0.push(Seg::Index(i));
                e
            })
        }),
        JsonValue::Object(members) => members.iter().find_map(|m| {
            if m.key == "Statement" {
                c.statements += match &m.value.value {
                    JsonValue::Array(items) => items.len() as u64,
                    _ => 1,
                };
            }
            walk(&m.value, c).map(|mut e| {
                e.0.push(Seg::Key(m.key.clone()));
                e
            })
        }),
        _ => None,
    }
}

/// Refuses more than [`MAX_STEPS`] steps (at the first step over), and a scenario whose steps
/// times statements exceed [`EVALUATION_BUDGET`] (at `steps`).
pub fn check_steps(
    steps: &[Json],
    steps_path: &JsonPath,
    steps_pos: Pos,
    census: &Census,
) -> Result<(), ScenarioError> {
    if let Some(extra) = steps.get(MAX_STEPS) {
        return Err(error_at(
            &steps_path.index(MAX_STEPS),
            extra.pos,
            format!(
                "the scenario has {} steps; kmslab runs at most {MAX_STEPS}",
                steps.len()
            ),
        ));
    }
    let work = (steps.len() as u64).saturating_mul(census.statements);
    if work > EVALUATION_BUDGET {
        return Err(error_at(
            steps_path,
            steps_pos,
            format!(
                "{} steps over {} policy statements could need {work} statement evaluations; kmslab's budget is {EVALUATION_BUDGET}, so the page stays responsive: split the scenario",
                steps.len(),
                census.statements
            ),
        ));
    }
    Ok(())
}
