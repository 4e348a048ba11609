//! What KMS offers, known before anything runs: the IAM actions of the `kms:` service, the
//! operations kmslab executes ([`super::ops::OPERATIONS`]) and the parameters each takes. The
//! scenario reader uses them to refuse a misspelt operation or parameter where it is written,
//! while the user types, instead of when the step runs; the compose form uses the actions to
//! warn about an action no policy can ever name.

use super::authz::IamSide;
use super::model::KmsWorld;
use super::ops::{execute, Env, OPERATIONS};
use crate::iam::arn::AccountId;
use crate::iam::context::{Context, Principal, PrincipalKind};
use crate::iam::evaluate::Response;
use crate::iam::policy::Policy;
use crate::scenario::read;
use crate::time::{Duration, Instant};
use crate::trace::Decision;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Every IAM action of AWS KMS (the Service Authorization Reference's "Actions defined by AWS
/// Key Management Service"): the API operations, with `ReEncrypt` authorized as its two
/// halves, and the permission-only `SynchronizeMultiRegionKey`. Some are not simulated
/// (`ReplicateKey`, `DeriveSharedSecret`, ...) but policies may name them.
pub const ACTIONS: &[&str] = &[
    "CancelKeyDeletion",
    "ConnectCustomKeyStore",
    "CreateAlias",
    "CreateCustomKeyStore",
    "CreateGrant",
    "CreateKey",
    "Decrypt",
    "DeleteAlias",
    "DeleteCustomKeyStore",
    "DeleteImportedKeyMaterial",
    "DeriveSharedSecret",
    "DescribeCustomKeyStores",
    "DescribeKey",
    "DisableKey",
    "DisableKeyRotation",
    "DisconnectCustomKeyStore",
    "EnableKey",
    "EnableKeyRotation",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GenerateRandom",
    "GetKeyPolicy",
    "GetKeyRotationStatus",
    "GetParametersForImport",
    "GetPublicKey",
    "ImportKeyMaterial",
    "ListAliases",
    "ListGrants",
    "ListKeyPolicies",
    "ListKeyRotations",
    "ListKeys",
    "ListResourceTags",
    "ListRetirableGrants",
    "PutKeyPolicy",
    "ReEncryptFrom",
    "ReEncryptTo",
    "ReplicateKey",
    "RetireGrant",
    "RevokeGrant",
    "RotateKeyOnDemand",
    "ScheduleKeyDeletion",
    "Sign",
    "SynchronizeMultiRegionKey",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateCustomKeyStore",
    "UpdateKeyDescription",
    "UpdatePrimaryRegion",
    "Verify",
    "VerifyMac",
];

/// Whether `action` (`kms:Decrypt`; the service prefix in any case, as IAM reads it) names an
/// action of AWS KMS. IAM matches action names case-insensitively.
pub fn is_action(action: &str) -> bool {
    action.split_once(':').is_some_and(|(service, name)| {
        service.eq_ignore_ascii_case("kms") && ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Why `op` (the part after `kms:`) is not an operation kmslab executes, or `None` when it is.
pub fn unknown_operation(op: &str) -> Option<String> {
    if OPERATIONS.contains(&op) {
        return None;
    }
    let hint = nearest(op, OPERATIONS)
        .map(|n| format!("; did you mean `kms:{n}`?"))
        .unwrap_or_else(|| format!(" (it executes {})", OPERATIONS.join(", ")));
    Some(format!(
        "`kms:{op}` is not an operation kmslab executes{hint}"
    ))
}

/// Why `param` is not a parameter of the operation `op`, or `None` when it is one (or when
/// `op` is not an operation kmslab executes: that is reported on its own).
pub fn unknown_parameter(op: &str, param: &str) -> Option<String> {
    let takes = parameters(op)?;
    if takes.iter().any(|t| t == param) {
        return None;
    }
    let names: Vec<&str> = takes.iter().map(String::as_str).collect();
    let hint = nearest(param, &names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_else(|| format!(" (it takes {})", names.join(", ")));
    Some(format!("`{param}` is not a parameter of `kms:{op}`{hint}"))
}

/// The name in `names` closest to `name` (a typo, a wrong case), if one is close: at most a
/// third of its letters differ.
pub fn nearest<'n>(name: &str, names: &[&'n str]) -> Option<&'n str> {
    let lower = name.to_ascii_lowercase();
    names
        .iter()
        .map(|n| (read::edit_distance(&lower, &n.to_ascii_lowercase()), *n))
        .filter(|(d, n)| *d <= (n.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// The parameters `op` takes, in the order the operation lists them.
pub fn parameters(op: &str) -> Option<&'static [String]> {
    static TABLE: OnceLock<BTreeMap<&'static str, Vec<String>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            OPERATIONS
                .iter()
                .filter_map(|op| Some((*op, probe(op)?)))
                .collect()
        })
        .get(op)
        .map(Vec::as_slice)
}

/// A parameter name no operation takes.
const SENTINEL: &str = "\u{0}probe";

/// Reads the parameters of `op` from the operation itself: every operation first refuses a
/// parameter it does not take, naming those it does (`... (it takes KeyId, Plaintext)`), before
/// it reads the world. Asking with a name none takes, on an empty world, gets that list without
/// a second copy of it that could drift from the operation.
fn probe(op: &str) -> Option<Vec<String>> {
    let caller = NoIam(Principal {
        arn: AccountId::example().root_arn("aws"),
        account: Some(AccountId::example()),
        kind: PrincipalKind::Root,
    });
    let budget = std::cell::Cell::new(0);
    let mut rng = crate::crypto::seeded_rng(0);
    let context = Context::default();
    let mut env = Env {
        partition: "aws",
        region: "us-east-1",
        now: Instant(0),
        grant_propagation: Duration::seconds(0),
        iam: &caller,
        grant_tokens: &[],
        step_context: &context,
        rng: &mut rng,
        pairs: None,
        generation_budget: &budget,
        key_store_role_exists: false,
    };
    let input = serde_json::json!({ SENTINEL: null });
    let message = execute(&mut KmsWorld::default(), &mut env, op, &input)
        .err()?
        .0;
    let list = message
        .strip_prefix(&format!(
            "`{SENTINEL}` is not a parameter of `kms:{op}` (it takes "
        ))?
        .strip_suffix(')')?;
    Some(list.split(", ").map(str::to_string).collect())
}

/// An IAM side that is never asked: a probe stops before authorization.
struct NoIam(Principal);

impl IamSide for NoIam {
    fn caller(&self) -> &Principal {
        &self.0
    }

    fn evaluate(
        &self,
        _action: &str,
        _resource: &str,
        _resource_account: Option<&AccountId>,
        _key_policy: Option<&Policy>,
        _extra: &Context,
    ) -> Response {
        Response {
            decision: Decision::ImplicitDeny,
            deciding: Vec::new(),
            summary: String::new(),
            trace: None,
            org_blocked: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_lists_its_parameters() {
        for op in OPERATIONS {
            assert!(
                parameters(op).is_some_and(|p| !p.is_empty()),
                "no parameters read for `{op}`"
            );
        }
        assert_eq!(
            parameters("Encrypt").unwrap(),
            [
                "KeyId",
                "Plaintext",
                "EncryptionContext",
                "GrantTokens",
                "EncryptionAlgorithm",
                "DryRun"
            ]
        );
        assert!(parameters("Encrypted").is_none());
    }

    #[test]
    fn every_operation_is_an_action() {
        for op in OPERATIONS.iter().filter(|o| **o != "ReEncrypt") {
            assert!(is_action(&format!("kms:{op}")), "{op}");
        }
        assert!(is_action("KMS:decrypt"));
        assert!(!is_action("kms:Decryptt"));
        assert!(!is_action("kms:ReEncrypt"));
    }

    #[test]
    fn misspelt_names_get_a_suggestion() {
        assert_eq!(
            unknown_operation("Encrypted").as_deref(),
            Some(
                "`kms:Encrypted` is not an operation kmslab executes; did you mean `kms:Encrypt`?"
            )
        );
        assert_eq!(unknown_operation("Encrypt"), None);
        assert_eq!(
            unknown_parameter("Encrypt", "KeyID").as_deref(),
            Some("`KeyID` is not a parameter of `kms:Encrypt`; did you mean `KeyId`?")
        );
        assert_eq!(unknown_parameter("Encrypt", "KeyId"), None);
        assert!(unknown_parameter("Encrypt", "Colour")
            .is_some_and(|m| m.ends_with("(it takes KeyId, Plaintext, EncryptionContext, GrantTokens, EncryptionAlgorithm, DryRun)")));
    }
}
