#!/usr/bin/env python3
"""Texts too near the held-out splits: `python3 model/near.py [FILE.jsonl ...]`.

Lists every text of the given files (default: `corpus/train/*.jsonl` and `corpus/pending/*.jsonl`)
whose character 5-grams overlap a test, held-out or calibration post's by Jaccard 0.3 or more (whitespace
collapsed, lowercased), and exits 1 if there is one. Run it on new posts before they are labelled
or trained on: a training text this near a held-out post makes that split's figures prove less.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIMIT = 0.3
COMMON = 60  # 5-grams in more held-out posts than this are too common to pick candidates by


def grams(text):
    t = " ".join(text.lower().split())
    return {t[i:i + 5] for i in range(max(1, len(t) - 4))}


def rows(path):
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def main(argv):
    held = [(p.parent.name, r["text"], grams(r["text"]))
            for split in ("test", "calib", "holdout") for p in sorted((HERE / "corpus" / split).glob("*.jsonl"))
            for r in rows(p)]
    index = {}
    for j, (_, _, g) in enumerate(held):
        for x in g:
            index.setdefault(x, []).append(j)
    files = [Path(a) for a in argv] or sorted((HERE / "corpus" / "train").glob("*.jsonl")) + sorted(
        (HERE / "corpus" / "pending").glob("*.jsonl"))
    near = 0  # texts, each counted once however many held-out posts it is near
    for path in files:
        for n, r in enumerate(rows(path), 1):
            g = grams(r["text"])
            shared = {}
            for x in g:
                posting = index.get(x, ())
                if len(posting) <= COMMON:
                    for j in posting:
                        shared[j] = shared.get(j, 0) + 1
            found = False
            for j, c in shared.items():
                if c < 0.1 * len(g):
                    continue
                hg = held[j][2]
                jac = len(g & hg) / len(g | hg)
                if jac >= LIMIT:
                    found = True
                    print(f"{path.name}:{n} {jac:.2f} near {held[j][0]}: {r['text'][:70]!r} ~ {held[j][1][:70]!r}")
            near += found
    print(f"{near} texts near a held-out post", file=sys.stderr)
    return 1 if near else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
