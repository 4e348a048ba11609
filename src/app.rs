//! The app's root: the scenario text (the one source of truth), autosave, and the panels.

use crate::components::{ComposeForm, Editor, ExamplePicker, LintPanel, ResultsTable, TraceView};
use crate::examples::EXAMPLES;
use crate::storage;
use kmslab_engine::{parse_scenario, run_scenario, RunReport, StepResult};
use leptos::prelude::*;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let initial = storage::load()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| EXAMPLES.first().map(|e| e.source.to_string()))
        .unwrap_or_default();
    let text = RwSignal::new(initial);
    let save_error = RwSignal::new(None::<String>);
    // Autosave every edit; a failure is shown, never swallowed.
    Effect::new(move |_| {
        let t = text.get();
        save_error.set(storage::save(&t).err());
    });
    let parsed = Memo::new(move |_| parse_scenario(&text.get()).map(|_| ()));
    let report = RwSignal::new(None::<Result<RunReport, String>>);
    let selected = RwSignal::new(None::<usize>);
    let adhoc = RwSignal::new(None::<Result<StepResult, String>>);

    let run_all = move |_| {
        let result = parse_scenario(&text.get_untracked())
            .and_then(|s| run_scenario(&s))
            .map_err(|e| e.to_string());
        let first_failure = result.as_ref().ok().and_then(|r| {
            r.steps
                .iter()
                .position(|s| s.expectation.as_ref().is_some_and(|e| !e.passed))
        });
        selected.set(first_failure.or(Some(0)));
        report.set(Some(result));
    };
    let load_example = move |source: String| {
        text.set(source);
        report.set(None);
        selected.set(None);
        adhoc.set(None);
    };
    let selected_trace = move || {
        let idx = selected.get()?;
        report.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.steps.get(idx).cloned())
        })
    };

    view! {
        <header class="top">
            <h1>"kmslab"</h1>
            <p class="tagline">"AWS IAM + KMS playground: every decision explained"</p>
            <ExamplePicker on_load=load_example />
        </header>
        <main class="layout">
            <section class="pane editor-pane">
                <div class="pane-head">
                    <h2>"Scenario"</h2>
                    <button data-testid="run-all" on:click=run_all disabled=move || parsed.with(|p| p.is_err())>
                        "Run all steps"
                    </button>
                </div>
                <Editor text=text error=Signal::derive(move || parsed.get().err()) />
                <Show when=move || save_error.with(|e| e.is_some())>
                    <p class="warn" data-testid="save-error">
                        "Not saved in this browser: " {move || save_error.get().unwrap_or_default()}
                        " — export your text before closing the tab."
                    </p>
                </Show>
                <LintPanel text=text />
            </section>
            <section class="pane results-pane">
                <ResultsTable report=report selected=selected />
                {move || selected_trace().map(|step| view! { <StepDetail step=step /> })}
                <ComposeForm text=text result=adhoc />
            </section>
        </main>
    }
}

/// One step's outcome and trace.
#[component]
fn StepDetail(
    /// The step result to show.
    step: StepResult,
) -> impl IntoView {
    let title = format!(
        "Step {} — {}",
        step.id,
        step.call.clone().unwrap_or_else(|| "(advance)".into())
    );
    view! {
        <div class="step-detail" data-testid="step-detail">
            <h3>{title}</h3>
            {crate::components::outcome_line(&step)}
            {step.output.as_ref().map(|o| {
                let pretty = serde_json::to_string_pretty(o).unwrap_or_default();
                view! { <details class="output"><summary>"Output"</summary><pre data-testid="output">{pretty}</pre></details> }
            })}
            {step.trace.clone().map(|t| view! { <TraceView trace=t /> })}
        </div>
    }
}
