"""Intruder dimensions: LoRA vs Full Fine-tuning: An Illusion of Equivalence (arXiv 2410.21228).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import torch

PROFILE = Profile(
    claim='Low-rank LoRA adds intruder dimensions that full fine-tuning does not; scaling them down reduces forgetting.',
    smoke_seconds=65,
    dry_run_seconds=28,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        dataset='meta-math/MetaMathQA',
        forget_source='Salesforce/wikitext',
        n_train=20000,
        n_eval=500,
        max_steps=2000,
        batch_size=16,
        max_len=512,
        lr_full=2e-05,
        lr_lora=0.0005,
        lora_ranks=[1, 8, 64],
        rslora_rank=128,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='sort',
        forget_source='wiki-sample',
        n_train=64,
        n_eval=32,
        max_steps=2,
        max_len=48,
        lora_ranks=[1, 2],
        rslora_rank=4,
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_eval=(10, 10000000),
        max_steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr_full=(0, 1),
        lr_lora=(0, 1),
        rslora_rank=(1, 4096),
        top_k=(1, 4096),
        eps=(0, 1),
    ),
    choices={},
)


# ---- code: intruder dimensions of a fine-tuned weight matrix -----------------------------------------------


def intruder_dimensions(w0: torch.Tensor, w: torch.Tensor, k: int = 10, eps: float = 0.5):
    """Intruder dimensions of a fine-tuned matrix (Shuttleworth et al. 2024).

    For each of the top-k left singular vectors u_j of W, sim_j = max_i |<u_j, u0_i>| over all left
    singular vectors u0_i of W0; u_j is an intruder if sim_j < eps.
    Returns (count, sims: tensor of k max-similarities).
    """
    u0 = torch.linalg.svd(w0.float(), full_matrices=False)[0]
    u = torch.linalg.svd(w.float(), full_matrices=False)[0][:, :k]
    sims = (u.T @ u0).abs().max(dim=1).values
    return int((sims < eps).sum()), sims


def scale_intruders(w0: torch.Tensor, w: torch.Tensor, lam: float, k: int = 10, eps: float = 0.5) -> torch.Tensor:
    """Rebuild W with each intruder singular value sigma_j scaled to lam * sigma_j (the paper's intervention)."""
    u, s, vh = torch.linalg.svd(w.float(), full_matrices=False)
    _, sims = intruder_dimensions(w0, w, k, eps)
    s = s.clone()
    s[:k][sims < eps] *= lam
    return (u * s) @ vh
