#!/usr/bin/env python3
"""Checks packaging/mason/packages/scrubs/package.yaml before it goes to mason-org/mason-registry.

What mason-registry's own CI would reject, and what would install the wrong file:
  - YAML that starts with `---`, the schema's top-level keys (required ones present, no others), a
    homepage URL, categories from the schema's list, description lines of at most 120 characters;
  - the name is the folder's; the licences are Cargo.toml's `license` expression;
  - source.id is pkg:github/scrubs-health/scrubs@v<Cargo.toml's version>;
  - one asset per target mason knows (linux gnu and musl, x64 and arm64; macOS x64 and arm64; Windows
    x64), each naming cargo-dist's archive for the matching Rust target triple and the binary's path
    inside it (scrubs-<triple>/scrubs in a .tar.xz, scrubs.exe at the top of a .zip); a plain
    linux_<arch> entry after the libc-specific ones (mason takes the first entry that fits);
  - bin maps `scrubs` to the asset's binary;
  - when a cargo-dist config exists (dist-workspace.toml, or [workspace.metadata.dist] /
    [package.metadata.dist] in Cargo.toml), every triple named here is one of its targets and its
    archive formats are the ones named here;
  - with --archives DIR (default: target/distrib when it exists), every archive found there holds the
    binary at the path named here.
With --schema DIR (a checkout of mason-org/registry-schema's schemas/ folder) the file is also validated
against that JSON schema (needs the `jsonschema` package).

Exit status 0 when all is well, 1 with one line per problem. Needs PyYAML; Python 3.11+ (tomllib).
"""

import argparse
import json
import re
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(__file__).resolve().parent / "packages" / "scrubs" / "package.yaml"
REPO = "scrubs-health/scrubs"

# From mason-org/registry-schema (schemas/package.schema.json, enums/category.json, enums/platform.json).
KEYS = {"name", "description", "homepage", "licenses", "languages", "categories", "deprecation", "source",
        "schemas", "bin", "share", "opt", "neovim", "ci_skip"}
REQUIRED = ["name", "description", "homepage", "licenses", "languages", "categories", "source"]
CATEGORIES = {"Compiler", "DAP", "Formatter", "LSP", "Linter", "Runtime"}
PLATFORMS = {
    "unix", "darwin", "darwin_arm64", "darwin_x64", "linux", "linux_arm", "linux_arm64", "linux_arm64_gnu",
    "linux_arm64_musl", "linux_arm64_openbsd", "linux_arm_gnu", "linux_armv6_gnu", "linux_armv6l",
    "linux_armv7_gnu", "linux_armv7l", "linux_x64", "linux_x64_gnu", "linux_x64_musl", "linux_x64_openbsd",
    "linux_x86", "linux_x86_gnu", "linux_x86_musl", "linux_x86_openbsd", "win", "win_arm", "win_arm64",
    "win_armv6l", "win_armv7l", "win_x64", "win_x86",
}

# The mason target each release build serves, and the Rust target triple cargo-dist names it by.
TRIPLES = {
    "linux_x64_gnu": "x86_64-unknown-linux-gnu",
    "linux_x64_musl": "x86_64-unknown-linux-musl",
    "linux_x64": "x86_64-unknown-linux-musl",
    "linux_arm64_gnu": "aarch64-unknown-linux-gnu",
    "linux_arm64_musl": "aarch64-unknown-linux-musl",
    "linux_arm64": "aarch64-unknown-linux-musl",
    "darwin_x64": "x86_64-apple-darwin",
    "darwin_arm64": "aarch64-apple-darwin",
    "win_x64": "x86_64-pc-windows-msvc",
}
MUST_HAVE = ["linux_x64_gnu", "linux_x64_musl", "linux_arm64_gnu", "linux_arm64_musl", "darwin_x64",
             "darwin_arm64", "win_x64"]


def expected_asset(triple: str) -> tuple[str, str]:
    """cargo-dist's default archive and the binary's path inside it."""
    if "windows" in triple:
        return f"scrubs-{triple}.zip", "scrubs.exe"
    return f"scrubs-{triple}.tar.xz", f"scrubs-{triple}/scrubs"


def dist_config() -> tuple[str, dict] | None:
    """cargo-dist's settings, wherever this repository keeps them."""
    ws = ROOT / "dist-workspace.toml"
    if ws.is_file():
        dist = tomllib.loads(ws.read_text()).get("dist")
        if dist is not None:
            return "dist-workspace.toml [dist]", dist
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    for where, table in (("[workspace.metadata.dist]", cargo.get("workspace", {})),
                         ("[package.metadata.dist]", cargo.get("package", {}))):
        dist = table.get("metadata", {}).get("dist")
        if dist is not None:
            return f"Cargo.toml {where}", dist
    return None


def archive_members(path: Path) -> set[str]:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            return set(z.namelist())
    with tarfile.open(path) as t:
        return {m.name.removeprefix("./") for m in t.getmembers()}


def check(package: Path, archives: Path | None) -> list[str]:
    problems: list[str] = []
    text = package.read_text()
    if not text.startswith("---\n"):
        problems.append("the document must start with a YAML header (---)")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return problems + [f"not YAML: {e}"]
    if not isinstance(doc, dict):
        return problems + ["the document is not a mapping"]

    for key in REQUIRED:
        if key not in doc:
            problems.append(f"required key missing: {key}")
    for key in doc:
        if key not in KEYS:
            problems.append(f"unknown key: {key}")

    if doc.get("name") != package.parent.name:
        problems.append(f"name {doc.get('name')!r} is not the folder's name {package.parent.name!r}")
    for i, line in enumerate(str(doc.get("description", "")).splitlines(), 1):
        if len(line) > 120:
            problems.append(f"description line {i} is {len(line)} characters long (at most 120)")
    if not re.match(r"^https?://", str(doc.get("homepage", ""))):
        problems.append("homepage must be an http(s) URL")

    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
    want_licenses = [s.strip() for s in cargo["license"].split(" OR ")]
    if doc.get("licenses") != want_licenses:
        problems.append(f"licenses {doc.get('licenses')!r} are not Cargo.toml's {cargo['license']!r}")
    if not isinstance(doc.get("languages"), list):
        problems.append("languages must be a list")
    categories = doc.get("categories") or []
    for c in categories:
        if c not in CATEGORIES:
            problems.append(f"unknown category {c!r} (one of {sorted(CATEGORIES)})")
    if sorted(categories) != ["LSP", "Linter"]:
        problems.append(f"categories {categories!r}: scrubs is an LSP and a Linter")

    source = doc.get("source") or {}
    want_id = f"pkg:github/{REPO}@v{cargo['version']}"
    if source.get("id") != want_id:
        problems.append(f"source.id {source.get('id')!r} is not {want_id!r} (the tag of Cargo.toml's version)")
    assets = source.get("asset")
    if not isinstance(assets, list) or not assets:
        return problems + ["source.asset must be a non-empty list"]

    seen: dict[str, int] = {}
    triples: set[str] = set()
    for i, a in enumerate(assets):
        target = a.get("target") if isinstance(a, dict) else None
        if target not in PLATFORMS:
            problems.append(f"asset {i}: unknown target {target!r}")
            continue
        if target in seen:
            problems.append(f"asset {i}: target {target} is listed twice")
        seen[target] = i
        triple = TRIPLES.get(target)
        if triple is None:
            problems.append(f"asset {i}: no release build for target {target}")
            continue
        triples.add(triple)
        file, binary = expected_asset(triple)
        if a.get("file") != file:
            problems.append(f"asset {target}: file {a.get('file')!r}, cargo-dist names it {file!r}")
        if a.get("bin") != binary:
            problems.append(f"asset {target}: bin {a.get('bin')!r}, the archive holds {binary!r}")
    for target in MUST_HAVE:
        if target not in seen:
            problems.append(f"no asset for {target}")
    for arch in ("x64", "arm64"):
        plain = seen.get(f"linux_{arch}")
        for env in ("gnu", "musl"):
            specific = seen.get(f"linux_{arch}_{env}")
            if plain is not None and specific is not None and plain < specific:
                problems.append(f"linux_{arch} comes before linux_{arch}_{env}: mason would never pick the latter")

    if doc.get("bin") != {"scrubs": "{{source.asset.bin}}"}:
        problems.append(f"bin {doc.get('bin')!r} should be {{scrubs: \"{{{{source.asset.bin}}}}\"}}")

    dist = dist_config()
    if dist is not None:
        where, conf = dist
        targets = set(conf.get("targets") or [])
        for t in sorted(triples - targets):
            problems.append(f"{t} is not among the targets of {where}: no such archive would be released")
        unix = conf.get("unix-archive", ".tar.xz")
        windows = conf.get("windows-archive", ".zip")
        if unix != ".tar.xz" or windows != ".zip":
            problems.append(f"{where} makes {unix} / {windows} archives; this file names .tar.xz / .zip")

    if archives is not None:
        found = 0
        for a in assets:
            if not isinstance(a, dict) or not a.get("file"):
                continue
            path = archives / a["file"]
            if path.is_file():
                found += 1
                if a.get("bin") not in archive_members(path):
                    problems.append(f"{path} has no {a.get('bin')!r}")
        print(f"mason: {found} archive(s) found in {archives} and looked into", file=sys.stderr)
    return problems


def validate_schema(package: Path, schema_dir: Path) -> list[str]:
    import jsonschema
    from referencing import Registry, Resource

    resources = []
    for f in schema_dir.rglob("*.json"):
        contents = json.loads(f.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents)))
    registry = Registry().with_resources(resources)
    root = json.loads((schema_dir / "package.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(root, registry=registry)
    doc = yaml.safe_load(package.read_text())
    return [f"schema: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(doc)]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("package", nargs="?", type=Path, default=PACKAGE)
    p.add_argument("--archives", type=Path, help="a folder of release archives to look into")
    p.add_argument("--schema", type=Path, help="mason-org/registry-schema's schemas/ folder")
    args = p.parse_args()
    archives = args.archives
    if archives is None and (ROOT / "target" / "distrib").is_dir():
        archives = ROOT / "target" / "distrib"
    problems = check(args.package, archives)
    if args.schema:
        problems += validate_schema(args.package, args.schema)
    for problem in problems:
        print(f"mason: {args.package}: {problem}", file=sys.stderr)
    if problems:
        return 1
    dist = dist_config()
    print(f"mason: {args.package.relative_to(ROOT) if args.package.is_relative_to(ROOT) else args.package}: ok"
          + (f" (targets agree with {dist[0]})" if dist else " (no cargo-dist config yet to compare targets with)")
          + (" and the JSON schema" if args.schema else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
