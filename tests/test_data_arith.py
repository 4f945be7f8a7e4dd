"""ftkit.data.arith: addition traces, static and dynamic CoT noise, data sets, parsing and scoring."""
import random

import pytest

from ftkit.data import arith


def test_clean_trace_is_the_column_algorithm():
    steps, ans = arith.add_trace(47, 38)
    assert ans == 85 and arith.render_chain(steps) == "7+8+0=15 c1|4+3+1=8 c0|"
    steps, ans = arith.add_trace(99, 1, digits=2)
    assert ans == 100 and [s["c_out"] for s in steps] == [1, 1]
    rng = random.Random(0)
    for _ in range(200):
        a, b = arith.problem(rng, 3)
        assert 100 <= a < 1000 and arith.add_trace(a, b, 3)[1] == a + b


def test_dynamic_noise_propagates_and_keeps_the_chain_consistent():
    rng = random.Random(1)
    seen_wrong = 0
    for _ in range(300):
        a, b = arith.problem(rng, 3)
        steps, ans = arith.add_trace(a, b, 3, p_dyn=0.5, rng=rng)
        carry = 0
        for st in steps:                                   # each step uses the (possibly noisy) carry before it
            assert st["c_in"] == carry and st["c_out"] == st["s"] // 10 and st["digit"] == st["s"] % 10
            if not st["noisy"]:
                assert st["s"] == st["a"] + st["b"] + st["c_in"]
            carry = st["c_out"]
        assert ans == sum(st["digit"] * 10 ** i for i, st in enumerate(steps)) + carry * 1000
        seen_wrong += ans != a + b
        if not any(st["noisy"] for st in steps):
            assert ans == a + b
    assert seen_wrong > 100


def test_static_noise_is_local_and_answers_stay_right():
    rows = arith.arith(500, 2, "static", p_cont=1.0, p_int=0.5, seed=3)
    assert all(r["answer_correct"] and r["answer"] == f"A:{r['a'] + r['b']}" for r in rows)
    changed = [r for r in rows if r["chain"] != arith.render_chain(arith.add_trace(r["a"], r["b"], 2)[0])]
    assert 0.5 < len(changed) / len(rows) < 0.9                     # 1 - 0.5^2 = 0.75 of rows get a changed sum
    for r in changed[:50]:                                          # only the written sums differ (unit "result")
        clean = arith.add_trace(r["a"], r["b"], 2)[0]
        for text, st in zip(r["steps"], clean):
            assert text.split("=")[0] == f"{st['a']}+{st['b']}+{st['c_in']}" and text.endswith(f"c{st['c_out']}")
    digit = arith.arith(200, 2, "static", p_cont=1.0, p_int=0.3, seed=3, unit="digit")
    assert all(r["answer_correct"] for r in digit) and arith.noise_stats(digit)["corrupt_per_noised"] > 1.5


def test_contamination_counts_seeding_and_exclusion():
    test = arith.test_set(50, 2, seed=0)
    assert len({(r["a"], r["b"]) for r in test}) == 50 and not any(r["noised"] for r in test)
    ex = {(r["a"], r["b"]) for r in test}
    rows = arith.arith(400, 2, "dynamic", p_cont=0.25, p_int=0.3, seed=5, exclude=ex)
    assert sum(r["noised"] for r in rows) == 100 and not ex & {(r["a"], r["b"]) for r in rows}
    assert rows == arith.arith(400, 2, "dynamic", p_cont=0.25, p_int=0.3, seed=5, exclude=ex)
    clean = arith.arith(400, 2, seed=5, exclude=ex)
    assert [(r["a"], r["b"]) for r in clean] == [(r["a"], r["b"]) for r in rows]      # same problems across arms
    s = arith.noise_stats(rows)
    assert s["noised"] == 0.25 and 0 < s["wrong_answer"] <= 0.25
    with pytest.raises(ValueError):
        arith.arith(10, noise="loud")
    with pytest.raises(ValueError):
        arith.arith(10, noise="static", p_cont=1.5)


def test_distractors_parse_and_step_accuracy():
    r = arith.make_row(47, 38, 2, distractors=2, rng=random.Random(0))
    assert sum(r["is_distractor"]) == 2 and len(r["steps"]) == 4 and r["answer"] == "A:85"
    assert [t for t, d in zip(r["steps"], r["is_distractor"]) if not d] == ["7+8+0=15 c1", "4+3+1=8 c0"]
    assert arith.step_accuracy(r["chain"] + r["answer"], 47, 38, 2) == [True, True]
    assert arith.step_accuracy("7+8+0=14 c1|A:84", 47, 38, 2) == [False, False]
    assert arith.parse_answer("x|A:12 A:85") == 85 and arith.parse_answer("no answer") is None
