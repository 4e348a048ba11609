//! Asymmetric keys: GetPublicKey, Sign, Verify, RSA Encrypt/Decrypt, and GenerateDataKeyPair
//! (data key pairs under a symmetric key) (symmetric-asymmetric.md, asymmetric-key-specs.md,
//! data-key-pairs).

use super::{Call, Failure, OpResult};
use crate::crypto::asym::{derive_with, draw_seed, KeyPair, OaepHash, PairSpec, SigningAlgorithm};
use crate::crypto::Secret;
use crate::kms::error::{ErrorCode, KmsError};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn internal(e: impl std::fmt::Display) -> Failure {
    KmsError::new(ErrorCode::KMSInternalException, e.to_string()).into()
}

/// The key's pair (derived now on its first use).
fn pair<'c>(call: &'c Call<'_, '_, '_>, id: &str) -> Result<&'c KeyPair, Failure> {
    let key = call.key(id)?;
    let lazy = key.pair.as_ref().ok_or_else(|| {
        KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!("{} is not an asymmetric key.", key.arn(call.env.partition)),
        )
    })?;
    if !lazy.is_derived() {
        call.charge_generation(&call.op, lazy.spec())?;
    }
    lazy.get(call.env.pairs).map_err(internal)
}

/// Resolves and authorizes `op` on the request's `KeyId` with extra context keys; the key id.
pub(super) fn authorize(
    call: &mut Call<'_, '_, '_>,
    op: &str,
    extra: &[(&str, &str)],
) -> Result<String, Failure> {
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    for (k, v) in extra {
        ctx.insert_single(k, *v);
    }
    call.authorize_key(
        &format!("kms:{op}"),
        Some(op),
        &r.id,
        ctx,
        &BTreeMap::new(),
        None,
    )?;
    Ok(r.id)
}

pub(super) fn get_public_key(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("GetPublicKey", &["KeyId", "GrantTokens"])?;
    let id = authorize(call, "GetPublicKey", &[])?;
    let der = pair(call, &id)?.public_key_der().map_err(internal)?;
    let key = call.key(&id)?;
    let mut out = json!({
        "KeyId": key.arn(call.env.partition),
        "PublicKey": Call::b64(&der),
        "CustomerMasterKeySpec": key.spec.as_str(),
        "KeySpec": key.spec.as_str(),
        "KeyUsage": key.usage.as_str(),
    });
    if let Value::Object(o) = &mut out {
        let enc = key.spec.encryption_algorithms(key.usage);
        if !enc.is_empty() {
            o.insert("EncryptionAlgorithms".into(), json!(enc));
        }
        let sig: Vec<&str> = key
            .spec
            .signing_algorithms(key.usage)
            .iter()
            .map(|a| a.as_str())
            .collect();
        if !sig.is_empty() {
            o.insert("SigningAlgorithms".into(), json!(sig));
        }
    }
    Ok(out)
}

/// `MessageType`: `RAW` (KMS hashes the message) or `DIGEST` (the message is the hash).
#[derive(Clone, Copy, PartialEq, Eq)]
enum MessageType {
    Raw,
    Digest,
}

impl MessageType {
    fn as_str(self) -> &'static str {
        match self {
            MessageType::Raw => "RAW",
            MessageType::Digest => "DIGEST",
        }
    }
}

/// The validated inputs of Sign and Verify: algorithm, message type and the digest to sign.
fn signing_inputs(
    call: &Call<'_, '_, '_>,
) -> Result<(SigningAlgorithm, MessageType, Vec<u8>), Failure> {
    let alg_s = call.str_req("SigningAlgorithm")?;
    let alg = SigningAlgorithm::parse(alg_s).ok_or_else(|| {
        KmsError::validation(format!(
            "1 validation error detected: Value '{alg_s}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            SigningAlgorithm::ALL.map(|a| a.as_str()).join(", ")
        ))
    })?;
    let mt = match call.str_opt("MessageType")? {
        None | Some("RAW") => MessageType::Raw,
        Some("DIGEST") => MessageType::Digest,
        Some(m) => return Err(KmsError::validation(format!("1 validation error detected: Value '{m}' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]")).into()),
    };
    let message = call.blob("Message", 1, 4096)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null"))?;
    let digest = match mt {
        MessageType::Raw => alg.hash().digest(&message),
        MessageType::Digest => {
            let want = alg.hash().output_len();
            if message.len() != want {
                return Err(KmsError::validation(format!(
                    "Digest is invalid length for algorithm {}: expected {want} bytes, found {}.",
                    alg.as_str(),
                    message.len()
                ))
                .into());
            }
            message
        }
    };
    Ok((alg, mt, digest))
}

/// The algorithm must be one the key's spec supports.
fn check_signing(call: &Call<'_, '_, '_>, id: &str, alg: SigningAlgorithm) -> Result<(), Failure> {
    let key = call.key(id)?;
    if key.spec.signing_algorithms(key.usage).contains(&alg) {
        return Ok(());
    }
    Err(KmsError::new(
        ErrorCode::InvalidKeyUsageException,
        format!(
            "The signing algorithm {} is not compatible with the key spec {}.",
            alg.as_str(),
            key.spec.as_str()
        ),
    )
    .into())
}

pub(super) fn sign(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "Sign",
        &[
            "KeyId",
            "Message",
            "MessageType",
            "SigningAlgorithm",
            "GrantTokens",
            "DryRun",
        ],
    )?;
    let (alg, mt, digest) = signing_inputs(call)?;
    let id = authorize(
        call,
        "Sign",
        &[
            ("kms:SigningAlgorithm", alg.as_str()),
            ("kms:MessageType", mt.as_str()),
        ],
    )?;
    check_signing(call, &id, alg)?;
    let p = pair(call, &id)?.clone();
    let sig = p.sign(alg, &digest, call.env.rng).map_err(internal)?;
    Ok(json!({
        "KeyId": call.key_arn(&id),
        "Signature": Call::b64(&sig),
        "SigningAlgorithm": alg.as_str(),
    }))
}

pub(super) fn verify(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "Verify",
        &[
            "KeyId",
            "Message",
            "MessageType",
            "Signature",
            "SigningAlgorithm",
            "GrantTokens",
            "DryRun",
        ],
    )?;
    let sig = call.blob("Signature", 1, 6144)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'signature' failed to satisfy constraint: Member must not be null"))?;
    let (alg, mt, digest) = signing_inputs(call)?;
    let id = authorize(
        call,
        "Verify",
        &[
            ("kms:SigningAlgorithm", alg.as_str()),
            ("kms:MessageType", mt.as_str()),
        ],
    )?;
    check_signing(call, &id, alg)?;
    if !pair(call, &id)?
        .verify(alg, &digest, &sig)
        .map_err(internal)?
    {
        return Err(KmsError::new(ErrorCode::KMSInvalidSignatureException, "").into());
    }
    Ok(json!({
        "KeyId": call.key_arn(&id),
        "SignatureValid": true,
        "SigningAlgorithm": alg.as_str(),
    }))
}

/// `RSAES_OAEP_SHA_1` / `RSAES_OAEP_SHA_256` for an RSA key; anything else is not
/// compatible with its spec.
pub(super) fn oaep_algorithm(
    call: &Call<'_, '_, '_>,
    id: &str,
    alg: Option<&str>,
) -> Result<(OaepHash, &'static str), Failure> {
    let key = call.key(id)?;
    match alg {
        Some("RSAES_OAEP_SHA_1") => Ok((OaepHash::Sha1, "RSAES_OAEP_SHA_1")),
        Some("RSAES_OAEP_SHA_256") => Ok((OaepHash::Sha256, "RSAES_OAEP_SHA_256")),
        Some(a) => Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!(
                "The encryption algorithm {a} is not compatible with the key spec {}.",
                key.spec.as_str()
            ),
        )
        .into()),
        None => Err(KmsError::validation(format!(
            "EncryptionAlgorithm is required for the asymmetric key {}",
            key.arn(call.env.partition)
        ))
        .into()),
    }
}

/// RSAES-OAEP encryption under an RSA key (the message limit depends on the modulus and hash:
/// 214/190 bytes for RSA_2048 with SHA-1/SHA-256, and so on).
pub(super) fn rsa_encrypt(
    call: &mut Call<'_, '_, '_>,
    id: &str,
    hash: OaepHash,
    plaintext: &[u8],
) -> Result<Vec<u8>, Failure> {
    let p = pair(call, id)?.clone();
    let hlen = match hash {
        OaepHash::Sha1 => 20,
        OaepHash::Sha256 => 32,
    };
    let max = p.modulus_len().saturating_sub(2 * hlen + 2);
    if plaintext.len() > max {
        return Err(KmsError::validation(format!(
            "Plaintext is too long for the key spec {} and this algorithm: at most {max} bytes, found {}.",
            p.spec().as_str(),
            plaintext.len()
        ))
        .into());
    }
    p.encrypt(hash, plaintext, call.env.rng).map_err(internal)
}

/// RSAES-OAEP decryption; any failure is `InvalidCiphertextException`.
pub(super) fn rsa_decrypt(
    call: &Call<'_, '_, '_>,
    id: &str,
    hash: OaepHash,
    ciphertext: &[u8],
) -> Result<Secret, Failure> {
    pair(call, id)?
        .decrypt(hash, ciphertext)
        .map_err(|_| KmsError::new(ErrorCode::InvalidCiphertextException, "").into())
}

pub(super) fn generate_data_key_pair(
    call: &mut Call<'_, '_, '_>,
    with_plaintext: bool,
) -> OpResult {
    let op = if with_plaintext {
        "GenerateDataKeyPair"
    } else {
        "GenerateDataKeyPairWithoutPlaintext"
    };
    call.allow(
        op,
        &[
            "KeyId",
            "KeyPairSpec",
            "EncryptionContext",
            "GrantTokens",
            "Recipient",
            "DryRun",
        ],
    )?;
    let spec_s = call.str_req("KeyPairSpec")?.to_string();
    let spec = PairSpec::parse(&spec_s).ok_or_else(|| {
        KmsError::validation(format!(
            "1 validation error detected: Value '{spec_s}' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            PairSpec::ALL.map(|p| p.as_str()).join(", ")
        ))
    })?;
    let ec = call.context("EncryptionContext")?;
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), Some(&ec));
    ctx.insert_single("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    ctx.insert_single("kms:DataKeyPairSpec", spec.as_str());
    call.authorize_key(&format!("kms:{op}"), Some(op), &r.id, ctx, &ec, None)?;
    call.charge_generation(op, spec)?;
    let seed = draw_seed(call.env.rng);
    let pair = derive_with(call.env.pairs, spec, &seed).map_err(internal)?;
    let private = pair.private_key_der().map_err(internal)?;
    let public = pair.public_key_der().map_err(internal)?;
    let blob = super::crypto_ops::seal(call, &r.id, private.expose(), &ec)?;
    let mut out = json!({
        "PrivateKeyCiphertextBlob": Call::b64(&blob),
        "PublicKey": Call::b64(&public),
        "KeyId": call.key_arn(&r.id),
        "KeyPairSpec": spec.as_str(),
    });
    if let (true, Value::Object(o)) = (with_plaintext, &mut out) {
        o.insert(
            "PrivateKeyPlaintext".into(),
            json!(Call::b64(private.expose())),
        );
    }
    Ok(out)
}
