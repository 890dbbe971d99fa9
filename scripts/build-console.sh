#!/usr/bin/env bash
# Builds the web UI and the desktop console with the UI embedded.
#   scripts/build-console.sh            # debug build: target/debug/paysync-console
#   scripts/build-console.sh --release  # release build: target/release/paysync-console
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLX_OFFLINE=true
npm --prefix ui run build
cargo build --locked -p paysync-desktop "$@"
