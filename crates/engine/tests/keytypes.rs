//! Known-answer tests for the primitives behind asymmetric, HMAC and imported keys, and
//! kmslab's signatures and data key pairs checked outside kmslab's code path: the public key
//! GetPublicKey returns is parsed with the `p256`/`p384`/`k256`/`rsa` verifying-key types
//! directly and verifies the signature Sign returned.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use kmslab_engine::crypto::asym::{Hash, KeyPair, OaepHash, PairSpec, SigningAlgorithm};
use kmslab_engine::crypto::wrap::{self, WrappingAlgorithm};
use kmslab_engine::{parse_scenario, run_scenario};
use rand_core::SeedableRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use rsa::signature::Verifier;
use serde_json::{json, Value};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// RFC 6979 appendix A.2.5 (P-256) and A.2.6 (P-384), message "sample": kmslab's ECDSA is
/// deterministic and gives the published (r, s).
#[test]
fn ecdsa_rfc6979_vectors() {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
    let x = hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let der = p256::SecretKey::from_slice(&x)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let pair = KeyPair::from_pkcs8_der(der.as_bytes()).unwrap();
    assert_eq!(pair.spec(), PairSpec::EccNistP256);
    let sig = pair
        .sign(
            SigningAlgorithm::EcdsaSha256,
            &Hash::Sha256.digest(b"sample"),
            &mut rng,
        )
        .unwrap();
    let sig = p256::ecdsa::Signature::from_der(&sig).unwrap();
    assert_eq!(
        sig.to_bytes().to_vec(),
        hex(
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716
             f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
        )
    );

    let x = hex("6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5");
    let der = p384::SecretKey::from_slice(&x)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let pair = KeyPair::from_pkcs8_der(der.as_bytes()).unwrap();
    let sig = pair
        .sign(
            SigningAlgorithm::EcdsaSha384,
            &Hash::Sha384.digest(b"sample"),
            &mut rng,
        )
        .unwrap();
    let sig = p384::ecdsa::Signature::from_der(&sig).unwrap();
    assert_eq!(
        sig.to_bytes().to_vec(),
        hex("94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46
             99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8")
    );
    // A P-256 key refuses the P-384 algorithm, and a digest of the wrong length.
    assert!(pair
        .sign(SigningAlgorithm::EcdsaSha256, &[0; 32], &mut rng)
        .is_err());
    assert!(pair
        .sign(SigningAlgorithm::EcdsaSha384, &[0; 32], &mut rng)
        .is_err());
}

/// An RSA-2048 key written by OpenSSL 3.0 (`openssl genpkey`, PKCS #8 DER).
const OPENSSL_RSA_PKCS8: &str = "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCsvlTbuYlGslWQKP4vHbTWB5b1mR61mXTwnk1+LYU+3F/y76ul7kRB/XZhi2ic+SaFIvhYaYIptykj5g7g9y3/0Oeza3AYPDN8k9eEYOfnAna+QX5EamvAbwHpExerxLknOBjf1bO7+SrNiBpIlX5MCFAH4jVUJmXCRFIFrUzMKLOScIqWRMxejjHRwTV7KPhQ9OGTCB+ptoSMnXT7aiHlfZMU831i2EZhG4tGIEmCrf5Ye8s/JaCKyw3vVVAxpD29f/+bB0jQ0IYQR+wDNEmDWVN+DcAA7ayV0uHZhSpvHx/6DhZ5Tf90eQutoihvDL4fLBK+DFiwiIiyYtLRqJhLAgMBAAECggEAS42Tn+auW/Vz5vGG+ySLC3GWXSTzgYn006jpS96tAKlybdbVxGVKBXLObCuFPeLbLi/1XvYGsCgkHkdpCowR2mmMbbT3+iGag0pGYOfhhfBV7zDGATZqmmfy9fYbzEzmjnjCqGPXkMeSKQL2O/jmnGqmVkxh9sQ0jZtEJKd/h2styAvwex61R97EM8vP73n6rWvEV3siEFI8nicomVqd2I7vJZcChfWfDaERBKnWbRAE4HMgPwhQTG5r4WCpIgRjrUO6tEuGPeFjNPIcZgaybPL2cYvHz1XateFpoK/LjIEIuaooTJca7SAb3B8cIQYC2tQRwR+tchaGTnMWXCUdQQKBgQDak9zLw1EqxtNarvlZe+tMgTrHc9FAiNZwnyplVuAjwiZBPzSvNTyKy6l4rzGRv1O+IzQFG0BQJ4TeaP7p5ab44xn46VHfBpYuBWjyd6Ez0M4N6230vW8y/ZtlRGzasoNcdCaUR6BCEzrI5BXF6dKPcS+813U95JDIQXemsJqSXwKBgQDKUZW9wr14PJjLZTpJWva0GtVO5LPkhxRnzfp3mIHIhfgCjuKHVAvctPQMrfwfX42IlM6XUnmlp6lswgckCkdhtBuBcUclQh8vC8CY38jhpn4YTjplfj7eFtuuAYqFEgUahfM1Zemwezkt4vUgSVWVfI2Mp8Yzt201pMcej435lQKBgQCaLbqNMJTMa7siOFJCwJpVOMLRdeygbOV2Q4+QNBuenZCGbaMoA5FVBhvguRNqD19uuz4ya+qNn5Kln8JQEmIZJXhoj4vkmazNgZtpjOD0v9DZGLxS6lzJxwIaCI4QJeNrD7M23N86PH42vkxtcmXIMLrPpdtZcSR/XU6dEe22WQKBgQCfX8lfpIpwrvuGLgXOR1PT6NdjwJFdUnNmmkHV+FM0TSRjj38vL6vwfrNJUb0sUa9CikZ7ucKOFhdGz0mkwFwewSxxuXRcC0xZWR6szoyGBQuLxgQGc36+oK8I0bn2vY07qY0+4TtHhKo0VXbXqi07BtTSmk9t6e6jtVwN3PPwSQKBgD8JskRYKEFV5pOPTQwAz3lgBdCFuM8qUJOkeOPbzkSHRPeS36A2AYZtcp8D7zeZPpmQ7ArehmiMTAkfFVQNsmoxEPA4IGsnZk9R0qoQYHEQ3CaHFae5T+yZS8oylbnTJvQz2zbXnytpZ6lk1GMBr3DgIHDVXHrZSrwGpxkbWYPd";
/// `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256
/// -pkeyopt rsa_mgf1_md:sha256` of "kmslab oaep kat" under that key.
const OPENSSL_OAEP_SHA256: &str = "Dcnc2PsBkuFol6oAyiW8imMrQS8ZyikpNNuc2Uh0O7fSBxjhxkm5zOXmf/xkdwfhqIWovmEDo7+KZBkxnsEai9d5p0wIe6zIk2cekdmsJ4dYko/77x8Kxhbtut+Qsbz2pRLlZsLjWvHdtCeyCZIco2mLDz2VHbevgpypvkQw3f1dEPgymcygOLZfvD3yOWHC/gsefDctrhc1WCBmmOp5WFujYrCEYpGXZyqb87eIBqc6dCOwYrpJdX7pnfS8fZVKoCTss9jsn0B7hQ33JUjDn7htepGwt5upV3Q63aJzES1Skri+OurPhPsuXHLe6oqV2D24TkyoT+gCwXDqkMLCQg==";
/// The same with `rsa_oaep_md:sha1`.
const OPENSSL_OAEP_SHA1: &str = "PrpQriF/pfpI8fRP/oApXPd07Gfu3IrYnuDNOg7pi8AH0gYZvAPjN8u4OthhDI0vNZHDgsDYFZOw2Gy5kWDbV/c1l5Oxqj+LWxae8FvhmA/8tsuAxGb60HPfT9gL0CbPt68u4HTE3MckIDWub7WIoZRAtsEBlbyjUazxQYD6i0vyT+XjimT8PPrMPH5TWxXdeTrc2dgTGzZbbSW8qhsYdYgjC5KMsN7igLaHELBuj7xz9nH8iAmk3Dw8gUEofratLQJDih/h3ZVEKgGTvqw0CzsH1iV1R97Rtf1qkgezf0DR33kDKOcR0dObzQUj8FxQtLfNF79IwfqIQr8sKlHcyg==";
/// RSA_AES_KEY_WRAP_SHA_256 done with OpenSSL as importing-keys-encrypt-key-material.md shows:
/// the AES key f0e1...eeff encrypted with OAEP-SHA-256 (`pkeyutl`), then bytes 0..31 wrapped
/// with `openssl enc -id-aes256-wrap-pad -iv A65959A6` (RFC 5649), concatenated.
const OPENSSL_RSA_AES_KEY_WRAP: &str = "E5Rn35GEj/D/s4OnGcjpf/ObYHqPZT4O92mHMZzNK3cI3+pQPNhXMP2JJlNRahiQDGLugpW5EeMhHOfTjSAQDtJbvQsGSIhxknnQ04Beudt0avyzIUtmXB8Mz1xJXJXev+rty68PlMRzY6Ks1BvcbsqcHFL1RuOMkXi6xm1Qk5Rwe24/JkMxhyeVV5SMjVocURyFSgYAWVHT6+eqKQnNJC0zRpZRspcHAcNHZcPQEI8qw0quqbUHKN/zJbHZ304SaQ3Gvj5WzfdvQQwWTdJQeVeHCCPPjzpYDKw03kgaMKr6YxhdTn0A21oM9OR2TNQ/s/aA+n0V32mMXyDpC+p1USj3S3/t/PGE0lk9vOkUVJOfY9QFKV9grR5s5TpO3995S+APV9mq7Qw=";

#[test]
fn rsa_oaep_and_key_wrap_interoperate_with_openssl() {
    let pair = KeyPair::from_pkcs8_der(&b64(OPENSSL_RSA_PKCS8)).unwrap();
    assert_eq!(pair.spec(), PairSpec::Rsa2048);
    let pt = pair
        .decrypt(OaepHash::Sha256, &b64(OPENSSL_OAEP_SHA256))
        .unwrap();
    assert_eq!(pt.expose(), b"kmslab oaep kat");
    let pt = pair
        .decrypt(OaepHash::Sha1, &b64(OPENSSL_OAEP_SHA1))
        .unwrap();
    assert_eq!(pt.expose(), b"kmslab oaep kat");
    // The wrong hash does not decrypt.
    assert!(pair
        .decrypt(OaepHash::Sha1, &b64(OPENSSL_OAEP_SHA256))
        .is_err());
    let material = wrap::unwrap(
        &pair,
        WrappingAlgorithm::RsaAesKeyWrapSha256,
        &b64(OPENSSL_RSA_AES_KEY_WRAP),
    )
    .unwrap();
    assert_eq!(material.expose(), (0u8..32).collect::<Vec<_>>().as_slice());
    assert!(wrap::unwrap(
        &pair,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
        &b64(OPENSSL_RSA_AES_KEY_WRAP)
    )
    .is_err());
}

/// Runs CreateKey + GetPublicKey + Sign for each signing spec through the scenario runner and
/// returns (public key DER, message, signature) per step pair.
/// (signing algorithm, public key DER, message, signature).
type Signed = (String, Vec<u8>, Vec<u8>, Vec<u8>);

fn signatures() -> Vec<Signed> {
    let cases = [
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
        ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384"),
    ];
    let admin = "arn:aws:iam::111122223333:user/admin";
    let mut steps = Vec::new();
    for (i, (spec, alg)) in cases.iter().enumerate() {
        steps.push(
            json!({"id": format!("k{i}"), "caller": admin, "call": "kms:CreateKey",
            "input": {"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"}, "expect": {"error": null}}),
        );
        steps.push(
            json!({"id": format!("p{i}"), "caller": admin, "call": "kms:GetPublicKey",
            "input": {"KeyId": format!("${{k{i}.KeyMetadata.KeyId}}")}, "expect": {"error": null}}),
        );
        steps.push(json!({"id": format!("s{i}"), "caller": admin, "call": "kms:Sign",
            "input": {"KeyId": format!("${{k{i}.KeyMetadata.KeyId}}"), "Message": "aGVsbG8gd29ybGQ=", "SigningAlgorithm": alg},
            "expect": {"error": null}}));
    }
    let doc = json!({
        "kmslab": 1, "title": "signatures", "seed": 7,
        "defaults": {"account": "111122223333", "region": "us-east-1", "time": "2026-11-22T12:00:00Z"},
        "iam": {"policies": [{"name": "All", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}],
                "users": [{"name": "admin", "attached": ["All"]}]},
        "steps": steps,
    });
    let report = run_scenario(&parse_scenario(&doc.to_string()).unwrap()).unwrap();
    assert_eq!(report.failed, 0);
    let out = |id: String, field: &str| -> Vec<u8> {
        let r = report.steps.iter().find(|s| s.id == id).unwrap();
        b64(r.output.as_ref().unwrap()[field].as_str().unwrap())
    };
    cases
        .iter()
        .enumerate()
        .map(|(i, (_, alg))| {
            (
                alg.to_string(),
                out(format!("p{i}"), "PublicKey"),
                b"hello world".to_vec(),
                out(format!("s{i}"), "Signature"),
            )
        })
        .collect()
}

#[test]
fn signatures_verify_with_the_exported_public_key_outside_kmslab() {
    let sigs = signatures();
    for (i, (alg, der, msg, sig)) in sigs.iter().enumerate() {
        let ok = match i {
            0 => {
                let vk = p256::ecdsa::VerifyingKey::from_public_key_der(der).unwrap();
                let s = p256::ecdsa::DerSignature::from_bytes(sig).unwrap();
                vk.verify(msg, &s).is_ok() && vk.verify(b"hello world!", &s).is_err()
            }
            1 => {
                let vk = p384::ecdsa::VerifyingKey::from_public_key_der(der).unwrap();
                let s = p384::ecdsa::DerSignature::from_bytes(sig).unwrap();
                vk.verify(msg, &s).is_ok()
            }
            2 => {
                let vk = k256::ecdsa::VerifyingKey::from_public_key_der(der).unwrap();
                let s = k256::ecdsa::DerSignature::from_bytes(sig).unwrap();
                vk.verify(msg, &s).is_ok()
            }
            3 => {
                let vk = rsa::pss::VerifyingKey::<sha2::Sha256>::from_public_key_der(der).unwrap();
                let s = rsa::pss::Signature::try_from(sig.as_slice()).unwrap();
                vk.verify(msg, &s).is_ok()
            }
            _ => {
                let vk =
                    rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::from_public_key_der(der).unwrap();
                let s = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
                vk.verify(msg, &s).is_ok()
            }
        };
        assert!(
            ok,
            "{alg}: the exported public key does not verify kmslab's signature"
        );
    }
}

#[test]
fn runs_are_reproducible() {
    // The same scenario twice gives the same keys and signatures (seeded generator, lazy pairs).
    assert_eq!(signatures(), signatures());
}

/// GenerateDataKeyPair: the plaintext private key (PKCS #8) matches the public key, and the
/// private key encrypted under the KMS key decrypts to it.
#[test]
fn data_key_pair_halves_match() {
    let admin = "arn:aws:iam::111122223333:user/admin";
    let doc = json!({
        "kmslab": 1, "title": "pairs", "seed": 9,
        "defaults": {"account": "111122223333", "region": "us-east-1", "time": "2026-11-22T12:00:00Z"},
        "iam": {"policies": [{"name": "All", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}],
                "users": [{"name": "admin", "attached": ["All"]}]},
        "keys": [{"id": "k1", "policy": "default"}],
        "steps": [
            {"id": "pair", "caller": admin, "call": "kms:GenerateDataKeyPair", "input": {"KeyId": "k1", "KeyPairSpec": "ECC_NIST_P256"}, "expect": {"error": null}},
            {"id": "dec", "caller": admin, "call": "kms:Decrypt", "input": {"CiphertextBlob": "${pair.PrivateKeyCiphertextBlob}"}, "expect": {"error": null, "output": {"Plaintext": "${pair.PrivateKeyPlaintext}"}}},
        ],
    });
    let report = run_scenario(&parse_scenario(&doc.to_string()).unwrap()).unwrap();
    assert_eq!(
        report.failed,
        0,
        "{:?}",
        report.steps.iter().map(|s| &s.error).collect::<Vec<_>>()
    );
    let out: &Value = report.steps[0].output.as_ref().unwrap();
    let sk =
        p256::ecdsa::SigningKey::from_pkcs8_der(&b64(out["PrivateKeyPlaintext"].as_str().unwrap()))
            .unwrap();
    let vk =
        p256::ecdsa::VerifyingKey::from_public_key_der(&b64(out["PublicKey"].as_str().unwrap()))
            .unwrap();
    assert_eq!(sk.verifying_key(), &vk);
}
