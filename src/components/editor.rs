//! The scenario editor: a textarea with line numbers, and the located parse error.

use kmslab_engine::ScenarioError;
use leptos::prelude::*;

/// A JSON editor bound to `text`.
#[component]
pub fn Editor(
    /// The scenario text; every keystroke writes it.
    text: RwSignal<String>,
    /// The current parse error, if any (its line is marked in the gutter).
    error: Signal<Option<ScenarioError>>,
) -> impl IntoView {
    let lines = move || text.with(|t| t.lines().count().max(1) + 1);
    let gutter = move || {
        let err_line = error.with(|e| e.as_ref().map(|e| e.pos.line as usize));
        (1..=lines())
            .map(|n| {
                let class = if Some(n) == err_line { "ln err" } else { "ln" };
                view! { <span class=class>{n}</span> }
            })
            .collect_view()
    };
    view! {
        <div class="editor">
            <div class="gutter" aria-hidden="true">{gutter}</div>
            <textarea
                data-testid="editor"
                aria-label="Scenario JSON"
                spellcheck="false"
                wrap="off"
                rows=lines
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
        </div>
        {move || error.get().map(|e| view! {
            <p class="parse-error" role="alert" data-testid="parse-error">
                {format!("line {}, column {}: at {}: {}", e.pos.line, e.pos.column, e.path, e.message)}
            </p>
        })}
    }
}
