//! GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial (importing-keys*.md).

use super::{Call, Failure, OpResult};
use crate::crypto::asym::{derive_with, draw_seed, PairSpec};
use crate::crypto::wrap::{self, WrappingAlgorithm};
use crate::crypto::{KeyMaterial, Secret};
use crate::kms::byok::{
    wrap_key_material, ExpirationModel, ImportParameters, IMPORT_PARAMETERS_LIFETIME,
    WRAPPING_KEY_SPECS,
};
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::{KeySpec, KeyState};
use crate::time::{Duration, Instant};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Resolves `KeyId` (a key id or ARN), authorizes `kms:OP` with the operation's condition
/// keys (`kms:WrappingAlgorithm`, `kms:ExpirationModel`, ...) and applies both gates.
fn on_key(
    call: &mut Call<'_, '_, '_>,
    op: &str,
    extra: &[(&str, String)],
) -> Result<String, Failure> {
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    for (k, v) in extra {
        ctx.insert_single(k, v.clone());
    }
    call.authorize_key(
        &format!("kms:{op}"),
        None,
        &r.id,
        ctx,
        &BTreeMap::new(),
        None,
    )?;
    Ok(r.id)
}

fn wrapping_algorithm(s: &str) -> Result<WrappingAlgorithm, Failure> {
    WrappingAlgorithm::parse(s).ok_or_else(|| {
        KmsError::validation(format!(
            "1 validation error detected: Value '{s}' at 'wrappingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            WrappingAlgorithm::ALL.map(|a| a.as_str()).join(", ")
        ))
        .into()
    })
}

pub(super) fn get_parameters(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "GetParametersForImport",
        &["KeyId", "WrappingAlgorithm", "WrappingKeySpec"],
    )?;
    let alg = wrapping_algorithm(call.str_req("WrappingAlgorithm")?)?;
    let spec_s = call.str_req("WrappingKeySpec")?.to_string();
    let spec = PairSpec::parse(&spec_s)
        .filter(|s| WRAPPING_KEY_SPECS.contains(s))
        .ok_or_else(|| KmsError::validation(format!("1 validation error detected: Value '{spec_s}' at 'wrappingKeySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096]")))?;
    let id = on_key(
        call,
        "GetParametersForImport",
        &[
            ("kms:WrappingAlgorithm", alg.as_str().to_string()),
            ("kms:WrappingKeySpec", spec.as_str().to_string()),
        ],
    )?;
    // A fresh pair per call, as AWS makes; derived from a seed so a run made again (the app
    // re-runs on every edit) finds it in the injected memo instead of generating it again.
    call.charge_generation("GetParametersForImport", spec)?;
    let seed = draw_seed(call.env.rng);
    let wrapping = derive_with(call.env.pairs, spec, &seed)
        .map_err(|e| KmsError::new(ErrorCode::KMSInternalException, e.to_string()))?;
    let public = wrapping
        .public_key_der()
        .map_err(|e| KmsError::new(ErrorCode::KMSInternalException, e.to_string()))?;
    let token = Secret::random(call.env.rng, 64).expose().to_vec();
    let valid_to = call.env.now.plus(IMPORT_PARAMETERS_LIFETIME);
    let arn = call.key_arn(&id);
    let key = call
        .world
        .keys
        .get_mut(&id)
        .ok_or_else(|| KmsError::key_not_found(&id))?;
    key.import.parameters = Some(ImportParameters {
        token: token.clone(),
        wrapping,
        algorithm: alg,
        valid_to,
    });
    Ok(json!({
        "KeyId": arn,
        "ImportToken": Call::b64(&token),
        "PublicKey": Call::b64(&public),
        "ParametersValidTo": valid_to.epoch_seconds(),
    }))
}

/// `ValidTo`: epoch seconds (as the AWS JSON protocol sends it) or an ISO 8601 string.
fn valid_to(call: &Call<'_, '_, '_>) -> Result<Option<Instant>, Failure> {
    match call.input.get("ValidTo") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|s| s.checked_mul(1000))
            .map(|ms| Some(Instant(ms)))
            .ok_or_else(|| {
                Failure::Input(super::InputError(format!(
                    "`ValidTo` must be whole epoch seconds, found `{n}`"
                )))
            }),
        Some(Value::String(s)) => Instant::parse_iso(s)
            .map(Some)
            .map_err(|e| Failure::Input(super::InputError(format!("`ValidTo`: {e}")))),
        Some(other) => Err(Failure::Input(super::InputError(format!(
            "`ValidTo` must be epoch seconds or an ISO 8601 date-time, found `{other}`"
        )))),
    }
}

/// `EncryptedKeyMaterial`: base64, or (a kmslab scenario convenience, see
/// docs/scenario-extensions.md) `{"wrap": {"material", "publicKey", "algorithm"}}`, which wraps
/// the material here exactly as [`wrap_key_material`] does for the app's helper.
fn encrypted_material(call: &mut Call<'_, '_, '_>) -> Result<Vec<u8>, Failure> {
    let input_err = |m: String| Failure::Input(super::InputError(m));
    let spec = match call.input.get("EncryptedKeyMaterial") {
        Some(Value::Object(o)) => o.get("wrap").cloned().ok_or_else(|| {
            input_err("`EncryptedKeyMaterial` must be base64 or `{\"wrap\": {...}}`".into())
        })?,
        _ => {
            return call.blob("EncryptedKeyMaterial", 1, 6144)?.ok_or_else(|| {
                KmsError::validation("1 validation error detected: Value null at 'encryptedKeyMaterial' failed to satisfy constraint: Member must not be null").into()
            })
        }
    };
    let field = |name: &str| -> Result<String, Failure> {
        spec.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                input_err(format!(
                    "`EncryptedKeyMaterial.wrap.{name}` must be a string"
                ))
            })
    };
    let b64 = |name: &str, v: String| -> Result<Vec<u8>, Failure> {
        crate::b64::decode(&v).map_err(|e| {
            input_err(format!(
                "`EncryptedKeyMaterial.wrap.{name}` is not valid base64: {e}"
            ))
        })
    };
    if let Some(Value::Object(o)) = Some(&spec) {
        for k in o.keys() {
            if !["material", "publicKey", "algorithm"].contains(&k.as_str()) {
                return Err(input_err(format!("`EncryptedKeyMaterial.wrap.{k}` is not a field (it takes material, publicKey, algorithm)")));
            }
        }
    }
    let material = Secret::new(b64("material", field("material")?)?);
    let public = b64("publicKey", field("publicKey")?)?;
    let alg_s = field("algorithm")?;
    let alg = WrappingAlgorithm::parse(&alg_s).ok_or_else(|| {
        input_err(format!(
            "`EncryptedKeyMaterial.wrap.algorithm`: `{alg_s}` is not a wrapping algorithm"
        ))
    })?;
    wrap_key_material(&public, alg, material.expose(), call.env.rng)
        .map_err(|e| input_err(format!("`EncryptedKeyMaterial.wrap`: {e}")))
}

fn incorrect_material(arn: &str) -> Failure {
    KmsError::new(
        ErrorCode::IncorrectKeyMaterialException,
        format!("The key material in the request is not valid for {arn}: it is not the key material previously imported into this key, or it is not the right length for its key spec."),
    )
    .into()
}

pub(super) fn import(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "ImportKeyMaterial",
        &[
            "KeyId",
            "ImportToken",
            "EncryptedKeyMaterial",
            "ValidTo",
            "ExpirationModel",
        ],
    )?;
    let token = call.blob("ImportToken", 1, 6144)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'importToken' failed to satisfy constraint: Member must not be null"))?;
    let wrapped = encrypted_material(call)?;
    let valid_to = valid_to(call)?;
    let model = match call.str_opt("ExpirationModel")? {
        Some(m) => Some(ExpirationModel::parse(m).ok_or_else(|| KmsError::validation(format!("1 validation error detected: Value '{m}' at 'expirationModel' failed to satisfy constraint: Member must satisfy enum value set: [KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE]")))?),
        None => None,
    };
    // ValidTo goes with KEY_MATERIAL_EXPIRES and only with it; omitting the model means it
    // follows from whether ValidTo is given.
    let model = match (model, valid_to) {
        (Some(ExpirationModel::Expires) | None, Some(t)) => {
            let now = call.env.now;
            if t <= now || t > now.plus(Duration::seconds(365 * 86_400)) {
                return Err(KmsError::validation(
                    "ValidTo must be in the future and no more than 365 days from now",
                )
                .into());
            }
            ExpirationModel::Expires
        }
        (Some(ExpirationModel::Expires), None) => {
            return Err(KmsError::validation(
                "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
            )
            .into())
        }
        (Some(ExpirationModel::DoesNotExpire), Some(_)) => return Err(KmsError::validation(
            "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        .into()),
        (Some(ExpirationModel::DoesNotExpire) | None, None) => ExpirationModel::DoesNotExpire,
    };
    let mut extra = vec![("kms:ExpirationModel", model.as_str().to_string())];
    if let Some(t) = valid_to {
        extra.push(("kms:ValidTo", t.epoch_seconds().to_string()));
    }
    let id = on_key(call, "ImportKeyMaterial", &extra)?;
    let arn = call.key_arn(&id);
    let now = call.env.now;
    let key = call.key(&id)?;
    let params = key
        .import
        .parameters
        .as_ref()
        .filter(|p| p.token == token)
        .ok_or_else(|| KmsError::new(ErrorCode::InvalidImportTokenException, format!("The import token is not valid for {arn}: use the ImportToken of the latest GetParametersForImport for this key.")))?;
    if params.valid_to <= now {
        return Err(KmsError::new(
            ErrorCode::ExpiredImportTokenException,
            "The import token has expired: call GetParametersForImport again.",
        )
        .into());
    }
    let material = wrap::unwrap(&params.wrapping, params.algorithm, &wrapped)
        .map_err(|_| KmsError::new(ErrorCode::InvalidCiphertextException, format!("The EncryptedKeyMaterial could not be unwrapped with the wrapping key and {} of the import token.", params.algorithm.as_str())))?;
    let spec = key.spec;
    let key = call
        .world
        .keys
        .get_mut(&id)
        .ok_or_else(|| KmsError::key_not_found(&id))?;
    match spec {
        KeySpec::Symmetric => {
            let m = KeyMaterial::from_bytes(material.expose())
                .ok_or_else(|| incorrect_material(&arn))?;
            if !key.import.accept(material.expose()) {
                return Err(incorrect_material(&arn));
            }
            key.materials = vec![m];
        }
        KeySpec::Hmac(a) => {
            if material.expose().len() != a.key_len() || !key.import.accept(material.expose()) {
                return Err(incorrect_material(&arn));
            }
            key.hmac_key = Some(material);
        }
        KeySpec::Pair(_) => return Err(incorrect_material(&arn)),
    }
    key.import.expiration = Some(model);
    key.import.valid_to = (model == ExpirationModel::Expires)
        .then_some(valid_to)
        .flatten();
    if key.state == KeyState::PendingImport {
        key.state = KeyState::Enabled;
    }
    Ok(json!({}))
}

pub(super) fn delete(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("DeleteImportedKeyMaterial", &["KeyId", "KeyMaterialId"])?;
    let id = on_key(call, "DeleteImportedKeyMaterial", &[])?;
    let key = call
        .world
        .keys
        .get_mut(&id)
        .ok_or_else(|| KmsError::key_not_found(&id))?;
    remove_material(key);
    Ok(json!({}))
}

/// Deletes a key's imported material: the key waits for an import again (a key pending
/// deletion stays so).
pub(crate) fn remove_material(key: &mut crate::kms::model::Key) {
    key.materials.clear();
    key.hmac_key = None;
    key.import.expiration = None;
    key.import.valid_to = None;
    if key.state != KeyState::PendingDeletion {
        key.state = KeyState::PendingImport;
    }
}
