//! What kmslab knows about condition keys, for the lints: which keys AWS defines, which carry
//! a set of values, which KMS operations put a key in the request, and which keys key policies
//! never see. The KMS facts come from the KMS Developer Guide's "AWS KMS condition keys" page
//! (its table of keys, operations and policy types).

use crate::iam::policy::ActionBlock;

/// Condition keys AWS defines globally (lowercase), for the unknown-key check.
const GLOBAL_KEYS: &[&str] = &[
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:currenttime",
    "aws:epochtime",
    "aws:federatedprovider",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalisawsservice",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principaltype",
    "aws:referer",
    "aws:requestedregion",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:tagkeys",
    "aws:tokenissuetime",
    "aws:useragent",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:vpcsourceip",
    "aws:rolesessionname",
    "aws:sourceidentity",
    "aws:ec2instancesourcevpc",
    "aws:ec2instancesourceprivateipv4",
    "aws:isMfaPresent",
];

/// KMS condition keys (lowercase, without the `kms:EncryptionContext:` family).
const KMS_KEYS: &[&str] = &[
    "kms:bypasspolicylockoutsafetycheck",
    "kms:calleraccount",
    "kms:datakeypairspec",
    "kms:encryptionalgorithm",
    "kms:encryptioncontextkeys",
    "kms:expirationmodel",
    "kms:grantconstrainttype",
    "kms:grantisforawsresource",
    "kms:grantoperations",
    "kms:granteeprincipal",
    "kms:keyorigin",
    "kms:keyspec",
    "kms:keyusage",
    "kms:macalgorithm",
    "kms:messagetype",
    "kms:multiregion",
    "kms:multiregionkeytype",
    "kms:primaryregion",
    "kms:reencryptonsamekey",
    "kms:requestalias",
    "kms:resourcealiases",
    "kms:replicaregion",
    "kms:retiringprincipal",
    "kms:rotationperiodindays",
    "kms:schedulekeydeletionpendingwindowindays",
    "kms:signingalgorithm",
    "kms:validto",
    "kms:viaservice",
    "kms:wrappingalgorithm",
    "kms:wrappingkeyspec",
    "kms:xkskeyid",
];

/// Multi-valued keys: a set operator is needed to compare them meaningfully.
pub(super) const MULTI_VALUED: &[&str] = &[
    "aws:tagkeys",
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "aws:resourceorgpaths",
    "aws:sourceorgpaths",
    "kms:encryptioncontextkeys",
    "kms:grantoperations",
    "kms:resourcealiases",
];

/// Whether AWS defines `key` (only `aws:` and `kms:` keys are checked; other services' keys are
/// too many to list and pass).
pub fn known_condition_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if let Some(rest) = k.strip_prefix("aws:") {
        return ["principaltag/", "requesttag/", "resourcetag/"]
            .iter()
            .any(|p| rest.starts_with(p) && rest.len() > p.len())
            || GLOBAL_KEYS.iter().any(|g| g.eq_ignore_ascii_case(&k));
    }
    if k.starts_with("kms:") {
        return k
            .strip_prefix("kms:encryptioncontext:")
            .is_some_and(|r| !r.is_empty())
            || KMS_KEYS.contains(&k.as_str());
    }
    true
}

/// KMS condition keys that only some operations put in the request (lowercase key, operations).
/// Keys that every "KMS key resource operation" carries are not listed: any key action has them.
const KEY_OPERATIONS: &[(&str, &[&str])] = &[
    (
        "kms:bypasspolicylockoutsafetycheck",
        &["CreateKey", "PutKeyPolicy"],
    ),
    (
        "kms:datakeypairspec",
        &["GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"],
    ),
    ("kms:encryptionalgorithm", CRYPTO_WITH_ALGORITHM),
    ("kms:encryptioncontextkeys", CONTEXT_OPERATIONS),
    ("kms:expirationmodel", &["ImportKeyMaterial"]),
    ("kms:grantconstrainttype", &["CreateGrant"]),
    (
        "kms:grantisforawsresource",
        &["CreateGrant", "ListGrants", "RevokeGrant"],
    ),
    ("kms:grantoperations", &["CreateGrant"]),
    ("kms:granteeprincipal", &["CreateGrant"]),
    ("kms:macalgorithm", &["GenerateMac", "VerifyMac"]),
    ("kms:messagetype", &["Sign", "Verify"]),
    ("kms:primaryregion", &["UpdatePrimaryRegion"]),
    (
        "kms:reencryptonsamekey",
        &["ReEncrypt", "ReEncryptFrom", "ReEncryptTo"],
    ),
    ("kms:replicaregion", &["ReplicateKey"]),
    ("kms:retiringprincipal", &["CreateGrant"]),
    ("kms:signingalgorithm", &["Sign", "Verify"]),
    ("kms:validto", &["ImportKeyMaterial"]),
    ("kms:wrappingalgorithm", &["GetParametersForImport"]),
    ("kms:wrappingkeyspec", &["GetParametersForImport"]),
];

/// The operations whose requests carry an encryption context (`kms:EncryptionContext:*` and
/// `kms:EncryptionContextKeys`). `ReEncrypt` is authorized as `ReEncryptFrom` and `ReEncryptTo`.
const CONTEXT_OPERATIONS: &[&str] = &[
    "CreateGrant",
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
];

/// The operations whose requests carry `kms:EncryptionAlgorithm`.
const CRYPTO_WITH_ALGORITHM: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
];

/// The KMS operations whose requests carry `key` (lowercase), when only some do.
pub(super) fn operations_for(key_lc: &str) -> Option<&'static [&'static str]> {
    if key_lc.starts_with("kms:encryptioncontext:") {
        return Some(CONTEXT_OPERATIONS);
    }
    KEY_OPERATIONS
        .iter()
        .find(|(k, _)| *k == key_lc)
        .map(|(_, ops)| *ops)
}

/// Whether a statement's `Action` (or `NotAction`) can match `kms:OPERATION` for one of `ops`.
pub(super) fn action_may_include(action: &ActionBlock, ops: &[&str]) -> bool {
    ops.iter().any(|op| {
        let name = format!("kms:{op}").to_ascii_lowercase();
        let listed = action.patterns.iter().any(|(raw, p)| {
            p.matches(&name) || p.matches_ignore_case(&name) || raw.eq_ignore_ascii_case(&name)
        });
        listed != action.negated
    })
}

/// KMS condition keys that AWS evaluates in IAM policies only: a key policy never sees them.
pub(super) const IAM_ONLY_KEYS: &[&str] = &["kms:resourcealiases"];

/// Single-valued keys with which KMS refuses `ForAllValues` (`OverlyPermissiveCondition`): the
/// condition would match requests without them.
pub(super) fn refuses_for_all_values(key_lc: &str) -> bool {
    key_lc.starts_with("kms:encryptioncontext:") || key_lc.starts_with("aws:requesttag/")
}
