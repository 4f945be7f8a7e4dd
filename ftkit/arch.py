"""One way to reach the parts of a transformer, and to freeze it.

Every hook, adapter and intervention in ftkit finds its sites here, so a model family is taught once.
Two families, told apart by where their blocks live:

    "llama"  decoders (Llama, Qwen2, SmolLM2): model.layers[i], with .self_attn (q/k/v/o_proj) and .mlp
    "bert"   encoders (BERT, MiniLM, RoBERTa): [bert.|roberta.]encoder.layer[i], with .attention.self
             (query/key/value) and a feed-forward block split into .intermediate and .output

A peft wrapper is looked through (`unwrap`), so the same calls work before and after get_peft_model.

    layers(model)             the block list (an nn.ModuleList)         family(model) -> "llama" | "bert"
    attention(layer)          the self-attention module of one block    mlp(layer): its feed-forward block
    self_attentions(model)    attention(l) for every block, in order    head_shape(model) -> (L, H, d_head)
    freeze(model)             requires_grad=False everywhere
    train_only(model, *mods)  freeze, then unfreeze the modules' parameters; returns those (for fit(params=...))
"""
from __future__ import annotations

import torch.nn as nn

# (attribute path from the unwrapped model to its blocks, family), tried in order
_PATHS = (("model.layers", "llama"), ("layers", "llama"), ("bert.encoder.layer", "bert"),
          ("encoder.layer", "bert"), ("roberta.encoder.layer", "bert"))


def unwrap(model) -> nn.Module:
    """The transformers model inside a peft wrapper (the model itself if it is not wrapped)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _blocks(model) -> tuple[nn.ModuleList, str]:
    m = unwrap(model)
    for path, fam in _PATHS:
        obj = m
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj, fam
    raise ValueError(f"ftkit.arch: do not know the layers of {type(m).__name__} (Llama-style or BERT-style expected)")


def layers(model) -> nn.ModuleList:
    """The transformer blocks, in order."""
    return _blocks(model)[0]


def family(model) -> str:
    """"llama" (decoder: self_attn / mlp) or "bert" (encoder: attention.self / intermediate + output)."""
    return _blocks(model)[1]


def attention(layer) -> nn.Module:
    """The self-attention module of one block: Llama's `self_attn`, BERT's `attention.self`."""
    return layer.self_attn if hasattr(layer, "self_attn") else layer.attention.self


def mlp(layer) -> nn.Module:
    """The feed-forward block of one block: Llama's `mlp`. BERT splits it in two modules; for BERT this is a
    new ModuleList of (intermediate, output), good for .parameters() and train_only, not for hooks."""
    return layer.mlp if hasattr(layer, "mlp") else nn.ModuleList([layer.intermediate, layer.output])


def self_attentions(model) -> list[nn.Module]:
    """attention(block) for every block, in layer order."""
    return [attention(layer) for layer in layers(model)]


def head_shape(model) -> tuple[int, int, int]:
    """(n_layers, n_heads, head_dim) of the query heads (what o_proj / attention.output reads), from the config."""
    c = unwrap(model).config
    hd = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    return c.num_hidden_layers, c.num_attention_heads, hd


def freeze(model) -> None:
    """requires_grad=False for every parameter of `model` (any nn.Module)."""
    for p in model.parameters():
        p.requires_grad_(False)


def train_only(model, *modules: nn.Module) -> list[nn.Parameter]:
    """Freeze `model`, then set requires_grad=True for the parameters of `modules`; returns those parameters
    (pass them to train.fit(params=...))."""
    freeze(model)
    keep = [p for m in modules for p in m.parameters()]
    for p in keep:
        p.requires_grad_(True)
    return keep
