"""Sentence encoders (MiniLM and other BERT-style models) as classifiers and embedders.

    enc = models.load_model("sentence-transformers/all-MiniLM-L6-v2", kind="encoder")
    clf = PooledClassifier(enc, n_labels=2)                        # mean pooling + linear head
    clf = PooledClassifier(enc, label_texts=["negative", "positive"], tokenizer=tok)   # frozen cosine head
    train.fit(clf, text_batches(rows, tok, 16), steps=60, lr=1e-4, loss_fn=...)
    predict_logits(clf, tok, texts);  embed(enc, tok, texts)       # L2-normalised sentence vectors
    q = pooled(enc, ids, mask)                                     # the same vectors, with gradients (training)
    probe = fit_probe(embed(enc, tok, texts, normalize=False), labels, n_labels=2)   # linear probe on frozen features
"""
from __future__ import annotations

import random

import torch
import torch.nn as nn
import torch.nn.functional as F


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors, padding excluded (how all-MiniLM-L6-v2 makes sentence vectors)."""
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def tokenize(tokenizer, texts: list[str], max_len: int = 32) -> dict:
    return dict(tokenizer(list(texts), padding=True, truncation=True, max_length=max_len, return_tensors="pt"))


class PooledClassifier(nn.Module):
    """encoder -> mean pooling -> head. The head is a trainable linear layer, or (with label_texts) the
    frozen cosine similarity to each label's own sentence vector, scaled by `scale` (a zero-parameter head:
    every trainable parameter then lives in the encoder)."""

    def __init__(self, encoder, n_labels: int | None = None, label_texts: list[str] | None = None,
                 tokenizer=None, scale: float = 20.0):
        super().__init__()
        self.encoder = encoder
        if label_texts is not None:
            if tokenizer is None:
                raise ValueError("PooledClassifier(label_texts=...) needs the tokenizer to embed the labels")
            with torch.no_grad():
                self.register_buffer("label_vecs", embed(encoder, tokenizer, label_texts))
            self.head, self.scale = None, scale
        else:
            if not n_labels:
                raise ValueError("PooledClassifier needs n_labels (linear head) or label_texts (cosine head)")
            self.head = nn.Linear(encoder.config.hidden_size, n_labels)

    def forward(self, input_ids, attention_mask, **kw):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **kw).last_hidden_state
        z = mean_pool(hidden, attention_mask)
        if self.head is not None:
            return self.head(z)
        return self.scale * F.normalize(z, dim=-1) @ self.label_vecs.T


def text_batches(rows: list[dict], tokenizer, batch_size: int, max_len: int = 32, seed: int = 0,
                 text_key: str = "text", label_key: str = "label"):
    """Endless shuffled batches {input_ids, attention_mask, labels} for train.fit."""
    rng = random.Random(seed)
    order = list(range(len(rows)))
    while True:
        rng.shuffle(order)
        for i in range(0, len(order) - batch_size + 1, batch_size):
            chunk = [rows[j] for j in order[i:i + batch_size]]
            batch = tokenize(tokenizer, [r[text_key] for r in chunk], max_len)
            batch["labels"] = torch.tensor([r[label_key] for r in chunk])
            yield batch


@torch.no_grad()
def _over_batches(model, tokenizer, texts: list[str], batch_size: int, max_len: int, fn) -> torch.Tensor:
    """fn(input_ids, attention_mask) on each batch of texts, in eval mode, concatenated on the CPU."""
    was = model.training
    model.eval()
    dev = next(model.parameters()).device
    out = []
    for i in range(0, len(texts), batch_size):
        b = tokenize(tokenizer, texts[i:i + batch_size], max_len)
        out.append(fn(b["input_ids"].to(dev), b["attention_mask"].to(dev)).float().cpu())
    model.train(was)
    return torch.cat(out)


def predict_logits(model, tokenizer, texts: list[str], batch_size: int = 128, max_len: int = 32) -> torch.Tensor:
    """A classifier's logits for many texts (eval mode, no gradients, on the CPU), shape (len(texts), n_labels)."""
    return _over_batches(model, tokenizer, texts, batch_size, max_len, model)


def pooled(model, input_ids: torch.Tensor, attention_mask: torch.Tensor, normalize: bool = True) -> torch.Tensor:
    """Mean-pooled (by default L2-normalised) sentence vectors of tokenized texts, with gradients."""
    e = mean_pool(model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state, attention_mask)
    return F.normalize(e, dim=-1) if normalize else e


def embed(encoder, tokenizer, texts: list[str], batch_size: int = 128, max_len: int = 64,
          normalize: bool = True) -> torch.Tensor:
    """Sentence vectors of many texts (no gradients, on the CPU), shape (len(texts), hidden)."""
    return _over_batches(encoder, tokenizer, texts, batch_size, max_len,
                         lambda ids, mask: pooled(encoder, ids, mask, normalize))


def fit_probe(X: torch.Tensor, y: torch.Tensor, n_labels: int, seed: int = 0, steps: int = 300,
              lr: float = 1e-2) -> nn.Linear:
    """A linear probe on frozen features: full-batch logistic regression with Adam (seeded init)."""
    torch.manual_seed(seed)
    probe = nn.Linear(X.shape[1], n_labels).to(X.device)
    opt = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(probe(X), y).backward()
        opt.step()
    return probe
