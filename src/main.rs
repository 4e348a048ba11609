//! kmslab in the browser: mounts the app. Everything else lives in [`kmslab_app`]'s modules.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kmslab_app::App);
}
