//! The key-state gate: which operation works in which key state, with AWS's exception and
//! message (the "Key states of AWS KMS keys" table; footnote numbers in comments).

use super::error::{ErrorCode, KmsError};
use super::model::{KeyState, Origin};

/// What the gate says, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateGate {
    /// The key's state.
    pub state: &'static str,
    /// The operation.
    pub operation: String,
    /// Whether the operation may proceed.
    pub allowed: bool,
    /// The exception when it may not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn err(code: ErrorCode, arn: &str, what: &str) -> KmsError {
    KmsError::new(code, format!("{arn} is {what}."))
}

/// Whether `op` is a cryptographic operation (the ones a key's material serves).
pub fn is_cryptographic(op: &str) -> bool {
    matches!(
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
    )
}

/// Checks `op` against the key's state. `Ok` when the operation proceeds.
pub fn check(op: &str, state: KeyState, origin: Origin, arn: &str) -> Result<(), KmsError> {
    use ErrorCode::{
        DisabledException as Dis, KMSInvalidStateException as Inv,
        UnsupportedOperationException as Uns,
    };
    use KeyState::*;
    let pending = "pending deletion";
    let crypto = is_cryptographic(op);
    let imported_or_custom = origin != Origin::AwsKms;
    match (op, state) {
        // Always allowed: reading metadata and policies, deleting aliases, managing grants.
        (
            "DescribeKey" | "GetKeyPolicy" | "ListKeyPolicies" | "ListResourceTags"
            | "PutKeyPolicy" | "ListGrants" | "RetireGrant" | "RevokeGrant" | "DeleteAlias"
            | "ListAliases" | "ListKeyRotations",
            _,
        ) => Ok(()),
        // Imported key material: [9] keys that cannot have it, [8] pending deletion.
        ("GetParametersForImport" | "ImportKeyMaterial" | "DeleteImportedKeyMaterial", _)
            if origin != Origin::External =>
        {
            Err(KmsError::new(
                Uns,
                format!(
                    "{arn} origin is {} which is not valid for this operation.",
                    origin.as_str()
                ),
            ))
        }
        (
            "GetParametersForImport" | "ImportKeyMaterial",
            PendingDeletion | PendingReplicaDeletion,
        ) => Err(err(Inv, arn, pending)),
        // Cryptographic operations: [1] disabled, [2] pending deletion, [5] pending import,
        // [11] unavailable, [14] creating.
        (_, Disabled) if crypto || op == "CreateGrant" => Err(err(Dis, arn, "disabled")),
        (_, PendingDeletion | PendingReplicaDeletion) if crypto => Err(err(Dis, arn, pending)),
        (_, PendingDeletion | PendingReplicaDeletion) if op == "CreateGrant" => {
            Err(err(Inv, arn, pending))
        }
        (_, PendingImport) if crypto || op == "CreateGrant" => Err(err(Inv, arn, "pending import")),
        (_, Unavailable) if crypto => Err(err(Inv, arn, "unavailable")),
        (_, Creating) if crypto || op == "CreateGrant" => Err(err(Inv, arn, "creating")),
        // Asymmetric data key pairs are among the features KMS does not support in custom key
        // stores (custom-key-store-overview.md, "Unsupported features"); the key's state is
        // judged first, as for the other operations a key cannot do.
        ("GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext", _)
            if matches!(origin, Origin::AwsCloudhsm | Origin::ExternalKeyStore) =>
        {
            Err(KmsError::new(
                Uns,
                format!(
                    "{arn} origin is {} which is not valid for this operation.",
                    origin.as_str()
                ),
            ))
        }
        (_, _) if crypto || op == "CreateGrant" => Ok(()),
        // CancelKeyDeletion works only while pending deletion [4].
        ("CancelKeyDeletion", PendingDeletion | PendingReplicaDeletion) => Ok(()),
        ("CancelKeyDeletion", _) => Err(err(Inv, arn, "not pending deletion")),
        // Changes to a key pending deletion [3].
        (
            "CreateAlias"
            | "DisableKey"
            | "EnableKey"
            | "ScheduleKeyDeletion"
            | "TagResource"
            | "UntagResource"
            | "UpdateKeyDescription",
            PendingDeletion | PendingReplicaDeletion,
        ) => Err(err(Inv, arn, pending)),
        ("DisableKey" | "EnableKey", PendingImport) => Err(err(Inv, arn, "pending import")),
        ("DisableKey" | "EnableKey", Creating) => Err(err(Inv, arn, "creating")),
        ("DisableKey" | "EnableKey" | "ScheduleKeyDeletion", Updating) => {
            Err(err(Inv, arn, "updating"))
        }
        ("UpdateAlias", PendingDeletion | PendingReplicaDeletion) => Err(err(Inv, arn, pending)),
        // Rotation: [7] imported material or custom key store, [1] disabled, [3], [6].
        ("EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand", _)
            if imported_or_custom =>
        {
            Err(KmsError::new(
                Uns,
                format!(
                    "{arn} origin is {} which is not valid for this operation.",
                    origin.as_str()
                ),
            ))
        }
        ("EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand", Disabled) => {
            Err(err(Dis, arn, "disabled"))
        }
        (
            "EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand",
            PendingDeletion | PendingReplicaDeletion,
        ) => Err(err(Inv, arn, pending)),
        ("EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand", PendingImport) => {
            Err(err(Inv, arn, "pending import"))
        }
        ("EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand", Unavailable) => {
            Err(err(Inv, arn, "unavailable"))
        }
        ("EnableKeyRotation" | "DisableKeyRotation" | "RotateKeyOnDemand", Creating) => {
            Err(err(Inv, arn, "creating"))
        }
        ("GetKeyRotationStatus", _) if origin == Origin::External => Err(KmsError::new(
            Uns,
            format!("{arn} origin is EXTERNAL which is not valid for this operation."),
        )),
        ("GetKeyRotationStatus", Unavailable) => Err(err(Inv, arn, "unavailable")),
        // Everything else in the table is allowed in every state.
        _ => Ok(()),
    }
}

/// The gate as a trace value.
pub fn gate(
    op: &str,
    state: KeyState,
    origin: Origin,
    arn: &str,
) -> (StateGate, Result<(), KmsError>) {
    let r = check(op, state, origin, arn);
    (
        StateGate {
            state: state.as_str(),
            operation: op.to_string(),
            allowed: r.is_ok(),
            error: r.as_ref().err().map(|e| e.to_string()),
        },
        r,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/k";

    fn code(op: &str, s: KeyState) -> Option<&'static str> {
        check(op, s, Origin::AwsKms, ARN)
            .err()
            .map(|e| e.code.as_str())
    }

    #[test]
    fn matrix_rows() {
        use KeyState::*;
        assert_eq!(code("Encrypt", Enabled), None);
        assert_eq!(code("Encrypt", Disabled), Some("DisabledException"));
        assert_eq!(code("Decrypt", PendingDeletion), Some("DisabledException"));
        assert_eq!(
            code("Decrypt", PendingImport),
            Some("KMSInvalidStateException")
        );
        assert_eq!(
            code("Decrypt", Unavailable),
            Some("KMSInvalidStateException")
        );
        assert_eq!(code("Decrypt", Updating), None);
        assert_eq!(code("CreateGrant", Disabled), Some("DisabledException"));
        assert_eq!(
            code("CreateGrant", PendingDeletion),
            Some("KMSInvalidStateException")
        );
        assert_eq!(code("CreateGrant", Unavailable), None);
        assert_eq!(
            code("CancelKeyDeletion", Enabled),
            Some("KMSInvalidStateException")
        );
        assert_eq!(code("CancelKeyDeletion", PendingDeletion), None);
        assert_eq!(
            code("EnableKey", PendingDeletion),
            Some("KMSInvalidStateException")
        );
        assert_eq!(code("DisableKey", Unavailable), None);
        assert_eq!(
            code("ScheduleKeyDeletion", PendingDeletion),
            Some("KMSInvalidStateException")
        );
        assert_eq!(code("ScheduleKeyDeletion", PendingImport), None);
        assert_eq!(
            code("EnableKeyRotation", Disabled),
            Some("DisabledException")
        );
        assert_eq!(code("DescribeKey", PendingDeletion), None);
        assert_eq!(code("DeleteAlias", PendingDeletion), None);
        assert_eq!(
            code("CreateAlias", PendingDeletion),
            Some("KMSInvalidStateException")
        );
        assert_eq!(
            code("TagResource", PendingDeletion),
            Some("KMSInvalidStateException")
        );
        assert_eq!(
            check("EnableKeyRotation", Enabled, Origin::External, ARN)
                .unwrap_err()
                .code,
            ErrorCode::UnsupportedOperationException
        );
        let ext = |op: &str, s: KeyState| {
            check(op, s, Origin::External, ARN)
                .err()
                .map(|e| e.code.as_str())
        };
        assert_eq!(
            code("ImportKeyMaterial", Enabled),
            Some("UnsupportedOperationException")
        );
        assert_eq!(ext("ImportKeyMaterial", PendingImport), None);
        assert_eq!(ext("GetParametersForImport", Disabled), None);
        assert_eq!(
            ext("GetParametersForImport", PendingDeletion),
            Some("KMSInvalidStateException")
        );
        assert_eq!(ext("DeleteImportedKeyMaterial", PendingDeletion), None);
        assert_eq!(code("Sign", Disabled), Some("DisabledException"));
        assert_eq!(
            code("GetPublicKey", PendingDeletion),
            Some("DisabledException")
        );
        assert_eq!(
            ext("GenerateMac", PendingImport),
            Some("KMSInvalidStateException")
        );
        let e = check("Encrypt", Disabled, Origin::AwsKms, ARN).unwrap_err();
        assert_eq!(e.message, format!("{ARN} is disabled."));
    }
}
