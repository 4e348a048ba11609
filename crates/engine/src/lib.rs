//! kmslab's engine: a pure, deterministic simulation of AWS IAM policy evaluation and KMS.
//!
//! Nothing here performs I/O or reads the host clock or a random source: a scenario's clock and
//! generator are part of its input, so every run is reproducible byte for byte, natively and in
//! the browser. A decision is a value with its reasons ([`iam::evaluate::Response`]), and the
//! [`trace::Trace`] explains it statement by statement.

pub mod b64;
pub mod crypto;
pub mod iam;
pub mod identity;
pub mod json;
pub mod keystore;
pub mod kms;
pub mod lab;
pub mod lint;
pub mod matrix;
pub mod scenario;
pub mod share;
pub mod time;
pub mod trace;

pub use scenario::{parse_scenario, run_scenario, RunReport, Scenario, ScenarioError, StepResult};
pub use trace::{Decision, Trace};
