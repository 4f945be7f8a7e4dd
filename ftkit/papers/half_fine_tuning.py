"""HFT: Half Fine-Tuning for Large Language Models (arXiv 2404.18466).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Freezing a random half of the matrices each round (HFT) retains more pre-trained knowledge than full fine-tuning.',
    smoke_seconds=61,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        task_length=8,
        forget_source='Salesforce/wikitext',
        n_train=20000,
        n_eval=500,
        max_steps=800,
        batch_size=16,
        max_len=64,
        lr=2e-05,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1200,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        forget_source='wiki-sample',
        task_length=4,
        n_train=64,
        n_eval=32,
        max_steps=2,
        max_len=48,
    ),
    ranges=dict(
        task_length=(2, 20),
        n_train=(10, 10000000),
        n_eval=(10, 10000000),
        max_steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr=(0, 1),
    ),
    choices=dict(
        granularity=['category', 'model', 'layer'],
    ),
)
