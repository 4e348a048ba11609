//! Wrapping key material for import (BYOK), as "Importing key material: step 3, encrypt the key
//! material" (importing-keys-encrypt-key-material.md) describes:
//!
//! - `RSAES_OAEP_SHA_1` / `RSAES_OAEP_SHA_256`: the material encrypted with RSAES-OAEP under the
//!   wrapping public key (MGF1 with the same hash).
//! - `RSA_AES_KEY_WRAP_SHA_1` / `RSA_AES_KEY_WRAP_SHA_256`: a fresh 256-bit AES key encrypted
//!   with RSAES-OAEP, followed by the material wrapped under that AES key with AES key wrap with
//!   padding (RFC 5649). The RSA part is as long as the wrapping key's modulus.

use crate::crypto::asym::{self, AsymError, KeyPair, OaepHash};
use crate::crypto::Secret;
use aes_kw::{AesKwp, KeyInit};
use rand_core::CryptoRng;

/// The wrapping algorithms of GetParametersForImport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrappingAlgorithm {
    /// RSAES-OAEP with SHA-1.
    RsaesOaepSha1,
    /// RSAES-OAEP with SHA-256.
    RsaesOaepSha256,
    /// RSA-OAEP-SHA-1 of an AES key, then AES-KWP of the material.
    RsaAesKeyWrapSha1,
    /// RSA-OAEP-SHA-256 of an AES key, then AES-KWP of the material.
    RsaAesKeyWrapSha256,
}

impl WrappingAlgorithm {
    /// Every algorithm kmslab simulates (`RSAES_PKCS1_V1_5` is no longer accepted by AWS and
    /// SM2PKE is China Regions only).
    pub const ALL: [WrappingAlgorithm; 4] = [
        WrappingAlgorithm::RsaesOaepSha1,
        WrappingAlgorithm::RsaesOaepSha256,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
    ];

    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            WrappingAlgorithm::RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
            WrappingAlgorithm::RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
            WrappingAlgorithm::RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
            WrappingAlgorithm::RsaAesKeyWrapSha256 => "RSA_AES_KEY_WRAP_SHA_256",
        }
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<WrappingAlgorithm> {
        WrappingAlgorithm::ALL.into_iter().find(|a| a.as_str() == s)
    }

    fn oaep(self) -> OaepHash {
        match self {
            WrappingAlgorithm::RsaesOaepSha1 | WrappingAlgorithm::RsaAesKeyWrapSha1 => {
                OaepHash::Sha1
            }
            _ => OaepHash::Sha256,
        }
    }

    fn two_layer(self) -> bool {
        matches!(
            self,
            WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256
        )
    }
}

/// Why wrapping or unwrapping failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WrapError {
    /// The RSA layer failed (bad public key, material too long for OAEP, wrong private key).
    #[error("{0}")]
    Rsa(#[from] AsymError),
    /// The AES key wrap layer failed (integrity check, bad length).
    #[error("aes key wrap failed: {0}")]
    KeyWrap(String),
    /// The wrapped material is shorter than the RSA part.
    #[error("the wrapped material is too short for a {0}-byte RSA part")]
    TooShort(usize),
}

fn kwp_wrap(kek: &[u8; 32], material: &[u8]) -> Result<Vec<u8>, WrapError> {
    let kw = AesKwp::<aes_kw::aes::Aes256>::new(kek.into());
    let mut buf = vec![0u8; material.len().div_ceil(8) * 8 + 8];
    let n = kw
        .wrap_key(material, &mut buf)
        .map_err(|e| WrapError::KeyWrap(e.to_string()))?
        .len();
    buf.truncate(n);
    Ok(buf)
}

fn kwp_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Secret, WrapError> {
    let kek: &[u8; 32] = kek
        .try_into()
        .map_err(|_| WrapError::KeyWrap("the aes key is not 32 bytes".into()))?;
    let kw = AesKwp::<aes_kw::aes::Aes256>::new(kek.into());
    let mut buf = vec![0u8; wrapped.len()];
    let n = kw
        .unwrap_key(wrapped, &mut buf)
        .map_err(|e| WrapError::KeyWrap(e.to_string()))?
        .len();
    buf.truncate(n);
    Ok(Secret::new(buf))
}

/// Wraps `material` for import under the wrapping public key (DER SubjectPublicKeyInfo, as
/// GetParametersForImport returns it). What a KMS user does with OpenSSL, in the engine so the
/// app can offer it in the browser.
pub fn wrap<R: CryptoRng + ?Sized>(
    public_der: &[u8],
    alg: WrappingAlgorithm,
    material: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, WrapError> {
    if !alg.two_layer() {
        return Ok(asym::oaep_encrypt_der(
            public_der,
            alg.oaep(),
            material,
            rng,
        )?);
    }
    let mut kek = zeroize::Zeroizing::new([0u8; 32]);
    rng.fill_bytes(kek.as_mut());
    let mut out = asym::oaep_encrypt_der(public_der, alg.oaep(), kek.as_ref(), rng)?;
    out.extend_from_slice(&kwp_wrap(&kek, material)?);
    Ok(out)
}

/// Unwraps imported material with the wrapping private key.
pub fn unwrap(pair: &KeyPair, alg: WrappingAlgorithm, wrapped: &[u8]) -> Result<Secret, WrapError> {
    if !alg.two_layer() {
        return Ok(pair.decrypt(alg.oaep(), wrapped)?);
    }
    let rsa_len = pair.modulus_len();
    let (rsa_part, kw_part) = (wrapped.get(..rsa_len), wrapped.get(rsa_len..));
    let (Some(rsa_part), Some(kw_part)) = (rsa_part, kw_part) else {
        return Err(WrapError::TooShort(rsa_len));
    };
    let kek = pair.decrypt(alg.oaep(), rsa_part)?;
    kwp_unwrap(kek.expose(), kw_part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 5649 section 6, both examples (the 192-bit KEK), and RFC 3394 4.6 (256-bit KEK
    /// wrapping 256 bits) through the non-padding mode.
    #[test]
    fn rfc5649_and_rfc3394_vectors() {
        let kek = hex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
        let kw = AesKwp::<aes_kw::aes::Aes192>::new(kek.as_slice().try_into().unwrap());
        let mut buf = [0u8; 32];
        let out = kw
            .wrap_key(&hex("c37b7e6492584340bed12207808941155068f738"), &mut buf)
            .unwrap();
        assert_eq!(
            out,
            hex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a")
        );
        let mut buf = [0u8; 16];
        let out = kw.wrap_key(&hex("466f7250617369"), &mut buf).unwrap();
        assert_eq!(out, hex("afbeb0f07dfbf5419200f2ccb50bb24f"));

        let kek = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let kw = aes_kw::KwAes256::new(kek.as_slice().try_into().unwrap());
        let mut buf = [0u8; 40];
        let out = kw
            .wrap_key(
                &hex("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f"),
                &mut buf,
            )
            .unwrap();
        assert_eq!(
            out,
            hex("28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21")
        );
    }

    #[test]
    fn kwp_round_trip_and_tamper() {
        let kek = [7u8; 32];
        let w = kwp_wrap(&kek, &[1u8; 32]).unwrap();
        assert_eq!(w.len(), 40);
        assert_eq!(kwp_unwrap(&kek, &w).unwrap().expose(), &[1u8; 32]);
        let mut t = w.clone();
        t[5] ^= 1;
        assert!(kwp_unwrap(&kek, &t).is_err());
    }
}
