"""DSEE's low-rank + sparse adapters and the classifier helpers only it uses (ftkit.papers.dsee)."""
import torch

from conftest import Tok, tiny_bert

from ftkit import encoder as E, train
from ftkit.data import synthetic
from ftkit.papers import dsee




def test_low_rank_sparse_linear_starts_at_zero_and_trains_only_on_its_support():
    torch.manual_seed(0)
    base = torch.nn.Linear(8, 6)
    w0 = base.weight.detach().clone()
    support = torch.zeros(6, 8, dtype=torch.bool)
    support[0, 1] = support[3, 7] = support[5, 0] = True
    ad = dsee.LowRankSparseLinear(base, r=2, alpha=4, support=support)
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
    ads = dsee.add_low_rank_sparse(model, ["0", "2"], r=1)
    assert isinstance(model[0], dsee.LowRankSparseLinear) and set(ads) == {"0", "2"}
    assert sum(p.numel() for a in ads.values() for p in a.trainable()) == (4 + 4) + (4 + 2)
    assert not any(p.requires_grad for p in model[0].base.parameters())


def test_classifier_learns_with_the_loss_and_is_scored_by_dataset_accuracy():
    tok, enc = Tok(), tiny_bert()
    rows = synthetic.sentiment(128, seed=0)
    clf = E.PooledClassifier(enc, n_labels=2)
    before = dsee.dataset_accuracy(clf, tok, rows)
    train.fit(clf, E.text_batches(rows, tok, 16), steps=60, lr=3e-3, loss_fn=dsee.classification_loss)
    acc = dsee.dataset_accuracy(clf, tok, rows)
    assert acc > max(before, 0.8)
    logits = E.predict_logits(clf, tok, [r["text"] for r in rows])
    assert acc == float((logits.argmax(-1) == torch.tensor([r["label"] for r in rows])).float().mean())
