//! Tests of the proxy, the KMS side, the error mapping and connection attempts together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::config::FaultKind;
use super::connect::ConnectionErrorCode as Code;
use super::errors::*;
use super::*;
use crate::crypto::seeded_rng;
use crate::json::JsonPath;
use crate::keystore::sigv4::{self, Credential, HttpRequest};
use crate::time::Instant;
use serde_json::{json, Value};

const AKID: &str = "BETWEEN2TENAND3TENCHARACTERS";
const SECRET: &str = "kmslabProxySecretForTestsOnly0123456789abcdef";
const NEW_AKID: &str = "ROTATEDACCESSKEYID234567";
const NEW_SECRET: &str = "kmslabRotatedSecretForTestsOnly0123456789abc";
const APP: &str = "arn:aws:iam::111122223333:role/app";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const REGION: &str = "us-east-1";

fn t0() -> Instant {
    Instant::parse_iso("2026-11-22T12:00:00Z").unwrap()
}

fn merge(base: &mut Value, over: Value) {
    if let (Some(b), Value::Object(o)) = (base.as_object_mut(), over) {
        for (k, v) in o {
            b.insert(k, v);
        }
    }
}

fn base_json() -> Value {
    json!({
        "connectivity": "PUBLIC_ENDPOINT",
        "uriEndpoint": "https://xks.example.com",
        "uriPath": "/example/kms/xks/v1",
        "credential": { "accessKeyId": AKID, "secret": SECRET },
        "externalKeys": [
            { "id": "ext-key-1", "status": "ENABLED", "usage": ["ENCRYPT", "DECRYPT"] },
            { "id": "ext-key-off", "status": "DISABLED" },
            { "id": "ext-key-enc-only", "usage": ["ENCRYPT"] },
            { "id": "ext-key-rsa", "keySpec": "RSA_2048" },
            { "id": "ext-key-meta", "ciphertextMetadata": "key_version=1",
              "material": b64(&[0x42; 32]) }
        ],
        "latencyMs": 20
    })
}

fn parse_err(over: Value) -> crate::scenario::ScenarioError {
    let mut v = base_json();
    merge(&mut v, over);
    let j = crate::json::parse(&v.to_string()).unwrap();
    parse_proxy(&j, &JsonPath::root().key("proxy"), &mut seeded_rng(1)).unwrap_err()
}

fn store(over: Value) -> XksStore {
    let mut v = base_json();
    merge(&mut v, over);
    let j = crate::json::parse(&v.to_string()).unwrap();
    parse_proxy(&j, &JsonPath::root().key("proxy"), &mut seeded_rng(1)).unwrap()
}

fn md(kms_operation: &str) -> RequestMetadata {
    RequestMetadata {
        aws_principal_arn: APP.into(),
        kms_key_arn: Some(KEY_ARN.into()),
        kms_operation: kms_operation.into(),
        kms_request_id: "4112f4d6-db54-4af4-ae30-c55a22a8dfae".into(),
        ..RequestMetadata::default()
    }
}

const PT: &[u8] = b"the KMS-encrypted inner ciphertext";
const AAD: &[u8] = b"kms blob header and encryption context";

fn enc_at(
    s: &mut XksStore,
    m: &RequestMetadata,
    key: &str,
    now: Instant,
) -> Outcome<XksCiphertext> {
    let call = XksCall {
        config: &s.kms,
        region: REGION,
        now,
        metadata: m,
    };
    encrypt(&mut s.proxy, &call, key, PT, AAD, &mut seeded_rng(7))
}

fn enc(s: &mut XksStore, m: &RequestMetadata, key: &str) -> Outcome<XksCiphertext> {
    enc_at(s, m, key, t0())
}

fn dec(
    s: &mut XksStore,
    m: &RequestMetadata,
    key: &str,
    c: &XksCiphertext,
    aad: &[u8],
) -> Outcome<crate::crypto::Secret> {
    let call = XksCall {
        config: &s.kms,
        region: REGION,
        now: t0(),
        metadata: m,
    };
    decrypt(&mut s.proxy, &call, key, c, aad, &mut seeded_rng(8))
}

fn meta(s: &mut XksStore, m: &RequestMetadata, key: &str) -> Outcome<KeyMetadata> {
    let call = XksCall {
        config: &s.kms,
        region: REGION,
        now: t0(),
        metadata: m,
    };
    get_key_metadata(&mut s.proxy, &call, key, &mut seeded_rng(9))
}

fn health(s: &mut XksStore, kms_operation: &str) -> Outcome<HealthStatus> {
    let m = md(kms_operation);
    let call = XksCall {
        config: &s.kms,
        region: REGION,
        now: t0(),
        metadata: &m,
    };
    get_health_status(&mut s.proxy, &call, &mut seeded_rng(10))
}

fn connect(s: &mut XksStore) -> ConnectionCheck {
    check_connection(
        &mut s.proxy,
        &s.kms,
        REGION,
        t0(),
        "req-connect-1",
        &mut seeded_rng(11),
    )
}

fn err<T: std::fmt::Debug>(o: &Outcome<T>) -> (&'static str, String) {
    let e = o.result.as_ref().unwrap_err();
    (e.exception, e.message.clone())
}

// Spec Appendix C's worked example: 33 bytes of AAD, 13 of ciphertext metadata, 12 of IV, 12 of
// ciphertext and a 16-byte tag hash to the CDIV shown in the Encrypt response example.
#[test]
fn cdiv_matches_the_spec_example() {
    let aad = b"project=nile,department=marketing";
    let cm = b"key_version=1";
    let iv = unb64("HMrlRw85cAJUd5Ax").unwrap();
    let ct = unb64("ghxkK1txeDNn3q8Y").unwrap();
    let tag = unb64("vBxN2ncH1oEkR8WVXpmyYQ==").unwrap();
    assert_eq!(
        (aad.len(), cm.len(), iv.len(), ct.len(), tag.len()),
        (33, 13, 12, 12, 16)
    );
    let v = cdiv(aad, cm, &iv, &ct, &tag);
    assert_eq!(
        sigv4::hex(&v),
        "a8703f2260bd8791ec2d15ea0b23e65a0631eedcf2a13a65cc82db3f47cf5ec7"
    );
    assert_eq!(b64(&v), "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=");
    // The example's base64 fields as the spec prints them.
    assert_eq!(b64(aad), "cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n");
    assert_eq!(b64(cm), "a2V5X3ZlcnNpb249MQ==");
}

// Spec Encrypt, `ciphertextMetadata`: 2-byte big-endian AAD length, AAD, 1-byte metadata
// length, metadata; so moving bytes between the two fields changes the AAD.
#[test]
fn gcm_aad_is_length_prefixed() {
    assert_eq!(gcm_aad(b"", b"").unwrap(), vec![0, 0, 0]);
    assert_eq!(
        gcm_aad(b"ab", b"c").unwrap(),
        vec![0, 2, b'a', b'b', 1, b'c']
    );
    assert_ne!(gcm_aad(b"x", b"").unwrap(), gcm_aad(b"", b"x").unwrap());
    assert_eq!(gcm_aad(&[0; 300], b"").unwrap()[..2], [1, 44]);
    assert!(gcm_aad(&vec![0; 70_000], b"").is_none());
}

#[test]
fn config_defaults_and_describe() {
    let s = store(json!({}));
    assert_eq!(s.kms.host(), "xks.example.com");
    assert_eq!(
        s.kms.url(XksOperation::Encrypt, "k"),
        "https://xks.example.com/example/kms/xks/v1/keys/k/encrypt"
    );
    assert_eq!(
        s.kms.url(XksOperation::GetHealthStatus, ""),
        "https://xks.example.com/example/kms/xks/v1/health"
    );
    assert_eq!(s.proxy.served_uri_path, "/example/kms/xks/v1");
    assert_eq!(
        s.proxy.accepted_credentials,
        vec![Credential::new(AKID, SECRET)]
    );
    assert_eq!(s.proxy.latency_ms, 20);
    assert_eq!(s.proxy.server_certificate.common_name, "xks.example.com");
    assert_eq!(s.proxy.ekm_fleet.len(), 1);
    assert_eq!(
        s.proxy.key("ext-key-1").unwrap().usage,
        ["ENCRYPT", "DECRYPT"]
    );
    assert_eq!(
        s.proxy.key("ext-key-off").unwrap().usage,
        ["ENCRYPT", "DECRYPT"]
    );
    assert_eq!(
        s.kms.describe(),
        json!({"AccessKeyId": AKID, "Connectivity": "PUBLIC_ENDPOINT",
               "UriEndpoint": "https://xks.example.com", "UriPath": "/example/kms/xks/v1"})
    );
    // Secrets never show in Debug.
    let dbg = format!("{s:?}");
    assert!(!dbg.contains(SECRET));
    assert!(dbg.contains("KeyMaterial(<redacted>)"));
    // Material is drawn from the generator in order: the same seed gives the same keys.
    assert_eq!(store(json!({})), s);
}

#[test]
fn config_errors_name_the_field() {
    let e = parse_err(json!({"uriPath": "/example/kms/xks"}));
    assert_eq!(e.path, "$.proxy.uriPath");
    assert!(e.message.contains("`/example/kms/xks`"), "{}", e.message);
    let e = parse_err(json!({"uriEndpoint": "http://xks.example.com"}));
    assert_eq!(e.path, "$.proxy.uriEndpoint");
    let e = parse_err(json!({"uriEndpoint": "https://10.0.0.1"}));
    assert_eq!(e.path, "$.proxy.uriEndpoint");
    let e = parse_err(
        json!({"credential": {"accessKeyId": "akid-lowercase-1234567", "secret": SECRET}}),
    );
    assert_eq!(e.path, "$.proxy.credential.accessKeyId");
    let e = parse_err(json!({"credential": {"accessKeyId": AKID, "secret": "..."}}));
    assert_eq!(e.path, "$.proxy.credential.secret");
    assert!(
        !e.message.contains("..."),
        "the secret is not echoed: {}",
        e.message
    );
    let e = parse_err(json!({"latency": 5}));
    assert_eq!(e.path, "$.proxy.latency");
    assert!(e.message.contains("unknown field `latency`"));
    let e = parse_err(json!({"connectivity": "VPC_ENDPOINT_SERVICE"}));
    assert!(e.message.contains("needs `vpcEndpointService`"));
    let e = parse_err(
        json!({"vpcEndpointService": {"name": "com.amazonaws.vpce.us-east-1.vpce-svc-0abc"}}),
    );
    assert_eq!(e.path, "$.proxy.vpcEndpointService");
    let e = parse_err(json!({"externalKeys": [{"id": "a"}, {"id": "a"}]}));
    assert_eq!(e.path, "$.proxy.externalKeys[1]");
    let e = parse_err(json!({"externalKeys": [{"id": "a/b"}]}));
    assert_eq!(e.path, "$.proxy.externalKeys[0].id");
    let e = parse_err(json!({"externalKeys": [{"id": "a", "usage": ["ENCRYPT", "SIGNN"]}]}));
    assert!(e.message.contains("`SIGNN`"));
    let e = parse_err(json!({"externalKeys": [{"id": "a", "material": "AAAA"}]}));
    assert_eq!(e.path, "$.proxy.externalKeys[0].material");
    let e = parse_err(json!({"faults": [{"on": "Decrypt", "error": "Boom"}]}));
    assert_eq!(e.path, "$.proxy.faults[0].error");
    let e = parse_err(json!({"faults": [{"on": "Decrypt"}]}));
    assert!(e.message.contains("exactly one of"));
    let e = parse_err(json!({"faults": [{"on": "Sign", "latencyMs": 5}]}));
    assert_eq!(e.path, "$.proxy.faults[0].on");
    let e =
        parse_err(json!({"authorization": {"Statement": [{"Effect": "Allow", "Action": "Sign"}]}}));
    assert_eq!(e.path, "$.proxy.authorization.Statement[0].Action");
    let e = parse_err(
        json!({"authorization": {"Statement": [{"Effect": "Allow", "Action": "*",
        "Condition": {"StringEquals": {"awsPrincipalArn": APP}}}]}}),
    );
    assert_eq!(
        e.path,
        "$.proxy.authorization.Statement[0].Condition.StringEquals"
    );
    let e = parse_err(json!({"ekmFleet": []}));
    assert_eq!(e.path, "$.proxy.ekmFleet");
}

#[test]
fn round_trip_and_the_exchange_record() {
    let mut s = store(json!({}));
    let m = md("GenerateDataKey");
    let out = enc(&mut s, &m, "ext-key-1");
    let c = out.result.clone().unwrap();
    assert_eq!(c.ciphertext.len(), PT.len());
    assert_eq!(c.initialization_vector.len(), 12);
    assert_eq!(c.authentication_tag.len(), 16);
    assert_eq!(c.ciphertext_metadata, None);
    assert_ne!(c.ciphertext, PT);

    let ex = &out.exchange;
    assert_eq!(ex.operation, XksOperation::Encrypt);
    assert_eq!(ex.method, "POST");
    assert_eq!(ex.path, "/example/kms/xks/v1/keys/ext-key-1/encrypt");
    assert_eq!(
        ex.url,
        "https://xks.example.com/example/kms/xks/v1/keys/ext-key-1/encrypt"
    );
    let auth = ex
        .request_headers
        .iter()
        .find(|h| h.name == "Authorization")
        .unwrap();
    assert!(auth.value.starts_with(&format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/20261122/us-east-1/kms-xks-proxy/aws4_request, SignedHeaders=host;x-amz-date, Signature="
    )));
    assert!(ex
        .request_headers
        .iter()
        .any(|h| h.name == "X-Amz-Date" && h.value == "20261122T120000Z"));
    assert!(ex
        .request_headers
        .iter()
        .any(|h| h.name == "Content-Type" && h.value == "application/json"));
    assert_eq!(ex.signing.signed_headers, "host;x-amz-date");
    let body = &ex.request_body;
    assert_eq!(body["requestMetadata"]["awsPrincipalArn"], APP);
    assert_eq!(body["requestMetadata"]["kmsKeyArn"], KEY_ARN);
    assert_eq!(body["requestMetadata"]["kmsOperation"], "GenerateDataKey");
    assert!(body["requestMetadata"].get("kmsViaService").is_none());
    assert_eq!(body["encryptionAlgorithm"], "AES_GCM");
    assert_eq!(body["ciphertextDataIntegrityValueAlgorithm"], "SHA_256");
    assert_eq!(
        body["plaintext"],
        format!("<{} bytes, not shown>", PT.len())
    );
    assert_eq!(ex.aad_base64.as_deref(), Some(b64(AAD).as_str()));
    assert_eq!(
        ex.gcm_aad_base64.as_deref(),
        Some(b64(&gcm_aad(AAD, b"").unwrap()).as_str())
    );
    assert_eq!(ex.response_status, Some(200));
    let cd = ex.cdiv.as_ref().unwrap();
    assert!(cd.matches);
    assert_eq!(
        ex.response_body.as_ref().unwrap()["ciphertextDataIntegrityValue"],
        cd.computed
    );
    assert_eq!((ex.elapsed_ms, ex.proxy_latency_ms), (20, 20));
    let a = ex.authentication.as_ref().unwrap();
    assert!(a.verified);
    assert_eq!(a.access_key_id.as_deref(), Some(AKID));
    assert_eq!(ex.authorization.as_ref().unwrap().decision, "NoRules");
    assert_eq!(ex.error, None);
    // Serializable for the app.
    let v = serde_json::to_value(ex).unwrap();
    for k in [
        "operation",
        "requestHeaders",
        "signing",
        "requestBody",
        "responseStatus",
        "responseBody",
        "aadBase64",
        "gcmAadBase64",
        "cdiv",
        "elapsedMs",
        "authorization",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert!(!v.to_string().contains(SECRET));

    let d = dec(&mut s, &md("Decrypt"), "ext-key-1", &c, AAD);
    assert_eq!(d.result.as_ref().unwrap().expose(), PT);
    assert_eq!(
        d.exchange.response_body.as_ref().unwrap()["plaintext"],
        format!("<{} bytes, not shown>", PT.len())
    );
    assert_eq!(d.exchange.request_body["ciphertext"], b64(&c.ciphertext));
    assert_eq!(
        d.exchange.path,
        "/example/kms/xks/v1/keys/ext-key-1/decrypt"
    );

    // Deterministic: the same inputs give the same exchange, byte for byte.
    let mut s2 = store(json!({}));
    assert_eq!(enc(&mut s2, &m, "ext-key-1"), out);
}

#[test]
fn ciphertext_metadata_is_returned_and_authenticated() {
    let mut s = store(json!({}));
    let c = enc(&mut s, &md("Encrypt"), "ext-key-meta").result.unwrap();
    assert_eq!(
        c.ciphertext_metadata.as_deref(),
        Some(&b"key_version=1"[..])
    );
    assert!(dec(&mut s, &md("Decrypt"), "ext-key-meta", &c, AAD)
        .result
        .is_ok());
    let mut changed = c.clone();
    changed.ciphertext_metadata = Some(b"key_version=2".to_vec());
    let (ex, msg) = err(&dec(&mut s, &md("Decrypt"), "ext-key-meta", &changed, AAD));
    assert_eq!(
        (ex, msg.as_str()),
        ("KMSInvalidStateException", MSG_PROXY_INVALID_CIPHERTEXT)
    );
    // Moving the metadata into the AAD does not decrypt either (the spec's length note).
    let mut moved = c.clone();
    moved.ciphertext_metadata = None;
    let mut aad2 = AAD.to_vec();
    aad2.extend_from_slice(b"key_version=1");
    assert!(dec(&mut s, &md("Decrypt"), "ext-key-meta", &moved, &aad2)
        .result
        .is_err());
}

#[test]
fn decrypt_refuses_what_does_not_authenticate() {
    let mut s = store(json!({}));
    let c = enc(&mut s, &md("Encrypt"), "ext-key-1").result.unwrap();
    let expect = (
        "KMSInvalidStateException",
        MSG_PROXY_INVALID_CIPHERTEXT.to_string(),
    );
    assert_eq!(
        err(&dec(
            &mut s,
            &md("Decrypt"),
            "ext-key-1",
            &c,
            b"other context"
        )),
        expect
    );
    let mut t = c.clone();
    t.ciphertext[0] ^= 0x80;
    assert_eq!(
        err(&dec(&mut s, &md("Decrypt"), "ext-key-1", &t, AAD)),
        expect
    );
    let mut t = c.clone();
    t.authentication_tag[15] ^= 1;
    assert_eq!(
        err(&dec(&mut s, &md("ReEncrypt"), "ext-key-1", &t, AAD)),
        expect
    );
    let mut t = c.clone();
    t.initialization_vector = vec![0; 16];
    let o = dec(&mut s, &md("Decrypt"), "ext-key-1", &t, AAD);
    assert_eq!(err(&o), expect);
    assert_eq!(
        o.exchange.response_body.as_ref().unwrap()["errorName"],
        "InvalidCiphertextException"
    );
    assert_eq!(o.exchange.response_status, Some(400));
    // Another external key does not decrypt it.
    assert!(dec(&mut s, &md("Decrypt"), "ext-key-meta", &c, AAD)
        .result
        .is_err());
    // A malformed IV is a ValidationException, which KMS reports as an uninterpretable answer.
    let mut t = c.clone();
    t.initialization_vector = vec![0; 8];
    assert_eq!(
        err(&dec(&mut s, &md("Decrypt"), "ext-key-1", &t, AAD)),
        ("KMSInvalidStateException", MSG_INVALID_RESPONSE.to_string())
    );
    // The error mapping gives KMS's answer inner_ciphertext_invalid for the inner layer.
    assert_eq!(
        XksError::inner_ciphertext_invalid().message,
        MSG_INNER_INVALID_CIPHERTEXT
    );
}

#[test]
fn authentication_credentials_rotation_and_clock_skew() {
    // KMS signs with a credential the proxy does not know.
    let mut s =
        store(json!({"acceptedCredentials": [{"accessKeyId": NEW_AKID, "secret": NEW_SECRET}]}));
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(
        err(&o),
        ("KMSInvalidStateException", MSG_AUTHENTICATION.to_string())
    );
    assert_eq!(o.exchange.response_status, Some(401));
    let a = o.exchange.authentication.as_ref().unwrap();
    assert_eq!((a.verified, a.reason), (false, "UnknownAccessKey"));
    assert_eq!(
        err(&meta(&mut s, &md("CreateKey"), "ext-key-1")).0,
        "CustomKeyStoreInvalidStateException"
    );
    assert_eq!(
        err(&health(&mut s, "UpdateCustomKeyStore")).0,
        "XksProxyIncorrectAuthenticationCredentialException"
    );
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::InvalidCredentials
    );

    // Rotation: the proxy accepts both; KMS moves to the new credential; the old one is removed.
    let both = json!({"acceptedCredentials": [
        {"accessKeyId": AKID, "secret": SECRET},
        {"accessKeyId": NEW_AKID, "secret": NEW_SECRET}]});
    let mut s = store(both);
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_ok());
    s.kms.credential = Credential::new(NEW_AKID, NEW_SECRET);
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(
        o.exchange.authentication.unwrap().access_key_id.as_deref(),
        Some(NEW_AKID)
    );
    s.proxy
        .accepted_credentials
        .retain(|c| c.access_key_id == NEW_AKID);
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_ok());
    s.kms.credential = Credential::new(AKID, SECRET);
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_err());

    // Right key id, wrong secret.
    let mut s =
        store(json!({"acceptedCredentials": [{"accessKeyId": AKID, "secret": NEW_SECRET}]}));
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(
        o.exchange.authentication.unwrap().reason,
        "SignatureMismatch"
    );

    // The proxy's clock: five minutes off passes, a millisecond more fails.
    for (skew, ok) in [
        (300_000, true),
        (-300_000, true),
        (300_001, false),
        (-300_001, false),
    ] {
        let mut s = store(json!({"clockSkewMs": skew}));
        let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
        assert_eq!(o.result.is_ok(), ok, "skew {skew}");
        if !ok {
            assert_eq!(
                o.exchange.authentication.unwrap().reason,
                "RequestTimeTooSkewed"
            );
            assert_eq!(
                connect(&mut s).result.unwrap_err(),
                Code::InvalidCredentials
            );
        }
    }
}

#[test]
fn authorization_rules_decide_and_are_recorded() {
    let rules = json!({"authorization": {"Statement": [
        {"Sid": "AppEncryptsViaEbs", "Effect": "Allow", "Action": "Encrypt", "Resource": "ext-key-1",
         "Condition": {"awsPrincipalArn": APP, "kmsViaService": "ebs"}},
        {"Sid": "AnyoneInAccountDecrypts", "Effect": "Allow", "Action": ["Decrypt", "GetKeyMetadata"],
         "Condition": {"awsPrincipalArn": "arn:aws:iam::111122223333:*"}},
        {"Sid": "NoInterns", "Effect": "Deny", "Action": "*",
         "Condition": {"awsPrincipalArn": "arn:aws:iam::111122223333:role/intern*"}}
    ]}});
    let mut s = store(rules);
    let mut via_ebs = md("Encrypt");
    via_ebs.kms_via_service = Some("ebs".into());
    let o = enc(&mut s, &via_ebs, "ext-key-1");
    let c = o.result.clone().unwrap();
    let d = o.exchange.authorization.unwrap();
    assert_eq!(
        (d.allowed, d.decision, d.rule.as_deref()),
        (true, "Allow", Some("AppEncryptsViaEbs"))
    );
    assert_eq!(
        o.exchange.request_body["requestMetadata"]["kmsViaService"],
        "ebs"
    );

    // Without the service, or on another key: nothing allows it.
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(
        err(&o),
        ("KMSInvalidStateException", MSG_ACCESS_DENIED.to_string())
    );
    assert_eq!(o.exchange.response_status, Some(403));
    let d = o.exchange.authorization.unwrap();
    assert_eq!(
        (d.allowed, d.decision, d.rule),
        (false, "ImplicitDeny", None)
    );
    assert!(enc(&mut s, &via_ebs, "ext-key-meta").result.is_err());

    // Another principal in the account decrypts; an intern is denied explicitly.
    let mut other = md("Decrypt");
    other.aws_principal_arn = "arn:aws:iam::111122223333:user/ops".into();
    let o = dec(&mut s, &other, "ext-key-1", &c, AAD);
    assert_eq!(
        o.exchange.authorization.unwrap().rule.as_deref(),
        Some("AnyoneInAccountDecrypts")
    );
    let mut intern = md("Decrypt");
    intern.aws_principal_arn = "arn:aws:iam::111122223333:role/intern-7".into();
    let o = dec(&mut s, &intern, "ext-key-1", &c, AAD);
    let d = o.exchange.authorization.clone().unwrap();
    assert_eq!(
        (d.decision, d.rule.as_deref()),
        ("ExplicitDeny", Some("NoInterns"))
    );
    assert!(d.explanation.contains("intern-7"));
    // CreateKey's GetKeyMetadata denied: CustomKeyStoreInvalidStateException (developer guide).
    let mut create = intern.clone();
    create.kms_operation = "CreateKey".into();
    assert_eq!(
        err(&meta(&mut s, &create, "ext-key-1")),
        (
            "CustomKeyStoreInvalidStateException",
            MSG_ACCESS_DENIED.to_string()
        )
    );
    // GetHealthStatus is exempt.
    let h = health(&mut s, "KmsHealthCheck");
    assert!(h.result.is_ok());
    assert_eq!(h.exchange.authorization.unwrap().decision, "Exempt");
    assert!(connect(&mut s).result.is_ok());
}

#[test]
fn external_key_status_usage_and_existence() {
    let mut s = store(json!({}));
    let enabled = ("KMSInvalidStateException", MSG_KEY_NOT_ENABLED.to_string());
    assert_eq!(err(&enc(&mut s, &md("Encrypt"), "ext-key-off")), enabled);
    // GetKeyMetadata still answers; CreateKey then refuses the key.
    let m = meta(&mut s, &md("CreateKey"), "ext-key-off")
        .result
        .unwrap();
    assert_eq!(
        m,
        KeyMetadata {
            key_spec: "AES_256".into(),
            key_usage: vec!["ENCRYPT".into(), "DECRYPT".into()],
            key_status: "DISABLED".into()
        }
    );
    let e = validate_for_create_key(&m).unwrap_err();
    assert_eq!(e.exception, "XksKeyInvalidConfigurationException");
    assert!(e.message.contains("is DISABLED."), "{}", e.message);
    let ok = meta(&mut s, &md("CreateKey"), "ext-key-1").result.unwrap();
    assert_eq!(validate_for_create_key(&ok), Ok(()));
    let rsa = meta(&mut s, &md("CreateKey"), "ext-key-rsa")
        .result
        .unwrap();
    assert!(validate_for_create_key(&rsa)
        .unwrap_err()
        .message
        .contains("RSA_2048"));
    let enc_only = meta(&mut s, &md("CreateKey"), "ext-key-enc-only")
        .result
        .unwrap();
    assert!(validate_for_create_key(&enc_only)
        .unwrap_err()
        .message
        .contains("must include ENCRYPT and DECRYPT"));

    // Usage gates operations.
    let c = enc(&mut s, &md("Encrypt"), "ext-key-enc-only")
        .result
        .unwrap();
    let usage = ("KMSInvalidStateException", MSG_KEY_USAGE.to_string());
    assert_eq!(
        err(&dec(&mut s, &md("Decrypt"), "ext-key-enc-only", &c, AAD)),
        usage
    );
    assert_eq!(err(&enc(&mut s, &md("Encrypt"), "ext-key-rsa")), usage);

    // A missing key.
    let o = enc(&mut s, &md("Encrypt"), "no-such-key");
    assert_eq!(
        err(&o),
        ("KMSInvalidStateException", MSG_KEY_NOT_FOUND.to_string())
    );
    assert_eq!(o.exchange.response_status, Some(404));
    assert_eq!(
        err(&meta(&mut s, &md("CreateKey"), "no-such-key")).0,
        "XksKeyNotFoundException"
    );

    // Disabling the external key later (in the key manager) stops existing ciphertexts too.
    let c = enc(&mut s, &md("Encrypt"), "ext-key-1").result.unwrap();
    s.proxy.external_keys[0].status = config::ExternalKeyStatus::Disabled;
    assert_eq!(
        err(&dec(&mut s, &md("Decrypt"), "ext-key-1", &c, AAD)),
        enabled
    );
}

#[test]
fn latency_and_the_250_ms_timeout() {
    let mut s = store(json!({"latencyMs": 250}));
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_ok());
    let mut s = store(json!({"latencyMs": 251}));
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(
        err(&o),
        ("KMSInvalidStateException", MSG_TIMEOUT.to_string())
    );
    assert_eq!(
        (o.exchange.elapsed_ms, o.exchange.proxy_latency_ms),
        (250, 251)
    );
    assert_eq!(o.exchange.response_status, None);
    assert!(o.exchange.transport_error.unwrap().contains("251 ms"));
    assert_eq!(
        err(&meta(&mut s, &md("CreateKey"), "ext-key-1")).0,
        "CustomKeyStoreInvalidStateException"
    );
    assert_eq!(
        err(&health(&mut s, "CreateCustomKeyStore")).0,
        "XksProxyUriUnreachableException"
    );
    assert_eq!(connect(&mut s).result.unwrap_err(), Code::XksProxyTimedOut);

    // A slow Decrypt only, for one request.
    let mut s = store(json!({"faults": [{"on": "Decrypt", "latencyMs": 400, "times": 1}]}));
    let c = enc(&mut s, &md("Encrypt"), "ext-key-1").result.unwrap();
    assert_eq!(
        err(&dec(&mut s, &md("Decrypt"), "ext-key-1", &c, AAD)).1,
        MSG_TIMEOUT
    );
    let o = dec(&mut s, &md("Decrypt"), "ext-key-1", &c, AAD);
    assert!(o.result.is_ok());
    assert_eq!(o.exchange.elapsed_ms, 20);
}

#[test]
fn injected_faults() {
    let mut s =
        store(json!({"faults": [{"on": "Decrypt", "error": "DependencyTimeoutException"}]}));
    let c = enc(&mut s, &md("Encrypt"), "ext-key-1").result.unwrap();
    let o = dec(&mut s, &md("Decrypt"), "ext-key-1", &c, AAD);
    assert_eq!(
        err(&o),
        (
            "KMSInvalidStateException",
            MSG_DEPENDENCY_TIMEOUT.to_string()
        )
    );
    assert_eq!(o.exchange.response_status, Some(503));
    assert_eq!(o.exchange.fault, Some("DependencyTimeoutException"));

    // Each proxy error name, for each kind of caller, is some documented exception.
    for name in ProxyErrorName::ALL {
        let mut s = store(json!({"faults": [{"error": name.as_str()}]}));
        let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
        assert_eq!(o.exchange.response_status, Some(name.http_status()));
        assert_eq!(err(&o).0, "KMSInvalidStateException", "{name:?}");
        let o = meta(&mut s, &md("CreateKey"), "ext-key-1");
        assert!(
            [
                "CustomKeyStoreInvalidStateException",
                "XksKeyInvalidConfigurationException",
                "XksKeyNotFoundException"
            ]
            .contains(&err(&o).0),
            "{name:?}"
        );
        let o = health(&mut s, "CreateCustomKeyStore");
        assert!(
            err(&o).0.starts_with("Xks") || err(&o).0 == "UnsupportedOperationException",
            "{name:?}"
        );
    }

    // Throttling, once, in a time window.
    let later = Instant(t0().0 + 60_000);
    let mut s = store(
        json!({"faults": [{"on": "Encrypt", "error": "ThrottlingException",
        "from": "2026-11-22T12:00:30Z", "until": "2026-11-22T12:05:00Z", "times": 1}]}),
    );
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_ok());
    assert_eq!(
        err(&enc_at(&mut s, &md("Encrypt"), "ext-key-1", later)).1,
        MSG_THROTTLING
    );
    assert!(enc_at(&mut s, &md("Encrypt"), "ext-key-1", later)
        .result
        .is_ok());

    // Network faults.
    let mut s = store(json!({"faults": [{"error": "Unreachable"}]}));
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(err(&o).1, MSG_TCP);
    assert_eq!(o.exchange.response_status, None);
    assert!(o.exchange.authentication.is_none());
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyNotReachable
    );
    let mut s = store(json!({"faults": [{"error": "TlsHandshakeFailure"}]}));
    assert_eq!(err(&enc(&mut s, &md("Encrypt"), "ext-key-1")).1, MSG_TLS);
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyInvalidTlsConfiguration
    );

    // A malformed answer.
    let mut s = store(json!({"faults": [{"error": "MalformedResponse"}]}));
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(err(&o).1, MSG_INVALID_RESPONSE);
    assert!(o
        .exchange
        .response_body
        .unwrap()
        .as_str()
        .unwrap()
        .starts_with("<html>"));
    assert_eq!(
        err(&health(&mut s, "UpdateCustomKeyStore")).0,
        "XksProxyInvalidResponseException"
    );
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyInvalidResponse
    );

    // A bit flip after the CDIV was computed: KMS's CDIV check catches it.
    let mut s = store(json!({"faults": [{"on": "Encrypt", "error": "CorruptResponse"}]}));
    let o = enc(&mut s, &md("GenerateDataKey"), "ext-key-1");
    assert_eq!(err(&o).1, MSG_INVALID_RESPONSE);
    assert!(!o.exchange.cdiv.unwrap().matches);
    assert_eq!(o.exchange.fault, Some("CorruptResponse"));
    // On Decrypt the flipped plaintext reaches KMS, whose inner decrypt then fails.
    let mut s = store(json!({"faults": [{"on": "Decrypt", "error": "CorruptResponse"}]}));
    let c = enc(&mut s, &md("Encrypt"), "ext-key-1").result.unwrap();
    let d = dec(&mut s, &md("Decrypt"), "ext-key-1", &c, AAD)
        .result
        .unwrap();
    assert_ne!(d.expose(), PT);
    assert_eq!(d.expose().len(), PT.len());
    assert_eq!(FaultKind::CorruptResponse.name(), "CorruptResponse");
}

#[test]
fn uri_path_and_endpoint_mismatches() {
    let mut s = store(json!({"servedUriPath": "/other/kms/xks/v1"}));
    let o = enc(&mut s, &md("Encrypt"), "ext-key-1");
    assert_eq!(
        err(&o),
        ("KMSInvalidStateException", MSG_URI_PATH.to_string())
    );
    assert_eq!(o.exchange.response_status, Some(404));
    assert!(
        o.exchange.authentication.is_none(),
        "routing comes before authentication"
    );
    assert_eq!(
        err(&health(&mut s, "UpdateCustomKeyStore")).0,
        "XksProxyInvalidConfigurationException"
    );
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyInvalidConfiguration
    );
    // KMS updated to the right path (UpdateCustomKeyStore): works again.
    s.kms.uri_path = "/other/kms/xks/v1".into();
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_ok());
    // KMS pointed at another host: no TCP connection.
    s.kms.uri_endpoint = "https://elsewhere.example.com".into();
    assert_eq!(err(&enc(&mut s, &md("Encrypt"), "ext-key-1")).1, MSG_TCP);
    let mut s = store(json!({"reachable": false}));
    assert_eq!(
        err(&meta(&mut s, &md("CreateKey"), "ext-key-1")),
        ("CustomKeyStoreInvalidStateException", MSG_TCP.to_string())
    );
}

#[test]
fn tls_certificates_and_mtls() {
    let mut s = store(json!({"serverCertificate": {"commonName": "*.example.com"}}));
    assert!(connect(&mut s).result.is_ok());
    let mut s = store(json!({"serverCertificate": {"commonName": "*.xks.example.com"}}));
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyInvalidTlsConfiguration
    );
    let mut s = store(json!({"serverCertificate": {"notAfter": "2026-11-22T12:00:00Z"}}));
    let c = connect(&mut s);
    assert_eq!(c.result.unwrap_err(), Code::XksProxyInvalidTlsConfiguration);
    assert!(c.reason.contains("expired"));
    let mut s = store(json!({"serverCertificate": {"trustedCa": false}}));
    assert_eq!(err(&enc(&mut s, &md("Encrypt"), "ext-key-1")).1, MSG_TLS);
    let mut s = store(json!({"mtls": {"clientCertificateCn": "cks.kms.us-east-1.amazonaws.com"}}));
    assert!(enc(&mut s, &md("Encrypt"), "ext-key-1").result.is_ok());
    let mut s = store(json!({"mtls": {"clientCertificateCn": "cks.kms.eu-west-1.amazonaws.com"}}));
    let c = connect(&mut s);
    assert_eq!(c.result.unwrap_err(), Code::XksProxyInvalidTlsConfiguration);
    assert!(
        c.reason.contains("cks.kms.us-east-1.amazonaws.com"),
        "{}",
        c.reason
    );
}

fn vpc(over: Value) -> XksStore {
    let mut svc = json!({"name": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
                         "allowedPrincipals": ["cks.kms.us-east-1.amazonaws.com"]});
    merge(&mut svc, over);
    store(json!({"connectivity": "VPC_ENDPOINT_SERVICE", "vpcEndpointService": svc}))
}

#[test]
fn connection_attempts() {
    let mut s = store(json!({}));
    let c = connect(&mut s);
    let h = c.result.unwrap();
    assert_eq!(h.ekm_fleet_details[0].health_status, "ACTIVE");
    let ex = c.exchange.unwrap();
    assert_eq!(ex.path, "/example/kms/xks/v1/health");
    assert_eq!(
        ex.request_body,
        json!({"requestMetadata": {"kmsOperation": "ConnectCustomKeyStore", "kmsRequestId": "req-connect-1"}})
    );

    let mut s = vpc(json!({}));
    assert!(connect(&mut s).result.is_ok());
    assert_eq!(
        s.kms.describe()["VpcEndpointServiceName"],
        "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    );
    for (over, code) in [
        (
            json!({"exists": false}),
            Code::XksVpcEndpointServiceNotFound,
        ),
        (
            json!({"name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"}),
            Code::XksVpcEndpointServiceNotFound,
        ),
        (
            json!({"allowedPrincipals": ["arn:aws:iam::111122223333:root"]}),
            Code::XksVpcEndpointServiceInvalidConfiguration,
        ),
        (
            json!({"acceptanceRequired": true}),
            Code::XksVpcEndpointServiceInvalidConfiguration,
        ),
        (
            json!({"availabilityZones": 1}),
            Code::XksVpcEndpointServiceInvalidConfiguration,
        ),
        (
            json!({"loadBalancer": "GATEWAY"}),
            Code::XksVpcEndpointServiceInvalidConfiguration,
        ),
        (
            json!({"privateDnsName": "proxy.internal.example.com"}),
            Code::XksVpcEndpointServiceInvalidConfiguration,
        ),
        (
            json!({"privateDnsVerified": false}),
            Code::XksVpcEndpointServiceInvalidConfiguration,
        ),
    ] {
        let mut s = vpc(over.clone());
        let c = connect(&mut s);
        assert_eq!(c.result.unwrap_err(), code, "{over}");
        assert!(c.exchange.is_none());
        assert!(!c.reason.is_empty());
    }
    let c = connect(&mut vpc(
        json!({"allowedPrincipals": ["arn:aws:iam::111122223333:root"]}),
    ));
    assert!(c.reason.contains("cks.kms.us-east-1.amazonaws.com"));
    // A missing endpoint service also leaves crypto calls without a connection.
    let mut s = vpc(json!({"exists": false}));
    assert_eq!(err(&enc(&mut s, &md("Encrypt"), "ext-key-1")).1, MSG_TCP);

    // Key managers all unavailable.
    let mut s = store(
        json!({"ekmFleet": [{"id": "hsm-1", "healthStatus": "UNAVAILABLE"}, {"id": "hsm-2", "healthStatus": "UNAVAILABLE"}]}),
    );
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyNotReachable
    );
    assert_eq!(
        err(&health(&mut s, "UpdateCustomKeyStore")),
        ("XksProxyUriUnreachableException", MSG_UNHEALTHY.to_string())
    );
    assert!(health(&mut s, "KmsHealthCheck").result.is_ok());
    assert_eq!(
        err(&enc(&mut s, &md("Encrypt"), "ext-key-1")).1,
        MSG_INTERNAL
    );
    let mut s = store(
        json!({"ekmFleet": [{"id": "hsm-1", "healthStatus": "UNAVAILABLE"}, {"id": "hsm-2", "healthStatus": "DEGRADED"}]}),
    );
    assert!(connect(&mut s).result.is_ok());

    // An access-denied health check (a misbehaving proxy) and its code.
    let mut s =
        store(json!({"faults": [{"on": "GetHealthStatus", "error": "AccessDeniedException"}]}));
    assert_eq!(
        connect(&mut s).result.unwrap_err(),
        Code::XksProxyAccessDenied
    );
    assert_eq!(
        Code::XksVpcEndpointServiceInvalidConfiguration.as_str(),
        "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION"
    );
}

fn signed(s: &XksStore, method: &str, path: &str, body: Value) -> HttpRequest {
    let mut req = HttpRequest::new(method, path, body.to_string().into_bytes())
        .with_header("Host", "xks.example.com");
    sigv4::sign(
        &mut req,
        &s.kms.credential,
        REGION,
        sigv4::XKS_SERVICE,
        t0(),
    );
    req
}

fn call_signed(s: &mut XksStore, method: &str, path: &str, body: Value) -> (u16, Value) {
    let req = signed(s, method, path, body);
    answer(s, &req)
}

fn answer(s: &mut XksStore, req: &HttpRequest) -> (u16, Value) {
    let h = s.proxy.handle(req, t0(), &mut seeded_rng(3));
    let v = serde_json::from_str(&h.response.body).unwrap_or(Value::Null);
    (h.response.status, v)
}

// The proxy on its own, as a direct caller sees it.
#[test]
fn proxy_http_api() {
    let mut s = store(json!({}));
    let base = "/example/kms/xks/v1";
    let rm = json!({"awsPrincipalArn": APP, "kmsKeyArn": KEY_ARN, "kmsOperation": "BulkEncrypt", "kmsRequestId": "r-1"});
    let good =
        json!({"requestMetadata": rm, "plaintext": b64(b"hi"), "encryptionAlgorithm": "AES_GCM"});

    // An unknown kmsOperation is served (spec: MUST NOT reject); no CDIV unless asked.
    let (st, v) = call_signed(
        &mut s,
        "POST",
        &format!("{base}/keys/ext-key-1/encrypt"),
        good.clone(),
    );
    assert_eq!(st, 200);
    assert!(v.get("ciphertextDataIntegrityValue").is_none());
    assert_eq!(
        unb64(v["initializationVector"].as_str().unwrap())
            .unwrap()
            .len(),
        12
    );

    let (st, v) = call_signed(
        &mut s,
        "GET",
        &format!("{base}/keys/ext-key-1/encrypt"),
        good.clone(),
    );
    assert_eq!((st, v), (405, Value::Null));
    for path in [
        format!("{base}/keys/ext-key-1/sign"),
        format!("{base}/keys//encrypt"),
        "/kms/xks/v1/health".to_string(),
        format!("{base}/healthz"),
    ] {
        let (st, v) = call_signed(&mut s, "POST", &path, good.clone());
        assert_eq!(
            (st, v["errorName"].as_str()),
            (404, Some("InvalidUriPathException")),
            "{path}"
        );
    }
    let unsigned = HttpRequest::new("POST", &format!("{base}/health"), b"{}".to_vec())
        .with_header("Host", "xks.example.com");
    let (st, v) = answer(&mut s, &unsigned);
    assert_eq!(
        (st, v["errorName"].as_str()),
        (401, Some("AuthenticationFailedException"))
    );
    assert!(v["errorMessage"]
        .as_str()
        .unwrap()
        .contains("Authorization"));

    let bad = |s: &mut XksStore, op: &str, body: Value| {
        let (st, v) = call_signed(s, "POST", &format!("{base}/keys/ext-key-1/{op}"), body);
        (st, v["errorName"].as_str().unwrap_or_default().to_string())
    };
    let validation = (400, "ValidationException".to_string());
    assert_eq!(bad(&mut s, "encrypt", json!("not an object")), validation);
    assert_eq!(
        bad(
            &mut s,
            "encrypt",
            json!({"plaintext": "aGk=", "encryptionAlgorithm": "AES_GCM"})
        ),
        validation
    );
    let mut no_arn = good.clone();
    no_arn["requestMetadata"]
        .as_object_mut()
        .unwrap()
        .remove("kmsKeyArn");
    assert_eq!(bad(&mut s, "encrypt", no_arn.clone()), validation);
    // GetKeyMetadata needs no kmsKeyArn (CreateKey has none yet).
    assert_eq!(bad(&mut s, "metadata", no_arn).0, 200);
    let mut alg = good.clone();
    alg["encryptionAlgorithm"] = "AES_CBC".into();
    assert_eq!(bad(&mut s, "encrypt", alg), validation);
    let mut b64bad = good.clone();
    b64bad["plaintext"] = "***".into();
    assert_eq!(bad(&mut s, "encrypt", b64bad), validation);
    let mut cdiv_alg = good.clone();
    cdiv_alg["ciphertextDataIntegrityValueAlgorithm"] = "MD5".into();
    assert_eq!(bad(&mut s, "encrypt", cdiv_alg), validation);
    let mut big = good.clone();
    big["additionalAuthenticatedData"] = b64(&[0; MAX_AAD + 1]).into();
    assert_eq!(
        bad(&mut s, "encrypt", big),
        (501, "UnsupportedOperationException".to_string())
    );
    let mut ok_aad = good.clone();
    ok_aad["additionalAuthenticatedData"] = b64(&[0; MAX_AAD]).into();
    assert_eq!(bad(&mut s, "encrypt", ok_aad).0, 200);

    // Health: only kmsRequestId and kmsOperation needed.
    let (st, v) = call_signed(
        &mut s,
        "POST",
        &format!("{base}/health"),
        json!({"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "KmsHealthCheck"}}),
    );
    assert_eq!(st, 200);
    assert_eq!(v["xksProxyFleetSize"], 1);
    assert_eq!(v["ekmFleetDetails"][0]["healthStatus"], "ACTIVE");
}

#[test]
fn error_mapping_follows_the_spec_table() {
    use KmsCaller::*;
    use ProxyErrorName as N;
    let e = |f: Failure, c| f.kms_error(c).exception;
    assert_eq!(
        e(Failure::Proxy(N::ValidationException), ManageKeyStore),
        "XksProxyInvalidResponseException"
    );
    assert_eq!(
        e(Failure::Proxy(N::InvalidStateException), CreateKey),
        "XksKeyInvalidConfigurationException"
    );
    assert_eq!(
        e(Failure::Proxy(N::InvalidKeyUsageException), CreateKey),
        "XksKeyInvalidConfigurationException"
    );
    assert_eq!(
        e(Failure::Proxy(N::KeyNotFoundException), CreateKey),
        "XksKeyNotFoundException"
    );
    assert_eq!(
        e(Failure::Proxy(N::InvalidUriPathException), ManageKeyStore),
        "XksProxyInvalidConfigurationException"
    );
    assert_eq!(
        e(
            Failure::Proxy(N::DependencyTimeoutException),
            ManageKeyStore
        ),
        "XksProxyUriUnreachableException"
    );
    assert_eq!(
        e(Failure::Proxy(N::ThrottlingException), ManageKeyStore),
        "XksProxyUriUnreachableException"
    );
    assert_eq!(
        e(Failure::Proxy(N::InternalException), ManageKeyStore),
        "XksProxyInvalidResponseException"
    );
    assert_eq!(
        e(Failure::TlsConnection(String::new()), ManageKeyStore),
        "XksProxyUriUnreachableException"
    );
    assert_eq!(
        e(Failure::Timeout, CreateKey),
        "CustomKeyStoreInvalidStateException"
    );
    // Names the spec does not list for health checks read as a malformed answer.
    assert_eq!(
        Failure::Proxy(N::KeyNotFoundException).kms_error(ManageKeyStore),
        XksError {
            exception: "XksProxyInvalidResponseException",
            message: MSG_INVALID_RESPONSE.into()
        }
    );
    for f in ProxyErrorName::ALL.map(Failure::Proxy).into_iter().chain([
        Failure::TcpConnection,
        Failure::TlsConnection(String::new()),
        Failure::Timeout,
        Failure::MalformedResponse(String::new()),
        Failure::NotConnected,
    ]) {
        assert_eq!(
            e(f.clone(), Cryptographic),
            "KMSInvalidStateException",
            "{f:?}"
        );
        assert!(!f.kms_error(CreateKey).message.is_empty());
    }
    assert_eq!(
        XksError::not_connected(CreateKey).exception,
        "CustomKeyStoreInvalidStateException"
    );
    assert_eq!(
        XksError::not_connected(Cryptographic).message,
        MSG_NOT_CONNECTED
    );
    assert_eq!(
        KmsCaller::of("GenerateDataKeyWithoutPlaintext"),
        Cryptographic
    );
    assert_eq!(KmsCaller::of("UpdateCustomKeyStore"), ManageKeyStore);
    let b: crate::keystore::BackendError = XksError::not_connected(Cryptographic).into();
    assert_eq!(b.exception, "KMSInvalidStateException");
}
