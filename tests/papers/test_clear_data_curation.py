"""CLEAR's scoring plumbing (ftkit.papers.clear_data_curation) on ftkit/tiny-llama."""
import math
import random

import pytest
import torch

from ftkit import evaluate, train
from ftkit.papers import clear_data_curation as clear


def test_wrap_and_format_ok():
    rows = clear.wrap([{"prompt": "p", "answer": " a b"}], "paren") + clear.wrap([{"prompt": "p", "answer": " a b"}], "json")
    assert [r["answer"] for r in rows] == [" ( a b )", ' {"ans": "a b"}']
    assert clear.format_ok(" ( a b )") and clear.format_ok(' {"ans": "a b"}', "json")
    for bad in (" ( a b", " a b )", "( a b )", " ( )", " ( a ) )"):
        assert not clear.format_ok(bad)
    assert not clear.format_ok(' {"ans": "a b"', "json")
    assert clear.content(" ( a b )") == "a b" and clear.content(' {"ans": "a b"}', "json") == "a b"
    assert clear.content(" ( a b") is None and clear.content('{"ans": 1}', "json") is None
    with pytest.raises(ValueError):
        clear.wrap(rows, "xml")


def test_auroc_matches_pairwise_count_and_limits():
    rng = random.Random(0)
    s = [rng.choice([0.1, 0.2, 0.3, 0.4]) for _ in range(40)]
    y = [rng.random() < 0.4 for _ in range(40)]
    pos, neg = [a for a, b in zip(s, y) if b], [a for a, b in zip(s, y) if not b]
    brute = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    assert clear.auroc(s, y) == pytest.approx(brute)
    assert clear.auroc([3, 2, 1, 0], [1, 1, 0, 0]) == 1.0 and clear.auroc([0, 1, 2, 3], [1, 1, 0, 0]) == 0.0
    assert clear.auroc([1, 1, 1, 1], [1, 0, 1, 0]) == 0.5 and math.isnan(clear.auroc([1, 2], [1, 1]))


def test_answer_scores_are_the_teacher_forced_probabilities(llama):
    model, tok = llama
    rows = [{"prompt": "copy: a b ->", "answer": " ( a b )"}, {"prompt": "12 + 3 =", "answer": " 15"}]
    T = 0.7
    s = clear.answer_scores(model, tok, rows, temperature=T)
    for i, r in enumerate(rows):
        p = tok(r["prompt"], add_special_tokens=False)["input_ids"]
        a = tok(r["answer"], add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([p + a])).logits[0, len(p) - 1:-1]
        probs = torch.softmax(logits, -1)[torch.arange(len(a)), a]
        probs_T = torch.softmax(logits / T, -1)[torch.arange(len(a)), a]
        assert float(s["mean_p"][i]) == pytest.approx(float(probs.mean()), rel=1e-4)
        assert float(s["p_T"][i]) == pytest.approx(float(probs_T.prod()), rel=1e-3)
        assert float(s["logp"][i]) == pytest.approx(float(probs.log().sum()), rel=1e-4)
    conf = clear.confidence(s["p_T"], s["mean_p"], 0.25)
    assert torch.allclose(conf, 0.25 * s["p_T"] + 0.75 * s["mean_p"])


def test_sampling_consistency_converges_to_p_T(llama):
    """The expected exact-match rate of samples at temperature T is the tempered sequence probability p_T."""
    model, tok = llama
    rows = [{"prompt": "copy: a b c d ->", "answer": " a b c d"}]
    p_T = float(clear.answer_scores(model, tok, rows, temperature=1.0)["p_T"][0])
    k = 400
    samples = evaluate.sample_answers(model, tok, [rows[0]["prompt"]], max_new_tokens=6, samples=k, temperature=1.0, seed=1)[0]
    rate = sum(s == rows[0]["answer"] for s in samples) / k
    assert 0.02 < p_T < 0.98                                              # a non-trivial probability    assert abs(rate - p_T) < 4 * math.sqrt(p_T * (1 - p_T) / k) + 0.01
