//! How KMS reports external key store failures: the exception and message for every failure,
//! per kind of KMS operation (spec "Error codes", "KMS Considerations" table; KMS developer
//! guide, "Troubleshooting external key stores").
//!
//! KMS cannot add exceptions to existing APIs, so cryptographic operations (Encrypt, Decrypt,
//! GenerateDataKey, ReEncrypt, ...) always answer `KMSInvalidStateException` and say what
//! went wrong in the message; CreateKey mostly answers `CustomKeyStoreInvalidStateException`
//! or an `XksKey...` exception; CreateCustomKeyStore and UpdateCustomKeyStore answer an
//! `XksProxy...` exception. The proxy's own `errorMessage` is never passed on (spec: KMS logs
//! it instead).
//!
//! Where the two AWS sources disagree or are silent, the choice is documented at the mapping:
//! - proxy `AccessDeniedException` during CreateKey: the spec's table says
//!   `KMSInvalidStateException`, the developer guide ("Proxy authorization issues") says
//!   `CustomKeyStoreInvalidStateException`; kmslab follows the guide, since CreateKey's
//!   documented errors do not include `KMSInvalidStateException`;
//! - proxy `UnsupportedOperationException`: the spec names `XksKeyInvalidResponseException`
//!   for CreateKey, which is no KMS exception; kmslab follows the guide ("Proxy issues"):
//!   `CustomKeyStoreInvalidStateException` (CreateKey), `UnsupportedOperationException`
//!   (management);
//! - proxy `InvalidStateException` during CreateCustomKeyStore / UpdateCustomKeyStore (the
//!   spec gives none): `XksProxyUriUnreachableException` with the guide's "unhealthy state"
//!   message;
//! - an error name the spec does not list for the API that answered it (e.g.
//!   `KeyNotFoundException` from GetHealthStatus) and the table leaves open for the caller is
//!   treated as a malformed response.

use super::ProxyErrorName;

/// Why KMS refused: the exception's name and AWS's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{exception}: {message}")]
pub struct XksError {
    /// `KMSInvalidStateException`, `XksProxyUriUnreachableException`, ...
    pub exception: &'static str,
    /// The message KMS returns.
    pub message: String,
}

impl From<XksError> for crate::keystore::BackendError {
    fn from(e: XksError) -> Self {
        crate::keystore::BackendError {
            exception: e.exception,
            message: e.message,
        }
    }
}

/// The kind of KMS operation a proxy call serves; it decides the exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KmsCaller {
    /// CreateCustomKeyStore, UpdateCustomKeyStore (and ConnectCustomKeyStore, which reports a
    /// connection error code instead; see [`super::connect`]).
    ManageKeyStore,
    /// CreateKey (GetKeyMetadata).
    CreateKey,
    /// Encrypt, Decrypt, GenerateDataKey*, ReEncrypt, and anything else.
    Cryptographic,
}

impl KmsCaller {
    /// The kind of a `kmsOperation`.
    pub fn of(kms_operation: &str) -> Self {
        match kms_operation {
            "CreateCustomKeyStore"
            | "UpdateCustomKeyStore"
            | "ConnectCustomKeyStore"
            | "KmsHealthCheck" => KmsCaller::ManageKeyStore,
            "CreateKey" => KmsCaller::CreateKey,
            _ => KmsCaller::Cryptographic,
        }
    }
}

/// What went wrong between KMS and the proxy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Failure {
    /// The proxy answered with an error name.
    Proxy(ProxyErrorName),
    /// No TCP connection.
    TcpConnection,
    /// The TLS handshake failed (why).
    TlsConnection(String),
    /// No answer within 250 ms.
    Timeout,
    /// An answer KMS cannot use (why).
    MalformedResponse(String),
    /// The store is not CONNECTED.
    NotConnected,
}

/// "AWS KMS cannot interpret the response ..." (malformed response, ValidationException).
pub const MSG_INVALID_RESPONSE: &str = "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.";
/// InvalidStateException from the proxy.
pub const MSG_KEY_NOT_ENABLED: &str = "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.";
/// InvalidCiphertextException from the proxy.
pub const MSG_PROXY_INVALID_CIPHERTEXT: &str = "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.";
/// The proxy's decrypt output does not decrypt under the KMS key material (the inner layer).
pub const MSG_INNER_INVALID_CIPHERTEXT: &str = "The ciphertext that the external key store proxy submitted for decryption, or the encryption context, is corrupted, missing, or otherwise invalid.";
/// InvalidKeyUsageException from the proxy.
pub const MSG_KEY_USAGE: &str = "The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.";
/// AuthenticationFailedException from the proxy.
pub const MSG_AUTHENTICATION: &str = "The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.";
/// AccessDeniedException from the proxy.
pub const MSG_ACCESS_DENIED: &str = "The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.";
/// KeyNotFoundException from the proxy.
pub const MSG_KEY_NOT_FOUND: &str = "The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.";
/// InvalidUriPathException from the proxy.
pub const MSG_URI_PATH: &str = "The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.";
/// UnsupportedOperationException from the proxy.
pub const MSG_UNSUPPORTED: &str = "The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.";
/// DependencyTimeoutException from the proxy.
pub const MSG_DEPENDENCY_TIMEOUT: &str = "The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.";
/// ThrottlingException from the proxy.
pub const MSG_THROTTLING: &str = "The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.";
/// InternalException from the proxy.
pub const MSG_INTERNAL: &str = "The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.";
/// No TCP connection.
pub const MSG_TCP: &str = "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore.";
/// No TLS connection.
pub const MSG_TLS: &str = "AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate.";
/// KMS's 250 ms timeout.
pub const MSG_TIMEOUT: &str = "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.";
/// The store is not connected.
pub const MSG_NOT_CONNECTED: &str = "This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again.";
/// Every external key manager is UNAVAILABLE (developer guide, "Proxy issues").
pub const MSG_UNHEALTHY: &str = "The external key store proxy is in an unhealthy state. If you see this message repeatedly, notify your external key store proxy administrator.";

const KMS_INVALID_STATE: &str = "KMSInvalidStateException";
const CKS_INVALID_STATE: &str = "CustomKeyStoreInvalidStateException";
const UNREACHABLE: &str = "XksProxyUriUnreachableException";
const INVALID_RESPONSE: &str = "XksProxyInvalidResponseException";

impl Failure {
    /// The exception KMS answers for this failure in an operation of kind `caller`, with its
    /// message.
    pub fn kms_error(&self, caller: KmsCaller) -> XksError {
        use KmsCaller::{CreateKey, Cryptographic, ManageKeyStore};
        use ProxyErrorName as N;
        // (management exception, CreateKey exception, message); `None` where the spec's table
        // has no entry for that caller.
        let (manage, create, message): (Option<&'static str>, Option<&'static str>, &'static str) =
            match self {
                Failure::Proxy(N::ValidationException) => (
                    Some(INVALID_RESPONSE),
                    Some(CKS_INVALID_STATE),
                    MSG_INVALID_RESPONSE,
                ),
                Failure::Proxy(N::InvalidStateException) if caller == ManageKeyStore => {
                    (Some(UNREACHABLE), None, MSG_UNHEALTHY)
                }
                Failure::Proxy(N::InvalidStateException) => (
                    None,
                    Some("XksKeyInvalidConfigurationException"),
                    MSG_KEY_NOT_ENABLED,
                ),
                Failure::Proxy(N::InvalidCiphertextException) => {
                    (None, None, MSG_PROXY_INVALID_CIPHERTEXT)
                }
                Failure::Proxy(N::InvalidKeyUsageException) => (
                    None,
                    Some("XksKeyInvalidConfigurationException"),
                    MSG_KEY_USAGE,
                ),
                Failure::Proxy(N::AuthenticationFailedException) => (
                    Some("XksProxyIncorrectAuthenticationCredentialException"),
                    Some(CKS_INVALID_STATE),
                    MSG_AUTHENTICATION,
                ),
                Failure::Proxy(N::AccessDeniedException) => {
                    (None, Some(CKS_INVALID_STATE), MSG_ACCESS_DENIED)
                }
                Failure::Proxy(N::KeyNotFoundException) => {
                    (None, Some("XksKeyNotFoundException"), MSG_KEY_NOT_FOUND)
                }
                Failure::Proxy(N::InvalidUriPathException) => (
                    Some("XksProxyInvalidConfigurationException"),
                    Some(CKS_INVALID_STATE),
                    MSG_URI_PATH,
                ),
                Failure::Proxy(N::UnsupportedOperationException) => (
                    Some("UnsupportedOperationException"),
                    Some(CKS_INVALID_STATE),
                    MSG_UNSUPPORTED,
                ),
                Failure::Proxy(N::DependencyTimeoutException) => (
                    Some(UNREACHABLE),
                    Some(CKS_INVALID_STATE),
                    MSG_DEPENDENCY_TIMEOUT,
                ),
                Failure::Proxy(N::ThrottlingException) => {
                    (Some(UNREACHABLE), Some(CKS_INVALID_STATE), MSG_THROTTLING)
                }
                Failure::Proxy(N::InternalException) => (
                    Some(INVALID_RESPONSE),
                    Some(CKS_INVALID_STATE),
                    MSG_INTERNAL,
                ),
                Failure::TcpConnection => (Some(UNREACHABLE), Some(CKS_INVALID_STATE), MSG_TCP),
                Failure::TlsConnection(_) => (Some(UNREACHABLE), Some(CKS_INVALID_STATE), MSG_TLS),
                Failure::Timeout => (Some(UNREACHABLE), Some(CKS_INVALID_STATE), MSG_TIMEOUT),
                Failure::MalformedResponse(_) => (
                    Some(INVALID_RESPONSE),
                    Some(CKS_INVALID_STATE),
                    MSG_INVALID_RESPONSE,
                ),
                Failure::NotConnected => (
                    Some(CKS_INVALID_STATE),
                    Some(CKS_INVALID_STATE),
                    MSG_NOT_CONNECTED,
                ),
            };
        let exception = match caller {
            // Developer guide: cryptographic operations always answer KMSInvalidStateException.
            Cryptographic => Some(KMS_INVALID_STATE),
            ManageKeyStore => manage,
            CreateKey => create,
        };
        match exception {
            Some(exception) => XksError {
                exception,
                message: message.to_string(),
            },
            None => Failure::MalformedResponse(String::new()).kms_error(caller),
        }
    }
}

impl XksError {
    /// The store is not connected (spec table, last row).
    pub fn not_connected(caller: KmsCaller) -> XksError {
        Failure::NotConnected.kms_error(caller)
    }

    /// What Decrypt answers when the proxy's plaintext (KMS's inner ciphertext) does not
    /// decrypt under the KMS key material (spec table, "Proxy returns an invalid ciphertext").
    pub fn inner_ciphertext_invalid() -> XksError {
        XksError {
            exception: KMS_INVALID_STATE,
            message: MSG_INNER_INVALID_CIPHERTEXT.to_string(),
        }
    }
}

/// CreateKey's checks of the GetKeyMetadata answer (spec GetKeyMetadata, "KMS
/// Considerations"): `AES_256`, usage including ENCRYPT and DECRYPT, status ENABLED; each
/// failure is `XksKeyInvalidConfigurationException` with the developer guide's message.
pub fn validate_for_create_key(md: &super::client::KeyMetadata) -> Result<(), XksError> {
    let invalid = |message: String| XksError {
        exception: "XksKeyInvalidConfigurationException",
        message,
    };
    if md.key_spec != "AES_256" {
        return Err(invalid(format!(
            "The key spec of the external key must be AES_256. The key spec of specified external key is {}.",
            md.key_spec
        )));
    }
    if !["ENCRYPT", "DECRYPT"]
        .iter()
        .all(|u| md.key_usage.iter().any(|k| k == u))
    {
        return Err(invalid(format!(
            "The key usage of the external key must include ENCRYPT and DECRYPT. The key use of specified external key is {}.",
            md.key_usage.join(", ")
        )));
    }
    if md.key_status != "ENABLED" {
        return Err(invalid(format!(
            "The status of the external key must be ENABLED. The status of specified external key is {}.",
            md.key_status
        )));
    }
    Ok(())
}
