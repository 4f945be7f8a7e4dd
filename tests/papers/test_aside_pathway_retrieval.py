"""IAA (ftkit.papers.aside_pathway_retrieval): the connected side pathway on a small random BERT (identity at step 0,
the gradient-route identity the notebook checks, the ladder variant's backward pass, removal), and the retrieval
metrics and loss."""
import copy

import pytest
import torch
from transformers import BertConfig, BertModel

from ftkit import arch
from ftkit.papers.aside_pathway_retrieval import AsidePathway, info_nce, rank_metrics


@pytest.fixture(scope="module")
def bert():
    torch.manual_seed(0)
    m = BertModel(BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=4, num_attention_heads=4,
                             intermediate_size=64, max_position_embeddings=16), add_pooling_layer=False).eval()
    ids = torch.randint(0, 50, (3, 7))
    return m, ids


def _pathway(m, seed=1, **kw):
    torch.manual_seed(seed)
    m = copy.deepcopy(m)
    arch.freeze(m)
    return m, AsidePathway(m, r=4, **kw)


@pytest.mark.parametrize("kw", [{}, {"connected": False}, {"reenter": False}])
def test_starts_as_the_frozen_model_and_only_the_pathway_trains(bert, kw):
    base, ids = bert
    ref = base(input_ids=ids).last_hidden_state
    m, path = _pathway(base, **kw)
    assert len(path) == 4
    assert torch.equal(m(input_ids=ids).last_hidden_state, ref)              # W_up = 0
    for a in path:
        torch.nn.init.normal_(a.up.weight, std=0.2)
    out = m(input_ids=ids).last_hidden_state
    assert (out - ref).abs().max() > 1e-3
    out.square().sum().backward()
    assert all(p.grad is None for n, p in m.named_parameters() if "ftkit_aside" not in n)
    assert all(a.up.weight.grad is not None for a in path)
    path.remove()
    assert torch.allclose(m(input_ids=ids).last_hidden_state, ref)


def test_connected_gradient_is_backbone_route_plus_direct_route_at_step_0(bert):
    base, ids = bert
    target = torch.randn(3, 7, 32)

    def up_grads(**kw):
        m, path = _pathway(base, **kw)
        ((m(input_ids=ids).last_hidden_state - target) ** 2).sum().backward()
        return [a.up.weight.grad for a in path]

    conn, scat, ladder = up_grads(), up_grads(connected=False), up_grads(reenter=False)
    for l in range(3):                                                       # below the top: the two routes add
        assert torch.allclose(conn[l], scat[l] + ladder[l], rtol=1e-4, atol=1e-6)
        assert not torch.allclose(conn[l], scat[l], rtol=1e-3)
    assert torch.allclose(conn[3], scat[3]) and torch.allclose(conn[3], ladder[3])   # top: one route


def test_ladder_backward_never_enters_the_backbone(bert):
    """Ladder: the frozen layers' outputs carry no graph, so backward stops at the pathway; with re-entry the
    layers above the first module are part of the graph."""
    base, ids = bert

    def graph_flags(**kw):
        m, path = _pathway(base, **kw)
        seen = []
        h = m.encoder.layer[2].attention.register_forward_hook(lambda mod, a, out: seen.append(out[0].requires_grad))
        m(input_ids=ids)
        h.remove()
        return seen[0]

    assert graph_flags(reenter=False) is False
    assert graph_flags() is True and graph_flags(connected=False) is True


def test_scattered_without_reentry_is_refused(bert):
    with pytest.raises(ValueError, match="reenter"):
        AsidePathway(copy.deepcopy(bert[0]), connected=False, reenter=False)


def test_rank_metrics():
    d = torch.eye(4)
    q = torch.tensor([[1.0, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 0, 0.2, 0.8]])
    m = rank_metrics(q, d, [0, 1, 2], ks=(1, 2))
    # ranks: 1, 2, 2 -> MRR@2 = (1 + 1/2 + 1/2)/3, recall@1 = 1/3, recall@2 = 1
    assert abs(m["mrr@2"] - 2 / 3) < 1e-6 and abs(m["recall@1"] - 1 / 3) < 1e-6 and m["recall@2"] == 1.0
    assert rank_metrics(q, d, [3, 3, 0], ks=(1,))["mrr@1"] == 0.0


def test_info_nce_prefers_the_right_document():
    d = torch.nn.functional.normalize(torch.randn(8, 16), dim=-1)
    good = info_nce(d[:4], d, torch.arange(4))
    bad = info_nce(d[:4], d, torch.arange(4, 8))
    assert good < bad


def test_embed_minilm_frozen_is_below_ceiling():
    from ftkit import encoder, models
    from ftkit.data import synthetic
    enc = models.load_model("sentence-transformers/all-MiniLM-L6-v2", kind="encoder")
    tok = models.load_tokenizer("sentence-transformers/all-MiniLM-L6-v2")
    c = synthetic.alias_corpus(seed=0)
    d = encoder.embed(enc, tok, c.docs)
    assert d.shape == (160, 384) and torch.allclose(d.norm(dim=1), torch.ones(160), atol=1e-4)
    m = rank_metrics(encoder.embed(enc, tok, [q for q, _ in c.test]), d, [i for _, i in c.test])
    assert m["recall@1"] < 0.5
