//! SigV4 verification: a fuzzed request (method, path, query, headers including a fuzzed
//! `Authorization` and `X-Amz-Date`, body) is verified without panicking; the same request
//! signed here verifies at the signing time, and fails once a byte of its body changes.
#![no_main]

use arbitrary::Arbitrary;
use kmslab_engine::keystore::sigv4::{self, Credential, HttpRequest, XKS_SERVICE};
use kmslab_engine::time::Instant;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Milliseconds after the epoch, kept within years 1970 to 9999 (`X-Amz-Date` has four
    /// year digits).
    time: u64,
    region: String,
}

const LAST_MS: u64 = 253_402_300_799_000;

fuzz_target!(|input: Input| {
    let credential = Credential::new("AKIDFUZZEXAMPLE", "fuzzSecretKey0123456789");
    let accepted = [credential.clone()];
    let now = Instant(i64::try_from(input.time % LAST_MS).unwrap_or(0));
    let mut req = HttpRequest::new(&input.method, &input.path, input.body.clone());
    req.query = input.query.clone();
    req.headers = input.headers.clone();
    // As received: whatever the headers say.
    let _ = sigv4::verify(&req, &accepted, XKS_SERVICE, now);
    if let Some(a) = req.header("authorization") {
        let _ = sigv4::parse_authorization(&a);
    }
    // Signed here: header names a client could send (tokens), never `Authorization`, and a
    // region (never empty: the verifier rightly refuses an empty scope part) without the
    // characters that separate the credential's parts.
    let token = |n: &str| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !n.eq_ignore_ascii_case("authorization")
            && !n.eq_ignore_ascii_case("x-amz-date")
    };
    if input.region.is_empty()
        || !input
            .region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return;
    }
    let mut signed = HttpRequest::new(&input.method, &input.path, input.body);
    signed.query = input.query;
    signed.headers = input
        .headers
        .into_iter()
        .filter(|(n, _)| token(n))
        .collect();
    signed.set_header("Host", "xks.example.com");
    sigv4::sign(&mut signed, &credential, &input.region, XKS_SERVICE, now);
    let verified = sigv4::verify(&signed, &accepted, XKS_SERVICE, now);
    assert!(
        verified.is_ok(),
        "a request signed here fails: {verified:?}"
    );
    if let Some(b) = signed.body.first_mut() {
        *b ^= 1;
        assert!(
            sigv4::verify(&signed, &accepted, XKS_SERVICE, now).is_err(),
            "a changed body still verifies"
        );
    }
});
