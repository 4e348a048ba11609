//! The browser edge: localStorage for autosave. Failures (private mode, quota) are returned,
//! never ignored, so the app can tell the user their text was not saved.

/// The scenario being edited.
const KEY: &str = "kmslab.scenario";
/// The text a loaded example or file replaced, kept so it can be restored.
const REPLACED_KEY: &str = "kmslab.replaced";

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "localStorage is not available".to_string())?
        .ok_or_else(|| "localStorage is not available".to_string())
}

fn get(key: &str) -> Option<String> {
    storage().ok()?.get_item(key).ok()?
}

fn set(key: &str, text: &str) -> Result<(), String> {
    storage()?
        .set_item(key, text)
        .map_err(|_| "the browser refused to store the scenario (storage quota full?)".to_string())
}

/// The autosaved scenario text, if any.
pub fn load() -> Option<String> {
    get(KEY)
}

/// Saves the scenario text. `Err` says why it could not be saved (e.g. the quota is full).
pub fn save(text: &str) -> Result<(), String> {
    set(KEY, text)
}

/// The text that loading an example or a file replaced, if any.
pub fn load_replaced() -> Option<String> {
    get(REPLACED_KEY)
}

/// Keeps the text that is about to be replaced (`None` forgets it).
pub fn save_replaced(text: Option<&str>) -> Result<(), String> {
    match text {
        Some(t) => set(REPLACED_KEY, t),
        None => storage()?
            .remove_item(REPLACED_KEY)
            .map_err(|_| "the browser refused to change its storage".to_string()),
    }
}
