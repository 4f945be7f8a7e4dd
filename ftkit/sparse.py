"""Element-level masks over named tensors: which entries a sparse fine-tuning may change.

    masks = topk_mask(scores, density=0.05)     # keep the 5% largest scores (global, or per tensor)
    random_mask(shapes, 0.05, seed=0)           # the same density at random: the control for any selected mask
    count_kept(masks); overlap(a, b)            # |mask|, Jaccard index of two masks

Shared by the lottery-ticket (LT-SFT), DSEE and skill-grafting notebooks; each paper's own use of the masks
(masked updates, sparse adapters, grafting) lives in ftkit/papers/<slug>.py.
"""
from __future__ import annotations

import torch


def topk_mask(scores: dict[str, torch.Tensor], density: float | None = None, k: int | None = None,
              per_tensor: bool = False) -> dict[str, torch.Tensor]:
    """Boolean masks that keep the largest scores: a global top-k over all tensors (default) or the same
    fraction of every tensor (per_tensor=True). Give `density` (fraction kept) or `k` (count kept)."""
    if (density is None) == (k is None):
        raise ValueError("topk_mask(): give exactly one of density or k")
    if not scores:
        raise ValueError("topk_mask(): no tensors to score")
    total = sum(s.numel() for s in scores.values())
    if density is not None and not 0 <= density <= 1:
        raise ValueError(f"density must be in [0, 1], got {density}")
    k = int(round(density * total)) if k is None else int(k)
    if per_tensor:
        frac = k / total
        return {n: _top(s.flatten().float(), int(round(frac * s.numel()))).view_as(s) for n, s in scores.items()}
    flat = torch.cat([s.flatten().float() for s in scores.values()])
    keep = _top(flat, k)
    out, i = {}, 0
    for n, s in scores.items():
        out[n] = keep[i:i + s.numel()].view_as(s)
        i += s.numel()
    return out


def _top(flat: torch.Tensor, k: int) -> torch.Tensor:
    keep = torch.zeros_like(flat, dtype=torch.bool)
    if k > 0:
        keep[torch.topk(flat, min(k, flat.numel())).indices] = True
    return keep


def random_mask(shapes: dict[str, torch.Size], density: float, seed: int = 0) -> dict[str, torch.Tensor]:
    """A uniformly random mask of the same overall density: the control for any selected mask."""
    g = torch.Generator().manual_seed(seed)
    scores = {n: torch.rand(s, generator=g) for n, s in shapes.items()}
    return topk_mask(scores, density=density)


def count_kept(masks: dict[str, torch.Tensor]) -> int:
    return sum(int(m.sum()) for m in masks.values())


def overlap(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    """|a ∩ b| / |a ∪ b| over the tensors both masks name (Jaccard index)."""
    inter = sum(int((a[n] & b[n]).sum()) for n in a if n in b)
    union = sum(int((a[n] | b[n]).sum()) for n in a if n in b)
    return inter / max(1, union)
