#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input (the Stripe-Signature header, the Stripe event decoder and
# Payoneer's IPCN hmacauth header and bodies)
# with cargo-fuzz. Stable Rust has no sanitizers, so targets run with `--sanitizer none`: they
# look for panics, hangs and memory blow-ups, and for a forged signature being accepted.
#   scripts/fuzz.sh                          # 60 s per target
#   PAYSYNC_FUZZ_SECS=600 scripts/fuzz.sh    # the 10-minute campaign
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${PAYSYNC_FUZZ_SECS:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version "^0.13"
fi
for target in stripe_signature stripe_event payoneer_ipcn; do
  echo "== fuzzing $target for ${secs}s" >&2
  # The committed seeds are copied, so the campaign's finds never dirty the work tree.
  work="fuzz/artifacts/corpus-$target"
  mkdir -p "$work"
  cp -n fuzz/corpus/"$target"/* "$work"/ 2>/dev/null || true
  cargo fuzz run --sanitizer none --fuzz-dir fuzz "$target" "$work" -- \
    -max_total_time="$secs" -max_len=8192 -timeout=5 -print_final_stats=1
done
