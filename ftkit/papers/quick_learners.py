"""Instruction Tuned Models are Quick Learners (arXiv 2306.05539).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: ROUGE-L
(the SuperNI metric, our own small LCS implementation: `rouge_score` is not a dependency), data-fraction subsets
per task, the "fixed epochs" step count, and greedy scoring of generated answers.
"""
from ftkit.catalog import Profile

import math
import re

PROFILE = Profile(
    claim='A model instruction-tuned on many tasks, fine-tuned on a small fraction of the data of held-out tasks, '
          'matches the score its non-instruction-tuned base reaches with all of the data; the task definition '
          'matters most at low data.',
    smoke_seconds=35,
    dry_run_seconds=12,
    gpu=dict(
        model_id='google/t5-base-lm-adapt',
        it_model_id='allenai/tk-instruct-base-def-pos',
        dataset='Muennighoff/natural-instructions',
        instruction='def-pos',
        n_tasks=10,
        n_per_task=1000,
        n_test=100,
        fractions=[0.01, 0.06, 0.25, 1.0],
        epochs=2,
        batch_size=16,
        lr=0.0001,
        max_len=1024,
        max_new_tokens=128,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=3600,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        it_model_id='ftkit/tiny-llama-instruct',
        dataset='string-ops',
        n_tasks=4,
        n_per_task=8,
        n_test=2,
        fractions=[0.25, 1.0],
        epochs=1,
        batch_size=8,
        max_len=64,
        max_new_tokens=4,
    ),
    ranges=dict(
        n_tasks=(1, 1000),
        n_per_task=(1, 1000000),
        n_test=(1, 100000),
        epochs=(0, 1000),
        batch_size=(1, 4096),
        lr=(0, 1),
        max_len=(8, 8192),
        max_new_tokens=(1, 4096),
    ),
    choices=dict(
        dataset=['string-ops', 'Muennighoff/natural-instructions'],
        instruction=['def', 'def-pos'],
    ),
)


# ---- ROUGE-L ------------------------------------------------------------------------------------------------
# ROUGE-L F-measure between a prediction p and a reference r, on tokens:
#     LCS = length of the longest common subsequence of p and r,
#     P = LCS / |p|,  R = LCS / |r|,  F = 2 P R / (P + R)   (0 when LCS = 0).
# SuperNI reports 100 x F averaged over instances. Tokens here: lowercase words and single non-space symbols
# (SuperNI uses the rouge_score tokenizer: lowercase alphanumeric words; expect small differences on text).
def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+|[^\sa-z0-9]", text.lower())


def lcs_length(a: list, b: list) -> int:
    """Length of the longest common subsequence (dynamic programme, O(|a||b|) time, O(|b|) memory)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 in [0, 1] on `tokens` (for space-separated letters: one token per letter)."""
    p, r = tokens(prediction), tokens(reference)
    lcs = lcs_length(p, r)
    if lcs == 0:
        return 0.0
    prec, rec = lcs / len(p), lcs / len(r)
    return 2 * prec * rec / (prec + rec)


def first_line(text: str) -> str:
    """A generated answer ends at the first newline (the model may go on with another "Input:" line)."""
    return text.split("\n")[0].strip()


def score(predictions: list[str], references: list[str]) -> dict:
    """Mean ROUGE-L and exact match, both on the 0-100 scale the paper uses."""
    preds = [first_line(p) for p in predictions]
    refs = [r.strip() for r in references]
    n = max(1, len(refs))
    return {"rouge_l": 100 * sum(rouge_l(p, r) for p, r in zip(preds, refs)) / n,
            "exact": 100 * sum(tokens(p) == tokens(r) for p, r in zip(preds, refs)) / n}


# ---- data budgets -------------------------------------------------------------------------------------------
def fraction_subset(rows: list[dict], fraction: float) -> list[dict]:
    """The first round(fraction x n_t) rows of every task t (at least one), in the given order: the subsets of
    one seed are nested (6 % ⊂ 25 % ⊂ 100 %), so a larger budget only adds data."""
    by_task: dict[str, list[dict]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r)
    out = []
    for task_rows in by_task.values():
        out += task_rows[:max(1, round(fraction * len(task_rows)))]
    return out


def epoch_steps(n_examples: int, epochs: float, batch_size: int) -> int:
    """Optimizer steps for `epochs` passes over n examples (the paper trains a fixed number of epochs, so a
    smaller fraction also means fewer steps)."""
    return max(1, math.ceil(epochs * n_examples / batch_size))


def copy_baseline(rows: list[dict]) -> dict:
    """Score of answering every instance with its own input unchanged: the floor any arm must clear on string
    tasks, where ROUGE-L rewards outputs made of the input's letters."""
    return score([" ".join(r["input"]) for r in rows], [r["answer"] for r in rows])


# ---- one training / generation path for decoder-only (smoke: tiny Llama) and encoder-decoder models (gpu: T5) ----
# A causal LM reads prompt + answer and is trained on the answer tokens (ftkit.train.encode_pairs). Tk-Instruct
# and T5 are encoder-decoders: the prompt goes to the encoder, the answer is the decoder's target.
def is_seq2seq(model) -> bool:
    return bool(getattr(model.config, "is_encoder_decoder", False))


def encode_seq2seq(tokenizer, rows: list[dict], max_len: int = 1024, max_target: int = 128) -> list[dict]:
    out = []
    for r in rows:
        ids = tokenizer(r["prompt"], truncation=True, max_length=max_len)["input_ids"]
        labels = tokenizer(r["answer"].strip(), truncation=True, max_length=max_target)["input_ids"]
        out.append({"input_ids": ids, "labels": labels})
    return out


def collate_seq2seq(examples: list[dict], pad_id: int) -> dict:
    import torch
    from ftkit.train import IGNORE
    n, m = max(len(e["input_ids"]) for e in examples), max(len(e["labels"]) for e in examples)
    ids = torch.full((len(examples), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), n), dtype=torch.long)
    labels = torch.full((len(examples), m), IGNORE, dtype=torch.long)
    for i, e in enumerate(examples):
        ids[i, :len(e["input_ids"])] = torch.tensor(e["input_ids"])
        mask[i, :len(e["input_ids"])] = 1
        labels[i, :len(e["labels"])] = torch.tensor(e["labels"])
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def train_stream(model, tokenizer, rows: list[dict], batch_size: int, max_len: int, seed: int = 0,
                 max_target: int = 128):
    """Endless shuffled batches for ftkit.train.fit, for either kind of model."""
    import random
    from ftkit import train
    if not is_seq2seq(model):
        return train.batches(train.encode_pairs(tokenizer, rows, max_len=max_len), batch_size,
                             tokenizer.pad_token_id, seed=seed)
    enc = encode_seq2seq(tokenizer, rows, max_len, max_target)

    def stream():
        rng, order = random.Random(seed), []
        while True:
            if len(order) < batch_size:
                fresh = list(range(len(enc)))
                rng.shuffle(fresh)
                order += fresh
            idx, order = order[:batch_size], order[batch_size:]
            yield collate_seq2seq([enc[i] for i in idx], tokenizer.pad_token_id)
    return stream()


def generate(model, tokenizer, prompts: list[str], max_new_tokens: int, batch_size: int = 64,
             max_len: int = 1024) -> list[str]:
    """Greedy answers (text only, special tokens dropped) for either kind of model."""
    import torch
    from ftkit import evaluate
    if not is_seq2seq(model):
        return evaluate.generate_answers(model, tokenizer, prompts, max_new_tokens=max_new_tokens,
                                         batch_size=batch_size)
    model.eval()
    device, out = next(model.parameters()).device, []
    with torch.no_grad():
        for i in range(0, len(prompts), batch_size):
            b = tokenizer(prompts[i:i + batch_size], return_tensors="pt", padding=True, truncation=True,
                          max_length=max_len).to(device)
            g = model.generate(**b, max_new_tokens=max_new_tokens, do_sample=False)
            out += tokenizer.batch_decode(g, skip_special_tokens=True)
    return out


def load(model_id: str, device: str = "cpu"):
    """(model, tokenizer) for a zoo / hub causal LM (ftkit.models) or an encoder-decoder such as T5/Tk-Instruct."""
    from transformers import AutoConfig
    from ftkit import models
    path = models.resolve(model_id)
    if getattr(AutoConfig.from_pretrained(path), "is_encoder_decoder", False):
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        return AutoModelForSeq2SeqLM.from_pretrained(path, dtype=dtype).to(device), AutoTokenizer.from_pretrained(path)
    return models.load_model(model_id).to(device), models.load_tokenizer(model_id)
