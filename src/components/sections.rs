//! The scenario as forms: every section (organization, IAM, key stores, keys, grants, steps,
//! ...) as nested fields, kept in sync with the raw JSON both ways. The forms read the text the
//! editor shows, and each change is one engine edit of that text ([`edit_value`]), written back
//! as the smallest change to the text ([`crate::splice::keep_layout`]), so the JSON keeps the
//! user's layout and member order, and an edit that would break the scenario is refused with its
//! located error instead of being applied.

use kmslab_engine::json::{self, Json, JsonPath, JsonValue};
use kmslab_engine::scenario::{edit_value, DocEdit, PathStep};
use leptos::prelude::*;

/// The top-level sections, in the order the scenario format lists them, with a title.
const SECTIONS: &[(&str, &str)] = &[
    ("title", "Title"),
    ("description", "Description"),
    ("defaults", "Defaults"),
    ("organization", "Organization"),
    ("iam", "IAM"),
    ("keyStores", "Key stores"),
    ("cloudHsmClusters", "CloudHSM clusters"),
    ("resources", "Resources"),
    ("keys", "Keys"),
    ("grants", "Grants"),
    ("steps", "Steps"),
];

/// What a form change asks for: where, and what.
type Apply = Callback<(Vec<PathStep>, JsonPath, DocEdit)>;

/// A short label for a list item: its id, name, Sid or call, when it has one.
fn item_label(item: &Json, i: usize) -> String {
    let named = ["id", "name", "Sid", "call", "alias"]
        .iter()
        .find_map(|k| item.get(k).and_then(Json::as_str).map(str::to_string));
    match named {
        Some(n) => format!("{} · {n}", i + 1),
        None => format!("{}", i + 1),
    }
}

/// One value as a form: objects and lists as nested groups, scalars as inputs.
fn node_view(
    node: &Json,
    path: Vec<PathStep>,
    shown: JsonPath,
    apply: Apply,
    depth: usize,
) -> AnyView {
    match &node.value {
        JsonValue::Object(members) => {
            let rows = members
                .iter()
                .map(|m| {
                    let mut p = path.clone();
                    p.push(PathStep::Key(m.key.clone()));
                    let s = shown.key(&m.key);
                    let (rp, rs) = (p.clone(), s.clone());
                    let remove = move |_| apply.run((rp.clone(), rs.clone(), DocEdit::Remove));
                    let key = m.key.clone();
                    let child = node_view(&m.value, p, s.clone(), apply, depth + 1);
                    let compound = matches!(m.value.value, JsonValue::Object(_) | JsonValue::Array(_));
                    let remove_btn = view! {
                        <button type="button" class="small secondary" title=format!("Remove {key}") aria-label=format!("Remove {key}") on:click=remove>"✕"</button>
                    };
                    if compound {
                        view! {
                            <details class="fgroup" open=depth < 2>
                                <summary><span class="fkey">{m.key.clone()}</span> {remove_btn}</summary>
                                {child}
                            </details>
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="frow">
                                <label class="fkey" for=s.to_string()>{m.key.clone()}</label>
                                {child}
                                {remove_btn}
                            </div>
                        }
                        .into_any()
                    }
                })
                .collect_view();
            view! { <div class="fobject">{rows}</div> }.into_any()
        }
        JsonValue::Array(items) => {
            let rows = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut p = path.clone();
                    p.push(PathStep::Index(i));
                    let s = shown.index(i);
                    let (rp, rs, dp, ds) = (p.clone(), s.clone(), p.clone(), s.clone());
                    let label = item_label(item, i);
                    let compound = matches!(item.value, JsonValue::Object(_) | JsonValue::Array(_));
                    let child = node_view(item, p, s.clone(), apply, depth + 1);
                    let buttons = view! {
                        <button type="button" class="small secondary" title="Add a copy after this one" data-testid="form-duplicate"
                            on:click=move |_| apply.run((dp.clone(), ds.clone(), DocEdit::Duplicate))>"Copy"</button>
                        <button type="button" class="small secondary" title="Remove this item" data-testid="form-remove"
                            on:click=move |_| apply.run((rp.clone(), rs.clone(), DocEdit::Remove))>"✕"</button>
                    };
                    if compound {
                        view! {
                            <details class="fgroup item" open=depth < 1>
                                <summary><span class="fkey">{label}</span> {buttons}</summary>
                                {child}
                            </details>
                        }
                        .into_any()
                    } else {
                        view! { <div class="frow item"><span class="fkey">{label}</span>{child}{buttons}</div> }.into_any()
                    }
                })
                .collect_view();
            let empty = items.is_empty().then(|| view! { <p class="hint">"(empty list: add the first item in the JSON editor)"</p> });
            view! { <div class="farray">{rows}{empty}</div> }.into_any()
        }
        JsonValue::Bool(b) => {
            let (p, s) = (path, shown);
            let id = s.to_string();
            view! {
                <input type="checkbox" id=id.clone() data-testid="form-field" data-path=id prop:checked=*b
                    on:change=move |ev| apply.run((p.clone(), s.clone(), DocEdit::Set(serde_json::Value::Bool(event_target_checked(&ev)))))
                />
            }
            .into_any()
        }
        JsonValue::Number(n) => {
            let (p, s) = (path, shown);
            let id = s.to_string();
            view! {
                <input type="text" inputmode="decimal" class="fnum" id=id.clone() data-testid="form-field" data-path=id prop:value=n.clone()
                    on:change=move |ev| {
                        let raw = event_target_value(&ev);
                        let value = serde_json::from_str::<serde_json::Number>(raw.trim())
                            .map(serde_json::Value::Number)
                            .unwrap_or(serde_json::Value::String(raw));
                        apply.run((p.clone(), s.clone(), DocEdit::Set(value)));
                    }
                />
            }
            .into_any()
        }
        JsonValue::String(text) => {
            let (p, s) = (path, shown);
            let id = s.to_string();
            let long = text.len() > 60 || text.contains('\n');
            let set = move |ev: leptos::ev::Event| {
                apply.run((
                    p.clone(),
                    s.clone(),
                    DocEdit::Set(serde_json::Value::String(event_target_value(&ev))),
                ));
            };
            if long {
                view! { <textarea rows="3" id=id.clone() data-testid="form-field" data-path=id prop:value=text.clone() on:change=set></textarea> }.into_any()
            } else {
                view! { <input type="text" id=id.clone() data-testid="form-field" data-path=id prop:value=text.clone() on:change=set /> }.into_any()
            }
        }
        JsonValue::Null => {
            let (p, s) = (path, shown);
            let id = s.to_string();
            view! {
                <input type="text" placeholder="null" id=id.clone() data-testid="form-field" data-path=id
                    on:change=move |ev| apply.run((p.clone(), s.clone(), DocEdit::Set(serde_json::Value::String(event_target_value(&ev)))))
                />
            }
            .into_any()
        }
    }
}

/// Every section of the scenario as forms.
#[component]
pub fn SectionForms(
    /// The scenario text: the forms show it and write their changes into it.
    text: RwSignal<String>,
) -> impl IntoView {
    let section = RwSignal::new("keys".to_string());
    let refused = RwSignal::new(None::<String>);
    let apply: Apply = Callback::new(
        move |(path, shown, edit): (Vec<PathStep>, JsonPath, DocEdit)| {
            // Only what changed is written: the rest of the text keeps the user's layout.
            let result = text.with_untracked(|t| {
                edit_value(t, &path, &edit).map(|new| crate::splice::keep_layout(t, new))
            });
            match result {
                Ok(t) => {
                    refused.set(None);
                    text.set(t);
                }
                Err(e) => refused.set(Some(format!(
                    "Not changed: {shown} — {} (at {})",
                    e.message, e.path
                ))),
            }
        },
    );
    // A refusal is about the text it was made against: once the text changes (in the JSON
    // editor, or by another edit) or another section is shown, it no longer applies.
    Effect::new(move |_| {
        text.track();
        section.track();
        refused.set(None);
    });
    // The document, when the text is a valid scenario; the form cannot show a broken one.
    let doc = Memo::new(move |_| {
        text.with(|t| match crate::cache::scenario(t) {
            Ok(_) => json::parse(t).map_err(|e| e.message),
            Err(e) => Err(format!("{} at {}: {}", e.pos, e.path, e.message)),
        })
    });
    let present = move |name: &str| doc.with(|d| d.as_ref().is_ok_and(|d| d.get(name).is_some()));
    view! {
        <section class="sections" data-testid="sections">
            <nav class="section-list" aria-label="Scenario sections">
                {SECTIONS.iter().map(|(name, title)| {
                    let name = *name;
                    view! {
                        <button type="button" class="section-btn"
                            class:current=move || section.with(|s| s == name)
                            class:absent=move || !present(name)
                            aria-pressed=move || if section.with(|s| s == name) { "true" } else { "false" }
                            data-testid=format!("form-section-{name}")
                            on:click=move |_| section.set(name.to_string())
                        >{*title}</button>
                    }
                }).collect_view()}
            </nav>
            <div class="section-body">
                {move || refused.get().map(|r| view! { <p class="parse-error" role="alert" data-testid="form-refused">{r}</p> })}
                {move || {
                    let name = section.get();
                    doc.with(|d| match d {
                        Err(e) => view! {
                            <p class="parse-error" role="alert">"The forms show a valid scenario; fix this in the JSON first: " {e.clone()}</p>
                        }.into_any(),
                        Ok(d) => match d.get(&name) {
                            None => view! {
                                <p class="hint" data-testid="form-absent">{format!("This scenario has no `{name}` section. Add it in the JSON editor (see the scenario format).")}</p>
                            }.into_any(),
                            Some(node) => {
                                let root = JsonPath::root().key(&name);
                                let body = match &node.value {
                                    JsonValue::Object(_) | JsonValue::Array(_) => node_view(node, vec![PathStep::Key(name.clone())], root, apply, 0),
                                    _ => {
                                        let id = root.to_string();
                                        view! { <div class="frow"><label class="fkey" for=id>{name.clone()}</label>{node_view(node, vec![PathStep::Key(name.clone())], root, apply, 0)}</div> }.into_any()
                                    }
                                };
                                view! { <div class="form" data-testid=format!("form-{name}")>{body}</div> }.into_any()
                            }
                        },
                    })
                }}
            </div>
        </section>
    }
}
