"""TInt CoT noise (ftkit.papers.cot_noise_tint): the character tokenizer, the model, greedy chains and scoring."""
import torch

from ftkit import train
from ftkit.data import arith
from ftkit.papers import cot_noise_tint as tint


def test_char_tokenizer_round_trip_and_encode_pairs():
    tok = tint.CharTokenizer()
    row = arith.make_row(47, 38, 2)
    text = row["prompt"] + row["target"]
    ids = tok(text)["input_ids"]
    assert tok.decode(ids) == text and tok.decode(ids + [tok.eos_token_id] + ids) == text
    enc = train.encode_pairs(tok, [{"prompt": row["prompt"], "answer": row["target"]}])[0]
    n_prompt = len(row["prompt"])
    assert enc["labels"][:n_prompt] == [train.IGNORE] * n_prompt and enc["input_ids"][-1] == tok.eos_token_id


def test_model_trains_and_greedy_chains_are_scored():
    tok = tint.CharTokenizer()
    m = tint.char_llama(tok, hidden_size=32, layers=1, seed=0)
    m2 = tint.char_llama(tok, hidden_size=32, layers=1, seed=0)
    assert all(torch.equal(p, q) for p, q in zip(m.parameters(), m2.parameters()))       # same start for every arm
    rows = arith.arith(64, 2, seed=0)
    enc = train.encode_pairs(tok, [{"prompt": r["prompt"], "answer": r["target"]} for r in rows])
    h = train.fit(m, train.batches(enc, 16, tok.pad_token_id), steps=3, lr=1e-2, desc="t")
    assert len(h.loss) == 3
    outs = tint.greedy_chains(m, tok, [r["prompt"] for r in rows[:5]] + ["Q:1+2|"], max_new_tokens=30, batch_size=4)
    assert len(outs) == 6 and all(isinstance(o, str) for o in outs)
    perfect = tint.score([r["target"] for r in rows[:5]], rows[:5], 2)
    assert perfect["answer_acc"] == 1.0 and perfect["step_acc"] == 1.0
    wrong = tint.score(["7+8+0=14 c1|A:0"] * 5, rows[:5], 2)
    assert wrong["answer_acc"] == 0.0 and len(wrong["step_acc_per_column"]) == 2
