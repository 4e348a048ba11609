//! KMS exceptions: AWS's names and messages.

use std::fmt;

/// The exception names KMS answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs, clippy::enum_variant_names)]
pub enum ErrorCode {
    AccessDeniedException,
    AlreadyExistsException,
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
}

impl ErrorCode {
    /// The name as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AccessDeniedException => "AccessDeniedException",
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

    /// `NotFoundException` for a key id.
    pub fn key_not_found(key: &str) -> KmsError {
        KmsError::new(
            ErrorCode::NotFoundException,
            format!("Key '{key}' does not exist"),
        )
    }
}
