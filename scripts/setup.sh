#!/usr/bin/env bash
# Installs what kmslab needs to build, serve and test, skipping what is already present.
# Idempotent: a second run costs seconds. Safe on a fresh Debian machine of the rust kind.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version in Cargo.lock (checked below).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock 2>/dev/null || true)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}

log() { printf '[setup] %s\n' "$*"; }

# Faster tool builds; the tools' own speed does not matter here.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

need_browser=${NEED_BROWSER:-1}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes, once)"
  # Not --locked: its lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if rustup toolchain list | grep -q '^nightly' \
  && ! { cargo +nightly fuzz --version >/dev/null 2>&1 || cargo fuzz --version >/dev/null 2>&1; }; then
  # scripts/fuzz.sh runs the libFuzzer targets in fuzz/; they need nightly, which the machine
  # has (host target only, enough for libFuzzer). Without nightly the fuzz run is skipped.
  log "installing cargo-fuzz (about a minute, once)"
  cargo install cargo-fuzz --locked
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/@playwright/test ]; then
  log "installing npm dev tools (binaryen, playwright)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$need_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  log "installing Debian chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium chromium-driver
fi

log "ready"
