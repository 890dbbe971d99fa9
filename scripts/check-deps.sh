#!/usr/bin/env bash
# Proves the dependency directions of ARCHITECTURE §1: core has no I/O, store and connectors never
# depend on each other, the sandbox never shares the connectors' code, nothing but the desktop
# shell depends on Tauri, and the engine builds without GUI toolkits.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
# deps <crate>: the crate's normal (non-dev) dependency tree, one crate name per line.
deps() { cargo tree --locked -p "$1" -e normal --prefix none --format '{p}' 2>/dev/null | awk '{print $1}' | sort -u; }
has_crate() { cargo metadata --locked --no-deps --format-version 1 | grep -q "\"name\":\"$1\""; }
forbid() { # forbid <crate> <regex> <why>
  local crate=$1 pattern=$2 why=$3 found
  has_crate "$crate" || return 0
  found=$(deps "$crate" | grep -v "^$crate\$" | grep -E "$pattern" || true)
  if [ -n "$found" ]; then
    echo "dependency rule broken: $crate must not depend on $(echo "$found" | tr '\n' ' ')— $why" >&2
    fail=1
  else
    echo "ok: $crate has no dependency matching $pattern"
  fi
}

forbid paysync-core '^(paysync-|tokio$|sqlx|reqwest$|hyper$|tauri)' "core is pure domain code with no I/O"
forbid paysync-store '^(paysync-(connectors|engine|sandbox|cli)|reqwest$|tauri)' "store knows only core"
forbid paysync-connectors '^(paysync-(store|engine|sandbox|cli)|sqlx|tauri)' "connectors know only core"
forbid paysync-sandbox '^(paysync-(connectors|store|engine|cli)|tauri)' "a simulator sharing the client's code cannot catch its mistakes"
forbid paysync-engine '^(paysync-cli|tauri|gtk|webkit2gtk|wry|tao)' "the engine runs headless"
forbid paysync-cli '^(tauri|gtk|webkit2gtk|wry|tao)' "the CLI runs headless"
exit $fail
