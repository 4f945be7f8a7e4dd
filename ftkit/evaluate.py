"""Evaluation: answer accuracy for prompt/answer tasks, language-model loss, classifier accuracy."""
from __future__ import annotations

import math

import torch

from .train import IGNORE, collate, encode_pairs


@torch.no_grad()
def answer_accuracy(model, tokenizer, rows, batch_size: int = 64, max_len: int = 64,
                    per_example: bool = False):
    """Exact match of the answer under greedy decoding, computed in one teacher-forced pass.

    Greedy decoding reproduces the answer iff at every answer position the argmax token equals the
    answer token given the correct prefix -- which is what one forward pass checks. This is exact
    and much faster than `generate`. Whatever the model would write after the answer is ignored.
    """
    model.eval()
    enc = encode_pairs(tokenizer, rows, max_len=max_len, add_eos=False)
    device = next(model.parameters()).device
    hits = []
    for i in range(0, len(enc), batch_size):
        b = collate(enc[i:i + batch_size], tokenizer.pad_token_id)
        logits = model(input_ids=b["input_ids"].to(device), attention_mask=b["attention_mask"].to(device)).logits
        pred = logits[:, :-1].argmax(-1).cpu()
        gold = b["labels"][:, 1:]
        ok = (pred == gold) | (gold == IGNORE)
        hits += ok.all(dim=1).tolist()
    acc = sum(hits) / max(1, len(hits))
    return (acc, hits) if per_example else acc


@torch.no_grad()
def lm_loss(model, tokenizer, texts, batch_size: int = 16, max_len: int = 128) -> float:
    """Mean next-token cross-entropy (nats/token) over `texts`; exp() of it is the perplexity."""
    model.eval()
    device = next(model.parameters()).device
    enc = [{"input_ids": tokenizer(t, add_special_tokens=False)["input_ids"][:max_len]} for t in texts]
    total, count = 0.0, 0
    for i in range(0, len(enc), batch_size):
        b = collate(enc[i:i + batch_size], tokenizer.pad_token_id or 0)
        b["labels"][b["attention_mask"] == 0] = IGNORE
        logits = model(input_ids=b["input_ids"].to(device), attention_mask=b["attention_mask"].to(device)).logits
        lp = torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1).float(), b["labels"][:, 1:].flatten().to(device),
                                               ignore_index=IGNORE, reduction="sum")
        total += float(lp)
        count += int((b["labels"][:, 1:] != IGNORE).sum())
    return total / max(1, count)


def perplexity(model, tokenizer, texts, **kw) -> float:
    return math.exp(lm_loss(model, tokenizer, texts, **kw))


@torch.no_grad()
def generate_answers(model, tokenizer, prompts, max_new_tokens: int = 12) -> list[str]:
    """Greedy continuations (for display; use answer_accuracy for scoring)."""
    model.eval()
    device = next(model.parameters()).device
    outs = []
    for p in prompts:
        ids = tokenizer(p, return_tensors="pt", add_special_tokens=False).to(device)
        g = model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False,
                           pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
        outs.append(tokenizer.decode(g[0, ids["input_ids"].shape[1]:], skip_special_tokens=True))
    return outs


@torch.no_grad()
def classifier_logits(model, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return float((logits.argmax(-1) == y).float().mean())
