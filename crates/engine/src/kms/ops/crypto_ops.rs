//! Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom.

use super::{Call, Failure, OpResult};
use crate::crypto::{self, Secret};
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::KeySpec;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const ALGORITHM: &str = "SYMMETRIC_DEFAULT";

fn check_algorithm(call: &Call<'_, '_, '_>, name: &str) -> Result<(), Failure> {
    match call.str_opt(name)? {
        None | Some(ALGORITHM) => Ok(()),
        Some(a @ ("RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE")) => Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("The encryption algorithm {a} is not compatible with the key spec SYMMETRIC_DEFAULT."),
        )
        .into()),
        Some(a) => Err(KmsError::validation(format!("1 validation error detected: Value '{a}' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")).into()),
    }
}

/// Seals `plaintext` under the key's newest backing key.
pub(super) fn seal(
    call: &mut Call<'_, '_, '_>,
    key_id: &str,
    plaintext: &[u8],
    ec: &BTreeMap<String, String>,
) -> Result<Vec<u8>, Failure> {
    let key = call
        .world
        .keys
        .get(key_id)
        .ok_or_else(|| KmsError::key_not_found(key_id))?;
    if key.spec != KeySpec::Symmetric {
        // Only Encrypt and Decrypt take RSA keys; ReEncrypt into one is not simulated.
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!(
                "kmslab re-encrypts only into symmetric encryption keys; {} is {}",
                key.arn(call.env.partition),
                key.spec.as_str()
            ),
        )
        .into());
    }
    let version = key.materials.len().checked_sub(1).ok_or_else(|| {
        KmsError::new(
            ErrorCode::KMSInvalidStateException,
            format!("{} has no key material.", key.arn(call.env.partition)),
        )
    })?;
    let material = key
        .materials
        .get(version)
        .ok_or_else(|| KmsError::key_not_found(key_id))?
        .clone();
    let v = u32::try_from(version).unwrap_or(u32::MAX);
    let external = key.key_store.clone().zip(key.xks_key_id.clone());
    let inner = crypto::seal(&material, &key.id, v, plaintext, ec, call.env.rng)
        .map_err(|e| KmsError::validation(e.to_string()))?;
    // A key in an external key store: the external key manager encrypts the KMS layer's
    // blob again (double encryption).
    match external {
        Some((store, xks_key)) => {
            super::keystores::external_encrypt(call, key_id, &store, &xks_key, &inner)
        }
        None => Ok(inner),
    }
}

/// The key id a blob names, in either format (version 1, or version 2 for keys in an external
/// key store).
fn blob_key_id(blob: &[u8]) -> Option<String> {
    if blob.get(2) == Some(&crypto::FORMAT_VERSION_EXTERNAL) {
        crypto::ExternalBlob::parse(blob).ok().map(|e| e.key_id)
    } else {
        crypto::parse_blob(blob).ok().map(|h| h.key_id.to_string())
    }
}

/// Reads a blob's key id, checks `KeyId` if given, authorizes and opens it.
fn open(
    call: &mut Call<'_, '_, '_>,
    blob: &[u8],
    key_id_param: Option<&str>,
    ec: &BTreeMap<String, String>,
    action: &str,
    grant_op: &str,
    extra: &[(&str, String)],
) -> Result<(String, Secret), Failure> {
    let invalid = || -> Failure { KmsError::new(ErrorCode::InvalidCiphertextException, "").into() };
    let external = if blob.get(2) == Some(&crypto::FORMAT_VERSION_EXTERNAL) {
        Some(crypto::ExternalBlob::parse(blob).map_err(|_| invalid())?)
    } else {
        None
    };
    let blob_key = match &external {
        Some(e) => e.key_id.clone(),
        None => crypto::parse_blob(blob)
            .map_err(|_| invalid())?
            .key_id
            .to_string(),
    };
    if let Some(kid) = key_id_param {
        let named = call.resolve(kid)?;
        if named.id != blob_key {
            return Err(KmsError::new(
                ErrorCode::IncorrectKeyException,
                "The key ID in the request does not identify a CMK that can perform this operation.",
            )
            .into());
        }
    }
    // A blob names a key that may since have been deleted.
    let key = call.world.keys.get(&blob_key).ok_or_else(invalid)?;
    let ctx = call.key_context(key, None, Some(ec));
    let mut ctx = ctx;
    ctx.insert_single("kms:EncryptionAlgorithm", ALGORITHM);
    for (k, v) in extra {
        ctx.insert_single(k, v.clone());
    }
    call.authorize_key(action, Some(grant_op), &blob_key, ctx, ec, Some(grant_op))?;
    // A blob's format must match its key: double-encrypted exactly when the key is in an
    // external key store.
    let is_external_key = call.key(&blob_key)?.xks_key_id.is_some();
    if is_external_key != external.is_some() {
        return Err(invalid());
    }
    let inner = match &external {
        Some(e) => super::keystores::external_decrypt(call, e)?,
        None => blob.to_vec(),
    };
    let header = crypto::parse_blob(&inner).map_err(|_| {
        // The proxy authenticated what it returned, so an unreadable inner blob means the
        // proxy answered with something other than KMS's ciphertext.
        if external.is_some() {
            super::keystores::xks_error(crate::keystore::xks::XksError::inner_ciphertext_invalid())
        } else {
            invalid()
        }
    })?;
    if header.key_id != blob_key {
        return Err(invalid());
    }
    let key = call.key(&blob_key)?;
    let material = usize::try_from(header.key_version)
        .ok()
        .and_then(|v| key.materials.get(v))
        .ok_or_else(invalid)?;
    let secret = crypto::open(material, &header, ec).map_err(|_| invalid())?;
    Ok((blob_key, secret))
}

pub(super) fn encrypt(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "Encrypt",
        &[
            "KeyId",
            "Plaintext",
            "EncryptionContext",
            "GrantTokens",
            "EncryptionAlgorithm",
            "DryRun",
        ],
    )?;
    let key_id = call.str_req("KeyId")?.to_string();
    let plaintext = call.blob("Plaintext", 1, 4096)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'plaintext' failed to satisfy constraint: Member must not be null"))?;
    let plaintext = Secret::new(plaintext);
    let ec = call.context("EncryptionContext")?;
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    if matches!(key.spec, KeySpec::Pair(_)) {
        return rsa_encrypt(call, &r, &ec, &plaintext);
    }
    check_algorithm(call, "EncryptionAlgorithm")?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), Some(&ec));
    ctx.insert_single("kms:EncryptionAlgorithm", ALGORITHM);
    call.authorize_key("kms:Encrypt", Some("Encrypt"), &r.id, ctx, &ec, None)?;
    let blob = seal(call, &r.id, plaintext.expose(), &ec)?;
    Ok(json!({
        "CiphertextBlob": Call::b64(&blob),
        "KeyId": call.key_arn(&r.id),
        "EncryptionAlgorithm": ALGORITHM,
    }))
}

/// Encrypt under an RSA key: raw RSAES-OAEP ciphertext (no kmslab blob header, as in AWS,
/// which is why Decrypt needs the KeyId). An RSA key takes no encryption context.
fn rsa_encrypt(
    call: &mut Call<'_, '_, '_>,
    r: &super::Resolved,
    ec: &BTreeMap<String, String>,
    plaintext: &Secret,
) -> OpResult {
    let alg = call.str_opt("EncryptionAlgorithm")?.map(str::to_string);
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), Some(ec));
    if let Some(a) = &alg {
        ctx.insert_single("kms:EncryptionAlgorithm", a.clone());
    }
    call.authorize_key("kms:Encrypt", Some("Encrypt"), &r.id, ctx, ec, None)?;
    let (hash, name) = super::asym_ops::oaep_algorithm(call, &r.id, alg.as_deref())?;
    let spec = call.key(&r.id)?.spec;
    crate::kms::spec::encryption_context_gate("Encrypt", spec, ec)?;
    let ct = super::asym_ops::rsa_encrypt(call, &r.id, hash, plaintext.expose())?;
    Ok(json!({
        "CiphertextBlob": Call::b64(&ct),
        "KeyId": call.key_arn(&r.id),
        "EncryptionAlgorithm": name,
    }))
}

/// Decrypt under an RSA key named by `KeyId`.
fn rsa_decrypt(call: &mut Call<'_, '_, '_>, r: &super::Resolved, blob: &[u8]) -> OpResult {
    let alg = call.str_opt("EncryptionAlgorithm")?.map(str::to_string);
    let ec = call.context("EncryptionContext")?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), Some(&ec));
    if let Some(a) = &alg {
        ctx.insert_single("kms:EncryptionAlgorithm", a.clone());
    }
    call.authorize_key("kms:Decrypt", Some("Decrypt"), &r.id, ctx, &ec, None)?;
    let (hash, name) = super::asym_ops::oaep_algorithm(call, &r.id, alg.as_deref())?;
    let secret = super::asym_ops::rsa_decrypt(call, &r.id, hash, blob)?;
    Ok(json!({
        "KeyId": call.key_arn(&r.id),
        "Plaintext": Call::b64(secret.expose()),
        "EncryptionAlgorithm": name,
    }))
}

pub(super) fn decrypt(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "Decrypt",
        &[
            "CiphertextBlob",
            "EncryptionContext",
            "GrantTokens",
            "KeyId",
            "EncryptionAlgorithm",
            "DryRun",
        ],
    )?;
    let blob = call.blob("CiphertextBlob", 1, 6144)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"))?;
    let kid = call.str_opt("KeyId")?.map(str::to_string);
    // An RSA ciphertext names no key: Decrypt finds the key from KeyId.
    if let Some(k) = &kid {
        let r = call.resolve(k)?;
        if matches!(call.key(&r.id)?.spec, KeySpec::Pair(_)) {
            return rsa_decrypt(call, &r, &blob);
        }
    }
    let ec = call.context("EncryptionContext")?;
    check_algorithm(call, "EncryptionAlgorithm")?;
    let (key_id, secret) = open(
        call,
        &blob,
        kid.as_deref(),
        &ec,
        "kms:Decrypt",
        "Decrypt",
        &[],
    )?;
    Ok(json!({
        "KeyId": call.key_arn(&key_id),
        "Plaintext": Call::b64(secret.expose()),
        "EncryptionAlgorithm": ALGORITHM,
    }))
}

pub(super) fn re_encrypt(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "ReEncrypt",
        &[
            "CiphertextBlob",
            "SourceEncryptionContext",
            "SourceKeyId",
            "DestinationKeyId",
            "DestinationEncryptionContext",
            "SourceEncryptionAlgorithm",
            "DestinationEncryptionAlgorithm",
            "GrantTokens",
            "DryRun",
        ],
    )?;
    let blob = call.blob("CiphertextBlob", 1, 6144)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"))?;
    let dest_name = call.str_req("DestinationKeyId")?.to_string();
    let src_ec = call.context("SourceEncryptionContext")?;
    let dst_ec = call.context("DestinationEncryptionContext")?;
    check_algorithm(call, "SourceEncryptionAlgorithm")?;
    check_algorithm(call, "DestinationEncryptionAlgorithm")?;
    let src_param = call.str_opt("SourceKeyId")?.map(str::to_string);
    let dest = call.resolve(&dest_name)?;
    // kms:ReEncryptOnSameKey is known only once the source key is read from the blob.
    let same = blob_key_id(&blob).is_some_and(|k| k == dest.id);
    let same_flag = [("kms:ReEncryptOnSameKey", same.to_string())];
    let (src_id, secret) = open(
        call,
        &blob,
        src_param.as_deref(),
        &src_ec,
        "kms:ReEncryptFrom",
        "ReEncryptFrom",
        &same_flag,
    )?;
    let key = call.key(&dest.id)?;
    let mut ctx = call.key_context(key, dest.alias.as_deref(), Some(&dst_ec));
    ctx.insert_single("kms:EncryptionAlgorithm", ALGORITHM);
    ctx.insert_single("kms:ReEncryptOnSameKey", same.to_string());
    call.authorize_key(
        "kms:ReEncryptTo",
        Some("ReEncryptTo"),
        &dest.id,
        ctx,
        &dst_ec,
        Some("ReEncrypt"),
    )?;
    let out = seal(call, &dest.id, secret.expose(), &dst_ec)?;
    Ok(json!({
        "CiphertextBlob": Call::b64(&out),
        "SourceKeyId": call.key_arn(&src_id),
        "KeyId": call.key_arn(&dest.id),
        "SourceEncryptionAlgorithm": ALGORITHM,
        "DestinationEncryptionAlgorithm": ALGORITHM,
    }))
}

pub(super) fn generate_data_key(call: &mut Call<'_, '_, '_>, with_plaintext: bool) -> OpResult {
    let op = if with_plaintext {
        "GenerateDataKey"
    } else {
        "GenerateDataKeyWithoutPlaintext"
    };
    call.allow(
        op,
        &[
            "KeyId",
            "EncryptionContext",
            "NumberOfBytes",
            "KeySpec",
            "GrantTokens",
            "DryRun",
        ],
    )?;
    let key_id = call.str_req("KeyId")?.to_string();
    let ec = call.context("EncryptionContext")?;
    let len = match (call.str_opt("KeySpec")?, call.u64_opt("NumberOfBytes")?) {
        (Some(_), Some(_)) => return Err(KmsError::validation("Please specify either number of bytes or key spec.").into()),
        (None, None) => return Err(KmsError::validation("Please specify either number of bytes or key spec.").into()),
        (Some("AES_256"), None) => 32,
        (Some("AES_128"), None) => 16,
        (Some(s), None) => return Err(KmsError::validation(format!("1 validation error detected: Value '{s}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")).into()),
        (None, Some(n)) if (1..=1024).contains(&n) => usize::try_from(n).unwrap_or(32),
        (None, Some(n)) => return Err(KmsError::validation(format!("1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024")).into()),
    };
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), Some(&ec));
    ctx.insert_single("kms:EncryptionAlgorithm", ALGORITHM);
    call.authorize_key(&format!("kms:{op}"), Some(op), &r.id, ctx, &ec, None)?;
    let data_key = Secret::random(call.env.rng, len);
    let blob = seal(call, &r.id, data_key.expose(), &ec)?;
    let mut out = json!({ "CiphertextBlob": Call::b64(&blob), "KeyId": call.key_arn(&r.id) });
    if let (true, Value::Object(o)) = (with_plaintext, &mut out) {
        o.insert("Plaintext".into(), json!(Call::b64(data_key.expose())));
    }
    Ok(out)
}

pub(super) fn generate_random(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "GenerateRandom",
        &["NumberOfBytes", "CustomKeyStoreId", "Recipient"],
    )?;
    let n = call.u64_opt("NumberOfBytes")?.unwrap_or(0);
    if !(1..=1024).contains(&n) {
        return Err(KmsError::validation(format!("1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024")).into());
    }
    let store = call.str_opt("CustomKeyStoreId")?.map(str::to_string);
    let ctx = call.base_context();
    call.authorize_iam("kms:GenerateRandom", "*", ctx)?;
    if let Some(id) = store {
        // Random bytes from a CloudHSM key store's cluster: the store must exist and be
        // connected; an external key store cannot generate them.
        super::keystores::check_random_source(call, &id)?;
    }
    let bytes = Secret::random(call.env.rng, usize::try_from(n).unwrap_or(1));
    Ok(json!({ "Plaintext": Call::b64(bytes.expose()) }))
}
