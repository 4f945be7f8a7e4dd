"""The bandit pieces and the length reward of ftkit.papers.onpolicy_pref."""
import torch

from ftkit.papers import onpolicy_pref as op


def test_reference_and_reward_geometry():
    ref = op.ref_logprobs(100, 20, 16)
    assert abs(float(ref.exp().sum()) - 1) < 1e-5 and int(ref.argmax()) == 20
    r = op.bump_reward(100, 70, 10)
    assert int(r.argmax()) == 70 and float(r.max()) == 1.0 and float(r[50]) < 0.02
    assert op.expected_reward(torch.log(torch.nn.functional.one_hot(torch.tensor(70), 100).float() + 1e-30), r) > 0.99


def test_offline_pairs_are_labelled_by_reward():
    ref, r = op.ref_logprobs(100, 20, 16), op.bump_reward(100, 70)
    w, l = op.offline_pairs(ref, r, 500, torch.Generator().manual_seed(0))
    assert 0 < len(w) <= 500 and (r[w] > r[l]).all()
    assert float(w.float().mean()) > float(l.float().mean())          # closer to the peak at 70


def test_best_and_worst_drops_ties():
    y = torch.tensor([[1, 2, 3], [4, 4, 4]])
    r = torch.zeros(10); r[3] = 1.0; r[1] = -1.0
    w, l = op.best_and_worst(y, r[y])
    assert w.tolist() == [3] and l.tolist() == [1]


def test_length_reward_and_stand_in_rows():
    assert op.length_reward(["a b c", " x", [{"role": "assistant", "content": "one two"}]]) == [-3.0, -1.0, -2.0]
    rows = op.min_length_rows(6, seed=1)
    assert len(rows) == 6 and rows == op.min_length_rows(6, seed=1)
    assert all(len(r["chosen"]) < len(r["rejected"]) for r in rows)


def test_letters_task_rows_prompts_and_reward():
    rows = op.letters_rows(200, seed=3, mean=8, sd=2, max_len=14)
    assert rows == op.letters_rows(200, seed=3, mean=8, sd=2, max_len=14)
    lens = [op.n_words(r["answer"]) for r in rows]
    assert min(lens) >= 1 and max(lens) <= 14 and 7 < sum(lens) / len(lens) < 9
    assert all(r["prompt"].startswith("letters: ") and r["prompt"].endswith(" =") for r in rows)
    assert op.letters_prompts(5, 0, "val") != op.letters_prompts(5, 0, "test")
    r = op.target_length_reward(2)
    assert r(["", " a", " a b", " a b c d e"]) == [-2.0, -1.0, 0.0, -3.0]


def test_offline_length_pairs_prefer_higher_reward_and_drop_ties():
    r = op.target_length_reward(2)
    rows = op.offline_length_pairs([" a b c", " a", " a b c d"], [" a b c d e", " a b c", " a b"], ["p", "q", "s"], r)
    assert [x["prompt"] for x in rows] == ["p", "s"]                 # (1 word, 3 words) tie at distance 1: dropped
    assert rows[0]["chosen"] == " a b c" and rows[1]["chosen"] == " a b"


def test_curve_callback_records_every_k_steps():
    from types import SimpleNamespace
    cb = op.curve_callback(lambda m: (1.0, 2.0), every=2)
    for s in range(1, 6):
        cb.on_step_end(None, SimpleNamespace(global_step=s), None, model=None)
    assert cb.curve == [(2, 1.0, 2.0), (4, 1.0, 2.0)]
