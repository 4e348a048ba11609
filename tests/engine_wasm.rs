//! The engine in the browser: the same blob decrypts in wasm as natively, and a scenario run
//! gives byte-for-byte the same ciphertext on both targets. Run by `scripts/browser-tests.sh`
//! (`cargo test --target wasm32-unknown-unknown --test engine_wasm` in headless Chromium).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use kmslab_engine::crypto::{open, parse_blob, seal, seeded_rng, KeyMaterial};
use std::collections::BTreeMap;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The known-answer blob of `crates/engine/src/crypto.rs` (material 0x11 x 32, seed 42,
/// key id `kat`, context a=b, plaintext `kmslab`), produced natively.
const KAT_HEX: &str =
    "4b4c01036b6174000000007848b5d711bc9883996317a3664c8bf8c511f204334f818cc2111e14e24403f4929a";

/// The first step's ciphertext in `scenarios/examples/nps-least-privilege.json`, natively
/// (also asserted natively in `crates/engine/tests/scenarios.rs`).
pub const NPS_ENC_BLOB: &str = "S0wBJDEyMzRhYmNkLTEyYWItMzRjZC01NmVmLTEyMzQ1Njc4OTBhYgAAAADlSw+pcYE3fBxKUCcLL4RYEFCaKmLt4oavZiu8OaSR7ho=";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ctx() -> BTreeMap<String, String> {
    [("a".to_string(), "b".to_string())].into()
}

#[wasm_bindgen_test]
fn native_blob_decrypts_in_the_browser() {
    let k = KeyMaterial::from_bytes(&[0x11; 32]).unwrap();
    let blob = hex(KAT_HEX);
    let h = parse_blob(&blob).unwrap();
    assert_eq!(open(&k, &h, &ctx()).unwrap().expose(), b"kmslab");
    assert!(open(&k, &h, &BTreeMap::new()).is_err());
}

#[wasm_bindgen_test]
fn browser_seals_the_same_bytes() {
    let k = KeyMaterial::from_bytes(&[0x11; 32]).unwrap();
    let blob = seal(&k, "kat", 0, b"kmslab", &ctx(), &mut seeded_rng(42)).unwrap();
    assert_eq!(blob, hex(KAT_HEX));
}

#[wasm_bindgen_test]
fn scenario_runs_identically() {
    let src = include_str!("../scenarios/examples/nps-least-privilege.json");
    let s = kmslab_engine::parse_scenario(src).unwrap();
    let r = kmslab_engine::run_scenario(&s).unwrap();
    assert_eq!(r.failed, 0);
    let blob = r.steps[0].output.as_ref().unwrap()["CiphertextBlob"]
        .as_str()
        .unwrap();
    assert_eq!(blob, NPS_ENC_BLOB);
}

#[path = "../crates/engine/tests/malformed/runner.rs"]
mod malformed;

/// The malformed-input catalogue in the browser: every broken input gives the same exact,
/// located error as natively (`crates/engine/tests/malformed.rs`), and none panics (a panic
/// here would abort the test, as it would kill the app).
#[wasm_bindgen_test]
fn malformed_inputs_give_the_same_errors_in_the_browser() {
    let (n, bad) = malformed::mismatches(include_str!(
        "../crates/engine/tests/malformed/catalogue.json"
    ));
    assert!(n >= 120, "the catalogue has {n} cases");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
