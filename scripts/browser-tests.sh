#!/usr/bin/env bash
# Builds the release app with Trunk and runs the Playwright tests in Debian's Chromium.
# Assumes the tools are installed (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --skip-version-check
mkdir -p tests/artifacts
wasm=$(ls dist/*.wasm)
printf 'app size: wasm %s bytes (%s gzip), js %s bytes\n' "$(wc -c < "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" "$(cat dist/*.js | wc -c)"
# The engine in headless Chromium: the same blobs and scenario results as natively.
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  cargo test -p kmslab-app --target wasm32-unknown-unknown --test engine_wasm
npx --no-install playwright test
