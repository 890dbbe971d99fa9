#!/usr/bin/env bash
# Sets everything up, builds Paysync and starts it: prints the status, then runs the daemon until
# Ctrl-C. Pass --data-dir DIR (or set PAYSYNC_DATA_DIR) to use another data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLX_OFFLINE=true
scripts/setup.sh
cargo build --release --locked --bin paysync
bin=target/release/paysync
"$bin" "$@" init
"$bin" "$@" status
echo
echo "Starting the daemon (Ctrl-C stops it cleanly)…"
exec "$bin" "$@" daemon
