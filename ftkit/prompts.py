"""Deep prompts (prefix tuning / P-tuning v2) for BERT-family encoders, written by hand.

peft's PrefixTuningConfig goes through `past_key_values`, which BERT models in transformers 5.x no
longer accept for encoders, so we add the prefixes inside self-attention instead:

    prompts = DeepPrompts(encoder, length=16)         # patches every BertSelfAttention of `encoder`
    freeze_all_but(encoder, prompts)                  # only the prefixes (and what you pass) train
    ... train ...; prompts.remove()                   # restore the original forward methods

At layer l, P learnt key vectors K^l_p and value vectors V^l_p (per head) are concatenated in front of
the keys and values computed from the tokens; queries stay those of the tokens, and no token can be
masked from seeing the prefix:
    Attn(Q, [K^l_p; K], [V^l_p; V]) = softmax(Q [K^l_p; K]^T / sqrt(d) + [0, mask]) [V^l_p; V]
Sequence length, pooling and the head are unchanged. `length=0` leaves the model exactly as it was.
"""
from __future__ import annotations

import types

import torch
import torch.nn as nn


def self_attentions(model) -> list[nn.Module]:
    """The self-attention modules (with .query/.key/.value linears) of a BERT-style encoder, in layer order."""
    mods = [m for m in model.modules() if type(m).__name__.endswith("SelfAttention")
            and all(hasattr(m, a) for a in ("query", "key", "value", "attention_head_size"))]
    if not mods:
        raise ValueError("DeepPrompts: no BERT-style self-attention (query/key/value) modules found")
    return mods


class DeepPrompts(nn.Module):
    """Per-layer key/value prefixes of `length` positions, shape (layers, heads, length, head_dim) each.

    reparam_hidden > 0 reparameterises them with an MLP from a (length, hidden) embedding, as P-tuning v2
    optionally does (more stable training); 0 trains the key/value tensors directly."""

    def __init__(self, model, length: int = 16, init_std: float = 0.02, reparam_hidden: int = 0, seed: int = 0):
        super().__init__()
        self.attns = self_attentions(model)
        a = self.attns[0]
        self.n_layers, self.n_heads, self.head_dim = len(self.attns), a.num_attention_heads, a.attention_head_size
        self.length = length
        g = torch.Generator().manual_seed(seed)
        shape = (self.n_layers, self.n_heads, length, self.head_dim)
        dev = a.query.weight.device
        if reparam_hidden:
            d = self.n_heads * self.head_dim
            self.embedding = nn.Parameter((torch.randn(length, d, generator=g) * init_std).to(dev))
            self.mlp = nn.Sequential(nn.Linear(d, reparam_hidden), nn.Tanh(),
                                     nn.Linear(reparam_hidden, 2 * self.n_layers * d)).to(dev)
        else:
            self.key = nn.Parameter((torch.randn(shape, generator=g) * init_std).to(dev))
            self.value = nn.Parameter((torch.randn(shape, generator=g) * init_std).to(dev))
        self.enabled = True
        self._orig = {}
        for i, attn in enumerate(self.attns):
            self._orig[i] = attn.forward
            attn.forward = types.MethodType(_make_forward(self, i), attn)

    def kv(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Prefix keys and values, each (layers, heads, length, head_dim)."""
        if hasattr(self, "mlp"):
            out = self.mlp(self.embedding)                                   # (length, 2 * layers * d)
            out = out.view(self.length, 2, self.n_layers, self.n_heads, self.head_dim).permute(1, 2, 3, 0, 4)
            return out[0], out[1]
        return self.key, self.value

    def remove(self) -> None:
        """Restore the original attention forwards (the prefixes stop acting)."""
        for i, attn in enumerate(self.attns):
            attn.forward = self._orig[i]
        self._orig = {}


def _make_forward(prompts: DeepPrompts, layer: int):
    def forward(self, hidden_states, attention_mask=None, *args, **kwargs):
        B, T = hidden_states.shape[:2]
        shape = (B, T, -1, self.attention_head_size)
        q = self.query(hidden_states).view(shape).transpose(1, 2)           # (B, H, T, d)
        k = self.key(hidden_states).view(shape).transpose(1, 2)
        v = self.value(hidden_states).view(shape).transpose(1, 2)
        P = prompts.length if prompts.enabled else 0
        if P:
            pk, pv = prompts.kv()
            k = torch.cat([pk[layer].unsqueeze(0).expand(B, -1, -1, -1).to(k.dtype), k], dim=2)
            v = torch.cat([pv[layer].unsqueeze(0).expand(B, -1, -1, -1).to(v.dtype), v], dim=2)
        scores = (q @ k.transpose(-1, -2)) * self.attention_head_size ** -0.5   # (B, H, T, P + T)
        if attention_mask is not None:
            m = attention_mask
            if m.dtype == torch.bool:                                       # True = attend
                m = torch.zeros(m.shape, dtype=scores.dtype, device=m.device).masked_fill(~m, torch.finfo(scores.dtype).min)
            m = m.to(scores.dtype)
            if m.dim() == 2:                                                # (B, T) of 1/0
                m = (1.0 - m[:, None, None, :]) * torch.finfo(scores.dtype).min
            if P:                                                           # every token may attend to the prefix
                m = torch.cat([torch.zeros(*m.shape[:-1], P, dtype=m.dtype, device=m.device), m], dim=-1)
            scores = scores + m
        probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
        probs = nn.functional.dropout(probs, p=self.dropout.p if self.training else 0.0)
        out = (probs @ v).transpose(1, 2).reshape(B, T, -1).contiguous()
        return out, probs
    return forward


def freeze_all_but(model, *modules: nn.Module) -> list[nn.Parameter]:
    """requires_grad=False for every parameter of `model`, then True for those of `modules`;
    returns the trainable parameters (pass them to train.fit(params=...))."""
    for p in model.parameters():
        p.requires_grad_(False)
    keep = [p for m in modules for p in m.parameters()]
    for p in keep:
        p.requires_grad_(True)
    return keep
