"""IAA (Scattered or Connected?): Scattered or Connected? An Optimized Parameter-efficient Tuning Approach for Information Retrieval (arXiv 2208.09847).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='A connected side pathway of bottleneck modules gives every module a direct gradient route to the output (checked exactly at step 0) and converges faster than the same modules scattered at the same learning rate; with the learning rate tuned per arm its edge is within noise at 6 layers (reported).',
    smoke_seconds=60,
    gpu=dict(
        model_id='google-bert/bert-base-uncased',
        dataset='Tevatron/msmarco-passage',
        n_train=20000,
        n_test=1000,
        two_tower=True,
        max_len=128,
        batch_size=32,
        group_size=8,
        steps=2000,
        tau=0.05,
        r_houlsby=64,
        r_lora=64,
        r_aside=128,
        lr_full=5e-06,
        lrs_peft=[0.0001, 0.001],
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=3600,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='alias',
        n_train=48,
        n_test=16,
        two_tower=True,
        steps=2,
        batch_size=8,
        lrs_peft=[0.001],
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_test=(10, 10000000),
        max_len=(8, 512),
        batch_size=(2, 4096),
        group_size=(1, 64),
        steps=(1, 1000000),
        tau=(0.0001, 100),
        r_houlsby=(1, 1024),
        r_lora=(1, 1024),
        r_aside=(1, 2048),
        lr_full=(0, 1),
    ),
    choices=dict(
        dataset=['alias', 'Tevatron/msmarco-passage'],
    ),
)
