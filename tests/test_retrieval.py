"""Alias-retrieval corpus, mean pooling, ranking metrics, InfoNCE."""
import torch

from ftkit import retrieval as R


def test_corpus_is_deterministic_and_holds_out_documents():
    a, b = R.alias_corpus(seed=0), R.alias_corpus(seed=0)
    assert a.docs == b.docs and a.train == b.train and a.test == b.test
    assert len(a.docs) == 160 and len(a.test) == 40 * len(R.QUERY_TEMPLATES)
    train_docs, test_docs = {i for _, i in a.train}, {i for _, i in a.test}
    assert not train_docs & test_docs
    # every alias appears in some training query, and no real city/food word does
    train_text = " ".join(q for q, _ in a.train)
    assert all(alias in train_text for alias in a.aliases.values())
    assert not any(f" {w} " in f" {q} ".replace("?", " ") for q, _ in a.train + a.test for w in a.aliases)
    assert R.alias_corpus(seed=1).docs != a.docs


def test_mean_pool_ignores_padding():
    h = torch.tensor([[[1.0, 1.0], [3.0, 3.0], [100.0, 100.0]]])
    from ftkit.encoder import mean_pool
    assert torch.allclose(mean_pool(h, torch.tensor([[1, 1, 0]])), torch.tensor([[2.0, 2.0]]))


def test_rank_metrics():
    d = torch.eye(4)
    q = torch.tensor([[1.0, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 0, 0.2, 0.8]])
    m = R.rank_metrics(q, d, [0, 1, 2], ks=(1, 2))
    # ranks: 1, 2, 2 -> MRR@2 = (1 + 1/2 + 1/2)/3, recall@1 = 1/3, recall@2 = 1
    assert abs(m["mrr@2"] - 2 / 3) < 1e-6 and abs(m["recall@1"] - 1 / 3) < 1e-6 and m["recall@2"] == 1.0
    assert R.rank_metrics(q, d, [3, 3, 0], ks=(1,))["mrr@1"] == 0.0


def test_info_nce_prefers_the_right_document():
    d = torch.nn.functional.normalize(torch.randn(8, 16), dim=-1)
    good = R.info_nce(d[:4], d, torch.arange(4))
    bad = R.info_nce(d[:4], d, torch.arange(4, 8))
    assert good < bad


def test_embed_minilm_frozen_is_below_ceiling():
    from ftkit import models
    enc = models.load_model("sentence-transformers/all-MiniLM-L6-v2", kind="encoder")
    tok = models.load_tokenizer("sentence-transformers/all-MiniLM-L6-v2")
    c = R.alias_corpus(seed=0)
    d = R.embed(enc, tok, c.docs)
    assert d.shape == (160, 384) and torch.allclose(d.norm(dim=1), torch.ones(160), atol=1e-4)
    m = R.rank_metrics(R.embed(enc, tok, [q for q, _ in c.test]), d, [i for _, i in c.test])
    assert m["recall@1"] < 0.5


def test_msmarco_corpus_reads_tevatron_rows(monkeypatch):
    """The gpu-profile loader, on fake Tevatron-format rows (the hub is not reachable in tests)."""
    import datasets

    def row(i, split):
        return {"query_id": str(i), "query": f"{split} question {i}",
                "positive_passages": [{"docid": f"p{i}", "title": "T", "text": f"answer {i}"}],
                "negative_passages": [{"docid": f"n{i}{k}", "title": "", "text": f"other {i} {k}"} for k in range(3)]}

    class Fake(list):
        def shuffle(self, seed, buffer_size):
            return self

    def fake_load(kind, data_files, split, streaming):
        assert kind == "json" and data_files.startswith("hf://datasets/Tevatron/msmarco-passage/")
        name = "train" if data_files.endswith("train.jsonl.gz") else "dev"
        return Fake([row(i + (0 if name == "train" else 100), name) for i in range(5)] + [{"query": "x", "positive_passages": []}])

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    c = R.msmarco_corpus(n_train=4, n_test=2, max_negatives=2)
    assert len(c.train) == 4 and len(c.test) == 2
    q, d = c.train[0]
    assert q == "train question 0" and c.docs[d] == "T answer 0"
    assert [c.docs[i] for i in c.hard_negatives[q]] == ["other 0 0", "other 0 1"]
    assert c.docs[c.test[1][1]] == "T answer 101" and len(c.docs) == 4 * 3 + 2 * 3
