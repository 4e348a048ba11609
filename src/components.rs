//! The app's components. Each renders an engine value; none decides anything.

mod byok;
mod compose;
mod editor;
mod examples;
mod file_open;
mod grants;
mod iam;
mod key_policy;
mod keystores;
mod kms;
mod labs;
mod library;
mod lint;
mod matrix;
mod policy_diff;
mod proxy_calls;
mod results;
mod sections;
mod trace_view;

pub use byok::ByokWrap;
pub use compose::{ComposeForm, RequestDraft};
pub use editor::Editor;
pub use examples::ExamplePicker;
pub use file_open::OpenFile;
pub use grants::GrantsPanel;
pub use iam::IamConsole;
pub use key_policy::KeyPolicyEditor;
pub use keystores::KeyStoresPanel;
pub use kms::KmsConsole;
pub use labs::Labs;
pub use library::Library;
pub use lint::LintPanel;
pub use matrix::AccessMatrix;
pub use policy_diff::{line_diff, DiffLine, PolicyVersions};
pub use proxy_calls::ProxyCalls;
pub use results::ResultsTable;
pub use sections::SectionForms;
pub use trace_view::TraceView;

use kmslab_engine::{Decision, StepResult};
use leptos::prelude::*;

/// The CSS class for a decision.
pub fn decision_class(d: Option<Decision>) -> &'static str {
    match d {
        Some(Decision::Allow) => "allow",
        Some(Decision::ExplicitDeny) => "deny",
        Some(Decision::ImplicitDeny) => "implicit",
        None => "none",
    }
}

/// The decision, error and reason of a step, on one line.
pub fn outcome_line(step: &StepResult) -> impl IntoView {
    let decision = step.decision.map_or("no decision", |d| d.as_str());
    let error = step.error.clone().unwrap_or_else(|| "success".into());
    let message = step.message.clone();
    view! {
        <p class="outcome">
            <span class=format!("badge {}", decision_class(step.decision)) data-testid="decision">{decision}</span>
            " "
            <span class="error-name" data-testid="error">{error}</span>
            " — "
            <span data-testid="reason">{step.reason.clone()}</span>
        </p>
        {message.map(|m| view! { <p class="aws-message" data-testid="message">{m}</p> })}
    }
}
