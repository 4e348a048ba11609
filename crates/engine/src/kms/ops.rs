//! The KMS API operations: AWS request and response shapes (binary fields in base64), input
//! validation with AWS's messages, key resolution, authorization, the key-state gate, then the
//! operation itself.

mod aliases;
mod asym_ops;
mod crypto_ops;
mod grants;
mod import;
mod keys;
mod keystores;
mod mac_ops;

pub use keys::{default_policy_text, parse_policy_text};

use super::authz::{authorize_key, IamSide, KeyRequest};
use super::error::{ErrorCode, KmsError};
use super::model::{Key, KmsWorld, RotationRecord};
use super::state;
use crate::crypto::KeyMaterial;
use crate::iam::context::{Context, ContextValue};
use crate::time::{Duration, Instant};
use crate::trace::{Decision, Trace};
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What an operation needs besides the world: the clock, the generator, the caller's IAM side.
pub struct Env<'a> {
    /// `aws`.
    pub partition: &'a str,
    /// The region requests go to.
    pub region: &'a str,
    /// The simulated clock.
    pub now: Instant,
    /// Grant propagation delay.
    pub grant_propagation: Duration,
    /// The caller's IAM side.
    pub iam: &'a dyn IamSide,
    /// Grant tokens the request carries.
    pub grant_tokens: &'a [String],
    /// Context keys the step supplies (`kms:ViaService`, `aws:SourceIp`, ...).
    pub step_context: &'a Context,
    /// The seeded generator.
    pub rng: &'a mut ChaCha20Rng,
    /// Key pairs already derived from their seeds (RSA generation is slow in wasm); `None`
    /// derives every pair anew, with the same result.
    pub pairs: Option<&'a crate::crypto::asym::PairCache>,
    /// What is left of the run's key-generation budget, in RSA-2048 generations
    /// ([`crate::crypto::asym::PairSpec::generation_cost`]); charged for every pair derived,
    /// remembered or not, so a run's outcome never depends on the memo.
    pub generation_budget: &'a std::cell::Cell<u32>,
    /// Whether the caller's account has the custom key store service-linked role
    /// (CreateCustomKeyStore creates it when missing).
    pub key_store_role_exists: bool,
}

/// A change a KMS call makes outside KMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Create `AWSServiceRoleForKeyManagementServiceCustomKeyStores` in the account.
    CreateKeyStoreServiceLinkedRole(crate::iam::arn::AccountId),
}

/// The result of one call.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The authorization decision (none when the call failed before authorization).
    pub decision: Option<Decision>,
    /// The trace of the deciding authorization.
    pub trace: Option<Trace>,
    /// The output, or the exception.
    pub result: Result<Value, KmsError>,
    /// Changes outside KMS the caller must apply (only after success).
    pub effects: Vec<Effect>,
    /// Calls to external key store proxies, in order (signed requests and answers).
    pub proxy_calls: Vec<crate::keystore::xks::Exchange>,
}

/// A problem with the scenario rather than with the call: an unknown operation or parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Every operation kmslab executes.
pub const OPERATIONS: &[&str] = &[
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
    "ReEncrypt",
    "RetireGrant",
    "RevokeGrant",
    "RotateKeyOnDemand",
    "ScheduleKeyDeletion",
    "Sign",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateCustomKeyStore",
    "UpdateKeyDescription",
    "Verify",
    "VerifyMac",
];

/// The operation whose name is closest to `name` (a typo, a wrong case), if one is close:
/// at most a third of its letters differ.
fn nearest_operation(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    OPERATIONS
        .iter()
        .map(|op| (edit_distance(&lower, &op.to_ascii_lowercase()), *op))
        .filter(|(d, op)| *d <= op.len() / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, op)| op)
}

/// Levenshtein distance over bytes (operation names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row.first().copied().unwrap_or_default();
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or_default();
            let left = row.get(j).copied().unwrap_or_default();
            let cost = usize::from(ca != *cb);
            let v = (prev + cost).min(above + 1).min(left + 1);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = v;
            }
        }
    }
    row.last().copied().unwrap_or_default()
}

/// Runs one KMS operation.
pub fn execute(
    world: &mut KmsWorld,
    env: &mut Env<'_>,
    op: &str,
    input: &Value,
) -> Result<Outcome, InputError> {
    let empty = Map::new();
    let fields = match input {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => {
            return Err(InputError(format!(
                "the input of `kms:{op}` must be an object"
            )))
        }
    };
    let mut call = Call {
        world,
        env,
        input: fields,
        op: op.to_string(),
        decision: None,
        trace: None,
        effects: Vec::new(),
        exchanges: Vec::new(),
    };
    let result = match op {
        "Encrypt" => crypto_ops::encrypt(&mut call),
        "Decrypt" => crypto_ops::decrypt(&mut call),
        "ReEncrypt" => crypto_ops::re_encrypt(&mut call),
        "GenerateDataKey" => crypto_ops::generate_data_key(&mut call, true),
        "GenerateDataKeyWithoutPlaintext" => crypto_ops::generate_data_key(&mut call, false),
        "GenerateRandom" => crypto_ops::generate_random(&mut call),
        "GenerateDataKeyPair" => asym_ops::generate_data_key_pair(&mut call, true),
        "GenerateDataKeyPairWithoutPlaintext" => asym_ops::generate_data_key_pair(&mut call, false),
        "GetPublicKey" => asym_ops::get_public_key(&mut call),
        "Sign" => asym_ops::sign(&mut call),
        "Verify" => asym_ops::verify(&mut call),
        "GenerateMac" => mac_ops::generate_mac(&mut call),
        "VerifyMac" => mac_ops::verify_mac(&mut call),
        "CreateKey" => keys::create_key(&mut call),
        "DescribeKey" => keys::describe_key(&mut call),
        "ListKeys" => keys::list_keys(&mut call),
        "UpdateKeyDescription" => keys::update_description(&mut call),
        "EnableKey" => keys::set_enabled(&mut call, true),
        "DisableKey" => keys::set_enabled(&mut call, false),
        "ScheduleKeyDeletion" => keys::schedule_deletion(&mut call),
        "CancelKeyDeletion" => keys::cancel_deletion(&mut call),
        "PutKeyPolicy" => keys::put_key_policy(&mut call),
        "GetKeyPolicy" => keys::get_key_policy(&mut call),
        "ListKeyPolicies" => keys::list_key_policies(&mut call),
        "EnableKeyRotation" => keys::enable_rotation(&mut call),
        "DisableKeyRotation" => keys::disable_rotation(&mut call),
        "GetKeyRotationStatus" => keys::rotation_status(&mut call),
        "RotateKeyOnDemand" => keys::rotate_on_demand(&mut call),
        "ListKeyRotations" => keys::list_rotations(&mut call),
        "TagResource" => keys::tag_resource(&mut call),
        "UntagResource" => keys::untag_resource(&mut call),
        "ListResourceTags" => keys::list_tags(&mut call),
        "CreateAlias" => aliases::create_alias(&mut call),
        "UpdateAlias" => aliases::update_alias(&mut call),
        "DeleteAlias" => aliases::delete_alias(&mut call),
        "ListAliases" => aliases::list_aliases(&mut call),
        "CreateGrant" => grants::create_grant(&mut call),
        "ListGrants" => grants::list_grants(&mut call),
        "ListRetirableGrants" => grants::list_retirable(&mut call),
        "RetireGrant" => grants::retire_grant(&mut call),
        "RevokeGrant" => grants::revoke_grant(&mut call),
        "GetParametersForImport" => import::get_parameters(&mut call),
        "ImportKeyMaterial" => import::import(&mut call),
        "DeleteImportedKeyMaterial" => import::delete(&mut call),
        "CreateCustomKeyStore" => keystores::create(&mut call),
        "DescribeCustomKeyStores" => keystores::describe(&mut call),
        "ConnectCustomKeyStore" => keystores::connect(&mut call),
        "DisconnectCustomKeyStore" => keystores::disconnect(&mut call),
        "UpdateCustomKeyStore" => keystores::update(&mut call),
        "DeleteCustomKeyStore" => keystores::delete(&mut call),
        other => {
            let hint = nearest_operation(other)
                .map(|n| format!("; did you mean `kms:{n}`?"))
                .unwrap_or_else(|| format!(" (it executes {})", OPERATIONS.join(", ")));
            return Err(InputError(format!(
                "`kms:{other}` is not an operation kmslab executes{hint}"
            )));
        }
    };
    let result = match result {
        Ok(v) => Ok(v),
        Err(Failure::Kms(e)) => Err(e),
        Err(Failure::Input(e)) => return Err(e),
    };
    let effects = if result.is_ok() {
        call.effects
    } else {
        Vec::new()
    };
    Ok(Outcome {
        decision: call.decision,
        trace: call.trace,
        result,
        effects,
        proxy_calls: call.exchanges,
    })
}

/// Moves the world to `now`: keys whose deletion date has come are deleted, and keys with
/// automatic rotation due get new backing material.
pub fn advance(world: &mut KmsWorld, now: Instant, region: &str, rng: &mut ChaCha20Rng) {
    crate::keystore::advance(&mut world.key_stores, &mut world.clusters, now, region, rng);
    world
        .keys
        .retain(|_, k| k.deletion_date.is_none_or(|d| d > now));
    let alive: Vec<String> = world.keys.keys().cloned().collect();
    world.aliases.retain(|a| alive.contains(&a.target));
    world.grants.retain(|g| alive.contains(&g.key_id));
    for k in world.keys.values_mut() {
        // Imported material past its ValidTo is deleted and the key waits for an import
        // ("Setting an expiration time").
        if k.import.valid_to.is_some_and(|t| t <= now) {
            import::remove_material(k);
        }
        while let Some(next) = k.next_rotation.filter(|n| *n <= now && k.rotation_enabled) {
            k.materials.push(KeyMaterial::generate(rng));
            k.rotations.push(RotationRecord {
                date: next,
                kind: "AUTOMATIC",
            });
            k.next_rotation = Some(next.plus(Duration::seconds(
                i64::from(k.rotation_period_days) * 86_400,
            )));
        }
    }
}

/// Why an operation stopped: an AWS exception, or a scenario mistake.
pub(crate) enum Failure {
    Kms(KmsError),
    Input(InputError),
}

impl From<KmsError> for Failure {
    fn from(e: KmsError) -> Self {
        Failure::Kms(e)
    }
}

type OpResult = Result<Value, Failure>;

/// One call in progress.
pub(crate) struct Call<'w, 'e, 'a> {
    world: &'w mut KmsWorld,
    env: &'e mut Env<'a>,
    input: &'w Map<String, Value>,
    /// The operation, for the rules on how it may name a key.
    op: String,
    decision: Option<Decision>,
    trace: Option<Trace>,
    effects: Vec<Effect>,
    /// Calls to external key store proxies this call made.
    exchanges: Vec<crate::keystore::xks::Exchange>,
}

/// Operations that accept an alias (name or ARN) as `KeyId`: the cryptographic operations and
/// DescribeKey. The others take a key id or key ARN only.
const ALIAS_OPERATIONS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "DescribeKey",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "GetPublicKey",
];

/// Operations that work on a key in another account ("Cross-account use: Yes" in the API
/// reference); every other operation works only on the caller's own keys.
pub const CROSS_ACCOUNT_OPERATIONS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
    "ListGrants",
    "RetireGrant",
    "RevokeGrant",
    "GetKeyRotationStatus",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "GetPublicKey",
];

/// How a key was named in the request.
pub(crate) struct Resolved {
    id: String,
    alias: Option<String>,
}

impl Call<'_, '_, '_> {
    /// Charges the run's key-generation budget ([`Env::generation_budget`]) for deriving a
    /// pair of `spec` in `op`, or refuses to run the step.
    fn charge_generation(
        &self,
        op: &str,
        spec: crate::crypto::asym::PairSpec,
    ) -> Result<(), Failure> {
        use crate::scenario::limits::KEY_GENERATION_BUDGET;
        let cost = spec.generation_cost();
        let left = self.env.generation_budget.get();
        if cost > left {
            return Err(Failure::Input(InputError(format!(
                "`kms:{op}` would generate an {} key pair, which costs {cost} of the run's key-generation budget of {KEY_GENERATION_BUDGET} (RSA_2048 counts 1, RSA_3072 4, RSA_4096 10), and {left} are left: RSA key generation takes seconds in the browser, so kmslab stops here; use fewer or smaller RSA keys, or split the scenario",
                spec.as_str()
            ))));
        }
        self.env.generation_budget.set(left - cost);
        Ok(())
    }

    /// Refuses parameters the operation does not take (a typo would otherwise be ignored).
    fn allow(&self, op: &str, names: &[&str]) -> Result<(), Failure> {
        for k in self.input.keys() {
            if !names.contains(&k.as_str()) {
                return Err(Failure::Input(InputError(format!(
                    "`{k}` is not a parameter of `kms:{op}` (it takes {})",
                    names.join(", ")
                ))));
            }
        }
        Ok(())
    }

    fn str_opt(&self, name: &str) -> Result<Option<&str>, Failure> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Failure::Input(InputError(format!(
                "`{name}` must be a string, found `{other}`"
            )))),
        }
    }

    fn str_req(&self, name: &str) -> Result<&str, Failure> {
        self.str_opt(name)?.ok_or_else(|| {
            KmsError::validation(format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(name))).into()
        })
    }

    fn u64_opt(&self, name: &str) -> Result<Option<u64>, Failure> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| KmsError::validation(format!("1 validation error detected: Value '{n}' at '{}' failed to satisfy constraint: Member must be a whole number", lower_first(name))).into()),
            Some(other) => Err(Failure::Input(InputError(format!("`{name}` must be a number, found `{other}`")))),
        }
    }

    fn bool_opt(&self, name: &str) -> Result<Option<bool>, Failure> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Failure::Input(InputError(format!(
                "`{name}` must be true or false, found `{other}`"
            )))),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Failure> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        Failure::Input(InputError(format!("`{name}` must be an array of strings")))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(Failure::Input(InputError(format!(
                "`{name}` must be an array of strings"
            )))),
        }
    }

    /// A base64 binary field, with AWS's length limits.
    fn blob(&self, name: &str, min: usize, max: usize) -> Result<Option<Vec<u8>>, Failure> {
        let Some(s) = self.str_opt(name)? else {
            return Ok(None);
        };
        let bytes = crate::b64::decode(s).map_err(|e| {
            Failure::Input(InputError(format!("`{name}` is not valid base64: {e}")))
        })?;
        let field = lower_first(name);
        if bytes.len() < min {
            return Err(KmsError::validation(format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length greater than or equal to {min}")).into());
        }
        if bytes.len() > max {
            return Err(KmsError::validation(format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}")).into());
        }
        Ok(Some(bytes))
    }

    /// An encryption context map; values must be strings. AWS limits it to 8 KiB in all.
    fn context(&self, name: &str) -> Result<BTreeMap<String, String>, Failure> {
        match self.input.get(name) {
            None | Some(Value::Null) => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => {
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    let v = v.as_str().ok_or_else(|| {
                        Failure::Input(InputError(format!("`{name}.{k}` must be a string")))
                    })?;
                    out.insert(k.clone(), v.to_string());
                }
                encryption_context_limit(&out)?;
                Ok(out)
            }
            Some(_) => Err(Failure::Input(InputError(format!(
                "`{name}` must be an object of strings"
            )))),
        }
    }

    /// Finds a key by id, key ARN, alias name or alias ARN (as KMS does: a bare id or alias
    /// name is looked up in the caller's account and region).
    fn resolve(&mut self, key_id: &str) -> Result<Resolved, Failure> {
        let r = self.resolve_any(key_id)?;
        let op = self.op.as_str();
        if r.alias.is_some() && !ALIAS_OPERATIONS.contains(&op) {
            return Err(KmsError::new(
                ErrorCode::NotFoundException,
                format!("Invalid keyId '{key_id}': {op} takes a key ID or key ARN, not an alias"),
            )
            .into());
        }
        let own = self.env.iam.caller().account.as_ref();
        let foreign = self
            .world
            .keys
            .get(&r.id)
            .is_some_and(|k| Some(&k.account) != own);
        if foreign && !CROSS_ACCOUNT_OPERATIONS.contains(&op) {
            // Not permitted across accounts, whatever the key policy says: refused before any
            // policy is read, so the call has no authorization decision.
            return Err(KmsError::new(
                ErrorCode::AccessDeniedException,
                format!(
                    "User: {} is not authorized to perform: kms:{op} on resource: {key_id} because {op} cannot be used on a KMS key in another account",
                    self.env.iam.caller().arn
                ),
            )
            .into());
        }
        Ok(r)
    }

    fn resolve_any(&self, key_id: &str) -> Result<Resolved, Failure> {
        if key_id.is_empty() || key_id.len() > 2048 {
            return Err(KmsError::validation("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length between 1 and 2048").into());
        }
        let caller_account = self.env.iam.caller().account.clone();
        let region = self.env.region;
        let not_found = || -> Failure { KmsError::key_not_found(key_id).into() };
        if let Some(rest) = key_id.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            let (Some(reg), Some(acct), Some(res)) = (parts.get(2), parts.get(3), parts.get(4))
            else {
                return Err(KmsError::new(
                    ErrorCode::NotFoundException,
                    format!("Invalid arn {key_id}"),
                )
                .into());
            };
            if let Some(id) = res.strip_prefix("key/") {
                return self
                    .world
                    .keys
                    .get(id)
                    .filter(|k| k.account.as_str() == *acct && k.region == *reg)
                    .map(|k| Resolved {
                        id: k.id.clone(),
                        alias: None,
                    })
                    .ok_or_else(not_found);
            }
            if res.starts_with("alias/") {
                return self
                    .world
                    .aliases
                    .iter()
                    .find(|a| a.name == *res && a.account.as_str() == *acct && a.region == *reg)
                    .map(|a| Resolved {
                        id: a.target.clone(),
                        alias: Some(a.name.clone()),
                    })
                    .ok_or_else(|| {
                        KmsError::new(
                            ErrorCode::NotFoundException,
                            format!("Alias {key_id} is not found."),
                        )
                        .into()
                    });
            }
            return Err(not_found());
        }
        if key_id.starts_with("alias/") {
            return self
                .world
                .aliases
                .iter()
                .find(|a| {
                    a.name == key_id
                        && Some(&a.account) == caller_account.as_ref()
                        && a.region == region
                })
                .map(|a| Resolved {
                    id: a.target.clone(),
                    alias: Some(a.name.clone()),
                })
                .ok_or_else(|| {
                    let acct = caller_account
                        .as_ref()
                        .map(|a| a.to_string())
                        .unwrap_or_default();
                    KmsError::new(
                        ErrorCode::NotFoundException,
                        format!(
                            "Alias arn:{}:kms:{region}:{acct}:{key_id} is not found.",
                            self.env.partition
                        ),
                    )
                    .into()
                });
        }
        self.world
            .keys
            .get(key_id)
            .filter(|k| Some(&k.account) == caller_account.as_ref() && k.region == region)
            .map(|k| Resolved {
                id: k.id.clone(),
                alias: None,
            })
            .ok_or_else(|| {
                let acct = caller_account
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                KmsError::key_not_found(&format!(
                    "arn:{}:kms:{region}:{acct}:key/{key_id}",
                    self.env.partition
                ))
                .into()
            })
    }

    fn key(&self, id: &str) -> Result<&Key, Failure> {
        self.world
            .keys
            .get(id)
            .ok_or_else(|| KmsError::key_not_found(id).into())
    }

    /// Context keys KMS derives for a request on a key.
    fn key_context(
        &self,
        key: &Key,
        alias: Option<&str>,
        ec: Option<&BTreeMap<String, String>>,
    ) -> Context {
        let mut c = self.base_context();
        c.insert_single("kms:KeyOrigin", key.origin.as_str());
        c.insert_single("kms:KeySpec", key.spec.as_str());
        c.insert_single("kms:KeyUsage", key.usage.as_str());
        c.insert_single("kms:MultiRegion", "false");
        let aliases: Vec<String> = self
            .world
            .aliases
            .iter()
            .filter(|a| a.target == key.id)
            .map(|a| a.name.clone())
            .collect();
        if !aliases.is_empty() {
            c.insert("kms:ResourceAliases", ContextValue::Multi(aliases));
        }
        if let Some(a) = alias {
            c.insert_single("kms:RequestAlias", a);
        }
        for (k, v) in &key.tags {
            c.insert_single(&format!("aws:ResourceTag/{k}"), v.clone());
        }
        if let Some(ec) = ec {
            encryption_context_keys(&mut c, ec);
        }
        c
    }

    /// Context keys every KMS request has.
    fn base_context(&self) -> Context {
        let mut c = Context::default();
        if let Some(a) = &self.env.iam.caller().account {
            c.insert_single("kms:CallerAccount", a.to_string());
        }
        c
    }

    /// Authorizes `action` on a key (key policy, IAM, grants) and applies the key-state gate.
    /// Records the decision and trace of the call.
    fn authorize_key(
        &mut self,
        action: &str,
        grant_op: Option<&str>,
        key_id: &str,
        ctx: Context,
        ec: &BTreeMap<String, String>,
        gate_op: Option<&str>,
    ) -> Result<(), Failure> {
        let (arn, state, origin, spec, usage, d) = {
            let key = self.key(key_id)?;
            let arn = key.arn(self.env.partition);
            let d = authorize_key(
                self.env.iam,
                &KeyRequest {
                    action,
                    grant_operation: grant_op,
                    key_arn: &arn,
                    key_id: &key.id,
                    account: &key.account,
                    policy: &key.policy,
                    context: &ctx,
                    encryption_context: ec,
                },
                &self.world.grants,
                self.env.now,
                self.env.grant_propagation,
                self.env.grant_tokens,
            );
            (
                arn,
                self.world.effective_state(key),
                key.origin,
                key.spec,
                key.usage,
                d,
            )
        };
        let mut resp = d.response;
        let decision = resp.decision;
        // A second authorization in one call (ReEncrypt, aliases) keeps the first denial.
        if self.decision.is_none_or(|prev| prev == Decision::Allow) {
            self.decision = Some(decision);
        }
        if decision != Decision::Allow {
            let message = denied_message(&self.env.iam.caller().arn, action, &arn, &resp);
            if self.trace.is_none() || self.decision == Some(decision) {
                self.trace = resp.trace.take();
            }
            return Err(KmsError::new(ErrorCode::AccessDeniedException, message).into());
        }
        let gate = state::gate(
            gate_op.unwrap_or(action.trim_start_matches("kms:")),
            state,
            origin,
            &arn,
        );
        if let Some(t) = resp.trace.as_mut() {
            t.key_state = Some(gate.0);
        }
        if self.trace.is_none() || self.decision == Some(Decision::Allow) {
            self.trace = resp.trace;
        }
        gate.1.map_err(Failure::Kms)?;
        super::spec::usage_gate(
            gate_op.unwrap_or(action.trim_start_matches("kms:")),
            spec,
            usage,
            &arn,
        )?;
        // A key in a connected custom key store still needs its backend to answer.
        if state::is_cryptographic(gate_op.unwrap_or(action.trim_start_matches("kms:"))) {
            keystores::check_backend(self, key_id)?;
        }
        Ok(())
    }

    /// Authorizes an action that is not on a key (IAM policies only, resource `*` or an alias).
    fn authorize_iam(&mut self, action: &str, resource: &str, ctx: Context) -> Result<(), Failure> {
        let account = self.env.iam.caller().account.clone();
        let resp = self
            .env
            .iam
            .evaluate(action, resource, account.as_ref(), None, &ctx);
        if self.decision.is_none_or(|prev| prev == Decision::Allow) {
            self.decision = Some(resp.decision);
            self.trace = resp.trace.clone();
        }
        if resp.decision != Decision::Allow {
            let message = denied_message(&self.env.iam.caller().arn, action, resource, &resp);
            return Err(KmsError::new(ErrorCode::AccessDeniedException, message).into());
        }
        Ok(())
    }

    fn key_arn(&self, id: &str) -> String {
        self.world
            .keys
            .get(id)
            .map(|k| k.arn(self.env.partition))
            .unwrap_or_default()
    }

    fn epoch(&self, t: Instant) -> Value {
        json!(t.epoch_seconds())
    }

    /// `KeyMetadata`, as DescribeKey and CreateKey return it.
    fn metadata(&self, k: &Key) -> Value {
        let mut m = json!({
            "AWSAccountId": k.account.as_str(),
            "KeyId": k.id,
            "Arn": k.arn(self.env.partition),
            "CreationDate": self.epoch(k.created),
            "Enabled": self.world.effective_state(k) == super::model::KeyState::Enabled,
            "Description": k.description,
            "KeyUsage": k.usage.as_str(),
            "KeyState": self.world.effective_state(k).as_str(),
            "Origin": k.origin.as_str(),
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": k.spec.as_str(),
            "KeySpec": k.spec.as_str(),
            "MultiRegion": false,
        });
        if let Value::Object(o) = &mut m {
            let enc = k.spec.encryption_algorithms(k.usage);
            if !enc.is_empty() {
                o.insert("EncryptionAlgorithms".into(), json!(enc));
            }
            let sig: Vec<&str> = k
                .spec
                .signing_algorithms(k.usage)
                .iter()
                .map(|a| a.as_str())
                .collect();
            if !sig.is_empty() {
                o.insert("SigningAlgorithms".into(), json!(sig));
            }
            if let super::model::KeySpec::Hmac(a) = k.spec {
                o.insert("MacAlgorithms".into(), json!([a.as_str()]));
            }
            if let Some(e) = k.import.expiration {
                o.insert("ExpirationModel".into(), json!(e.as_str()));
            }
            if let Some(t) = k.import.valid_to {
                o.insert("ValidTo".into(), self.epoch(t));
            }
        }
        if let (Some(d), Value::Object(o)) = (k.deletion_date, &mut m) {
            o.insert("DeletionDate".into(), self.epoch(d));
            if let Some(w) = k.pending_window_days {
                o.insert("PendingDeletionWindowInDays".into(), json!(w));
            }
        }
        if let (Some(ks), Value::Object(o)) = (&k.key_store, &mut m) {
            o.insert("CustomKeyStoreId".into(), json!(ks));
            let cluster = self
                .world
                .key_stores
                .iter()
                .find(|s| &s.id == ks)
                .and_then(|s| s.cloudhsm.as_ref())
                .map(|c| c.cluster_id.clone());
            if let Some(c) = cluster {
                o.insert("CloudHsmClusterId".into(), json!(c));
            }
        }
        m
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Random bytes as lowercase hex (grant ids).
    fn hex_id(&mut self, bytes: usize) -> String {
        let mut b = vec![0u8; bytes];
        rand_core::Rng::fill_bytes(self.env.rng, &mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The condition keys a request's encryption context gives it: `kms:EncryptionContext:KEY` for
/// each pair and `kms:EncryptionContextKeys` with every key (in map order). A context key that
/// differs from another only by case gives one condition key, the later one's value, because
/// condition keys are case-insensitive.
pub(crate) fn encryption_context_keys(c: &mut Context, ec: &BTreeMap<String, String>) {
    for (k, v) in ec {
        c.insert_single(&format!("kms:EncryptionContext:{k}"), v.clone());
    }
    // A request without an encryption context has no kms:EncryptionContextKeys at all (that is
    // why the guides pair ForAllValues with a Null check): absent, not an empty set, which an
    // `...IfExists` operator tells apart.
    if !ec.is_empty() {
        c.insert(
            "kms:EncryptionContextKeys",
            ContextValue::Multi(ec.keys().cloned().collect()),
        );
    }
}

/// AWS's limit on an encryption context: 8192 bytes of keys and values together.
pub(crate) fn encryption_context_limit(ec: &BTreeMap<String, String>) -> Result<(), KmsError> {
    let size: usize = ec.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > 8192 {
        return Err(KmsError::validation(
            "Encryption context exceeds the 8192-byte limit",
        ));
    }
    Ok(())
}

/// AWS KMS's access-denied message.
fn denied_message(
    caller: &str,
    action: &str,
    resource: &str,
    resp: &crate::iam::evaluate::Response,
) -> String {
    let why = match resp.decision {
        Decision::ExplicitDeny => {
            let layer = resp
                .deciding
                .first()
                .map(|d| d.split(':').next().unwrap_or_default())
                .unwrap_or_default();
            let what = match layer {
                "scp" => "a service control policy",
                "rcp" => "a resource control policy",
                "key-policy" => "a resource-based policy",
                "boundary" => "a permissions boundary",
                "session" => "a session policy",
                _ => "an identity-based policy",
            };
            format!("with an explicit deny in {what}")
        }
        _ if resp.org_blocked => "because no service control policy allows the action".to_string(),
        _ if resp.summary.contains("identity-based") => {
            format!("because no identity-based policy allows the {action} action")
        }
        _ => format!("because no resource-based policy allows the {action} action"),
    };
    format!("User: {caller} is not authorized to perform: {action} on resource: {resource} {why}")
}

/// A fresh key id: a version-4 UUID from the seeded generator.
pub fn new_key_id(rng: &mut ChaCha20Rng) -> String {
    let mut b = [0u8; 16];
    rand_core::Rng::fill_bytes(rng, &mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or(""),
        h.get(8..12).unwrap_or(""),
        h.get(12..16).unwrap_or(""),
        h.get(16..20).unwrap_or(""),
        h.get(20..32).unwrap_or("")
    )
}

/// A starting input for `op` on `key`, for forms that compose calls (the app's KMS console).
pub fn example_input(op: &str, key: &str) -> Value {
    match op {
        "Encrypt" => {
            json!({ "KeyId": key, "Plaintext": "aGVsbG8gd29ybGQ=", "EncryptionContext": { "purpose": "demo" } })
        }
        "Decrypt" => {
            json!({ "CiphertextBlob": "${STEP.CiphertextBlob}", "EncryptionContext": { "purpose": "demo" } })
        }
        "ReEncrypt" => {
            json!({ "CiphertextBlob": "${STEP.CiphertextBlob}", "SourceEncryptionContext": { "purpose": "demo" }, "DestinationKeyId": key })
        }
        "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
            json!({ "KeyId": key, "KeySpec": "AES_256", "EncryptionContext": { "purpose": "demo" } })
        }
        "GenerateRandom" => json!({ "NumberOfBytes": 32 }),
        "CreateKey" => json!({ "Description": "created in the console" }),
        "ListKeys" | "ListAliases" => json!({}),
        "CreateAlias" | "UpdateAlias" => {
            json!({ "AliasName": "alias/console", "TargetKeyId": key })
        }
        "DeleteAlias" => json!({ "AliasName": "alias/console" }),
        "CreateGrant" => {
            json!({ "KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Encrypt", "Decrypt"] })
        }
        "RetireGrant" => json!({ "GrantToken": "${STEP.GrantToken}" }),
        "RevokeGrant" => json!({ "KeyId": key, "GrantId": "${STEP.GrantId}" }),
        "ScheduleKeyDeletion" => json!({ "KeyId": key, "PendingWindowInDays": 7 }),
        "EnableKeyRotation" => json!({ "KeyId": key, "RotationPeriodInDays": 365 }),
        "PutKeyPolicy" => {
            json!({ "KeyId": key, "Policy": default_policy_text("111122223333", "aws") })
        }
        "TagResource" => {
            json!({ "KeyId": key, "Tags": [ { "TagKey": "env", "TagValue": "dev" } ] })
        }
        "UntagResource" => json!({ "KeyId": key, "TagKeys": ["env"] }),
        "Sign" => {
            json!({ "KeyId": key, "Message": "aGVsbG8gd29ybGQ=", "MessageType": "RAW", "SigningAlgorithm": "ECDSA_SHA_256" })
        }
        "Verify" => {
            json!({ "KeyId": key, "Message": "aGVsbG8gd29ybGQ=", "MessageType": "RAW", "SigningAlgorithm": "ECDSA_SHA_256", "Signature": "${STEP.Signature}" })
        }
        "GenerateMac" => {
            json!({ "KeyId": key, "Message": "aGVsbG8gd29ybGQ=", "MacAlgorithm": "HMAC_SHA_256" })
        }
        "VerifyMac" => {
            json!({ "KeyId": key, "Message": "aGVsbG8gd29ybGQ=", "MacAlgorithm": "HMAC_SHA_256", "Mac": "${STEP.Mac}" })
        }
        "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext" => {
            json!({ "KeyId": key, "KeyPairSpec": "ECC_NIST_P256" })
        }
        "GetParametersForImport" => {
            json!({ "KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048" })
        }
        "ImportKeyMaterial" => json!({
            "KeyId": key,
            "ImportToken": "${STEP.ImportToken}",
            "EncryptedKeyMaterial": { "wrap": { "material": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "publicKey": "${STEP.PublicKey}", "algorithm": "RSAES_OAEP_SHA_256" } },
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"
        }),
        "ListRetirableGrants" => {
            json!({ "RetiringPrincipal": "arn:aws:iam::111122223333:user/admin" })
        }
        _ => json!({ "KeyId": key }),
    }
}
