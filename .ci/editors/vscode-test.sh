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
apt_need chromium libkrb5-dev ripgrep python3 make g++ ca-certificates
command -v node >/dev/null || die "node is not installed (Node.js 20 or newer is needed)"

CODE_SERVER="$("$ROOT/.ci/editors/install-code-server.sh")"
log "code-server: $CODE_SERVER"

EXT="$ROOT/editors/vscode"
log "npm ci && npm run build && npm run package (editors/vscode)"
(cd "$EXT" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2 && npm run --silent build >&2 && npm run --silent package >&2)
VSIX="$EXT/scrubs.vsix"
[ -f "$VSIX" ] || die "npm run package made no $VSIX"

ARTIFACTS="${ARTIFACTS:-$(mktemp -d /tmp/scrubs-vscode-artifacts.XXXXXX)}"
mkdir -p "$ARTIFACTS"
log "screenshots and logs go to $ARTIFACTS"

status=0
(cd "$EXT" && CODE_SERVER="$CODE_SERVER" VSIX="$VSIX" SCRUBS_BIN="$SCRUBS_BIN" ARTIFACTS="$ARTIFACTS" \
  node --test --test-reporter=spec test/e2e.test.mjs) || status=$?

if [ "$status" != 0 ]; then
  log "FAILED (exit $status); screenshots and logs: $ARTIFACTS"
  ls -1 "$ARTIFACTS" >&2 || true
else
  log "passed in $(( $(date +%s) - start ))s (screenshots: $ARTIFACTS)"
fi
exit "$status"
