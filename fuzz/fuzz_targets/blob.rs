//! Ciphertext blob parsing: any bytes read as a version-1 blob (KMS key) or a version-2 blob
//! (external key store) give a header or an error, never a panic. A v1 header that parses is
//! opened (it must fail cleanly under the wrong key); a v2 blob that parses writes back to the
//! same bytes; and a blob sealed here parses to what was sealed and opens to the plaintext.
#![no_main]

use kmslab_engine::crypto::{open, parse_blob, seal, seeded_rng, ExternalBlob, KeyMaterial};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let material = KeyMaterial::from_bytes(&[7u8; 32]).expect("32 bytes are key material");
    let context = BTreeMap::new();
    if let Ok(header) = parse_blob(data) {
        assert!(!header.key_id.is_empty() && header.key_id.len() <= 128);
        let _ = open(&material, &header, &context);
    }
    if let Ok(external) = ExternalBlob::parse(data) {
        let written = external
            .to_bytes()
            .expect("a parsed v2 blob can be written");
        assert_eq!(written, data, "a v2 blob does not round-trip");
    }
    // Round trip: the first byte picks the key id's length, the rest is the plaintext.
    let Some((&n, plaintext)) = data.split_first() else {
        return;
    };
    let key_id: String = "k".repeat(usize::from(n % 130));
    let version = u32::from(n).wrapping_mul(0x0101_0101);
    match seal(
        &material,
        &key_id,
        version,
        plaintext,
        &context,
        &mut seeded_rng(1),
    ) {
        Ok(blob) => {
            let header = parse_blob(&blob).expect("a sealed blob parses");
            assert_eq!(header.key_id, key_id);
            assert_eq!(header.key_version, version);
            let opened = open(&material, &header, &context).expect("a sealed blob opens");
            assert_eq!(opened.expose(), plaintext);
        }
        Err(_) => assert!(
            key_id.is_empty() || key_id.len() > 128,
            "seal refused key id {key_id:?}"
        ),
    }
});
