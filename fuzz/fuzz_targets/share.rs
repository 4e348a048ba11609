//! Share-link decoding: any fragment decodes to a text or a clear error, never a panic; and
//! every text survives the round trip `decode(encode(text)) == text`.
#![no_main]

use kmslab_engine::share::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(fragment) = std::str::from_utf8(data) {
        let _ = decode(fragment);
        let packed = encode(fragment);
        assert_eq!(
            decode(&packed).as_deref(),
            Ok(fragment),
            "share link round trip"
        );
    }
});
