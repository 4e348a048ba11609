#!/usr/bin/env bash
# Sets up what is missing (idempotently) and runs every test: formatting, lints, the engine's
# unit/property/corpus tests, the CLI over every scenario, a release build of the app, and the
# browser tests. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (host, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (app, wasm32)"
cargo clippy -p kmslab-app --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test --workspace

step "CLI over every scenario"
mapfile -t scenarios < <(find scenarios -name '*.json' | sort)
cargo run -q -p kmslab-cli -- run "${scenarios[@]}" > target/cli-run.txt || { cat target/cli-run.txt; exit 1; }
tail -n 1 target/cli-run.txt
cargo run -q -p kmslab-cli -- lint "${scenarios[@]}" > target/cli-lint.txt || true

step "fuzz smoke run (every target 20 s, two at a time)"
FUZZ_JOBS=2 scripts/fuzz.sh 20 || { rc=$?; [ "$rc" = 2 ] || exit "$rc"; }

step "release build and browser tests"
scripts/browser-tests.sh
