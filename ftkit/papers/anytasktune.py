"""AnyTaskTune: Advanced Domain-Specific Solutions through Task-Fine-Tuning (arXiv 2407.07094).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: scoring of
sub-task rows with a k-shot prefix encoded once (its KV cache reused for every row), rank classification over a
label set, and the k-shot demonstration prefix.
"""
from ftkit.catalog import Profile

import copy

import torch

from ftkit import train

PROFILE = Profile(
    claim='A small model fine-tuned on explicit sub-task datasets of a domain beats a much larger general instruction model (given the same prompts plus k-shot demonstrations) on that domain, the gain stays in its domain, and raw domain text with the same steps does not give it.',
    smoke_seconds=47,
    dry_run_seconds=15,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B-Instruct',
        general_id='Qwen/Qwen2.5-7B-Instruct',
        sentiment_source='FinGPT/fingpt-sentiment-train',
        method='lora',
        n_train=2000,
        n_test=200,
        n_test_general=100,
        k_shot=3,
        steps=1000,
        batch_size=16,
        lr=0.0002,
        lora_rank=16,
        max_len=256,
    ),
    gpu_hardware='1 GPU, 40 GB',
    gpu_seconds=3600,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        general_id='ftkit/tiny-llama-facts',
        sentiment_source='synthetic',
        method='lora',
        n_train=16,
        n_test=8,
        n_test_general=4,
        k_shot=2,
        steps=2,
        batch_size=4,
        lora_rank=2,
        max_len=64,
    ),
    ranges=dict(
        n_train=(4, 10000000),
        n_test=(2, 1000000),
        n_test_general=(1, 1000000),
        k_shot=(0, 16),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        lora_rank=(1, 4096),
        max_len=(16, 8192),
    ),
    choices=dict(
        method=['full', 'lora'],
        sentiment_source=['synthetic', 'FinGPT/fingpt-sentiment-train'],
        raw_domain=['legal', 'finance'],
    ),
)


def demos(rows: list[dict], k: int) -> str:
    """The k-shot prefix: k solved rows of the same sub-task, one per line ("<prompt><answer>\\n")."""
    return "".join(f"{r['prompt']}{r['answer']}\n" for r in rows[:k])


@torch.no_grad()
def score_rows(model, tok, rows: list[dict], prefix: str = "", labels=None, batch_size: int = 32,
               max_len: int = 256) -> list[float]:
    """Per-row 0/1 scores of prompt/answer rows under the same protocol for every model.

    labels None: greedy exact match of row["answer"], checked in one teacher-forced pass (greedy decoding
    reproduces the answer iff the argmax is the answer token at every answer position).
    labels given: rank classification. The predicted label is the one with the highest log-probability
    log p(" " + label | prefix, prompt) (of its first token only, in one pass per row, when the labels' first tokens
    differ); it scores 1 if it equals the answer. This ignores formatting.
    prefix: k-shot demonstrations, encoded once; its KV cache is copied for every batch, so a demonstration costs
    one forward pass per sub-task, not one per row.
    """
    model.eval()
    dev = next(model.parameters()).device
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    cache, P = None, 0
    if prefix:
        pid = torch.tensor([tok(prefix, add_special_tokens=False)["input_ids"]], device=dev)
        out = model(input_ids=pid, use_cache=True)
        cache = out["cache"] if "cache" in out else out["past_key_values"]
        P = pid.shape[1]
    first = [tok(" " + lab, add_special_tokens=False)["input_ids"][0] for lab in labels] if labels else []
    by_first = bool(labels) and len(set(first)) == len(first)    # one pass per row: rank the labels' first tokens
    k = 1 if by_first or not labels else len(labels)
    if by_first:
        flat = [dict(r, answer=" " + labels[0]) for r in rows]
    else:
        flat = [dict(r, answer=" " + lab) for r in rows for lab in labels] if labels else list(rows)
    enc = train.encode_pairs(tok, flat, max_len=max_len, add_eos=False)
    hits, lps, picks = [], [], []
    step = max(k, batch_size - batch_size % k)        # keep a row's candidates in one batch
    for i in range(0, len(enc), step):
        b = train.collate(enc[i:i + step], pad)
        B = b["input_ids"].shape[0]
        kw = {}
        am = b["attention_mask"]
        if cache is not None:
            c = copy.deepcopy(cache)
            c.batch_repeat_interleave(B)
            kw = {"cache": c}
            am = torch.cat([torch.ones(B, P, dtype=am.dtype), am], 1)
        logits = model(input_ids=b["input_ids"].to(dev), attention_mask=am.to(dev), use_cache=cache is not None,
                       **kw).logits[:, :-1].float().cpu()
        lab = b["labels"][:, 1:]
        if by_first:                                   # the position that predicts the first answer token
            pos = (lab != train.IGNORE).float().argmax(1)
            picks += logits[torch.arange(B), pos][:, first].argmax(-1).tolist()
            continue
        ok = (logits.argmax(-1) == lab) | (lab == train.IGNORE)
        hits += ok.all(1).float().tolist()
        lp = torch.log_softmax(logits, -1).gather(-1, lab.clamp(min=0)[..., None])[..., 0]
        lps += (lp * (lab != train.IGNORE)).sum(1).tolist()
    if not labels:
        return hits
    if by_first:
        return [float(labels[j] == r["answer"].strip()) for j, r in zip(picks, rows)]
    return [float(labels[max(range(k), key=lambda j: lps[i * k + j])] == r["answer"].strip()) for i, r in enumerate(rows)]


def domain_score(scores: dict, subtasks) -> float:
    """Mean over a domain's sub-tasks of the mean row score (each sub-task weighs the same)."""
    return sum(sum(scores[s]) / max(1, len(scores[s])) for s in subtasks) / len(subtasks)


def answer_loss(model, batch):
    """The SFT loss − mean log p(y_t | x, y_<t) over the answer tokens, with the LM head applied only at the
    positions that predict an answer token (equal to `model(**batch).loss`, cheaper when prompts are long)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    h = base.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    lab = batch["labels"][:, 1:]
    keep = lab != train.IGNORE
    if not keep.any():                                 # every answer truncated away: no signal, no NaN
        return h.sum() * 0.0
    logits = base.lm_head(h[:, :-1][keep]).float()
    return torch.nn.functional.cross_entropy(logits, lab[keep])
