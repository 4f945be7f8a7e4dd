import torch

from ftkit import sparse, train


def test_topk_mask_global_and_per_tensor():
    scores = {"a": torch.tensor([1.0, 5.0, 3.0, 0.0]), "b": torch.tensor([[4.0, 2.0], [6.0, 0.5]])}
    m = sparse.topk_mask(scores, k=3)
    assert m["a"].tolist() == [False, True, False, False] and m["b"].tolist() == [[True, False], [True, False]]
    assert sparse.count_kept(m) == 3 and abs(sparse.density(m) - 3 / 8) < 1e-9
    per = sparse.topk_mask(scores, density=0.5, per_tensor=True)
    assert int(per["a"].sum()) == 2 and int(per["b"].sum()) == 2


def test_random_mask_density_and_overlap():
    shapes = {"w": torch.Size([50, 40])}
    m1, m2 = sparse.random_mask(shapes, 0.1, seed=0), sparse.random_mask(shapes, 0.1, seed=1)
    assert sparse.count_kept(m1) == 200
    assert sparse.overlap(m1, m1) == 1.0 and sparse.overlap(m1, m2) < 0.2


def test_masked_update_keeps_entries_outside_the_mask_at_base():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 6), torch.nn.Linear(6, 1))
    base = {k: v.clone() for k, v in model.state_dict().items()}
    masks = {"0.weight": sparse.random_mask({"0.weight": torch.Size([6, 6])}, 0.25, seed=3)["0.weight"]}
    x, y = torch.randn(64, 6), torch.randn(64, 1)
    data = iter(lambda: {"x": x, "y": y}, None)
    loss = lambda m, b: torch.nn.functional.mse_loss(m(b["x"]), b["y"])
    train.fit(model, data, steps=20, lr=0.05, loss_fn=loss, weight_decay=0.1,
              after_step=sparse.masked_update(model, masks, base))
    d = sparse.sparse_delta(model.state_dict(), base, masks)["0.weight"]
    moved = (model.state_dict()["0.weight"] != base["0.weight"])
    assert not (moved & ~masks["0.weight"]).any() and moved[masks["0.weight"]].any()
    assert torch.equal(d != 0, moved)


def test_apply_deltas_composes_by_addition():
    base = {"w": torch.zeros(3)}
    out = sparse.apply_deltas(base, [{"w": torch.tensor([1.0, 0, 0])}, {"w": torch.tensor([0, 2.0, 0])}], [1.0, 0.5])
    assert out["w"].tolist() == [1.0, 1.0, 0.0] and base["w"].tolist() == [0, 0, 0]
    scores = sparse.update_scores({"w": torch.tensor([0.0, -3.0, 1.0])}, base, ["w"])
    assert sparse.topk_mask(scores, k=1)["w"].tolist() == [False, True, False]


def test_low_rank_sparse_linear_starts_at_zero_and_trains_only_on_its_support():
    torch.manual_seed(0)
    base = torch.nn.Linear(8, 6)
    w0 = base.weight.detach().clone()
    support = torch.zeros(6, 8, dtype=torch.bool)
    support[0, 1] = support[3, 7] = support[5, 0] = True
    ad = sparse.LowRankSparseLinear(base, r=2, alpha=4, support=support)
    x = torch.randn(5, 8)
    assert torch.allclose(ad(x), base(x)) and ad.delta().abs().max() == 0       # B = 0, S = 0 at init
    assert [p.numel() for p in ad.trainable()] == [16, 12, 3]
    opt = torch.optim.SGD(ad.trainable(), lr=0.1)
    for _ in range(3):
        opt.zero_grad(); ad(x).pow(2).sum().backward(); opt.step()
    S = ad.sparse_part()
    assert (S[~support] == 0).all() and (S[support] != 0).all()
    assert torch.equal(base.weight, w0)                                            # W frozen
    merged = torch.nn.functional.linear(x, w0 + ad.delta(), base.bias)
    assert torch.allclose(ad(x), merged, atol=1e-5)                                # forward == merged weight


def test_add_low_rank_sparse_replaces_named_linears():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ads = sparse.add_low_rank_sparse(model, ["0", "2"], r=1)
    assert isinstance(model[0], sparse.LowRankSparseLinear) and set(ads) == {"0", "2"}
    assert sum(p.numel() for a in ads.values() for p in a.trainable()) == (4 + 4) + (4 + 2)
    assert not any(p.requires_grad for p in model[0].base.parameters())
