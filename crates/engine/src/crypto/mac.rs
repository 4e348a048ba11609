//! HMAC (RFC 2104) with SHA-224/256/384/512 for KMS HMAC keys (hmac-key-concepts.md: the key
//! spec HMAC_N takes a key of N bits and the algorithm HMAC_SHA_N; tags are N bits).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha224, Sha256, Sha384, Sha512};

/// The MAC algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacAlgorithm {
    /// HMAC with SHA-224.
    HmacSha224,
    /// HMAC with SHA-256.
    HmacSha256,
    /// HMAC with SHA-384.
    HmacSha384,
    /// HMAC with SHA-512.
    HmacSha512,
}

impl MacAlgorithm {
    /// Every algorithm.
    pub const ALL: [MacAlgorithm; 4] = [
        MacAlgorithm::HmacSha224,
        MacAlgorithm::HmacSha256,
        MacAlgorithm::HmacSha384,
        MacAlgorithm::HmacSha512,
    ];

    /// The name AWS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            MacAlgorithm::HmacSha224 => "HMAC_SHA_224",
            MacAlgorithm::HmacSha256 => "HMAC_SHA_256",
            MacAlgorithm::HmacSha384 => "HMAC_SHA_384",
            MacAlgorithm::HmacSha512 => "HMAC_SHA_512",
        }
    }

    /// Parses an AWS name.
    pub fn parse(s: &str) -> Option<MacAlgorithm> {
        MacAlgorithm::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The key length of the matching key spec, in bytes (also the tag length).
    pub fn key_len(self) -> usize {
        match self {
            MacAlgorithm::HmacSha224 => 28,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
            MacAlgorithm::HmacSha512 => 64,
        }
    }
}

fn compute<M: Mac + KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so `new_from_slice` cannot fail; the fallback is the
    // empty-key MAC, which is never reached.
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The tag of `msg` under `key`.
pub fn mac(alg: MacAlgorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    match alg {
        MacAlgorithm::HmacSha224 => compute::<Hmac<Sha224>>(key, msg),
        MacAlgorithm::HmacSha256 => compute::<Hmac<Sha256>>(key, msg),
        MacAlgorithm::HmacSha384 => compute::<Hmac<Sha384>>(key, msg),
        MacAlgorithm::HmacSha512 => compute::<Hmac<Sha512>>(key, msg),
    }
}

fn check<M: Mac + KeyInit>(key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    <M as KeyInit>::new_from_slice(key).is_ok_and(|mut m| {
        m.update(msg);
        m.verify_slice(tag).is_ok()
    })
}

/// Whether `tag` is the tag of `msg` under `key`, compared in constant time.
pub fn verify(alg: MacAlgorithm, key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    match alg {
        MacAlgorithm::HmacSha224 => check::<Hmac<Sha224>>(key, msg, tag),
        MacAlgorithm::HmacSha256 => check::<Hmac<Sha256>>(key, msg, tag),
        MacAlgorithm::HmacSha384 => check::<Hmac<Sha384>>(key, msg, tag),
        MacAlgorithm::HmacSha512 => check::<Hmac<Sha512>>(key, msg, tag),
    }
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

    /// RFC 4231 test cases 1 and 2.
    #[test]
    fn rfc4231() {
        let key = vec![0x0b; 20];
        let msg = b"Hi There";
        assert_eq!(
            mac(MacAlgorithm::HmacSha224, &key, msg),
            hex("896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22")
        );
        assert_eq!(
            mac(MacAlgorithm::HmacSha256, &key, msg),
            hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        );
        assert_eq!(mac(MacAlgorithm::HmacSha384, &key, msg), hex("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"));
        assert_eq!(mac(MacAlgorithm::HmacSha512, &key, msg), hex("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"));
        let t = mac(
            MacAlgorithm::HmacSha256,
            b"Jefe",
            b"what do ya want for nothing?",
        );
        assert_eq!(
            t,
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        assert!(verify(
            MacAlgorithm::HmacSha256,
            b"Jefe",
            b"what do ya want for nothing?",
            &t
        ));
        assert!(!verify(
            MacAlgorithm::HmacSha256,
            b"Jeff",
            b"what do ya want for nothing?",
            &t
        ));
        assert!(!verify(
            MacAlgorithm::HmacSha384,
            b"Jefe",
            b"what do ya want for nothing?",
            &t
        ));
    }
}
