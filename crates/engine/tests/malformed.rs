//! The malformed-input catalogue, natively: every broken input in `malformed/catalogue.json`
//! gives exactly the located error written there, and none panics. The same catalogue runs in
//! the browser from the app's `tests/engine_wasm.rs`.

#[path = "malformed/runner.rs"]
mod runner;

const CATALOGUE: &str = include_str!("malformed/catalogue.json");

#[test]
fn every_malformed_input_gives_its_exact_located_error() {
    let (n, bad) = runner::mismatches(CATALOGUE);
    assert!(n >= 120, "the catalogue has {n} cases, fewer than 120");
    assert!(
        bad.is_empty(),
        "{} of {n} cases differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn no_malformed_input_panics() {
    for case in runner::cases(CATALOGUE) {
        let r = std::panic::catch_unwind(|| runner::actual(&case));
        assert!(r.is_ok(), "case `{}` panicked", case.name);
    }
}
