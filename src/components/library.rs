//! The library: named saves in this browser, export and import of `.json` files, and share
//! links. Loading anything goes through `on_load`, which keeps the text it replaces.

use super::OpenFile;
use crate::{browser, storage};
use kmslab_engine::share;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A file name for exporting `text`: its title in lowercase words joined by dashes.
pub fn export_name(text: &str) -> String {
    let title = crate::cache::scenario(text)
        .ok()
        .and_then(|s| s.title.clone())
        .unwrap_or_else(|| "scenario".into());
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{}.json", if slug.is_empty() { "scenario" } else { &slug })
}

/// Saves, files and links.
#[component]
pub fn Library(
    /// The scenario text.
    text: RwSignal<String>,
    /// Loads a text into the workspace (keeping what it replaces).
    on_load: Callback<String>,
) -> impl IntoView {
    let names = RwSignal::new(storage::saved_names());
    let save_name = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let confirm_delete = RwSignal::new(None::<String>);
    // The link, with the text it carries: once the text changes, the link is outdated.
    let link = RwSignal::new(None::<(String, String)>);
    // A memo: the share row is redrawn when the link goes out of date, not at every keystroke.
    let link_current =
        Memo::new(move |_| link.with(|l| l.as_ref().is_some_and(|(t, _)| text.with(|n| n == t))));

    // A name that is taken by another text: the save waits for the user to say "replace".
    let confirm_replace = RwSignal::new(None::<String>);
    let write = move |name: String| {
        confirm_replace.set(None);
        let result = storage::save_named(&name, &text.get_untracked());
        names.set(storage::saved_names());
        message.set(Some(
            result.map(|()| format!("saved as “{name}” in this browser")),
        ));
    };
    let save = move |_| {
        let name = save_name.get_untracked().trim().to_string();
        if name.is_empty() {
            message.set(Some(Err("give the save a name first".into())));
            return;
        }
        let taken = storage::load_named(&name).is_some_and(|t| text.with_untracked(|n| *n != t));
        if taken {
            message.set(None);
            confirm_replace.set(Some(name));
        } else {
            write(name);
        }
    };
    let export = move |_| {
        let t = text.get_untracked();
        let name = export_name(&t);
        message.set(Some(
            browser::download(&name, "application/json", &t).map(|()| format!("exported {name}")),
        ));
    };
    let make_link = move |_| {
        let t = text.get_untracked();
        let packed = share::encode(&t);
        match browser::page_url() {
            Ok(base) => link.set(Some((t, format!("{base}#s={packed}")))),
            Err(e) => message.set(Some(Err(e))),
        }
    };
    let copy = move |_| {
        if let Some((_, l)) = link
            .get_untracked()
            .filter(|_| link_current.get_untracked())
        {
            leptos::task::spawn_local(async move {
                message.set(Some(
                    browser::copy_to_clipboard(&l)
                        .await
                        .map(|()| "link copied".to_string()),
                ));
            });
        }
    };

    view! {
        <section class="library" data-testid="library">
            <h2>"Library"</h2>
            {move || message.get().map(|m| match m {
                Ok(t) => view! { <p class="note" role="status" data-testid="library-message">{t}</p> }.into_any(),
                Err(e) => view! { <p class="parse-error" role="alert" data-testid="library-error">{e}</p> }.into_any(),
            })}
            <h3>"Saved in this browser"</h3>
            <form class="row" on:submit=move |ev| { ev.prevent_default(); save(()); }>
                <label>"Name " <input data-testid="save-name" prop:value=move || save_name.get() on:input=move |ev| { save_name.set(event_target_value(&ev)); confirm_replace.set(None); } /></label>
                <button type="submit" data-testid="save-as">"Save"</button>
            </form>
            {move || confirm_replace.get().map(|name| {
                let replace = name.clone();
                view! {
                    <p class="notice" role="alert" data-testid="save-replace">
                        {format!("A different scenario is already saved as “{name}”. Replace it with the current text? ")}
                        <button type="button" class="danger small" data-testid="save-replace-confirm" on:click=move |_| write(replace.clone())>"Replace it"</button>
                        " "
                        <button type="button" class="secondary small" data-testid="save-replace-cancel" on:click=move |_| confirm_replace.set(None)>"Keep the old one"</button>
                    </p>
                }
            })}
            <ul class="saves" data-testid="saves">
                {move || names.get().into_iter().map(|n| {
                    let (load_n, export_n, del_n, ask_n, shown) = (n.clone(), n.clone(), n.clone(), n.clone(), n.clone());
                    let asking = { let n = n.clone(); move || confirm_delete.get().as_deref() == Some(n.as_str()) };
                    view! {
                        <li data-testid="save-item">
                            <span class="save-name">{shown}</span>
                            <button type="button" class="small" data-testid="save-load" on:click=move |_| {
                                match storage::load_named(&load_n) {
                                    Some(t) => { message.set(Some(Ok(format!("loaded “{load_n}”")))); on_load.run(t); }
                                    None => message.set(Some(Err(format!("the save “{load_n}” is gone from this browser")))),
                                }
                            }>"Load"</button>
                            <button type="button" class="small secondary" on:click=move |_| {
                                if let Some(t) = storage::load_named(&export_n) {
                                    message.set(Some(browser::download(&export_name(&t), "application/json", &t).map(|()| format!("exported “{export_n}”"))));
                                }
                            }>"Export"</button>
                            <Show when=asking.clone() fallback=move || { let n = ask_n.clone(); view! {
                                <button type="button" class="small secondary" data-testid="save-delete" on:click=move |_| confirm_delete.set(Some(n.clone()))>"Delete…"</button>
                            }}>
                                {let n = del_n.clone(); view! {
                                    <button type="button" class="small danger" data-testid="save-delete-confirm" on:click=move |_| {
                                        let r = storage::delete_named(&n);
                                        names.set(storage::saved_names());
                                        confirm_delete.set(None);
                                        message.set(Some(r.map(|()| format!("deleted “{n}”"))));
                                    }>"Delete for good"</button>
                                    <button type="button" class="small secondary" on:click=move |_| confirm_delete.set(None)>"Keep"</button>
                                }}
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || names.with(Vec::is_empty).then(|| view! { <p class="hint">"Nothing saved yet. Your current text is also saved automatically."</p> })}

            <h3>"Files"</h3>
            <div class="row">
                <button type="button" data-testid="export" on:click=export>"Export .json"</button>
                <OpenFile label="Import .json…" testid="import" on_load=on_load
                    on_note=Callback::new(move |n: Option<String>| message.set(n.map(Ok))) />
            </div>

            <h3>"Share"</h3>
            <p class="hint">"A link that carries the whole scenario, compressed, after the # — it never reaches a server."</p>
            <button type="button" data-testid="make-share-link" on:click=make_link>"Make a share link"</button>
            {move || link.get().map(|(_, l)| {
                if !link_current.get() {
                    return view! {
                        <p class="notice" data-testid="share-outdated">"The scenario has changed since the link was made, so the link no longer carries it: make a new one."</p>
                    }.into_any();
                }
                let len = l.len();
                view! {
                    <div class="row share">
                        <input readonly data-testid="share-link" prop:value=l.clone() on:focus=move |ev| {
                            if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); }
                        } />
                        <button type="button" class="small" on:click=copy>"Copy"</button>
                        <span class="hint">{format!("{len} characters")}</span>
                    </div>
                }.into_any()
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::export_name;

    #[test]
    fn export_names_come_from_titles() {
        assert_eq!(
            export_name(r#"{"kmslab":1,"title":"Least-privilege key user!","steps":[]}"#),
            "least-privilege-key-user.json"
        );
        assert_eq!(export_name("not json"), "scenario.json");
        assert_eq!(
            export_name(r#"{"kmslab":1,"title":"€€","steps":[]}"#),
            "scenario.json"
        );
    }
}
