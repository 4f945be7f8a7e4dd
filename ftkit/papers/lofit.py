"""LoFiT: Localized Fine-tuning on LLM Representations (arXiv 2406.01563).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import torch
import torch.nn as nn

from ftkit import arch

PROFILE = Profile(
    claim='Learned bias vectors on a few attention heads, chosen by L1-penalised per-head scalings, make a frozen model answer held-out questions truthfully far better than the base model and than an ITI-style probe shift.',
    smoke_seconds=58,
    dry_run_seconds=31,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B',
        dataset='truthfulqa/truthful_qa',
        n_train=300,
        top_k=10,
        l1_lambda=0.001,
        lr_A=0.001,
        lr_v=0.01,
        steps_A=190,
        steps_v=190,
        batch_size=8,
        iti_alphas=[0, 5, 10, 15, 20],
        n_random=5,
        lora_rank=8,
        lr_lora=0.0003,
        max_len=192,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1200,
    dry_run=dict(
        model_id='ftkit/tiny-llama-facts',
        dataset='fact-world',
        n_train=48,
        top_k=2,
        steps_A=2,
        steps_v=2,
        batch_size=4,
        iti_alphas=[0, 5],
        n_random=1,
        lora_rank=2,
        max_len=48,
    ),
    ranges=dict(
        n_train=(8, 1000000),
        top_k=(1, 100000),
        l1_lambda=(0, 10),
        lr_A=(0, 1),
        lr_v=(0, 1),
        steps_A=(1, 1000000),
        steps_v=(1, 1000000),
        batch_size=(1, 4096),
        dpo_beta=(0, 100),
        n_random=(1, 100),
        lora_rank=(1, 4096),
        lr_lora=(0, 1),
        max_len=(8, 8192),
    ),
    choices=dict(
        dataset=['fact-world', 'truthfulqa/truthful_qa'],
    ),
)


# ---- code: per-head interventions at the input of every layer's o_proj ----------------------------------
# In a Llama/Qwen2-style model, o_proj's input is the concatenation of the H attention-head outputs z^{(l,i)} in
# R^{d_head}. A forward pre-hook there rewrites each head's output without touching the modelling code:
#     z^{(l,i)}  <-  (1 + A^{(l,i)}) * z^{(l,i)} + v^{(l,i)}          (at every position)
# `HeadIntervention` holds A (per-head scaling, LoFiT's selection step) and/or v (per-head bias, LoFiT's tuning
# step; a fixed v is an ITI-style activation shift), restricted to a mask of heads. `head_outputs` records z (ITI).


class HeadIntervention(nn.Module):
    """z^{(l,i)} <- (1 + A^{(l,i)} m_{l,i}) * z^{(l,i)} + v^{(l,i)} m_{l,i}, with m a 0/1 mask of heads.

    scale / bias: which of A and v exist (as trainable Parameters of shape (L, H, d_head), init N(0, init_std^2)).
    heads: the (layer, head) pairs the intervention acts on (default: all). Parameters of masked-out heads get no
    gradient and change nothing; `n_trainable()` counts only the active entries.
    """

    def __init__(self, model, scale: bool = False, bias: bool = False, heads=None, init_std: float = 1e-3, seed: int = 0):
        super().__init__()
        L, H, hd = arch.head_shape(model)
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
        for i, layer in enumerate(arch.layers(model)):
            hook = lambda mod, args, i=i: (self.edit(i, args[0]),) + tuple(args[1:])
            self._handles.append(arch.attention(layer).o_proj.register_forward_pre_hook(hook))
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
    L, H, hd = arch.head_shape(model)
    store, handles = {}, []
    rows = torch.arange(input_ids.shape[0], device=input_ids.device)
    for i, layer in enumerate(arch.layers(model)):
        def f(mod, args, i=i):
            store[i] = args[0][rows, positions].view(-1, H, hd).float()
        handles.append(arch.attention(layer).o_proj.register_forward_pre_hook(f))
    try:
        model(input_ids=input_ids, attention_mask=attention_mask)
    finally:
        for h in handles:
            h.remove()
    return torch.stack([store[i] for i in range(L)], 1)
