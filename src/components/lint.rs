//! Policy findings for the scenario being edited.

use kmslab_engine::lint::{lint_scenario, Severity};
use kmslab_engine::parse_scenario;
use leptos::prelude::*;

/// Lists the engine's lint findings for the current text (nothing while it does not parse).
#[component]
pub fn LintPanel(
    /// The scenario text.
    text: RwSignal<String>,
) -> impl IntoView {
    let findings = Memo::new(move |_| {
        text.with(|t| {
            parse_scenario(t)
                .map(|s| lint_scenario(&s))
                .unwrap_or_default()
        })
    });
    view! {
        <details class="lint" data-testid="lint" open=move || findings.with(|f| !f.is_empty())>
            <summary>{move || format!("Policy findings ({})", findings.with(Vec::len))}</summary>
            <ul>
                {move || findings.get().into_iter().map(|f| {
                    let sev = match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Suggestion => "suggestion",
                    };
                    view! {
                        <li class=format!("finding {sev}")>
                            <span class="badge">{sev}</span>
                            {format!(" line {}: {} ({}, {})", f.pos.line, f.message, f.policy, f.code)}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
