"""LT-SFT: Composable Sparse Fine-Tuning for Cross-Lingual Transfer (arXiv 2110.07560).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import torch

PROFILE = Profile(
    claim='Lottery-ticket sparse fine-tunings (dense phase, top-K of |θ−θ₀|, reset, masked re-training) learn a task and a language in K-sparse deltas that compose by addition with far less interference than dense deltas; zero-shot transfer to the target language and the comparison with LoRA (MAD-X-style) adapters are reported.',
    smoke_seconds=49,
    dry_run_seconds=18,
    gpu=dict(
        model_id='google-bert/bert-base-multilingual-cased',
        lang_source='wikimedia/wikipedia',
        src_lang='en',
        tgt_lang='sw',
        task_source='eriktks/conll2003',
        target_eval='masakhane/masakhaner2',
        n_lang_text=20000,
        n_task=14000,
        n_test=1000,
        steps_full=2000,
        steps_sparse=2000,
        lr=5e-05,
        batch_size=8,
        max_len=256,
        pretrain_steps=0,
        lr_grid=[5e-05, 2e-04],
        lora_r=48,
    ),
    gpu_hardware='1 GPU, 16 GB',
    gpu_seconds=3600,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        lang_source='cipher',
        src_lang='A',
        tgt_lang='B',
        task_source='cipher-topics',
        target_eval='cipher-topics',
        n_lang_text=64,
        n_task=48,
        n_test=30,
        steps_full=2,
        steps_sparse=2,
        max_len=48,
        pretrain_steps=2,
        lr_grid=[3e-03],
        lora_r=2,
    ),
    ranges=dict(
        n_lang_text=(10, 10000000),
        n_task=(10, 10000000),
        n_test=(10, 10000000),
        loanwords=(0, 1),
        steps_full=(1, 1000000),
        steps_sparse=(1, 1000000),
        lr=(0, 1),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        density=(0, 1),
        pretrain_steps=(0, 1000000),
        pretrain_tgt_share=(0, 1),
        lora_r=(1, 4096),
    ),
    choices=dict(
        lang_source=['cipher', 'wikimedia/wikipedia'],
        task_source=['cipher-topics', 'eriktks/conll2003'],
        target_eval=['cipher-topics', 'masakhane/masakhaner2'],
    ),
)


# ---- code: LT-SFT's score, masked updates and sparse deltas that compose (masks: ftkit.sparse) ---------------
#     mu = sparse.topk_mask(update_scores(theta1, theta0, names), density=0.05)
#     step = masked_update(model, mu, base_state)             # train.fit(..., after_step=step)
#     d = sparse_delta(model.state_dict(), base_state, mu)    # theta_ft - theta_0, zero outside the mask
#     model.load_state_dict(apply_deltas(base_state, [d_lang, d_task]))


def update_scores(finetuned: dict, base: dict, names) -> dict[str, torch.Tensor]:
    """|theta_ft - theta_0|: LT-SFT's score (the entries that moved most in dense fine-tuning)."""
    return {n: (finetuned[n].float() - base[n].float()).abs() for n in names}


def masked_update(model, masks: dict[str, torch.Tensor], base: dict[str, torch.Tensor]):
    """An `after_step` hook for train.fit: after every optimizer step, entries outside the mask are put
    back to their base values, so only masked entries ever differ from theta_0 (exactly, whatever the
    optimizer's momentum or weight decay does). Tensors not named in `masks` are left alone."""
    params = dict(model.named_parameters())
    missing = [n for n in masks if n not in params]
    if missing:
        raise KeyError(f"masked_update(): the model has no parameters named {missing[:3]}")
    kept = {n: (masks[n].to(params[n].device), base[n].to(params[n].device, params[n].dtype)) for n in masks}

    @torch.no_grad()
    def after_step(model_, step):
        for n, (inside, b) in kept.items():      # torch.where, not boolean indexing: ~10x faster on CPU
            torch.where(inside, params[n].data, b, out=params[n].data)
    return after_step


def sparse_delta(finetuned: dict, base: dict, masks: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """phi = (theta_ft - theta_0) * mask, for the masked tensors only."""
    return {n: (finetuned[n].float() - base[n].float()) * m.float() for n, m in masks.items()}


def apply_deltas(base: dict, deltas: list[dict], scales: list[float] | None = None) -> dict:
    """theta_0 + sum_i s_i * phi_i: composing sparse (or dense) fine-tunings by addition."""
    scales = scales or [1.0] * len(deltas)
    out = {k: v.clone() for k, v in base.items()}
    for d, s in zip(deltas, scales):
        for n, v in d.items():
            out[n] = (out[n].float() + s * v).to(out[n].dtype)
    return out


class _LowRank(torch.nn.Module):
    """W -> W + s·B·A: a LoRA adapter as a weight parametrization (B zero-initialised, so it starts as W)."""

    def __init__(self, out_features: int, in_features: int, r: int, scale: float, generator: torch.Generator):
        super().__init__()
        self.A = torch.nn.Parameter(torch.randn(r, in_features, generator=generator) / in_features ** 0.5)
        self.B = torch.nn.Parameter(torch.zeros(out_features, r))
        self.scale = scale

    def forward(self, W):
        return W + self.scale * (self.B @ self.A).to(W.dtype)


def add_lora(model, names, r: int, scale: float = 1.0, seed: int = 0):
    """LoRA adapters on the named 2-D weights of `model` (the MAD-X-style baseline's adapters).

    Returns (params, finish): the adapters' trainable tensors, and finish(), which removes the adapters
    (each weight is again its own, unchanged Parameter, with requires_grad restored) and returns
    {name: s·B·A}, the merged low-rank deltas, which compose by addition like sparse deltas do."""
    from torch.nn.utils import parametrize
    g = torch.Generator().manual_seed(seed)
    sites, trainable, was = {}, [], {}
    for n in names:
        mod_name, attr = n.rsplit(".", 1)
        mod = model.get_submodule(mod_name)
        W = getattr(mod, attr)
        if W.dim() != 2:
            raise ValueError(f"add_lora(): {n} is not a matrix")
        was[n] = W.requires_grad
        W.requires_grad_(False)                      # the base weight is frozen while the adapter trains
        lr_ = _LowRank(W.shape[0], W.shape[1], r, scale, g).to(W.device)
        parametrize.register_parametrization(mod, attr, lr_)
        sites[n] = (mod, attr, lr_)
        trainable += [lr_.A, lr_.B]

    def finish():
        deltas = {}
        for n, (mod, attr, lr_) in sites.items():
            deltas[n] = (lr_.scale * lr_.B @ lr_.A).detach().float()
            parametrize.remove_parametrizations(mod, attr, leave_parametrized=False)
            getattr(mod, attr).requires_grad_(was[n])
        return deltas
    return trainable, finish
