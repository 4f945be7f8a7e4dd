"""Grafting: Task-Specific Skill Localization in Fine-tuned Language Models (arXiv 2302.06600).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import torch

PROFILE = Profile(
    claim="Grafting a small learnt region of the fine-tuned weights (1% of the encoder's linear weights at tiny scale) onto the pre-trained model recovers most of the fine-tuning gain; a random region of equal size recovers almost none.",
    smoke_seconds=57,
    dry_run_seconds=24,
    gpu=dict(
        model_id='FacebookAI/roberta-base',
        dataset='stanfordnlp/sst2',
        ood_datasets=['stanfordnlp/imdb', 'fancyzhx/yelp_polarity'],
        n_test=872,
        n_ood=1000,
        max_len=128,
        ft_steps=1000,
        ft_lr=0.01,
        ft_batch=8,
        sparsities=[1e-05, 0.0001, 0.001],
        graft_steps=400,
        graft_batch=32,
        round_every=20,
    ),
    gpu_hardware='1 GPU, 16 GB',
    gpu_seconds=1800,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='sentiment',
        ood_datasets=['ood_templates', 'polarity'],
        n_per_class=8,
        n_test=32,
        n_ood=32,
        max_len=32,
        ft_steps=2,
        graft_steps=2,
        round_every=1,
    ),
    ranges=dict(
        n_per_class=(1, 1000000),
        n_test=(10, 10000000),
        n_ood=(10, 10000000),
        max_len=(8, 512),
        ft_steps=(1, 1000000),
        ft_lr=(0, 100),
        ft_batch=(1, 4096),
        graft_steps=(1, 1000000),
        graft_batch=(1, 4096),
        graft_step0=(0, 1000),
        sigmoid_bias=(0, 100),
        round_every=(1, 1000000),
    ),
    choices=dict(
        dataset=['sentiment', 'stanfordnlp/sst2'],
    ),
)


# ---- code: expected calibration error (ECE) and the reliability-diagram bins behind it ------------------
#     ece(probs, labels, n_bins=15)            # Σ_b (|b|/n) · |acc(b) − conf(b)|, equal-width confidence bins
#     reliability(probs, labels)               # per-bin (mean confidence, accuracy, count) for a plot


def reliability(probs: torch.Tensor, labels: torch.Tensor, n_bins: int = 15) -> list[dict]:
    """Equal-width bins over the top-class confidence in (0, 1]; one dict per non-empty bin."""
    probs, labels = torch.as_tensor(probs).float(), torch.as_tensor(labels)
    conf, pred = probs.max(-1)
    correct = (pred == labels).float()
    edges = torch.linspace(0, 1, n_bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inb = (conf > lo) & (conf <= hi)
        if inb.any():
            out.append({"lo": float(lo), "hi": float(hi), "conf": float(conf[inb].mean()),
                        "acc": float(correct[inb].mean()), "count": int(inb.sum())})
    return out


def ece(probs: torch.Tensor, labels: torch.Tensor, n_bins: int = 15) -> float:
    """Expected calibration error: the count-weighted mean gap |accuracy − confidence| over the bins."""
    n = len(labels)
    return sum(b["count"] / n * abs(b["acc"] - b["conf"]) for b in reliability(probs, labels, n_bins))
