#!/usr/bin/env bash
# Installs what is missing, builds the app in release mode and serves it on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release --skip-version-check
port=${PORT:-8080}
echo "kmslab is served at http://127.0.0.1:$port/ (Ctrl-C to stop)"
echo "The CLI: cargo run -p kmslab-cli -- run scenarios/examples/nps-least-privilege.json"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory dist
