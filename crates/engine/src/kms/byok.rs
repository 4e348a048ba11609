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
    fn same_material_only() {
        let mut s = ImportState::default();
        assert!(s.accept(&[1; 32]));
        assert!(s.accept(&[1; 32]));
        assert!(!s.accept(&[2; 32]));
    }
}
