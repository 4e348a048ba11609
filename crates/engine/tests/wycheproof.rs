//! All 316 Wycheproof AES-GCM vectors (`../shared/vectors/wycheproof_aes_gcm_test.json`)
//! against the AES-GCM implementation the crypto core is built on, and the 96-bit-nonce,
//! 256-bit-key vectors through the core's own types.
//!
//! Wycheproof marks a vector `valid` (must decrypt to `msg`, and encrypt to `ct ‖ tag`) or
//! `invalid` (must be rejected). The invalid ones here are modified tags/ciphertexts and
//! zero-length nonces, which GCM forbids (NIST SP 800-38D section 5.2.1.1).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use aes_gcm::aead::array::ArraySize;
use aes_gcm::aead::consts::{U1, U10, U12, U128, U15, U16, U2, U20, U257, U32, U4, U6, U64, U8};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::{Aes128, Aes192, Aes256};
use aes_gcm::{AesGcm, Nonce};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Vector {
    id: u64,
    key: Vec<u8>,
    iv: Vec<u8>,
    aad: Vec<u8>,
    msg: Vec<u8>,
    ct_tag: Vec<u8>,
    valid: bool,
}

fn vectors() -> (u64, Vec<Vector>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/wycheproof_aes_gcm_test.json"
    );
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(path).expect("the Wycheproof vectors are in ../shared/vectors"),
    )
    .unwrap();
    let mut out = Vec::new();
    for g in doc["testGroups"].as_array().unwrap() {
        for t in g["tests"].as_array().unwrap() {
            let s = |k: &str| hex(t[k].as_str().unwrap());
            let mut ct_tag = s("ct");
            ct_tag.extend(s("tag"));
            out.push(Vector {
                id: t["tcId"].as_u64().unwrap(),
                key: s("key"),
                iv: s("iv"),
                aad: s("aad"),
                msg: s("msg"),
                ct_tag,
                valid: t["result"] == "valid",
            });
        }
    }
    (doc["numberOfTests"].as_u64().unwrap(), out)
}

macro_rules! run_sizes {
    ($aes:ty, $v:expr) => {{
        let v: &Vector = $v;
        match v.iv.len() {
            1 => run::<$aes, U1>(v),
            2 => run::<$aes, U2>(v),
            4 => run::<$aes, U4>(v),
            6 => run::<$aes, U6>(v),
            8 => run::<$aes, U8>(v),
            10 => run::<$aes, U10>(v),
            12 => run::<$aes, U12>(v),
            15 => run::<$aes, U15>(v),
            16 => run::<$aes, U16>(v),
            20 => run::<$aes, U20>(v),
            32 => run::<$aes, U32>(v),
            64 => run::<$aes, U64>(v),
            128 => run::<$aes, U128>(v),
            257 => run::<$aes, U257>(v),
            // A zero-length nonce is not GCM: refusing it is the right answer.
            0 => !v.valid,
            n => panic!("vector {}: no nonce size {n} wired up", v.id),
        }
    }};
}

fn run<A, N>(v: &Vector) -> bool
where
    AesGcm<A, N>: KeyInit + Aead + aes_gcm::AeadCore<NonceSize = N>,
    N: ArraySize,
{
    let cipher = AesGcm::<A, N>::new_from_slice(&v.key).unwrap();
    let nonce = Nonce::<N>::try_from(&v.iv[..]).unwrap();
    let opened = cipher.decrypt(
        &nonce,
        Payload {
            msg: &v.ct_tag,
            aad: &v.aad,
        },
    );
    if !v.valid {
        return opened.is_err();
    }
    let sealed = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: &v.msg,
                aad: &v.aad,
            },
        )
        .unwrap();
    opened.as_deref() == Ok(&v.msg[..]) && sealed == v.ct_tag
}

#[test]
fn all_wycheproof_vectors() {
    let (declared, vs) = vectors();
    assert_eq!(vs.len() as u64, declared);
    assert_eq!(vs.len(), 316);
    let mut failures = Vec::new();
    for v in &vs {
        let ok = match v.key.len() {
            16 => run_sizes!(Aes128, v),
            24 => run_sizes!(Aes192, v),
            32 => run_sizes!(Aes256, v),
            n => panic!("vector {}: key of {n} bytes", v.id),
        };
        if !ok {
            failures.push(v.id);
        }
    }
    assert!(
        failures.is_empty(),
        "vectors that disagree with Wycheproof: {failures:?}"
    );
}

#[test]
fn core_primitive_on_the_aes256_96bit_vectors() {
    use kmslab_engine::crypto::{aead_open, aead_seal, KeyMaterial};
    let (_, vs) = vectors();
    let mut n = 0;
    for v in vs.iter().filter(|v| v.key.len() == 32 && v.iv.len() == 12) {
        let k = KeyMaterial::from_bytes(&v.key).unwrap();
        let nonce: [u8; 12] = v.iv[..].try_into().unwrap();
        let opened = aead_open(&k, &nonce, &v.aad, &v.ct_tag);
        if v.valid {
            assert_eq!(opened.unwrap().expose(), &v.msg[..], "vector {}", v.id);
            assert_eq!(
                aead_seal(&k, &nonce, &v.aad, &v.msg).unwrap(),
                v.ct_tag,
                "vector {}",
                v.id
            );
        } else {
            assert!(opened.is_err(), "vector {} must be rejected", v.id);
        }
        n += 1;
    }
    assert_eq!(n, 66, "the AES-256 / 96-bit nonce vectors");
}
