"""Masked Thought: Simply Masking Partial Reasoning Steps Can Improve Mathematical Reasoning Learning of Language
Models (Chen et al., ACL 2024, arXiv 2403.02178).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: the
mask-rate schedule, the masking collator (the method; also as a `data_collator` for TRL's SFTTrainer), a character
tokenizer with a mask symbol (and its Hugging Face wrapper), the training rows, the distractor-inserted test problems
(a GSM-IC analogue) and the chain/read-out error split. The arithmetic chains are shared
(`ftkit.data.arith`); the from-scratch character Llama and greedy decoding are those of `ftkit.papers.cot_noise_tint`.
"""
from __future__ import annotations

import random
import re

import torch

from ftkit.catalog import Profile
from ftkit.papers.cot_noise_tint import CharTokenizer

PROFILE = Profile(
    claim='Masking a random share of the chain-of-thought tokens in the input (labels unchanged) regularizes '
          'fine-tuning: MFT beats plain SFT on held-out problems and, more, on problems with irrelevant context.',
    smoke_seconds=45,
    dry_run_seconds=16,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B',
        dataset='openai/gsm8k',
        n_train=7473,
        n_test=500,
        steps=1200,
        batch_size=16,
        lr=1e-05,
        p_max=0.4,
        max_len=512,
        max_new_tokens=320,
    ),
    gpu_hardware='1 GPU, 80 GB',
    gpu_seconds=7200,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='arith',
        n_train=16,
        n_test=8,
        steps=2,
        batch_size=4,
        max_len=64,
        max_new_tokens=8,
    ),
    ranges=dict(
        digits=(1, 20),
        n_train=(4, 10000000),
        n_test=(2, 100000),
        n_train_eval=(1, 100000),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        p_max=(0, 1),
        mask_warmup=(0, 1),
        p_distract=(0, 1),
        hidden_size=(8, 4096),
        layers=(1, 48),
        max_len=(8, 8192),
        max_new_tokens=(1, 4096),
    ),
    choices=dict(
        model_id=['scratch-char', 'ftkit/tiny-llama', 'Qwen/Qwen2.5-1.5B', 'Qwen/Qwen2.5-7B'],
        dataset=['arith', 'openai/gsm8k'],
    ),
)

MASK = "_"                      # the character tokenizer's [mask] symbol (never appears in the data)
HF_MASK = "[mask]"              # the token added to a Hub tokenizer


# ---- the method: the mask-rate schedule and the masking collator -------------------------------------------
def mask_rate(step: int, total: int, p_max: float, warmup: float) -> float:
    """p_t = min(p_max, p_max * t / (T * r + 1)): linear warm-up from 0 over the first r * T steps (the repo's
    schedule, r = mask_warmup), then constant p_max. warmup = 0 gives p_max from the first step."""
    return min(p_max, p_max * step / (total * warmup + 1)) if warmup > 0 else p_max


def mask_inputs(batch: dict, mask_id: int, p: float, gen: torch.Generator | None = None) -> dict:
    """MFT's change to a batch: every target position (labels != -100: the chain of thought and the answer) has
    its *input* id replaced by `mask_id` with probability p. The question, the padding and the labels are left
    alone, so every target token is still predicted, from a context whose earlier reasoning is partly hidden."""
    target = batch["labels"] != -100
    hit = (torch.rand(batch["input_ids"].shape, generator=gen) < p) & target
    return {**batch, "input_ids": torch.where(hit, torch.full_like(batch["input_ids"], mask_id), batch["input_ids"])}


def masked_batches(stream, mask_id: int, steps: int, p_max: float, warmup: float, seed: int = 0, log: list | None = None):
    """Wrap a batch stream (e.g. `ftkit.train.batches`): batch t gets `mask_inputs` at rate `mask_rate(t, ...)`.
    With p_max = 0 this is the plain-SFT stream, batch for batch. `log` (a list) receives (p_t, share masked)."""
    gen = torch.Generator().manual_seed(seed)
    for t, batch in enumerate(stream):
        p = mask_rate(t, steps, p_max, warmup)
        out = mask_inputs(batch, mask_id, p, gen) if p > 0 else batch
        if log is not None:
            target = batch["labels"] != -100
            log.append((p, float((out["input_ids"][target] == mask_id).float().mean()) if p > 0 else 0.0))
        yield out


class MaskingCollator:
    """The masking collator as a `data_collator` for TRL's `SFTTrainer` (or any HF Trainer): pads pre-tokenized
    rows (`input_ids`, `labels` with -100 on the question) and applies `mask_inputs` at the scheduled rate. The
    schedule advances once per call (one call per optimizer step with `dataloader_num_workers=0` and no gradient
    accumulation); p_max = 0 gives plain SFT, batch for batch. `log` receives (p_t, share of answer inputs masked)."""

    def __init__(self, pad_id: int, mask_id: int, steps: int, p_max: float, warmup: float, seed: int = 0):
        self.pad_id, self.mask_id, self.steps, self.p_max, self.warmup = pad_id, mask_id, steps, p_max, warmup
        self.gen = torch.Generator().manual_seed(seed)
        self.step, self.log = 0, []

    def __call__(self, features: list[dict]) -> dict:
        from ftkit import train
        batch = train.collate([{"input_ids": list(f["input_ids"]), "labels": list(f["labels"])} for f in features],
                              self.pad_id)
        p = mask_rate(self.step, self.steps, self.p_max, self.warmup)
        self.step += 1
        out = mask_inputs(batch, self.mask_id, p, self.gen) if p > 0 else batch
        target = batch["labels"] != -100
        self.log.append((p, float((out["input_ids"][target] == self.mask_id).float().mean()) if p > 0 else 0.0))
        return out


# ---- data: training rows and the distractor-inserted (GSM-IC-like) test problems --------------------------------
def train_rows(n: int, digits: int, seed: int, exclude: set, p_distract: float) -> list[dict]:
    """n addition problems with column-trace chains (`ftkit.data.arith`); a share p_distract of them (a seeded
    choice) has one irrelevant sentence inserted into its chain, so distractor text is part of the training
    format. Held-out problems (`exclude`) are never drawn."""
    from ftkit.data import arith
    clean = arith.arith(n, digits, seed=seed, exclude=exclude)
    noisy = arith.arith(n, digits, seed=seed, exclude=exclude, distractors=1)   # same problems, one distractor each
    pick = set(random.Random(f"mft-distract-{seed}").sample(range(n), int(round(p_distract * n))))
    return [noisy[i] if i in pick else clean[i] for i in range(n)]


def distractor_prompts(rows: list[dict], seed: int) -> list[str]:
    """The GSM-IC analogue: each question followed by one irrelevant, well-formed sentence (e.g. "note 3+4=7|",
    numbers unrelated to the problem); the answer is unchanged. The model must write the chain after it."""
    from ftkit.data import arith
    rng = random.Random(f"mft-ic-{seed}")
    out = []
    for r in rows:
        x, y = rng.randrange(10), rng.randrange(10)
        out.append(r["prompt"] + rng.choice(arith.DISTRACTORS).format(x=x, y=y, z=x + y) + "|")
    return out


IRRELEVANT = ("The store also sells {n} pencils.", "Tom's brother is {n} years old.",
              "A bus holds {n} people.", "The library has {n} red books.", "It rained {n} days last month.")


def gsm_ic_rows(rows: list[dict], seed: int) -> list[dict]:
    """GSM8K rows (`ftkit.data.hub.gsm8k_judged_pairs`) with one irrelevant sentence inserted before the question's
    last sentence (GSM-IC is not on the Hub under a canonical id; the paper's analysis builds it the same way)."""
    rng = random.Random(f"mft-gsmic-{seed}")
    out = []
    for r in rows:
        q = r["prompt"]
        head, tail = (q[:-len("\nAnswer:")], "\nAnswer:") if q.endswith("\nAnswer:") else (q, "")
        parts = head.rsplit(". ", 1)
        s = rng.choice(IRRELEVANT).format(n=rng.randrange(2, 60))
        head = f"{parts[0]}. {s} {parts[1]}" if len(parts) == 2 else f"{s} {head}"
        out.append({**r, "prompt": head + tail})
    return out


# ---- the character tokenizer (with a mask symbol) and scoring -------------------------------------------
class MaskCharTokenizer(CharTokenizer):
    """cot_noise_tint's character tokenizer over the arithmetic alphabet, the distractor sentences' letters and the
    mask symbol `MASK`. Id 0 is padding, id 1 end-of-sequence."""
    chars = "0123456789+=|:<QA " + "abcdefghijklmnopqrstuvwxyz" + MASK

    def __init__(self):
        super().__init__()
        self.mask_token_id = self.vocab[MASK]


def hf_char_tokenizer(tok: MaskCharTokenizer):
    """The same character vocabulary as a Hugging Face fast tokenizer (one token per character, same ids, pad 0,
    eos 1), for trainers that require a `PreTrainedTokenizerBase` (TRL's SFTTrainer)."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    core = Tokenizer(models.WordLevel({"<pad>": tok.pad_token_id, "</s>": tok.eos_token_id, **tok.vocab}, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="</s>")


def add_mask_token(model, tok) -> int:
    """A Hub model: add the `[mask]` token, grow the embeddings (full fine-tuning trains the new row) and return its
    id. (With a frozen embedding, as under LoRA, use the pad id instead, as the paper's code allows.)"""
    tok.add_special_tokens({"additional_special_tokens": [HF_MASK]})
    model.resize_token_embeddings(len(tok))
    return tok.convert_tokens_to_ids(HF_MASK)


def score(outputs: list[str], golds: list[int]) -> dict:
    """Exact match of the final answer, read with the shared verifier (`ftkit.verifiers.arith.final_answer`: the
    number after the last answer marker, else the last integer; our chains end in "A:<n>")."""
    from ftkit.verifiers import arith as varith
    hits = [varith.final_answer(o.split("A:")[-1] if "A:" in o else o) == g for o, g in zip(outputs, golds)]
    return {"acc": sum(hits) / max(1, len(hits)), "hits": hits}


_STEP = re.compile(r"(\d)\+(\d)\+(\d)=(\d+) c(\d)")


def readout(output: str) -> dict:
    """Where a generated column-addition chain goes wrong. `implied`: the answer the model's *own* chain implies
    (the column digits s % 10, right to left, then the last carry), None without steps; `written`: the number after
    "A:"; `consistent`: written == implied (the read-out copied the chain faithfully, right or wrong)."""
    from ftkit.data import arith
    steps = [tuple(map(int, m)) for m in _STEP.findall(output.split("A:")[0])]
    implied = None
    if steps:
        implied = sum((s % 10) * 10 ** i for i, (_, _, _, s, _) in enumerate(steps)) + steps[-1][4] * 10 ** len(steps)
    written = arith.parse_answer(output)
    return {"implied": implied, "written": written, "consistent": implied is not None and written == implied}


def error_kinds(outputs: list[str], rows: list[dict], digits: int) -> dict:
    """Shares of the problems that are right, wrong in the chain (some column step differs from the clean trace),
    or wrong only in the read-out (every column step right, the final answer not the one they imply)."""
    from ftkit.data import arith
    n = max(1, len(outputs))
    right = chain = read = 0
    for o, r in zip(outputs, rows):
        if arith.parse_answer(o) == r["true_answer"]:
            right += 1
        elif not all(arith.step_accuracy(o, r["a"], r["b"], digits)):
            chain += 1
        else:
            read += 1
    return {"right": right / n, "chain wrong": chain / n, "read-out wrong (chain right)": read / n}
