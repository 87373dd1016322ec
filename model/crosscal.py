"""Compares training runs fairly on the calibration split: two-fold cross-calibration.

Each run's scores (`train.py --dump-scores PATH`: every calibration post's score per head, after the
dev split's posts when the run has one) are calibrated as `train.py` calibrates them, on one half of
the calibration split (with the dev split, where the run kept one), and the findings counted on the
other half, together with the rules' findings (`scrubs check --no-judgement`, each post checked with
its institution); then the other way round, and the two halves summed. No post is judged by
thresholds set on it, so runs that calibrate on different posts (`--train-on-dev`) compare fairly;
the figures are lower than the report's on the calibration split, whose thresholds were set on it.
With `--half`, only the half of the calibration split that `train.py --calib-half` does not train on
is read (the two folds then split it by another byte of each text's hash), so that runs trained with
and without that half compare on the same posts.

    python3 model/crosscal.py --scrubs target/release/scrubs shipped=a.npz new=b.npz
"""
import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train as T  # noqa: E402


def rule_categories(scrubs, rows):
    """The categories the rules alone flag (hints not counted) in each post."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, r in enumerate(rows):
            d = Path(tmp) / (r.get("institution") or "none")
            d.mkdir(exist_ok=True)
            if r.get("institution"):
                (d / "scrubs.toml").write_text(f'institution = "{r["institution"]}"\n')
            (d / f"{i:05d}.md").write_text(r["text"], encoding="utf-8")
        out = [set() for _ in rows]
        for d in sorted(Path(tmp).iterdir()):
            res = subprocess.run([scrubs, "check", "--no-judgement", "--format", "json", "."], cwd=d,
                                 capture_output=True, text=True)
            for f in json.loads(res.stdout)["files"]:
                i = int(Path(f["path"]).stem)
                out[i] |= {x["rule"].split("/")[0] for x in f["diagnostics"] if x.get("severity") != "hint"}
        return out


def thresholds(post, y, holds_on, target=T.TARGET_PRECISION):
    """Per head, as train.py: professionalism's heads together, the others one by one (1.01: off)."""
    thr = np.full(len(T.HEADS), 1.01)
    groups = {}
    for j, (_, _, rule) in enumerate(T.HEADS):
        if rule:
            groups.setdefault(rule.split("/")[0], []).append(j)
    for js in groups.values():
        if len(js) > 1:
            found = T.calibrate_together(post[:, js], y[:, js[0]], target, holds_on)
            if found:
                thr[js] = found[0]
        else:
            j = js[0]
            t, _, _, reached = T.calibrate(post[:, j], y[:, j],
                                           T.TARGET_PRECISION_BY_HEAD.get(T.HEADS[j][0], target), holds_on)
            if reached:
                thr[j] = t
    return thr, groups


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scrubs", default="target/release/scrubs")
    ap.add_argument("--target", type=float, default=T.TARGET_PRECISION,
                    help="the precision each head is calibrated to reach (default: train.py's)")
    ap.add_argument("--by-round", action="store_true",
                    help="thresholds must reach the target on each round's posts too (tried in session 26)")
    ap.add_argument("--round", help="count findings on this round's posts only (train.CALIB_ROUNDS)")
    ap.add_argument("--half", action="store_true",
                    help="only the calibration half `train.py --calib-half` does not train on")
    ap.add_argument("runs", nargs="+", metavar="NAME=SCORES.npz")
    args = ap.parse_args()
    calib = T.load(T.corpus_files("calib"))
    rounds = np.array(T.calib_rounds(T.corpus_files("calib")))
    untaught = np.array([not T.is_calib_taught(r["text"]) for r in calib])
    if args.half:
        calib, rounds = [r for r, k in zip(calib, untaught) if k], rounds[untaught]
    half = np.array([hashlib.sha256(r["text"].encode()).digest()[2 if args.half else 1] % 2 for r in calib])
    rules = rule_categories(str(Path(args.scrubs).resolve()), calib)
    truth = [set(r.get("categories") or []) for r in calib]
    for run in args.runs:
        name, path = run.split("=", 1)
        z = np.load(path)
        post, y, blind = z["post"], z["cal_y"], z["blind"].astype(bool)
        if args.half and int(blind.sum()) == len(untaught):
            keep = np.concatenate([np.ones(int((~blind).sum()), bool), untaught])
            post, y, blind = post[keep], y[keep], blind[keep]
        if int(blind.sum()) != len(calib):
            sys.exit(f"{path}: {int(blind.sum())} calibration posts, the split has {len(calib)}")
        cp, cy = post[blind], y[blind]
        counts = {}
        for k in (0, 1):
            fit = half == k
            # As train.py: precision must hold on the fitting half's calibration posts (beside the
            # dev split's); with --by-round, on each round of them too.
            pad = [False] * int((~blind).sum())
            masks = [np.array(pad + [True] * int(fit.sum()))]
            if args.by_round:
                masks += [np.array(pad + list(rounds[fit] == r)) for r in sorted(set(rounds))]
            thr, groups = thresholds(np.vstack([post[~blind], cp[fit]]), np.vstack([y[~blind], cy[fit]]),
                                     masks, args.target)
            for i in np.where(~fit & ((rounds == args.round) if args.round else True))[0]:
                pred = set(rules[i]) | {c for c, js in groups.items() if (cp[i, js] >= thr[js]).any()}
                for c in groups:
                    e = counts.setdefault(c, [0, 0, 0])
                    if c in truth[i] and c in pred:
                        e[0] += 1
                    elif c in pred:
                        e[1] += 1
                    elif c in truth[i]:
                        e[2] += 1
        tp, fp, fn = (sum(v[n] for v in counts.values()) for n in range(3))
        print(f"{name}: micro {tp / max(1, tp + fp):.2f} / {tp / max(1, tp + fn):.2f}")
        for c, (a, b, d) in sorted(counts.items()):
            print(f"  {c:16} {a / max(1, a + b):.2f} / {a / max(1, a + d):.2f}   (tp {a}, fp {b}, fn {d})")


if __name__ == "__main__":
    main()
