"""Grafting: Task-Specific Skill Localization in Fine-tuned Language Models (arXiv 2302.06600).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim="Grafting a small learnt region of the fine-tuned weights (1% of the encoder's linear weights at tiny scale) onto the pre-trained model recovers most of the fine-tuning gain; a random region of equal size recovers almost none.",
    smoke_seconds=76,
    gpu=dict(
        model_id='FacebookAI/roberta-base',
        dataset='stanfordnlp/sst2',
        ood_datasets=['stanfordnlp/imdb', 'fancyzhx/yelp_polarity'],
        n_test=872,
        n_ood=1000,
        max_len=128,
        ft_steps=1000,
        ft_lr=0.01,
        ft_batch=8,
        sparsities=[1e-05, 0.0001, 0.001],
        graft_steps=400,
        round_every=20,
    ),
    gpu_hardware='1 GPU, 16 GB',
    gpu_seconds=1800,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='sentiment',
        ood_datasets=['ood_templates', 'polarity'],
        n_per_class=8,
        n_test=32,
        n_ood=32,
        max_len=32,
        ft_steps=2,
        graft_steps=2,
        round_every=1,
    ),
    ranges=dict(
        n_per_class=(1, 1000000),
        n_test=(10, 10000000),
        n_ood=(10, 10000000),
        max_len=(8, 512),
        ft_steps=(1, 1000000),
        ft_lr=(0, 100),
        ft_batch=(1, 4096),
        graft_steps=(1, 1000000),
        graft_batch=(1, 4096),
        graft_step0=(0, 1000),
        sigmoid_bias=(0, 100),
        round_every=(1, 1000000),
    ),
    choices=dict(
        dataset=['sentiment', 'stanfordnlp/sst2'],
    ),
)
