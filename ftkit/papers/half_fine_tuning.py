"""HFT: Half Fine-Tuning for Large Language Models (arXiv 2404.18466).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import random
import re

PROFILE = Profile(
    claim='Freezing a random half of the matrices each round (HFT) retains more pre-trained knowledge than full fine-tuning at the same learning rate, without lower overall performance; at matched plasticity the advantage does not show at smoke scale.',
    smoke_seconds=49,
    dry_run_seconds=20,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        task_length=8,
        forget_source='Salesforce/wikitext',
        n_train=20000,
        n_eval=500,
        max_steps=800,
        batch_size=16,
        max_len=64,
        lr=2e-05,
        lr_low=1e-05,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1200,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        forget_source='wiki-sample',
        task_length=4,
        n_train=64,
        n_eval=32,
        max_steps=2,
        max_len=48,
        batch_size=4,
    ),
    ranges=dict(
        task_length=(2, 20),
        n_train=(10, 10000000),
        n_eval=(10, 10000000),
        max_steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr=(0, 1),
        lr_low=(0, 1),
    ),
    choices=dict(
        granularity=['category', 'model', 'layer'],
    ),
    paper=dict(
        model_id='Qwen/Qwen2.5-7B',
        n_train=50000,
        n_eval=1000,
        max_steps=2000,
        batch_size=64,
        max_len=128,
    ),
    paper_hardware='8 GPUs, 80 GB each (FSDP)',
    paper_launch=dict(processes=8, fsdp=True, mixed_precision='bf16'),
)


# ---- code: Half Fine-Tuning's category-level parameter selection ---------------------------------------


_ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")
_FFN = ("gate_proj", "up_proj", "down_proj")
_NORMS = ("input_layernorm", "post_attention_layernorm")


def _layer_of(name: str) -> int | None:
    m = re.search(r"layers\.(\d+)\.", name)
    return int(m.group(1)) if m else None


def half_mask(model, seed: int = 0, granularity: str = "category") -> dict[str, bool]:
    """Which parameter tensors HFT updates this round (True = train, False = freeze at theta_0).

    category (the paper's default): per layer, 2 of 4 attention matrices; in a random half of the
      layers 2 of 3 FFN matrices, in the other half 1 of 3; one of the two norms. Embeddings, the
      final norm and the LM head are always trained.
    model: a random half of all per-layer matrices. layer: a random half of the layers, whole.
    """
    rng = random.Random(seed)
    names = [n for n, _ in model.named_parameters()]
    layers = sorted({_layer_of(n) for n in names if _layer_of(n) is not None})
    train = {n: True for n in names}
    per_layer = [n for n in names if _layer_of(n) is not None]
    if granularity == "category":
        ffn_two = set(rng.sample(layers, len(layers) // 2))
        for L in layers:
            chosen = set(rng.sample(_ATTN, 2)) | set(rng.sample(_FFN, 2 if L in ffn_two else 1)) | {rng.choice(_NORMS)}
            for n in per_layer:
                if _layer_of(n) == L:
                    train[n] = any(f".{c}." in n for c in chosen)
    elif granularity == "model":
        chosen = set(rng.sample(per_layer, len(per_layer) // 2))
        for n in per_layer:
            train[n] = n in chosen
    elif granularity == "layer":
        chosen = set(rng.sample(layers, len(layers) // 2))
        for n in per_layer:
            train[n] = _layer_of(n) in chosen
    else:
        raise ValueError(f"granularity must be category, model or layer, got {granularity!r}")
    return train


def apply_mask(model, train: dict[str, bool]) -> list:
    """Set requires_grad from a mask; return the trainable tensors (build the optimizer over these only)."""
    out = []
    for n, p in model.named_parameters():
        p.requires_grad_(train[n])
        if train[n]:
            out.append(p)
    return out


# ---- data: copy-variant tasks the 2 M zoo model can learn in a few dozen steps -------------------------

COPY_VARIANTS = {   # each reuses the copy skill from pretraining, with one twist the model must learn
    "upper_last": lambda xs: xs[:-1] + [xs[-1].upper()],
    "last_twice": lambda xs: xs + [xs[-1]],
    "first_twice": lambda xs: [xs[0]] + xs,
}


def task_pairs(family: str, n: int, seed: int = 0, length: int = 4) -> list[dict]:
    """`n` prompt/answer rows of a copy-variant family ("upper_last: a b c d ->" / " a b c D"), or any
    family / hub id `ftkit.data.hub.load_pairs` knows."""
    from ftkit.data import synthetic
    if family in synthetic.PRETRAIN_FAMILIES + synthetic.NEW_FAMILIES:
        return synthetic.task_rows(family, n, seed, length)          # as synthetic.task, without importing `datasets`
    if family not in COPY_VARIANTS:
        from ftkit.data import hub
        return hub.load_pairs(family, n, seed=seed, length=length)
    rng = random.Random(f"{family}-{seed}")
    rows = []
    for _ in range(n):
        xs = synthetic._items(rng, length)
        rows.append({"prompt": f"{family}: {' '.join(xs)} ->", "answer": " " + " ".join(COPY_VARIANTS[family](xs)),
                     "family": family})
    return rows


def trained_fraction(model, mask: dict[str, bool]) -> tuple[float, float]:
    """(fraction of per-layer parameters trained, fraction of ALL parameters trained). Tied tensors (embedding =
    LM head) are counted once, as `model.named_parameters()` lists them once."""
    sizes = {n: p.numel() for n, p in model.named_parameters()}
    per_layer = [n for n in sizes if _layer_of(n) is not None]
    frac_layer = sum(sizes[n] for n in per_layer if mask[n]) / sum(sizes[n] for n in per_layer)
    return frac_layer, sum(sizes[n] for n in sizes if mask[n]) / sum(sizes.values())
