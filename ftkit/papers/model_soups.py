"""Model soups: averaging weights of multiple fine-tuned models improves accuracy without increasing inference time (arXiv 2203.05482).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

PROFILE = Profile(
    claim='A greedy soup of fine-tuned models matches the best single model and the k-pass ensemble; averaging needs a shared pretrained start.',
    smoke_seconds=48,
    gpu=dict(
        dataset='uoft-cs/cifar100',
        image_size=224,
        split_block=8,
        n_train=20000,
        n_val=2000,
        n_test=5000,
        n_ingredients=12,
        steps=600,
        batch_size=128,
        n_control=5,
    ),
    gpu_hardware='1 GPU, 16 GB',
    gpu_seconds=1800,
    dry_run=dict(
        dataset='mnist5k',
        image_size=64,
        split_block=16,
        n_train=200,
        n_val=100,
        n_test=200,
        n_ingredients=3,
        steps=2,
        batch_size=16,
        n_control=2,
    ),
    ranges=dict(
        image_size=(16, 512),
        split_block=(1, 16),
        n_train=(10, 10000000),
        n_val=(10, 10000000),
        n_test=(10, 10000000),
        n_ingredients=(2, 64),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        n_control=(2, 16),
    ),
    choices={},
)
