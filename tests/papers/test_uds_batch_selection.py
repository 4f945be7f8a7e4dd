"""UDS's scoring and selection plumbing (ftkit.papers.uds_batch_selection) on a tiny random Llama."""
import pytest
import torch

from ftkit import train
from ftkit.data import synthetic
from ftkit.papers import uds_batch_selection as uds


def _tiny_llama(vocab=64):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(cfg)


def test_nuclear_norm_matches_svd_and_limits():
    torch.manual_seed(0)
    L = torch.randn(3, 5, 40)
    assert torch.allclose(uds.nuclear_norm(L), torch.linalg.svdvals(L).sum(-1), rtol=1e-4)
    one_hot = torch.zeros(1, 4, 40)
    one_hot[0, torch.arange(4), torch.tensor([0, 1, 2, 3])] = 1           # 4 distinct confident rows: rank 4
    same = torch.zeros(1, 4, 40)
    same[0, :, 0] = 1                                                      # 4 identical rows: rank 1
    assert float(uds.nuclear_norm(one_hot)) == pytest.approx(4.0, rel=1e-5)
    assert float(uds.nuclear_norm(same)) == pytest.approx(2.0, rel=1e-5)   # sqrt(4) * 1


def test_srft_projection_shape_linearity_and_norms():
    torch.manual_seed(1)
    proj = uds.SRFTProjector(vocab=256, t_max=16, r_t=8, r_v=64, seed=0)
    A, B = torch.randn(6, 10, 256), torch.randn(6, 10, 256)
    P = proj(A)
    assert P.shape == (6, 8 * 64)
    assert torch.allclose(proj(A + 2 * B), P + 2 * proj(B), atol=1e-3)    # linear
    assert torch.equal(proj(A), P)                                         # fixed (seeded)
    ratio = P.norm(dim=1) / A.reshape(6, -1).norm(dim=1)                   # JL: norms kept on average
    assert 0.5 < float(ratio.mean()) < 1.5


def test_build_pool_counts_and_tags():
    clean = synthetic.task_rows("upper_first", 60, seed=0)
    src = synthetic.task_rows("copy", 5, seed=1)
    pool = uds.build_pool(clean, src, 100, 0.6, 0.1, seed=0)
    kinds = [r["pool"] for r in pool]
    assert len(pool) == 100 and kinds.count("duplicate") == 60 and kinds.count("noise") == 10
    dups = [r for r in pool if r["pool"] == "duplicate"]
    assert {r["answer"] for r in dups} <= {r["answer"] for r in src}       # answer-preserving edits
    assert all(r["prompt"].split() == s.split() or r["prompt"].rstrip(".").split() == s.split()
               for r in dups for s in [next(x["prompt"] for x in src if x["answer"] == r["answer"])])
    clean_answers = {r["prompt"]: r["answer"] for r in clean}
    assert all(clean_answers[r["prompt"]] != r["answer"] for r in pool if r["pool"] == "noise")
    assert uds.build_pool(clean, src, 100, 0.6, 0.1, seed=0) == pool
    with pytest.raises(ValueError):
        uds.build_pool(clean[:5], src, 100, 0.6, 0.1)


class _Tok:
    pad_token_id, eos_token_id = 0, 1

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [2 + (ord(c) % 60) for c in text]}


@pytest.mark.parametrize("arm", uds.ARMS)
def test_selection_stream_arms(arm):
    model = _tiny_llama()
    rows = synthetic.task_rows("copy", 24, seed=0)
    enc = train.encode_pairs(_Tok(), rows, max_len=32)
    proj = uds.SRFTProjector(64, 32, 4, 8, seed=0)
    s = uds.SelectionStream(model, enc, 0, arm, steps=3, cand_batch=8, k_select=2, seed=0, projector=proj, queue_size=5)
    batches = list(s)
    k = 8 if arm == "full" else 2
    assert len(batches) == 3 and all(b["input_ids"].shape[0] == k for b in batches)
    assert all(len(p) == k for p in s.picks) and len({i for p in s.picks for i in p}) == 3 * k   # one pass, no repeats
    if arm == "maxloss":
        sc = s.scored[0]
        top = sorted(range(8), key=lambda j: -sc["nll"][j])[:2]
        assert sorted(s.picks[0]) == sorted(sc["idx"][j] for j in top)
    if arm.startswith("uds"):
        assert len(s.queue) == 5 and s.alpha is not None and s.alpha > 0      # FIFO capped, alpha calibrated
    if arm in ("random", "full"):
        assert not s.scored


def test_maxloss_prefers_a_corrupted_target():
    from ftkit import models
    model, tok = models.load_model("ftkit/tiny-llama"), models.load_tokenizer("ftkit/tiny-llama")
    rows = synthetic.task_rows("copy", 8, seed=0)
    rows[3] = dict(rows[3], answer=" z z z z")                            # the pretrained model copies well: this is surprising
    enc = train.encode_pairs(tok, rows, max_len=32)
    s = uds.SelectionStream(model, enc, tok.pad_token_id, "maxloss", steps=1, cand_batch=8, k_select=1, seed=0)
    list(s)
    assert s.picks[0] == [3]
