"""Masked Thought (ftkit.papers.masked_thought): the schedule, the masking collator, the data and scoring."""
import torch

from ftkit import train
from ftkit.data import arith
from ftkit.papers import cot_noise_tint as tint
from ftkit.papers import masked_thought as mft


def test_mask_rate_warms_up_then_stays_at_p_max():
    rates = [mft.mask_rate(t, 300, 0.4, 2 / 3) for t in range(300)]
    assert rates[0] == 0.0 and max(rates) == 0.4 and rates[-1] == 0.4
    assert all(a <= b for a, b in zip(rates, rates[1:]))                  # non-decreasing
    assert rates[150] < 0.4 and rates[210] == 0.4                         # reaches p_max after about 2/3 of T
    assert mft.mask_rate(0, 100, 0.3, 0.0) == 0.3


def test_mask_inputs_masks_only_answer_inputs_never_labels():
    tok = mft.MaskCharTokenizer()
    rows = arith.arith(16, 2, seed=0)
    enc = train.encode_pairs(tok, [{"prompt": r["prompt"], "answer": r["target"]} for r in rows], max_len=64)
    b = train.collate(enc, tok.pad_token_id)
    m = mft.mask_inputs(b, tok.mask_token_id, 0.5, torch.Generator().manual_seed(0))
    hit = m["input_ids"] == tok.mask_token_id
    assert torch.equal(m["labels"], b["labels"]) and torch.equal(m["attention_mask"], b["attention_mask"])
    assert not hit[b["labels"] == -100].any()                             # question and padding untouched
    share = hit[b["labels"] != -100].float().mean().item()
    assert 0.35 < share < 0.65
    assert torch.equal(mft.mask_inputs(b, tok.mask_token_id, 0.0)["input_ids"], b["input_ids"])
    all_m = mft.mask_inputs(b, tok.mask_token_id, 1.0)["input_ids"]
    assert (all_m[b["labels"] != -100] == tok.mask_token_id).all()


def test_masked_batches_sft_stream_is_unchanged_and_log_records_rates():
    tok = mft.MaskCharTokenizer()
    rows = arith.arith(32, 2, seed=1)
    enc = train.encode_pairs(tok, [{"prompt": r["prompt"], "answer": r["target"]} for r in rows], max_len=64)
    plain = train.batches(enc, 8, tok.pad_token_id, seed=3)
    log = []
    sft = mft.masked_batches(train.batches(enc, 8, tok.pad_token_id, seed=3), tok.mask_token_id, 5, 0.0, 0.5, log=log)
    for _ in range(5):
        assert torch.equal(next(plain)["input_ids"], next(sft)["input_ids"])
    assert log == [(0.0, 0.0)] * 5
    log2 = []
    s2 = mft.masked_batches(train.batches(enc, 8, tok.pad_token_id, seed=3), tok.mask_token_id, 4, 0.5, 0.0, log=log2)
    [next(s2) for _ in range(4)]
    assert all(p == 0.5 and 0.2 < s < 0.8 for p, s in log2)


def test_train_rows_distractor_prompts_and_gsm_ic():
    test = arith.test_set(20, 2, seed=0)
    held = {(r["a"], r["b"]) for r in test}
    rows = mft.train_rows(40, 2, 0, held, 0.5)
    assert len(rows) == 40 and sum(any(r["is_distractor"]) for r in rows) == 20
    assert not held & {(r["a"], r["b"]) for r in rows}
    assert rows == mft.train_rows(40, 2, 0, held, 0.5)                    # seeded
    ic = mft.distractor_prompts(test, 0)
    assert all(p.startswith(r["prompt"]) and p.endswith("|") and len(p) > len(r["prompt"]) for p, r in zip(ic, test))
    tok = mft.MaskCharTokenizer()
    for r in rows + [{"prompt": p, "target": ""} for p in ic]:            # every character is in the vocabulary
        assert tok.decode(tok(r["prompt"] + r["target"])["input_ids"]) == r["prompt"] + r["target"]
    assert mft.MASK not in "".join(r["prompt"] + r["target"] for r in rows)
    g = [{"prompt": "Question: Ann has 3 apples. She buys 2 more. How many now?\nAnswer:", "answer": " 5 #### 5", "gold": "5"}]
    out = mft.gsm_ic_rows(g, 0)[0]
    assert out["prompt"].endswith("How many now?\nAnswer:") and out["prompt"].startswith("Question: Ann has 3 apples.")
    assert len(out["prompt"]) > len(g[0]["prompt"]) and out["gold"] == "5"


def test_score_and_a_tiny_training_run():
    assert mft.score(["7+8+0=15 c1|4+3+1=8 c0|A:85", "A:84", "no answer", "x #### 85"], [85] * 4)["hits"] == \
        [True, False, False, True]
    tok = mft.MaskCharTokenizer()
    m = tint.char_llama(tok, hidden_size=32, layers=1, seed=0)
    rows = mft.train_rows(32, 2, 0, set(), 0.5)
    enc = train.encode_pairs(tok, [{"prompt": r["prompt"], "answer": r["target"]} for r in rows], max_len=64)
    stream = mft.masked_batches(train.batches(enc, 8, tok.pad_token_id), tok.mask_token_id, 3, 0.4, 0.5)
    h = train.fit(m, stream, steps=3, lr=1e-2, desc="t")
    assert len(h.loss) == 3
    outs = tint.greedy_chains(m, tok, [r["prompt"] for r in rows[:3]], max_new_tokens=20)
    assert len(outs) == 3 and all(isinstance(o, str) for o in outs)


def test_masking_collator_schedule_and_sft_identity():
    tok = mft.MaskCharTokenizer()
    rows = arith.arith(16, 2, seed=2)
    enc = train.encode_pairs(tok, [{"prompt": r["prompt"], "answer": r["target"]} for r in rows], max_len=64)
    sft = mft.MaskingCollator(tok.pad_token_id, tok.mask_token_id, steps=4, p_max=0.0, warmup=0.0)
    b = sft(enc[:8])
    assert torch.equal(b["input_ids"], train.collate(enc[:8], tok.pad_token_id)["input_ids"]) and sft.log == [(0.0, 0.0)]
    col = mft.MaskingCollator(tok.pad_token_id, tok.mask_token_id, steps=10, p_max=0.5, warmup=0.5, seed=1)
    outs = [col(enc[:8]) for _ in range(10)]
    assert [p for p, _ in col.log] == [mft.mask_rate(t, 10, 0.5, 0.5) for t in range(10)] and col.step == 10
    plain = train.collate(enc[:8], tok.pad_token_id)
    for o in outs:                                                         # labels intact, question never masked
        assert torch.equal(o["labels"], plain["labels"])
        assert not (o["input_ids"] == tok.mask_token_id)[plain["labels"] == -100].any()
    assert 0.3 < col.log[-1][1] < 0.7


def test_hf_char_tokenizer_matches_char_ids():
    tok = mft.MaskCharTokenizer()
    hf = mft.hf_char_tokenizer(tok)
    text = "Q:47+38|note 3+4=7|7+8+0=15 c1|A:85_"
    assert hf(text)["input_ids"] == tok(text)["input_ids"]
    assert hf.pad_token_id == tok.pad_token_id and hf.eos_token_id == tok.eos_token_id


def test_readout_and_error_kinds():
    assert mft.readout("9+7+0=16 c1|6+6+1=13 c1|A:136") == {"implied": 136, "written": 136, "consistent": True}
    r = mft.readout("note 1+2=3|9+7+0=16 c1|6+6+1=13 c1|A:134")              # distractor ignored
    assert r["implied"] == 136 and r["written"] == 134 and not r["consistent"]
    assert mft.readout("A:5") == {"implied": None, "written": 5, "consistent": False}
    rows = [arith.make_row(69, 67, 2), arith.make_row(18, 25, 2), arith.make_row(51, 74, 2)]
    outs = [rows[0]["target"], "8+5+0=13 c1|1+2+1=4 c0|A:40", "1+4+0=6 c0|5+7+0=11 c1|A:116"]
    k = mft.error_kinds(outs, rows, 2)
    assert k == {"right": 1 / 3, "chain wrong": 1 / 3, "read-out wrong (chain right)": 1 / 3}
