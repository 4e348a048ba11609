//! Key specs and key usages, and what each combination allows: the operations, the grant
//! operations and the algorithms ("Key spec reference", "Key usage", grants.md "Grant
//! operations": a grant may allow only operations its key supports).

use crate::crypto::asym::{PairSpec, SigningAlgorithm};
use crate::crypto::mac::MacAlgorithm;
use crate::kms::error::{ErrorCode, KmsError};

/// A key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// `SYMMETRIC_DEFAULT`: AES-256-GCM.
    Symmetric,
    /// An asymmetric key pair.
    Pair(PairSpec),
    /// `HMAC_224` ... `HMAC_512`, named by the algorithm that goes with it.
    Hmac(MacAlgorithm),
}

impl KeySpec {
    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySpec::Symmetric => "SYMMETRIC_DEFAULT",
            KeySpec::Pair(p) => p.as_str(),
            KeySpec::Hmac(MacAlgorithm::HmacSha224) => "HMAC_224",
            KeySpec::Hmac(MacAlgorithm::HmacSha256) => "HMAC_256",
            KeySpec::Hmac(MacAlgorithm::HmacSha384) => "HMAC_384",
            KeySpec::Hmac(MacAlgorithm::HmacSha512) => "HMAC_512",
        }
    }

    /// Every spec kmslab simulates.
    pub fn all() -> impl Iterator<Item = KeySpec> {
        std::iter::once(KeySpec::Symmetric)
            .chain(PairSpec::ALL.into_iter().map(KeySpec::Pair))
            .chain(MacAlgorithm::ALL.into_iter().map(KeySpec::Hmac))
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<KeySpec> {
        KeySpec::all().find(|k| k.as_str() == s)
    }

    /// The key usages a key of this spec may have; the first is CreateKey's default.
    pub fn usages(self) -> &'static [KeyUsage] {
        match self {
            KeySpec::Symmetric => &[KeyUsage::EncryptDecrypt],
            KeySpec::Pair(p) if p.is_rsa() => &[KeyUsage::EncryptDecrypt, KeyUsage::SignVerify],
            KeySpec::Pair(_) => &[KeyUsage::SignVerify],
            KeySpec::Hmac(_) => &[KeyUsage::GenerateVerifyMac],
        }
    }

    /// `EncryptionAlgorithms` of DescribeKey for a key of this spec and usage.
    pub fn encryption_algorithms(self, usage: KeyUsage) -> &'static [&'static str] {
        match (self, usage) {
            (KeySpec::Symmetric, _) => &["SYMMETRIC_DEFAULT"],
            (KeySpec::Pair(_), KeyUsage::EncryptDecrypt) => {
                &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
            }
            _ => &[],
        }
    }

    /// `SigningAlgorithms` of DescribeKey.
    pub fn signing_algorithms(self, usage: KeyUsage) -> &'static [SigningAlgorithm] {
        match (self, usage) {
            (KeySpec::Pair(p), KeyUsage::SignVerify) => p.signing_algorithms(),
            _ => &[],
        }
    }
}

/// A key usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsage {
    /// `ENCRYPT_DECRYPT`.
    EncryptDecrypt,
    /// `SIGN_VERIFY`.
    SignVerify,
    /// `GENERATE_VERIFY_MAC`.
    GenerateVerifyMac,
}

impl KeyUsage {
    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::EncryptDecrypt => "ENCRYPT_DECRYPT",
            KeyUsage::SignVerify => "SIGN_VERIFY",
            KeyUsage::GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        }
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<KeyUsage> {
        [
            KeyUsage::EncryptDecrypt,
            KeyUsage::SignVerify,
            KeyUsage::GenerateVerifyMac,
        ]
        .into_iter()
        .find(|u| u.as_str() == s)
    }
}

/// The grant operations a key of this spec and usage supports (grants.md, "Grant operations";
/// the table in "Grant constraints" for which key types take which operations).
pub fn grant_operations(spec: KeySpec, usage: KeyUsage) -> &'static [&'static str] {
    match (spec, usage) {
        (KeySpec::Symmetric, _) => &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            "CreateGrant",
            "DescribeKey",
            "RetireGrant",
        ],
        (KeySpec::Pair(_), KeyUsage::EncryptDecrypt) => &[
            "Decrypt",
            "Encrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GetPublicKey",
            "CreateGrant",
            "DescribeKey",
            "RetireGrant",
        ],
        (KeySpec::Pair(_), _) => &[
            "Sign",
            "Verify",
            "GetPublicKey",
            "CreateGrant",
            "DescribeKey",
            "RetireGrant",
        ],
        (KeySpec::Hmac(_), _) => &[
            "GenerateMac",
            "VerifyMac",
            "CreateGrant",
            "DescribeKey",
            "RetireGrant",
        ],
    }
}

/// Whether the key-usage rule lets `op` run on a key of this spec and usage (management
/// operations always do). A cryptographic operation on the wrong kind of key fails with
/// `InvalidKeyUsageException`.
pub fn supports(spec: KeySpec, usage: KeyUsage, op: &str) -> bool {
    let gated = matches!(
        op,
        "Encrypt"
            | "Decrypt"
            | "ReEncrypt"
            | "ReEncryptFrom"
            | "ReEncryptTo"
            | "GenerateDataKey"
            | "GenerateDataKeyWithoutPlaintext"
            | "GenerateDataKeyPair"
            | "GenerateDataKeyPairWithoutPlaintext"
            | "Sign"
            | "Verify"
            | "GenerateMac"
            | "VerifyMac"
            | "GetPublicKey"
    );
    !gated
        || grant_operations(spec, usage).contains(&op)
        || (op == "ReEncrypt" && grant_operations(spec, usage).contains(&"ReEncryptFrom"))
}

/// The key-usage gate, after the key-state gate: a cryptographic operation the key's spec and
/// usage do not support fails with `InvalidKeyUsageException`; automatic and on-demand
/// rotation exist only for symmetric encryption keys ("Rotating keys": "not supported on
/// asymmetric keys, HMAC keys").
pub fn usage_gate(op: &str, spec: KeySpec, usage: KeyUsage, arn: &str) -> Result<(), KmsError> {
    if matches!(
        op,
        "EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand" | "GetKeyRotationStatus"
    ) && spec != KeySpec::Symmetric
    {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!(
                "{arn} key spec is {} which is not valid for this operation.",
                spec.as_str()
            ),
        ));
    }
    if supports(spec, usage, op) {
        return Ok(());
    }
    Err(KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "{arn} key usage is {} which is not valid for {op}.",
            usage.as_str()
        ),
    ))
}

/// The encryption-context gate, after the key-usage gate: an encryption context on Encrypt under
/// an asymmetric key is a `ValidationException` ("EncryptionContext is not supported with
/// asymmetric keys"; the standard asymmetric algorithms take none). Other operations on such
/// keys are refused by the usage gate first, except Decrypt, which (as the runner does) reads the
/// context for authorization only.
pub fn encryption_context_gate(
    op: &str,
    spec: KeySpec,
    ec: &std::collections::BTreeMap<String, String>,
) -> Result<(), KmsError> {
    if op == "Encrypt" && matches!(spec, KeySpec::Pair(_)) && !ec.is_empty() {
        return Err(KmsError::validation(
            "EncryptionContext is not supported with asymmetric keys",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_round_trip_and_rules() {
        for s in KeySpec::all() {
            assert_eq!(KeySpec::parse(s.as_str()), Some(s));
        }
        assert_eq!(KeySpec::all().count(), 11);
        let rsa = KeySpec::Pair(PairSpec::Rsa2048);
        assert!(supports(rsa, KeyUsage::EncryptDecrypt, "Encrypt"));
        assert!(!supports(rsa, KeyUsage::EncryptDecrypt, "GenerateDataKey"));
        assert!(!supports(rsa, KeyUsage::SignVerify, "Encrypt"));
        assert!(supports(rsa, KeyUsage::SignVerify, "Sign"));
        assert!(!supports(
            KeySpec::Symmetric,
            KeyUsage::EncryptDecrypt,
            "GetPublicKey"
        ));
        assert!(supports(
            KeySpec::Symmetric,
            KeyUsage::EncryptDecrypt,
            "ReEncrypt"
        ));
        let hmac = KeySpec::Hmac(MacAlgorithm::HmacSha256);
        assert!(supports(hmac, KeyUsage::GenerateVerifyMac, "VerifyMac"));
        assert!(!supports(hmac, KeyUsage::GenerateVerifyMac, "Encrypt"));
        assert!(supports(hmac, KeyUsage::GenerateVerifyMac, "DescribeKey"));
        assert_eq!(rsa.usages()[0], KeyUsage::EncryptDecrypt);
    }
}
