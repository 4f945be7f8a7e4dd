"""Vision helpers: image tensors for ImageNet backbones, and EfficientNet split into a frozen trunk
(whose output is cached once) and a trainable tail (what the notebooks fine-tune)."""
from __future__ import annotations

import copy

import numpy as np
import torch

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
