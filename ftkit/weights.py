"""Operations on parameters: averaging (soups), interpolation, update geometry, spectra, masks."""
from __future__ import annotations

import random
import re

import torch


def float_keys(state: dict) -> list[str]:
    """Names of floating-point tensors (integer buffers such as BN's num_batches_tracked are skipped)."""
    return [k for k, v in state.items() if torch.is_floating_point(v)]


def average(states: list[dict], weights: list[float] | None = None) -> dict:
    """Weighted average of state dicts: sum_i w_i * theta_i (uniform 1/k by default).

    Non-float entries are copied from the first state dict.
    """
    if not states:
        raise ValueError("average() needs at least one state dict")
    w = weights or [1.0 / len(states)] * len(states)
    if len(w) != len(states):
        raise ValueError(f"{len(states)} state dicts but {len(w)} weights")
    out = {}
    for k, v in states[0].items():
        out[k] = sum(wi * s[k].float() for wi, s in zip(w, states)).to(v.dtype) if torch.is_floating_point(v) else v.clone()
    return out


def interpolate(a: dict, b: dict, t: float) -> dict:
    """(1 - t) * a + t * b."""
    return average([a, b], [1.0 - t, t])


def delta(finetuned: dict, base: dict, keys=None) -> dict:
    """theta_ft - theta_0 for the float tensors (or the given keys)."""
    keys = keys or float_keys(base)
    return {k: finetuned[k].float() - base[k].float() for k in keys}


def flatten(state: dict, keys=None) -> torch.Tensor:
    keys = keys or sorted(float_keys(state))
    return torch.cat([state[k].float().flatten() for k in keys])


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0))


def angle_between_updates(ft_a: dict, ft_b: dict, base: dict) -> float:
    """Angle in degrees between (theta_a - theta_0) and (theta_b - theta_0)."""
    keys = sorted(float_keys(base))
    da, db = flatten(delta(ft_a, base, keys), keys), flatten(delta(ft_b, base, keys), keys)
    return float(torch.rad2deg(torch.arccos(torch.clamp(torch.dot(da, db) / (da.norm() * db.norm()), -1, 1))))


def greedy_soup(states: list[dict], val_score, order=None):
    """Greedy soup (Wortsman et al. 2022): add ingredients in order of held-out score, keeping each
    only if the held-out score of the averaged soup does not drop.

    val_score(state_dict) -> float on a held-out split (never the test set).
    Returns (soup_state, kept_indices, path) where path lists (index, candidate_score, kept).
    """
    scores = [val_score(s) for s in states] if order is None else None
    order = order if order is not None else sorted(range(len(states)), key=lambda i: -scores[i])
    kept = [order[0]]
    best = val_score(states[order[0]]) if scores is None else scores[order[0]]
    path = [(order[0], best, True)]
    for i in order[1:]:
        cand = val_score(average([states[j] for j in kept + [i]]))
        take = cand >= best
        path.append((i, cand, take))
        if take:
            kept.append(i)
            best = cand
    return average([states[j] for j in kept]), kept, path


# ------------------------------------------------------------------------------------------
# Spectra
# ------------------------------------------------------------------------------------------
def singular_values(w: torch.Tensor) -> torch.Tensor:
    return torch.linalg.svdvals(w.float())


def intruder_dimensions(w0: torch.Tensor, w: torch.Tensor, k: int = 10, eps: float = 0.5):
    """Intruder dimensions of a fine-tuned matrix (Shuttleworth et al. 2024).

    For each of the top-k left singular vectors u_j of W, sim_j = max_i |<u_j, u0_i>| over all left
    singular vectors u0_i of W0; u_j is an intruder if sim_j < eps.
    Returns (count, sims: tensor of k max-similarities).
    """
    u0 = torch.linalg.svd(w0.float(), full_matrices=False)[0]
    u = torch.linalg.svd(w.float(), full_matrices=False)[0][:, :k]
    sims = (u.T @ u0).abs().max(dim=1).values
    return int((sims < eps).sum()), sims


def scale_intruders(w0: torch.Tensor, w: torch.Tensor, lam: float, k: int = 10, eps: float = 0.5) -> torch.Tensor:
    """Rebuild W with each intruder singular value sigma_j scaled to lam * sigma_j (the paper's intervention)."""
    u, s, vh = torch.linalg.svd(w.float(), full_matrices=False)
    _, sims = intruder_dimensions(w0, w, k, eps)
    s = s.clone()
    s[:k][sims < eps] *= lam
    return (u * s) @ vh


# ------------------------------------------------------------------------------------------
# Masks: Half Fine-Tuning's category-level parameter selection
# ------------------------------------------------------------------------------------------
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
