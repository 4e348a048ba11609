#!/usr/bin/env bash
# Builds the release app with Trunk and runs the browser tests in Debian's Chromium: the
# engine's wasm-bindgen tests, then Playwright over dist/. Exits non-zero on any failure.
# Assumes the tools are installed (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# node_modules/.bin first: trunk must find binaryen 132's wasm-opt, never Debian's.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --skip-version-check
mkdir -p tests/artifacts
wasm=$(ls dist/*.wasm)
printf 'app size: wasm %s bytes (%s gzip), js %s bytes\n' "$(wc -c < "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" "$(cat dist/*.js | wc -c)"
# The size guard (docs/size.md): the app as served (wasm and every script, gzip -9) may not
# grow past the ceiling without the commit that grows it raising the ceiling and saying why.
ceiling=$(grep -v '^#' scripts/app-size-ceiling | tr -d '[:space:]')
total=0
for f in dist/*.wasm dist/*.js; do total=$((total + $(gzip -9 -c "$f" | wc -c))); done
if [ "$total" -gt "$ceiling" ]; then
  printf 'app size: %s bytes gzip, above the ceiling of %s bytes in scripts/app-size-ceiling\n' "$total" "$ceiling" >&2
  exit 1
fi
printf 'app size: %s bytes gzip (wasm + js), ceiling %s\n' "$total" "$ceiling"
# The engine in headless Chromium: the same blobs and scenario results as natively.
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  cargo test -p kmslab-app --target wasm32-unknown-unknown --test engine_wasm
# A free port unless one is given, so a second run (or another server) cannot collide.
if [ -z "${KMSLAB_TEST_PORT:-}" ]; then
  KMSLAB_TEST_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export KMSLAB_TEST_PORT
fi
npx --no-install playwright test
