#!/usr/bin/env bash
# End-to-end test of editors/vscode in a real VS Code: builds and packages the extension, installs it
# into code-server, and drives code-server's workbench with headless Chromium (playwright-core).
#
# Installs what it needs on a bare Debian 12 machine (chromium, libkrb5-dev, ripgrep; npm packages)
# and keeps code-server in $SCRUBS_CI_CACHE (default ~/.cache/scrubs-ci), so reruns are fast.
#
#   SCRUBS_BIN   the scrubs binary to test (default: <repo>/target/release/scrubs)
#   ARTIFACTS    where screenshots and logs go (default: a new folder under /tmp, printed)
set -euo pipefail
LOG_TAG=vscode
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
start=$(date +%s)

need_scrubs
apt_need chromium libkrb5-dev ripgrep python3 make g++ ca-certificates unzip
command -v node >/dev/null || die "node is not installed (Node.js 20 or newer is needed)"

CODE_SERVER="$("$ROOT/.ci/editors/install-code-server.sh")"
log "code-server: $CODE_SERVER"

EXT="$ROOT/editors/vscode"
ARTIFACTS="${ARTIFACTS:-$(mktemp -d /tmp/scrubs-vscode-artifacts.XXXXXX)}"
mkdir -p "$ARTIFACTS"
log "screenshots and logs go to $ARTIFACTS"

# node_modules: `npm ci` (from npm's cache where it can) the first time for a given package-lock.json;
# the result is kept in the cache, keyed by the lock file's hash, and copied (hard links) on later runs.
lock_sum="$(sha256sum "$EXT/package-lock.json" | cut -d' ' -f1)"
NM_CACHE="$SCRUBS_CI_CACHE/vscode-node_modules/$lock_sum"
if [ "$(cat "$EXT/node_modules/.scrubs-lock-sha256" 2>/dev/null)" = "$lock_sum" ]; then
  log "editors/vscode/node_modules matches package-lock.json; skipping npm ci"
elif [ -f "$NM_CACHE/node_modules/.scrubs-lock-sha256" ]; then
  log "editors/vscode/node_modules from the cache ($NM_CACHE)"
  rm -rf "$EXT/node_modules"
  cp -al "$NM_CACHE/node_modules" "$EXT/node_modules" 2>/dev/null || cp -a "$NM_CACHE/node_modules" "$EXT/node_modules"
else
  log "npm ci (editors/vscode)"
  (cd "$EXT" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2)
  echo "$lock_sum" >"$EXT/node_modules/.scrubs-lock-sha256"
  rm -rf "$SCRUBS_CI_CACHE/vscode-node_modules"
  mkdir -p "$NM_CACHE"
  cp -al "$EXT/node_modules" "$NM_CACHE/node_modules" 2>/dev/null || cp -a "$EXT/node_modules" "$NM_CACHE/node_modules"
fi
# `npm run package` builds first (vscode:prepublish runs `npm run build`), then calls vsce.
log "npm run package (editors/vscode)"
rm -f "$EXT/scrubs.vsix"
(cd "$EXT" && npm run --silent package >"$ARTIFACTS/package.log" 2>&1) || { cat "$ARTIFACTS/package.log" >&2; die "npm run package failed"; }
VSIX="$EXT/scrubs.vsix"
[ -f "$VSIX" ] || die "npm run package made no $VSIX"
log "packaged $(unzip -l "$VSIX" | tail -1 | awk '{print $2}') files into $VSIX"

status=0
(cd "$EXT" && CODE_SERVER="$CODE_SERVER" VSIX="$VSIX" SCRUBS_BIN="$SCRUBS_BIN" ARTIFACTS="$ARTIFACTS" \
  timeout --kill-after=15 900 node --test --test-reporter=spec test/e2e.test.mjs) || status=$?

if [ "$status" != 0 ]; then
  log "FAILED (exit $status); screenshots and logs: $ARTIFACTS"
  ls -1 "$ARTIFACTS" >&2 || true
else
  log "passed in $(( $(date +%s) - start ))s (screenshots: $ARTIFACTS)"
fi
exit "$status"
