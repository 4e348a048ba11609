//! GenerateMac and VerifyMac on HMAC keys (hmac.md, hmac-key-concepts.md).

use super::{Call, Failure, OpResult};
use crate::crypto::mac::{self, MacAlgorithm};
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::KeySpec;
use serde_json::json;

fn algorithm(call: &Call<'_, '_, '_>) -> Result<MacAlgorithm, Failure> {
    let s = call.str_req("MacAlgorithm")?;
    MacAlgorithm::parse(s).ok_or_else(|| {
        KmsError::validation(format!(
            "1 validation error detected: Value '{s}' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_224, HMAC_SHA_256, HMAC_SHA_384, HMAC_SHA_512]"
        ))
        .into()
    })
}

/// Validates, authorizes `op` with `kms:MacAlgorithm`, and returns the key id and HMAC key.
fn prepare(
    call: &mut Call<'_, '_, '_>,
    op: &str,
) -> Result<(String, MacAlgorithm, Vec<u8>, crate::crypto::Secret), Failure> {
    let alg = algorithm(call)?;
    let message = call.blob("Message", 1, 4096)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null"))?;
    let id = super::asym_ops::authorize(call, op, &[("kms:MacAlgorithm", alg.as_str())])?;
    let key = call.key(&id)?;
    // The algorithm must be the one of the key spec (HMAC_256 takes HMAC_SHA_256 only).
    if key.spec != KeySpec::Hmac(alg) {
        return Err(KmsError::new(
            ErrorCode::InvalidKeyUsageException,
            format!(
                "The MAC algorithm {} is not compatible with the key spec {}.",
                alg.as_str(),
                key.spec.as_str()
            ),
        )
        .into());
    }
    let secret = key.hmac_key.clone().ok_or_else(|| {
        KmsError::new(
            ErrorCode::KMSInvalidStateException,
            format!("{} is pending import.", key.arn(call.env.partition)),
        )
    })?;
    Ok((id, alg, message, secret))
}

pub(super) fn generate_mac(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "GenerateMac",
        &["KeyId", "Message", "MacAlgorithm", "GrantTokens", "DryRun"],
    )?;
    let (id, alg, message, key) = prepare(call, "GenerateMac")?;
    let tag = mac::mac(alg, key.expose(), &message);
    Ok(json!({
        "Mac": Call::b64(&tag),
        "MacAlgorithm": alg.as_str(),
        "KeyId": call.key_arn(&id),
    }))
}

pub(super) fn verify_mac(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "VerifyMac",
        &[
            "KeyId",
            "Message",
            "MacAlgorithm",
            "Mac",
            "GrantTokens",
            "DryRun",
        ],
    )?;
    let tag = call.blob("Mac", 1, 6144)?.ok_or_else(|| KmsError::validation("1 validation error detected: Value null at 'mac' failed to satisfy constraint: Member must not be null"))?;
    let (id, alg, message, key) = prepare(call, "VerifyMac")?;
    if !mac::verify(alg, key.expose(), &message, &tag) {
        return Err(KmsError::new(ErrorCode::KMSInvalidMacException, "").into());
    }
    Ok(json!({
        "KeyId": call.key_arn(&id),
        "MacValid": true,
        "MacAlgorithm": alg.as_str(),
    }))
}
