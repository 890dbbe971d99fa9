#!/usr/bin/env bash
# Measures the desktop console in a release build on this machine:
#   - cold start: from asking WebDriver for a session (which launches the app on a fresh data
#     directory) to the Overview showing engine data, taken from the end-to-end tour;
#   - idle memory: the app and its WebKit processes, 30 s after start with the sandbox running.
#   PAYSYNC_BENCH_RUNS=5 scripts/bench-console.sh
# The tour connects an account, so it runs with a throwaway keychain (scripts/with-keyring.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLX_OFFLINE=true
runs="${PAYSYNC_BENCH_RUNS:-5}"
scripts/build-console.sh --release >/dev/null
bin="$PWD/target/release/paysync-console"

echo "cold start to a usable Overview (release, $runs runs):"
for _ in $(seq "$runs"); do
  PAYSYNC_CONSOLE_BIN="$bin" PAYSYNC_SCREENSHOT_DIR="$(mktemp -d)" \
    dbus-run-session -- scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x2000x24" \
    cargo nextest run --workspace --locked --test console --no-capture 2>&1 |
    grep -o 'cold start to a usable Overview: [0-9]* ms' | sed 's/^/  /'
done

# Sums a figure from /proc over the app and every process it started (the WebKit processes).
tree_kb() { # tree_kb <pid> <field of smaps_rollup, e.g. Rss or Pss>
  local total=0 pid
  for pid in $1 $(pgrep -P "$1" || true) $(for c in $(pgrep -P "$1" || true); do pgrep -P "$c" || true; done); do
    total=$(( total + $(awk -v f="$2:" '$1==f {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

data="$(mktemp -d)"
echo "idle memory 30 s after start (release, sandbox profile with demo data):"
PAYSYNC_DATA_DIR="$data" PAYSYNC_LOG=warn xvfb-run -a -s "-screen 0 1280x800x24" "$bin" &
runner=$!
sleep 30
app=$(pgrep -n -f "^$bin" || true)
if [ -z "$app" ]; then echo "  the console did not stay up" >&2; kill "$runner" 2>/dev/null || true; exit 1; fi
echo "  RSS $(( $(tree_kb "$app" Rss) / 1024 )) MiB, PSS $(( $(tree_kb "$app" Pss) / 1024 )) MiB (app + WebKit processes)"
kill "$app"; wait "$runner" 2>/dev/null || true
rm -rf "$data"
