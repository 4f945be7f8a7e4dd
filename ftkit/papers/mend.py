"""MEND: Fast Model Editing at Scale (arXiv 2110.11309).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='A meta-trained MEND editor turns one gradient of a held-out edit into a weight update that makes the edit hold on paraphrases while leaving unrelated facts intact, unlike its untrained (identity) start.',
    smoke_seconds=44,
    dry_run_seconds=17,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        edits_source='azhx/counterfact',
        edit_layers=[21, 22, 23],
        n_train_edits=2000,
        n_test_edits=200,
        n_locality=400,
        mend_rank=1920,
        meta_steps=5000,
        editor_lr=0.0001,
        alpha_init=0.0001,
        alpha_lr=0.0001,
        ft_lrs=[0.0001, 0.001, 0.01],
        batch_edit_sizes=[1, 4, 16, 64],
        heldout_source='Salesforce/wikitext',
        n_heldout=64,
        max_len=64,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1800,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        edits_source='fact-world',
        edit_layers=[4, 5],
        n_train_edits=32,
        n_test_edits=8,
        n_locality=40,
        mend_rank=8,
        meta_steps=2,
        batch_edit_sizes=[1, 4],
        heldout_source='wiki-sample',
        n_heldout=4,
        max_len=48,
    ),
    ranges=dict(
        n_train_edits=(1, 10000000),
        n_test_edits=(1, 1000000),
        n_test_subjects=(1, 1000000),
        n_locality=(1, 10000000),
        mend_rank=(1, 65536),
        meta_steps=(1, 10000000),
        n_loc_per_step=(1, 4096),
        editor_lr=(0, 1),
        alpha_init=(0, 100),
        alpha_lr=(0, 1),
        c_edit=(0, 1000),
        ft_steps=(1, 10000),
        n_heldout=(1, 1000000),
        max_len=(8, 8192),
    ),
    choices=dict(
        edits_source=['fact-world', 'azhx/counterfact'],
    ),
)
