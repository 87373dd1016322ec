# Shared helpers for the editor end-to-end tests. Sourced, not run.
# shellcheck shell=bash

ROOT="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
SCRUBS_BIN="${SCRUBS_BIN:-$ROOT/target/release/scrubs}"
# Everything slow to install (code-server, Neovim, npm's cache) lives here, outside the repo.
SCRUBS_CI_CACHE="${SCRUBS_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scrubs-ci}"
mkdir -p "$SCRUBS_CI_CACHE"
export SCRUBS_BIN SCRUBS_CI_CACHE ROOT

log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "${LOG_TAG:-editors}" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

# as_root CMD...: run as root, through sudo when we are not root.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_need PKG...: install the Debian packages that are not installed yet.
apt_need() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# need_scrubs: make sure $SCRUBS_BIN exists and runs.
need_scrubs() {
  if [ ! -x "$SCRUBS_BIN" ]; then
    die "no scrubs binary at $SCRUBS_BIN (build it with: cargo build --release, or set SCRUBS_BIN)"
  fi
  SCRUBS_BIN="$(cd "$(dirname "$SCRUBS_BIN")" && pwd)/$(basename "$SCRUBS_BIN")"
  export SCRUBS_BIN
  log "scrubs binary: $SCRUBS_BIN"
}

# Node's headers for node-gyp, so that native modules build without downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/common.gypi ]; then
  export npm_config_nodedir=/usr
fi
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# py_venv NAME PKG...: a virtualenv $SCRUBS_CI_CACHE/venv-NAME with the PyPI packages PKG installed
# once (again only when the list changes); prints the path of its python on standard output.
py_venv() {
  local name="$1"; shift
  local dest="$SCRUBS_CI_CACHE/venv-$name" want="$*" py
  if [ -x "$dest/bin/python" ] && [ "$(cat "$dest/.complete" 2>/dev/null)" = "$want" ]; then
    echo "$dest/bin/python"
    return 0
  fi
  py="$(command -v python3 || true)"
  [ -n "$py" ] || { apt_need python3 python3-venv; py="$(command -v python3)"; }
  rm -rf "$dest"
  if ! "$py" -m venv "$dest" >/dev/null 2>&1; then
    apt_need python3-venv
    rm -rf "$dest"
    "$py" -m venv "$dest" >&2
  fi
  log "pip install $want (into $dest)"
  "$dest/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  echo "$want" > "$dest/.complete"
  echo "$dest/bin/python"
}
