//! The external key store inspector: each call KMS made to the XKS proxy for a step, with the
//! signed request, the answer, the AAD, the ciphertext data integrity check and the proxy's own
//! authorization decision, beside the KMS decision trace.

use leptos::prelude::*;

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn field(v: &serde_json::Value, k: &str) -> serde_json::Value {
    v.get(k).cloned().unwrap_or(serde_json::Value::Null)
}

fn text(v: &serde_json::Value, k: &str) -> String {
    match v.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The proxy calls of one step.
#[component]
pub fn ProxyCalls(
    /// The step's `proxy_calls`, serialized.
    calls: Vec<serde_json::Value>,
) -> impl IntoView {
    (!calls.is_empty()).then(|| {
        view! {
            <div class="proxy-calls" data-testid="proxy-calls">
                <h4>{format!("External key store proxy calls ({})", calls.len())}</h4>
                {calls.into_iter().map(|c| {
                    let status = match c.get("responseStatus") {
                        Some(serde_json::Value::Number(n)) => format!("HTTP {n}"),
                        _ => format!("no answer: {}", text(&c, "transportError")),
                    };
                    let headline = format!("{} {} — {} in {} ms", text(&c, "method"), text(&c, "path"), status, text(&c, "elapsedMs"));
                    let authz = c.get("authorization").map(|a| text(a, "explanation")).unwrap_or_default();
                    let error = c.get("error").map(|e| format!("{}: {}", text(e, "exception"), text(e, "message")));
                    let signing = field(&c, "signing");
                    view! {
                        <details class="proxy-call" data-testid="proxy-call">
                            <summary>
                                <code>{text(&c, "operation")}</code>" "{headline}
                                {error.clone().map(|e| view! { " " <span class="error-name">{e}</span> })}
                            </summary>
                            {(!authz.is_empty()).then(|| view! { <p class="hint" data-testid="proxy-authz">"Proxy authorization: "{authz}</p> })}
                            <h5>"Request headers"</h5>
                            <pre>{c.get("requestHeaders").and_then(|h| h.as_array()).map(|hs| hs.iter().map(|h| format!("{}: {}", text(h, "name"), text(h, "value"))).collect::<Vec<_>>().join("\n")).unwrap_or_default()}</pre>
                            <h5>"SigV4: canonical request and string to sign"</h5>
                            <pre>{format!("{}\n\n{}", text(&signing, "canonicalRequest"), text(&signing, "stringToSign"))}</pre>
                            <h5>"Request body"</h5>
                            <pre data-testid="proxy-request">{pretty(&field(&c, "requestBody"))}</pre>
                            <h5>"Response"</h5>
                            <pre>{pretty(&field(&c, "responseBody"))}</pre>
                            <h5>"AAD and integrity"</h5>
                            <pre>{format!("additionalAuthenticatedData: {}\nAES-GCM AAD (length-prefixed): {}\nCDIV: {}",
                                text(&c, "aadBase64"), text(&c, "gcmAadBase64"), pretty(&field(&c, "cdiv")))}</pre>
                        </details>
                    }
                }).collect_view()}
            </div>
        }
    })
}
