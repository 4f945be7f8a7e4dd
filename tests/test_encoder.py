"""Pooled sentence encoders as classifiers, embedders and probes (ftkit.encoder)."""
import torch

from conftest import Tok, tiny_bert

from ftkit import encoder as E




def test_mean_pool_ignores_padding():
    h = torch.tensor([[[1.0, 1.0], [3.0, 3.0], [100.0, 100.0]]])
    assert E.mean_pool(h, torch.tensor([[1, 1, 0]])).tolist() == [[2.0, 2.0]]


def test_embed_is_normalised():
    tok, enc = Tok(), tiny_bert()
    v = E.embed(enc, tok, ["a b c", "d e"])
    assert v.shape == (2, 32) and torch.allclose(v.norm(dim=-1), torch.ones(2), atol=1e-5)
    raw = E.embed(enc, tok, ["a b c", "d e"], normalize=False)
    assert torch.allclose(torch.nn.functional.normalize(raw, dim=-1), v, atol=1e-6)
    b = E.tokenize(tok, ["a b c", "d e"])
    assert torch.allclose(E.pooled(enc.eval(), b["input_ids"], b["attention_mask"]), v, atol=1e-6)   # embed = pooled, batched


def test_fit_probe_separates_separable_features():
    X = torch.cat([torch.randn(40, 5) + 3, torch.randn(40, 5) - 3])
    y = torch.tensor([0] * 40 + [1] * 40)
    p1, p2 = E.fit_probe(X, y, n_labels=2, seed=0), E.fit_probe(X, y, n_labels=2, seed=0)
    assert (p1(X).argmax(-1) == y).float().mean() == 1.0
    assert torch.equal(p1.weight, p2.weight)                         # seeded: the same probe twice


def test_cosine_head_has_no_parameters_of_its_own():
    tok, enc = Tok(), tiny_bert()
    clf = E.PooledClassifier(enc, label_texts=["bad", "good"], tokenizer=tok)
    assert sum(p.numel() for p in clf.parameters()) == sum(p.numel() for p in enc.parameters())
    assert E.predict_logits(clf, tok, ["the film was good ."]).shape == (1, 2)

