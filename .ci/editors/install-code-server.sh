#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) from the npm registry into the cache, once.
# Prints the path of its `code-server` launcher on standard output.
#
# A plain `npm install code-server` does not work without internet access: its install scripts
# download ripgrep and prebuilt native modules. So we install with --ignore-scripts and do by hand
# what those scripts would have done, building every native module from source against Node's
# headers (Debian's ripgrep stands in for the downloaded one).
set -euo pipefail
LOG_TAG=code-server
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
DEST="$SCRUBS_CI_CACHE/code-server-$CODE_SERVER_VERSION"

if [ -f "$DEST/.complete" ]; then
  log "cached: $DEST"
  echo "$DEST/node_modules/.bin/code-server"
  exit 0
fi

apt_need libkrb5-dev ripgrep python3 make g++

WORK="$DEST.partial.$$"
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
start=$(date +%s)

log "npm install code-server@$CODE_SERVER_VERSION (scripts off)"
(cd "$WORK" && echo '{"private":true}' >package.json &&
  npm install --no-save --ignore-scripts --prefer-offline --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)

VS="$WORK/node_modules/code-server/lib/vscode"
[ -d "$VS" ] || die "code-server has no lib/vscode"

log "npm install in lib/vscode (scripts off)"
(cd "$VS" && npm install --omit=dev --ignore-scripts --prefer-offline --loglevel=error >&2)

mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"

log "building native modules"
# node-gyp that comes with npm
NODE_GYP="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || NODE_GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || die "node-gyp not found (looked next to npm)"
find "$VS/node_modules" -name binding.gyp -not -path '*/node_modules/*/node_modules/*/test/*' -printf '%h\n' |
  sort | while read -r dir; do
    # Skip sub-projects of a module (only the module's own binding.gyp is built by its install script).
    case "$dir" in */deps/*|*/test/*|*/example*) continue ;; esac
    log "  node-gyp rebuild ${dir#"$VS/node_modules/"}"
    (cd "$dir" && node "$NODE_GYP" rebuild -j 2 >"$WORK/gyp.log" 2>&1) || { cat "$WORK/gyp.log" >&2; die "node-gyp failed in $dir"; }
  done

(cd "$VS" && ln -sfn node_modules node_modules.asar)
(cd "$VS/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$VS/bin/helpers" && ln -sfn browser-linux.sh browser.sh)

log "npm install in lib/vscode/extensions (scripts off)"
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts --prefer-offline --loglevel=error >&2)

log "npm rebuild argon2 (from source)"
(cd "$WORK" && npm rebuild argon2 --build-from-source --loglevel=error >&2)

[ -f "$WORK/node_modules/code-server/out/node/entry.js" ] || die "code-server entry point missing"
XDG_CONFIG_HOME="$WORK/.config" "$WORK/node_modules/.bin/code-server" --version >&2 || die "code-server does not start"

rm -rf "$DEST"
mv "$WORK" "$DEST"
trap - EXIT
# The .bin link is relative, so it survives the move.
touch "$DEST/.complete"
log "installed in $(( $(date +%s) - start ))s: $DEST"
echo "$DEST/node_modules/.bin/code-server"
