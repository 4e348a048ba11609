//! Imported key material (BYOK): the per-key import state, the material's identity (a key
//! accepts only the material it first received) and expiry, and [`wrap_key_material`], the
//! step a user does outside KMS (importing-keys.md, importing-keys-get-public-key-and-token.md,
//! importing-keys-encrypt-key-material.md, importing-keys-import-key-material.md).

use crate::crypto::asym::{KeyPair, PairSpec};
use crate::crypto::wrap::{self, WrapError, WrappingAlgorithm};
use crate::time::{Duration, Instant};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};

/// Import tokens and public keys are valid for 24 hours ("Download the wrapping public key
/// and import token": "valid for 24 hours").
pub const IMPORT_PARAMETERS_LIFETIME: Duration = Duration(24 * 3600 * 1000);

/// `ExpirationModel` of ImportKeyMaterial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpirationModel {
    /// `KEY_MATERIAL_EXPIRES`: deleted at `ValidTo`.
    Expires,
    /// `KEY_MATERIAL_DOES_NOT_EXPIRE`.
    DoesNotExpire,
}

impl ExpirationModel {
    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpirationModel::Expires => "KEY_MATERIAL_EXPIRES",
            ExpirationModel::DoesNotExpire => "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<ExpirationModel> {
        [ExpirationModel::Expires, ExpirationModel::DoesNotExpire]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The wrapping key specs of GetParametersForImport.
pub const WRAPPING_KEY_SPECS: [PairSpec; 3] =
    [PairSpec::Rsa2048, PairSpec::Rsa3072, PairSpec::Rsa4096];

/// The answer of the latest GetParametersForImport: the wrapping key pair and the token that
/// names it. AWS accepts only the public key and token of the same response.
#[derive(Debug, Clone)]
pub struct ImportParameters {
    /// The import token (opaque to the user).
    pub token: Vec<u8>,
    /// The wrapping key pair; its public half was returned.
    pub wrapping: KeyPair,
    /// The algorithm the material must be wrapped with.
    pub algorithm: WrappingAlgorithm,
    /// When the token and public key expire.
    pub valid_to: Instant,
}

/// A key's import state (origin `EXTERNAL` only).
#[derive(Debug, Clone, Default)]
pub struct ImportState {
    /// The latest import parameters.
    pub parameters: Option<ImportParameters>,
    /// SHA-256 of the material first imported: later imports must bring the same material
    /// ("Reimport key material": "you must reimport the same key material").
    pub fingerprint: Option<[u8; 32]>,
    /// The expiration model of the current material.
    pub expiration: Option<ExpirationModel>,
    /// When the current material expires.
    pub valid_to: Option<Instant>,
}

impl ImportState {
    /// Whether material imported now has the identity the key requires; records it on first
    /// import.
    pub fn accept(&mut self, material: &[u8]) -> bool {
        let fp: [u8; 32] = Sha256::digest(material).into();
        match self.fingerprint {
            Some(prev) => prev == fp,
            None => {
                self.fingerprint = Some(fp);
                true
            }
        }
    }
}

/// Wraps `material` under the wrapping public key of GetParametersForImport (base64-decoded
/// DER SubjectPublicKeyInfo) with `algorithm`, as a user does with OpenSSL before calling
/// ImportKeyMaterial. `rng` supplies OAEP's seed and the AES key of the RSA_AES_KEY_WRAP
/// algorithms.
pub fn wrap_key_material<R: CryptoRng + ?Sized>(
    public_key_der: &[u8],
    algorithm: WrappingAlgorithm,
    material: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, WrapError> {
    wrap::wrap(public_key_der, algorithm, material, rng)
}

/// Why the app's wrapping helper could not wrap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ByokError {
    /// A field that must be base64 is not.
    #[error("`{field}` is not valid base64: {reason}")]
    Base64 {
        /// Which field.
        field: &'static str,
        /// The decoder's complaint.
        reason: String,
    },
    /// Not one of the wrapping algorithms.
    #[error("`{0}` is not a wrapping algorithm (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256)")]
    Algorithm(String),
    /// The material is empty.
    #[error("the key material is empty")]
    NoMaterial,
    /// The public key or the wrapping failed.
    #[error("{0}")]
    Wrap(#[from] WrapError),
}

fn b64(field: &'static str, s: &str) -> Result<Vec<u8>, ByokError> {
    // Pasted from a terminal, base64 often comes wrapped over several lines.
    crate::b64::decode_wrapped(s).map_err(|reason| ByokError::Base64 { field, reason })
}

/// Key material as the helper's material field shows it (base64), e.g. bytes the browser drew.
pub fn encode_material(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The app's "wrap this key material in the browser" helper: the `PublicKey` of a
/// GetParametersForImport output (base64), an algorithm name and the material (base64) in, the
/// base64 `EncryptedKeyMaterial` for ImportKeyMaterial out. `seed` (from the browser's
/// generator) seeds OAEP and the ephemeral AES key.
pub fn wrap_for_import(
    public_key_b64: &str,
    algorithm: &str,
    material_b64: &str,
    seed: [u8; 32],
) -> Result<String, ByokError> {
    use base64::Engine as _;
    use rand_core::SeedableRng;
    let alg = WrappingAlgorithm::parse(algorithm.trim())
        .ok_or_else(|| ByokError::Algorithm(algorithm.to_string()))?;
    let public = b64("PublicKey", public_key_b64)?;
    let material = zeroize::Zeroizing::new(b64("material", material_b64)?);
    if material.is_empty() {
        return Err(ByokError::NoMaterial);
    }
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
    let wrapped = wrap_key_material(&public, alg, &material, &mut rng)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(wrapped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn wrap_unwrap_every_algorithm() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let pair = KeyPair::generate(PairSpec::Rsa2048, &mut rng).unwrap();
        let der = pair.public_key_der().unwrap();
        let material = [42u8; 32];
        for alg in WrappingAlgorithm::ALL {
            let w = wrap_key_material(&der, alg, &material, &mut rng).unwrap();
            let expected_len = if alg.as_str().starts_with("RSA_AES") {
                256 + 40
            } else {
                256
            };
            assert_eq!(w.len(), expected_len, "{}", alg.as_str());
            assert_eq!(wrap::unwrap(&pair, alg, &w).unwrap().expose(), &material);
            let mut bad = w.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(wrap::unwrap(&pair, alg, &bad).is_err());
        }
        assert!(wrap_key_material(
            b"not der",
            WrappingAlgorithm::RsaesOaepSha256,
            &material,
            &mut rng
        )
        .is_err());
    }

    #[test]
    fn app_helper_wraps_what_import_unwraps() {
        use base64::Engine as _;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let pair = KeyPair::generate(PairSpec::Rsa2048, &mut rng).unwrap();
        let b = base64::engine::general_purpose::STANDARD;
        let public = b.encode(pair.public_key_der().unwrap());
        let material = b.encode([9u8; 32]);
        let out = wrap_for_import(&public, "RSA_AES_KEY_WRAP_SHA_1", &material, [1; 32]).unwrap();
        let wrapped = b.decode(out).unwrap();
        let back = wrap::unwrap(&pair, WrappingAlgorithm::RsaAesKeyWrapSha1, &wrapped).unwrap();
        assert_eq!(back.expose(), &[9u8; 32]);
        assert!(matches!(
            wrap_for_import(&public, "RSA_OAEP", &material, [1; 32]),
            Err(ByokError::Algorithm(_))
        ));
        assert!(matches!(
            wrap_for_import("%%", "RSAES_OAEP_SHA_1", &material, [1; 32]),
            Err(ByokError::Base64 {
                field: "PublicKey",
                ..
            })
        ));
        assert!(matches!(
            wrap_for_import(&material, "RSAES_OAEP_SHA_1", &material, [1; 32]),
            Err(ByokError::Wrap(_))
        ));
        assert_eq!(
            wrap_for_import(&public, "RSAES_OAEP_SHA_1", "", [1; 32]),
            Err(ByokError::NoMaterial)
        );
    }

    #[test]
    fn same_material_only() {
        let mut s = ImportState::default();
        assert!(s.accept(&[1; 32]));
        assert!(s.accept(&[1; 32]));
        assert!(!s.accept(&[2; 32]));
    }
}
