"""Unified PETL / MAM Adapter: Towards a Unified View of Parameter-Efficient Transfer Learning (arXiv 2110.04366).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Prefix tuning is exactly a gated parallel adapter; adapters, prefix, LoRA and the MAM adapter compared one design dimension at a time at matched parameter budgets.',
    smoke_seconds=38,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        dataset='EdinburghNLP/xsum',
        n_train=20000,
        n_eval=500,
        steps=2000,
        batch_size=16,
        max_len=512,
        lr_peft=0.001,
        lr_full=2e-05,
        budgets=[16, 512],
        identity_layer=12,
        identity_prefix_len=30,
        max_new_tokens=60,
    ),
    gpu_hardware='1 GPU, 40 GB',
    gpu_seconds=10800,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='upper_first',
        n_train=64,
        n_eval=16,
        steps=2,
        max_len=32,
        budgets=[2, 8],
        identity_layer=3,
        identity_prefix_len=4,
        max_new_tokens=8,
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_eval=(1, 1000000),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr_peft=(0, 1),
        lr_full=(0, 1),
        scale=(0, 100),
        identity_layer=(0, 200),
        identity_prefix_len=(1, 4096),
        max_new_tokens=(1, 1024),
    ),
    choices=dict(
        dataset=['upper_first', 'reverse', 'sort', 'mod10', 'kv', 'EdinburghNLP/xsum'],
    ),
)
