"""ftkit.encoder.class_separation: inter-class over intra-class mean cosine distance."""
import pytest
import torch

from ftkit.encoder import class_separation


def test_random_labels_give_about_one_and_clusters_give_more():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(400, 16, generator=g)
    y = torch.arange(400) % 2
    assert abs(class_separation(z, y) - 1.0) < 0.05            # labels unrelated to z: no separation
    centres = torch.randn(2, 16, generator=g) * 3
    zc = centres[y] + torch.randn(400, 16, generator=g)
    assert class_separation(zc, y) > 2.0                        # tight clusters: far more between than within


def test_scale_invariant_and_exact_value():
    z = torch.tensor([[1.0, 0.0], [1.0, 0.5], [0.0, 1.0], [0.5, 1.0]])
    y = [0, 0, 1, 1]
    assert class_separation(z, y) == pytest.approx(class_separation(5 * z, y), rel=1e-6)
    zn = torch.nn.functional.normalize(z, dim=-1)
    d = 1 - zn @ zn.T
    inter = (d[0, 2] + d[0, 3] + d[1, 2] + d[1, 3]) / 4
    intra = (d[0, 1] + d[2, 3]) / 2
    assert class_separation(z, y) == pytest.approx(float(inter / intra), rel=1e-4)


def test_needs_two_classes():
    with pytest.raises(ValueError):
        class_separation(torch.randn(4, 3), [0, 0, 0, 0])
