//! The examples gallery and file upload.

use super::OpenFile;
use crate::examples::{title_of, EXAMPLES};
use leptos::prelude::*;

/// Buttons that load a bundled example, and a file input that opens a `.json` file (refused
/// with its location when it is not a valid scenario, as the library's import is).
#[component]
pub fn ExamplePicker(
    /// Called with the scenario text to load.
    on_load: Callback<String>,
) -> impl IntoView {
    view! {
        <nav class="examples" aria-label="Examples">
            <span class="label">"Examples:"</span>
            {EXAMPLES.iter().map(|e| {
                let src = e.source;
                view! {
                    <button class="example" data-testid=format!("example-{}", e.name) on:click=move |_| on_load.run(src.to_string())>
                        {title_of(src)}
                    </button>
                }
            }).collect_view()}
            <OpenFile label="Open file…" testid="upload" on_load=on_load />
        </nav>
    }
}
