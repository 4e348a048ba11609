//! AWS Signature Version 4, as KMS uses it to sign requests to an external key store proxy and
//! as the proxy verifies them (XKS Proxy API specification, "Authentication" and "Appendix A").
//!
//! Signing follows AWS's four published steps:
//!
//! 1. the canonical request: method, canonical URI, canonical query string, canonical headers,
//!    signed header names and the hex SHA-256 of the payload, one per line;
//! 2. the string to sign: `AWS4-HMAC-SHA256`, the request time (`X-Amz-Date`), the credential
//!    scope `date/region/service/aws4_request` and the hex SHA-256 of the canonical request;
//! 3. the signing key: HMAC-SHA256 chained over date, region, service and `aws4_request`,
//!    starting from `"AWS4" + secret`;
//! 4. the signature: hex HMAC-SHA256 of the string to sign under the signing key, sent in the
//!    `Authorization` header.
//!
//! Verification (the proxy's side, spec Appendix A tasks 1-4) parses the `Authorization`
//! header, looks the access key id up among the credentials the verifier accepts (two during a
//! rotation, spec "SigV4 credentials rotation"), recomputes the signature, compares it in
//! constant time, and refuses a request whose time is more than five minutes from the
//! verifier's clock (spec Appendix A, task 4). Each refusal has its own [`VerifyError`].
//!
//! Nothing here reads a clock: the request time and the verifier's time are
//! [`crate::time::Instant`]s the caller passes in.
//!
//! Scope: the path is taken as given (decoded) and percent-encoded once, as AWS's SigV4 test
//! suite does; paths are not normalized (`/a/../b` is signed as written). XKS paths use only
//! unreserved characters, where every reading of the rules agrees.

use crate::time::{Duration, Instant};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The only algorithm SigV4 defines.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The credential scope terminator.
pub const TERMINATOR: &str = "aws4_request";
/// The service name KMS signs XKS proxy requests for (spec Appendix A).
pub const XKS_SERVICE: &str = "kms-xks-proxy";
/// The largest difference between the request time and the verifier's clock that passes
/// (spec Appendix A, task 4: "more than 5 minutes in the past (or future ...)" fails).
pub const MAX_CLOCK_SKEW: Duration = Duration(300_000);

type HmacSha256 = Hmac<Sha256>;

/// The secret half of a credential. Zeroized on drop; `Debug` is redacted; never serialized.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        SecretAccessKey(secret.into())
    }

    /// The secret text (for signing only).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretAccessKey(<redacted>)")
    }
}

/// An access key id and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The public half, sent in the `Authorization` header.
    pub access_key_id: String,
    /// The secret half.
    pub secret: SecretAccessKey,
}

impl Credential {
    /// A credential.
    pub fn new(access_key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Credential {
            access_key_id: access_key_id.into(),
            secret: SecretAccessKey::new(secret),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret)
            .finish()
    }
}

/// An HTTP request as SigV4 sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, not percent-encoded (`/example/kms/xks/v1/health`).
    pub path: String,
    /// Query parameters, not percent-encoded, in any order.
    pub query: Vec<(String, String)>,
    /// Headers as sent (names in any case; a name may repeat).
    pub headers: Vec<(String, String)>,
    /// The payload.
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A request without query or headers.
    pub fn new(method: &str, path: &str, body: Vec<u8>) -> Self {
        HttpRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The value of header `name` (case-insensitive); repeated headers joined with `,` as SigV4
    /// canonicalizes them.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| trim_all(v))
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    }

    /// Sets header `name`, replacing every earlier value.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
    }
}

/// Everything signing produced, for an inspector to show step by step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningRecord {
    /// Task 1: the canonical request.
    pub canonical_request: String,
    /// Task 2: the string to sign.
    pub string_to_sign: String,
    /// `date/region/service/aws4_request`.
    pub credential_scope: String,
    /// The signed header names, `;`-separated.
    pub signed_headers: String,
    /// Task 3: the hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// `YYYYMMDD'T'HHMMSS'Z'` for an instant (milliseconds dropped).
pub fn amz_date(t: Instant) -> String {
    let whole = Instant(t.epoch_seconds().saturating_mul(1000));
    whole
        .to_string()
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect()
}

/// Reads an `X-Amz-Date` value (`20150830T123600Z`).
pub fn parse_amz_date(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    let digits_at = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|_| s.get(r))
    };
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        digits_at(0..4)?,
        digits_at(4..6)?,
        digits_at(6..8)?,
        digits_at(9..11)?,
        digits_at(11..13)?,
        digits_at(13..15)?
    );
    Instant::parse_iso(&iso).ok()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            s.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let val = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    s.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(val(*hi)? << 4 | val(*lo)?),
            _ => None,
        })
        .collect()
}

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn new_mac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; the fallback (an
    // all-zero key) exists only because the engine may not panic.
    <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()))
}

/// HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = new_mac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Percent-encodes everything but RFC 3986's unreserved characters (and `/` when `keep_slash`),
/// with uppercase hex, as SigV4 requires.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if unreserved || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Trims a header value and collapses runs of spaces to one (SigV4's "Trimall").
fn trim_all(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical URI: the path percent-encoded, `/` kept; `/` for an empty path.
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        "/".to_string()
    } else {
        uri_encode(path, true)
    }
}

/// The canonical query string: names and values encoded, pairs sorted by name then value.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The names of the headers a signer signs: every header present except `Authorization`,
/// lowercase, sorted, without repeats.
fn header_names(req: &HttpRequest) -> Vec<String> {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "authorization")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The canonical headers block (each `name:value\n`) for `names` (lowercase, sorted).
fn canonical_headers(req: &HttpRequest, names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n}:{}\n", req.header(n).unwrap_or_default()))
        .collect()
}

/// Task 1: the canonical request over the headers named in `signed` (lowercase, sorted).
pub fn canonical_request(req: &HttpRequest, signed: &[String]) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        canonical_uri(&req.path),
        canonical_query(&req.query),
        canonical_headers(req, signed),
        signed.join(";"),
        hex(&sha256(&req.body))
    )
}

/// Task 2: the string to sign.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex(&sha256(canonical_request.as_bytes()))
    )
}

/// Task 3: the signing key for a date (`YYYYMMDD`), region and service.
pub fn signing_key(
    secret: &SecretAccessKey,
    date: &str,
    region: &str,
    service: &str,
) -> Zeroizing<[u8; 32]> {
    let seed = Zeroizing::new(format!("AWS4{}", secret.expose()));
    let k_date = Zeroizing::new(hmac_sha256(seed.as_bytes(), date.as_bytes()));
    let k_region = Zeroizing::new(hmac_sha256(&*k_date, region.as_bytes()));
    let k_service = Zeroizing::new(hmac_sha256(&*k_region, service.as_bytes()));
    Zeroizing::new(hmac_sha256(&*k_service, TERMINATOR.as_bytes()))
}

/// Signs `req` at `now`: sets `X-Amz-Date`, signs every header present (so add unsigned
/// headers afterwards) and adds the `Authorization` header.
pub fn sign(
    req: &mut HttpRequest,
    credential: &Credential,
    region: &str,
    service: &str,
    now: Instant,
) -> SigningRecord {
    let date_time = amz_date(now);
    let date = date_time.get(..8).unwrap_or_default().to_string();
    req.set_header("X-Amz-Date", &date_time);
    let names = header_names(req);
    let canonical_request = canonical_request(req, &names);
    let credential_scope = format!("{date}/{region}/{service}/{TERMINATOR}");
    let string_to_sign = string_to_sign(&date_time, &credential_scope, &canonical_request);
    let key = signing_key(&credential.secret, &date, region, service);
    let signature = hex(&hmac_sha256(&*key, string_to_sign.as_bytes()));
    let signed_headers = names.join(";");
    let authorization = format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_headers}, \
         Signature={signature}",
        credential.access_key_id
    );
    req.set_header("Authorization", &authorization);
    SigningRecord {
        canonical_request,
        string_to_sign,
        credential_scope,
        signed_headers,
        signature,
        authorization,
    }
}

/// A parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    /// The algorithm (`AWS4-HMAC-SHA256`).
    pub algorithm: String,
    /// The access key id.
    pub access_key_id: String,
    /// The scope's date, `YYYYMMDD`.
    pub date: String,
    /// The scope's region.
    pub region: String,
    /// The scope's service.
    pub service: String,
    /// The signed header names, as listed.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

/// Why a request does not authenticate. [`VerifyError::reason`] gives a stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `Authorization` header.
    #[error("the request has no `Authorization` header")]
    MissingAuthorization,
    /// The header is not `ALGORITHM Credential=..., SignedHeaders=..., Signature=...`.
    #[error("the `Authorization` header is malformed: {0}")]
    MalformedAuthorization(String),
    /// Not `AWS4-HMAC-SHA256`.
    #[error("unsupported signing algorithm `{0}` (expected `AWS4-HMAC-SHA256`)")]
    UnsupportedAlgorithm(String),
    /// No `X-Amz-Date` header.
    #[error("the request has no `X-Amz-Date` header")]
    MissingDate,
    /// `X-Amz-Date` is not `YYYYMMDD'T'HHMMSS'Z'`.
    #[error("`X-Amz-Date` value `{0}` is not of the form `20150830T123600Z`")]
    MalformedDate(String),
    /// A header that must be signed (`host`, `x-amz-date`) is not among the signed headers.
    #[error("the `{0}` header must be signed")]
    HeaderNotSigned(&'static str),
    /// A header listed as signed is not in the request.
    #[error("signed header `{0}` is not in the request")]
    SignedHeaderMissing(String),
    /// The scope's date is not the date of `X-Amz-Date`.
    #[error("credential scope date `{scope}` does not match `X-Amz-Date` date `{date}`")]
    ScopeDateMismatch {
        /// The scope's date.
        scope: String,
        /// The date part of `X-Amz-Date`.
        date: String,
    },
    /// The scope names another service.
    #[error("credential scope service `{found}` is not `{expected}`")]
    WrongService {
        /// In the header.
        found: String,
        /// What the verifier serves.
        expected: String,
    },
    /// The access key id is not one the verifier accepts.
    #[error("access key id `{0}` is not configured on the verifier")]
    UnknownAccessKey(String),
    /// The recomputed signature differs.
    #[error("the signature does not match the request and the secret of `{0}`")]
    SignatureMismatch(String),
    /// The request time is more than five minutes from the verifier's clock.
    #[error(
        "request time `{request_time}` is {skew_ms} ms from the verifier's clock `{verifier_time}` \
         (at most 300000 ms allowed)"
    )]
    RequestTimeTooSkewed {
        /// From `X-Amz-Date`.
        request_time: String,
        /// The verifier's clock.
        verifier_time: String,
        /// The absolute difference in milliseconds.
        skew_ms: i64,
    },
}

impl VerifyError {
    /// A stable name for the refusal (for records and tests).
    pub fn reason(&self) -> &'static str {
        match self {
            VerifyError::MissingAuthorization => "MissingAuthorization",
            VerifyError::MalformedAuthorization(_) => "MalformedAuthorization",
            VerifyError::UnsupportedAlgorithm(_) => "UnsupportedAlgorithm",
            VerifyError::MissingDate => "MissingDate",
            VerifyError::MalformedDate(_) => "MalformedDate",
            VerifyError::HeaderNotSigned(_) => "HeaderNotSigned",
            VerifyError::SignedHeaderMissing(_) => "SignedHeaderMissing",
            VerifyError::ScopeDateMismatch { .. } => "ScopeDateMismatch",
            VerifyError::WrongService { .. } => "WrongService",
            VerifyError::UnknownAccessKey(_) => "UnknownAccessKey",
            VerifyError::SignatureMismatch(_) => "SignatureMismatch",
            VerifyError::RequestTimeTooSkewed { .. } => "RequestTimeTooSkewed",
        }
    }
}

/// Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
/// SignedHeaders=a;b, Signature=hex` (only a space after the algorithm; components separated
/// by commas, with optional spaces).
pub fn parse_authorization(value: &str) -> Result<Authorization, VerifyError> {
    let bad = |m: &str| VerifyError::MalformedAuthorization(m.to_string());
    let (algorithm, rest) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| bad("expected the algorithm, a space, then the components"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| bad("a component is not `name=value`"))?;
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(bad(&format!("unknown component `{k}`"))),
        };
        if slot.replace(v.to_string()).is_some() {
            return Err(bad(&format!("component `{k}` appears twice")));
        }
    }
    let credential = credential.ok_or_else(|| bad("no `Credential` component"))?;
    let signed = signed.ok_or_else(|| bad("no `SignedHeaders` component"))?;
    let signature = signature.ok_or_else(|| bad("no `Signature` component"))?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(bad(
            "`Credential` must be `access-key-id/date/region/service/aws4_request`",
        ));
    };
    if *terminator != TERMINATOR {
        return Err(bad("the credential scope must end in `aws4_request`"));
    }
    if access_key_id.is_empty() || date.len() != 8 || region.is_empty() || service.is_empty() {
        return Err(bad("`Credential` has an empty or ill-sized part"));
    }
    Ok(Authorization {
        algorithm: algorithm.to_string(),
        access_key_id: access_key_id.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed.split(';').map(str::to_string).collect(),
        signature,
    })
}

/// A request that authenticated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// The parsed header.
    pub authorization: Authorization,
    /// The request time from `X-Amz-Date`.
    pub request_time: Instant,
    /// The canonical request the verifier rebuilt.
    pub canonical_request: String,
}

/// Verifies `req` for `service` against the credentials the verifier accepts, at the verifier's
/// clock `now`. The signature is checked before the time, so a skew refusal is only ever
/// reported for a request that is otherwise authentic.
pub fn verify(
    req: &HttpRequest,
    accepted: &[Credential],
    service: &str,
    now: Instant,
) -> Result<Verified, VerifyError> {
    let header = req
        .header("authorization")
        .ok_or(VerifyError::MissingAuthorization)?;
    let auth = parse_authorization(&header)?;
    if auth.algorithm != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm(auth.algorithm));
    }
    let date_time = req.header("x-amz-date").ok_or(VerifyError::MissingDate)?;
    let request_time =
        parse_amz_date(&date_time).ok_or_else(|| VerifyError::MalformedDate(date_time.clone()))?;
    // Spec Appendix A: KMS always signs `host` and `x-amz-date`.
    for required in ["host", "x-amz-date"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(VerifyError::HeaderNotSigned(required));
        }
    }
    let mut signed = auth.signed_headers.clone();
    signed.sort();
    signed.dedup();
    if signed != auth.signed_headers || signed.iter().any(|h| h != &h.to_ascii_lowercase()) {
        return Err(VerifyError::MalformedAuthorization(
            "`SignedHeaders` must be lowercase, sorted and without repeats".to_string(),
        ));
    }
    if let Some(missing) = signed.iter().find(|h| req.header(h).is_none()) {
        return Err(VerifyError::SignedHeaderMissing(missing.clone()));
    }
    let date = date_time.get(..8).unwrap_or_default();
    if auth.date != date {
        return Err(VerifyError::ScopeDateMismatch {
            scope: auth.date,
            date: date.to_string(),
        });
    }
    if auth.service != service {
        return Err(VerifyError::WrongService {
            found: auth.service,
            expected: service.to_string(),
        });
    }
    // Spec "SigV4 credentials rotation": the access key id picks the secret.
    let credential = accepted
        .iter()
        .find(|c| c.access_key_id == auth.access_key_id)
        .ok_or_else(|| VerifyError::UnknownAccessKey(auth.access_key_id.clone()))?;
    let canonical_request = canonical_request(req, &signed);
    let scope = format!(
        "{}/{}/{}/{TERMINATOR}",
        auth.date, auth.region, auth.service
    );
    let sts = string_to_sign(&date_time, &scope, &canonical_request);
    let key = signing_key(&credential.secret, &auth.date, &auth.region, &auth.service);
    let mut mac = new_mac(&*key);
    mac.update(sts.as_bytes());
    // `verify_slice` compares in constant time. A signature that is not 32 bytes of hex cannot
    // match, and its length is no secret.
    let given = unhex(&auth.signature).unwrap_or_default();
    if mac.verify_slice(&given).is_err() {
        return Err(VerifyError::SignatureMismatch(auth.access_key_id));
    }
    // Spec Appendix A, task 4: more than five minutes either way fails authentication.
    let skew_ms = now.0.saturating_sub(request_time.0).saturating_abs();
    if skew_ms > MAX_CLOCK_SKEW.0 {
        return Err(VerifyError::RequestTimeTooSkewed {
            request_time: request_time.to_string(),
            verifier_time: now.to_string(),
            skew_ms,
        });
    }
    Ok(Verified {
        authorization: auth,
        request_time,
        canonical_request,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn suite_time() -> Instant {
        Instant::parse_iso("2015-08-30T12:36:00Z").unwrap()
    }

    fn suite_credential() -> Credential {
        Credential::new(AKID, SECRET)
    }

    fn suite_request(method: &str, body: &[u8]) -> HttpRequest {
        HttpRequest::new(method, "/", body.to_vec()).with_header("Host", "example.amazonaws.com")
    }

    // AWS's SigV4 test suite (the 2015-08-30 edition: AKIDEXAMPLE, us-east-1, service
    // `service`), case `get-vanilla`: the expected canonical request, string to sign and
    // Authorization header are the suite's published `.creq`, `.sts` and `.authz` values (the
    // hashes and signatures cross-checked against other implementations' copies of the suite).
    #[test]
    fn suite_get_vanilla() {
        let mut req = suite_request("GET", b"");
        let rec = sign(
            &mut req,
            &suite_credential(),
            "us-east-1",
            "service",
            suite_time(),
        );
        assert_eq!(
            rec.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            rec.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            rec.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(
            req.header("authorization").as_deref(),
            Some(rec.authorization.as_str())
        );
    }

    // Suite case `post-vanilla`: the same request with POST.
    #[test]
    fn suite_post_vanilla() {
        let mut req = suite_request("POST", b"");
        let rec = sign(
            &mut req,
            &suite_credential(),
            "us-east-1",
            "service",
            suite_time(),
        );
        assert_eq!(
            rec.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"
        );
        assert_eq!(
            rec.signature,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
    }

    // Suite case `post-x-www-form-urlencoded`: a signed Content-Type and a hashed body.
    #[test]
    fn suite_post_x_www_form_urlencoded() {
        let mut req = suite_request("POST", b"Param1=value1")
            .with_header("Content-Type", "application/x-www-form-urlencoded");
        let rec = sign(
            &mut req,
            &suite_credential(),
            "us-east-1",
            "service",
            suite_time(),
        );
        assert_eq!(
            rec.canonical_request,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n\
             host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             content-type;host;x-amz-date\n\
             9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        );
        assert_eq!(
            rec.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"
        );
        assert_eq!(
            rec.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
        );
    }

    // Suite case `get-vanilla-query-order-key-case`: the query is sorted after encoding.
    #[test]
    fn suite_query_order() {
        let mut req = suite_request("GET", b"");
        req.query = vec![
            ("Param2".into(), "value2".into()),
            ("Param1".into(), "value1".into()),
        ];
        let rec = sign(
            &mut req,
            &suite_credential(),
            "us-east-1",
            "service",
            suite_time(),
        );
        assert!(rec
            .canonical_request
            .contains("\n/\nParam1=value1&Param2=value2\n"));
        assert_eq!(
            rec.signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    // The signing-key example of AWS's "Examples of how to derive a signing key for Signature
    // Version 4" (service `iam`, same secret and date).
    #[test]
    fn derived_signing_key_example() {
        let key = signing_key(
            &SecretAccessKey::new(SECRET),
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex(&*key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    #[test]
    fn encoding_and_dates() {
        assert_eq!(uri_encode("a b/ሴ~", true), "a%20b/%E1%88%B4~");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(amz_date(suite_time()), "20150830T123600Z");
        assert_eq!(amz_date(Instant(suite_time().0 + 999)), "20150830T123600Z");
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(suite_time()));
        for bad in [
            "20150830T123600",
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "2015083OT123600Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
        assert_eq!(unhex("0aFF"), Some(vec![0x0a, 0xff]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
        let c = suite_credential();
        assert!(!format!("{c:?}").contains("EXAMPLEKEY"));
    }

    fn xks_request(now: Instant, cred: &Credential) -> HttpRequest {
        let mut req = HttpRequest::new(
            "POST",
            "/example/kms/xks/v1/keys/ext-key-1/encrypt",
            br#"{"requestMetadata":{"kmsOperation":"Encrypt"}}"#.to_vec(),
        )
        .with_header("Host", "xks.example.com");
        sign(&mut req, cred, "us-east-1", XKS_SERVICE, now);
        // Added after signing, so not signed (the spec's SignedHeaders=host;x-amz-date).
        req.set_header("Content-Type", "application/json");
        req
    }

    fn t0() -> Instant {
        Instant::parse_iso("2026-11-22T12:00:00Z").unwrap()
    }

    #[test]
    fn xks_round_trip_and_rotation() {
        let old = Credential::new("BETWEEN2TENAND3TENCHARACTERS", "a".repeat(43));
        let new = Credential::new("ROTATEDKEYIDABCDEFGH234567", "b".repeat(43));
        let req = xks_request(t0(), &new);
        assert!(req
            .header("authorization")
            .unwrap()
            .contains("SignedHeaders=host;x-amz-date,"));
        let v = verify(&req, &[old.clone(), new.clone()], XKS_SERVICE, t0()).unwrap();
        assert_eq!(v.authorization.access_key_id, "ROTATEDKEYIDABCDEFGH234567");
        assert_eq!(v.authorization.region, "us-east-1");
        assert_eq!(v.request_time, t0());
        // Once the old credential is removed, requests signed with it fail.
        let req_old = xks_request(t0(), &old);
        let e = verify(&req_old, std::slice::from_ref(&new), XKS_SERVICE, t0()).unwrap_err();
        assert_eq!(e.reason(), "UnknownAccessKey");
        // The same key id with another secret does not verify.
        let impostor = Credential::new(new.access_key_id.clone(), "c".repeat(43));
        let e = verify(&req, &[impostor], XKS_SERVICE, t0()).unwrap_err();
        assert_eq!(e.reason(), "SignatureMismatch");
        // Another service's verifier refuses it.
        let e = verify(&req, &[new], "kms", t0()).unwrap_err();
        assert_eq!(e.reason(), "WrongService");
    }

    #[test]
    fn tampering_is_detected() {
        let cred = Credential::new("BETWEEN2TENAND3TENCHARACTERS", "s".repeat(43));
        let ok = xks_request(t0(), &cred);
        let accepted = [cred.clone()];
        assert!(verify(&ok, &accepted, XKS_SERVICE, t0()).is_ok());
        let reason = |r: &HttpRequest| {
            verify(r, &accepted, XKS_SERVICE, t0())
                .unwrap_err()
                .reason()
        };

        let mut body = ok.clone();
        body.body[5] ^= 1;
        assert_eq!(reason(&body), "SignatureMismatch");
        let mut path = ok.clone();
        path.path = path.path.replace("encrypt", "decrypt");
        assert_eq!(reason(&path), "SignatureMismatch");
        let mut method = ok.clone();
        method.method = "PUT".into();
        assert_eq!(reason(&method), "SignatureMismatch");
        let mut host = ok.clone();
        host.set_header("Host", "evil.example.com");
        assert_eq!(reason(&host), "SignatureMismatch");
        let mut date = ok.clone();
        date.set_header("X-Amz-Date", "20261122T120001Z");
        assert_eq!(reason(&date), "SignatureMismatch");
        let mut query = ok.clone();
        query.query.push(("a".into(), "b".into()));
        assert_eq!(reason(&query), "SignatureMismatch");
        // The unsigned Content-Type may change without breaking the signature.
        let mut ct = ok.clone();
        ct.set_header("Content-Type", "text/plain");
        assert!(verify(&ct, &accepted, XKS_SERVICE, t0()).is_ok());

        let auth = ok.header("authorization").unwrap();
        let with_auth = |a: &str| {
            let mut r = ok.clone();
            r.set_header("Authorization", a);
            reason(&r)
        };
        let mut sig_flip = auth.clone();
        let last = sig_flip.pop().unwrap();
        sig_flip.push(if last == '0' { '1' } else { '0' });
        assert_eq!(with_auth(&sig_flip), "SignatureMismatch");
        assert_eq!(
            with_auth(&auth.replace("Signature=", "Signature=zz")),
            "SignatureMismatch"
        );
        assert_eq!(
            with_auth(&auth.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")),
            "UnsupportedAlgorithm"
        );
        assert_eq!(
            with_auth(&auth.replace("host;x-amz-date", "x-amz-date")),
            "HeaderNotSigned"
        );
        assert_eq!(
            with_auth(&auth.replace("host;x-amz-date", "host;x-amz-date;x-other")),
            "SignedHeaderMissing"
        );
        assert_eq!(
            with_auth(&auth.replace("host;x-amz-date", "x-amz-date;host")),
            "MalformedAuthorization"
        );
        assert_eq!(
            with_auth(&auth.replace("/20261122/", "/20261121/")),
            "ScopeDateMismatch"
        );
        assert_eq!(
            with_auth(&auth.replace("aws4_request", "aws5_request")),
            "MalformedAuthorization"
        );
        assert_eq!(with_auth("AWS4-HMAC-SHA256"), "MalformedAuthorization");
        assert_eq!(
            with_auth(&format!("{auth}, Signature=00")),
            "MalformedAuthorization"
        );
        let mut no_auth = ok.clone();
        no_auth.headers.retain(|(n, _)| n != "Authorization");
        assert_eq!(reason(&no_auth), "MissingAuthorization");
        let mut no_date = ok.clone();
        no_date.headers.retain(|(n, _)| n != "X-Amz-Date");
        assert_eq!(reason(&no_date), "MissingDate");
        let mut bad_date = ok.clone();
        bad_date.set_header("X-Amz-Date", "yesterday");
        assert_eq!(reason(&bad_date), "MalformedDate");
    }

    #[test]
    fn clock_skew_boundary() {
        let cred = Credential::new("BETWEEN2TENAND3TENCHARACTERS", "s".repeat(43));
        let req = xks_request(t0(), &cred);
        let at = |offset_ms: i64| {
            verify(
                &req,
                std::slice::from_ref(&cred),
                XKS_SERVICE,
                Instant(t0().0 + offset_ms),
            )
        };
        // Exactly five minutes either way passes; one millisecond more fails.
        assert!(at(300_000).is_ok());
        assert!(at(-300_000).is_ok());
        for off in [300_001, -300_001, 3_600_000] {
            match at(off).unwrap_err() {
                VerifyError::RequestTimeTooSkewed { skew_ms, .. } => {
                    assert_eq!(skew_ms, off.abs());
                }
                e => panic!("expected a skew refusal, got {e:?}"),
            }
        }
        // A forged request with a stale date reports the signature, not the time.
        let mut forged = req.clone();
        forged.body.push(b' ');
        assert_eq!(
            verify(&forged, &[cred], XKS_SERVICE, Instant(t0().0 + 3_600_000))
                .unwrap_err()
                .reason(),
            "SignatureMismatch"
        );
    }
}
