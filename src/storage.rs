//! The browser edge: localStorage for autosave, named saves, lab work and the theme. Failures
//! (private mode, quota) are returned, never ignored, so the app can tell the user their text
//! was not saved.

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

/// The index of named saves (a JSON array of names, newest first).
const SAVES_KEY: &str = "kmslab.saves";
/// Prefix of one named save's text.
const SAVE_PREFIX: &str = "kmslab.save:";
/// The chosen theme (`light` / `dark`; absent = the system's).
const THEME_KEY: &str = "kmslab.theme";

/// The names of the saved scenarios, newest first.
pub fn saved_names() -> Vec<String> {
    get(SAVES_KEY)
        .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
        .unwrap_or_default()
}

fn write_names(names: &[String]) -> Result<(), String> {
    let text = serde_json::to_string(names).map_err(|e| e.to_string())?;
    set(SAVES_KEY, &text)
}

/// Saves `text` under `name` (replacing a save of that name) and lists it first.
pub fn save_named(name: &str, text: &str) -> Result<(), String> {
    set(&format!("{SAVE_PREFIX}{name}"), text)?;
    let mut names = saved_names();
    names.retain(|n| n != name);
    names.insert(0, name.to_string());
    write_names(&names)
}

/// The text saved under `name`.
pub fn load_named(name: &str) -> Option<String> {
    get(&format!("{SAVE_PREFIX}{name}"))
}

/// Deletes the save `name`.
pub fn delete_named(name: &str) -> Result<(), String> {
    storage()?
        .remove_item(&format!("{SAVE_PREFIX}{name}"))
        .map_err(|_| "the browser refused to change its storage".to_string())?;
    let mut names = saved_names();
    names.retain(|n| n != name);
    write_names(&names)
}

/// The chosen theme, if the user chose one.
pub fn theme() -> Option<String> {
    get(THEME_KEY)
}

/// Remembers the theme (`None`: follow the system).
pub fn set_theme(theme: Option<&str>) -> Result<(), String> {
    match theme {
        Some(t) => set(THEME_KEY, t),
        None => storage()?
            .remove_item(THEME_KEY)
            .map_err(|_| "the browser refused to change its storage".to_string()),
    }
}

/// Prefix of the user's own text for a lab (their progress is what its checks say of it).
const LAB_PREFIX: &str = "kmslab.lab:";

/// The user's own text for the lab `id`, if they have started it.
pub fn lab_text(id: &str) -> Option<String> {
    get(&format!("{LAB_PREFIX}{id}"))
}

/// Keeps the user's text for the lab `id` (`None` forgets it: a reset).
pub fn set_lab_text(id: &str, text: Option<&str>) -> Result<(), String> {
    let key = format!("{LAB_PREFIX}{id}");
    match text {
        Some(t) => set(&key, t),
        None => storage()?
            .remove_item(&key)
            .map_err(|_| "the browser refused to change its storage".to_string()),
    }
}
