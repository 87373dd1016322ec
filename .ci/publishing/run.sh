#!/usr/bin/env bash
# Publishing workflows, end to end with the real tools (issue 10):
#   1. the SARIF for the sample Hugo site validates against the official SARIF 2.1.0 schema;
#   2. the HTML report renders in headless Chromium with its findings;
#   3. the pre-commit hook (.pre-commit-hooks.yaml) blocks a commit with a finding in a scratch repo.
# Uses $SCRUBS_BIN (default <repo>/target/release/scrubs). Installs what it needs:
# apt (chromium, python3-venv, git) and PyPI (jsonschema, pre-commit) into a cached venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG_TAG=publishing
# shellcheck source=../editors/lib.sh
. "$here/../editors/lib.sh"
need_scrubs

apt_need chromium python3-venv python3-pip git ca-certificates
venv="$SCRUBS_CI_CACHE/publishing-venv"
if [ ! -x "$venv/bin/pre-commit" ] || ! "$venv/bin/python" -c 'import jsonschema' 2>/dev/null; then
  log "pip install jsonschema pre-commit"
  python3 -m venv "$venv"
  timeout 300 "$venv/bin/pip" install -q --disable-pip-version-check 'jsonschema>=4' 'pre-commit>=3'
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
site="$ROOT/tests/fixtures/hugo-site"

# 1. SARIF against the schema.
set +e
(cd "$site" && "$SCRUBS_BIN" check --format sarif -o "$work/site.sarif" .)
rc=$?
set -e
[ "$rc" = 1 ] || die "scrubs check --format sarif exited $rc, expected 1"
"$venv/bin/python" "$here/validate_sarif.py" "$ROOT/tests/fixtures/sarif/sarif-schema-2.1.0.json" "$work/site.sarif" \
  || die "SARIF does not validate"
# The validator itself rejects a broken log (so a pass means something).
sed 's/"level": "warning"/"level": "loud"/' "$work/site.sarif" > "$work/broken.sarif"
if "$venv/bin/python" "$here/validate_sarif.py" "$ROOT/tests/fixtures/sarif/sarif-schema-2.1.0.json" "$work/broken.sarif" >/dev/null 2>&1; then
  die "validator accepted a broken SARIF log"
fi
log "ok: SARIF validates against the SARIF 2.1.0 schema"

# 2. The HTML report in headless Chromium.
set +e
(cd "$site" && "$SCRUBS_BIN" check --format html -o "$work/report.html" .)
set -e
[ -s "$work/report.html" ] || die "no report written"
expected=$(cd "$site" && "$SCRUBS_BIN" check --format json . | "$venv/bin/python" -c \
  'import json,sys; print(sum(len(f["diagnostics"]) for f in json.load(sys.stdin)["files"]))' || true)
chrome() { timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --no-first-run --user-data-dir="$work/chrome" "$@" 2>/dev/null; }
chrome --dump-dom "file://$work/report.html" > "$work/dom.html" || die "chromium --dump-dom failed"
"$venv/bin/python" - "$work/dom.html" "$expected" <<'PY' || die "the rendered report does not show the findings"
import sys
from html.parser import HTMLParser

dom, expected = open(sys.argv[1], encoding="utf-8").read(), int(sys.argv[2])

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.findings, self.marks, self.quotes, self.posts = 0, 0, 0, []
        self.in_h2, self.text = False, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "") or ""
        if tag == "li" and "finding" in cls.split():
            self.findings += 1
        if tag == "mark" and a.get("data-rule"):
            self.marks += 1
        if tag == "blockquote" and "policy" in cls.split():
            self.quotes += 1
        if tag == "section" and a.get("data-path"):
            self.posts.append(a["data-path"])
    def handle_data(self, d):
        self.text.append(d)

p = P()
p.feed(dom)
text = "".join(p.text)
assert expected > 0, "the site should have findings"
assert p.findings == expected, f"{p.findings} findings rendered, {expected} expected"
assert p.marks >= expected, f"{p.marks} highlights for {expected} findings"
assert p.quotes > 0, "no policy text quoted"
assert "content/posts/night-shift.md" in " ".join(p.posts), p.posts
assert "jane.doe@mayo.edu" in text and "Guideline 2" in text
# The HTML post's markup is shown as text, not interpreted.
assert "<p>I presented our <em>sleep hygiene</em>" in text
print(f"rendered: {len(p.posts)} post(s), {p.findings} finding(s), {p.marks} highlight(s), {p.quotes} quote(s)")
PY
chrome --screenshot="$work/report.png" --window-size=1280,2400 "file://$work/report.html" >/dev/null || true
[ -s "$work/report.png" ] && log "screenshot: $(wc -c < "$work/report.png") bytes"
log "ok: the HTML report renders its findings in headless Chromium"

# 3. pre-commit in a scratch repository.
rev=$(git -C "$ROOT" rev-parse HEAD)
git -C "$ROOT" cat-file -e "$rev:.pre-commit-hooks.yaml" || die ".pre-commit-hooks.yaml is not committed at $rev"
repo="$work/blog"
mkdir -p "$repo/_posts"
cd "$repo"
git init -q -b main .
git config user.email ci@example.org
git config user.name CI
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $ROOT
    rev: $rev
    hooks:
      - id: scrubs
YAML
printf 'institution = "mayo"\n' > scrubs.toml
git add .pre-commit-config.yaml scrubs.toml
git commit -qm "blog" --no-verify
export PATH="$(dirname "$SCRUBS_BIN"):$PATH" PRE_COMMIT_HOME="$work/pre-commit-home"
"$venv/bin/pre-commit" install >/dev/null
cat > _posts/2026-11-02-night-shift.md <<'MD'
---
title: Night shift
---
As a nurse at Mayo Clinic, I see a lot of sunrises. Write to me at jane.doe@mayo.edu.
MD
git add _posts
set +e
PATH="$venv/bin:$PATH" git commit -qm "post" > "$work/commit.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || { cat "$work/commit.log"; die "the commit with a finding was not blocked"; }
grep -q "work-email/institutional-address" "$work/commit.log" || { cat "$work/commit.log"; die "the hook output does not name the finding"; }
git rev-parse -q --verify HEAD~1 >/dev/null && die "a commit was made"
cat > _posts/2026-11-02-night-shift.md <<'MD'
---
title: Night shift
---
I see a lot of sunrises. Here is what twelve years of nights taught me about sleep.
MD
git add _posts
PATH="$venv/bin:$PATH" git commit -qm "post" > "$work/commit.log" 2>&1 || { cat "$work/commit.log"; die "a clean post was blocked"; }
log "ok: pre-commit blocks a post with a finding and lets a clean one through"
echo "publishing: ok"
