//! One parse and one run per text: every screen reads the same scenario text, and each used to
//! parse (and the consoles to run) it on its own at every edit. The last result is kept here,
//! keyed by the exact text (and console log), so the second caller gets it for the cost of a
//! string comparison. Single-threaded (the app's wasm), so a thread-local is the whole story.
//!
//! The key pairs runs derive are remembered across texts too ([`PairCache`]): an edit re-runs
//! the scenario, and without the memo every keystroke in a scenario with an import or an RSA key
//! would generate its RSA pairs again (a quarter of a second each in wasm).

use kmslab_engine::crypto::asym::PairCache;
use kmslab_engine::scenario::{run_with_steps, RunOptions};
use kmslab_engine::{parse_scenario, RunReport, Scenario, ScenarioError};
use std::cell::RefCell;
use std::sync::Arc;

/// A parse kept with the text it came from.
type Parsed = (String, Result<Arc<Scenario>, ScenarioError>);
/// A run kept with its text and the console steps it appended.
type Ran = (String, Vec<serde_json::Value>, Result<RunReport, String>);

thread_local! {
    static PARSED: RefCell<Option<Parsed>> = const { RefCell::new(None) };
    static RAN: RefCell<Option<Ran>> = const { RefCell::new(None) };
    static PAIRS: PairCache = PairCache::default();
}

/// Calls `f` with the run options every run in the app uses (the shared key-pair memo).
pub fn with_options<T>(f: impl FnOnce(RunOptions<'_>) -> T) -> T {
    PAIRS.with(|pairs| f(RunOptions { pairs: Some(pairs) }))
}

/// The scenario `text` describes (parsed once per distinct text).
pub fn scenario(text: &str) -> Result<Arc<Scenario>, ScenarioError> {
    PARSED.with(|cell| {
        if let Some((t, r)) = cell.borrow().as_ref() {
            if t == text {
                return r.clone();
            }
        }
        let r = parse_scenario(text).map(Arc::new);
        *cell.borrow_mut() = Some((text.to_string(), r.clone()));
        r
    })
}

/// The scenario run with `log` appended (the consoles' calls); run once per distinct input.
pub fn run_with(text: &str, log: &[serde_json::Value]) -> Result<RunReport, String> {
    RAN.with(|cell| {
        if let Some((t, l, r)) = cell.borrow().as_ref() {
            if t == text && l == log {
                return r.clone();
            }
        }
        let r = with_options(|opts| run_with_steps(text, log, opts)).map_err(|e| e.to_string());
        *cell.borrow_mut() = Some((text.to_string(), log.to_vec(), r.clone()));
        r
    })
}
