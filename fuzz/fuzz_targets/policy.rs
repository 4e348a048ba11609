//! Policy parsing: any text given to the policy checker (every policy kind, and the KMS key
//! policy checker with its extra findings) yields a located error or findings, never a panic;
//! and a text the checker accepts also parses with `Policy::from_json`.
#![no_main]

use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::json::{self, JsonPath};
use kmslab_engine::lint::{check_key_policy_text, check_policy_text};
use libfuzzer_sys::fuzz_target;

const KINDS: [PolicyKind; 5] = [
    PolicyKind::Identity,
    PolicyKind::Scp,
    PolicyKind::Rcp,
    PolicyKind::Resource,
    PolicyKind::Trust,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = KINDS[usize::from(selector) % KINDS.len()];
    let check = if selector & 0x80 != 0 {
        check_key_policy_text(text, "fuzz")
    } else {
        check_policy_text(text, kind, "fuzz")
    };
    if check.error.is_none() {
        let doc = json::parse(text).expect("the checker accepted text the JSON reader refuses");
        let parsed = Policy::from_json(&doc, kind, &JsonPath::root());
        if selector & 0x80 == 0 {
            assert!(
                parsed.is_ok(),
                "the checker accepted a policy Policy::from_json refuses: {parsed:?}"
            );
        }
    } else {
        assert!(
            check.findings.is_empty(),
            "findings on a policy that does not parse"
        );
    }
});
