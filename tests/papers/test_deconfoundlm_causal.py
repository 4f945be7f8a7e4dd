"""DeconfoundLM's reward models (ftkit.papers.deconfoundlm_causal) on synthetic linear data with a known confounder."""
import torch

from ftkit.papers import deconfoundlm_causal as dc


def _data(n=4000, seed=0, entangled=False):
    """x0 causal (effect 1), x1 spurious (effect 0, driven by C), C raises y by 2; noise features x2..x5."""
    g = torch.Generator().manual_seed(seed)
    c = (torch.rand(n, generator=g) < 0.5).double()
    x0 = torch.randn(n, generator=g).double() + (0.8 * c if entangled else 0)
    x1 = torch.randn(n, generator=g).double() + 1.5 * c
    X = torch.cat([x0[:, None], x1[:, None], torch.randn(n, 4, generator=g).double()], 1)
    y = x0 + 2 * c + 0.1 * torch.randn(n, generator=g).double()
    return X, c, y


def test_naive_learns_the_spurious_feature_deconfounded_does_not():
    X, c, y = _data()
    naive = dc.fit_naive(X, y, 1e-3)
    dcm = dc.fit_deconfounded(X, c, y, 1e-3)
    assert naive.w[1] > 0.3
    assert abs(float(dcm.w[1])) < 0.03 and abs(float(dcm.w[0]) - 1) < 0.03


def test_fwl_joint_equals_partialling_out_and_c_input_scores():
    X, c, y = _data(500, seed=1)
    w, gamma = dc.fit_joint(X, c, y, 0.5)
    assert torch.allclose(w, dc.fit_deconfounded(X, c, y, 0.5).w, atol=1e-8)
    assert abs(float(gamma[0]) - 2) < 0.1
    m = dc.fit_c_input(X, c, y, 0.5)
    s1, s0 = m.score(X[:3], torch.ones(3)), m.score(X[:3], torch.zeros(3))
    assert torch.allclose(s1 - s0, gamma.expand(3))
    assert torch.allclose(dc.residualise(c[:, None], c), torch.zeros(len(c), 1, dtype=torch.float64), atol=1e-9)


def test_invariance_is_decorrelated_and_shrinks_entangled_causal_weight():
    X, c, y = _data(seed=2, entangled=True)
    inv = dc.fit_invariant(X, c, y, 1e-3)
    r = inv.score(X)
    assert abs(float(torch.cov(torch.stack([r, c]))[0, 1])) < 1e-8
    assert float(inv.w[0]) < 0.95          # causal weight distorted by the constraint
    assert abs(float(dc.fit_deconfounded(X, c, y, 1e-3).w[0]) - 1) < 0.03


def test_ridge_draws_best_of_n_and_effects():
    X = torch.eye(3, dtype=torch.float64)
    assert torch.allclose(dc.ridge(X, torch.tensor([1.0, 2, 3]).double(), 1.0), torch.tensor([0.5, 1, 1.5]).double())
    idx = dc.draws(10, 4, 7, seed=0)
    assert idx.shape == (7, 4) and all(len(set(row.tolist())) == 4 for row in idx)
    assert torch.equal(idx, dc.draws(10, 4, 7, seed=0))
    scores = torch.arange(10).double()
    assert torch.equal(dc.best_of_n(scores, idx), idx.max(1).values)
    assert dc.attribute_effect(torch.tensor([2.0, 3.0]), torch.tensor([1.0, 1.0])) == 1.5
