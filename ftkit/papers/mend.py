"""MEND: Fast Model Editing at Scale (arXiv 2110.11309).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
import torch
import torch.nn.functional as F

from ftkit.catalog import Profile

PROFILE = Profile(
    claim='A meta-trained MEND editor turns one gradient of a held-out edit into a weight update that makes the edit hold on paraphrases while leaving unrelated facts and general text intact, ahead of its identity start (with its own tuned step size) and of equally-local fine-tuning with or without a KL term.',
    smoke_seconds=50,
    dry_run_seconds=22,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        edits_source='azhx/counterfact',
        edit_layers=[21, 22, 23],
        n_train_edits=2000,
        n_val_edits=64,
        n_test_edits=200,
        n_locality=400,
        mend_rank=1920,
        meta_steps=5000,
        n_text_per_step=2,
        editor_lr=0.0001,
        alpha_init=0.0001,
        alpha_lr=0.0001,
        id_alphas=[2.5e-05, 5e-05, 0.0001, 0.0002, 0.0004],
        ft_lrs=[0.0001, 0.001, 0.003, 0.01],
        batch_edit_sizes=[1, 4, 16, 64],
        heldout_source='Salesforce/wikitext',
        n_heldout=64,
        n_drawdown_edits=32,
        max_len=64,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1800,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        edits_source='fact-world',
        edit_layers=[4, 5],
        n_train_edits=32,
        n_val_edits=2,
        n_test_edits=8,
        n_locality=40,
        mend_rank=8,
        meta_steps=2,
        id_alphas=[0.001, 0.004],
        ft_lrs=[0.1, 0.3],
        batch_edit_sizes=[1, 4],
        heldout_source='wiki-sample',
        n_heldout=4,
        n_drawdown_edits=2,
        max_len=48,
    ),
    ranges=dict(
        n_train_edits=(1, 10000000),
        n_val_edits=(1, 1000000),
        n_text_per_step=(1, 4096),
        n_drawdown_edits=(1, 1000000),
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
    paper=dict(
        model_id='Qwen/Qwen2.5-7B',
        edit_layers=[25, 26, 27],
        n_train_edits=10000,
        n_val_edits=200,
        n_test_edits=500,
        n_locality=1000,
        meta_steps=20000,
        n_heldout=256,
        n_drawdown_edits=100,
    ),
    paper_hardware='1 GPU, 80 GB',
    paper_launch=dict(processes=1),
)


def token_log_probs(logits: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Next-token log-distributions at the real (unpadded) positions, flattened to (n_tokens, vocab)."""
    return F.log_softmax(logits.float(), -1)[attention_mask.bool()]


def token_kl(base_lp: torch.Tensor, logits: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean over real tokens of KL(p_base || p_edited); `base_lp` from token_log_probs of the unedited model."""
    edit_lp = token_log_probs(logits, attention_mask)
    return (base_lp.exp() * (base_lp - edit_lp)).sum(-1).mean()
