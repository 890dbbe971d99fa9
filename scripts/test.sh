#!/usr/bin/env bash
# The whole test suite, as CI runs it: setup, formatting, lints, dependency directions, UI tests,
# the Rust tests, and the end-to-end tests of the real desktop app (WebDriver, under Xvfb).
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

step "UI: unit tests (Vitest, IPC mocked)"
npm --prefix ui test

step "UI: type check and production build"
npm --prefix ui run build

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "dependency directions"
scripts/check-deps.sh

step "build binaries (CLI and the desktop console with the UI embedded)"
cargo build --workspace --bins --locked

step "tests (Rust, keychain, bindings drift, capability and CSP checks, end-to-end through WebDriver)"
# The console's end-to-end tests open real windows: give them a virtual X server. Secrets go to a
# real OS keychain: a throwaway gnome-keyring on a private D-Bus session (never the user's own).
rm -rf artifacts/screenshots
xvfb-run -a -s "-screen 0 1280x2000x24" \
  dbus-run-session -- scripts/with-keyring.sh \
  cargo nextest run --workspace --locked --profile ci --no-fail-fast
echo "screenshots: $(ls artifacts/screenshots 2>/dev/null | tr '\n' ' ')" >&2

step "doc tests"
# The desktop shell and the cross-crate test package have no doc examples; leaving them out spares a
# second build of the whole Tauri stack in the doctest profile.
cargo test --workspace --doc --locked --exclude paysync-desktop --exclude paysync-tests

if [ "$had_real_data" = false ] && [ -e "$real_data" ]; then
  echo "tests wrote to the real data directory $real_data" >&2; exit 1
fi
step "all green in $(( $(date +%s) - start )) s"
