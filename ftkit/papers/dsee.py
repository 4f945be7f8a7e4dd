"""DSEE: Dually Sparsity-embedded Efficient Tuning of Pre-trained Language Models (arXiv 2111.00160).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import torch
import torch.nn.functional as F

from ftkit import arch
from ftkit.encoder import predict_logits

PROFILE = Profile(
    claim='A low-rank + sparse update (sparse support from a low-rank + sparse decomposition of the pre-trained weight) tunes as well as LoRA at matched parameters; magnitude-pruning 25% of the linear FLOPs and re-tuning stays within 2 points of the equally re-tuned dense model.',
    smoke_seconds=59,
    dry_run_seconds=18,
    gpu=dict(
        model_id='google-bert/bert-base-uncased',
        dataset='nyu-mll/glue',
        n_layers=12,
        n_train=67349,
        n_test=872,
        max_len=128,
        batch_size=32,
        steps=6000,
        lr=0.0002,
        lora_r=16,
        lora_alpha=16,
        train_seeds=3,
        retune_steps=1000,
        heads_pruned=3,
        retune_lr=2e-5,
        random_omega_arm=True,
    ),
    gpu_hardware='1 GPU, 16 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='sentiment',
        n_layers=2,
        n_train=64,
        n_test=32,
        max_len=32,
        steps=2,
        retune_steps=2,
        train_seeds=1,
        extra_ranks=[2],
        prune_ratios=[0.5],
        decomp_rank_max=11,
    ),
    ranges=dict(
        n_layers=(1, 48),
        n_train=(10, 10000000),
        n_test=(10, 10000000),
        max_len=(8, 512),
        batch_size=(1, 4096),
        steps=(1, 1000000),
        lr=(0, 1),
        lora_r=(1, 1024),
        lora_alpha=(0, 4096),
        num_sparse=(0, 1000000),
        decomp_rank_max=(1, 4096),
        decomp_thresh_sd=(0, 100),
        train_seeds=(1, 10),
        retune_steps=(0, 1000000),
        retune_lr=(0, 1),
        heads_pruned=(0, 64),
    ),
    choices=dict(
        dataset=['sentiment', 'nyu-mll/glue'],
    ),
)


# ---- code: magnitude scores, low-rank + fixed-support sparse adapters (LoRA is the case support=None) --------


def magnitude_scores(state: dict[str, torch.Tensor], names) -> dict[str, torch.Tensor]:
    """|w| for the named tensors: the score for magnitude pruning of pretrained weights."""
    return {n: state[n].detach().abs().float() for n in names}


class LowRankSparseLinear(torch.nn.Module):
    """y = W x + b + (alpha / r) * (B A x + (S ⊙ M_Ω) x), with W, b frozen.

    A (r × d_in) ~ N(0, init_std), B (d_out × r) = 0, and S holds one trainable value per position of the
    boolean `support` mask Ω (zero at the start), so the update starts at exactly zero. Only A, B and the
    |Ω| sparse values are trained; S ⊙ M_Ω can never leave Ω because only the values on Ω exist."""

    def __init__(self, base: torch.nn.Linear, r: int, alpha: float | None = None, support: torch.Tensor | None = None,
                 init_std: float = 0.02, seed: int = 0):
        super().__init__()
        self.base = base
        arch.freeze(base)
        dev = base.weight.device
        g = torch.Generator().manual_seed(seed)
        self.A = torch.nn.Parameter((torch.randn(r, base.in_features, generator=g) * init_std).to(dev))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, r, device=dev))
        if support is not None and tuple(support.shape) != tuple(base.weight.shape):
            raise ValueError(f"support has shape {tuple(support.shape)}, the weight {tuple(base.weight.shape)}")
        idx = support.flatten().nonzero().squeeze(1) if support is not None else torch.zeros(0, dtype=torch.long)
        self.register_buffer("idx", idx.to(dev))                       # flat positions of Ω
        self.s = torch.nn.Parameter(torch.zeros(len(idx), device=dev))  # S2's values on Ω
        self.r, self.scale = r, (alpha if alpha is not None else r) / r

    def sparse_part(self) -> torch.Tensor:
        """S ⊙ M_Ω as a dense d_out × d_in matrix (zeros outside Ω)."""
        flat = torch.zeros(self.base.weight.numel(), device=self.s.device, dtype=self.s.dtype)
        return flat.index_add(0, self.idx, self.s).view_as(self.base.weight)

    def delta(self) -> torch.Tensor:
        """ΔW = (alpha / r) (B A + S ⊙ M_Ω): the dense update this adapter adds to W (what merging adds)."""
        return self.scale * (self.B @ self.A + self.sparse_part())

    def forward(self, x):
        out = self.base(x) + self.scale * ((x @ self.A.T) @ self.B.T)
        if len(self.idx):
            out = out + self.scale * torch.nn.functional.linear(x, self.sparse_part().to(x.dtype))
        return out

    def trainable(self) -> list:
        return [self.A, self.B] + ([self.s] if len(self.idx) else [])


def add_low_rank_sparse(model, names: list[str], r: int, alpha: float | None = None,
                        supports: dict[str, torch.Tensor] | None = None, seed: int = 0) -> dict:
    """Replace each named nn.Linear of `model` by a LowRankSparseLinear around it (support from `supports`
    by the same name, or none = plain LoRA). Returns {name: adapter}; their .trainable() are the new parameters."""
    out = {}
    for i, n in enumerate(names):
        parent, _, child = n.rpartition(".")
        base = model.get_submodule(n)
        if not isinstance(base, torch.nn.Linear):
            raise TypeError(f"{n} is a {type(base).__name__}, not nn.Linear")
        ad = LowRankSparseLinear(base, r, alpha, (supports or {}).get(n), seed=seed + i)
        setattr(model.get_submodule(parent) if parent else model, child, ad)
        out[n] = ad
    return out


# ---- code: training and scoring a PooledClassifier on text rows ----------------------------------------------


def classification_loss(model, batch) -> torch.Tensor:
    return F.cross_entropy(model(batch["input_ids"], batch["attention_mask"]), batch["labels"])


def dataset_accuracy(model, tokenizer, rows: list[dict], label_key: str = "label", **kw) -> float:
    """Fraction of text rows whose argmax logit (encoder.predict_logits) is the label."""
    logits = predict_logits(model, tokenizer, [r["text"] for r in rows], **kw)
    return float((logits.argmax(-1) == torch.tensor([r[label_key] for r in rows])).float().mean())
