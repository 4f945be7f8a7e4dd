"""Evaluation: answer accuracy for prompt/answer tasks, language-model loss, classifier accuracy."""
from __future__ import annotations

import math

import torch

from .train import IGNORE, collate, encode_pairs, text_batch


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
    total, count = 0.0, 0
    for i in range(0, len(texts), batch_size):
        b = text_batch(tokenizer, texts[i:i + batch_size], max_len)
        logits = model(input_ids=b["input_ids"].to(device), attention_mask=b["attention_mask"].to(device)).logits
        lp = torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1).float(), b["labels"][:, 1:].flatten().to(device),
                                               ignore_index=IGNORE, reduction="sum")
        total += float(lp)
        count += int((b["labels"][:, 1:] != IGNORE).sum())
    return total / max(1, count)


def perplexity(model, tokenizer, texts, **kw) -> float:
    return math.exp(lm_loss(model, tokenizer, texts, **kw))


@torch.no_grad()
def sample_answers(model, tokenizer, prompts, max_new_tokens: int = 12, samples: int = 1,
                   temperature: float | None = None, seed: int = 0, batch_size: int = 64) -> list[list[str]]:
    """For each prompt, `samples` continuations (greedy when temperature is None), decoded without special tokens.
    Prompts are left-padded into batches; with a causal mask and position ids from the attention mask (Llama,
    Qwen2) each answer is the one the prompt gets alone."""
    model.eval()
    device = next(model.parameters()).device
    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    if temperature is not None:
        torch.manual_seed(seed)
    kw = dict(do_sample=True, temperature=temperature, top_k=0, top_p=1.0, num_return_sequences=samples) \
        if temperature is not None else dict(do_sample=False)
    out = []
    try:
        for i in range(0, len(prompts), batch_size):
            b = tokenizer(list(prompts[i:i + batch_size]), return_tensors="pt", padding=True,
                          add_special_tokens=False).to(device)
            g = model.generate(**b, max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                               eos_token_id=tokenizer.eos_token_id, **kw)
            text = tokenizer.batch_decode(g[:, b["input_ids"].shape[1]:], skip_special_tokens=True)
            out += [text[j * samples:(j + 1) * samples] for j in range(len(text) // samples)]
    finally:
        tokenizer.padding_side = side
    return out


def generate_answers(model, tokenizer, prompts, max_new_tokens: int = 12, batch_size: int = 64) -> list[str]:
    """Greedy continuations, batched (for display and for pipelines that need the text; answer_accuracy scores)."""
    return [g[0] for g in sample_answers(model, tokenizer, prompts, max_new_tokens, batch_size=batch_size)]


@torch.no_grad()
def classifier_logits(model, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return float((logits.argmax(-1) == y).float().mean())
