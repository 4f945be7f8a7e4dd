"""Element-level masks (ftkit.sparse), shared by the LT-SFT, DSEE and skill-grafting notebooks."""
import torch

from ftkit import sparse


def test_topk_mask_global_and_per_tensor():
    scores = {"a": torch.tensor([1.0, 5.0, 3.0, 0.0]), "b": torch.tensor([[4.0, 2.0], [6.0, 0.5]])}
    m = sparse.topk_mask(scores, k=3)
    assert m["a"].tolist() == [False, True, False, False] and m["b"].tolist() == [[True, False], [True, False]]
    assert sparse.count_kept(m) == 3
    per = sparse.topk_mask(scores, density=0.5, per_tensor=True)
    assert int(per["a"].sum()) == 2 and int(per["b"].sum()) == 2


def test_random_mask_density_and_overlap():
    shapes = {"w": torch.Size([50, 40])}
    m1, m2 = sparse.random_mask(shapes, 0.1, seed=0), sparse.random_mask(shapes, 0.1, seed=1)
    assert sparse.count_kept(m1) == 200
    assert sparse.overlap(m1, m1) == 1.0 and sparse.overlap(m1, m2) < 0.2
