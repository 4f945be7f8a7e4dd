"""Model soups: averaging weights of multiple fine-tuned models improves accuracy without increasing inference time (arXiv 2203.05482).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import copy

import numpy as np
import torch

PROFILE = Profile(
    claim='Fine-tuned models from one pretrained start can be averaged (the greedy soup keeps several; different starts do not average); greedy soup vs the best single model is reported.',
    smoke_seconds=32,
    dry_run_seconds=19,
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


# ---- code: weight averaging (soups) -------------------------------------------------------------------------


def average(states: list[dict], weights: list[float] | None = None) -> dict:
    """Weighted average of state dicts: sum_i w_i * theta_i (uniform 1/k by default).

    Non-float entries are copied from the first state dict.
    """
    if not states:
        raise ValueError("average() needs at least one state dict")
    w = weights or [1.0 / len(states)] * len(states)
    if len(w) != len(states):
        raise ValueError(f"{len(states)} state dicts but {len(w)} weights")
    out = {}
    for k, v in states[0].items():
        out[k] = sum(wi * s[k].float() for wi, s in zip(w, states)).to(v.dtype) if torch.is_floating_point(v) else v.clone()
    return out


def interpolate(a: dict, b: dict, t: float) -> dict:
    """(1 - t) * a + t * b."""
    return average([a, b], [1.0 - t, t])


def greedy_soup(states: list[dict], val_score, order=None):
    """Greedy soup (Wortsman et al. 2022): add ingredients in order of held-out score, keeping each
    only if the held-out score of the averaged soup does not drop.

    val_score(state_dict) -> float on a held-out split (never the test set).
    Returns (soup_state, kept_indices, path) where path lists (index, candidate_score, kept).
    """
    scores = [val_score(s) for s in states] if order is None else None
    order = order if order is not None else sorted(range(len(states)), key=lambda i: -scores[i])
    kept = [order[0]]
    best = val_score(states[order[0]]) if scores is None else scores[order[0]]
    path = [(order[0], best, True)]
    for i in order[1:]:
        cand = val_score(average([states[j] for j in kept + [i]]))
        take = cand >= best
        path.append((i, cand, take))
        if take:
            kept.append(i)
            best = cand
    return average([states[j] for j in kept]), kept, path


# ---- code: image tensors for ImageNet backbones, and EfficientNet split into a frozen trunk (whose output is
# cached once) and a trainable tail (what the notebook fine-tunes and averages).
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def to_imagenet_tensor(images: np.ndarray, size: int) -> torch.Tensor:
    """Images (N, H, W) grayscale or (N, H, W, 3) RGB in [0, 1] -> normalised tensors (N, 3, size, size)."""
    x = torch.from_numpy(np.asarray(images, dtype=np.float32))
    x = x.unsqueeze(1).repeat(1, 3, 1, 1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return (x - IMAGENET_MEAN) / IMAGENET_STD


@torch.no_grad()
def efficientnet_trunk_features(net, x: torch.Tensor, split: int, batch_size: int = 256) -> torch.Tensor:
    """Run the stem and blocks [0, split) in eval mode; the output is cached once per image."""
    net.eval()
    outs = []
    for i in range(0, len(x), batch_size):
        h = net._swish(net._bn0(net._conv_stem(x[i:i + batch_size])))
        for block in net._blocks[:split]:
            h = block(h)
        outs.append(h)
    return torch.cat(outs)


class EfficientNetTail(torch.nn.Module):
    """Blocks [split, end), the head conv and a fresh linear classifier. BatchNorm stays in eval mode
    (frozen ImageNet statistics), so averaging tails needs no statistics recomputed."""

    def __init__(self, net, split: int, num_classes: int):
        super().__init__()
        self.blocks = copy.deepcopy(net._blocks[split:])
        self.conv_head, self.bn1 = copy.deepcopy(net._conv_head), copy.deepcopy(net._bn1)
        self.act = copy.deepcopy(net._swish)
        self.fc = torch.nn.Linear(net._fc.in_features, num_classes)

    def train(self, mode: bool = True):
        super().train(mode)
        for m in self.modules():               # keep BN statistics frozen
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()
        return self

    def forward(self, h):
        for block in self.blocks:
            h = block(h)
        h = self.act(self.bn1(self.conv_head(h)))
        return self.fc(h.mean(dim=(2, 3)))
