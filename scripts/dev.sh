#!/usr/bin/env bash
# The console with hot reload: Vite serves the UI on :5173 and `tauri dev` rebuilds the Rust side
# on change (built without the embedded-assets feature, so the window loads the dev server).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export SQLX_OFFLINE=true
cd src-tauri
exec ../ui/node_modules/.bin/tauri dev "$@"
