"""Calibration: expected calibration error (ECE) and the reliability-diagram bins behind it.

    conf, correct = probs.max(-1).values, probs.argmax(-1) == labels
    ece(probs, labels, n_bins=15)            # Σ_b (|b|/n) · |acc(b) − conf(b)|, equal-width confidence bins
    reliability(probs, labels)               # per-bin (mean confidence, accuracy, count) for a plot
"""
from __future__ import annotations

import torch


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
