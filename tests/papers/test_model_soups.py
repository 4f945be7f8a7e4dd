"""Weight averaging as the model-soups notebook uses it (ftkit.papers.model_soups)."""
import numpy as np
import torch

from ftkit.papers import model_soups


def test_average_and_interpolate():
    a = {"w": torch.ones(3), "n": torch.tensor(5)}
    b = {"w": 3 * torch.ones(3), "n": torch.tensor(7)}
    avg = model_soups.average([a, b])
    assert torch.allclose(avg["w"], 2 * torch.ones(3)) and avg["n"].item() == 5   # int buffers are copied
    assert torch.allclose(model_soups.interpolate(a, b, 0.25)["w"], 1.5 * torch.ones(3))
    assert torch.allclose(model_soups.average([a, b], [0.0, 1.0])["w"], b["w"])


def test_greedy_soup_skips_an_ingredient_that_hurts():
    good = [{"w": torch.tensor([1.0 + d])} for d in (0.0, 0.1, -0.1)]
    bad = {"w": torch.tensor([50.0])}
    score = lambda s: -abs(float(s["w"]) - 1.0)            # best at w = 1
    soup, kept, path = model_soups.greedy_soup(good + [bad], score)
    assert 3 not in kept and len(path) == 4
    assert abs(float(soup["w"]) - 1.0) < 0.1


def test_to_imagenet_tensor_shapes_and_normalisation():
    gray = np.full((2, 8, 8), 0.5, dtype=np.float32)
    x = model_soups.to_imagenet_tensor(gray, 16)
    assert x.shape == (2, 3, 16, 16)
    expect = (0.5 - model_soups.IMAGENET_MEAN) / model_soups.IMAGENET_STD
    assert torch.allclose(x[0, :, 0, 0], expect.view(3), atol=1e-6)
    assert model_soups.to_imagenet_tensor(np.zeros((1, 8, 8, 3), dtype=np.float32), 8).shape == (1, 3, 8, 8)
