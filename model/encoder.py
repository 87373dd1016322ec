"""The sentence encoder scrubs ships: all-MiniLM-L6-v2 fine-tuned end to end with the heads
(PyTorch, CPU), then quantised to int8 rows for `src/model/bert.rs`. Used by `model/train.py`.

The network is written out here rather than loaded from a library so that the Rust side can
mirror it operation for operation: token + position + type embeddings, LayerNorm, six layers of
twelve-head self-attention (additive mask -1e4) and a GELU (erf) feed-forward, each followed by a
residual LayerNorm (eps 1e-12); the mean of the output over the real tokens; one logistic output
per head.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH, HEADS_N, HEAD_DIM, FFN = 384, 12, 32, 1536
CLS, SEP = 101, 102


class Bert(nn.Module):
    def __init__(self, w, n_out, layers=6, dropout=0.0):
        super().__init__()
        self.dropout = dropout

        def P(k):
            return nn.Parameter(torch.tensor(w[k].astype(np.float32)))

        self.we = P("embeddings.word_embeddings.weight")
        self.pe = P("embeddings.position_embeddings.weight")
        self.te = P("embeddings.token_type_embeddings.weight")
        self.eln = nn.LayerNorm(WIDTH, eps=1e-12)
        self.eln.weight, self.eln.bias = P("embeddings.LayerNorm.weight"), P("embeddings.LayerNorm.bias")
        self.L = nn.ModuleList()
        for i in range(layers):
            p = f"encoder.layer.{i}."
            m = nn.Module()
            for name, key, shape in LINEARS:
                lin = nn.Linear(*shape)
                lin.weight, lin.bias = P(p + key + ".weight"), P(p + key + ".bias")
                setattr(m, name, lin)
            for name, key in NORMS:
                ln = nn.LayerNorm(WIDTH, eps=1e-12)
                ln.weight, ln.bias = P(p + key + ".weight"), P(p + key + ".bias")
                setattr(m, name, ln)
            self.L.append(m)
        self.head = nn.Linear(WIDTH, n_out)

    def embed(self, ids, mask):
        b, s = ids.shape
        d = self.dropout if self.training else 0.0
        x = F.dropout(self.eln(self.we[ids] + self.pe[:s][None] + self.te[0][None, None]), d)
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for m in self.L:
            q = m.q(x).view(b, s, HEADS_N, HEAD_DIM).transpose(1, 2)
            k = m.k(x).view(b, s, HEADS_N, HEAD_DIM).transpose(1, 2)
            v = m.v(x).view(b, s, HEADS_N, HEAD_DIM).transpose(1, 2)
            a = F.dropout(torch.softmax(q @ k.transpose(-1, -2) / np.sqrt(HEAD_DIM) + bias, -1), d)
            c = (a @ v).transpose(1, 2).reshape(b, s, WIDTH)
            x = m.ln1(F.dropout(m.o(c), d) + x)
            x = m.ln2(F.dropout(m.f2(F.gelu(m.f1(x))), d) + x)
        mk = mask[..., None].float()
        return (x * mk).sum(1) / mk.sum(1)

    def forward(self, ids, mask):
        e = self.embed(ids, mask)
        return self.head(F.dropout(e, self.dropout if self.training else 0.0))


# (attribute, the teacher's name, nn.Linear(in, out)).
LINEARS = [("q", "attention.self.query", (WIDTH, WIDTH)), ("k", "attention.self.key", (WIDTH, WIDTH)),
           ("v", "attention.self.value", (WIDTH, WIDTH)), ("o", "attention.output.dense", (WIDTH, WIDTH)),
           ("f1", "intermediate.dense", (WIDTH, FFN)), ("f2", "output.dense", (FFN, WIDTH))]
NORMS = [("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")]


def encode(tok, texts, maxlen):
    """Token ids with [CLS] and [SEP], cut to `maxlen` (the last kept id is [SEP])."""
    out = []
    for e in tok.encode_batch(list(texts), add_special_tokens=True):
        ids = e.ids
        if len(ids) > maxlen:
            ids = ids[:maxlen - 1] + [SEP]
        out.append(ids)
    return out


def batches(encs, size):
    """Batches of similar length (less padding)."""
    order = sorted(range(len(encs)), key=lambda i: len(encs[i]))
    return [order[i:i + size] for i in range(0, len(order), size)]


def pad(encs, idx):
    s = max(len(encs[i]) for i in idx)
    ids = torch.zeros((len(idx), s), dtype=torch.long)
    mask = torch.zeros((len(idx), s), dtype=torch.long)
    for r, i in enumerate(idx):
        ids[r, :len(encs[i])] = torch.tensor(encs[i])
        mask[r, :len(encs[i])] = 1
    return ids, mask


def finetune(model, tok, texts, y, *, epochs, maxlen, lr=5e-5, head_lr=1e-3, batch=32, seed=1, known=None,
             log=print, token_dropout=0.0):
    """AdamW, linear warm-up (10%) and decay, class-weighted binary cross-entropy. `known` (texts x
    heads, 0 or 1): where it is 0 the text teaches the head nothing (its label is unknown).
    `token_dropout`: at each step each token but [CLS] and [SEP] is hidden from the network (its
    attention mask set to 0) with this probability, so that no one word decides a verdict."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    encs = encode(tok, texts, maxlen)
    pos = y.mean(0) if known is None else (y * known).sum(0) / np.maximum(known.sum(0), 1)
    pw = torch.tensor((1 - pos) / np.maximum(pos, 1e-3), dtype=torch.float32)
    opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if not n.startswith("head")], "lr": lr},
                             {"params": model.head.parameters(), "lr": head_lr}], weight_decay=0.01)
    chunks = batches(encs, batch)
    total = len(chunks) * epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * total)) * max(0.0, (total - s) / total))
    step = 0
    yt = torch.tensor(y, dtype=torch.float32)
    kt = None if known is None else torch.tensor(known, dtype=torch.float32)
    for ep in range(epochs):
        model.train()
        for ci in rng.permutation(len(chunks)):
            idx = chunks[ci]
            ids, mask = pad(encs, idx)
            if token_dropout > 0:
                drop = torch.rand(mask.shape) < token_dropout
                drop[:, 0] = False
                drop &= ids != SEP
                mask = mask * (~drop).long()
            loss = F.binary_cross_entropy_with_logits(model(ids, mask), yt[idx], pos_weight=pw,
                                                      weight=None if kt is None else kt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                log(f"epoch {ep + 1}/{epochs} step {step}/{total} loss {loss.item():.3f}")
    model.eval()


def quantise(model, maxlen):
    """int8 rows (one f32 scale per output row) for the embeddings and every linear layer, f32 for the
    rest; returns the tensors to save and replaces the model's weights by their dequantised values,
    so that what is calibrated afterwards is what Rust computes."""
    out = {}

    def q(name, t):
        a = t.detach().numpy().astype(np.float32)
        s = np.abs(a).max(1) / 127.0
        s[s == 0] = 1.0
        qa = np.clip(np.round(a / s[:, None]), -127, 127).astype(np.int8)
        out[name + ".q"] = qa
        out[name + ".scale"] = s.astype(np.float32)
        with torch.no_grad():
            t.copy_(torch.tensor(qa.astype(np.float32) * s[:, None]))

    def f(name, t):
        out[name] = t.detach().numpy().astype(np.float32).copy()

    with torch.no_grad():
        q("embeddings.word", model.we)
        # Positions beyond maxlen are never used.
        f("embeddings.position", model.pe[:maxlen])
        f("embeddings.type", model.te[0:1])
        f("embeddings.norm.weight", model.eln.weight)
        f("embeddings.norm.bias", model.eln.bias)
        for i, m in enumerate(model.L):
            for name, _, _ in LINEARS:
                lin = getattr(m, name)
                q(f"layer.{i}.{name}", lin.weight)
                f(f"layer.{i}.{name}.bias", lin.bias)
            for name, _ in NORMS:
                ln = getattr(m, name)
                f(f"layer.{i}.{name}.weight", ln.weight)
                f(f"layer.{i}.{name}.bias", ln.bias)
        f("head.weight", model.head.weight)
        f("head.bias", model.head.bias)
    return out


class Scorer:
    """Head probabilities for texts, cached by text."""

    def __init__(self, model, tok, maxlen):
        self.model, self.tok, self.maxlen, self.cache = model, tok, maxlen, {}

    def __call__(self, texts):
        need = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if need:
            e = encode(self.tok, need, self.maxlen)
            with torch.no_grad():
                for idx in batches(e, 64):
                    ids, mask = pad(e, idx)
                    p = torch.sigmoid(self.model(ids, mask)).numpy()
                    for r, i in enumerate(idx):
                        self.cache[need[i]] = p[r]
        return np.array([self.cache[t] for t in texts])
