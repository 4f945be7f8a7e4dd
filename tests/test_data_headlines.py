"""ftkit.data.headlines: a seeded headline simulator with a confounder, exact ground truth and matched flips."""
import math

import pytest

from ftkit.data import headlines as H


def test_seeded_plain_rows_and_fields():
    a = H.headlines(50, regime="entangled", seed=3)
    assert a == H.headlines(50, regime="entangled", seed=3) != H.headlines(50, regime="entangled", seed=4)
    for r in a:
        assert set(r) >= {"text", "num", "bang", "topic", "c", "tau", "p", "ctr", "value", "parts"}
        assert r["text"] == H.render(r["parts"]) and 0 <= r["ctr"] <= 1 and r["c"] in (0, 1)
        assert (r["text"].startswith("BREAKING: ") or r["text"].endswith("!!")) == bool(r["bang"])
        assert r["text"].removeprefix("BREAKING: ")[0].isdigit() == bool(r["num"])
    # the random writer ignores the regime
    assert H.headlines(20, "additive", writer="random", seed=1) == H.headlines(20, "entangled", writer="random", seed=1)
    with pytest.raises(ValueError):
        H.headlines(3, regime="other")
    with pytest.raises(ValueError):
        H.headlines(3, writer="other")


def test_outcome_and_interventional_value_formulas():
    r = H.headlines(1, seed=0, impressions=0)[0]
    e = H.DEFAULTS
    t = e["num_effect"] * r["num"] + e["bang_effect"] * r["bang"] + e["topic_effect"][r["topic"]]
    s = lambda x: 1 / (1 + math.exp(-x))
    assert math.isclose(r["tau"], t) and math.isclose(r["ctr"], r["p"])
    assert math.isclose(r["p"], s(e["base"] + t + e["c_effect"] * r["c"]))
    assert math.isclose(r["value"], 0.5 * s(e["base"] + t) + 0.5 * s(e["base"] + t + e["c_effect"]))
    assert math.isclose(H.tau(r, bang_effect=0.0), t - e["bang_effect"] * r["bang"])


def test_writers_follow_the_confounded_probabilities():
    for regime, pn in (("additive", (0.5, 0.5)), ("entangled", (0.3, 0.7))):
        rows = H.headlines(6000, regime=regime, seed=0, impressions=0)
        for c in (0, 1):
            sub = [r for r in rows if r["c"] == c]
            assert abs(sum(r["bang"] for r in sub) / len(sub) - (0.2, 0.8)[c]) < 0.03
            assert abs(sum(r["num"] for r in sub) / len(sub) - pn[c]) < 0.03
    rnd = H.headlines(6000, writer="random", seed=0, impressions=0)
    for c in (0, 1):
        sub = [r for r in rnd if r["c"] == c]
        assert abs(sum(r["bang"] for r in sub) / len(sub) - 0.5) < 0.04


def test_flip_is_a_matched_counterfactual_and_true_effect():
    rows = H.headlines(40, writer="random", seed=2)
    for r in rows:
        for a in ("num", "bang"):
            f = H.flip(r, a)
            assert f[a] == 1 - r[a] and f["topic"] == r["topic"] and f["c"] == r["c"]
            assert H.flip(f, a)["text"] == r["text"]
            other = "bang" if a == "num" else "num"
            assert f[other] == r[other]
    assert H.true_effect(rows, "bang") < 0 < H.true_effect(rows, "num")
    assert H.true_effect(rows, "bang", bang_effect=0.0) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        H.flip(rows[0], "topic")
