//! The external key store (XKS): a simulated external key store proxy that follows the XKS
//! Proxy API specification v1, and the KMS side that talks to it.
//!
//! - [`config`]: the scenario's `keyStores[].proxy` object, read into what KMS has on record
//!   ([`XksProxyConfiguration`]: endpoint, path, connectivity, SigV4 credential) and the proxy
//!   itself ([`XksProxy`]: external keys, accepted credentials, authorization rules, latency,
//!   faults, TLS, the VPC endpoint service);
//! - [`proxy`]: the proxy's HTTP API (`GetKeyMetadata`, `Encrypt`, `Decrypt`,
//!   `GetHealthStatus`): routing, SigV4 verification, request validation, secondary
//!   authorization ([`authz`]), external key status and usage, AES-256-GCM and the CDIV;
//! - [`client`]: what KMS does: build and sign each request, send it through the simulated
//!   network (TCP, TLS, the 250 ms timeout), check the response, map every failure to the KMS
//!   exception and message AWS documents, and record the whole exchange ([`Exchange`]);
//! - [`errors`]: which KMS exception and message each failure becomes, per KMS operation;
//! - [`connect`]: the checks of a connection attempt, ending in a `ConnectionErrorCode`.
//!
//! Everything is deterministic: time is the caller's [`crate::time::Instant`], randomness (key
//! material, IVs) the caller's generator.

pub mod authz;
pub mod client;
pub mod config;
pub mod connect;
pub mod errors;
pub mod proxy;
mod read;

#[cfg(test)]
mod tests;

pub use client::{
    decrypt, encrypt, get_health_status, get_key_metadata, Exchange, HealthStatus, KeyMetadata,
    Outcome, XksCall, XksCiphertext, KMS_TIMEOUT_MS,
};
pub use config::{parse_proxy, XksProxy, XksProxyConfiguration, XksStore};
pub use connect::{check_connection, ConnectionCheck, ConnectionErrorCode};
pub use errors::{validate_for_create_key, Failure, KmsCaller, XksError};

use base64::Engine as _;
use std::fmt;

/// The four proxy APIs (spec "API operations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum XksOperation {
    /// `POST .../keys/<id>/metadata`.
    GetKeyMetadata,
    /// `POST .../keys/<id>/encrypt`.
    Encrypt,
    /// `POST .../keys/<id>/decrypt`.
    Decrypt,
    /// `POST .../health`.
    GetHealthStatus,
}

impl XksOperation {
    /// Every operation.
    pub const ALL: [XksOperation; 4] = [
        XksOperation::GetKeyMetadata,
        XksOperation::Encrypt,
        XksOperation::Decrypt,
        XksOperation::GetHealthStatus,
    ];

    /// The spec's name.
    pub fn as_str(self) -> &'static str {
        match self {
            XksOperation::GetKeyMetadata => "GetKeyMetadata",
            XksOperation::Encrypt => "Encrypt",
            XksOperation::Decrypt => "Decrypt",
            XksOperation::GetHealthStatus => "GetHealthStatus",
        }
    }

    /// Reads the spec's name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The path under `<uriPath>` (spec: `/keys/<externalKeyId>/metadata|encrypt|decrypt`,
    /// `/health`).
    pub fn path(self, external_key_id: &str) -> String {
        match self {
            XksOperation::GetKeyMetadata => format!("/keys/{external_key_id}/metadata"),
            XksOperation::Encrypt => format!("/keys/{external_key_id}/encrypt"),
            XksOperation::Decrypt => format!("/keys/{external_key_id}/decrypt"),
            XksOperation::GetHealthStatus => "/health".to_string(),
        }
    }
}

impl fmt::Display for XksOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The errors a proxy answers with, as `{"errorName": ...}` (spec "Error codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[allow(clippy::enum_variant_names)]
pub enum ProxyErrorName {
    /// 400: an input parameter is invalid.
    ValidationException,
    /// 400: the external key or key store is disabled, deactivated or blocked.
    InvalidStateException,
    /// 400: ciphertext, IV, AAD or tag corrupted, missing or invalid (Decrypt).
    InvalidCiphertextException,
    /// 400: the key does not support the operation (Encrypt, Decrypt).
    InvalidKeyUsageException,
    /// 401: the SigV4 signature is invalid.
    AuthenticationFailedException,
    /// 403: secondary authorization refused the request metadata.
    AccessDeniedException,
    /// 404: no such external key.
    KeyNotFoundException,
    /// 404: the URI path is not valid.
    InvalidUriPathException,
    /// 429: the request rate is too high.
    ThrottlingException,
    /// 501: the operation or a parameter size is not supported.
    UnsupportedOperationException,
    /// 503: the proxy timed out on a dependency.
    DependencyTimeoutException,
    /// 500: a generic server error (e.g. the external key manager failed).
    InternalException,
}

impl ProxyErrorName {
    /// Every name.
    pub const ALL: [ProxyErrorName; 12] = [
        ProxyErrorName::ValidationException,
        ProxyErrorName::InvalidStateException,
        ProxyErrorName::InvalidCiphertextException,
        ProxyErrorName::InvalidKeyUsageException,
        ProxyErrorName::AuthenticationFailedException,
        ProxyErrorName::AccessDeniedException,
        ProxyErrorName::KeyNotFoundException,
        ProxyErrorName::InvalidUriPathException,
        ProxyErrorName::ThrottlingException,
        ProxyErrorName::UnsupportedOperationException,
        ProxyErrorName::DependencyTimeoutException,
        ProxyErrorName::InternalException,
    ];

    /// The `errorName` text.
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyErrorName::ValidationException => "ValidationException",
            ProxyErrorName::InvalidStateException => "InvalidStateException",
            ProxyErrorName::InvalidCiphertextException => "InvalidCiphertextException",
            ProxyErrorName::InvalidKeyUsageException => "InvalidKeyUsageException",
            ProxyErrorName::AuthenticationFailedException => "AuthenticationFailedException",
            ProxyErrorName::AccessDeniedException => "AccessDeniedException",
            ProxyErrorName::KeyNotFoundException => "KeyNotFoundException",
            ProxyErrorName::InvalidUriPathException => "InvalidUriPathException",
            ProxyErrorName::ThrottlingException => "ThrottlingException",
            ProxyErrorName::UnsupportedOperationException => "UnsupportedOperationException",
            ProxyErrorName::DependencyTimeoutException => "DependencyTimeoutException",
            ProxyErrorName::InternalException => "InternalException",
        }
    }

    /// Reads an `errorName`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }

    /// The HTTP status the spec pairs with the name.
    pub fn http_status(self) -> u16 {
        match self {
            ProxyErrorName::ValidationException
            | ProxyErrorName::InvalidStateException
            | ProxyErrorName::InvalidCiphertextException
            | ProxyErrorName::InvalidKeyUsageException => 400,
            ProxyErrorName::AuthenticationFailedException => 401,
            ProxyErrorName::AccessDeniedException => 403,
            ProxyErrorName::KeyNotFoundException | ProxyErrorName::InvalidUriPathException => 404,
            ProxyErrorName::ThrottlingException => 429,
            ProxyErrorName::InternalException => 500,
            ProxyErrorName::UnsupportedOperationException => 501,
            ProxyErrorName::DependencyTimeoutException => 503,
        }
    }
}

/// The `requestMetadata` KMS sends with every request (spec, each API's "Request Payload
/// Parameters", and Appendix B). Which fields go out depends on the operation: GetHealthStatus
/// sends only `kmsRequestId` and `kmsOperation`; GetKeyMetadata omits `kmsKeyArn` when it has
/// none (CreateKey); the VPC fields appear only for calls through a VPC endpoint by the key's
/// own account.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestMetadata {
    /// The caller's ARN, a service principal, or `AWS Internal`.
    pub aws_principal_arn: String,
    /// `aws:SourceVpc`, when called through a VPC endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_source_vpc: Option<String>,
    /// `aws:SourceVpce`, when called through a VPC endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_source_vpce: Option<String>,
    /// The KMS key's ARN (absent for GetKeyMetadata during CreateKey).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    /// The KMS API that led to the call (`Encrypt`, `GenerateDataKey`, `CreateKey`,
    /// `ConnectCustomKeyStore`, `KmsHealthCheck`, ...).
    pub kms_operation: String,
    /// The KMS request id (opaque to the proxy).
    pub kms_request_id: String,
    /// `kms:ViaService`, when another AWS service called KMS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_via_service: Option<String>,
}

impl RequestMetadata {
    /// The metadata object as KMS sends it for `op`.
    pub fn to_json(&self, op: XksOperation) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: &str| {
            m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        };
        put("kmsOperation", &self.kms_operation);
        put("kmsRequestId", &self.kms_request_id);
        if op != XksOperation::GetHealthStatus {
            put("awsPrincipalArn", &self.aws_principal_arn);
            for (k, v) in [
                ("awsSourceVpc", &self.aws_source_vpc),
                ("awsSourceVpce", &self.aws_source_vpce),
                ("kmsKeyArn", &self.kms_key_arn),
                ("kmsViaService", &self.kms_via_service),
            ] {
                if let Some(v) = v {
                    put(k, v);
                }
            }
        }
        serde_json::Value::Object(m)
    }
}

/// The most `additionalAuthenticatedData` a proxy must accept (spec Encrypt: "up to 8192
/// bytes").
pub const MAX_AAD: usize = 8192;
/// The most `ciphertextMetadata` (spec Encrypt: "MUST NOT exceed 20 bytes").
pub const MAX_CIPHERTEXT_METADATA: usize = 20;
/// The GCM tag length (spec: "MUST be 16 bytes").
pub const TAG_LEN: usize = 16;

/// The AAD the proxy gives AES-GCM (spec Encrypt, `ciphertextMetadata`): the 2-byte big-endian
/// length of `additionalAuthenticatedData`, the AAD, the 1-byte length of
/// `ciphertextMetadata`, the metadata. The lengths keep "AAD = x, no metadata" apart from
/// "no AAD, metadata = x". `None` when a part is too long to be length-prefixed.
pub fn gcm_aad(aad: &[u8], ciphertext_metadata: &[u8]) -> Option<Vec<u8>> {
    let aad_len = u16::try_from(aad.len()).ok()?;
    let cm_len = u8::try_from(ciphertext_metadata.len()).ok()?;
    let mut out = Vec::with_capacity(3 + aad.len() + ciphertext_metadata.len());
    out.extend_from_slice(&aad_len.to_be_bytes());
    out.extend_from_slice(aad);
    out.push(cm_len);
    out.extend_from_slice(ciphertext_metadata);
    Some(out)
}

/// The ciphertext data integrity value (spec Appendix C): SHA-256 over
/// `additionalAuthenticatedData || ciphertextMetadata || initializationVector || ciphertext ||
/// authenticationTag`, absent fields as empty, no lengths.
pub fn cdiv(
    aad: &[u8],
    ciphertext_metadata: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> [u8; 32] {
    let mut all = Vec::with_capacity(
        aad.len() + ciphertext_metadata.len() + iv.len() + ciphertext.len() + tag.len(),
    );
    for part in [aad, ciphertext_metadata, iv, ciphertext, tag] {
        all.extend_from_slice(part);
    }
    super::sigv4::sha256(&all)
}

/// Standard base64 with padding (spec: RFC 4648 section 4, not URL-safe).
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads standard base64.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}
