"""S3FT's world, judge, target selection and diagnostics (ftkit.papers.s3ft_selective_self_sft)."""
import random

import torch

from ftkit.papers import s3ft_selective_self_sft as s3ft


def _tiny_llama(vocab=60):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(cfg).eval()


class _CharTok:
    """A character-level tokenizer with the two calls train.encode_pairs uses."""
    pad_token_id, eos_token_id = 0, 1

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [2 + (ord(c) % 50) for c in text]}


def test_world_is_deterministic_disjoint_and_styled():
    w = s3ft.arith_world(3)
    assert w["train"] == s3ft.arith_world(3)["train"] and w["train"] != s3ft.arith_world(4)["train"]
    assert len(w["train"]) == 150 and len(w["test"]) == 50 and len(w["shown"]) == 120
    assert not {r["prompt"] for r in w["train"]} & {r["prompt"] for r in w["test"]}
    assert all(r["answer"] == f" = {r['gold']} #" for r in w["train"] + w["test"])
    assert all(any(r["answer"] == t.format(y=r["gold"]) for t in s3ft.NATIVE) for r in w["warmup"] + w["heldout"])
    assert {r["task"] for r in w["heldout"]} == {"sub", "max"} and len(w["heldout"]) == 155
    adds = [r for r in w["warmup"] if r["task"] == "add"]
    assert len(adds) == 3 * 120 and all(int(r["gold"]) == eval(r["prompt"][3:-3]) for r in adds)


def test_judge_is_format_agnostic():
    assert s3ft.judge(" it is 12 .", "12") and s3ft.judge(" = 12 #", "12") and s3ft.judge(" so 12 .\nQ: 3 + 4 A: 7", "12")
    assert not s3ft.judge(" it is 13 .", "12") and not s3ft.judge(" it is", "12") and not s3ft.judge("\n12", "12")
    assert s3ft.judge("48 / 2 = 24 clips.\n#### 72", "24")           # first line only, last number on it
    assert s3ft.judge("She pays 1,200 dollars", "1200") and s3ft.judge("It is B, clearly", "B")
    assert not s3ft.judge("A or B", "B")


def test_select_targets_three_way_with_provenance():
    rows = [{"prompt": "Q: 1 + 1 A:", "answer": " = 2 #", "gold": "2"}] * 3
    targets, prov = s3ft.select_targets(rows, [" it is 2 .\nQ: x", " it is 3 .", " it is 5 ."],
                                        [" so 2 .", " so 2 .", " so 4 ."])
    assert prov == ["self", "paraphrase", "gold"]
    assert [t["answer"] for t in targets] == [" it is 2 .", " so 2 .", " = 2 #"]
    assert rows[0]["answer"] == " = 2 #"        # inputs untouched
    _, prov = s3ft.select_targets(rows[:1], [" no"], [None])
    assert prov == ["gold"]
    p = s3ft.paraphrase_standin(rows[0], random.Random(0))
    assert s3ft.judge(p, "2") and "#" not in p
    assert "Reference answer: = 2 #" in s3ft.paraphrase_prompt(rows[0])


def test_kl_to_base_and_answer_nlls():
    m, tok = _tiny_llama(), _CharTok()
    rows = [{"prompt": "Q: 1 + 2 A:", "answer": " it is 3 ."}, {"prompt": "Q: max 4 7 A:", "answer": " so 7 ."}]
    assert abs(s3ft.kl_to_base(m, m, tok, rows)) < 1e-6
    other = _tiny_llama()
    with torch.no_grad():
        for p in other.parameters():
            p.add_(0.05 * torch.randn_like(p))
    assert s3ft.kl_to_base(other, m, tok, rows) > 1e-4
    nll = s3ft.answer_nlls(m, tok, rows)
    assert nll.shape == (2,) and bool((nll > 0).all())
