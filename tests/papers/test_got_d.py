"""GOT-D's Sinkhorn potentials, calibrated-gradient ranking and baseline selectors (ftkit.papers.got_d)."""
import math

import torch

from ftkit.data import domains
from ftkit.papers import got_d


def test_sinkhorn_marginals_and_plan_are_right():
    torch.manual_seed(0)
    xt, xs = torch.randn(7, 3), torch.randn(11, 3)
    f, g, plan, C, err = got_d.sinkhorn(xt, xs, epsilon=0.5, iters=500)
    assert err < 1e-8
    assert torch.allclose(plan.sum(1), torch.full((7,), 1 / 7, dtype=torch.float64), atol=1e-9)
    assert torch.allclose(plan.sum(0), torch.full((11,), 1 / 11, dtype=torch.float64), atol=1e-9)
    assert torch.allclose(C, torch.cdist(xt.double(), xs.double()) ** 2)
    # small epsilon, identical point sets: the plan is (nearly) the identity coupling, the cost (nearly) zero
    f, g, plan, C, err = got_d.sinkhorn(xs, xs, epsilon=0.01, iters=300)
    assert float((plan * C).sum()) < 1e-3 and torch.allclose(torch.diagonal(plan) * 11, torch.ones(11, dtype=torch.float64), atol=1e-3)


def test_scarce_candidates_get_the_most_negative_gradient():
    """Target: half near A, half near B; pool: many near A, few near B. Mass near B is in demand -> lowest g."""
    torch.manual_seed(1)
    A, B = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    xt = torch.cat([A + 0.05 * torch.randn(20, 2), B + 0.05 * torch.randn(20, 2)])
    xs = torch.cat([A + 0.05 * torch.randn(90, 2), B + 0.05 * torch.randn(10, 2)])
    f, g, *_ = got_d.sinkhorn(xt, xs, epsilon=0.1, iters=300)
    grad = got_d.calibrated_gradient(g)
    assert set(got_d.select_got_d(grad, 10)) == set(range(90, 100))
    assert torch.equal(torch.argsort(grad), torch.argsort(g))                      # affine in g
    n = g.numel()
    j = 3
    assert math.isclose(float(grad[j]), float(g[j] - (g.sum() - g[j]) / (n - 1)), rel_tol=1e-12)


def test_knn_mirrors_the_target_and_random_and_dsir_are_valid():
    xt = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    xs = torch.tensor([[1.0, 0.1], [0.9, 0.0], [0.1, 1.0], [0.0, 0.8], [0.7, 0.7]])
    xs = torch.nn.functional.normalize(xs, dim=-1)
    assert got_d.select_knn(xt, xs, 4) == [1, 3, 0, 2]          # normalised: xs[1], xs[3] are exact matches
    r = got_d.select_random(100, 10, seed=4)
    assert len(set(r)) == 10 and r == got_d.select_random(100, 10, seed=4)
    pool = [x["text"] for x in domains.sample_mixture([.5, .5, 0, 0, .02], 102, seed=0)]
    target = [x["text"] for x in domains.sample_mixture([0, 0, 0, 0, 1], 20, seed=0, salt="t")]
    sel = got_d.select_dsir(pool, target, 2, seed=0)
    travel = {i for i, t in enumerate(pool) if t in {x["text"] for x in domains.sample_mixture([.5, .5, 0, 0, .02], 102, seed=0) if x["domain_id"] == 4}}
    assert len(sel) == 2 and set(sel) == travel


def test_tfidf_lsa_separates_domains_and_text_stream_batches():
    rows = domains.sample_mixture([.5, .5, 0, 0, 0], 60, seed=0)
    E = got_d.tfidf_lsa([r["text"] for r in rows], dims=8)
    assert E.shape == (60, 8) and torch.allclose(E.norm(dim=-1), torch.ones(60), atol=1e-5)
    d = torch.tensor([r["domain_id"] for r in rows])
    S = E @ E.T
    assert S[d == 0][:, d == 0].mean() > S[d == 0][:, d == 1].mean() + 0.3

    from ftkit import models
    tok = models.load_tokenizer("ftkit/tiny-llama")
    b = next(got_d.text_stream(tok, [r["text"] for r in rows[:5]], 4, 16, seed=0))
    assert b["input_ids"].shape[0] == 4 and b["input_ids"].shape[1] <= 16
    assert (b["labels"][b["attention_mask"] == 0] == -100).all()
