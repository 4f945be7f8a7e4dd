"""Per-head interventions on attention outputs, at the input of every layer's o_proj.

In a Llama/Qwen2-style model, o_proj's input is the concatenation of the H attention-head outputs
z^{(l,i)} in R^{d_head} (after the attention-weighted sum of values, before the output projection).
A forward pre-hook there can rewrite each head's output without touching the modelling code:

    z^{(l,i)}  <-  (1 + A^{(l,i)}) * z^{(l,i)} + v^{(l,i)}          (at every position)

`HeadIntervention` holds A (per-head scaling, LoFiT's selection step) and/or v (per-head bias, LoFiT's
tuning step; a fixed v is an ITI-style activation shift), restricted to a mask of heads.
`head_outputs` records z for probing (ITI).
"""
from __future__ import annotations

import torch
import torch.nn as nn


def attn_layers(model):
    """The decoder layers of a (possibly peft-wrapped) Llama-style causal LM."""
    m = model
    while not hasattr(m, "layers"):
        m = m.model if hasattr(m, "model") else m.base_model
    return m.layers


def shape(model) -> tuple[int, int, int]:
    """(n_layers, n_heads, head_dim) of the query heads, i.e. of o_proj's input."""
    c = model.config
    hd = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    return c.num_hidden_layers, c.num_attention_heads, hd


class HeadIntervention(nn.Module):
    """z^{(l,i)} <- (1 + A^{(l,i)} m_{l,i}) * z^{(l,i)} + v^{(l,i)} m_{l,i}, with m a 0/1 mask of heads.

    scale / bias: which of A and v exist (as trainable Parameters of shape (L, H, d_head), init N(0, init_std^2)).
    heads: the (layer, head) pairs the intervention acts on (default: all). Parameters of masked-out heads get no
    gradient and change nothing; `n_trainable()` counts only the active entries.
    """

    def __init__(self, model, scale: bool = False, bias: bool = False, heads=None, init_std: float = 1e-3, seed: int = 0):
        super().__init__()
        L, H, hd = shape(model)
        g = torch.Generator().manual_seed(seed)
        dev = next(model.parameters()).device
        self.A = nn.Parameter((torch.randn(L, H, hd, generator=g) * init_std).to(dev)) if scale else None
        self.v = nn.Parameter((torch.randn(L, H, hd, generator=g) * init_std).to(dev)) if bias else None
        mask = torch.zeros(L, H, 1) if heads is not None else torch.ones(L, H, 1)
        for layer, head in heads or []:
            mask[layer, head] = 1.0
        self.register_buffer("mask", mask.to(dev))
        self.n_heads, self.head_dim = H, hd
        self._handles: list = []

    def edit(self, layer: int, z: torch.Tensor) -> torch.Tensor:
        """The per-head rewrite of o_proj's input z (..., H * d_head) for one layer."""
        zh = z.view(*z.shape[:-1], self.n_heads, self.head_dim)
        m = self.mask[layer]
        if self.A is not None:
            zh = zh * (1 + self.A[layer] * m)
        if self.v is not None:
            zh = zh + self.v[layer] * m
        return zh.reshape(z.shape).to(z.dtype)          # fp32 parameters on a bf16 model stay bf16 downstream

    def attach(self, model) -> "HeadIntervention":
        self.detach()
        for i, layer in enumerate(attn_layers(model)):
            hook = lambda mod, args, i=i: (self.edit(i, args[0]),) + tuple(args[1:])
            self._handles.append(layer.self_attn.o_proj.register_forward_pre_hook(hook))
        return self

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def heads(self) -> list[tuple[int, int]]:
        return [tuple(x) for x in self.mask[..., 0].nonzero().tolist()]

    def n_trainable(self) -> int:
        active = int(self.mask.sum()) * self.head_dim
        return active * ((self.A is not None) + (self.v is not None))

    def l1(self) -> torch.Tensor:
        """Σ_{l,i} ||A^{(l,i)}||_1 over the active heads (LoFiT's sparsity penalty)."""
        return (self.A * self.mask).abs().sum()

    def head_norms(self) -> torch.Tensor:
        """(L, H) matrix of ||A^{(l,i)}||_2 (or ||v||_2 if there is no A): the head-selection score."""
        p = self.A if self.A is not None else self.v
        return (p * self.mask).detach().norm(dim=-1)


def top_k_heads(scores: torch.Tensor, k: int) -> list[tuple[int, int]]:
    """The k (layer, head) pairs with the largest scores of an (L, H) matrix."""
    H = scores.shape[1]
    idx = scores.flatten().topk(k).indices.tolist()
    return [(i // H, i % H) for i in idx]


@torch.no_grad()
def head_outputs(model, input_ids, attention_mask, positions) -> torch.Tensor:
    """Per-head attention outputs z at one position per row: (N, L, H, d_head).

    positions: (N,) index of the token to read in each row (e.g. the last real token)."""
    L, H, hd = shape(model)
    store, handles = {}, []
    rows = torch.arange(input_ids.shape[0], device=input_ids.device)
    for i, layer in enumerate(attn_layers(model)):
        def f(mod, args, i=i):
            store[i] = args[0][rows, positions].view(-1, H, hd).float()
        handles.append(layer.self_attn.o_proj.register_forward_pre_hook(f))
    try:
        model(input_ids=input_ids, attention_mask=attention_mask)
    finally:
        for h in handles:
            h.remove()
    return torch.stack([store[i] for i in range(L)], 1)
