#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup, formatting, lints, dependency directions, tests.
# Campaign sizes can be raised for a full run, e.g. PAYSYNC_CRASH_ROUNDS=200 scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLX_OFFLINE=true CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
start=$(date +%s)

step "setup"
scripts/setup.sh

# Tests must never touch the real app-data directory.
real_data="${XDG_DATA_HOME:-$HOME/.local/share}/paysync"
had_real_data=false; [ -e "$real_data" ] && had_real_data=true

step "format"
cargo fmt --all --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "dependency directions"
scripts/check-deps.sh

step "build binaries"
cargo build --workspace --bins --locked

step "tests"
cargo nextest run --workspace --locked --profile ci --no-fail-fast

step "doc tests"
cargo test --workspace --doc --locked

if [ "$had_real_data" = false ] && [ -e "$real_data" ]; then
  echo "tests wrote to the real data directory $real_data" >&2; exit 1
fi
step "all green in $(( $(date +%s) - start )) s"
