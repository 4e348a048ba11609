//! KMS exceptions: AWS's names and messages.

use std::fmt;

/// The exception names KMS answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs, clippy::enum_variant_names)]
pub enum ErrorCode {
    AccessDeniedException,
    AlreadyExistsException,
    CloudHsmClusterInUseException,
    CloudHsmClusterInvalidConfigurationException,
    CloudHsmClusterNotActiveException,
    CloudHsmClusterNotFoundException,
    CloudHsmClusterNotRelatedException,
    CustomKeyStoreHasCMKsException,
    CustomKeyStoreInvalidStateException,
    CustomKeyStoreNameInUseException,
    CustomKeyStoreNotFoundException,
    DependencyTimeoutException,
    IncorrectTrustAnchorException,
    KMSInternalException,
    XksKeyAlreadyInUseException,
    XksKeyInvalidConfigurationException,
    XksKeyNotFoundException,
    XksProxyIncorrectAuthenticationCredentialException,
    XksProxyInvalidConfigurationException,
    XksProxyInvalidResponseException,
    XksProxyUriEndpointInUseException,
    XksProxyUriInUseException,
    XksProxyUriUnreachableException,
    XksProxyVpcEndpointServiceInUseException,
    XksProxyVpcEndpointServiceInvalidConfigurationException,
    XksProxyVpcEndpointServiceNotFoundException,
    DisabledException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotFoundException,
    TagException,
    UnsupportedOperationException,
    ValidationException,
    ExpiredImportTokenException,
    IncorrectKeyMaterialException,
    InvalidImportTokenException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
}

impl ErrorCode {
    /// Every exception.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::AccessDeniedException,
        ErrorCode::AlreadyExistsException,
        ErrorCode::CloudHsmClusterInUseException,
        ErrorCode::CloudHsmClusterInvalidConfigurationException,
        ErrorCode::CloudHsmClusterNotActiveException,
        ErrorCode::CloudHsmClusterNotFoundException,
        ErrorCode::CloudHsmClusterNotRelatedException,
        ErrorCode::CustomKeyStoreHasCMKsException,
        ErrorCode::CustomKeyStoreInvalidStateException,
        ErrorCode::CustomKeyStoreNameInUseException,
        ErrorCode::CustomKeyStoreNotFoundException,
        ErrorCode::DependencyTimeoutException,
        ErrorCode::IncorrectTrustAnchorException,
        ErrorCode::KMSInternalException,
        ErrorCode::XksKeyAlreadyInUseException,
        ErrorCode::XksKeyInvalidConfigurationException,
        ErrorCode::XksKeyNotFoundException,
        ErrorCode::XksProxyIncorrectAuthenticationCredentialException,
        ErrorCode::XksProxyInvalidConfigurationException,
        ErrorCode::XksProxyInvalidResponseException,
        ErrorCode::XksProxyUriEndpointInUseException,
        ErrorCode::XksProxyUriInUseException,
        ErrorCode::XksProxyUriUnreachableException,
        ErrorCode::XksProxyVpcEndpointServiceInUseException,
        ErrorCode::XksProxyVpcEndpointServiceInvalidConfigurationException,
        ErrorCode::XksProxyVpcEndpointServiceNotFoundException,
        ErrorCode::DisabledException,
        ErrorCode::IncorrectKeyException,
        ErrorCode::InvalidAliasNameException,
        ErrorCode::InvalidArnException,
        ErrorCode::InvalidCiphertextException,
        ErrorCode::InvalidGrantIdException,
        ErrorCode::InvalidGrantTokenException,
        ErrorCode::InvalidKeyUsageException,
        ErrorCode::KMSInvalidStateException,
        ErrorCode::LimitExceededException,
        ErrorCode::MalformedPolicyDocumentException,
        ErrorCode::NotFoundException,
        ErrorCode::TagException,
        ErrorCode::UnsupportedOperationException,
        ErrorCode::ValidationException,
        ErrorCode::ExpiredImportTokenException,
        ErrorCode::IncorrectKeyMaterialException,
        ErrorCode::InvalidImportTokenException,
        ErrorCode::KMSInvalidMacException,
        ErrorCode::KMSInvalidSignatureException,
    ];

    /// The name as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ExpiredImportTokenException => "ExpiredImportTokenException",
            ErrorCode::IncorrectKeyMaterialException => "IncorrectKeyMaterialException",
            ErrorCode::InvalidImportTokenException => "InvalidImportTokenException",
            ErrorCode::KMSInvalidMacException => "KMSInvalidMacException",
            ErrorCode::KMSInvalidSignatureException => "KMSInvalidSignatureException",
            ErrorCode::AccessDeniedException => "AccessDeniedException",
            ErrorCode::CloudHsmClusterInUseException => "CloudHsmClusterInUseException",
            ErrorCode::CloudHsmClusterInvalidConfigurationException => {
                "CloudHsmClusterInvalidConfigurationException"
            }
            ErrorCode::CloudHsmClusterNotActiveException => "CloudHsmClusterNotActiveException",
            ErrorCode::CloudHsmClusterNotFoundException => "CloudHsmClusterNotFoundException",
            ErrorCode::CloudHsmClusterNotRelatedException => "CloudHsmClusterNotRelatedException",
            ErrorCode::CustomKeyStoreHasCMKsException => "CustomKeyStoreHasCMKsException",
            ErrorCode::CustomKeyStoreInvalidStateException => "CustomKeyStoreInvalidStateException",
            ErrorCode::CustomKeyStoreNameInUseException => "CustomKeyStoreNameInUseException",
            ErrorCode::CustomKeyStoreNotFoundException => "CustomKeyStoreNotFoundException",
            ErrorCode::DependencyTimeoutException => "DependencyTimeoutException",
            ErrorCode::IncorrectTrustAnchorException => "IncorrectTrustAnchorException",
            ErrorCode::KMSInternalException => "KMSInternalException",
            ErrorCode::XksKeyAlreadyInUseException => "XksKeyAlreadyInUseException",
            ErrorCode::XksKeyInvalidConfigurationException => "XksKeyInvalidConfigurationException",
            ErrorCode::XksKeyNotFoundException => "XksKeyNotFoundException",
            ErrorCode::XksProxyIncorrectAuthenticationCredentialException => {
                "XksProxyIncorrectAuthenticationCredentialException"
            }
            ErrorCode::XksProxyInvalidConfigurationException => {
                "XksProxyInvalidConfigurationException"
            }
            ErrorCode::XksProxyInvalidResponseException => "XksProxyInvalidResponseException",
            ErrorCode::XksProxyUriEndpointInUseException => "XksProxyUriEndpointInUseException",
            ErrorCode::XksProxyUriInUseException => "XksProxyUriInUseException",
            ErrorCode::XksProxyUriUnreachableException => "XksProxyUriUnreachableException",
            ErrorCode::XksProxyVpcEndpointServiceInUseException => {
                "XksProxyVpcEndpointServiceInUseException"
            }
            ErrorCode::XksProxyVpcEndpointServiceInvalidConfigurationException => {
                "XksProxyVpcEndpointServiceInvalidConfigurationException"
            }
            ErrorCode::XksProxyVpcEndpointServiceNotFoundException => {
                "XksProxyVpcEndpointServiceNotFoundException"
            }
            ErrorCode::AlreadyExistsException => "AlreadyExistsException",
            ErrorCode::DisabledException => "DisabledException",
            ErrorCode::IncorrectKeyException => "IncorrectKeyException",
            ErrorCode::InvalidAliasNameException => "InvalidAliasNameException",
            ErrorCode::InvalidArnException => "InvalidArnException",
            ErrorCode::InvalidCiphertextException => "InvalidCiphertextException",
            ErrorCode::InvalidGrantIdException => "InvalidGrantIdException",
            ErrorCode::InvalidGrantTokenException => "InvalidGrantTokenException",
            ErrorCode::InvalidKeyUsageException => "InvalidKeyUsageException",
            ErrorCode::KMSInvalidStateException => "KMSInvalidStateException",
            ErrorCode::LimitExceededException => "LimitExceededException",
            ErrorCode::MalformedPolicyDocumentException => "MalformedPolicyDocumentException",
            ErrorCode::NotFoundException => "NotFoundException",
            ErrorCode::TagException => "TagException",
            ErrorCode::UnsupportedOperationException => "UnsupportedOperationException",
            ErrorCode::ValidationException => "ValidationException",
        }
    }
}

/// A KMS exception with its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KmsError {
    /// The exception.
    pub code: ErrorCode,
    /// AWS's message.
    pub message: String,
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl KmsError {
    /// An error with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> KmsError {
        KmsError {
            code,
            message: message.into(),
        }
    }

    /// `ValidationException` with AWS's "1 validation error detected" shape.
    pub fn validation(message: impl Into<String>) -> KmsError {
        KmsError::new(ErrorCode::ValidationException, message)
    }

    /// The exception named `name`, if KMS has one by that name (for backends that report
    /// exceptions by name).
    pub fn named(name: &str, message: impl Into<String>) -> Option<KmsError> {
        ErrorCode::ALL
            .iter()
            .find(|c| c.as_str() == name)
            .map(|c| KmsError::new(*c, message))
    }

    /// `NotFoundException` for a key id.
    pub fn key_not_found(key: &str) -> KmsError {
        KmsError::new(
            ErrorCode::NotFoundException,
            format!("Key '{key}' does not exist"),
        )
    }
}
