//! The simulated proxy's HTTP API (spec "API operations" and "Error codes").
//!
//! [`XksProxy::handle`] answers one HTTP request the way a conforming proxy does, in this
//! order:
//!
//! 1. routing: the path must be `<servedUriPath>/health` or
//!    `<servedUriPath>/keys/<externalKeyId>/metadata|encrypt|decrypt`, else 404
//!    `InvalidUriPathException`; a method other than POST gets 405 (spec "API operations");
//! 2. SigV4 (spec "Authentication", Appendix A): service `kms-xks-proxy`, one of the accepted
//!    credentials, and the request time within five minutes of the proxy's own clock (KMS's
//!    time plus `clockSkewMs`), else 401 `AuthenticationFailedException`;
//! 3. an injected error fault for the operation, if one is active;
//! 4. the JSON body and its `requestMetadata`, else 400 `ValidationException`;
//! 5. secondary authorization over the metadata ([`super::authz`]; not for GetHealthStatus),
//!    else 403 `AccessDeniedException`;
//! 6. the key manager: when every instance is `UNAVAILABLE`, 500 `InternalException`;
//! 7. the external key: 404 `KeyNotFoundException`; for Encrypt and Decrypt, 400
//!    `InvalidStateException` when DISABLED and 400 `InvalidKeyUsageException` when its usage
//!    lacks the operation (or it is not `AES_256`);
//! 8. the operation: AES-256-GCM under the external key with the length-prefixed AAD
//!    ([`super::gcm_aad`]), the CDIV when asked ([`super::cdiv`], computed before the
//!    self-check decrypt as Appendix C recommends), 400 `InvalidCiphertextException` when a
//!    ciphertext does not authenticate.
//!
//! The proxy generates 96-bit IVs; a 128-bit IV (which the spec also allows) cannot be one of
//! its ciphertexts and is answered with `InvalidCiphertextException`.

use super::authz::AuthzDecision;
use super::config::{ExternalKeyStatus, FaultKind, XksProxy};
use super::{
    b64, cdiv, gcm_aad, unb64, ProxyErrorName, XksOperation, MAX_AAD, MAX_CIPHERTEXT_METADATA,
    TAG_LEN,
};
use crate::crypto::{aead_open, aead_seal, NONCE_LEN};
use crate::keystore::sigv4::{self, HttpRequest, XKS_SERVICE};
use crate::time::Instant;
use rand_core::Rng;
use serde_json::{json, Map, Value};

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body (JSON for every answer but 405 and injected garbage).
    pub body: String,
}

/// How the proxy authenticated a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationRecord {
    /// Whether SigV4 verification passed.
    pub verified: bool,
    /// The access key id that signed it (when the header could be read).
    pub access_key_id: Option<String>,
    /// `Verified`, or the [`sigv4::VerifyError::reason`].
    pub reason: &'static str,
    /// In words.
    pub detail: String,
}

/// Everything the proxy did with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// The answer.
    pub response: HttpResponse,
    /// The operation the path named (`None` when it named none).
    pub operation: Option<XksOperation>,
    /// SigV4 verification (`None` when routing refused the request first).
    pub authentication: Option<AuthenticationRecord>,
    /// Secondary authorization (`None` when the request did not get that far).
    pub authorization: Option<AuthzDecision>,
    /// The AAD given to AES-GCM (Encrypt and Decrypt).
    pub gcm_aad: Option<Vec<u8>>,
    /// The injected fault that fired, if any.
    pub fault: Option<&'static str>,
}

/// A refusal: the error name and the proxy's `errorMessage`.
type Refusal = (ProxyErrorName, String);
/// A JSON object.
type Object = Map<String, Value>;

fn error_response(name: ProxyErrorName, message: &str) -> HttpResponse {
    // Spec "Error codes": errorMessage under 512 characters of printable ASCII.
    let clean: String = message
        .chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .take(511)
        .collect();
    HttpResponse {
        status: name.http_status(),
        body: json!({ "errorName": name.as_str(), "errorMessage": clean }).to_string(),
    }
}

/// Splits a path into the operation and external key id, given the served base path.
pub fn route(served: &str, path: &str) -> Option<(XksOperation, String)> {
    let rest = path.strip_prefix(served)?;
    if rest == "/health" {
        return Some((XksOperation::GetHealthStatus, String::new()));
    }
    let (id, op) = rest.strip_prefix("/keys/")?.split_once('/')?;
    if id.is_empty() || id.contains('/') {
        return None;
    }
    let op = match op {
        "metadata" => XksOperation::GetKeyMetadata,
        "encrypt" => XksOperation::Encrypt,
        "decrypt" => XksOperation::Decrypt,
        _ => return None,
    };
    Some((op, id.to_string()))
}

fn field_b64(
    body: &Map<String, Value>,
    k: &str,
    required: bool,
) -> Result<Option<Vec<u8>>, Refusal> {
    match body.get(k) {
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => {
            Err((ProxyErrorName::ValidationException, format!("missing {k}")))
        }
        Some(Value::String(s)) => unb64(s).map(Some).ok_or((
            ProxyErrorName::ValidationException,
            format!("{k} is not valid base64"),
        )),
        Some(_) => Err((
            ProxyErrorName::ValidationException,
            format!("{k} must be a string"),
        )),
    }
}

fn field_str<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

/// Checks the body and `requestMetadata` common to every operation (spec: each API's
/// required metadata; an unknown `kmsOperation` MUST NOT be refused).
fn parse_body(op: XksOperation, body: &[u8]) -> Result<(Object, Object), Refusal> {
    let invalid = |m: &str| (ProxyErrorName::ValidationException, m.to_string());
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid("the body is not a JSON object"));
    };
    let Some(Value::Object(md)) = body.get("requestMetadata").cloned() else {
        return Err(invalid("missing requestMetadata"));
    };
    let mut required = vec!["kmsOperation", "kmsRequestId"];
    if op != XksOperation::GetHealthStatus {
        required.push("awsPrincipalArn");
    }
    if matches!(op, XksOperation::Encrypt | XksOperation::Decrypt) {
        required.push("kmsKeyArn");
    }
    if let Some(missing) = required.iter().find(|k| field_str(&md, k).is_none()) {
        return Err(invalid(&format!(
            "requestMetadata.{missing} is missing or not a string"
        )));
    }
    if op != XksOperation::GetHealthStatus
        && field_str(&body, "encryptionAlgorithm").is_some_and(|a| a != "AES_GCM")
    {
        return Err(invalid("encryptionAlgorithm must be AES_GCM"));
    }
    if matches!(op, XksOperation::Encrypt | XksOperation::Decrypt)
        && field_str(&body, "encryptionAlgorithm").is_none()
    {
        return Err(invalid("missing encryptionAlgorithm"));
    }
    Ok((body, md))
}

impl XksProxy {
    /// Answers one request arriving at KMS's time `now` (the proxy's clock reads
    /// `now + clockSkewMs`). `rng` supplies Encrypt's IVs.
    pub fn handle<R: Rng + ?Sized>(
        &mut self,
        req: &HttpRequest,
        now: Instant,
        rng: &mut R,
    ) -> Handled {
        let mut h = Handled {
            response: HttpResponse {
                status: 200,
                body: String::new(),
            },
            operation: None,
            authentication: None,
            authorization: None,
            gcm_aad: None,
            fault: None,
        };
        let Some((op, key_id)) = route(&self.served_uri_path, &req.path) else {
            h.response = error_response(
                ProxyErrorName::InvalidUriPathException,
                &format!("no XKS API at {}", req.path),
            );
            return h;
        };
        h.operation = Some(op);
        if req.method != "POST" {
            // Spec "API operations": a GET (or any other method) gets 405 Method Not Allowed.
            h.response = HttpResponse {
                status: 405,
                body: String::new(),
            };
            return h;
        }
        let proxy_now = Instant(now.0.saturating_add(self.clock_skew_ms));
        match sigv4::verify(req, &self.accepted_credentials, XKS_SERVICE, proxy_now) {
            Ok(v) => {
                h.authentication = Some(AuthenticationRecord {
                    verified: true,
                    access_key_id: Some(v.authorization.access_key_id),
                    reason: "Verified",
                    detail: "the signature matches an accepted credential".into(),
                });
            }
            Err(e) => {
                let akid = req
                    .header("authorization")
                    .and_then(|a| sigv4::parse_authorization(&a).ok())
                    .map(|a| a.access_key_id);
                h.authentication = Some(AuthenticationRecord {
                    verified: false,
                    access_key_id: akid,
                    reason: e.reason(),
                    detail: e.to_string(),
                });
                h.response = error_response(
                    ProxyErrorName::AuthenticationFailedException,
                    &e.to_string(),
                );
                return h;
            }
        }
        let picked = self.take_fault(op, now, |k| {
            matches!(k, FaultKind::Error(_) | FaultKind::MalformedResponse)
        });
        if let Some(kind) = picked {
            h.fault = Some(kind.name());
            h.response = match kind {
                FaultKind::Error(name) => error_response(name, "injected fault"),
                _ => HttpResponse {
                    status: 200,
                    body: "<html><body>upstream sent an unexpected answer</body></html>".into(),
                },
            };
            return h;
        }
        match self.serve(op, &key_id, &req.body, now, rng, &mut h) {
            Ok(v) => {
                h.response = HttpResponse {
                    status: 200,
                    body: v.to_string(),
                }
            }
            Err((name, msg)) => h.response = error_response(name, &msg),
        }
        h
    }

    fn serve<R: Rng + ?Sized>(
        &mut self,
        op: XksOperation,
        key_id: &str,
        body: &[u8],
        now: Instant,
        rng: &mut R,
        h: &mut Handled,
    ) -> Result<Value, Refusal> {
        let (body, md) = parse_body(op, body)?;
        if op == XksOperation::GetHealthStatus {
            h.authorization = Some(AuthzDecision::exempt());
            return Ok(self.health());
        }
        let decision = self
            .authorization
            .as_ref()
            .map_or_else(AuthzDecision::no_rules, |p| p.evaluate(op, key_id, &md));
        let allowed = decision.allowed;
        let explanation = decision.explanation.clone();
        h.authorization = Some(decision);
        if !allowed {
            return Err((ProxyErrorName::AccessDeniedException, explanation));
        }
        if self
            .ekm_fleet
            .iter()
            .all(|e| e.health_status == "UNAVAILABLE")
        {
            return Err((
                ProxyErrorName::InternalException,
                "no external key manager is available".into(),
            ));
        }
        let key = self
            .key(key_id)
            .ok_or_else(|| {
                (
                    ProxyErrorName::KeyNotFoundException,
                    format!("no external key {key_id}"),
                )
            })?
            .clone();
        if op == XksOperation::GetKeyMetadata {
            return Ok(json!({
                "keySpec": key.key_spec,
                "keyUsage": key.usage,
                "keyStatus": key.status.as_str(),
            }));
        }
        if key.status == ExternalKeyStatus::Disabled {
            return Err((
                ProxyErrorName::InvalidStateException,
                format!("external key {key_id} is disabled"),
            ));
        }
        let usage = if op == XksOperation::Encrypt {
            "ENCRYPT"
        } else {
            "DECRYPT"
        };
        if !key.usage.iter().any(|u| u == usage) || key.key_spec != "AES_256" {
            return Err((
                ProxyErrorName::InvalidKeyUsageException,
                format!(
                    "external key {key_id} ({}) does not allow {usage}",
                    key.key_spec
                ),
            ));
        }
        let aad = field_b64(&body, "additionalAuthenticatedData", false)?.unwrap_or_default();
        if aad.len() > MAX_AAD {
            return Err((
                ProxyErrorName::UnsupportedOperationException,
                format!(
                    "additionalAuthenticatedData of {} bytes exceeds {MAX_AAD}",
                    aad.len()
                ),
            ));
        }
        if op == XksOperation::Encrypt {
            self.encrypt(&key, &body, &aad, now, rng, h)
        } else {
            self.decrypt(&key, &body, &aad, now, h)
        }
    }

    fn encrypt<R: Rng + ?Sized>(
        &mut self,
        key: &super::config::ExternalKey,
        body: &Map<String, Value>,
        aad: &[u8],
        now: Instant,
        rng: &mut R,
        h: &mut Handled,
    ) -> Result<Value, Refusal> {
        let plaintext =
            zeroize::Zeroizing::new(field_b64(body, "plaintext", true)?.unwrap_or_default());
        let want_cdiv = match field_str(body, "ciphertextDataIntegrityValueAlgorithm") {
            None => false,
            Some("SHA_256") => true,
            Some(_) => {
                return Err((
                    ProxyErrorName::ValidationException,
                    "ciphertextDataIntegrityValueAlgorithm must be SHA_256".into(),
                ))
            }
        };
        let cm = key.ciphertext_metadata.clone().unwrap_or_default();
        let aead_aad = gcm_aad(aad, &cm)
            .ok_or((ProxyErrorName::ValidationException, "AAD too long".into()))?;
        let mut iv = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut iv);
        let sealed = aead_seal(&key.material, &iv, &aead_aad, &plaintext).ok_or((
            ProxyErrorName::UnsupportedOperationException,
            "plaintext too large".into(),
        ))?;
        let split = sealed.len().saturating_sub(TAG_LEN);
        let (ct, tag) = sealed.split_at(split);
        let mut ct = ct.to_vec();
        // Appendix C: the CDIV first, then the self-check decrypt, then the answer.
        let integrity = cdiv(aad, &cm, &iv, &ct, tag);
        if aead_open(&key.material, &iv, &aead_aad, &sealed).is_err() {
            return Err((
                ProxyErrorName::InternalException,
                "self-check decrypt failed".into(),
            ));
        }
        h.gcm_aad = Some(aead_aad);
        if self
            .take_fault(XksOperation::Encrypt, now, |k| {
                k == FaultKind::CorruptResponse
            })
            .is_some()
        {
            h.fault = Some(FaultKind::CorruptResponse.name());
            flip_bit(&mut ct);
        }
        let mut out = json!({
            "ciphertext": b64(&ct),
            "initializationVector": b64(&iv),
            "authenticationTag": b64(tag),
        });
        if let Some(m) = out.as_object_mut() {
            if !cm.is_empty() {
                m.insert("ciphertextMetadata".into(), b64(&cm).into());
            }
            if want_cdiv {
                m.insert(
                    "ciphertextDataIntegrityValue".into(),
                    b64(&integrity).into(),
                );
            }
        }
        Ok(out)
    }

    fn decrypt(
        &mut self,
        key: &super::config::ExternalKey,
        body: &Map<String, Value>,
        aad: &[u8],
        now: Instant,
        h: &mut Handled,
    ) -> Result<Value, Refusal> {
        let invalid = |m: &str| (ProxyErrorName::ValidationException, m.to_string());
        let ct = field_b64(body, "ciphertext", true)?.unwrap_or_default();
        let iv = field_b64(body, "initializationVector", true)?.unwrap_or_default();
        let tag = field_b64(body, "authenticationTag", true)?.unwrap_or_default();
        let cm = field_b64(body, "ciphertextMetadata", false)?.unwrap_or_default();
        if iv.len() != 12 && iv.len() != 16 {
            return Err(invalid("initializationVector must be 12 or 16 bytes"));
        }
        if tag.len() != TAG_LEN {
            return Err(invalid("authenticationTag must be 16 bytes"));
        }
        if cm.len() > MAX_CIPHERTEXT_METADATA {
            return Err(invalid("ciphertextMetadata exceeds 20 bytes"));
        }
        let aead_aad = gcm_aad(aad, &cm).ok_or_else(|| invalid("AAD too long"))?;
        h.gcm_aad = Some(aead_aad.clone());
        let bad_ct = || {
            (
                ProxyErrorName::InvalidCiphertextException,
                "the ciphertext, IV, AAD or authentication tag is invalid".to_string(),
            )
        };
        let nonce: [u8; NONCE_LEN] = iv.as_slice().try_into().map_err(|_| bad_ct())?;
        let mut sealed = ct;
        sealed.extend_from_slice(&tag);
        let pt = aead_open(&key.material, &nonce, &aead_aad, &sealed).map_err(|_| bad_ct())?;
        let mut pt = zeroize::Zeroizing::new(pt.expose().to_vec());
        if self
            .take_fault(XksOperation::Decrypt, now, |k| {
                k == FaultKind::CorruptResponse
            })
            .is_some()
        {
            h.fault = Some(FaultKind::CorruptResponse.name());
            flip_bit(&mut pt);
        }
        Ok(json!({ "plaintext": b64(&pt) }))
    }

    /// The GetHealthStatus answer (spec GetHealthStatus response).
    fn health(&self) -> Value {
        json!({
            "xksProxyFleetSize": 1,
            "xksProxyVendor": "kmslab",
            "xksProxyModel": "kmslab simulated XKS proxy 1.0",
            "ekmVendor": "kmslab",
            "ekmFleetDetails": self.ekm_fleet.iter().map(|e| json!({
                "id": e.id,
                "model": e.model,
                "healthStatus": e.health_status,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Flips the lowest bit of the first byte (an empty value stays empty).
fn flip_bit(bytes: &mut [u8]) {
    if let Some(b) = bytes.first_mut() {
        *b ^= 1;
    }
}
