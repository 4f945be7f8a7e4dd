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
