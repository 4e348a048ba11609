//! Opening a scenario file, the same way wherever it is offered (the header's "Open file…" and
//! the library's "Import .json…"): a valid scenario is loaded (the text it replaces is kept); a
//! broken one is refused with its location, `file:line:column`, the user's text unchanged, and
//! can then be opened on purpose to fix it.

use kmslab_engine::parse_scenario;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A file that was read but is not a valid scenario: kept aside, never loaded over the text.
#[derive(Clone)]
struct Rejected {
    name: String,
    text: String,
    error: String,
}

/// What a file held, as the user is told it (kept apart from the loading for the unit tests).
fn check(name: &str, text: &str) -> Result<(), String> {
    parse_scenario(text)
        .map(|_| ())
        .map_err(|e| format!("{name}:{}: {} (at {})", e.pos, e.message, e.path))
}

/// A file input that opens a `.json` scenario file, and what it says when the file is refused.
#[component]
pub fn OpenFile(
    /// The label before the file input.
    label: &'static str,
    /// The file input's `data-testid`; the refusal is `{testid}-error` and its button that
    /// opens the file anyway `{testid}-anyway`.
    testid: &'static str,
    /// Loads a text into the workspace (keeping what it replaces).
    on_load: Callback<String>,
    /// Told what happened, for a status line: a message when a file was opened, `None` when
    /// one was refused (the refusal is shown here).
    #[prop(optional)]
    on_note: Option<Callback<Option<String>>>,
) -> impl IntoView {
    let rejected = RwSignal::new(None::<Rejected>);
    let unreadable = RwSignal::new(None::<String>);
    let note = move |n: Option<String>| {
        if let Some(cb) = on_note {
            cb.run(n);
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file chosen again must fire `change` again.
        input.set_value("");
        let name = file.name();
        leptos::task::spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let Some(t) = read.ok().and_then(|v| v.as_string()) else {
                rejected.set(None);
                unreadable.set(Some(format!("`{name}` could not be read as text")));
                note(None);
                return;
            };
            unreadable.set(None);
            match check(&name, &t) {
                Ok(()) => {
                    rejected.set(None);
                    note(Some(format!("opened {name}")));
                    on_load.run(t);
                }
                Err(error) => {
                    note(None);
                    rejected.set(Some(Rejected {
                        name,
                        text: t,
                        error,
                    }));
                }
            }
        });
    };
    let open_anyway = move |_| {
        if let Some(r) = rejected.get_untracked() {
            rejected.set(None);
            note(Some(format!(
                "opened {} to fix it; your previous text is kept",
                r.name
            )));
            on_load.run(r.text);
        }
    };
    view! {
        <label class="upload">
            {label} " "
            <input type="file" accept=".json,application/json" data-testid=testid on:change=on_file />
        </label>
        {move || unreadable.get().map(|e| view! {
            <p class="parse-error file-error" role="alert" data-testid=format!("{testid}-error")>{e}</p>
        })}
        {move || rejected.get().map(|r| view! {
            <div class="parse-error file-error" role="alert" data-testid=format!("{testid}-error")>
                <p>{format!("Not opened — {} is not a valid scenario, and your text is unchanged:", r.name)}</p>
                <p><code>{r.error}</code></p>
                <button type="button" class="small secondary" data-testid=format!("{testid}-anyway") on:click=open_anyway>"Open it in the editor to fix it"</button>
            </div>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn a_broken_file_is_refused_with_its_location() {
        let err = check("broken.json", "{\n  \"kmslab\": 1,\n  \"steps\": [ }").unwrap_err();
        assert!(err.starts_with("broken.json:3:"), "{err}");
        assert!(check("ok.json", r#"{"kmslab":1,"steps":[]}"#).is_ok());
    }
}
