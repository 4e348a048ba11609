//! The custom key stores of the KMS view: each store with its connection state and error code,
//! its cluster or proxy settings, connect / disconnect as the console's caller, a control that
//! lets simulated time pass (connecting takes minutes), the last connection check's proxy
//! exchange, and the cluster settings or proxy faults that cause each error, editable in place
//! (they rewrite the scenario).

use kmslab_engine::kms::view::KeyStoreView;
use kmslab_engine::scenario::{edit_value, DocEdit, PathStep};
use leptos::prelude::*;

/// A store setting the panel can change, and how it is written in the scenario (under the
/// store's `cluster` or `proxy`).
struct Knob {
    label: &'static str,
    field: &'static [&'static str],
    on: serde_json::Value,
    off: serde_json::Value,
}

/// Faults an external key store's proxy can be given.
fn proxy_knobs() -> Vec<Knob> {
    vec![
        Knob {
            label: "Proxy slower than 250 ms (times out)",
            field: &["latencyMs"],
            on: serde_json::json!(400),
            off: serde_json::json!(20),
        },
        Knob {
            label: "Proxy unreachable (XKS_PROXY_NOT_REACHABLE)",
            field: &["reachable"],
            on: serde_json::json!(false),
            off: serde_json::json!(true),
        },
        Knob {
            label: "Proxy clock 6 minutes off (SigV4 refuses)",
            field: &["clockSkewMs"],
            on: serde_json::json!(360_000),
            off: serde_json::json!(0),
        },
        Knob {
            label: "Every proxy call fails (injected InternalException)",
            field: &["faults"],
            on: serde_json::json!([{ "on": "*", "error": "InternalException" }]),
            off: serde_json::json!([]),
        },
    ]
}

fn knobs() -> Vec<Knob> {
    vec![
        Knob {
            label: "HSMs removed (INSUFFICIENT_CLOUDHSM_HSMS)",
            field: &["activeHsms"],
            on: serde_json::json!(0),
            off: serde_json::json!(2),
        },
        Knob {
            label: "Network blocked (NETWORK_ERRORS)",
            field: &["networkReachable"],
            on: serde_json::json!(false),
            off: serde_json::json!(true),
        },
        Knob {
            label: "kmsuser logged in elsewhere (USER_LOGGED_IN)",
            field: &["kmsuser", "loggedIn"],
            on: serde_json::json!(true),
            off: serde_json::json!(false),
        },
        Knob {
            label: "Subnet deleted (SUBNET_NOT_FOUND)",
            field: &["subnetsFound"],
            on: serde_json::json!(false),
            off: serde_json::json!(true),
        },
    ]
}

/// The value of a store setting in the scenario text: `keyStores[id = store].root.field…`
/// (`None` when the text is not JSON or the setting is not written).
fn setting_value(text: &str, store: &str, root: &str, field: &[&str]) -> Option<serde_json::Value> {
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut at = doc
        .get("keyStores")?
        .as_array()?
        .iter()
        .find(|s| s.get("id").and_then(|i| i.as_str()) == Some(store))?
        .get(root)?;
    for f in field {
        at = at.get(f)?;
    }
    Some(at.clone())
}

/// What "repair" does to a setting, given its value now, the value "break" found before it
/// broke it (`Some(None)`: the setting was not written), and the knob's broken and healthy
/// values: `None` leaves the text alone.
fn repair_edit(
    now: Option<&serde_json::Value>,
    before: Option<Option<serde_json::Value>>,
    on: &serde_json::Value,
    off: &serde_json::Value,
) -> Option<DocEdit> {
    if now != Some(on) {
        // Not broken by this knob (repaired already, or the user's own value): kept.
        return None;
    }
    Some(match before {
        Some(Some(v)) => DocEdit::Set(v),
        Some(None) => DocEdit::Remove,
        // Broken before this page saw it (typed, or a reload since): the healthy value.
        None => DocEdit::Set(off.clone()),
    })
}

/// A store's cluster, HSMs, `kmsuser` and keys, as one line ("cluster c-1, 2 active HSMs,
/// 1 key"; an external key store has only its keys).
fn store_detail(s: &KeyStoreView) -> String {
    let count = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let mut parts: Vec<String> = Vec::new();
    parts.extend(s.cluster_id.as_ref().map(|c| format!("cluster {c}")));
    parts.extend(s.active_hsms.map(|h| count(h as usize, "active HSM")));
    parts.extend(s.kmsuser.as_ref().map(|u| format!("kmsuser {u}")));
    parts.push(count(s.keys.len(), "key"));
    parts.join(", ")
}

/// The key stores panel.
#[component]
pub fn KeyStoresPanel(
    /// The stores of the world after the console's last run.
    stores: Signal<Vec<KeyStoreView>>,
    /// The scenario text (cluster settings are edited in it).
    text: RwSignal<String>,
    /// Runs a KMS call, `(operation, input)`, as the console's caller.
    call: Callback<(String, serde_json::Value)>,
    /// Appends a step that only lets simulated time pass (an ISO 8601 duration).
    wait: Callback<String>,
) -> impl IntoView {
    let edit_error = RwSignal::new(None::<String>);
    let set_setting =
        move |store: &str, root: &'static str, field: &'static [&'static str], edit: DocEdit| {
            let mut path = vec![
                PathStep::Key("keyStores".into()),
                PathStep::Id(store.to_string()),
                PathStep::Key(root.into()),
            ];
            path.extend(field.iter().map(|f| PathStep::Key((*f).to_string())));
            let t = text.get_untracked();
            match edit_value(&t, &path, &edit) {
                Ok(doc) => {
                    edit_error.set(None);
                    text.set(crate::splice::keep_layout(&t, doc));
                }
                Err(e) => edit_error.set(Some(e.to_string())),
            }
        };
    // What each setting was before "break" changed it (`None`: it was not written), keyed by
    // store, root and field, so "repair" puts back what the user had instead of adding values.
    let before = StoredValue::new(Vec::<(String, Option<serde_json::Value>)>::new());
    let slot =
        |store: &str, root: &str, field: &[&str]| format!("{store}/{root}/{}", field.join("/"));
    let break_setting = move |store: &str,
                              root: &'static str,
                              field: &'static [&'static str],
                              on: &serde_json::Value| {
        let now = text.with_untracked(|t| setting_value(t, store, root, field));
        let key = slot(store, root, field);
        if now.as_ref() != Some(on) {
            before.update_value(|b| {
                b.retain(|(k, _)| *k != key);
                b.push((key, now));
            });
        }
        set_setting(store, root, field, DocEdit::Set(on.clone()));
    };
    let repair_setting = move |store: &str,
                               root: &'static str,
                               field: &'static [&'static str],
                               on: &serde_json::Value,
                               off: &serde_json::Value| {
        let now = text.with_untracked(|t| setting_value(t, store, root, field));
        let key = slot(store, root, field);
        let was = before.try_update_value(|b| {
            let i = b.iter().position(|(k, _)| *k == key)?;
            Some(b.remove(i).1)
        });
        if let Some(edit) = repair_edit(now.as_ref(), was.flatten(), on, off) {
            set_setting(store, root, field, edit);
        }
    };
    view! {
        <section class="key-stores" data-testid="key-stores">
            <h3>"Custom key stores"</h3>
            {move || stores.with(Vec::is_empty).then(|| view! {
                <p class="hint">"This scenario has no custom key store. Add one to `keyStores`, or create one with kms:CreateCustomKeyStore."</p>
            })}
            <ul class="stores">
                {move || stores.get().into_iter().map(|s| {
                    let (connect_id, disconnect_id, describe_id) = (s.id.clone(), s.id.clone(), s.id.clone());
                    let knob_store = s.id.clone();
                    let is_hsm = s.kind == "AWS_CLOUDHSM";
                    let inline_cluster = s.cluster_id.is_some();
                    let (root, knob_list) = if is_hsm { ("cluster", knobs()) } else { ("proxy", proxy_knobs()) };
                    let proxy = s.proxy.clone();
                    let last_check = s.last_check.clone();
                    view! {
                        <li class="store" data-testid=format!("store-{}", s.id)>
                            <div class="store-head">
                                <code>{s.id.clone()}</code>" "<strong>{s.name.clone()}</strong>" "
                                <span class="badge">{s.kind.clone()}</span>" "
                                <span class=format!("conn {}", s.state.to_lowercase()) data-testid="store-state">{s.state.clone()}</span>
                                {s.error_code.clone().map(|c| view! { " " <span class="error-name" data-testid="store-error">{c}</span> })}
                                {s.transition_at.clone().map(|t| view! { <small>{format!(" (until {t})")}</small> })}
                            </div>
                            <div class="store-detail" data-testid="store-detail">{store_detail(&s)}</div>
                            <div class="buttons">
                                <button type="button" class="small" data-testid="store-connect"
                                    on:click=move |_| call.run(("ConnectCustomKeyStore".into(), serde_json::json!({"CustomKeyStoreId": connect_id.clone()})))>"Connect"</button>" "
                                <button type="button" class="small" data-testid="store-disconnect"
                                    on:click=move |_| call.run(("DisconnectCustomKeyStore".into(), serde_json::json!({"CustomKeyStoreId": disconnect_id.clone()})))>"Disconnect"</button>" "
                                <button type="button" class="small secondary" data-testid="store-describe"
                                    on:click=move |_| call.run(("DescribeCustomKeyStores".into(), serde_json::json!({"CustomKeyStoreId": describe_id.clone()})))>"Describe"</button>
                            </div>
                            {proxy.map(|p| view! {
                                <details class="proxy-settings">
                                    <summary>"Proxy settings KMS has on record"</summary>
                                    <pre>{serde_json::to_string_pretty(&p).unwrap_or_default()}</pre>
                                </details>
                            })}
                            {last_check.map(|c| view! {
                                <details class="last-check">
                                    <summary>"Last connection check"</summary>
                                    <super::ProxyCalls calls=vec![c] />
                                </details>
                            })}
                            {(!is_hsm || inline_cluster).then(|| view! {
                                <details class="knobs">
                                    <summary>{if is_hsm { "Break the cluster (edits the scenario)" } else { "Inject proxy faults (edits the scenario)" }}</summary>
                                    {knob_list.into_iter().map(|k| {
                                        let (store_on, store_off) = (knob_store.clone(), knob_store.clone());
                                        let (on, on_again, off) = (k.on.clone(), k.on.clone(), k.off.clone());
                                        let field = k.field;
                                        view! {
                                            <div class="knob">
                                                <span>{k.label}</span>" "
                                                <button type="button" class="small secondary" on:click=move |_| break_setting(&store_on, root, field, &on)>"break"</button>" "
                                                <button type="button" class="small secondary" on:click=move |_| repair_setting(&store_off, root, field, &on_again, &off)>"repair"</button>
                                            </div>
                                        }
                                    }).collect_view()}
                                </details>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="buttons">
                <button type="button" class="secondary" data-testid="wait-5m" on:click=move |_| wait.run("PT5M".into())
                    title="Appends a step that only advances the simulated clock: connecting takes five minutes, disconnecting one">
                    "Let 5 minutes pass"
                </button>
            </div>
            {move || edit_error.get().map(|e| view! { <p class="parse-error" role="alert">{e}</p> })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{repair_edit, setting_value, DocEdit};
    use serde_json::json;

    #[test]
    fn repair_puts_back_what_break_found() {
        let (on, off) = (json!(400), json!(20));
        // Not written before the break: removed again.
        assert_eq!(
            repair_edit(Some(&on), Some(None), &on, &off),
            Some(DocEdit::Remove)
        );
        // The user's own value: put back.
        assert_eq!(
            repair_edit(Some(&on), Some(Some(json!(50))), &on, &off),
            Some(DocEdit::Set(json!(50)))
        );
        // Broken before the page saw it: the healthy value.
        assert_eq!(
            repair_edit(Some(&on), None, &on, &off),
            Some(DocEdit::Set(off.clone()))
        );
        // Not broken (any more): left alone.
        assert_eq!(repair_edit(Some(&json!(50)), Some(None), &on, &off), None);
        assert_eq!(repair_edit(None, None, &on, &off), None);
    }

    #[test]
    fn settings_are_read_from_the_text() {
        let t = r#"{"keyStores":[{"id":"a"},{"id":"b","cluster":{"kmsuser":{"loggedIn":true}}}]}"#;
        assert_eq!(
            setting_value(t, "b", "cluster", &["kmsuser", "loggedIn"]),
            Some(json!(true))
        );
        assert_eq!(setting_value(t, "a", "cluster", &["activeHsms"]), None);
        assert_eq!(setting_value("{", "a", "proxy", &["reachable"]), None);
    }
}
