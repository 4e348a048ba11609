//! The KMS side of an external key store: the four proxy calls as KMS makes them.
//!
//! Each call builds the spec's JSON body, signs it with SigV4 (service `kms-xks-proxy`, the
//! store's credential, KMS's region; signed headers `host;x-amz-date` as spec Appendix A
//! shows, `Content-Type` added unsigned), sends it through the simulated network, and checks
//! the answer:
//!
//! - network: the VPC endpoint service must exist, the proxy must be reachable at the
//!   endpoint's host (else no TCP connection), and TLS must succeed: the proxy's certificate
//!   from a trusted CA, unexpired, naming the host (a `*.` wildcard covers one label), and, when
//!   the proxy demands mTLS, KMS's client certificate `cks.kms.<region>.amazonaws.com` must be
//!   the one it expects (spec "Authentication");
//! - time: an answer slower than 250 ms is a timeout (spec, each API's "KMS Considerations");
//! - shape: every field the spec requires, with the sizes it requires (IV 12 or 16 bytes, tag
//!   16, ciphertext as long as the plaintext, `ciphertextMetadata` at most 20 bytes), and the
//!   CDIV KMS asks for on every Encrypt recomputed and compared (spec Appendix C).
//!
//! A failure becomes the exception and message of [`super::errors`]. Every call returns an
//! [`Exchange`]: the request and response as a request/response inspector shows them.
//! Plaintext fields (what KMS sends to Encrypt, what Decrypt returns) are shown as their length
//! only, as the spec asks of proxy logs.

use super::authz::AuthzDecision;
use super::config::{Connectivity, FaultKind, XksProxy, XksProxyConfiguration};
use super::errors::{Failure, KmsCaller, XksError, MSG_UNHEALTHY};
use super::proxy::AuthenticationRecord;
use super::{b64, cdiv, unb64, RequestMetadata, XksOperation, MAX_CIPHERTEXT_METADATA, TAG_LEN};
use crate::crypto::Secret;
use crate::keystore::sigv4::{self, HttpRequest, SigningRecord, XKS_SERVICE};
use crate::time::Instant;
use rand_core::Rng;
use serde_json::{Map, Value};

/// KMS waits this long for a proxy (spec: "within 250ms").
pub const KMS_TIMEOUT_MS: i64 = 250;

/// One call's fixed inputs.
#[derive(Debug, Clone, Copy)]
pub struct XksCall<'a> {
    /// What KMS has on record for the store.
    pub config: &'a XksProxyConfiguration,
    /// KMS's region (credential scope, mTLS client certificate).
    pub region: &'a str,
    /// KMS's clock.
    pub now: Instant,
    /// The request metadata to send (`kmsOperation` also decides the exception family).
    pub metadata: &'a RequestMetadata,
}

/// What the proxy's Encrypt returned, which KMS keeps in its ciphertext blob and sends back to
/// Decrypt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XksCiphertext {
    /// Same length as the plaintext.
    pub ciphertext: Vec<u8>,
    /// 12 or 16 bytes.
    pub initialization_vector: Vec<u8>,
    /// 16 bytes.
    pub authentication_tag: Vec<u8>,
    /// Up to 20 vendor bytes.
    pub ciphertext_metadata: Option<Vec<u8>>,
}

/// GetKeyMetadata's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyMetadata {
    /// `AES_256`, ...
    pub key_spec: String,
    /// `ENCRYPT`, `DECRYPT`, ...
    pub key_usage: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub key_status: String,
}

/// One external key manager in a GetHealthStatus answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EkmDetails {
    /// Its id.
    pub id: String,
    /// Its model.
    pub model: String,
    /// `ACTIVE`, `DEGRADED` or `UNAVAILABLE`.
    pub health_status: String,
}

/// GetHealthStatus's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthStatus {
    /// Proxies in the fleet (> 0).
    pub xks_proxy_fleet_size: u64,
    /// Proxy vendor.
    pub xks_proxy_vendor: String,
    /// Proxy model.
    pub xks_proxy_model: String,
    /// Key manager vendor.
    pub ekm_vendor: String,
    /// 1 to 10 key managers.
    pub ekm_fleet_details: Vec<EkmDetails>,
}

impl HealthStatus {
    /// Every key manager is UNAVAILABLE.
    pub fn all_unavailable(&self) -> bool {
        self.ekm_fleet_details
            .iter()
            .all(|e| e.health_status == "UNAVAILABLE")
    }
}

/// A header as sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// KMS's check of the ciphertext data integrity value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdivCheck {
    /// `SHA_256`.
    pub algorithm: &'static str,
    /// What the proxy returned (base64).
    pub from_proxy: Option<String>,
    /// What KMS computed over the returned fields (base64).
    pub computed: String,
    /// Whether they agree.
    pub matches: bool,
}

/// One KMS-to-proxy exchange, for a request/response inspector.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// The proxy API.
    pub operation: XksOperation,
    /// The KMS operation it served.
    pub kms_operation: String,
    /// The KMS request id.
    pub kms_request_id: String,
    /// `POST`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The request path.
    pub path: String,
    /// Request headers, `Authorization` included.
    pub request_headers: Vec<Header>,
    /// The SigV4 steps (canonical request, string to sign, signature).
    pub signing: SigningRecord,
    /// The request body (plaintext shown by length only).
    pub request_body: Value,
    /// The HTTP status, when an answer arrived in time.
    pub response_status: Option<u16>,
    /// The response body: JSON, or the raw text when it is not JSON (plaintext by length).
    pub response_body: Option<Value>,
    /// Why no answer arrived (TCP, TLS, timeout).
    pub transport_error: Option<String>,
    /// `additionalAuthenticatedData` as sent (base64).
    pub aad_base64: Option<String>,
    /// The AAD the proxy gave AES-GCM (base64; spec Encrypt's length-prefixed construction).
    pub gcm_aad_base64: Option<String>,
    /// The CDIV check (Encrypt).
    pub cdiv: Option<CdivCheck>,
    /// What KMS waited (at most 250 ms).
    pub elapsed_ms: i64,
    /// What the proxy took.
    pub proxy_latency_ms: i64,
    /// The proxy's SigV4 verification.
    pub authentication: Option<AuthenticationRecord>,
    /// The proxy's secondary authorization, with the rule that decided.
    pub authorization: Option<AuthzDecision>,
    /// The injected fault that fired.
    pub fault: Option<&'static str>,
    /// The KMS error, when the call failed.
    pub error: Option<XksError>,
}

/// A call's result and its exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    /// The value, or the KMS exception.
    pub result: Result<T, XksError>,
    /// What went over the wire.
    pub exchange: Exchange,
}

/// The CN of the client certificate KMS presents in a region (spec "Authentication").
pub fn kms_client_cn(region: &str) -> String {
    format!("cks.kms.{region}.amazonaws.com")
}

/// Whether a certificate CN names `host` (`*.example.com` covers exactly one more label).
pub fn cn_matches(cn: &str, host: &str) -> bool {
    let cn = cn.to_ascii_lowercase();
    match cn.strip_prefix("*.") {
        Some(domain) => host.split_once('.').is_some_and(|(_, rest)| rest == domain),
        None => cn == host,
    }
}

/// The network between KMS and the proxy: TCP, then TLS. Injected network faults fire here.
pub fn transport(
    proxy: &mut XksProxy,
    config: &XksProxyConfiguration,
    region: &str,
    now: Instant,
    op: XksOperation,
) -> Result<(), Failure> {
    let host = config.host();
    if config.connectivity == Connectivity::VpcEndpointService
        && !proxy
            .vpc_endpoint_service
            .as_ref()
            .is_some_and(|v| v.exists)
    {
        return Err(Failure::TcpConnection);
    }
    if !proxy.reachable || host != proxy.host {
        return Err(Failure::TcpConnection);
    }
    let network =
        |k: FaultKind| matches!(k, FaultKind::Unreachable | FaultKind::TlsHandshakeFailure);
    match proxy.take_fault(op, now, network) {
        Some(FaultKind::Unreachable) => return Err(Failure::TcpConnection),
        Some(_) => return Err(Failure::TlsConnection("injected handshake failure".into())),
        None => {}
    }
    let cert = &proxy.server_certificate;
    if !cert.trusted_ca {
        return Err(Failure::TlsConnection(
            "the proxy's certificate is not from a certificate authority KMS trusts".into(),
        ));
    }
    if cert.not_after.is_some_and(|t| now >= t) {
        return Err(Failure::TlsConnection(
            "the proxy's certificate has expired".into(),
        ));
    }
    if !cn_matches(&cert.common_name, &host) {
        return Err(Failure::TlsConnection(format!(
            "the proxy's certificate names `{}`, not `{host}`",
            cert.common_name
        )));
    }
    if let Some(cn) = &proxy.mtls_client_cn {
        let ours = kms_client_cn(region);
        if *cn != ours {
            return Err(Failure::TlsConnection(format!(
                "the proxy requires client certificate `{cn}`; KMS presents `{ours}`"
            )));
        }
    }
    Ok(())
}

/// Replaces `plaintext` with its length, for records.
fn redact(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        if let Some(Value::String(s)) = m.get("plaintext") {
            let n = unb64(s).map_or(0, |b| b.len());
            m.insert(
                "plaintext".into(),
                Value::String(format!("<{n} bytes, not shown>")),
            );
        }
    }
    v
}

/// Sends one request and returns the exchange and the parsed 200 body (or the failure).
fn send<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    call: &XksCall<'_>,
    op: XksOperation,
    key_id: &str,
    body: Value,
    rng: &mut R,
) -> (Exchange, Result<Map<String, Value>, Failure>) {
    let cfg = call.config;
    let path = cfg.path(op, key_id);
    let mut req = HttpRequest::new("POST", &path, body.to_string().into_bytes())
        .with_header("Host", &cfg.host());
    let signing = sigv4::sign(
        &mut req,
        &cfg.credential,
        call.region,
        XKS_SERVICE,
        call.now,
    );
    req.set_header("Content-Type", "application/json");
    let mut ex = Exchange {
        operation: op,
        kms_operation: call.metadata.kms_operation.clone(),
        kms_request_id: call.metadata.kms_request_id.clone(),
        method: req.method.clone(),
        url: cfg.url(op, key_id),
        path,
        request_headers: req
            .headers
            .iter()
            .map(|(name, value)| Header {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        signing,
        aad_base64: body
            .get("additionalAuthenticatedData")
            .and_then(Value::as_str)
            .map(str::to_string),
        request_body: redact(body),
        response_status: None,
        response_body: None,
        transport_error: None,
        gcm_aad_base64: None,
        cdiv: None,
        elapsed_ms: 0,
        proxy_latency_ms: 0,
        authentication: None,
        authorization: None,
        fault: None,
        error: None,
    };
    if let Err(f) = transport(proxy, cfg, call.region, call.now, op) {
        ex.transport_error = Some(match &f {
            Failure::TlsConnection(why) => format!("TLS handshake failed: {why}"),
            _ => "no TCP connection to the proxy".to_string(),
        });
        return (ex, Err(f));
    }
    let latency = proxy.take_latency(op, call.now);
    let handled = proxy.handle(&req, call.now, rng);
    ex.proxy_latency_ms = latency;
    ex.authentication = handled.authentication;
    ex.authorization = handled.authorization;
    ex.gcm_aad_base64 = handled.gcm_aad.as_deref().map(b64);
    ex.fault = handled.fault;
    if latency > KMS_TIMEOUT_MS {
        ex.elapsed_ms = KMS_TIMEOUT_MS;
        ex.transport_error = Some(format!(
            "no answer within {KMS_TIMEOUT_MS} ms (the proxy took {latency} ms)"
        ));
        return (ex, Err(Failure::Timeout));
    }
    ex.elapsed_ms = latency;
    let status = handled.response.status;
    ex.response_status = Some(status);
    let parsed: Option<Value> = serde_json::from_str(&handled.response.body).ok();
    ex.response_body = Some(match &parsed {
        Some(v) => redact(v.clone()),
        None => Value::String(handled.response.body.clone()),
    });
    let result = match (status, parsed) {
        (200, Some(Value::Object(m))) => Ok(m),
        (200, _) => Err(Failure::MalformedResponse(
            "the 200 answer is not a JSON object".into(),
        )),
        // Spec "Error codes": KMS goes by `errorName`; anything else is malformed.
        (_, Some(v)) => match v.get("errorName").and_then(Value::as_str) {
            Some(name) => Err(super::ProxyErrorName::parse(name)
                .map(Failure::Proxy)
                .unwrap_or_else(|| malformed(&format!("unknown errorName `{name}`")))),
            None => Err(malformed(&format!("HTTP {status} without an errorName"))),
        },
        (_, None) => Err(Failure::MalformedResponse(format!(
            "HTTP {status} without a JSON body"
        ))),
    };
    (ex, result)
}

/// Finishes an outcome: records the error, maps the failure for the caller's kind.
fn finish<T>(mut exchange: Exchange, caller: KmsCaller, result: Result<T, Failure>) -> Outcome<T> {
    let result = result.map_err(|f| f.kms_error(caller));
    exchange.error = result.as_ref().err().cloned();
    Outcome { result, exchange }
}

fn malformed(why: &str) -> Failure {
    Failure::MalformedResponse(why.to_string())
}

fn get_b64(m: &Map<String, Value>, k: &str) -> Result<Option<Vec<u8>>, Failure> {
    match m.get(k) {
        None => Ok(None),
        Some(Value::String(s)) => unb64(s)
            .map(Some)
            .ok_or_else(|| malformed(&format!("`{k}` is not base64"))),
        Some(_) => Err(malformed(&format!("`{k}` is not a string"))),
    }
}

fn need_b64(m: &Map<String, Value>, k: &str) -> Result<Vec<u8>, Failure> {
    get_b64(m, k)?.ok_or_else(|| malformed(&format!("the answer has no `{k}`")))
}

fn need_str(m: &Map<String, Value>, k: &str) -> Result<String, Failure> {
    m.get(k)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| malformed(&format!("the answer has no string `{k}`")))
}

fn metadata_body(call: &XksCall<'_>, op: XksOperation) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("requestMetadata".into(), call.metadata.to_json(op));
    m
}

/// GetHealthStatus (spec GetHealthStatus). For CreateCustomKeyStore and UpdateCustomKeyStore,
/// a fleet whose key managers are all UNAVAILABLE is an `XksProxyUriUnreachableException`.
pub fn get_health_status<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    call: &XksCall<'_>,
    rng: &mut R,
) -> Outcome<HealthStatus> {
    let caller = KmsCaller::of(&call.metadata.kms_operation);
    let (ex, result) = health_call(proxy, call, rng);
    let mut out = finish(ex, caller, result);
    let unhealthy = out.result.as_ref().is_ok_and(HealthStatus::all_unavailable);
    let management = matches!(
        call.metadata.kms_operation.as_str(),
        "CreateCustomKeyStore" | "UpdateCustomKeyStore"
    );
    if unhealthy && management {
        let e = XksError {
            exception: "XksProxyUriUnreachableException",
            message: MSG_UNHEALTHY.to_string(),
        };
        out.exchange.error = Some(e.clone());
        out.result = Err(e);
    }
    out
}

/// GetHealthStatus with the failure unmapped (for connection attempts, which report a
/// connection error code instead of an exception).
pub(super) fn health_call<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    call: &XksCall<'_>,
    rng: &mut R,
) -> (Exchange, Result<HealthStatus, Failure>) {
    let op = XksOperation::GetHealthStatus;
    let (ex, r) = send(
        proxy,
        call,
        op,
        "",
        Value::Object(metadata_body(call, op)),
        rng,
    );
    (ex, r.and_then(|m| parse_health(&m)))
}

/// Checks a GetHealthStatus answer's shape.
pub fn parse_health(m: &Map<String, Value>) -> Result<HealthStatus, Failure> {
    let fleet = m
        .get("xksProxyFleetSize")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .ok_or_else(|| malformed("`xksProxyFleetSize` is not an integer above zero"))?;
    let details = m
        .get("ekmFleetDetails")
        .and_then(Value::as_array)
        .filter(|a| (1..=10).contains(&a.len()))
        .ok_or_else(|| malformed("`ekmFleetDetails` must list 1 to 10 key managers"))?;
    let ekm_fleet_details = details
        .iter()
        .map(|d| {
            let d = d
                .as_object()
                .ok_or_else(|| malformed("an `ekmFleetDetails` entry is not an object"))?;
            let health_status = need_str(d, "healthStatus")?;
            if !["ACTIVE", "DEGRADED", "UNAVAILABLE"].contains(&health_status.as_str()) {
                return Err(malformed(&format!(
                    "unknown healthStatus `{health_status}`"
                )));
            }
            Ok(EkmDetails {
                id: need_str(d, "id")?,
                model: need_str(d, "model")?,
                health_status,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(HealthStatus {
        xks_proxy_fleet_size: fleet,
        xks_proxy_vendor: need_str(m, "xksProxyVendor")?,
        xks_proxy_model: need_str(m, "xksProxyModel")?,
        ekm_vendor: need_str(m, "ekmVendor")?,
        ekm_fleet_details,
    })
}

/// GetKeyMetadata (spec GetKeyMetadata). CreateKey then applies [`super::validate_for_create_key`].
pub fn get_key_metadata<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    call: &XksCall<'_>,
    external_key_id: &str,
    rng: &mut R,
) -> Outcome<KeyMetadata> {
    let op = XksOperation::GetKeyMetadata;
    let (ex, r) = send(
        proxy,
        call,
        op,
        external_key_id,
        Value::Object(metadata_body(call, op)),
        rng,
    );
    let result = r.and_then(|m| {
        let usage = m
            .get("keyUsage")
            .and_then(Value::as_array)
            .filter(|a| a.len() <= 10)
            .and_then(|a| {
                a.iter()
                    .map(|u| u.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| malformed("`keyUsage` must be an array of at most 10 strings"))?;
        Ok(KeyMetadata {
            key_spec: need_str(&m, "keySpec")?,
            key_usage: usage,
            key_status: need_str(&m, "keyStatus")?,
        })
    });
    finish(ex, KmsCaller::of(&call.metadata.kms_operation), result)
}

/// Encrypt (spec Encrypt): `plaintext` under the external key with `aad` (omitted when empty),
/// always asking for the SHA-256 CDIV and checking it.
pub fn encrypt<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    call: &XksCall<'_>,
    external_key_id: &str,
    plaintext: &[u8],
    aad: &[u8],
    rng: &mut R,
) -> Outcome<XksCiphertext> {
    let op = XksOperation::Encrypt;
    let mut body = metadata_body(call, op);
    body.insert("plaintext".into(), b64(plaintext).into());
    body.insert("encryptionAlgorithm".into(), "AES_GCM".into());
    if !aad.is_empty() {
        body.insert("additionalAuthenticatedData".into(), b64(aad).into());
    }
    body.insert(
        "ciphertextDataIntegrityValueAlgorithm".into(),
        "SHA_256".into(),
    );
    let (mut ex, r) = send(proxy, call, op, external_key_id, Value::Object(body), rng);
    let result = r.and_then(|m| {
        let ciphertext = need_b64(&m, "ciphertext")?;
        let initialization_vector = need_b64(&m, "initializationVector")?;
        let authentication_tag = need_b64(&m, "authenticationTag")?;
        let ciphertext_metadata = get_b64(&m, "ciphertextMetadata")?;
        if ![12, 16].contains(&initialization_vector.len()) {
            return Err(malformed("`initializationVector` is not 12 or 16 bytes"));
        }
        if authentication_tag.len() != TAG_LEN {
            return Err(malformed("`authenticationTag` is not 16 bytes"));
        }
        if ciphertext.len() != plaintext.len() {
            return Err(malformed("`ciphertext` is not as long as the plaintext"));
        }
        if ciphertext_metadata
            .as_ref()
            .is_some_and(|c| c.len() > MAX_CIPHERTEXT_METADATA)
        {
            return Err(malformed("`ciphertextMetadata` exceeds 20 bytes"));
        }
        let computed = b64(&cdiv(
            aad,
            ciphertext_metadata.as_deref().unwrap_or_default(),
            &initialization_vector,
            &ciphertext,
            &authentication_tag,
        ));
        let from_proxy = m
            .get("ciphertextDataIntegrityValue")
            .and_then(Value::as_str)
            .map(str::to_string);
        let matches = from_proxy.as_deref() == Some(computed.as_str());
        ex.cdiv = Some(CdivCheck {
            algorithm: "SHA_256",
            from_proxy,
            computed,
            matches,
        });
        if !matches {
            return Err(malformed(
                "the ciphertext data integrity value does not match",
            ));
        }
        Ok(XksCiphertext {
            ciphertext,
            initialization_vector,
            authentication_tag,
            ciphertext_metadata,
        })
    });
    finish(ex, KmsCaller::of(&call.metadata.kms_operation), result)
}

/// Decrypt (spec Decrypt): the fields of an earlier Encrypt answer, with the same `aad`.
pub fn decrypt<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    call: &XksCall<'_>,
    external_key_id: &str,
    sealed: &XksCiphertext,
    aad: &[u8],
    rng: &mut R,
) -> Outcome<Secret> {
    let op = XksOperation::Decrypt;
    let mut body = metadata_body(call, op);
    body.insert("ciphertext".into(), b64(&sealed.ciphertext).into());
    if let Some(cm) = &sealed.ciphertext_metadata {
        body.insert("ciphertextMetadata".into(), b64(cm).into());
    }
    body.insert("encryptionAlgorithm".into(), "AES_GCM".into());
    if !aad.is_empty() {
        body.insert("additionalAuthenticatedData".into(), b64(aad).into());
    }
    body.insert(
        "initializationVector".into(),
        b64(&sealed.initialization_vector).into(),
    );
    body.insert(
        "authenticationTag".into(),
        b64(&sealed.authentication_tag).into(),
    );
    let (ex, r) = send(proxy, call, op, external_key_id, Value::Object(body), rng);
    let result = r.and_then(|m| {
        let pt = Secret::new(need_b64(&m, "plaintext")?);
        if pt.expose().len() != sealed.ciphertext.len() {
            return Err(malformed("`plaintext` is not as long as the ciphertext"));
        }
        Ok(pt)
    });
    finish(ex, KmsCaller::of(&call.metadata.kms_operation), result)
}
