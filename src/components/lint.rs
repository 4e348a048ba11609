//! Policy findings for the scenario being edited: severity badge, location, message, and where
//! in the document (policy and JSON path); clicking the location moves the editor's caret there.

use crate::markdown::code_spans;
use kmslab_engine::json::Pos;
use kmslab_engine::lint::{lint_scenario, Finding, Severity};
use leptos::prelude::*;

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Suggestion => "suggestion",
    }
}

/// "2 errors, 1 warning": how many findings of each severity there are.
fn counts(findings: &[Finding]) -> String {
    let parts: Vec<String> = [Severity::Error, Severity::Warning, Severity::Suggestion]
        .into_iter()
        .filter_map(|sev| {
            let n = findings.iter().filter(|f| f.severity == sev).count();
            (n > 0).then(|| {
                format!(
                    "{n} {}{}",
                    severity_name(sev),
                    if n == 1 { "" } else { "s" }
                )
            })
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn finding_view(f: Finding, jump: RwSignal<Option<Pos>>) -> impl IntoView {
    let sev = severity_name(f.severity);
    let pos = f.pos;
    let located = pos.line > 0;
    view! {
        <li class=format!("finding {sev}") data-testid=format!("finding-{}", f.code) data-severity=sev>
            <span class="badge" data-testid="finding-severity">{sev}</span>
            " "
            {located.then(|| view! {
                <button type="button" class="link" title=format!("Show line {}, column {} in the editor", pos.line, pos.column)
                    data-testid="finding-location" on:click=move |_| jump.set(Some(pos))>
                    {format!("line {}", pos.line)}
                </button>
                <span class="finding-column">{format!(":{}", pos.column)}</span>
                " "
            })}
            <span class="finding-message">{code_spans(&f.message)}</span>
            <span class="finding-where">
                " ("<code class="finding-code">{f.code}</code>" in "{f.policy}", at "<code>{f.path}</code>")"
            </span>
        </li>
    }
}

/// Lists the engine's lint findings for the current text (nothing while it does not parse).
#[component]
pub fn LintPanel(
    /// The scenario text.
    text: RwSignal<String>,
    /// Set to a finding's position when its location is clicked (the editor moves the caret
    /// there).
    jump: RwSignal<Option<Pos>>,
) -> impl IntoView {
    let findings = Memo::new(move |_| {
        text.with(|t| {
            crate::cache::scenario(t)
                .map(|s| lint_scenario(&s))
                .unwrap_or_default()
        })
    });
    view! {
        <details class="lint" data-testid="lint" open=move || findings.with(|f| !f.is_empty())>
            <summary>
                {move || format!("Policy findings ({})", findings.with(Vec::len))}
                <span class="lint-counts" data-testid="lint-counts">{move || findings.with(|f| format!(" — {}", counts(f)))}</span>
            </summary>
            <ul>
                {move || findings.get().into_iter().map(|f| finding_view(f, jump)).collect_view()}
            </ul>
        </details>
    }
}
