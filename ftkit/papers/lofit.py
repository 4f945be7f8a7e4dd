"""LoFiT: Localized Fine-tuning on LLM Representations (arXiv 2406.01563).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Learned bias vectors on a few attention heads, chosen by L1-penalised per-head scalings, make a frozen model answer held-out questions truthfully far better than the base model and than an ITI-style probe shift.',
    smoke_seconds=43,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B',
        dataset='truthfulqa/truthful_qa',
        n_train=300,
        top_k=10,
        l1_lambda=0.001,
        lr_A=0.001,
        lr_v=0.01,
        steps_A=190,
        steps_v=190,
        batch_size=8,
        iti_alphas=[0, 5, 10, 15, 20],
        n_random=3,
        lora_rank=8,
        lr_lora=0.0003,
        max_len=192,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1200,
    dry_run=dict(
        model_id='ftkit/tiny-llama-facts',
        dataset='fact-world',
        n_train=48,
        top_k=2,
        steps_A=2,
        steps_v=2,
        batch_size=4,
        iti_alphas=[0, 5],
        n_random=1,
        lora_rank=2,
        max_len=48,
    ),
    ranges=dict(
        n_train=(8, 1000000),
        top_k=(1, 100000),
        l1_lambda=(0, 10),
        lr_A=(0, 1),
        lr_v=(0, 1),
        steps_A=(1, 1000000),
        steps_v=(1, 1000000),
        batch_size=(1, 4096),
        dpo_beta=(0, 100),
        n_random=(1, 100),
        lora_rank=(1, 4096),
        lr_lora=(0, 1),
        max_len=(8, 8192),
    ),
    choices=dict(
        dataset=['fact-world', 'truthfulqa/truthful_qa'],
    ),
)
