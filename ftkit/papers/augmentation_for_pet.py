"""DA-for-PET: Effectiveness of Data Augmentation for Parameter Efficient Tuning with Limited Data (arXiv 2303.02577).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim="With 48 examples per class, LoRA and hand-written deep prompts (P-tuning v2) at equal trainable parameters are trained without augmentation, with EDA, and with Mixup. Deep prompts separate the classes' pooled embeddings less well than LoRA. The SupCon remedy lowers the contrastive loss; its accuracy effect is reported, as are the effects of augmentation.",
    smoke_seconds=36,
    gpu=dict(
        model_id='FacebookAI/roberta-large',
        dataset='aps/super_glue',
        glue_task='rte',
        n_layers=0,
        n_per_class=500,
        n_test=277,
        max_len=256,
        steps=1000,
        lr_lora=0.0005,
        lr_prefix=0.005,
        n_aug=4,
        arms=['lora:none', 'lora:eda', 'lora:bt', 'lora:mixup', 'prefix:none', 'prefix:eda', 'prefix:bt', 'prefix:mixup', 'prefix:eda+supcon'],
        bt_models=['Helsinki-NLP/opus-mt-en-de', 'Helsinki-NLP/opus-mt-de-en'],
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='sentiment',
        n_layers=2,
        n_per_class=8,
        n_test=32,
        max_len=32,
        steps=2,
        n_aug=1,
        bt_models=[],
        arms=['lora:none', 'lora:eda', 'lora:mixup', 'prefix:none', 'prefix:eda', 'prefix:eda+supcon'],
    ),
    ranges=dict(
        n_layers=(0, 48),
        n_per_class=(2, 1000000),
        n_test=(10, 1000000),
        max_len=(8, 512),
        batch_size=(2, 4096),
        steps=(1, 1000000),
        lr_lora=(0, 1),
        lr_prefix=(0, 1),
        lora_r=(1, 1024),
        lora_alpha=(0, 4096),
        prefix_len=(1, 512),
        n_aug=(1, 64),
        eda_alpha=(0, 1),
        heavy_alpha=(0, 1),
        mixup_a=(0, 100),
        supcon_weight=(0, 100),
        temperature=(0, 100),
    ),
    choices=dict(
        dataset=['sentiment', 'aps/super_glue'],
        glue_task=['rte', 'boolq', 'cb'],
    ),
)
