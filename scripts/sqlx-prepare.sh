#!/usr/bin/env bash
# Regenerates the committed sqlx offline query data in `.sqlx/` (one `query-<sha256>.json` per
# query in `src-tauri/crates/store/queries/`), then proves the store builds from that data alone.
#
#   scripts/sqlx-prepare.sh          # regenerate .sqlx/ and verify the offline build
#   scripts/sqlx-prepare.sh --check  # CI drift check: regenerate, then fail if .sqlx/ changed in git
#
# Needs the sqlite3 CLI (Debian/Ubuntu: `apt-get install -y sqlite3`). The dev database lives in
# `.dev/` (gitignored) and is rebuilt from the migrations on every run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
store="$root/src-tauri/crates/store"
dev_dir="$root/.dev"
db="$dev_dir/sqlx-prepare.db"
offline_dir="$root/.sqlx"

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "sqlx-prepare: the sqlite3 CLI is required (apt-get install -y sqlite3)" >&2
    exit 1
fi

cd "$root"
mkdir -p "$dev_dir" "$offline_dir"

# 1. A fresh dev database with every migration applied, in order.
rm -f "$db" "$db-wal" "$db-shm"
for migration in "$store"/migrations/*.sql; do
    sqlite3 -bail "$db" <"$migration"
done

# 2. Regenerate: drop the old data (so queries that no longer exist leave nothing behind), touch the
#    sources so cargo recompiles the crate and every query macro re-runs against the dev database,
#    and let the macros write their data into .sqlx/ (they do when SQLX_OFFLINE_DIR is set).
rm -f "$offline_dir"/query-*.json
find "$store/src" -name '*.rs' -exec touch {} +
SQLX_OFFLINE=false DATABASE_URL="sqlite://$db" SQLX_OFFLINE_DIR="$offline_dir" \
    cargo check -p paysync-store --all-targets --quiet

count="$(find "$offline_dir" -name 'query-*.json' | wc -l)"
echo "sqlx-prepare: wrote $count query files to .sqlx/"

# 3. Prove the committed data alone is enough: rebuild offline, with no database in sight.
find "$store/src" -name '*.rs' -exec touch {} +
env -u DATABASE_URL -u SQLX_OFFLINE_DIR SQLX_OFFLINE=true cargo check -p paysync-store --all-targets --quiet
echo "sqlx-prepare: offline build OK"

if [[ "${1:-}" == "--check" ]]; then
    if [[ -n "$(git -C "$root" status --porcelain -- .sqlx)" ]]; then
        echo "sqlx-prepare: .sqlx/ is out of date; run scripts/sqlx-prepare.sh and commit the result" >&2
        git -C "$root" status --short -- .sqlx >&2
        exit 1
    fi
    echo "sqlx-prepare: .sqlx/ is up to date"
fi
