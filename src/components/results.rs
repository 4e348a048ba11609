//! The results table: one row per step, with pass/fail against its `expect`.

use super::decision_class;
use kmslab_engine::RunReport;
use leptos::prelude::*;

/// Every step's decision and error; clicking a row selects it.
#[component]
pub fn ResultsTable(
    /// The last run, or its error.
    report: RwSignal<Option<Result<RunReport, String>>>,
    /// The selected step's index.
    selected: RwSignal<Option<usize>>,
) -> impl IntoView {
    move || {
        match report.get() {
        None => view! { <p class="hint">"Press “Run all steps” to run the scenario, or compose a request below."</p> }.into_any(),
        Some(Err(e)) => view! { <p class="parse-error" role="alert" data-testid="run-error">{e}</p> }.into_any(),
        Some(Ok(r)) => {
            let summary = format!("{} passed, {} failed", r.passed, r.failed);
            view! {
                <div class="results" data-testid="results">
                    <h2>"Results " <span class="summary" data-testid="summary">{summary}</span></h2>
                    <table>
                        <thead><tr><th>"Step"</th><th>"Call"</th><th>"Caller"</th><th>"Decision"</th><th>"Error"</th><th>"Expect"</th></tr></thead>
                        <tbody>
                            {r.steps.into_iter().map(|s| {
                                let idx = s.index;
                                let expect = match &s.expectation {
                                    Some(e) if e.passed => "pass",
                                    Some(_) => "FAIL",
                                    None => "",
                                };
                                let caller = s.caller.clone().unwrap_or_default();
                                let short = caller.rsplit(':').next().unwrap_or_default().to_string();
                                view! {
                                    <tr
                                        data-testid=format!("step-row-{}", s.id)
                                        class:selected=move || selected.get() == Some(idx)
                                        tabindex="0"
                                        on:click=move |_| selected.set(Some(idx))
                                        on:keydown=move |ev| if ev.key() == "Enter" { selected.set(Some(idx)) }
                                    >
                                        <td>{s.id.clone()}</td>
                                        <td><code>{s.call.clone().unwrap_or_else(|| "(advance)".into())}</code></td>
                                        <td title=caller>{short}</td>
                                        <td><span class=format!("badge {}", decision_class(s.decision)) data-testid="row-decision">{s.decision.map_or("-", |d| d.as_str())}</span></td>
                                        <td>{s.error.clone().unwrap_or_default()}</td>
                                        <td class=format!("expect {}", expect.to_lowercase())>{expect}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }
    }
    }
}
