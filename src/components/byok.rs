//! The "wrap this key material in the browser" helper of the BYOK flow: paste the `PublicKey` a
//! GetParametersForImport step returned, paste or generate the key material, pick the wrapping
//! algorithm, and get the base64 `EncryptedKeyMaterial` to paste into an ImportKeyMaterial step.
//! The wrapping is the engine's (`kms::byok::wrap_for_import`); the browser supplies only the
//! random bytes.

use kmslab_engine::kms::byok::{encode_material, wrap_for_import};
use leptos::prelude::*;

const ALGORITHMS: [&str; 4] = [
    "RSAES_OAEP_SHA_256",
    "RSAES_OAEP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
];

/// The BYOK wrapping helper.
#[component]
pub fn ByokWrap(
    /// The wrapping public key to start with (base64 DER), e.g. the `PublicKey` of the last
    /// GetParametersForImport output; the user can paste another.
    #[prop(into, optional)]
    public_key: Signal<String>,
) -> impl IntoView {
    let key = RwSignal::new(String::new());
    Effect::new(move |_| key.set(public_key.get()));
    let material = RwSignal::new(String::new());
    let algorithm = RwSignal::new(ALGORITHMS[0].to_string());
    let result = RwSignal::new(None::<Result<String, String>>);
    let generate = move |_| match crate::browser::random_bytes(32) {
        Ok(bytes) => material.set(encode_material(&bytes)),
        Err(e) => result.set(Some(Err(e))),
    };
    let wrap = move |_| {
        let seed = crate::browser::random_bytes(32).and_then(|b| {
            <[u8; 32]>::try_from(b.as_slice())
                .map_err(|_| "the browser gave too few random bytes".to_string())
        });
        let out = seed.and_then(|seed| {
            wrap_for_import(
                &key.get_untracked(),
                &algorithm.get_untracked(),
                &material.get_untracked(),
                seed,
            )
            .map_err(|e| e.to_string())
        });
        result.set(Some(out));
    };
    view! {
        <section class="byok-wrap" data-testid="byok-wrap">
            <h3>"Wrap key material for import"</h3>
            <label>
                "Wrapping public key (PublicKey of GetParametersForImport, base64)"
                <textarea data-testid="byok-public-key" rows="4" spellcheck="false"
                    prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))></textarea>
            </label>
            <label>
                "Key material (base64; 32 bytes for a symmetric key)"
                <input data-testid="byok-material" spellcheck="false"
                    prop:value=move || material.get() on:input=move |ev| material.set(event_target_value(&ev)) />
            </label>
            <button type="button" data-testid="byok-generate" on:click=generate>"Generate 32 bytes"</button>
            <label>
                "Wrapping algorithm (the one given to GetParametersForImport)"
                <select data-testid="byok-algorithm" prop:value=move || algorithm.get()
                    on:change=move |ev| algorithm.set(event_target_value(&ev))>
                    {ALGORITHMS.iter().map(|a| view! { <option value=*a>{*a}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" data-testid="byok-wrap-button" on:click=wrap>"Wrap"</button>
            {move || result.get().map(|r| match r {
                Ok(text) => view! {
                    <label>
                        "EncryptedKeyMaterial for ImportKeyMaterial"
                        <textarea data-testid="byok-wrapped" rows="4" readonly=true prop:value=text></textarea>
                    </label>
                }.into_any(),
                Err(e) => view! { <p class="parse-error" role="alert" data-testid="byok-error">{e}</p> }.into_any(),
            })}
        </section>
    }
}
