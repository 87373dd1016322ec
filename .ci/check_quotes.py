#!/usr/bin/env python3
"""Verify the policy packs in src/packs/*.toml.

Every `quote` must be a verbatim substring of the pack's seed document (after
the normalisation below is applied to both), every cited guideline id must
exist in the same pack, ids must be unique, categories must be the contract's
thirteen, and no table may carry a key the Rust loader (serde,
deny_unknown_fields) would reject.

Usage: python3 .ci/check_quotes.py [SEEDS_DIR]
SEEDS_DIR defaults to ../shared/seeds relative to the repository root.
Exit status 0 when every check passes, 1 otherwise. Standard library only.
"""

import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKS = REPO / "src" / "packs"
EXPECTED_PACKS = ("mayo", "mgh", "msk", "umn", "generic")

CATEGORIES = {
    "phi", "disclaimer", "disclosure", "on-behalf", "endorsement",
    "medical-advice", "confidential", "work-email", "professionalism",
    "boundaries", "branding", "media", "workplace",
}
SEVERITIES = {"error", "warning", "information", "hint"}

# Rule ids every seeded pack is expected to consider (an entry may be omitted
# when the policy has no clause that supports the rule; unknown ids are
# reported so typos do not go unnoticed).
KNOWN_RULES = {
    "disclaimer/missing", "work-email/institutional-address",
    "phi", "phi/patient-story", "phi/patient-image", "phi/name",
    "phi/age-over-89", "phi/date", "phi/geography", "phi/phone",
    "phi/email-address", "phi/ssn", "phi/record-number", "phi/room-number",
    "phi/ip-address", "phi/url", "phi/vehicle-plate", "phi/device-serial",
    "phi/license-number",
    "disclosure/undisclosed-affiliation", "on-behalf/speaking-for-institution",
    "endorsement/institutional-endorsement",
    "medical-advice/individual-advice", "medical-advice/missing-notice",
    "confidential/unreleased-information",
    "professionalism/unprofessional-language", "professionalism/skipped-safety-step",
    "boundaries/patient-connection", "boundaries/supervisor-connection",
    "branding/name-in-handle", "media/clinical-photo", "workplace/during-duties",
    "professionalism/disparaging-people", "branding/logo-use", "media/department-video",
    "media/image-metadata", "phi/text-in-image", "professionalism/text-in-image",
    "confidential/text-in-image",
}

SCHEMA = {
    "": ({"id", "name", "source", "names"},
         {"disclaimer", "notice", "guideline", "rules"}),
    "source": ({"title"}, {"url", "seed"}),
    "names": ({"strong", "weak", "weak_not_followed_by", "email_domains"}, set()),
    "disclaimer": ({"blog", "website", "short"}, {"guideline"}),
    "notice": ({"guideline", "text"}, set()),
    "guideline": ({"id", "section", "title", "categories", "quote"}, set()),
    "rule": ({"cite"}, {"severity"}),
}

LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
SUP = re.compile(r"<sup>.*?</sup>", re.S)
WS = re.compile(r"\s+")
LEADING_MARKER = re.compile(r"^(?:[•\-*]\s|\d+\.\s)")


def normalise(text: str) -> str:
    text = text.replace("**", "")
    text = LINK.sub(r"\1", text)
    text = SUP.sub("", text)
    text = text.replace("\\_", "_")
    return WS.sub(" ", text).strip()


def longest_prefix(quote: str, seed: str) -> int:
    """Length of the longest prefix of `quote` found in `seed` (monotone, so bisect)."""
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in seed:
            lo = mid
        else:
            hi = mid - 1
    return lo


class Report:
    def __init__(self):
        self.failures = 0

    def fail(self, pack: str, where: str, msg: str):
        self.failures += 1
        print(f"FAIL {pack}: {where}: {msg}")


def check_keys(rep, pack, where, table, kind):
    required, optional = SCHEMA[kind]
    if not isinstance(table, dict):
        rep.fail(pack, where, "expected a table")
        return False
    for key in sorted(required - table.keys()):
        rep.fail(pack, where, f"missing key `{key}`")
    for key in sorted(table.keys() - required - optional):
        rep.fail(pack, where, f"unknown key `{key}` (the loader denies unknown fields)")
    return True


def check_str_list(rep, pack, where, value):
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        rep.fail(pack, where, "expected a list of non-empty strings")
        return
    if len(set(value)) != len(value):
        rep.fail(pack, where, "duplicate entries")


def check_pack(rep, path: Path, seeds: Path):
    name = path.stem
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        rep.fail(name, str(path), f"cannot parse: {err}")
        return 0
    check_keys(rep, name, "top level", data, "")
    pack = data.get("id", name)
    if pack != name:
        rep.fail(name, "id", f"id {pack!r} does not match the file name")

    source = data.get("source", {})
    check_keys(rep, pack, "[source]", source, "source")
    seed_text = None
    if "seed" in source:
        seed_path = seeds / source["seed"]
        try:
            seed_text = normalise(seed_path.read_text(encoding="utf-8"))
        except OSError as err:
            rep.fail(pack, "[source].seed", f"cannot read {seed_path}: {err}")
    elif pack != "generic":
        rep.fail(pack, "[source]", "no `seed`: only the generic pack may omit it")

    names = data.get("names", {})
    if check_keys(rep, pack, "[names]", names, "names"):
        for key in ("strong", "weak", "weak_not_followed_by", "email_domains"):
            if key in names:
                check_str_list(rep, pack, f"[names].{key}", names[key])

    ids = set()
    guidelines = data.get("guideline", [])
    if not isinstance(guidelines, list):
        rep.fail(pack, "[[guideline]]", "expected an array of tables")
        guidelines = []
    if seed_text is not None and not guidelines:
        rep.fail(pack, "[[guideline]]", "a seeded pack needs guidelines")
    checked = 0
    for i, g in enumerate(guidelines):
        gid = g.get("id", f"#{i}") if isinstance(g, dict) else f"#{i}"
        where = f"guideline {gid}"
        if not check_keys(rep, pack, where, g, "guideline"):
            continue
        if gid in ids:
            rep.fail(pack, where, "duplicate id")
        ids.add(gid)
        if pack != "generic" and not str(gid).startswith(pack + "-"):
            rep.fail(pack, where, f"id should start with `{pack}-`")
        for key in ("section", "title"):
            if not isinstance(g.get(key), str) or not g.get(key, "").strip():
                rep.fail(pack, where, f"`{key}` must be a non-empty string")
        cats = g.get("categories", [])
        if not isinstance(cats, list):
            rep.fail(pack, where, "`categories` must be a list")
            cats = []
        for c in cats:
            if c not in CATEGORIES:
                rep.fail(pack, where, f"unknown category {c!r}")
        if len(set(cats)) != len(cats):
            rep.fail(pack, where, "duplicate category")
        quote = g.get("quote", "")
        if not isinstance(quote, str) or not quote.strip():
            rep.fail(pack, where, "`quote` must be a non-empty string")
            continue
        if quote != quote.strip() or "  " in quote or "\n" in quote:
            rep.fail(pack, where, "quote has stray whitespace; write it normalised")
        if LEADING_MARKER.match(quote):
            rep.fail(pack, where, f"quote starts with a bullet or list number: {quote[:20]!r}")
        if seed_text is None:
            continue
        nq = normalise(quote)
        checked += 1
        if nq not in seed_text:
            k = longest_prefix(nq, seed_text)
            seed_at = seed_text.find(nq[:k]) + k if k else -1
            seed_next = seed_text[seed_at:seed_at + 60] if seed_at >= 0 else ""
            rep.fail(pack, where,
                     f"quote not in seed {source.get('seed')}: matches up to char {k}; "
                     f"quote continues {nq[k:k + 60]!r}"
                     + (f", seed has {seed_next!r}" if k else ""))

    def cite_ok(where, gid):
        if gid not in ids:
            rep.fail(pack, where, f"cites unknown guideline {gid!r}")

    disclaimer = data.get("disclaimer")
    if disclaimer is not None and check_keys(rep, pack, "[disclaimer]", disclaimer, "disclaimer"):
        if "guideline" in disclaimer:
            cite_ok("[disclaimer].guideline", disclaimer["guideline"])
        for key in ("blog", "website", "short"):
            if not isinstance(disclaimer.get(key), str) or not disclaimer.get(key, "").strip():
                rep.fail(pack, f"[disclaimer].{key}", "must be a non-empty string")
    notice = data.get("notice")
    if notice is not None and check_keys(rep, pack, "[notice]", notice, "notice"):
        cite_ok("[notice].guideline", notice.get("guideline"))

    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        rep.fail(pack, "[rules]", "expected a table of rule tables")
        rules = {}
    for rule, entry in rules.items():
        where = f'[rules."{rule}"]'
        if rule not in KNOWN_RULES:
            rep.fail(pack, where, "unknown rule id")
        if not check_keys(rep, pack, where, entry, "rule"):
            continue
        cites = entry.get("cite", [])
        if not isinstance(cites, list) or not cites:
            rep.fail(pack, where, "`cite` must be a non-empty list")
            cites = []
        for gid in cites:
            cite_ok(where, gid)
        if len(set(cites)) != len(cites):
            rep.fail(pack, where, "duplicate citation")
        if "severity" in entry and entry["severity"] not in SEVERITIES:
            rep.fail(pack, where, f"severity {entry['severity']!r} not one of {sorted(SEVERITIES)}")
    return checked


def main(argv):
    seeds = Path(argv[1]) if len(argv) > 1 else (REPO.parent / "shared" / "seeds")
    if not seeds.is_dir():
        print(f"seeds folder not found: {seeds}")
        return 1
    rep = Report()
    present = {p.stem for p in PACKS.glob("*.toml")}
    for missing in sorted(set(EXPECTED_PACKS) - present):
        rep.fail(missing, "src/packs", "pack file missing")
    total = 0
    for path in sorted(PACKS.glob("*.toml")):
        total += check_pack(rep, path, seeds)
    if rep.failures:
        print(f"{rep.failures} failure(s)")
        return 1
    print(f"ok: {len(present)} packs, {total} quotes verified against {seeds}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
