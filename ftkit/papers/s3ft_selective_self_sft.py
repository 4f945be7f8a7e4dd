"""S3FT: Selective Self-to-Supervised Fine-Tuning for Generalization in Large Language Models (arXiv 2502.08130).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: a small
arithmetic world written in two answer styles (the model's "native" style and an "annotator" style), a
format-agnostic judge, a deterministic stand-in for the model's paraphrase of a gold answer, S3FT's three-way
target selection, and the KL-to-base forgetting diagnostic.
"""
from ftkit.catalog import Profile

import random
import re

import torch

from ftkit import train

PROFILE = Profile(
    claim="Training on the model's own answer where a judge accepts it (else a paraphrase of the gold, else the gold) "
          "moves the model far less from its base distribution than SFT on gold answers written in another style, "
          "keeps more held-out-task accuracy, and is at least as accurate in-domain.",
    smoke_seconds=40,
    dry_run_seconds=14,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B-Instruct',
        dataset='openai/gsm8k',
        heldout='cais/mmlu',
        n_train=2000,
        n_test=500,
        n_heldout=500,
        warmup_steps=0,
        ft_steps=250,
        batch_size=16,
        lr=1e-05,
        max_len=512,
        max_new_tokens=384,
    ),
    gpu_hardware='1 GPU, 80 GB',
    gpu_seconds=5400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='arith',
        heldout='arith',
        n_train=16,
        n_test=8,
        n_heldout=8,
        warmup_steps=2,
        ft_steps=2,
        batch_size=4,
        max_len=24,
        max_new_tokens=6,
    ),
    ranges=dict(
        n_train=(4, 1000000),
        n_test=(4, 1000000),
        n_heldout=(4, 1000000),
        shown_frac=(0, 1),
        warmup_steps=(0, 100000),
        warmup_lr=(0, 1),
        ft_steps=(1, 100000),
        batch_size=(1, 4096),
        lr=(0, 1),
        max_len=(8, 8192),
        max_new_tokens=(1, 4096),
    ),
    choices=dict(
        dataset=['arith', 'openai/gsm8k'],
        heldout=['arith', 'cais/mmlu'],
    ),
)


# ---- the arithmetic world in two answer styles -----------------------------------------------------------
# Native style = how the (warmed-up) base model answers; annotator style = how the gold labels are written.
NATIVE = (" it is {y} .", " that makes {y} .", " so {y} .")
ANNOTATOR = " = {y} #"


def _q(task: str, a: int, b: int) -> tuple[str, int]:
    return {"add": (f"{a} + {b}", a + b), "sub": (f"{a} - {b}", a - b), "max": (f"max {a} {b}", max(a, b))}[task]


def qa_row(task: str, a: int, b: int, style: str, rng: random.Random | None = None) -> dict:
    """One row {"prompt", "answer", "gold", "task"}: "Q: 3 + 4 A:" answered in the native style (a random native
    template if `rng` is given, else the first) or in the annotator style " = 7 #"."""
    text, y = _q(task, a, b)
    if style == "annotator":
        t = ANNOTATOR
    elif style == "native":
        t = NATIVE[0] if rng is None else rng.choice(NATIVE)
    else:
        raise ValueError(f"style must be 'native' or 'annotator', got {style!r}")
    return {"prompt": f"Q: {text} A:", "answer": t.format(y=y), "gold": str(y), "task": task}


def arith_world(seed: int = 0, n_add_a: int = 20, n_train: int = 150, shown_frac: float = 0.6, add_repeats: int = 3) -> dict:
    """The smoke world, deterministic in `seed`.

    In-domain task: addition a + b with a < n_add_a, b < 10, split n_train (fine-tuning) / rest (test).
    Warm-up corpus (native style, random template per row): a fixed fraction `shown_frac` of the addition pairs
    (each `add_repeats` times), every subtraction a - b (0 <= b <= a < 10) and every max a b (a, b < 10).
    Held-out tasks: the same subtraction and max prompts (native style), never fine-tuned on.
    Returns {"warmup", "train" (annotator gold), "test" (annotator gold), "heldout" (native), "shown" (add pairs)}."""
    rng = random.Random(f"s3ft-{seed}")
    pairs = [(a, b) for a in range(n_add_a) for b in range(10)]
    rng.shuffle(pairs)
    shown = pairs[:round(shown_frac * len(pairs))]
    train_pairs, test_pairs = pairs[:n_train], pairs[n_train:]
    sub = [(a, b) for a in range(10) for b in range(a + 1)]
    mx = [(a, b) for a in range(10) for b in range(10)]
    wrng = random.Random(f"s3ft-warmup-{seed}")
    warm = [qa_row("add", a, b, "native", wrng) for a, b in shown * add_repeats]
    warm += [qa_row("sub", a, b, "native", wrng) for a, b in sub] + [qa_row("max", a, b, "native", wrng) for a, b in mx]
    wrng.shuffle(warm)
    held = [qa_row("sub", a, b, "native") for a, b in sub] + [qa_row("max", a, b, "native") for a, b in mx]
    random.Random(f"s3ft-heldout-{seed}").shuffle(held)
    return {"warmup": warm,
            "train": [qa_row("add", a, b, "annotator") for a, b in train_pairs],
            "test": [qa_row("add", a, b, "annotator") for a, b in test_pairs],
            "heldout": held,
            "shown": set(shown)}


# ---- judge, paraphrase stand-in, target selection ----------------------------------------------------------
def first_line(text: str) -> str:
    """A generated answer up to the end of its line or the next "Q:" (the model may run on into a new question)."""
    return re.split(r"\n|\bQ:", text, maxsplit=1)[0]


def judge(text: str, gold: str) -> bool:
    """Format-agnostic correctness J(x, y_hat, y): the last number of the answer's first line equals the gold
    number (GSM8K's final-answer check); a multiple-choice gold letter A-D must be the first capital letter A-D."""
    line = first_line(text)
    if gold in ("A", "B", "C", "D"):
        m = re.search(r"\b([ABCD])\b", line)
        return bool(m) and m.group(1) == gold
    nums = re.findall(r"-?\d+(?:\.\d+)?", line.replace(",", ""))
    if not nums:
        return False
    try:
        return float(nums[-1]) == float(gold.replace(",", ""))
    except ValueError:
        return nums[-1] == gold


def paraphrase_standin(row: dict, rng: random.Random) -> str:
    """Stand-in for the model rewriting the gold answer "in its own words": the gold number in a random native
    template (a 2 M-parameter model cannot follow a rewrite instruction)."""
    return rng.choice(NATIVE).format(y=row["gold"])


PARAPHRASE_PROMPT = ("{prompt}\nReference answer: {answer}\nRewrite the reference answer in your own words, "
                     "keeping its final answer.\nRewritten answer:")


def paraphrase_prompt(row: dict) -> str:
    """P(x, y): the prompt a capable (instruct) model gets to paraphrase the gold answer in its own words."""
    return PARAPHRASE_PROMPT.format(prompt=row["prompt"], answer=row["answer"].strip())


def select_targets(rows, self_answers, paraphrases, judge_fn=judge) -> tuple[list[dict], list[str]]:
    """S3FT's targets: the model's own answer if the judge accepts it, else the paraphrase if the judge accepts
    that, else the gold answer. Returns (rows with "answer" replaced, provenance per row: self/paraphrase/gold)."""
    out, prov = [], []
    for r, y_hat, p in zip(rows, self_answers, paraphrases):
        if judge_fn(y_hat, r["gold"]):
            t, src = " " + first_line(y_hat).strip(), "self"
        elif p is not None and judge_fn(p, r["gold"]):
            t, src = p, "paraphrase"
        else:
            t, src = r["answer"], "gold"
        out.append(dict(r, answer=t))
        prov.append(src)
    return out, prov


# ---- diagnostics under the base model ------------------------------------------------------------------------
@torch.no_grad()
def answer_nlls(model, tok, rows, max_len: int = 64, batch_size: int = 64) -> torch.Tensor:
    """Per-row mean NLL of the answer tokens (the target's likelihood under `model`)."""
    model.eval()
    dev = next(model.parameters()).device
    out = []
    for i in range(0, len(rows), batch_size):
        b = train.collate(train.encode_pairs(tok, rows[i:i + batch_size], max_len=max_len), tok.pad_token_id)
        logits = model(input_ids=b["input_ids"].to(dev), attention_mask=b["attention_mask"].to(dev)).logits
        out.append(train.answer_nll(logits, b["labels"].to(dev)).float().cpu())
    return torch.cat(out)


@torch.no_grad()
def kl_to_base(model, base, tok, rows, max_len: int = 64, batch_size: int = 64) -> float:
    """Mean over answer positions of KL(p_theta || p_theta0) of the next-token distributions, teacher-forced on
    each row's prompt + reference answer (the positions that predict the answer tokens)."""
    model.eval(), base.eval()
    dev = next(model.parameters()).device
    tot, n = 0.0, 0
    for i in range(0, len(rows), batch_size):
        b = train.collate(train.encode_pairs(tok, rows[i:i + batch_size], max_len=max_len, add_eos=False), tok.pad_token_id)
        ids, am = b["input_ids"].to(dev), b["attention_mask"].to(dev)
        lp = model(input_ids=ids, attention_mask=am).logits[:, :-1].float().log_softmax(-1)
        lq = base(input_ids=ids, attention_mask=am).logits[:, :-1].float().log_softmax(-1)
        keep = (b["labels"][:, 1:] != train.IGNORE).to(dev)
        kl = (lp.exp() * (lp - lq)).sum(-1)
        tot += float(kl[keep].sum())
        n += int(keep.sum())
    return tot / max(1, n)
