"""LT-SFT's masked updates and composable sparse deltas (ftkit.papers.lottery_ticket_sparse_ft)."""
import torch

from ftkit import sparse, train
from ftkit.papers import lottery_ticket_sparse_ft


def test_masked_update_keeps_entries_outside_the_mask_at_base():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 6), torch.nn.Linear(6, 1))
    base = {k: v.clone() for k, v in model.state_dict().items()}
    masks = {"0.weight": sparse.random_mask({"0.weight": torch.Size([6, 6])}, 0.25, seed=3)["0.weight"]}
    x, y = torch.randn(64, 6), torch.randn(64, 1)
    data = iter(lambda: {"x": x, "y": y}, None)
    loss = lambda m, b: torch.nn.functional.mse_loss(m(b["x"]), b["y"])
    train.fit(model, data, steps=20, lr=0.05, loss_fn=loss, weight_decay=0.1,
              after_step=lottery_ticket_sparse_ft.masked_update(model, masks, base))
    d = lottery_ticket_sparse_ft.sparse_delta(model.state_dict(), base, masks)["0.weight"]
    moved = (model.state_dict()["0.weight"] != base["0.weight"])
    assert not (moved & ~masks["0.weight"]).any() and moved[masks["0.weight"]].any()
    assert torch.equal(d != 0, moved)


def test_apply_deltas_composes_by_addition():
    base = {"w": torch.zeros(3)}
    out = lottery_ticket_sparse_ft.apply_deltas(base, [{"w": torch.tensor([1.0, 0, 0])}, {"w": torch.tensor([0, 2.0, 0])}], [1.0, 0.5])
    assert out["w"].tolist() == [1.0, 1.0, 0.0] and base["w"].tolist() == [0, 0, 0]
    scores = lottery_ticket_sparse_ft.update_scores({"w": torch.tensor([0.0, -3.0, 1.0])}, base, ["w"])
    assert sparse.topk_mask(scores, k=1)["w"].tolist() == [False, True, False]


def test_add_lora_trains_a_low_rank_delta_and_restores_the_weight():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 6), torch.nn.Linear(6, 1))
    w = model[0].weight
    before = w.detach().clone()
    params, finish = lottery_ticket_sparse_ft.add_lora(model, ["0.weight"], r=2, seed=1)
    assert torch.allclose(model[0].weight, before)          # B = 0 at the start: the model is unchanged
    x, y = torch.randn(64, 6), torch.randn(64, 1)
    opt = torch.optim.SGD(params, lr=0.1)
    for _ in range(10):
        opt.zero_grad(); torch.nn.functional.mse_loss(model(x), y).backward(); opt.step()
    merged = model[0].weight.detach().clone()
    assert w.grad is None                                   # the base weight got no gradient
    deltas = finish()
    assert model[0].weight is w and w.requires_grad and torch.equal(w, before)
    assert torch.linalg.matrix_rank(deltas["0.weight"]) <= 2 and deltas["0.weight"].abs().sum() > 0
    assert torch.allclose(before + deltas["0.weight"], merged, atol=1e-6)
