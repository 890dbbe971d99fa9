#!/usr/bin/env bash
# Installs what Paysync needs to build, run and test on a Debian machine. Idempotent: packages
# already present are skipped, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root (or sudo) to run: $*"; exit 1; fi
}

# Debian packages: a C toolchain for crates that build C (SQLite is compiled in, bundled).
APT_PACKAGES=(build-essential pkg-config ca-certificates git curl openssl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Rust toolchain comes from rustup (rust-toolchain.toml pins the channel and components).
if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null || { log "cargo not found: install Rust with rustup (https://rustup.rs) first"; exit 1; }
for component in rustfmt clippy; do
  if command -v rustup >/dev/null && ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    log "adding rustup component $component"
    rustup component add "$component"
  fi
done

# cargo-nextest runs the test suite (each test in its own process).
if ! command -v cargo-nextest >/dev/null; then
  log "installing cargo-nextest from crates.io"
  cargo install cargo-nextest --locked
fi

log "fetching crates"
cargo fetch --locked >/dev/null
log "ready"
