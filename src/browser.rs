//! The browser edge for files: downloads made from text the app holds (scenario export, CSV).
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
