//! The KMS console: the keys and grants of the simulated world, and a form that runs KMS
//! operations as a chosen principal. Calls run after the scenario's own steps; their log can be
//! saved into the scenario as steps. The key-policy editor and the grants panel make their
//! calls through the same log, as the same caller.

use super::{outcome_line, GrantsPanel, KeyPolicyEditor, KeyStoresPanel, ProxyCalls, TraceView};
use kmslab_engine::json::{self, JsonValue};
use kmslab_engine::kms::ops::{example_input, OPERATIONS};
use kmslab_engine::kms::view::KmsView;
use kmslab_engine::scenario::{next_step_id, with_steps};
use kmslab_engine::{RunReport, Scenario, StepResult};
use leptos::prelude::*;
use std::sync::Arc;

/// Runs the scenario with the console's calls appended; returns the report.
fn run_with(text: &str, log: &[serde_json::Value]) -> Result<RunReport, String> {
    crate::cache::run_with(text, log)
}

/// Whether `r` (a key id, alias, key ARN or alias ARN) names one of the scenario's keys.
fn names_key(s: &Scenario, r: &str) -> bool {
    s.keys.iter().any(|k| {
        r == k.id
            || r.ends_with(&format!(":key/{}", k.id))
            || k.aliases
                .iter()
                .any(|a| r == a || r.ends_with(&format!(":{a}")))
    })
}

/// The `KeyId` of a console input, when it is a JSON object with one.
fn key_id_of(input: &str) -> Option<String> {
    json::parse(input)
        .ok()?
        .get("KeyId")?
        .as_str()
        .map(str::to_string)
}

/// The console input with its `KeyId` set to `key` and the rest as the user wrote it.
fn with_key_id(input: &str, key: &str) -> Option<String> {
    let mut doc = json::parse(input).ok()?;
    let JsonValue::Object(members) = &mut doc.value else {
        return None;
    };
    let member = members.iter_mut().find(|m| m.key == "KeyId")?;
    member.value.value = JsonValue::String(key.to_string());
    Some(crate::splice::keep_layout(input, doc.to_pretty()))
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
            crate::cache::scenario(t)
                .map(|s| s.principal_arns())
                .unwrap_or_default()
        })
    });
    let first_key = move || {
        text.with(|t| {
            crate::cache::scenario(t).ok().and_then(|s| {
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
    // The caller is one of the scenario's principals: the first one at the start, and again
    // when a change of the scenario (another example, say) takes the chosen one away.
    Effect::new(move |_| {
        principals.with(|p| {
            if !p.is_empty() && caller.with_untracked(|c| !p.contains(c)) {
                caller.set(p.first().cloned().unwrap_or_default());
            }
        })
    });
    // The last template written into the input: a scenario change refreshes the input only
    // while it still holds that template, never text the user typed.
    let template = RwSignal::new(String::new());
    let fill_template = move || {
        let tpl = example_input(&op.get_untracked(), &first_key());
        let tpl = serde_json::to_string_pretty(&tpl).unwrap_or_default();
        template.set(tpl.clone());
        if input.with_untracked(|i| *i != tpl) {
            input.set(tpl);
        }
    };
    fill_template();
    let refresh = move || report.set(Some(run_with(&text.get_untracked(), &log.get_untracked())));

    // Appends one call to the log and runs the scenario with it; a call the scenario cannot
    // take (bad input JSON, a reference to a missing output) is reported and not logged.
    let submit = Callback::new(move |(operation, inp): (String, serde_json::Value)| {
        let id = log.with_untracked(|l| text.with_untracked(|t| next_step_id(t, l, "console")));
        let step = serde_json::json!({
            "id": id,
            "caller": caller.get_untracked(),
            "call": format!("kms:{operation}"),
            "input": inp,
        });
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
    });
    // A step that only lets simulated time pass (key store connections take minutes).
    let wait = Callback::new(move |duration: String| {
        let id = log.with_untracked(|l| text.with_untracked(|t| next_step_id(t, l, "console")));
        let mut next = log.get_untracked();
        next.push(serde_json::json!({ "id": id, "advance": duration }));
        let r = run_with(&text.get_untracked(), &next);
        if r.is_ok() {
            log.set(next);
        }
        report.set(Some(r));
    });
    let run_call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match serde_json::from_str::<serde_json::Value>(&input.get_untracked()) {
            Ok(inp) => submit.run((op.get_untracked(), inp)),
            Err(e) => report.set(Some(Err(format!("the input is not JSON: {e}")))),
        }
    };
    // The world after the last successful run (kept while a later call is refused).
    let world = RwSignal::new(KmsView::default());
    Effect::new(move |_| {
        if let Some(Ok(r)) = report.get() {
            world.set(r.kms);
        }
    });
    let keys = Signal::derive(move || world.with(|w| w.keys.clone()));
    let grants = Signal::derive(move || world.with(|w| w.grants.clone()));
    let stores = Signal::derive(move || world.with(|w| w.key_stores.clone()));
    let principal_list = Signal::derive(move || principals.get());
    // The world follows the scenario: an edit or a loaded example shows its keys and grants.
    // The input follows too: the untouched template names one of the new keys, and an input the
    // user wrote gets a new `KeyId` only when the key it named is gone (the rest is kept).
    Effect::new(move |prev: Option<Option<Arc<Scenario>>>| {
        let t = text.get();
        report.set(Some(run_with(&t, &log.get_untracked())));
        // Mid-edit text compares with the last scenario that read.
        let Ok(now) = crate::cache::scenario(&t) else {
            return prev.flatten();
        };
        if let Some(before) = prev.flatten() {
            let untouched = input.with_untracked(|i| template.with_untracked(|t| i == t));
            if untouched {
                fill_template();
            } else if let Some(edited) = input.with_untracked(|i| {
                let named = key_id_of(i)?;
                (names_key(&before, &named) && !names_key(&now, &named))
                    .then(|| with_key_id(i, &first_key()))
                    .flatten()
            }) {
                input.set(edited);
            }
        }
        Some(now)
    });
    let save = move |_| {
        if let Ok(doc) = with_steps(&text.get_untracked(), &log.get_untracked()) {
            text.set(text.with_untracked(|t| crate::splice::keep_layout(t, doc)));
            log.set(Vec::new());
        }
    };

    view! {
        <section class="kms" data-testid="kms-console">
            <div class="pane-head">
                <h2>"KMS console"</h2>
                <button type="button" data-testid="kms-refresh" on:click=move |_| refresh()>"Refresh"</button>
            </div>
            <form class="compose" on:submit=run_call>
                <label>
                    <span>"Caller"</span>
                    <select data-testid="kms-caller" on:change=move |ev| caller.set(event_target_value(&ev)) prop:value=move || caller.get()>
                        // Options made anew keep the chosen caller selected (the select's value would
                        // otherwise fall back to the first option while `caller` stays).
                        {move || principals.get().into_iter().map(|p| {
                            let selected = caller.with_untracked(|c| *c == p);
                            view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                        }).collect_view()}
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
                    <ProxyCalls calls={s.proxy_calls.iter().filter_map(|c| serde_json::to_value(c).ok()).collect::<Vec<_>>()} />
                </div>
            })}
            {move || match report.get() {
                Some(Err(e)) => Some(view! { <p class="parse-error" role="alert" data-testid="kms-error">{e}</p> }),
                _ => None,
            }}
            <div class="kms-world" data-testid="kms-keys">
                <h3>"Keys"</h3>
                <table>
                    <thead><tr><th>"Key"</th><th>"Aliases"</th><th>"State"</th><th>"Rotation"</th><th>"Tags"</th></tr></thead>
                    <tbody>
                        {move || keys.get().into_iter().map(|k| view! {
                            <tr data-testid=format!("key-{}", k.id)>
                                <td><code title=k.arn.clone()>{k.id.clone()}</code><br/><small>{k.description.clone()}</small></td>
                                <td>{k.aliases.join(", ")}</td>
                                <td data-testid="key-state">{k.state.clone()}{k.deletion_date.map(|d| format!(" (deleted at {d})")).unwrap_or_default()}</td>
                                <td>{if k.rotation_enabled { "automatic" } else { "off" }}{format!(", {} rotations", k.rotations)}</td>
                                <td>{k.tags.iter().map(|(a, b)| format!("{a}={b}")).collect::<Vec<_>>().join(", ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <KeyPolicyEditor keys=keys text=text call=submit />
            <GrantsPanel keys=keys grants=grants principals=principal_list call=submit />
            <KeyStoresPanel stores=stores text=text call=submit wait=wait />
        </section>
    }
}
