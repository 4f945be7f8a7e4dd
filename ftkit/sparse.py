"""Sparse fine-tuning: element-level masks, masked updates, and sparse deltas that compose.

    masks = topk_mask(scores, density=0.05)               # keep the 5% largest scores (global)
    step = masked_update(model, masks, base_state)         # train.fit(..., after_step=step)
    d = sparse_delta(model.state_dict(), base_state, masks) # theta_ft - theta_0, zero outside the mask
    model.load_state_dict(apply_deltas(base_state, [d_lang, d_task]))

Used by the lottery-ticket (LT-SFT), DSEE and skill-grafting notebooks.
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


def magnitude_scores(state: dict[str, torch.Tensor], names) -> dict[str, torch.Tensor]:
    """|w| for the named tensors: the score for magnitude pruning of pretrained weights."""
    return {n: state[n].detach().abs().float() for n in names}


def update_scores(finetuned: dict, base: dict, names) -> dict[str, torch.Tensor]:
    """|theta_ft - theta_0|: LT-SFT's score (the entries that moved most in dense fine-tuning)."""
    return {n: (finetuned[n].float() - base[n].float()).abs() for n in names}


def density(masks: dict[str, torch.Tensor]) -> float:
    kept = sum(int(m.sum()) for m in masks.values())
    return kept / max(1, sum(m.numel() for m in masks.values()))


def count_kept(masks: dict[str, torch.Tensor]) -> int:
    return sum(int(m.sum()) for m in masks.values())


def masked_update(model, masks: dict[str, torch.Tensor], base: dict[str, torch.Tensor]):
    """An `after_step` hook for train.fit: after every optimizer step, entries outside the mask are put
    back to their base values, so only masked entries ever differ from theta_0 (exactly, whatever the
    optimizer's momentum or weight decay does). Tensors not named in `masks` are left alone."""
    params = dict(model.named_parameters())
    missing = [n for n in masks if n not in params]
    if missing:
        raise KeyError(f"masked_update(): the model has no parameters named {missing[:3]}")
    frozen = {n: (~masks[n].to(params[n].device), base[n].to(params[n].device, params[n].dtype)) for n in masks}

    @torch.no_grad()
    def after_step(model_, step):
        for n, (outside, b) in frozen.items():
            params[n].data[outside] = b[outside]
    return after_step


def sparse_delta(finetuned: dict, base: dict, masks: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """phi = (theta_ft - theta_0) * mask, for the masked tensors only."""
    return {n: (finetuned[n].float() - base[n].float()) * m.float() for n, m in masks.items()}


def apply_deltas(base: dict, deltas: list[dict], scales: list[float] | None = None) -> dict:
    """theta_0 + sum_i s_i * phi_i: composing sparse (or dense) fine-tunings by addition."""
    scales = scales or [1.0] * len(deltas)
    out = {k: v.clone() for k, v in base.items()}
    for d, s in zip(deltas, scales):
        for n, v in d.items():
            out[n] = (out[n].float() + s * v).to(out[n].dtype)
    return out


def overlap(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    """|a ∩ b| / |a ∪ b| over the tensors both masks name (Jaccard index)."""
    inter = sum(int((a[n] & b[n]).sum()) for n in a if n in b)
    union = sum(int((a[n] | b[n]).sum()) for n in a if n in b)
    return inter / max(1, union)


# ------------------------------------------------------------------------------------------
# Low-rank + fixed-support sparse adapters for linear layers (DSEE; LoRA is the case support=None).
# ------------------------------------------------------------------------------------------
class LowRankSparseLinear(torch.nn.Module):
    """y = W x + b + (alpha / r) * (B A x + (S ⊙ M_Ω) x), with W, b frozen.

    A (r × d_in) ~ N(0, init_std), B (d_out × r) = 0, and S holds one trainable value per position of the
    boolean `support` mask Ω (zero at the start), so the update starts at exactly zero. Only A, B and the
    |Ω| sparse values are trained; S ⊙ M_Ω can never leave Ω because only the values on Ω exist."""

    def __init__(self, base: torch.nn.Linear, r: int, alpha: float | None = None, support: torch.Tensor | None = None,
                 init_std: float = 0.02, seed: int = 0):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        dev = base.weight.device
        g = torch.Generator().manual_seed(seed)
        self.A = torch.nn.Parameter((torch.randn(r, base.in_features, generator=g) * init_std).to(dev))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, r, device=dev))
        if support is not None and tuple(support.shape) != tuple(base.weight.shape):
            raise ValueError(f"support has shape {tuple(support.shape)}, the weight {tuple(base.weight.shape)}")
        idx = support.flatten().nonzero().squeeze(1) if support is not None else torch.zeros(0, dtype=torch.long)
        self.register_buffer("idx", idx.to(dev))                       # flat positions of Ω
        self.s = torch.nn.Parameter(torch.zeros(len(idx), device=dev))  # S2's values on Ω
        self.r, self.scale = r, (alpha if alpha is not None else r) / r

    def sparse_part(self) -> torch.Tensor:
        """S ⊙ M_Ω as a dense d_out × d_in matrix (zeros outside Ω)."""
        flat = torch.zeros(self.base.weight.numel(), device=self.s.device, dtype=self.s.dtype)
        return flat.index_add(0, self.idx, self.s).view_as(self.base.weight)

    def delta(self) -> torch.Tensor:
        """ΔW = (alpha / r) (B A + S ⊙ M_Ω): the dense update this adapter adds to W (what merging adds)."""
        return self.scale * (self.B @ self.A + self.sparse_part())

    def forward(self, x):
        out = self.base(x) + self.scale * ((x @ self.A.T) @ self.B.T)
        if len(self.idx):
            out = out + self.scale * torch.nn.functional.linear(x, self.sparse_part().to(x.dtype))
        return out

    def trainable(self) -> list:
        return [self.A, self.B] + ([self.s] if len(self.idx) else [])


def add_low_rank_sparse(model, names: list[str], r: int, alpha: float | None = None,
                        supports: dict[str, torch.Tensor] | None = None, seed: int = 0) -> dict:
    """Replace each named nn.Linear of `model` by a LowRankSparseLinear around it (support from `supports`
    by the same name, or none = plain LoRA). Returns {name: adapter}; their .trainable() are the new parameters."""
    out = {}
    for i, n in enumerate(names):
        parent, _, child = n.rpartition(".")
        base = model.get_submodule(n)
        if not isinstance(base, torch.nn.Linear):
            raise TypeError(f"{n} is a {type(base).__name__}, not nn.Linear")
        ad = LowRankSparseLinear(base, r, alpha, (supports or {}).get(n), seed=seed + i)
        setattr(model.get_submodule(parent) if parent else model, child, ad)
        out[n] = ad
    return out
