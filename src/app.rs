//! The app's root: the scenario text (the one source of truth), autosave, and the panels.

use crate::components::{
    ComposeForm, Editor, ExamplePicker, IamConsole, KmsConsole, LintPanel, RequestDraft,
    ResultsTable, TraceView,
};
use crate::examples::EXAMPLES;
use crate::storage;
use kmslab_engine::json::Pos;
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
    // What loading an example or a file replaced, kept (and autosaved) until dismissed.
    let replaced = RwSignal::new(storage::load_replaced());
    Effect::new(move |_| {
        let r = replaced.get();
        if let Err(e) = storage::save_replaced(r.as_deref()) {
            save_error.set(Some(e));
        }
    });
    let parsed = Memo::new(move |_| parse_scenario(&text.get()).map(|_| ()));
    let report = RwSignal::new(None::<Result<RunReport, String>>);
    // The text the report was computed from: the results say so when the text has changed.
    let ran_text = RwSignal::new(None::<String>);
    let stale =
        Memo::new(move |_| ran_text.with(|r| r.as_ref().is_some_and(|r| text.with(|t| t != r))));
    let selected = RwSignal::new(None::<usize>);
    let adhoc = RwSignal::new(None::<Result<StepResult, String>>);
    let draft = RequestDraft::new();
    let jump = RwSignal::new(None::<Pos>);

    let run_all = move |_| {
        let source = text.get_untracked();
        let result = parse_scenario(&source)
            .and_then(|s| run_scenario(&s))
            .map_err(|e| e.to_string());
        let first_failure = result.as_ref().ok().and_then(|r| {
            r.steps
                .iter()
                .position(|s| s.expectation.as_ref().is_some_and(|e| !e.passed))
        });
        selected.set(first_failure.or(Some(0)));
        report.set(Some(result));
        ran_text.set(Some(source));
    };
    let load_example = move |source: String| {
        let current = text.get_untracked();
        let is_own = !current.trim().is_empty()
            && current != source
            && !EXAMPLES.iter().any(|e| e.source == current);
        if is_own {
            replaced.set(Some(current));
        }
        text.set(source);
        report.set(None);
        ran_text.set(None);
        selected.set(None);
        adhoc.set(None);
    };
    // Swaps the replaced text back in; what was shown is kept in its place.
    let restore = move |_| {
        if let Some(previous) = replaced.get_untracked() {
            let shown = text.get_untracked();
            text.set(previous);
            replaced.set(Some(shown));
            report.set(None);
            ran_text.set(None);
            selected.set(None);
        }
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
                <Show when=move || replaced.with(|r| r.is_some())>
                    <p class="notice" data-testid="replaced-notice">
                        "Your earlier text was replaced and is kept here. "
                        <button type="button" data-testid="restore" on:click=restore>"Swap it back"</button>
                        " "
                        <button type="button" class="secondary" data-testid="forget-replaced" on:click=move |_| replaced.set(None)>"Forget it"</button>
                    </p>
                </Show>
                <Editor text=text error=Signal::derive(move || parsed.get().err()) jump=jump />
                <Show when=move || save_error.with(|e| e.is_some())>
                    <p class="warn" data-testid="save-error">
                        "Not saved in this browser: " {move || save_error.get().unwrap_or_default()}
                        " — export your text before closing the tab."
                    </p>
                </Show>
                <LintPanel text=text jump=jump />
            </section>
            <section class="pane results-pane">
                <Show when=move || stale.get()>
                    <p class="notice" data-testid="stale">"The scenario changed since this run. Run again to update the results."</p>
                </Show>
                <ResultsTable report=report selected=selected />
                {move || selected_trace().map(|step| view! { <StepDetail step=step draft=draft /> })}
                <ComposeForm text=text draft=draft result=adhoc />
                <KmsConsole text=text />
                <IamConsole text=text />
            </section>
        </main>
    }
}

/// One step's outcome and trace.
#[component]
fn StepDetail(
    /// The step result to show.
    step: StepResult,
    /// The compose form, which "Compose from this step" fills.
    draft: RequestDraft,
) -> impl IntoView {
    let can_compose = step.call.is_some();
    let for_form = step.clone();
    let compose_from = move |_| {
        draft.fill_from(&for_form);
        scroll_to("compose");
    };
    let title = format!(
        "Step {} — {}",
        step.id,
        step.call.clone().unwrap_or_else(|| "(advance)".into())
    );
    view! {
        <div class="step-detail" data-testid="step-detail">
            <div class="pane-head">
                <h3>{title}</h3>
                {can_compose.then(|| view! {
                    <button type="button" class="secondary" data-testid="compose-from-step" on:click=compose_from>
                        "Compose from this step"
                    </button>
                })}
            </div>
            {crate::components::outcome_line(&step)}
            {step.expectation.as_ref().filter(|e| !e.passed).map(|e| view! {
                <ul class="expect-failures" data-testid="expect-failures">
                    {e.failures.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}
                </ul>
            })}
            {step.output.as_ref().map(|o| {
                let pretty = serde_json::to_string_pretty(o).unwrap_or_default();
                view! { <details class="output"><summary>"Output"</summary><pre data-testid="output">{pretty}</pre></details> }
            })}
            {step.trace.clone().map(|t| view! { <TraceView trace=t /> })}
        </div>
    }
}

/// Scrolls the element with `id` into view (nothing happens when it is absent).
fn scroll_to(id: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        el.scroll_into_view();
    }
}
