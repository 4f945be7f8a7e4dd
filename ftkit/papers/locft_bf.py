"""LocFT-BF: Fine-tuning Done Right in Model Editing (arXiv 2509.22072).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='Breadth-first, mini-batch fine-tuning of one localized matrix beats depth-first editing, which forgets its own edits.',
    smoke_seconds=29,
    dry_run_seconds=13,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B-Instruct',
        edits_source='azhx/counterfact',
        n_edits=1000,
        n_locality=500,
        layer=6,
        lr=0.0005,
        lr_all=1e-05,
        batch_size=32,
        max_epochs=25,
        sweep_layers=[4, 6, 12, 20],
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1800,
    dry_run=dict(
        model_id='ftkit/tiny-llama-facts',
        edits_source='fact-world',
        n_edits=8,
        n_locality=20,
        layer=3,
        max_epochs=1,
        df_max_steps=1,
        sweep_layers=[1],
        sweep_modules=['mlp.down_proj'],
    ),
    ranges=dict(
        n_edits=(1, 1000000),
        n_locality=(1, 1000000),
        layer=(0, 200),
        lr=(0, 1),
        lr_all=(0, 1),
        batch_size=(1, 4096),
        max_epochs=(1, 1000),
        loss_stop=(0, 10),
        df_max_steps=(1, 10000),
    ),
    choices=dict(
        module=['mlp.down_proj', 'mlp.up_proj', 'mlp.gate_proj', 'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj'],
    ),
)
