"""LT-SFT: Composable Sparse Fine-Tuning for Cross-Lingual Transfer (arXiv 2110.07560).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Lottery-ticket sparse fine-tunings (dense phase, top-K of |θ−θ₀|, reset, masked re-training) learn a task and a language in K-sparse deltas that compose by addition; at tiny scale the task does not transfer to an unseen cipher language (reported).',
    smoke_seconds=39,
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
    ),
    choices=dict(
        lang_source=['cipher', 'wikimedia/wikipedia'],
        task_source=['cipher-topics', 'eriktks/conll2003'],
        target_eval=['cipher-topics', 'masakhane/masakhaner2'],
    ),
)
