//! Scenarios: the JSON contract between engine, CLI, app and tests (format version 1).
//!
//! [`parse_scenario`] reads a document into a [`Scenario`], refusing anything the format does
//! not define (except `x-` fields) with a [`ScenarioError`] that names the line, column and
//! JSON path. [`run_scenario`] runs its steps in order against the simulated world and checks
//! each step's `expect`.

mod edit;
mod model;
mod parse;
pub(crate) mod read;
mod run;
pub(crate) use run::initial_grants;
mod world;

pub use edit::{
    edit_value, next_step_id, run_with_steps, with_key_policy, with_steps, with_value, DocEdit,
    PathStep,
};
pub use model::*;
pub use parse::limits;
pub use parse::parse_scenario;
pub(crate) use read::{error_at, Node};
pub use run::{
    evaluate_adhoc, run_scenario, run_scenario_with, world_after_steps, AdHocRequest,
    ExpectationResult, Run, RunOptions, RunReport, StepResult, UNRESOLVED_REFERENCE,
};
pub(crate) use world::is_derived_key;
pub use world::unique_id;

use crate::json::Pos;
use std::fmt;

/// A document that is not a valid scenario, or a step that cannot run (a reference to a missing
/// step output). Says where: file (when known), line, column and JSON path; for a request a form
/// composed, the form's field in the message instead (no position, an empty path).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub struct ScenarioError {
    /// The file, when the caller knows it.
    pub file: Option<String>,
    /// The JSON path of the problem (`$.steps[3].caller`).
    pub path: String,
    /// Its line and column.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

impl ScenarioError {
    /// The same error, naming `file`.
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_string());
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        // Line 0 is no place in any document (a request built by a form): no position, and
        // the message names the form's field instead of a path.
        if self.pos.line > 0 {
            write!(f, "{}: ", self.pos)?;
        } else if self.file.is_some() {
            f.write_str(" ")?;
        }
        if !self.path.is_empty() {
            write!(f, "at {}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}
