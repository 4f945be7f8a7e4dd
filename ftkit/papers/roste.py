"""RoSTE: An Efficient Quantization-Aware Supervised Fine-Tuning Approach for Large Language Models (arXiv 2502.09003).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ftkit import arch

PROFILE = Profile(
    claim='Hadamard rotations chosen by quantization error remove the down_proj activation outliers and make 4-bit quantization-aware SFT (STE, W4A4KV4) work: RoSTE beats plain STE QA-SFT on the quantized model.',
    smoke_seconds=69,
    dry_run_seconds=13,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        dataset='trl-lib/tldr',
        n_train=20000,
        n_eval=500,
        n_calib=128,
        max_steps=1000,
        batch_size=16,
        max_len=512,
        lr=1e-05,
    ),
    gpu_hardware='1 GPU, 40 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='sort',
        n_train=64,
        n_eval=32,
        n_calib=8,
        max_steps=2,
        batch_size=4,
        max_len=48,
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_eval=(1, 1000000),
        n_calib=(1, 4096),
        max_steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr=(0, 1),
        w_bits=(2, 16),
        a_bits=(2, 16),
        kv_bits=(2, 16),
    ),
    choices=dict(
        dataset=['sort', 'reverse', 'mod10', 'kv', 'upper_first', 'trl-lib/tldr'],
    ),
    paper=dict(
        model_id='Qwen/Qwen2.5-7B',
        n_train=100000,
        n_eval=1000,
        max_steps=3000,
        batch_size=64,
    ),
    paper_hardware='8 GPUs, 80 GB each (FSDP)',
    paper_launch=dict(processes=8, fsdp=True, mixed_precision='bf16'),
)


# ---- code: fake quantization (STE), Hadamard rotations and RMSNorm folding on a Llama/Qwen2-style LM ------
# - `quantize` / `fake_quant`: symmetric round-to-nearest b-bit quantization, one scale per row of the last
#   dimension; `fake_quant` passes gradients straight through (STE).
# - `hadamard`, `random_hadamard`, `rotation`: the normalised Sylvester Walsh-Hadamard matrix and a random-sign
#   version; for sizes that are not a power of two, a block-diagonal one (still orthogonal).
# - `prepare(model, ...)`: folds every RMSNorm gain into the next linears, unties the LM head, swaps the decoder
#   linears for `QuantLinear` and routes attention through `quant_attention` (KV fake-quant after RoPE, optional
#   online Hadamard R3 on Q and K). Quantization starts switched off.
# - `rotate_residual` (R1), `rotate_vo` (R2), `set_r3` (R3), `rotate_down` (R4): function-preserving rotations
#   of the four QuaRot slots.
# - `quant_errors`: the per-module quantization errors ||Q(W)-W||^2 and ||Q(X)-X||^2 on a calibration batch,
#   the objective RoSTE's rotation search minimises.


ATTN_NAME = "ftkit_quant"          # the attention implementation `prepare` registers and selects
LINEARS = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")


# ------------------------------------------------------------------------------------------
# The quantizer and the straight-through estimator
# ------------------------------------------------------------------------------------------
def quantize(x: torch.Tensor, bits: int, clip: float = 1.0) -> torch.Tensor:
    """Symmetric round-to-nearest: Q_b(x) = s * clamp(round(x / s), -2^(b-1), 2^(b-1) - 1),
    one scale s = clip * max|x| / (2^(b-1) - 1) per row of the last dimension (per output channel for a
    weight (out, in), per token for activations (..., channels), per token and head for K/V (..., head_dim))."""
    qmax = 2 ** (bits - 1) - 1
    s = (x.detach().abs().amax(-1, keepdim=True) * clip / qmax).clamp(min=1e-8)
    return torch.clamp(torch.round(x / s), -qmax - 1, qmax) * s


def fake_quant(x: torch.Tensor, bits: int | None, clip: float = 1.0) -> torch.Tensor:
    """Q_b(x) in the forward pass, identity in the backward pass (STE): x + (Q_b(x) - x).detach().
    bits=None (or >= 16) leaves x unchanged."""
    if bits is None or bits >= 16:
        return x
    return x + (quantize(x, bits, clip) - x).detach()


# ------------------------------------------------------------------------------------------
# Hadamard matrices
# ------------------------------------------------------------------------------------------
def is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def hadamard(n: int, dtype=torch.float32) -> torch.Tensor:
    """Normalised Walsh-Hadamard matrix (Sylvester: H_2k = [[H, H], [H, -H]]) / sqrt(n); n a power of 2.
    It is symmetric and orthogonal: H @ H.T = I."""
    if not is_pow2(n):
        raise ValueError(f"Sylvester Hadamard needs a power of two, got {n}")
    h = torch.ones(1, 1, dtype=torch.float64)
    while h.shape[0] < n:
        h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)], 0)
    return (h / math.sqrt(n)).to(dtype)


def random_hadamard(n: int, seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    """R = H_n diag(eps), eps in {+1, -1}^n random: orthogonal, and every column spreads a one-hot input
    evenly over all n coordinates (|R_ij| = 1/sqrt(n))."""
    g = torch.Generator().manual_seed(seed)
    eps = torch.randint(0, 2, (n,), generator=g).to(torch.float64) * 2 - 1
    return (hadamard(n, torch.float64) * eps).to(dtype)


def rotation(n: int, seed: int = 0, dtype=torch.float32) -> torch.Tensor:
    """A random Hadamard rotation of size n. If n is not a power of two (Qwen2.5-0.5B: 896 = 7 x 128,
    4864 = 19 x 256), a block-diagonal matrix of random Hadamards of the largest power-of-two size that
    divides n: still exactly orthogonal, but it only mixes channels within each block."""
    if is_pow2(n):
        return random_hadamard(n, seed, dtype)
    b = n & -n                                   # largest power of two dividing n
    blocks = [random_hadamard(b, seed * 1000 + i, torch.float64) for i in range(n // b)]
    return torch.block_diag(*blocks).to(dtype)


# ------------------------------------------------------------------------------------------
# Quantized modules
# ------------------------------------------------------------------------------------------
class QuantLinear(nn.Module):
    """y = Q_a(x R_in) Q_w(W)^T + b with STE; R_in is an optional online rotation (R4 on down_proj).
    Shares the wrapped layer's weight and bias Parameters. `enabled=False` gives the exact fp layer."""

    def __init__(self, linear: nn.Linear, w_bits: int | None = 4, a_bits: int | None = 4, clip_w: float = 1.0):
        super().__init__()
        self.weight, self.bias = linear.weight, linear.bias
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.w_bits, self.a_bits, self.clip_w = w_bits, a_bits, clip_w
        self.register_buffer("rot_in", None)
        self.enabled = False

    def forward(self, x):
        if self.rot_in is not None:
            x = x @ self.rot_in.to(x.dtype)
        w = self.weight
        if self.enabled:
            x = fake_quant(x, self.a_bits)
            w = fake_quant(w, self.w_bits, self.clip_w)
        return F.linear(x, w, self.bias)

    def extra_repr(self):
        return f"{self.in_features}->{self.out_features}, W{self.w_bits}A{self.a_bits}, online_rot={self.rot_in is not None}"


def quant_attention(module, query, key, value, attention_mask, **kwargs):
    """Attention with the KV cache fake-quantized after RoPE (per token and head), and an optional online
    Hadamard R3 on Q and K first (Q R3 (K R3)^T = Q K^T). Attributes read from the attention module:
    `r3` (tensor or None), `kv_bits`, `quant_enabled`. Then PyTorch SDPA as usual."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward
    r3 = getattr(module, "r3", None)
    if r3 is not None:
        query, key = query @ r3.to(query.dtype), key @ r3.to(key.dtype)
    log = getattr(module, "kv_log", None)
    if log is not None:                                    # quant_errors records the (rotated) K and V here
        log[module.layer_idx] = (key.detach(), value.detach())
    if getattr(module, "quant_enabled", False):
        key, value = fake_quant(key, module.kv_bits), fake_quant(value, module.kv_bits)
    return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)


def _register_attention() -> None:
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask
    AttentionInterface.register(ATTN_NAME, quant_attention)
    AttentionMaskInterface.register(ATTN_NAME, sdpa_mask)


@torch.no_grad()
def untie_lm_head(model) -> None:
    """Give the LM head its own copy of the embedding matrix (folding the final norm needs that)."""
    if model.lm_head.weight is model.model.embed_tokens.weight:
        model.lm_head.weight = nn.Parameter(model.lm_head.weight.detach().clone())
    model.config.tie_word_embeddings = False
    if hasattr(model, "_tied_weights_keys"):
        model._tied_weights_keys = None


@torch.no_grad()
def fold_rmsnorm(model) -> None:
    """RMSNorm(x) W^T = (x / rms(x)) diag(g) W^T = (x / rms(x)) (W diag(g))^T: multiply each input column of
    the linears that read a normed stream by the gain g, then set g = 1. The function is unchanged, and
    a weightless RMSNorm commutes with any orthogonal R (rms(x R) = rms(x)), which rotations need."""
    untie_lm_head(model)
    pairs = []
    for layer in arch.layers(model):
        attn, ffn = arch.attention(layer), arch.mlp(layer)
        pairs.append((layer.input_layernorm, [attn.q_proj, attn.k_proj, attn.v_proj]))
        pairs.append((layer.post_attention_layernorm, [ffn.gate_proj, ffn.up_proj]))
    pairs.append((model.model.norm, [model.lm_head]))
    for norm, lins in pairs:
        g = norm.weight.detach().float()
        for lin in lins:
            lin.weight.copy_((lin.weight.float() * g).to(lin.weight.dtype))
        norm.weight.fill_(1.0)


def prepare(model, w_bits: int | None = 4, a_bits: int | None = 4, kv_bits: int | None = 4, clip_w: float = 1.0):
    """Fold norms, untie the head, wrap the 7 linears of every decoder layer in QuantLinear and route attention
    through `quant_attention`. The LM head and embeddings stay in full precision (as in QuaRot). Quantization
    starts off: call `set_quant(model, True)`."""
    fold_rmsnorm(model)
    _register_attention()
    model.config._attn_implementation = ATTN_NAME
    for layer in arch.layers(model):
        for name in LINEARS:
            parent, child = name.split(".")
            mod = getattr(getattr(layer, parent), child)
            if not isinstance(mod, QuantLinear):
                setattr(getattr(layer, parent), child, QuantLinear(mod, w_bits, a_bits, clip_w))
        attn = arch.attention(layer)
        attn.kv_bits, attn.r3, attn.quant_enabled = kv_bits, None, False
    return model


def set_quant(model, enabled: bool) -> None:
    """Switch every fake quantizer of a prepared model on (W/A/KV) or off (exact full precision)."""
    for layer in arch.layers(model):
        arch.attention(layer).quant_enabled = enabled
        for name in LINEARS:
            layer.get_submodule(name).enabled = enabled


# ------------------------------------------------------------------------------------------
# Rotations (each leaves the full-precision function unchanged on a norm-folded model)
# ------------------------------------------------------------------------------------------
@torch.no_grad()
def rotate_residual(model, R: torch.Tensor) -> None:
    """R1 on the residual stream (d_model): h -> h R everywhere. Embeddings E -> E R; linears that read the
    stream W -> W R (q, k, v, gate, up, lm_head); linears that write it W -> R^T W, b -> b R (o, down)."""
    def mm(a, b):
        return (a.float() @ b.float()).to(a.dtype)
    R = R.to(model.model.embed_tokens.weight.device).float()
    model.model.embed_tokens.weight.copy_(mm(model.model.embed_tokens.weight, R))
    model.lm_head.weight.copy_(mm(model.lm_head.weight, R))
    for layer in arch.layers(model):
        attn, ffn = arch.attention(layer), arch.mlp(layer)
        for lin in (attn.q_proj, attn.k_proj, attn.v_proj, ffn.gate_proj, ffn.up_proj):
            lin.weight.copy_(mm(lin.weight, R))
        for lin in (attn.o_proj, ffn.down_proj):
            lin.weight.copy_(mm(R.T, lin.weight))
            if lin.bias is not None:
                lin.bias.copy_(mm(lin.bias[None], R)[0])


@torch.no_grad()
def rotate_vo(layer, R: torch.Tensor) -> None:
    """R2 per head (head_dim), merged into weights: every value head v_h -> v_h R (rows of W_v per head -> R^T W_v,h,
    bias b_h -> b_h R) and every o_proj input block W_o[:, h] -> W_o[:, h] R. Attention mixes tokens, not
    channels, so softmax(.) (V R) = (softmax(.) V) R and the output is unchanged."""
    attn = arch.attention(layer)
    hd = R.shape[0]
    R = R.to(attn.v_proj.weight.device).float()
    wv = attn.v_proj.weight.float().view(-1, hd, attn.v_proj.weight.shape[1])       # (kv_heads, hd, d)
    attn.v_proj.weight.copy_(torch.einsum("ji,hjd->hid", R, wv).reshape_as(attn.v_proj.weight))
    if attn.v_proj.bias is not None:
        attn.v_proj.bias.copy_((attn.v_proj.bias.float().view(-1, hd) @ R).flatten())
    wo = attn.o_proj.weight.float().view(attn.o_proj.weight.shape[0], -1, hd)      # (d, heads, hd)
    attn.o_proj.weight.copy_((wo @ R).reshape_as(attn.o_proj.weight))


def set_r3(layer, R: torch.Tensor | None) -> None:
    """R3: an online rotation of Q and K after RoPE (used by `quant_attention`), so K is quantized rotated."""
    attn = arch.attention(layer)
    attn.r3 = None if R is None else R.to(attn.q_proj.weight.device)


@torch.no_grad()
def rotate_down(layer, R: torch.Tensor | None) -> None:
    """R4: online rotation of the down_proj input (d_ff): x -> x R, W_down -> W_down R, so y = x R (W R)^T = x W^T.
    Passing None undoes a previous R4."""
    down = arch.mlp(layer).down_proj
    if down.rot_in is not None:                                  # undo the old one first
        down.weight.copy_((down.weight.float() @ down.rot_in.float().T).to(down.weight.dtype))
        down.rot_in = None
    if R is not None:
        R = R.to(down.weight.device)
        down.weight.copy_((down.weight.float() @ R.float()).to(down.weight.dtype))
        down.rot_in = R.float()


# ------------------------------------------------------------------------------------------
# The quantization-error surrogate of the rotation search
# ------------------------------------------------------------------------------------------
@torch.no_grad()
def quant_errors(model, batch: dict, w_bits: int = 4, a_bits: int = 4, kv_bits: int = 4) -> dict:
    """Per-module quantization errors on a calibration batch, in the current rotation configuration:
    {"layers.{i}.{linear}": {"w": ||Q(W)-W||_F^2, "a": ||Q(X)-X||_F^2}} for every QuantLinear (X its input after
    any online rotation, real tokens only) and {"layers.{i}.k"/".v": {"a": ...}} for the KV cache.
    Computed in full precision (quantizers off), so each module sees the fp activations."""
    set_quant(model, False)
    mask = batch["attention_mask"].bool()
    out, hooks = {}, []

    def lin_hook(name):
        def f(mod, inp):
            x = inp[0]
            if mod.rot_in is not None:
                x = x @ mod.rot_in.to(x.dtype)
            x = x[mask].float()
            w = mod.weight.float()
            out[name] = {"w": float(((quantize(w, w_bits, mod.clip_w) - w) ** 2).sum()),
                         "a": float(((quantize(x, a_bits) - x) ** 2).sum())}
        return f

    kv = {}
    for i, layer in enumerate(arch.layers(model)):
        for name in LINEARS:
            hooks.append(layer.get_submodule(name).register_forward_pre_hook(lin_hook(f"layers.{i}.{name}")))
        arch.attention(layer).kv_log = kv
    try:
        model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    finally:
        for h in hooks:
            h.remove()
        for layer in arch.layers(model):
            arch.attention(layer).kv_log = None
    m = mask[:, None, :, None]                                   # (B, 1, T, 1) against (B, H, T, hd)
    for i, (k, v) in kv.items():
        for nm, t in (("k", k), ("v", v)):
            t = t.float()
            err = ((quantize(t, kv_bits) - t) ** 2) * m
            out[f"layers.{i}.{nm}"] = {"a": float(err.sum())}
    return out


def total_error(errs: dict) -> float:
    """E(W, R): the sum of all weight and activation (incl. K/V) quantization errors."""
    return sum(e.get("w", 0.0) + e.get("a", 0.0) for e in errs.values())
