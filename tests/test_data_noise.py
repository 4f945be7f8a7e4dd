"""ftkit.data.noise: corrupted targets, near-duplicates and label noise are seeded, exact in count and flagged."""
import json

import pytest

from ftkit.data import noise, synthetic


def _rows(n=60):
    rows = [r for f in ("sort", "kv") for r in synthetic.task(f, n // 2, seed=0)]
    return noise.json_answers(rows)


def test_json_answers_and_validity():
    rows = noise.json_answers([{"prompt": "p", "answer": " a b"}])
    assert rows[0]["answer"] == ' {"ans": "a b"}' and noise.valid_json_answer(rows[0]["answer"])
    for bad in ('{"ans": "a b"', '"ans": "a b"}', '{"x": "a"}', '{"ans": 3}', "", '{"ans": "a", "b": "c"}'):
        assert not noise.valid_json_answer(bad)


def test_corrupt_targets_is_seeded_exact_and_flagged():
    rows = _rows()
    before = json.dumps(rows)
    a = noise.corrupt_targets(rows, 0.3, seed=4)
    assert json.dumps(rows) == before                                     # input untouched
    assert a == noise.corrupt_targets(rows, 0.3, seed=4) != noise.corrupt_targets(rows, 0.3, seed=5)
    assert sum(r["noisy"] for r in a) == round(0.3 * len(rows))
    for r, o in zip(a, rows):
        assert r["clean_answer"] == o["answer"] and r["prompt"] == o["prompt"]
        assert (r["answer"] != r["clean_answer"]) == r["noisy"] and (r["noise_kind"] is None) == (not r["noisy"])
    assert {r["noise_kind"] for r in a if r["noisy"]} == set(noise.KINDS)
    assert noise.corrupt_targets(rows, 0.0, seed=0) == [dict(r, clean_answer=r["answer"], noisy=False, noise_kind=None) for r in rows]
    with pytest.raises(ValueError):
        noise.corrupt_targets(rows, 0.3, kinds=("bogus",))
    with pytest.raises(ValueError):
        noise.corrupt_targets(rows, 1.5)


def test_each_kind_does_what_it_says():
    rows = _rows()
    for r in noise.corrupt_targets(rows, 1.0, kinds=("content",), seed=1):       # another row's answer, same family
        same_family = {o["answer"] for o in rows if o["family"] == r["family"]}
        assert r["answer"] in same_family and noise.valid_json_answer(r["answer"].strip())
    for r in noise.corrupt_targets(rows, 1.0, kinds=("format",), seed=1):        # content kept, format broken
        assert not noise.valid_json_answer(r["answer"].strip())
        assert json.loads(r["clean_answer"])["ans"] in r["answer"]
    for r in noise.corrupt_targets(rows, 1.0, kinds=("truncate",), seed=1):      # a strict prefix
        assert r["clean_answer"].startswith(r["answer"]) and len(r["answer"]) < len(r["clean_answer"])
    plain = [{"answer": " a b c"}, {"answer": " 7"}, {"answer": " x"}]
    for r in noise.corrupt_targets(plain, 1.0, kinds=("format", "truncate"), seed=0):
        assert r["answer"] != r["clean_answer"]
    single = noise.corrupt_targets([{"answer": " 7"}], 1.0, kinds=("truncate",), seed=0)[0]
    assert single["answer"] == ""
    lone = noise.corrupt_targets([{"answer": " a b"}], 1.0, kinds=("content",), seed=0)[0]   # no other answer: shuffled
    assert sorted(lone["answer"].split()) == ["a", "b"] and lone["answer"] != " a b"


def test_near_duplicates_are_light_edits_of_flagged_sources():
    rows = list(synthetic.task("reverse", 40, seed=0))
    out = noise.near_duplicates(rows, 0.25, seed=2)
    assert out == noise.near_duplicates(rows, 0.25, seed=2) != noise.near_duplicates(rows, 0.25, seed=3)
    assert len(out) == 50 and sum(r["near_dup"] for r in out) == 10
    assert [r["prompt"] for r in out if not r["near_dup"]] == [r["prompt"] for r in rows]     # originals in order
    for r in out:
        if r["near_dup"]:
            src = rows[r["dup_of"]]
            assert r["row_id"] == r["dup_of"] and r["answer"] == src["answer"] and r["prompt"] != src["prompt"]
            assert r["dup_edit"] in noise.EDITS and abs(len(r["prompt"]) - len(src["prompt"])) <= 3 or r["dup_edit"] == "repeat"
        else:
            assert r["dup_of"] is None and r["dup_edit"] is None
    texts = noise.near_duplicates([{"text": "the film was good ."}], 3.0, seed=0, edits=("punct",))
    assert [t["text"] for t in texts if t["near_dup"]] == ["the film was good"] * 3


def test_label_noise_symmetric_asymmetric_and_stacking():
    rows = synthetic.sentiment(100, seed=0)
    a = noise.label_noise(rows, 0.2, labels=[0, 1], seed=0)
    assert a == noise.label_noise(rows, 0.2, labels=[0, 1], seed=0)
    assert sum(r["noisy"] for r in a) == 20 and all((r["label"] != r["clean_label"]) == r["noisy"] for r in a)
    three = [{"label": i % 3} for i in range(30)]
    asym = noise.label_noise(three, 1.0, labels=[0, 1, 2], seed=0, mode="asymmetric")
    assert all(r["label"] == (r["clean_label"] + 1) % 3 for r in asym)
    sym = noise.label_noise(three, 1.0, labels=[0, 1, 2], seed=0)
    assert all(r["noisy"] for r in sym)
    twice = noise.label_noise(asym, 1.0, labels=[0, 1, 2], seed=0, mode="asymmetric")     # clean_label is kept
    assert all(r["clean_label"] == i % 3 and r["label"] == (i + 2) % 3 for i, r in enumerate(twice))
    with pytest.raises(ValueError):
        noise.label_noise(three, 0.1, labels=[0, 1])
