//! The examples gallery and file upload.

use crate::examples::{title_of, EXAMPLES};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Buttons that load a bundled example, and a file input that loads a `.json` file.
#[component]
pub fn ExamplePicker(
    /// Called with the scenario text to load.
    on_load: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let upload_error = RwSignal::new(None::<String>);
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
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => match v.as_string() {
                    Some(t) => {
                        upload_error.set(None);
                        on_load(t);
                    }
                    None => upload_error.set(Some("the file is not text".into())),
                },
                Err(_) => upload_error.set(Some("the file could not be read".into())),
            }
        });
    };
    view! {
        <nav class="examples" aria-label="Examples">
            <span class="label">"Examples:"</span>
            {EXAMPLES.iter().map(|e| {
                let src = e.source;
                view! {
                    <button class="example" data-testid=format!("example-{}", e.name) on:click=move |_| on_load(src.to_string())>
                        {title_of(src)}
                    </button>
                }
            }).collect_view()}
            <label class="upload">
                "Open file… "
                <input type="file" accept=".json,application/json" data-testid="upload" on:change=on_file />
            </label>
            {move || upload_error.get().map(|e| view! { <span class="warn">{e}</span> })}
        </nav>
    }
}
