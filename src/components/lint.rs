//! Policy findings for the scenario being edited.

use kmslab_engine::json::Pos;
use kmslab_engine::lint::{lint_scenario, Severity};
use kmslab_engine::parse_scenario;
use leptos::prelude::*;

/// Lists the engine's lint findings for the current text (nothing while it does not parse).
#[component]
pub fn LintPanel(
    /// The scenario text.
    text: RwSignal<String>,
    /// Set to a finding's position when its line is clicked (the editor moves the caret there).
    jump: RwSignal<Option<Pos>>,
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
                    let pos = f.pos;
                    let located = pos.line > 0;
                    view! {
                        <li class=format!("finding {sev}") data-testid=format!("finding-{}", f.code)>
                            <span class="badge">{sev}</span>
                            " "
                            {located.then(|| view! {
                                <button type="button" class="link" title="Show in the editor" on:click=move |_| jump.set(Some(pos))>
                                    {format!("line {}", pos.line)}
                                </button>
                                ": "
                            })}
                            {f.message.clone()}
                            <span class="finding-where">{format!(" ({}, {}, {})", f.policy, f.path, f.code)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
