#!/usr/bin/env bash
# End-to-end test of editors/vscode in a real VS Code: packages the platform extension with the server
# inside (scripts/package-target.mjs, as the release does), installs it into a fresh code-server whose
# PATH has no scrubs, and drives code-server's workbench with headless Chromium (playwright-core).
#
# Installs what it needs on a bare Debian 12 machine (chromium, libkrb5-dev, ripgrep; npm packages)
# and keeps code-server in $SCRUBS_CI_CACHE (default ~/.cache/scrubs-ci), so reruns are fast.
#
#   SCRUBS_BIN   the scrubs binary to test (default: <repo>/target/release/scrubs)
#   ARTIFACTS    where screenshots and logs go (default: a new folder under /tmp, printed)
#   SCREENSHOTS  optional: retake the README's screenshots into this folder (e.g. editors/vscode/media)
set -euo pipefail
LOG_TAG=vscode
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
start=$(date +%s)

need_scrubs
apt_need chromium libkrb5-dev ripgrep python3 make g++ ca-certificates unzip
command -v node >/dev/null || die "node is not installed (Node.js 20 or newer is needed)"
# The README's screenshots show the draft's emoji: a colour emoji font, only when retaking them.
if [ -n "${SCREENSHOTS:-}" ]; then apt_need fonts-noto-color-emoji; fi

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
# The platform .vsix with $SCRUBS_BIN inside, made the way the release workflow makes it
# (vsce runs vscode:prepublish first: type-check and bundle).
case "$(uname -m)" in
  x86_64) TARGET=linux-x64 ;;
  aarch64|arm64) TARGET=linux-arm64 ;;
  *) die "no VS Code target for $(uname -m)" ;;
esac
log "npm run package:target -- $TARGET $SCRUBS_BIN (editors/vscode)"
(cd "$EXT" && npm run --silent package:target -- "$TARGET" "$SCRUBS_BIN" >"$ARTIFACTS/package.log" 2>&1) ||
  { cat "$ARTIFACTS/package.log" >&2; die "npm run package:target failed"; }
VSIX="$EXT/scrubs-$TARGET.vsix"
[ -f "$VSIX" ] || die "npm run package:target made no $VSIX"
# The server is inside, executable, and is the binary under test.
listing="$(unzip -Z "$VSIX")"
grep -Eq '^-rwx.* extension/server/scrubs$' <<<"$listing" || { echo "$listing" >&2; die "$VSIX has no executable extension/server/scrubs"; }
cmp -s <(unzip -p "$VSIX" extension/server/scrubs) "$SCRUBS_BIN" || die "extension/server/scrubs in $VSIX is not $SCRUBS_BIN"
for f in extension/package.json extension/readme.md extension/changelog.md extension/LICENSE.txt extension/media/icon.png \
  extension/walkthrough/findings.md extension/walkthrough/hover.md extension/walkthrough/quick-fix.md; do
  grep -q " $f\$" <<<"$listing" || die "$VSIX lacks $f"
done
if grep -Eq ' extension/(node_modules|test|src|scripts)/' <<<"$listing"; then die "$VSIX carries node_modules, tests or sources"; fi
log "packaged $(unzip -l "$VSIX" | tail -1 | awk '{print $2}') files into $VSIX ($(du -h "$VSIX" | cut -f1))"

status=0
if [ -n "${SCREENSHOTS:-}" ]; then SCREENSHOTS="$(mkdir -p "$SCREENSHOTS" && cd "$SCREENSHOTS" && pwd)"; fi
(cd "$EXT" && CODE_SERVER="$CODE_SERVER" VSIX="$VSIX" SCRUBS_BIN="$SCRUBS_BIN" ARTIFACTS="$ARTIFACTS" SCREENSHOTS="${SCREENSHOTS:-}" \
  timeout --kill-after=15 900 node --test --test-reporter=spec test/e2e.test.mjs) || status=$?

if [ "$status" != 0 ]; then
  log "FAILED (exit $status); screenshots and logs: $ARTIFACTS"
  ls -1 "$ARTIFACTS" >&2 || true
else
  log "passed in $(( $(date +%s) - start ))s (screenshots: $ARTIFACTS)"
fi
exit "$status"
