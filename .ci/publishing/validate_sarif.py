#!/usr/bin/env python3
"""Validates SARIF logs against the official SARIF 2.1.0 JSON schema.

Usage: validate_sarif.py SCHEMA LOG...
The schema is vendored in tests/fixtures/sarif/ (see its README.md).
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, *logs = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for path in logs:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for e in errors[:20]:
            print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
        results = sum(len(r.get("results", [])) for r in log.get("runs", []))
        if errors:
            bad += 1
            print(f"{path}: INVALID ({len(errors)} error(s))")
        else:
            print(f"{path}: valid SARIF 2.1.0 ({results} result(s))")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
