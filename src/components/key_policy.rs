//! The key-policy editor of the KMS view: pick a key, edit its policy with line numbers, the
//! located error and the findings as you type, then either call PutKeyPolicy as the console's
//! caller (authorized, with AWS's lockout safety check) or make it the scenario's initial policy.

use super::Editor;
use kmslab_engine::json::Pos;
use kmslab_engine::kms::view::KeyView;
use kmslab_engine::lint::{check_key_policy_text, PolicyCheck, Severity};
use kmslab_engine::scenario::with_key_policy;
use kmslab_engine::ScenarioError;
use leptos::prelude::*;

/// Pretty-prints a policy text for editing; a text that is not JSON is kept as it is.
fn pretty(policy: &str) -> String {
    kmslab_engine::json::parse(policy)
        .map(|j| j.to_pretty())
        .unwrap_or_else(|_| policy.to_string())
}

/// The key-policy editor.
#[component]
pub fn KeyPolicyEditor(
    /// The keys of the world after the console's last run, with their current policies.
    keys: Signal<Vec<KeyView>>,
    /// The scenario text; "Make initial policy" rewrites the key's `policy` in it.
    text: RwSignal<String>,
    /// Runs a KMS call, `(operation, input)`, as the console's caller.
    call: Callback<(String, serde_json::Value)>,
) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let draft = RwSignal::new(String::new());
    let jump = RwSignal::new(None::<Pos>);
    let note = RwSignal::new(None::<Result<String, String>>);
    // The policy text the draft was opened from: while the user has not changed the draft, it
    // follows the world (a PutKeyPolicy call, another example); an edited draft is never replaced.
    let base = RwSignal::new(String::new());
    Effect::new(move |_| {
        let current = key.get_untracked();
        let (id, policy) = match keys.with(|ks| {
            ks.iter()
                .find(|k| k.id == current)
                .or_else(|| ks.first())
                .map(|k| (k.id.clone(), pretty(&k.policy)))
        }) {
            Some(found) => found,
            None => return,
        };
        let untouched = draft.with_untracked(|d| base.with_untracked(|b| d == b));
        if id != current || untouched {
            key.set(id);
            draft.set(policy.clone());
            base.set(policy);
        }
    });
    // Drafts of the other keys, kept while the user looks at another key's policy.
    let drafts = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let current_policy = move |id: &str| {
        keys.with_untracked(|ks| {
            ks.iter()
                .find(|k| k.id == id)
                .map(|k| pretty(&k.policy))
                .unwrap_or_default()
        })
    };
    let open_key = move |id: String| {
        let (old, text_now) = (key.get_untracked(), draft.get_untracked());
        drafts.update(|d| {
            d.insert(old, text_now);
        });
        let fresh = current_policy(&id);
        let next = drafts
            .with_untracked(|d| d.get(&id).cloned())
            .unwrap_or_else(|| fresh.clone());
        key.set(id);
        base.set(fresh);
        draft.set(next);
        note.set(None);
    };
    let reset = move |_| {
        let fresh = current_policy(&key.get_untracked());
        base.set(fresh.clone());
        draft.set(fresh);
        note.set(None);
    };
    let check = Memo::new(move |_| draft.with(|d| check_key_policy_text(d, &key.get())));
    let error = Signal::derive(move || {
        check.with(|c: &PolicyCheck| {
            c.error.as_ref().map(|e| ScenarioError {
                file: None,
                path: e.path.clone(),
                pos: e.pos,
                message: e.message.clone(),
            })
        })
    });
    let put = move |_| {
        note.set(None);
        call.run((
            "PutKeyPolicy".into(),
            serde_json::json!({
                "KeyId": key.get_untracked(),
                "PolicyName": "default",
                "Policy": draft.get_untracked(),
            }),
        ));
    };
    let make_initial = move |_| match with_key_policy(
        &text.get_untracked(),
        &key.get_untracked(),
        &draft.get_untracked(),
    ) {
        Ok(doc) => {
            text.set(text.with_untracked(|t| crate::splice::keep_layout(t, doc)));
            note.set(Some(Ok(format!(
                "The scenario now starts with this policy on {}.",
                key.get_untracked()
            ))));
        }
        Err(e) => note.set(Some(Err(e.to_string()))),
    };
    let invalid = move || check.with(|c| c.error.is_some());

    view! {
        <section class="key-policy" data-testid="key-policy">
            <h3>"Key policy"</h3>
            <label>
                <span>"Key"</span>
                <select data-testid="policy-key" prop:value=move || key.get() on:change=move |ev| open_key(event_target_value(&ev))>
                    {move || keys.get().into_iter().map(|k| {
                        let label = match k.aliases.first() {
                            Some(a) => format!("{} ({a})", k.id),
                            None => k.id.clone(),
                        };
                        // Options made anew keep the chosen key selected (the select would
                        // otherwise show its first option beside another key's policy).
                        let selected = key.with_untracked(|c| *c == k.id);
                        view! { <option value=k.id.clone() selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <Editor text=draft error=error jump=jump label="Key policy JSON" testid_prefix="policy-" />
            {move || {
                let findings = check.with(|c| c.findings.clone());
                (!findings.is_empty()).then(|| view! {
                    <ul class="lint" data-testid="policy-findings">
                        {findings.into_iter().map(|f| {
                            let sev = match f.severity {
                                Severity::Error => "error",
                                Severity::Warning => "warning",
                                Severity::Suggestion => "suggestion",
                            };
                            let pos = f.pos;
                            view! {
                                <li class=format!("finding {sev}") data-testid=format!("policy-finding-{}", f.code)>
                                    <span class="badge">{sev}</span>" "
                                    <button type="button" class="link" on:click=move |_| jump.set(Some(pos))>{format!("line {}", pos.line)}</button>
                                    {format!(": {} ({})", f.message, f.code)}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            <div class="buttons">
                <button type="button" data-testid="policy-put" on:click=put disabled=invalid
                    title="Runs kms:PutKeyPolicy as the caller chosen above: authorized by the current policy, with AWS's lockout safety check">
                    "Call PutKeyPolicy"
                </button>
                " "
                <button type="button" data-testid="policy-initial" on:click=make_initial disabled=invalid
                    title="Writes this policy into the scenario as the key's policy before the first step">
                    "Make it the scenario's initial policy"
                </button>
                " "
                <button type="button" class="secondary" data-testid="policy-reset" on:click=reset
                    title="Replaces the draft with the key's policy in the world after the last call">
                    "Reload current policy"
                </button>
            </div>
            {move || note.get().map(|n| match n {
                Ok(m) => view! { <p class="note" data-testid="policy-note">{m}</p> }.into_any(),
                Err(m) => view! { <p class="parse-error" role="alert" data-testid="policy-note">{m}</p> }.into_any(),
            })}
        </section>
    }
}
