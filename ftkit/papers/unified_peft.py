"""Unified PETL / MAM Adapter: Towards a Unified View of Parameter-Efficient Transfer Learning (arXiv 2110.04366).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import types

import torch
import torch.nn as nn

from ftkit import arch

PROFILE = Profile(
    claim='Prefix tuning is exactly a gated parallel adapter; adapters, prefix, LoRA and the MAM adapter compared one design dimension at a time at matched parameter budgets, and scaled composition (s = 4) beats plain addition with tuned learning rates.',
    smoke_seconds=69,
    dry_run_seconds=26,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        dataset='EdinburghNLP/xsum',
        n_train=20000,
        n_eval=500,
        steps=2000,
        batch_size=16,
        max_len=512,
        lr_peft=0.001,
        lr_full=2e-05,
        lr_grid=[0.0003, 0.001, 0.003],
        budgets=[16, 512],
        identity_layer=12,
        identity_prefix_len=30,
        max_new_tokens=60,
    ),
    gpu_hardware='1 GPU, 40 GB',
    gpu_seconds=10800,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='upper_first',
        n_train=64,
        n_eval=16,
        steps=2,
        max_len=32,
        lr_grid=[0.001, 0.003],
        budgets=[2, 8],
        identity_layer=3,
        identity_prefix_len=4,
        max_new_tokens=8,
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_eval=(1, 1000000),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr_peft=(0, 1),
        lr_full=(0, 1),
        scale=(0, 100),
        identity_layer=(0, 200),
        identity_prefix_len=(1, 4096),
        max_new_tokens=(1, 1024),
    ),
    choices=dict(
        dataset=['upper_first', 'reverse', 'sort', 'mod10', 'kv', 'EdinburghNLP/xsum'],
    ),
)


# ---- code: prefix tuning for Llama-style attention, written out, and the trainable-parameter budget -----


class PrefixKV(nn.Module):
    """l learned key and value vectors per key/value head of one attention layer: P_k, P_v ∈ R^{heads×l×d_head}.

    The keys are used as they are (no rotary embedding), like peft's prefix tuning, which feeds them
    in as an already-rotated KV cache.
    """

    def __init__(self, n_kv_heads: int, length: int, head_dim: int, std: float = 0.02):
        super().__init__()
        self.keys = nn.Parameter(torch.randn(n_kv_heads, length, head_dim) * std)
        self.values = nn.Parameter(torch.zeros(n_kv_heads, length, head_dim))


def _repeat_kv(x: torch.Tensor, groups: int) -> torch.Tensor:
    return x if groups == 1 else x.repeat_interleave(groups, dim=1)


def prefix_attention(attn, hidden_states, position_embeddings=None, attention_mask=None, cache=None, **kwargs):
    """A Llama/Qwen2 attention forward with the prefix of `attn.prefix` prepended to keys and values:

        head_i = softmax(q [P_k ; K]ᵀ / √d) [P_v ; V]     (prefix always visible, the rest causal)
    """
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb
    B, T, _ = hidden_states.shape
    hd = attn.head_dim
    q = attn.q_proj(hidden_states).view(B, T, -1, hd).transpose(1, 2)
    k = attn.k_proj(hidden_states).view(B, T, -1, hd).transpose(1, 2)
    v = attn.v_proj(hidden_states).view(B, T, -1, hd).transpose(1, 2)
    cos, sin = position_embeddings
    q, k = apply_rotary_pos_emb(q, k, cos, sin)
    if cache is not None:
        k, v = cache.update(k, v, attn.layer_idx)
    S = k.shape[2]
    pk = attn.prefix.keys.to(k.dtype).unsqueeze(0).expand(B, -1, -1, -1)
    pv = attn.prefix.values.to(v.dtype).unsqueeze(0).expand(B, -1, -1, -1)
    K = _repeat_kv(torch.cat([pk, k], 2), attn.num_key_value_groups)
    V = _repeat_kv(torch.cat([pv, v], 2), attn.num_key_value_groups)
    scores = (q @ K.transpose(2, 3)) * attn.scaling                 # (B, H, T, l + S)
    l = pk.shape[2]
    if attention_mask is None:                                      # plain causal: query i sits at position S - T + i
        allowed = torch.arange(S, device=q.device)[None, :] <= (S - T + torch.arange(T, device=q.device))[:, None]
        real = scores[..., l:].masked_fill(~allowed, float("-inf"))
    elif attention_mask.dtype == torch.bool:
        real = scores[..., l:].masked_fill(~attention_mask[..., :S], float("-inf"))
    else:
        real = scores[..., l:] + attention_mask[..., :S]
    full = torch.cat([scores[..., :l], real], -1)
    weights = torch.softmax(full.to(torch.promote_types(full.dtype, torch.float32)), -1).to(q.dtype)   # fp32 at least
    out = (weights @ V).transpose(1, 2).reshape(B, T, -1)
    return attn.o_proj(out), weights


def add_prefix(model, length: int, init_ids: torch.Tensor | None = None, layers=None) -> nn.ModuleList:
    """Give every (or the listed) attention layer a trainable prefix of `length` key/value vectors.

    init_ids: optional (length,) token ids; the prefix then starts as those tokens' own keys and values
    (Li & Liang's "initialise with real words" trick), else keys ~ N(0, 0.02²) and values = 0.
    """
    blocks = arch.layers(model)
    if arch.family(model) != "llama":
        raise ValueError("add_prefix is written for Llama-style attention; for BERT use a deep-prompt module")
    ref = next(model.parameters())
    attns = [(i, arch.attention(b)) for i, b in enumerate(blocks) if layers is None or i in layers]
    n_kv = model.config.num_key_value_heads
    prefixes = nn.ModuleList()
    for _, a in attns:
        a.prefix = PrefixKV(n_kv, length, a.head_dim).to(device=ref.device, dtype=torch.float32)
        prefixes.append(a.prefix)
    if init_ids is not None:
        if init_ids.numel() != length:
            raise ValueError(f"add_prefix: init_ids must hold exactly length={length} token ids, got {init_ids.numel()}")
        kv = {}
        hooks = [a.k_proj.register_forward_hook(lambda m, i, o, a=a: kv.__setitem__((id(a), "k"), o)) for _, a in attns]
        hooks += [a.v_proj.register_forward_hook(lambda m, i, o, a=a: kv.__setitem__((id(a), "v"), o)) for _, a in attns]
        with torch.no_grad():
            model(input_ids=init_ids.view(1, -1).to(ref.device))
            for _, a in attns:
                a.prefix.keys.copy_(kv[(id(a), "k")][0].view(length, n_kv, a.head_dim).transpose(0, 1))
                a.prefix.values.copy_(kv[(id(a), "v")][0].view(length, n_kv, a.head_dim).transpose(0, 1))
        for h in hooks:
            h.remove()
    for _, a in attns:      # swap in the written-out forward (a bound method on the instance; the class is untouched)
        a.forward = types.MethodType(prefix_attention, a)
    model.add_module("ftkit_prefixes", prefixes)
    return prefixes


def budget(model, n_base: int | None = None) -> dict:
    """Trainable parameters of `model` and their share of the frozen base model's size (`n_base`, default:
    the frozen parameters of `model`). Tied weights are counted once (parameters() de-duplicates)."""
    params = list(model.parameters())
    trainable = sum(p.numel() for p in params if p.requires_grad)
    base = n_base if n_base is not None else sum(p.numel() for p in params if not p.requires_grad)
    return {"trainable": trainable, "base": base, "pct": 100.0 * trainable / max(1, base)}
