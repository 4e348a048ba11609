//! The KMS console: the keys and grants of the simulated world, and a form that runs KMS
//! operations as a chosen principal. Calls run after the scenario's own steps; their log can be
//! saved into the scenario as steps.

use super::{outcome_line, TraceView};
use kmslab_engine::kms::ops::{example_input, OPERATIONS};
use kmslab_engine::scenario::with_steps;
use kmslab_engine::{parse_scenario, run_scenario, RunReport, StepResult};
use leptos::prelude::*;

/// Runs the scenario with the console's calls appended; returns the report.
fn run_with(text: &str, log: &[serde_json::Value]) -> Result<RunReport, String> {
    let doc = with_steps(text, log).map_err(|e| e.to_string())?;
    let s = parse_scenario(&doc).map_err(|e| e.to_string())?;
    run_scenario(&s).map_err(|e| e.to_string())
}

/// The KMS console.
#[component]
pub fn KmsConsole(
    /// The scenario text (its world is where the calls run; Save writes the calls into it).
    text: RwSignal<String>,
) -> impl IntoView {
    let log = RwSignal::new(Vec::<serde_json::Value>::new());
    let report = RwSignal::new(None::<Result<RunReport, String>>);
    let last = RwSignal::new(None::<StepResult>);
    let principals = Memo::new(move |_| {
        text.with(|t| {
            parse_scenario(t)
                .map(|s| s.principal_arns())
                .unwrap_or_default()
        })
    });
    let first_key = move || {
        text.with(|t| {
            parse_scenario(t).ok().and_then(|s| {
                s.keys
                    .first()
                    .map(|k| k.aliases.first().cloned().unwrap_or_else(|| k.id.clone()))
            })
        })
        .unwrap_or_else(|| "alias/example".into())
    };
    let caller = RwSignal::new(String::new());
    let op = RwSignal::new(String::from("Encrypt"));
    let input = RwSignal::new(String::new());
    Effect::new(move |_| {
        if caller.with_untracked(String::is_empty) {
            if let Some(p) = principals.with(|p| p.first().cloned()) {
                caller.set(p);
            }
        }
    });
    let fill_template = move || {
        let tpl = example_input(&op.get_untracked(), &first_key());
        input.set(serde_json::to_string_pretty(&tpl).unwrap_or_default());
    };
    fill_template();
    let refresh = move || report.set(Some(run_with(&text.get_untracked(), &log.get_untracked())));

    let run_call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed: Result<serde_json::Value, String> =
            serde_json::from_str(&input.get_untracked())
                .map_err(|e| format!("the input is not JSON: {e}"));
        let step = parsed.map(|inp| {
            let n = log.with_untracked(Vec::len) + 1;
            serde_json::json!({
                "id": format!("console-{n}"),
                "caller": caller.get_untracked(),
                "call": format!("kms:{}", op.get_untracked()),
                "input": inp,
            })
        });
        match step {
            Ok(step) => {
                let mut next = log.get_untracked();
                next.push(step);
                let r = run_with(&text.get_untracked(), &next);
                match &r {
                    Ok(rep) => {
                        last.set(rep.steps.last().cloned());
                        log.set(next);
                    }
                    Err(_) => last.set(None),
                }
                report.set(Some(r));
            }
            Err(e) => report.set(Some(Err(e))),
        }
    };
    let save = move |_| {
        if let Ok(doc) = with_steps(&text.get_untracked(), &log.get_untracked()) {
            text.set(doc);
            log.set(Vec::new());
        }
    };

    view! {
        <section class="kms" data-testid="kms-console">
            <div class="pane-head">
                <h2>"KMS console"</h2>
                <button type="button" data-testid="kms-refresh" on:click=move |_| refresh()>"Show keys and grants"</button>
            </div>
            <form class="compose" on:submit=run_call>
                <label>
                    <span>"Caller"</span>
                    <select data-testid="kms-caller" on:change=move |ev| caller.set(event_target_value(&ev)) prop:value=move || caller.get()>
                        {move || principals.get().into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Operation"</span>
                    <select data-testid="kms-op" prop:value=move || op.get() on:change=move |ev| { op.set(event_target_value(&ev)); fill_template(); }>
                        {OPERATIONS.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Input"</span>
                    <textarea data-testid="kms-input" rows="6" spellcheck="false" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))></textarea>
                </label>
                <p class="hint">"Binary fields are base64. Refer to earlier calls as ${console-1.CiphertextBlob}."</p>
                <div class="buttons">
                    <button type="submit" data-testid="kms-run">"Run call"</button>
                    " "
                    <button type="button" data-testid="kms-save" on:click=save disabled=move || log.with(Vec::is_empty)>
                        {move || format!("Save {} call(s) into the scenario", log.with(Vec::len))}
                    </button>
                </div>
            </form>
            {move || last.get().map(|s| view! {
                <div class="step-detail" data-testid="kms-result">
                    <h3>{format!("{} — {}", s.id, s.call.clone().unwrap_or_default())}</h3>
                    {outcome_line(&s)}
                    {s.output.as_ref().map(|o| view! { <pre class="output" data-testid="kms-output">{serde_json::to_string_pretty(o).unwrap_or_default()}</pre> })}
                    {s.trace.clone().map(|t| view! { <details class="trace-box"><summary>"Decision trace"</summary><TraceView trace=t /></details> })}
                </div>
            })}
            {move || match report.get() {
                Some(Err(e)) => view! { <p class="parse-error" role="alert" data-testid="kms-error">{e}</p> }.into_any(),
                Some(Ok(r)) => view! {
                    <div class="kms-world" data-testid="kms-keys">
                        <h3>"Keys"</h3>
                        <table>
                            <thead><tr><th>"Key"</th><th>"Aliases"</th><th>"State"</th><th>"Rotation"</th><th>"Policy"</th></tr></thead>
                            <tbody>
                                {r.kms.keys.into_iter().map(|k| view! {
                                    <tr data-testid=format!("key-{}", k.id)>
                                        <td><code title=k.arn.clone()>{k.id.clone()}</code><br/><small>{k.description.clone()}</small></td>
                                        <td>{k.aliases.join(", ")}</td>
                                        <td data-testid="key-state">{k.state.clone()}{k.deletion_date.map(|d| format!(" (deleted at {d})")).unwrap_or_default()}</td>
                                        <td>{if k.rotation_enabled { "automatic" } else { "off" }}{format!(", {} rotations", k.rotations)}</td>
                                        <td><details><summary>"view"</summary><pre>{k.policy.clone()}</pre></details></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <h3>"Grants"</h3>
                        <ul data-testid="kms-grants">
                            {r.kms.grants.into_iter().map(|g| view! {
                                <li class:retired=g.deleted>
                                    <code>{g.id.chars().take(12).collect::<String>()}"…"</code>
                                    {format!(" on {} to {} for [{}]{}{}", g.key_id, g.grantee, g.operations.join(", "),
                                        g.constraint.map(|c| format!(", {c}")).unwrap_or_default(),
                                        if g.deleted { " (retired/revoked)" } else { "" })}
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                None => view! { <span></span> }.into_any(),
            }}
        </section>
    }
}
