//! The custom key stores of the KMS view: each store with its connection state and error code,
//! its cluster or proxy settings, connect / disconnect as the console's caller, a control that
//! lets simulated time pass (connecting takes minutes), the last connection check's proxy
//! exchange, and the cluster settings or proxy faults that cause each error, editable in place
//! (they rewrite the scenario).

use kmslab_engine::kms::view::KeyStoreView;
use kmslab_engine::scenario::{with_value, PathStep};
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

/// The key stores panel.
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
    let set_setting = move |store: String,
                            root: &'static str,
                            field: &'static [&'static str],
                            value: serde_json::Value| {
        let mut path = vec![
            PathStep::Key("keyStores".into()),
            PathStep::Id(store),
            PathStep::Key(root.into()),
        ];
        path.extend(field.iter().map(|f| PathStep::Key((*f).to_string())));
        let t = text.get_untracked();
        match with_value(&t, &path, &value) {
            Ok(doc) => {
                edit_error.set(None);
                text.set(crate::splice::keep_layout(&t, doc));
            }
            Err(e) => edit_error.set(Some(e.to_string())),
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
                                        let (on, off) = (k.on.clone(), k.off.clone());
                                        let field = k.field;
                                        view! {
                                            <div class="knob">
                                                <span>{k.label}</span>" "
                                                <button type="button" class="small secondary" on:click=move |_| set_setting(store_on.clone(), root, field, on.clone())>"break"</button>" "
                                                <button type="button" class="small secondary" on:click=move |_| set_setting(store_off.clone(), root, field, off.clone())>"repair"</button>
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
