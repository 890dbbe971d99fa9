#!/usr/bin/env bash
# Sets everything up, builds Paysync and opens the desktop console. With nothing connected the
# console starts the local sandbox with demo data. Without a display (a server, CI) the console
# runs on a virtual X server; `--headless` is implied there.
#   PAYSYNC_DATA_DIR=DIR scripts/run.sh   # use another data directory
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-console.sh --release
bin=target/release/paysync-console
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the console on a virtual X server (Xvfb)." >&2
  exec xvfb-run -a -s "-screen 0 1440x900x24" "$bin"
fi
exec "$bin"
