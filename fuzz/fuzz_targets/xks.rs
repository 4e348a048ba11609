//! XKS request and response parsing. The first byte picks what the rest is:
//! - a request body: it is sent, correctly signed, to the simulated proxy at a chosen
//!   operation and external key, and the proxy's answer must be JSON (or empty, for a refusal
//!   without a body); the proxy answers refusals, it never panics;
//! - a response body: KMS's reading of a GetHealthStatus answer (`parse_health`);
//! - a `keyStores[].proxy` object: the scenario's proxy configuration reader.
#![no_main]

use kmslab_engine::crypto::seeded_rng;
use kmslab_engine::json::{self, JsonPath};
use kmslab_engine::keystore::sigv4::{self, HttpRequest, XKS_SERVICE};
use kmslab_engine::keystore::xks::{client::parse_health, parse_proxy, XksOperation};
use kmslab_engine::time::Instant;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const PROXY: &str = r#"{
  "uriEndpoint": "https://xks.example.com",
  "uriPath": "/example/kms/xks/v1",
  "credential": { "accessKeyId": "BETWEEN2TENAND3TENCHARACTERS",
                  "secret": "kmslabProxySecretForTestsOnly0123456789abcdef" },
  "externalKeys": [
    { "id": "ext-key-1", "status": "ENABLED", "usage": ["ENCRYPT", "DECRYPT"] },
    { "id": "ext-key-off", "status": "DISABLED" },
    { "id": "ext-key-enc-only", "usage": ["ENCRYPT"] },
    { "id": "ext-key-rsa", "keySpec": "RSA_2048" },
    { "id": "ext-key-meta", "ciphertextMetadata": "key_version=1" }
  ]
}"#;

const KEYS: [&str; 6] = [
    "ext-key-1",
    "ext-key-off",
    "ext-key-enc-only",
    "ext-key-rsa",
    "ext-key-meta",
    "no-such-key",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => request(selector / 3, rest),
        1 => {
            if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(rest) {
                let _ = parse_health(&m);
            }
        }
        _ => {
            if let Ok(Ok(doc)) = std::str::from_utf8(rest).map(json::parse) {
                let _ = parse_proxy(&doc, &JsonPath::root(), &mut seeded_rng(3));
            }
        }
    }
});

fn request(pick: u8, body: &[u8]) {
    let doc = json::parse(PROXY).expect("the fixed proxy parses as JSON");
    let mut store =
        parse_proxy(&doc, &JsonPath::root(), &mut seeded_rng(1)).expect("the fixed proxy is valid");
    let ops = XksOperation::ALL;
    let op = ops[usize::from(pick) % ops.len()];
    let key = KEYS[usize::from(pick / 4) % KEYS.len()];
    let now = Instant::parse_iso("2026-11-22T12:00:00Z").expect("a fixed time");
    let mut req = HttpRequest::new("POST", &store.kms.path(op, key), body.to_vec());
    req.set_header("Host", &store.kms.host());
    req.set_header("Content-Type", "application/json");
    let credential = store.kms.credential.clone();
    sigv4::sign(&mut req, &credential, "us-east-1", XKS_SERVICE, now);
    let handled = store.proxy.handle(&req, now, &mut seeded_rng(2));
    let answer = &handled.response;
    assert!(
        answer.body.is_empty() || serde_json::from_str::<Value>(&answer.body).is_ok(),
        "the proxy answered {} with a body that is not JSON: {}",
        answer.status,
        answer.body
    );
    assert_eq!(handled.operation, Some(op));
}
