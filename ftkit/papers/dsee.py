"""DSEE: Dually Sparsity-embedded Efficient Tuning of Pre-trained Language Models (arXiv 2111.00160).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='A low-rank + sparse update (sparse support from a low-rank + sparse decomposition of the pre-trained weight) tunes as well as LoRA at matched parameters; magnitude-pruned weights need re-tuning, which recovers the accuracy.',
    smoke_seconds=49,
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
        heads_pruned=(0, 64),
    ),
    choices=dict(
        dataset=['sentiment', 'nyu-mll/glue'],
    ),
)
