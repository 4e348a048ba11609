//! The browser edge: localStorage for autosave. Failures (private mode, quota) are returned,
//! never ignored, so the app can tell the user their text was not saved.

const KEY: &str = "kmslab.scenario";

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "localStorage is not available".to_string())?
        .ok_or_else(|| "localStorage is not available".to_string())
}

/// The autosaved scenario text, if any.
pub fn load() -> Option<String> {
    storage().ok()?.get_item(KEY).ok()?
}

/// Saves the scenario text. `Err` says why it could not be saved (e.g. the quota is full).
pub fn save(text: &str) -> Result<(), String> {
    storage()?
        .set_item(KEY, text)
        .map_err(|_| "the browser refused to store the scenario (storage quota full?)".to_string())
}
