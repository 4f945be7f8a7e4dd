"""RoSTE: An Efficient Quantization-Aware Supervised Fine-Tuning Approach for Large Language Models (arXiv 2502.09003).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Hadamard rotations chosen by quantization error remove the down_proj activation outliers and make 4-bit quantization-aware SFT (STE, W4A4KV4) work: RoSTE beats plain STE QA-SFT on the quantized model.',
    smoke_seconds=47,
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
)
