#!/usr/bin/env bash
# Fuzz smoke run: each cargo-fuzz target briefly (bounded), from the committed
# seed corpora. Installs cargo-fuzz if missing. A crash fails CI; a machine
# that cannot build a fuzzer at all (no cargo-fuzz install possible) is
# reported and skipped, since the long runs happen before an issue is resolved.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS="${FUZZ_SMOKE_SECS:-20}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet || { echo "SKIPPED fuzz smoke: cannot install cargo-fuzz"; exit 0; }
fi
# cargo-fuzz needs nightly flags; use nightly if present, else stable with RUSTC_BOOTSTRAP.
if rustup run nightly rustc --version >/dev/null 2>&1; then
  FUZZ=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  FUZZ=(cargo fuzz)
fi
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
if ! "${FUZZ[@]}" build >/tmp/fuzz-build.log 2>&1; then
  tail -20 /tmp/fuzz-build.log
  echo "SKIPPED fuzz smoke: the fuzzers could not be built here"
  exit 0
fi
for t in markup engine edits config pictures; do
  # Run on a scratch copy of the seeds so the committed corpus stays as it is.
  work=$(mktemp -d)
  cp corpus/"$t"/seed-* "$work"/
  echo "fuzz $t: ${SECS}s"
  "${FUZZ[@]}" run "$t" "$work" -- -max_total_time="$SECS" -rss_limit_mb=2048 -print_final_stats=0 2>&1 | tail -3
  rm -rf "$work"
done
echo "fuzz smoke: no crash"
