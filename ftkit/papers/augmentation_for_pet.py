"""DA-for-PET: Effectiveness of Data Augmentation for Parameter Efficient Tuning with Limited Data (arXiv 2303.02577).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import types

import torch
import torch.nn as nn
import torch.nn.functional as F

from ftkit import arch

PROFILE = Profile(
    claim="With 48 examples per class, LoRA and hand-written deep prompts (P-tuning v2) at equal trainable parameters, each at its validation-chosen lr, are trained without augmentation, with EDA (every view really edited), and with Mixup. Deep prompts separate the classes' pooled embeddings far less than LoRA. The SupCon remedy lowers the contrastive loss but buys no accuracy or separation at this scale; the effects of augmentation are reported.",
    smoke_seconds=67,
    dry_run_seconds=24,
    gpu=dict(
        model_id='FacebookAI/roberta-large',
        dataset='aps/super_glue',
        glue_task='rte',
        n_layers=0,
        n_per_class=500,
        n_test=277,
        max_len=256,
        steps=1000,
        lr_lora=0.0005,
        lr_prefix=0.005,
        n_aug=4,
        arms=['lora:none', 'lora:eda', 'lora:bt', 'lora:mixup', 'prefix:none', 'prefix:eda', 'prefix:bt', 'prefix:mixup', 'prefix:eda+supcon'],
        bt_models=['Helsinki-NLP/opus-mt-en-de', 'Helsinki-NLP/opus-mt-de-en'],
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='sentiment',
        n_layers=2,
        n_per_class=8,
        n_test=32,
        max_len=32,
        steps=2,
        n_aug=1,
        bt_models=[],
        arms=['lora:none', 'lora:eda', 'lora:mixup', 'prefix:none', 'prefix:eda', 'prefix:eda+supcon'],
    ),
    ranges=dict(
        n_layers=(0, 48),
        n_per_class=(2, 1000000),
        n_test=(10, 1000000),
        max_len=(8, 512),
        batch_size=(2, 4096),
        steps=(1, 1000000),
        lr_lora=(0, 1),
        lr_prefix=(0, 1),
        lora_r=(1, 1024),
        lora_alpha=(0, 4096),
        prefix_len=(1, 512),
        n_aug=(1, 64),
        eda_alpha=(0, 1),
        heavy_alpha=(0, 1),
        mixup_a=(0, 100),
        supcon_weight=(0, 100),
        temperature=(0, 100),
    ),
    choices=dict(
        dataset=['sentiment', 'aps/super_glue'],
        glue_task=['rte', 'boolq', 'cb'],
    ),
)


# ---- code: deep prompts (prefix tuning / P-tuning v2) for BERT-family encoders, and SupCon --------------
# peft's PrefixTuningConfig goes through `past_key_values`, which BERT models in transformers 5.x no longer accept
# for encoders, so the prefixes are added inside self-attention instead:
#
#     prompts = DeepPrompts(encoder, length=16)         # patches every BertSelfAttention of `encoder`
#     arch.train_only(encoder, prompts)                 # only the prefixes (and what you pass) train
#     ... train ...; prompts.remove()                   # restore the original forward methods
#
# At layer l, P learnt key vectors K^l_p and value vectors V^l_p (per head) are concatenated in front of the keys
# and values computed from the tokens; queries stay those of the tokens, and no token can be masked from seeing
# the prefix:
#     Attn(Q, [K^l_p; K], [V^l_p; V]) = softmax(Q [K^l_p; K]^T / sqrt(d) + [0, mask]) [V^l_p; V]
# Sequence length, pooling and the head are unchanged. `length=0` leaves the model exactly as it was.


class DeepPrompts(nn.Module):
    """Per-layer key/value prefixes of `length` positions, shape (layers, heads, length, head_dim) each.

    reparam_hidden > 0 reparameterises them with an MLP from a (length, hidden) embedding, as P-tuning v2
    optionally does (more stable training); 0 trains the key/value tensors directly."""

    def __init__(self, model, length: int = 16, init_std: float = 0.02, reparam_hidden: int = 0, seed: int = 0):
        super().__init__()
        if arch.family(model) != "bert":
            raise ValueError("DeepPrompts: needs a BERT-style encoder (query/key/value self-attention)")
        self.attns = arch.self_attentions(model)
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


def supcon_loss(z: torch.Tensor, labels: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al. 2020) over a batch of representations z (N, d):
    for anchor i, positives P(i) = other examples with the same label (e.g. its own augmented view),
        L = mean_i  -1/|P(i)| sum_{p in P(i)} log( exp(cos(z_i, z_p)/T) / sum_{a != i} exp(cos(z_i, z_a)/T) ).
    Anchors without a positive in the batch are skipped."""
    z = F.normalize(z.float(), dim=-1)
    sim = z @ z.T / temperature
    n = len(z)
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(self_mask, float("-inf"))
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = (labels[:, None] == labels[None, :]) & ~self_mask
    n_pos = pos.sum(1)
    has = n_pos > 0
    if not has.any():
        return z.sum() * 0.0
    per_anchor = -(log_prob.masked_fill(~pos, 0.0).sum(1)[has] / n_pos[has])
    return per_anchor.mean()


def class_separation(z: torch.Tensor, labels, center: bool = False) -> float:
    """How far apart the classes sit in embedding space: mean cosine distance between examples of different
    classes divided by the mean cosine distance between distinct examples of the same class,
        sep = mean_{y_i != y_j} (1 - cos(z_i, z_j)) / mean_{i != j, y_i = y_j} (1 - cos(z_i, z_j)).
    1 = classes no further apart than their members are from each other; larger = better separated.

    center=True subtracts the mean of z over the given examples first. Mean-pooled sentence vectors share one
    large common direction (every pair has cosine ~0.9), which squashes the uncentred ratio towards 1 whatever
    the classes do; centring removes that offset, so the cosines measure where the examples differ."""
    z = z.float()
    if center:
        z = z - z.mean(0, keepdim=True)
    z = F.normalize(z, dim=-1)
    y = torch.as_tensor(labels, device=z.device)
    d = 1 - z @ z.T
    same = y[:, None] == y[None, :]
    off = ~torch.eye(len(y), dtype=torch.bool, device=z.device)
    if not (~same).any() or not (same & off).any():
        raise ValueError("class_separation needs at least two classes and two examples of one class")
    return float(d[~same].mean() / d[same & off].mean().clamp(min=1e-12))
