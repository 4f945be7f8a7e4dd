"""Hand-written parameter-efficient modules for Llama-style decoders and BERT-style encoders.

peft has LoRA and prefix tuning, but no bottleneck adapters; these are written here, small and hook-based,
so the frozen model's own modules are never replaced (He et al. 2022's notation: x = a sub-layer's input,
h = its output):

    Bottleneck           Δ = s · f(z W_down) W_up           (W_up = 0 at start: the model is unchanged at step 0)
    add_adapters(..., mode="sequential")   h ← h + s·f(h W_down) W_up     (Houlsby: computed from the output)
    add_adapters(..., mode="parallel")     h ← h + s·f(x W_down) W_up     (He et al.: computed from the input)
    add_prefix(...)      l learned key/value vectors prepended in every attention layer (prefix tuning,
                         written out in `prefix_attention`; works with a KV cache, so `generate` works)
    budget(...)          trainable parameters, as a count and as % of the frozen model

Sub-layers ("where"): "attn" (self-attention block) or "ffn" (feed-forward block). For Llama/Qwen the
adapter reads the block's normalised input and adds to its output, before the residual add. For BERT it
reads the block's input and adds to the output projection (`*.output.dense`), before the residual add and
LayerNorm, i.e. where Houlsby et al. put their adapters.
"""
from __future__ import annotations

import math
import types

import torch
import torch.nn as nn

WHERE = ("attn", "ffn")
MODES = ("sequential", "parallel")


class Bottleneck(nn.Module):
    """Δ(z) = s · f(z W_down + b_down) W_up + b_up, with W_up (and b_up) zero-initialised ("LoRA init")."""

    def __init__(self, d: int, r: int, scale: float = 1.0, act: str = "relu"):
        super().__init__()
        self.down, self.up, self.scale = nn.Linear(d, r), nn.Linear(r, d), float(scale)
        self.act = {"relu": nn.ReLU(), "gelu": nn.GELU(), "identity": nn.Identity()}[act]
        nn.init.kaiming_uniform_(self.down.weight, a=math.sqrt(5))
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.scale * self.up(self.act(self.down(z.to(self.down.weight.dtype)))).to(z.dtype)


# ------------------------------------------------------------------------------------------------
# Where the adapters go: (source module whose input is x, target module whose output is h).
# ------------------------------------------------------------------------------------------------
def _backbone(model):
    m = model.get_base_model() if hasattr(model, "get_base_model") else model
    for path in ("model.layers", "layers", "bert.encoder.layer", "encoder.layer", "roberta.encoder.layer"):
        obj = m
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return obj, ("llama" if path.endswith("layers") else "bert")
        except AttributeError:
            continue
    raise ValueError(f"add_adapters: do not know the layers of {type(m).__name__} (Llama-style or BERT-style expected)")


def _site(layer, arch: str, where: str):
    """(source, x_from, target): x is read from source's inputs, Δ is added to target's output."""
    if where not in WHERE:
        raise ValueError(f"where must be one of {WHERE}, got {where!r}")
    if arch == "llama":
        block = layer.self_attn if where == "attn" else layer.mlp
        return block, "first", block
    # BERT: BertSelfOutput / BertOutput get (hidden, input_tensor); input_tensor is the block's input x.
    out = layer.attention.output if where == "attn" else layer.output
    return out, "second", out.dense


def _x_of(args, kwargs, x_from):
    if x_from == "first":
        return args[0] if args else kwargs["hidden_states"]
    return args[1] if len(args) > 1 else kwargs["input_tensor"]


def _add(output, delta):
    if isinstance(output, tuple):                       # attention modules return (output, weights)
        return (output[0] + delta,) + tuple(output[1:])
    return output + delta


class Adapters(nn.ModuleList):
    """The inserted bottlenecks (a ModuleList registered on the model as `model.ftkit_adapters`)."""

    def __init__(self):
        super().__init__()
        self.handles: list = []

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles.clear()


def add_adapters(model, where: str = "ffn", mode: str = "parallel", r: int = 8, scale: float = 1.0,
                 act: str = "relu", layers=None, name: str | None = None) -> Adapters:
    """Insert one bottleneck per layer at `where` ("attn"/"ffn"), sequential (from h) or parallel (from x).

    Returns the new modules (also registered on the model, so `.parameters()`, `.to()` and
    state_dict see them). Call `.remove()` on the result to detach the hooks. Hooks hold references to
    their adapters, so deep-copy the model *before* adding adapters, not after.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    blocks, arch = _backbone(model)
    d = model.config.hidden_size
    ref = next(model.parameters())
    mods = Adapters()
    for i, layer in enumerate(blocks):
        if layers is not None and i not in layers:
            continue
        src, x_from, tgt = _site(layer, arch, where)
        ad = Bottleneck(d, r, scale, act).to(device=ref.device)
        mods.append(ad)
        if mode == "parallel":
            def stash(mod, args, kwargs, ad=ad, x_from=x_from):
                ad._x = _x_of(args, kwargs, x_from)

            def add_parallel(mod, args, output, ad=ad):
                x, ad._x = ad._x, None
                return _add(output, ad(x))
            mods.handles.append(src.register_forward_pre_hook(stash, with_kwargs=True))
            mods.handles.append(tgt.register_forward_hook(add_parallel))
        else:
            def add_sequential(mod, args, output, ad=ad):
                h = output[0] if isinstance(output, tuple) else output
                return _add(output, ad(h))
            mods.handles.append(tgt.register_forward_hook(add_sequential))
    key = name or f"ftkit_adapters_{mode}_{where}"
    model.add_module(key, mods)
    return mods


# ------------------------------------------------------------------------------------------------
# Prefix tuning for Llama-style attention, written out.
# ------------------------------------------------------------------------------------------------
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
    blocks, arch = _backbone(model)
    if arch != "llama":
        raise ValueError("add_prefix is written for Llama-style attention; for BERT use a deep-prompt module")
    ref = next(model.parameters())
    attns = [(i, b.self_attn) for i, b in enumerate(blocks) if layers is None or i in layers]
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


# ------------------------------------------------------------------------------------------------
# Budgets.
# ------------------------------------------------------------------------------------------------
def freeze(model) -> None:
    for p in model.parameters():
        p.requires_grad_(False)


def budget(model, n_base: int | None = None) -> dict:
    """Trainable parameters of `model` and their share of the frozen base model's size (`n_base`, default:
    the frozen parameters of `model`). Tied weights are counted once (parameters() de-duplicates)."""
    params = list(model.parameters())
    trainable = sum(p.numel() for p in params if p.requires_grad)
    base = n_base if n_base is not None else sum(p.numel() for p in params if not p.requires_grad)
    return {"trainable": trainable, "base": base, "pct": 100.0 * trainable / max(1, base)}
