//! The browser edge beyond storage: downloads (scenario export, CSV), the page address (share
//! links), the clipboard, the clock for undo grouping, and the theme attribute.
//! Nothing here decides anything; failures come back as messages for the user.

use wasm_bindgen::JsCast;

/// Offers `text` to the user as a file named `filename` with media type `mime`.
///
/// The browser's download prompt is the only side effect; `Err` says why it could not be offered
/// (no document, a refused Blob or object URL).
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser refused to build the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser refused to offer the file".to_string())?;
    let anchor = document
        .create_element("a")
        .map_err(|_| "the browser refused to offer the file".to_string())?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "the browser refused to offer the file".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    // The click has started the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The part of the page's URL after `#s=`, if the page was opened from a share link.
pub fn share_fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#s=").map(str::to_string)
}

/// The page's URL without its fragment: what a share link is built on. Relative hosting under
/// any sub-path keeps working because the whole path is kept.
pub fn page_url() -> Result<String, String> {
    let href = web_sys::window()
        .ok_or("no window")?
        .location()
        .href()
        .map_err(|_| "the page's address is not available".to_string())?;
    Ok(href.split('#').next().unwrap_or_default().to_string())
}

/// Drops the fragment from the address bar (without reloading), so a reload after edits does
/// not load the shared scenario over them again.
pub fn clear_fragment() {
    if let (Some(window), Ok(url)) = (web_sys::window(), page_url()) {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// Copies `text` to the clipboard; resolves to `Err` with a reason when the browser refuses
/// (no permission, no secure context).
pub async fn copy_to_clipboard(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying; select the link and copy it".to_string())
}

/// `n` random bytes from the browser's cryptographic generator (`crypto.getRandomValues`), for
/// key material the user generates and the engine's seeded wrapping. Reached through
/// `js_sys::Reflect` so that no web-sys feature is added.
pub fn random_bytes(n: u32) -> Result<Vec<u8>, String> {
    let refused = |_| "the browser has no cryptographic random generator".to_string();
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).map_err(refused)?;
    let get = js_sys::Reflect::get(&crypto, &"getRandomValues".into())
        .map_err(refused)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| "the browser has no cryptographic random generator".to_string())?;
    let array = js_sys::Uint8Array::new_with_length(n);
    get.call1(&crypto, &array).map_err(refused)?;
    Ok(array.to_vec())
}

/// Milliseconds since the epoch, for grouping edits into undo steps.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sets (or, with `None`, removes) `data-theme` on the root element.
pub fn apply_theme(theme: Option<&str>) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        Some(t) => root.set_attribute("data-theme", t),
        None => root.remove_attribute("data-theme"),
    };
}
