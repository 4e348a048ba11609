//! In-browser benchmarks (issue 3): a 4 KiB KMS Encrypt end to end and its AES-GCM part in
//! wasm, and bulk AES-256-GCM throughput with the engine's crypto beside WebCrypto's AES-GCM
//! in the same page. Not a test of speed: nothing here asserts on time. Each benchmark prints
//! one line `BENCH <name> <value> <unit>` that `scripts/bench.sh` collects into
//! `target/bench-browser.txt` and writes into `docs/benchmarks.md`.
//!
//! Run only by `scripts/bench.sh`, in the release profile the shipped app uses:
//! `cargo test -p kmslab-app --target wasm32-unknown-unknown --release --test bench_browser
//! -- --nocapture` (headless Chromium through chromedriver).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use kmslab_engine::crypto::{seal, seeded_rng, KeyMaterial};
use std::collections::BTreeMap;
use std::hint::black_box;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Time spent warming up before measuring (JIT tiers, caches), in milliseconds.
const WARM_UP_MS: f64 = 200.0;
/// Number of timed samples; the figure is their median (robust to the other work of a shared
/// machine, which slows some samples).
const SAMPLES: usize = 20;
/// Least wall time of one sample, in milliseconds: twenty samples give at least 0.6 s of work
/// per figure.
const SAMPLE_MS: f64 = 30.0;
/// Buffer size of the bulk AES-GCM figures (both the engine's and WebCrypto's).
const BULK_LEN: usize = 1 << 20;
/// The key id of the benchmark scenario.
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median time of one call of `f` in microseconds: a warm-up, then `SAMPLES` samples of as
/// many calls as fill `SAMPLE_MS` (the batch size is fixed after the warm-up, so every
/// sample times the same number of calls).
fn time_us(mut f: impl FnMut()) -> f64 {
    let start = now();
    let mut warm_calls = 0u32;
    while now() - start < WARM_UP_MS {
        f();
        warm_calls += 1;
    }
    let per_call_ms = (now() - start) / f64::from(warm_calls);
    let batch = ((SAMPLE_MS / per_call_ms).ceil() as u32).max(1);
    let samples = (0..SAMPLES)
        .map(|_| {
            let t0 = now();
            for _ in 0..batch {
                f();
            }
            (now() - t0) * 1000.0 / f64::from(batch)
        })
        .collect();
    median(samples)
}

fn report(name: &str, value: f64, unit: &str) {
    console_log!("BENCH {name} {value:.2} {unit}");
}

/// Megabytes (10^6 bytes) per second for `len` bytes processed in `us` microseconds.
fn mb_per_s(len: usize, us: f64) -> f64 {
    len as f64 / us
}

/// 4096 bytes of 0x61 ('a') in base64, as in `crates/engine/benches/authorize.rs`.
fn base64_4k() -> String {
    "YWFh".repeat(1365) + "YQ=="
}

/// The scenario of the native `kms_encrypt_4kib_end_to_end` (crates/engine/benches/authorize.rs,
/// `bench_scenarios`): one user allowed `kms:Encrypt`, one key, one Encrypt step of 4 KiB.
fn encrypt_4kib_scenario() -> String {
    let plaintext = base64_4k();
    format!(
        r#"{{"kmslab":1,"iam":{{"policies":[{{"name":"P","document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}]}}}}],
           "users":[{{"name":"u","attached":["P"]}}]}},
           "keys":[{{"id":"{KEY_ID}"}}],
           "steps":[{{"caller":"arn:aws:iam::111122223333:user/u","call":"kms:Encrypt",
             "input":{{"KeyId":"{KEY_ID}","Plaintext":"{plaintext}","EncryptionContext":{{"app":"bench"}}}},
             "expect":{{"error":null}}}}]}}"#
    )
}

#[wasm_bindgen_test]
fn wasm_kms_encrypt_4kib_end_to_end() {
    let src = encrypt_4kib_scenario();
    let enc = kmslab_engine::parse_scenario(&src).unwrap();
    let r = kmslab_engine::run_scenario(&enc).unwrap();
    assert_eq!(r.passed, 1, "the Encrypt step must succeed: {:?}", r.steps);
    let us = time_us(|| {
        black_box(kmslab_engine::run_scenario(black_box(&enc)).unwrap());
    });
    report("wasm_kms_encrypt_4kib_end_to_end", us, "us");
}

#[wasm_bindgen_test]
fn wasm_seal_4kib() {
    let k = KeyMaterial::from_bytes(&[0x11; 32]).unwrap();
    let ctx: BTreeMap<String, String> = [("app".to_string(), "bench".to_string())].into();
    let plaintext = vec![0x61u8; 4096];
    let mut rng = seeded_rng(42);
    let us = time_us(|| {
        black_box(seal(&k, KEY_ID, 0, black_box(&plaintext), &ctx, &mut rng).unwrap());
    });
    report("wasm_seal_4kib", us, "us");
}

#[wasm_bindgen_test]
fn wasm_aes_256_gcm_bulk() {
    let k = KeyMaterial::from_bytes(&[0x11; 32]).unwrap();
    let ctx = BTreeMap::new();
    let buf = vec![0x61u8; BULK_LEN];
    let mut rng = seeded_rng(42);
    let us = time_us(|| {
        black_box(seal(&k, "bulk", 0, black_box(&buf), &ctx, &mut rng).unwrap());
    });
    report("wasm_aes_256_gcm_1mib", mb_per_s(BULK_LEN, us), "MB/s");
}

/// WebCrypto's AES-256-GCM (12-byte IV) over the same 1 MiB buffer, one awaited `encrypt`
/// after another, timed like the others (warm-up, then the median of `SAMPLES` samples).
#[wasm_bindgen_test]
async fn webcrypto_aes_256_gcm_bulk() {
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let raw = js_sys::Uint8Array::from(&[0x11u8; 32][..]);
    let usages = js_sys::Array::of1(&"encrypt".into());
    let key: web_sys::CryptoKey = JsFuture::from(
        subtle
            .import_key_with_str("raw", &raw, "AES-GCM", false, &usages)
            .unwrap(),
    )
    .await
    .unwrap()
    .unchecked_into();
    let iv = js_sys::Uint8Array::from(&[0x22u8; 12][..]);
    let params = web_sys::AesGcmParams::new("AES-GCM", &iv);
    let buf = vec![0x61u8; BULK_LEN];

    let encrypt_once = || async {
        let ct = JsFuture::from(
            subtle
                .encrypt_with_object_and_u8_array(&params, &key, &buf)
                .unwrap(),
        )
        .await
        .unwrap();
        let len = ct.unchecked_into::<js_sys::ArrayBuffer>().byte_length() as usize;
        assert_eq!(len, BULK_LEN + 16);
    };

    let start = now();
    let mut warm_calls = 0u32;
    while now() - start < WARM_UP_MS {
        encrypt_once().await;
        warm_calls += 1;
    }
    let per_call_ms = (now() - start) / f64::from(warm_calls);
    let batch = ((SAMPLE_MS / per_call_ms).ceil() as u32).max(1);
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let t0 = now();
        for _ in 0..batch {
            encrypt_once().await;
        }
        samples.push((now() - t0) * 1000.0 / f64::from(batch));
    }
    report(
        "webcrypto_aes_256_gcm_1mib",
        mb_per_s(BULK_LEN, median(samples)),
        "MB/s",
    );
}

/// Samples of the access-matrix figure: each computation takes about half a second, so fewer
/// samples than the other figures (the median of five, after one warm-up run).
const MATRIX_SAMPLES: usize = 5;

/// The access matrix of the synthetic organization of `crates/engine/benches/matrix.rs`
/// (`matrix::synthetic`, 100 principals, enough keys for 1,000,000 cells): one
/// `access_matrix` call, what the app's "Compute access matrix" button costs. Goal (issue 6):
/// under one second.
#[wasm_bindgen_test]
fn wasm_access_matrix_1m_cells() {
    use kmslab_engine::matrix::{access_matrix, operations, synthetic, MatrixOptions};
    let keys = 1_000_000usize.div_ceil(100 * operations().len());
    let s = kmslab_engine::parse_scenario(&synthetic::scenario(100, keys)).unwrap();
    let m = access_matrix(&s, &MatrixOptions::default()).unwrap();
    assert!(m.len() >= 1_000_000, "{} cells", m.len());
    let samples = (0..MATRIX_SAMPLES)
        .map(|_| {
            let t0 = now();
            black_box(access_matrix(black_box(&s), &MatrixOptions::default()).unwrap());
            (now() - t0) * 1000.0
        })
        .collect();
    report("wasm_access_matrix_1m_cells", median(samples), "us");
}

/// Number of RSA-2048 key pairs generated for the key-generation figure: prime search time
/// varies a lot with the seed, so the figure is the median over fixed seeds.
const RSA_SEEDS: u64 = 7;

/// One RSA-2048 key pair generated in wasm: what GetParametersForImport (the wrapping key) and
/// the first use of an RSA KMS key cost in the browser. Median over `RSA_SEEDS` fixed seeds.
#[wasm_bindgen_test]
fn wasm_rsa_2048_key_generation() {
    use kmslab_engine::crypto::asym::{KeyPair, PairSpec};
    let samples = (0..RSA_SEEDS)
        .map(|seed| {
            let mut rng = seeded_rng(seed);
            let t0 = now();
            black_box(KeyPair::generate(PairSpec::Rsa2048, &mut rng).unwrap());
            (now() - t0) * 1000.0
        })
        .collect();
    report("wasm_rsa_2048_key_generation", median(samples), "us");
}
