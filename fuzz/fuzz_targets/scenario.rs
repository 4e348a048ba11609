//! Scenario parsing: any text yields a scenario or a located error, never a panic. A scenario
//! that parses is also run (its size is already capped by the parser's limits), so the runner
//! meets the shapes the parser lets through.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = kmslab_engine::parse_scenario(text) {
        let _ = kmslab_engine::run_scenario(&scenario);
    }
});
