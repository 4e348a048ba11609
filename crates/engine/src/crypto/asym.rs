//! Asymmetric key pairs: RSA (RustCrypto `rsa`) and ECDSA on NIST P-256, P-384 and secp256k1
//! (`p256`, `p384`, `k256`). Signing, verification, RSAES-OAEP and the DER encodings KMS
//! returns (SubjectPublicKeyInfo for GetPublicKey, PKCS #8 for GenerateDataKeyPair).
//!
//! Algorithms and their pairing with key specs follow "Asymmetric key specs" and "Signing
//! algorithms" in the AWS KMS developer guide (asymmetric-key-specs.md).
//!
//! RSA key generation is slow (seconds for RSA_4096 in a debug build), so a KMS key holds a
//! [`LazyPair`]: a seed drawn from the injected generator at creation and the pair derived from
//! it on first use. Runs stay byte-for-byte reproducible and keys that are never used for
//! cryptography cost nothing. Every other pair (an import's wrapping key, a data key pair) is
//! also derived from a seed, through an optional [`PairCache`] the caller injects, so a scenario
//! run again does not generate its RSA pairs again.

mod cache;

pub use cache::{derive_pair, derive_with, PairCache, PairSeed};

use crate::crypto::Secret;
use rand_core::{CryptoRng, Rng};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use rsa::{Oaep, Pkcs1v15Sign, PrivateKey, Pss, PublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::fmt;
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// What went wrong with an asymmetric operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AsymError {
    /// The algorithm does not go with the key (e.g. ECDSA on an RSA key).
    #[error("the algorithm `{0}` does not apply to this key")]
    WrongAlgorithm(&'static str),
    /// The digest is not as long as the algorithm's hash.
    #[error("a digest for `{alg}` must be {expected} bytes, found {found}")]
    DigestLength {
        /// The algorithm.
        alg: &'static str,
        /// The hash length.
        expected: usize,
        /// What was given.
        found: usize,
    },
    /// RSA or EC arithmetic or encoding failed (message too long, bad key, bad ciphertext).
    #[error("{0}")]
    Crypto(String),
    /// A public key that is not a DER SubjectPublicKeyInfo of a supported type.
    #[error("not a supported DER public key: {0}")]
    PublicKey(String),
}

/// The hash functions KMS's signing algorithms use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// Hashes `msg`.
    pub fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(msg).to_vec(),
            Hash::Sha384 => Sha384::digest(msg).to_vec(),
            Hash::Sha512 => Sha512::digest(msg).to_vec(),
        }
    }
}

/// The asymmetric key specs ("Asymmetric key specs"; ECC_NIST_P521 and SM2 are not simulated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairSpec {
    /// RSA, 2048-bit modulus.
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
    /// ECDSA on NIST P-256.
    EccNistP256,
    /// ECDSA on NIST P-384.
    EccNistP384,
    /// ECDSA on secp256k1.
    EccSecgP256k1,
}

impl PairSpec {
    /// Every spec, in AWS's order.
    pub const ALL: [PairSpec; 6] = [
        PairSpec::Rsa2048,
        PairSpec::Rsa3072,
        PairSpec::Rsa4096,
        PairSpec::EccNistP256,
        PairSpec::EccNistP384,
        PairSpec::EccSecgP256k1,
    ];

    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PairSpec::Rsa2048 => "RSA_2048",
            PairSpec::Rsa3072 => "RSA_3072",
            PairSpec::Rsa4096 => "RSA_4096",
            PairSpec::EccNistP256 => "ECC_NIST_P256",
            PairSpec::EccNistP384 => "ECC_NIST_P384",
            PairSpec::EccSecgP256k1 => "ECC_SECG_P256K1",
        }
    }

    /// What generating a pair of this spec costs, in RSA-2048 generations: about a quarter of
    /// a second each in wasm, an RSA_3072 pair about four, an RSA_4096 pair about ten (2 to 5 s;
    /// prime search time varies with the seed). ECC pairs cost next to nothing.
    pub fn generation_cost(self) -> u32 {
        match self {
            PairSpec::Rsa2048 => 1,
            PairSpec::Rsa3072 => 4,
            PairSpec::Rsa4096 => 10,
            PairSpec::EccNistP256 | PairSpec::EccNistP384 | PairSpec::EccSecgP256k1 => 0,
        }
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<PairSpec> {
        PairSpec::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether this is an RSA spec (the only ones that encrypt).
    pub fn is_rsa(self) -> bool {
        matches!(
            self,
            PairSpec::Rsa2048 | PairSpec::Rsa3072 | PairSpec::Rsa4096
        )
    }

    /// The signing algorithms a key of this spec supports.
    pub fn signing_algorithms(self) -> &'static [SigningAlgorithm] {
        use SigningAlgorithm::*;
        match self {
            PairSpec::Rsa2048 | PairSpec::Rsa3072 | PairSpec::Rsa4096 => &[
                RsassaPssSha256,
                RsassaPssSha384,
                RsassaPssSha512,
                RsassaPkcs1V15Sha256,
                RsassaPkcs1V15Sha384,
                RsassaPkcs1V15Sha512,
            ],
            PairSpec::EccNistP256 | PairSpec::EccSecgP256k1 => &[EcdsaSha256],
            PairSpec::EccNistP384 => &[EcdsaSha384],
        }
    }

    fn rsa_bits(self) -> Option<usize> {
        match self {
            PairSpec::Rsa2048 => Some(2048),
            PairSpec::Rsa3072 => Some(3072),
            PairSpec::Rsa4096 => Some(4096),
            _ => None,
        }
    }
}

/// KMS's signing algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum SigningAlgorithm {
    /// RSASSA-PSS, SHA-256, salt length 32.
    RsassaPssSha256,
    /// RSASSA-PSS, SHA-384, salt length 48.
    RsassaPssSha384,
    /// RSASSA-PSS, SHA-512, salt length 64.
    RsassaPssSha512,
    /// RSASSA-PKCS1-v1_5, SHA-256.
    RsassaPkcs1V15Sha256,
    /// RSASSA-PKCS1-v1_5, SHA-384.
    RsassaPkcs1V15Sha384,
    /// RSASSA-PKCS1-v1_5, SHA-512.
    RsassaPkcs1V15Sha512,
    /// ECDSA with SHA-256.
    EcdsaSha256,
    /// ECDSA with SHA-384.
    EcdsaSha384,
    /// ECDSA with SHA-512 (ECC_NIST_P521 only, which is not simulated).
    EcdsaSha512,
}

impl SigningAlgorithm {
    /// Every algorithm, in AWS's enum order.
    pub const ALL: [SigningAlgorithm; 9] = [
        SigningAlgorithm::RsassaPssSha256,
        SigningAlgorithm::RsassaPssSha384,
        SigningAlgorithm::RsassaPssSha512,
        SigningAlgorithm::RsassaPkcs1V15Sha256,
        SigningAlgorithm::RsassaPkcs1V15Sha384,
        SigningAlgorithm::RsassaPkcs1V15Sha512,
        SigningAlgorithm::EcdsaSha256,
        SigningAlgorithm::EcdsaSha384,
        SigningAlgorithm::EcdsaSha512,
    ];

    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        use SigningAlgorithm::*;
        match self {
            RsassaPssSha256 => "RSASSA_PSS_SHA_256",
            RsassaPssSha384 => "RSASSA_PSS_SHA_384",
            RsassaPssSha512 => "RSASSA_PSS_SHA_512",
            RsassaPkcs1V15Sha256 => "RSASSA_PKCS1_V1_5_SHA_256",
            RsassaPkcs1V15Sha384 => "RSASSA_PKCS1_V1_5_SHA_384",
            RsassaPkcs1V15Sha512 => "RSASSA_PKCS1_V1_5_SHA_512",
            EcdsaSha256 => "ECDSA_SHA_256",
            EcdsaSha384 => "ECDSA_SHA_384",
            EcdsaSha512 => "ECDSA_SHA_512",
        }
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<SigningAlgorithm> {
        SigningAlgorithm::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The hash the algorithm signs.
    pub fn hash(self) -> Hash {
        use SigningAlgorithm::*;
        match self {
            RsassaPssSha256 | RsassaPkcs1V15Sha256 | EcdsaSha256 => Hash::Sha256,
            RsassaPssSha384 | RsassaPkcs1V15Sha384 | EcdsaSha384 => Hash::Sha384,
            RsassaPssSha512 | RsassaPkcs1V15Sha512 | EcdsaSha512 => Hash::Sha512,
        }
    }
}

/// The hash of RSAES-OAEP (the MGF1 hash is the same, as in KMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

enum Inner {
    Rsa(Box<PrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    K256(k256::ecdsa::SigningKey),
}

/// A private key with its public half. `Debug` shows only the kind.
pub struct KeyPair {
    spec: PairSpec,
    inner: Inner,
}

impl Clone for KeyPair {
    fn clone(&self) -> Self {
        let inner = match &self.inner {
            Inner::Rsa(k) => Inner::Rsa(k.clone()),
            Inner::P256(k) => Inner::P256(k.clone()),
            Inner::P384(k) => Inner::P384(k.clone()),
            Inner::K256(k) => Inner::K256(k.clone()),
        };
        KeyPair {
            spec: self.spec,
            inner,
        }
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyPair({}, <private key redacted>)", self.spec.as_str())
    }
}

fn crypto_err(e: impl fmt::Display) -> AsymError {
    AsymError::Crypto(e.to_string())
}

impl KeyPair {
    /// A fresh pair of `spec` from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(
        spec: PairSpec,
        rng: &mut R,
    ) -> Result<KeyPair, AsymError> {
        use rsa::Generate as _;
        let inner = match spec.rsa_bits() {
            Some(bits) => Inner::Rsa(Box::new(PrivateKey::new(rng, bits).map_err(crypto_err)?)),
            None => match spec {
                PairSpec::EccNistP384 => {
                    Inner::P384(p384::ecdsa::SigningKey::generate_from_rng(rng))
                }
                PairSpec::EccSecgP256k1 => {
                    Inner::K256(k256::ecdsa::SigningKey::generate_from_rng(rng))
                }
                _ => Inner::P256(p256::ecdsa::SigningKey::generate_from_rng(rng)),
            },
        };
        Ok(KeyPair { spec, inner })
    }

    /// An RSA pair from its components (known-answer tests use published keys).
    pub fn from_rsa(key: PrivateKey) -> Result<KeyPair, AsymError> {
        let spec = match rsa::traits::PublicKeyParts::size(&key) * 8 {
            2048 => PairSpec::Rsa2048,
            3072 => PairSpec::Rsa3072,
            4096 => PairSpec::Rsa4096,
            n => {
                return Err(AsymError::Crypto(format!(
                    "an RSA modulus of {n} bits is not a KMS key spec"
                )))
            }
        };
        Ok(KeyPair {
            spec,
            inner: Inner::Rsa(Box::new(key)),
        })
    }

    /// A private key given as DER PKCS #8 (RSA, P-256, P-384 or secp256k1), as
    /// GenerateDataKeyPair returns it and OpenSSL writes it.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<KeyPair, AsymError> {
        use rsa::pkcs8::DecodePrivateKey;
        if let Ok(k) = PrivateKey::from_pkcs8_der(der) {
            return KeyPair::from_rsa(k);
        }
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Ok(KeyPair {
                spec: PairSpec::EccNistP256,
                inner: Inner::P256(k),
            });
        }
        if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Ok(KeyPair {
                spec: PairSpec::EccNistP384,
                inner: Inner::P384(k),
            });
        }
        k256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map(|k| KeyPair {
                spec: PairSpec::EccSecgP256k1,
                inner: Inner::K256(k),
            })
            .map_err(|e| AsymError::Crypto(format!("not a supported PKCS #8 private key: {e}")))
    }

    /// The key spec.
    pub fn spec(&self) -> PairSpec {
        self.spec
    }

    /// The RSA modulus length in bytes (0 for an elliptic-curve key).
    pub fn modulus_len(&self) -> usize {
        match &self.inner {
            Inner::Rsa(k) => rsa::traits::PublicKeyParts::size(k.as_ref()),
            _ => 0,
        }
    }

    /// The public key as a DER SubjectPublicKeyInfo (RFC 5280), as GetPublicKey returns it.
    pub fn public_key_der(&self) -> Result<Vec<u8>, AsymError> {
        let doc = match &self.inner {
            Inner::Rsa(k) => k.to_public_key().to_public_key_der(),
            Inner::P256(k) => k.verifying_key().to_public_key_der(),
            Inner::P384(k) => k.verifying_key().to_public_key_der(),
            Inner::K256(k) => k.verifying_key().to_public_key_der(),
        };
        Ok(doc.map_err(crypto_err)?.as_bytes().to_vec())
    }

    /// The private key as DER PKCS #8 (RFC 5208), as GenerateDataKeyPair returns it.
    pub fn private_key_der(&self) -> Result<Secret, AsymError> {
        let doc = match &self.inner {
            Inner::Rsa(k) => k.to_pkcs8_der(),
            Inner::P256(k) => k.to_pkcs8_der(),
            Inner::P384(k) => k.to_pkcs8_der(),
            Inner::K256(k) => k.to_pkcs8_der(),
        };
        Ok(Secret::new(doc.map_err(crypto_err)?.as_bytes().to_vec()))
    }

    /// Signs a digest computed with `alg`'s hash. ECDSA signatures are DER-encoded (as KMS
    /// returns them) and deterministic (RFC 6979); PSS draws its salt from `rng`.
    pub fn sign<R: CryptoRng + ?Sized>(
        &self,
        alg: SigningAlgorithm,
        digest: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, AsymError> {
        check_alg(self.spec, alg, digest)?;
        use SigningAlgorithm::*;
        match (&self.inner, alg) {
            (Inner::Rsa(k), RsassaPssSha256) => k.sign_with_rng(rng, Pss::<Sha256>::new(), digest),
            (Inner::Rsa(k), RsassaPssSha384) => k.sign_with_rng(rng, Pss::<Sha384>::new(), digest),
            (Inner::Rsa(k), RsassaPssSha512) => k.sign_with_rng(rng, Pss::<Sha512>::new(), digest),
            (Inner::Rsa(k), RsassaPkcs1V15Sha256) => k.sign(Pkcs1v15Sign::new::<Sha256>(), digest),
            (Inner::Rsa(k), RsassaPkcs1V15Sha384) => k.sign(Pkcs1v15Sign::new::<Sha384>(), digest),
            (Inner::Rsa(k), RsassaPkcs1V15Sha512) => k.sign(Pkcs1v15Sign::new::<Sha512>(), digest),
            (Inner::P256(k), _) => {
                let s: p256::ecdsa::DerSignature = k.sign_prehash(digest).map_err(crypto_err)?;
                return Ok(s.as_bytes().to_vec());
            }
            (Inner::P384(k), _) => {
                let s: p384::ecdsa::DerSignature = k.sign_prehash(digest).map_err(crypto_err)?;
                return Ok(s.as_bytes().to_vec());
            }
            (Inner::K256(k), _) => {
                let s: k256::ecdsa::DerSignature = k.sign_prehash(digest).map_err(crypto_err)?;
                return Ok(s.as_bytes().to_vec());
            }
            (Inner::Rsa(_), a) => return Err(AsymError::WrongAlgorithm(a.as_str())),
        }
        .map_err(crypto_err)
    }

    /// Verifies a signature over a digest. `Ok(false)` for a signature that does not verify
    /// (including one that is not even well-formed).
    pub fn verify(
        &self,
        alg: SigningAlgorithm,
        digest: &[u8],
        sig: &[u8],
    ) -> Result<bool, AsymError> {
        check_alg(self.spec, alg, digest)?;
        use SigningAlgorithm::*;
        Ok(match (&self.inner, alg) {
            (Inner::Rsa(k), RsassaPssSha256) => k
                .as_public_key()
                .verify(Pss::<Sha256>::new(), digest, sig)
                .is_ok(),
            (Inner::Rsa(k), RsassaPssSha384) => k
                .as_public_key()
                .verify(Pss::<Sha384>::new(), digest, sig)
                .is_ok(),
            (Inner::Rsa(k), RsassaPssSha512) => k
                .as_public_key()
                .verify(Pss::<Sha512>::new(), digest, sig)
                .is_ok(),
            (Inner::Rsa(k), RsassaPkcs1V15Sha256) => k
                .as_public_key()
                .verify(Pkcs1v15Sign::new::<Sha256>(), digest, sig)
                .is_ok(),
            (Inner::Rsa(k), RsassaPkcs1V15Sha384) => k
                .as_public_key()
                .verify(Pkcs1v15Sign::new::<Sha384>(), digest, sig)
                .is_ok(),
            (Inner::Rsa(k), RsassaPkcs1V15Sha512) => k
                .as_public_key()
                .verify(Pkcs1v15Sign::new::<Sha512>(), digest, sig)
                .is_ok(),
            (Inner::P256(k), _) => p256::ecdsa::DerSignature::from_bytes(sig)
                .is_ok_and(|s| k.verifying_key().verify_prehash(digest, &s).is_ok()),
            (Inner::P384(k), _) => p384::ecdsa::DerSignature::from_bytes(sig)
                .is_ok_and(|s| k.verifying_key().verify_prehash(digest, &s).is_ok()),
            (Inner::K256(k), _) => k256::ecdsa::DerSignature::from_bytes(sig)
                .is_ok_and(|s| k.verifying_key().verify_prehash(digest, &s).is_ok()),
            (Inner::Rsa(_), a) => return Err(AsymError::WrongAlgorithm(a.as_str())),
        })
    }

    /// RSAES-OAEP encryption with the public half.
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        hash: OaepHash,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, AsymError> {
        match &self.inner {
            Inner::Rsa(k) => oaep_encrypt(k.as_public_key(), hash, msg, rng),
            _ => Err(AsymError::WrongAlgorithm("RSAES_OAEP")),
        }
    }

    /// RSAES-OAEP decryption.
    pub fn decrypt(&self, hash: OaepHash, ciphertext: &[u8]) -> Result<Secret, AsymError> {
        let Inner::Rsa(k) = &self.inner else {
            return Err(AsymError::WrongAlgorithm("RSAES_OAEP"));
        };
        let out = match hash {
            OaepHash::Sha1 => k.decrypt(Oaep::<sha1::Sha1>::new(), ciphertext),
            OaepHash::Sha256 => k.decrypt(Oaep::<Sha256>::new(), ciphertext),
        };
        out.map(Secret::new).map_err(crypto_err)
    }
}

fn check_alg(spec: PairSpec, alg: SigningAlgorithm, digest: &[u8]) -> Result<(), AsymError> {
    if !spec.signing_algorithms().contains(&alg) {
        return Err(AsymError::WrongAlgorithm(alg.as_str()));
    }
    if digest.len() != alg.hash().output_len() {
        return Err(AsymError::DigestLength {
            alg: alg.as_str(),
            expected: alg.hash().output_len(),
            found: digest.len(),
        });
    }
    Ok(())
}

fn oaep_encrypt<R: CryptoRng + ?Sized>(
    key: &PublicKey,
    hash: OaepHash,
    msg: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, AsymError> {
    match hash {
        OaepHash::Sha1 => key.encrypt(rng, Oaep::<sha1::Sha1>::new(), msg),
        OaepHash::Sha256 => key.encrypt(rng, Oaep::<Sha256>::new(), msg),
    }
    .map_err(crypto_err)
}

/// RSAES-OAEP encryption under a DER SubjectPublicKeyInfo RSA public key (what a KMS user does
/// with the public key of GetParametersForImport or GetPublicKey).
pub fn oaep_encrypt_der<R: CryptoRng + ?Sized>(
    public_der: &[u8],
    hash: OaepHash,
    msg: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, AsymError> {
    use rsa::pkcs8::DecodePublicKey;
    let key = PublicKey::from_public_key_der(public_der)
        .map_err(|e| AsymError::PublicKey(e.to_string()))?;
    oaep_encrypt(&key, hash, msg, rng)
}

/// A seed for [`derive_pair`], drawn from `rng` (always 32 bytes, so what the run draws after
/// it does not depend on how long a prime search took).
pub fn draw_seed<R: Rng + ?Sized>(rng: &mut R) -> PairSeed {
    let mut seed = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(seed.as_mut());
    seed
}

/// A key pair derived on first use from a seed drawn at creation (see the module docs).
pub struct LazyPair {
    spec: PairSpec,
    seed: PairSeed,
    cell: OnceLock<Result<KeyPair, AsymError>>,
}

impl LazyPair {
    /// Draws the seed from `rng`; the pair itself is not generated yet.
    pub fn new<R: Rng + ?Sized>(spec: PairSpec, rng: &mut R) -> LazyPair {
        LazyPair {
            spec,
            seed: draw_seed(rng),
            cell: OnceLock::new(),
        }
    }

    /// The key spec.
    pub fn spec(&self) -> PairSpec {
        self.spec
    }

    /// Whether the pair has been derived already (using it costs no generation).
    pub fn is_derived(&self) -> bool {
        self.cell.get().is_some()
    }

    /// The pair, derived now (through `cache` when there is one) if this is its first use.
    pub fn get(&self, cache: Option<&PairCache>) -> Result<&KeyPair, AsymError> {
        self.cell
            .get_or_init(|| derive_with(cache, self.spec, &self.seed))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Clone for LazyPair {
    fn clone(&self) -> Self {
        LazyPair {
            spec: self.spec,
            seed: self.seed.clone(),
            cell: self.cell.clone(),
        }
    }
}

impl fmt::Debug for LazyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LazyPair({}, <seed redacted>)", self.spec.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn lazy_pairs_are_reproducible_and_shareable() {
        assert_send_sync::<LazyPair>();
        let mut a = ChaCha20Rng::seed_from_u64(5);
        let mut b = ChaCha20Rng::seed_from_u64(5);
        let (x, y) = (
            LazyPair::new(PairSpec::EccNistP256, &mut a),
            LazyPair::new(PairSpec::EccNistP256, &mut b),
        );
        let cache = PairCache::default();
        let der = x.get(None).unwrap().public_key_der().unwrap();
        assert_eq!(der, y.get(Some(&cache)).unwrap().public_key_der().unwrap());
        // A clone made after first use shares the derived pair; one made before derives it
        // again, identically.
        assert_eq!(x.clone().get(None).unwrap().public_key_der().unwrap(), der);
        assert!(format!("{x:?}").contains("redacted"));
    }

    #[test]
    fn rsa_signatures_round_trip_and_reject_other_messages() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let pair = KeyPair::generate(PairSpec::Rsa2048, &mut rng).unwrap();
        for alg in PairSpec::Rsa2048.signing_algorithms() {
            let d = alg.hash().digest(b"m");
            let sig = pair.sign(*alg, &d, &mut rng).unwrap();
            assert!(pair.verify(*alg, &d, &sig).unwrap(), "{}", alg.as_str());
            assert!(!pair.verify(*alg, &alg.hash().digest(b"n"), &sig).unwrap());
        }
        assert!(pair
            .sign(SigningAlgorithm::EcdsaSha256, &[0; 32], &mut rng)
            .is_err());
        let ct = pair.encrypt(OaepHash::Sha256, b"secret", &mut rng).unwrap();
        assert_eq!(
            pair.decrypt(OaepHash::Sha256, &ct).unwrap().expose(),
            b"secret"
        );
        let ecc = KeyPair::generate(PairSpec::EccNistP384, &mut rng).unwrap();
        assert!(ecc.encrypt(OaepHash::Sha1, b"x", &mut rng).is_err());
        let back = KeyPair::from_pkcs8_der(pair.private_key_der().unwrap().expose()).unwrap();
        assert_eq!(
            back.public_key_der().unwrap(),
            pair.public_key_der().unwrap()
        );
    }
}
