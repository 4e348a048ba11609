//! kmslab in the browser: mounts the app. Everything else lives in [`kmslab_app`]'s modules.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// `performance.mark(name)`: a named point on the page's timeline, measured from
    /// navigation start (High Resolution Time).
    #[wasm_bindgen(js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str);
}

fn main() {
    // Where loading ends and mounting begins: the wasm is fetched, compiled and instantiated.
    performance_mark("kmslab-start");
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kmslab_app::App);
    // Mounting builds the whole first view synchronously, with its event handlers: from here
    // the editor is on the page and answers input. `tests/perf/tti.mjs` (run by
    // `scripts/app-budget.sh`) reads this mark as the app's time to interactive.
    performance_mark("kmslab-interactive");
}
