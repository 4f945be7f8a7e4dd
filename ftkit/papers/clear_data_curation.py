"""CLEAR: Automated Data Curation for Robust Language Model Fine-Tuning (arXiv 2403.12776).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import json

import torch

from ftkit import train

PROFILE = Profile(
    claim='A confidence score from the model itself (consistency + likelihood) finds corrupted fine-tuning targets, and dropping (then confidently correcting) them recovers most of the accuracy that training on the noisy data loses.',
    smoke_seconds=41,
    dry_run_seconds=14,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B-Instruct',
        dataset='rajpurkar/squad',
        answer_format='json',
        n_train=5000,
        n_test=500,
        noise_rate=0.2,
        steps=600,
        batch_size=16,
        lr=1e-05,
        max_len=512,
        filter_frac=0.2,
        gamma=0.5,
        k_check=8,
        max_new_tokens=48,
    ),
    gpu_hardware='1 GPU, 80 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='copy+upper_first',
        answer_format='json',
        n_train=64,
        n_test=32,
        steps=2,
        batch_size=4,
        max_len=48,
        k_check=2,
        max_new_tokens=16,
    ),
    ranges=dict(
        n_train=(16, 10000000),
        n_test=(1, 1000000),
        noise_rate=(0, 0.9),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        max_len=(8, 8192),
        ref_frac=(0.05, 1),
        beta=(0, 1),
        temperature=(0.05, 10),
        filter_frac=(0, 0.9),
        gamma=(-1, 1),
        k_check=(1, 1000),
        max_new_tokens=(1, 4096),
    ),
    choices=dict(
        dataset=['copy+upper_first', 'copy', 'upper_first', 'reverse', 'sort', 'rajpurkar/squad'],
        answer_format=['paren', 'json'],
    ),
)


# ---- code: the target format, the model's confidence in a target, generation, AUROC ----------------------
# - `wrap` / `format_ok` / `content`: the fixed output format of the targets (" ( a b c )" or ' {"ans": "a b c"}'),
#   its check, and the answer inside it.
# - `answer_scores`: from ONE teacher-forced pass, per row: the mean per-token probability of the answer (+ EOS) and
#   the tempered probability of the whole answer, p_T(y|x) = prod_t softmax(z_t / T)[y_t], which is exactly the
#   probability that one sample at temperature T reproduces y (the expected exact-match consistency).
# - `generate`: greedy or sampled answers for a list of prompts (left-padded batches).
# - `auroc`: area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties counted half.


def wrap(rows, fmt: str = "paren", field: str = "answer") -> list[dict]:
    """Give every answer the fixed output format: "paren" -> " ( a b c )", "json" -> ' {"ans": "a b c"}'."""
    out = []
    for r in rows:
        a = r[field].strip()
        if fmt == "paren":
            new = f" ( {a} )"
        elif fmt == "json":
            new = " " + json.dumps({"ans": a})
        else:
            raise ValueError(f"format must be 'paren' or 'json', got {fmt!r}")
        out.append(dict(r, **{field: new}))
    return out


def format_ok(text: str, fmt: str = "paren") -> bool:
    """Is a generated answer well formed? paren: ' ( ... )' with something inside; json: {"ans": "<string>"}."""
    if fmt == "paren":
        return text.startswith(" ( ") and text.endswith(" )") and len(text.strip()) > 3 and text.count("(") == 1 \
            and text.count(")") == 1
    from ftkit.data.noise import valid_json_answer
    return text.startswith(" ") and valid_json_answer(text.strip())


def content(text: str, fmt: str = "paren") -> str | None:
    """The answer inside a well-formed target (" ( a b )" -> "a b", ' {"ans": "a b"}' -> "a b"); None if malformed."""
    if not format_ok(text, fmt):
        return None
    return text.strip()[2:-2] if fmt == "paren" else json.loads(text)["ans"]


@torch.no_grad()
def answer_scores(model, tok, rows, temperature: float = 1.0, max_len: int = 64, batch_size: int = 64) -> dict:
    """Per row (tensors): `mean_p`, the mean probability of the answer tokens and EOS given the prompt;
    `p_T`, the tempered sequence probability prod_t softmax(z_t / T)[y_t] (EOS included); `logp`, the
    answer's log-likelihood at T = 1. One forward pass per batch."""
    model.eval()
    device = next(model.parameters()).device
    enc = train.encode_pairs(tok, rows, max_len=max_len, add_eos=True)
    mean_p, p_T, logp = [], [], []
    for i in range(0, len(enc), batch_size):
        b = train.collate(enc[i:i + batch_size], tok.pad_token_id)
        lab = b["labels"][:, 1:].to(device)
        logits = model(input_ids=b["input_ids"].to(device), attention_mask=b["attention_mask"].to(device)).logits[:, :-1].float()
        m = lab != train.IGNORE
        idx = lab.clamp(min=0)[..., None]
        lp1 = torch.log_softmax(logits, -1).gather(-1, idx)[..., 0] * m
        lpT = torch.log_softmax(logits / temperature, -1).gather(-1, idx)[..., 0] * m
        n = m.sum(1).clamp(min=1)
        mean_p.append((lp1.exp() * m).sum(1) / n)
        p_T.append(lpT.sum(1).exp())
        logp.append(lp1.sum(1))
    return {k: torch.cat(v).cpu() for k, v in (("mean_p", mean_p), ("p_T", p_T), ("logp", logp))}


def confidence(p_T: torch.Tensor, mean_p: torch.Tensor, beta: float) -> torch.Tensor:
    """CLEAR/BSDetector-style score conf = beta * consistency + (1 - beta) * likelihood term."""
    return beta * p_T + (1 - beta) * mean_p


def auroc(scores, labels) -> float:
    """P(score of a random positive > score of a random negative), ties counted 1/2 (Mann-Whitney U / n+ n-).
    labels: 1/True = positive. 0.5 = chance."""
    s = torch.as_tensor(scores, dtype=torch.float64).flatten()
    y = torch.as_tensor(labels).flatten().bool()
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).double().sum()
    ties = (pos[:, None] == neg[None, :]).double().sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))
