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

# Debian packages: a C toolchain for crates that build C (SQLite is compiled in, bundled); the
# WebKitGTK stack the desktop console is built on (Tauri 2); and, to run and test the console
# without a desktop, an X server (Xvfb), the WebKit WebDriver and ImageMagick for screenshots;
# the OS keychain: libdbus to build the Secret Service client, and gnome-keyring (a real Secret
# Service) with its command-line tools for the keychain tests.
APT_PACKAGES=(
  build-essential pkg-config ca-certificates git curl wget file openssl libssl-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev
  xvfb xauth dbus dbus-x11 webkit2gtk-driver imagemagick xdotool
  libdbus-1-dev gnome-keyring libsecret-tools
)
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

# tauri-driver bridges WebDriver to the app for the end-to-end tests. crates.io's latest is a
# Tauri 3 alpha, so pin the 2.x line.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  log "installing tauri-driver 2 from crates.io"
  cargo install tauri-driver --version '^2' --locked
fi

# Node.js builds and tests the UI (Vite 8 needs Node 20.19 or newer).
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; }
if ! node_ok; then
  log "installing Node.js and npm from Debian"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  node_ok || { log "Node.js 20.19+ is required for the UI (found $(node --version 2>/dev/null || echo none)); install it from nodejs.org or NodeSource"; exit 1; }
fi
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  log "installing UI packages (npm ci)"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi
# A third-party OAuth server (oauth2-mock-server) the connectors' tests sign in against.
if [ ! -d tests/oauth-mock/node_modules ] || [ tests/oauth-mock/package-lock.json -nt tests/oauth-mock/node_modules/.package-lock.json ]; then
  log "installing the OAuth mock server for the tests (npm ci)"
  npm ci --prefix tests/oauth-mock --no-audit --no-fund --loglevel=error
fi

log "fetching crates"
cargo fetch --locked >/dev/null
log "ready"
