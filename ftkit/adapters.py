"""Bottleneck adapters for Llama-style decoders and BERT-style encoders, written by hand.

peft has LoRA and prefix tuning, but no bottleneck adapters; these are written here, small and hook-based,
so the frozen model's own modules are never replaced (He et al. 2022's notation: x = a sub-layer's input,
h = its output):

    Bottleneck           Δ = s · f(z W_down) W_up           (W_up = 0 at start: the model is unchanged at step 0)
    add_adapters(..., mode="sequential")   h ← h + s·f(h W_down) W_up     (Houlsby: computed from the output)
    add_adapters(..., mode="parallel")     h ← h + s·f(x W_down) W_up     (He et al.: computed from the input)

Sub-layers ("where"): "attn" (self-attention block) or "ffn" (feed-forward block). For Llama/Qwen the
adapter reads the block's normalised input and adds to its output, before the residual add. For BERT it
reads the block's input and adds to the output projection (`*.output.dense`), before the residual add and
LayerNorm, i.e. where Houlsby et al. put their adapters. The layers are found by `ftkit.arch`.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from . import arch

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
def _site(layer, fam: str, where: str):
    """(source, x_from, target): x is read from source's inputs, Δ is added to target's output."""
    if where not in WHERE:
        raise ValueError(f"where must be one of {WHERE}, got {where!r}")
    if fam == "llama":
        block = arch.attention(layer) if where == "attn" else arch.mlp(layer)
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
    blocks, fam = arch.layers(model), arch.family(model)
    d = model.config.hidden_size
    ref = next(model.parameters())
    mods = Adapters()
    for i, layer in enumerate(blocks):
        if layers is not None and i not in layers:
            continue
        src, x_from, tgt = _site(layer, fam, where)
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
