#!/usr/bin/env bash
# Runs the editor end-to-end tests: Neovim, then VS Code (code-server in headless Chromium).
# Both use $SCRUBS_BIN (default <repo>/target/release/scrubs; build it first with cargo build --release).
# Exits non-zero if either fails; prints one "editors: N passed, N failed" line at the end.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
passed=0 failed=0 failures=()
for t in nvim vscode; do
  t0=$(date +%s)
  if bash "$here/$t-test.sh"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("$t")
  fi
  echo "[editors] $t-test.sh took $(( $(date +%s) - t0 ))s" >&2
done
[ "$failed" = 0 ] || echo "[editors] failed: ${failures[*]}" >&2
echo "editors: $passed passed, $failed failed"
[ "$failed" = 0 ]
