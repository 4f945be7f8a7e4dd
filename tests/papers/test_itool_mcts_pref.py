"""The tool world, step splitting, tree search, pair extraction and DPO pieces of ftkit.papers.itool_mcts_pref."""
import torch

from ftkit.papers import itool_mcts_pref as it
from ftkit.verifiers.tools import parse_call


def test_tool_rows_are_seeded_and_gold_parses():
    for d in it.DIFFICULTIES:
        rows = it.tool_rows(20, d, seed=3)
        assert rows == it.tool_rows(20, d, seed=3) and rows != it.tool_rows(20, d, seed=4)
        for r in rows:
            assert parse_call(r["answer"]) == r["gold"] and r["gold"][0] in it.SCHEMAS and r["difficulty"] == d
            assert list(r["gold"][1]) == it.SCHEMAS[r["gold"][0]]
    assert it.tool_rows(5, "hard", 0, "test") != it.tool_rows(5, "hard", 0, "train")


def test_hard_requests_need_a_hop():
    for r in it.tool_rows(40, "hard", seed=1):
        args = r["gold"][1]
        if r["gold"][0] == "get_weather":
            assert f" {args['day']}" not in r["prompt"].split(".")[1]          # only the day before is stated
        if r["gold"][0] == "book_table":
            assert str(args["people"]) not in r["prompt"]
        if r["gold"][0] == "set_alarm":
            assert f"after {args['hour'] - 1} " in r["prompt"]
        if r["gold"][0] == "convert":
            assert it.COUNTRY[args["dst"]] in r["prompt"]


def test_slot_reward_grades_values():
    gold = ("get_weather", {"city": "paris", "day": "tue"})
    exact = it.slot_reward("get_weather(city='paris', day='tue')", gold)
    one = it.slot_reward("get_weather(city='paris', day='mon')", gold)
    none = it.slot_reward("get_weather(city='rome', day='mon')", gold)
    junk = it.slot_reward("get_weather(city=", gold)
    assert exact == 2.0 and one == -0.25 + 0.5 and none == -0.25 and junk == -2.0


def test_split_steps():
    assert it.split_steps("get_weather(city='paris', day='tue')", 3) == ["get_weather(city=", "'paris', day=", "'tue')"]
    assert it.split_steps("convert(amount=10, src='usd', dst='eur')", 2) == ["convert(amount=",
                                                                             "10, src='usd', dst='eur')"]
    assert it.split_steps("abc", 3) == ["abc"] and it.split_steps("", 3) == []
    s = "set_alarm(hour=7, label='gym')"
    assert "".join(it.split_steps(s, 3)) == s


def _tree():
    root = it.Node("P: ")
    a, b = root.children.setdefault("f(x=", it.Node("f(x=", root)), root.children.setdefault("g(x=", it.Node("g(x=", root))
    for n, v, comp in ((a, 2.0, "f(x=1)"), (b, -1.5, "g(x=1)")):
        n.visits, n.value, n.best, n.worst = 1, v, (v, comp), (v, comp)
    root.visits, root.value = 2, 0.5
    return root, a, b


def test_pairs_share_the_prefix_and_uct_prefers_value():
    root, a, b = _tree()
    pairs = it.extract_pairs([root])
    assert pairs == [{"prompt": "P: ", "chosen": "f(x=1)", "rejected": "g(x=1)", "gap": 3.5, "depth": 0}]
    assert it.uct_select(root, 1.0, 3) is a and a.prefix == "P: f(x=" and a.depth() == 1
    b.value = 1.9                                                  # gap below min_gap -> no pair
    assert it.extract_pairs([root], min_gap=0.2) == []
    assert "n=1" in it.show_tree(root)


def test_dpo_loss_prefers_chosen():
    z = torch.zeros(3)
    assert abs(float(it.dpo_loss(z, z, z, z, 0.1)) - 0.6931) < 1e-3
    assert float(it.dpo_loss(z + 5, z, z, z, 1.0)) < 0.01 < float(it.dpo_loss(z, z + 5, z, z, 1.0))


def test_mcts_and_dpo_run_on_the_tiny_model():
    from ftkit import models
    tok, model = models.load_tokenizer("ftkit/tiny-llama"), models.load_model("ftkit/tiny-llama")
    rows = it.tool_rows(2, "hard", seed=0)
    roots = it.mcts(model, tok, rows, iters=2, n_actions=2, max_new_tokens=8)
    assert all(r.visits == 4 for r in roots)
    pairs = [{"prompt": rows[0]["prompt"], "chosen": rows[0]["answer"], "rejected": "x"}]
    before = float(it.completion_logp(model, tok, [pairs[0]["prompt"]], [pairs[0]["chosen"]])[0])
    losses = it.dpo(model, tok, pairs, steps=3, lr=1e-3, beta=0.5)
    assert len(losses) == 3 and losses[-1] < losses[0]
    assert float(it.completion_logp(model, tok, [pairs[0]["prompt"]], [pairs[0]["chosen"]])[0]) > before
    assert len(it.gold_nll(model, tok, rows)) == 2


def test_trl_dpo_runs_quietly_with_an_explicit_reference(tmp_path, capsys):
    import copy
    from ftkit import models
    tok, model = models.load_tokenizer("ftkit/tiny-llama"), models.load_model("ftkit/tiny-llama")
    rows = it.tool_rows(4, "hard", seed=0)
    pairs = [{"prompt": r["prompt"], "chosen": r["answer"], "rejected": r["answer"].replace("(", "(x=1, ")}
             for r in rows]
    ref = copy.deepcopy(model).eval()
    P, W, L = ([p[k] for p in pairs] for k in ("prompt", "chosen", "rejected"))
    margin = lambda m: float((it.completion_logp(m, tok, P, W) - it.completion_logp(m, tok, P, L)).mean())
    before = margin(model)
    model, losses = it.trl_dpo(model, ref, tok, pairs, out_dir=tmp_path, steps=4, batch_size=2, lr=1e-3, beta=0.5,
                               max_length=64)
    assert len(losses) == 4 and abs(losses[0] - 0.6931) < 1e-3 and losses[-1] < losses[0]
    assert margin(model) > before + 1.0        # on the ids the policy generates from (prompt, then completion)
    assert "'loss'" not in capsys.readouterr().out                     # the per-step log is not printed


def test_dpo_rows_tokenise_prompt_and_completion_apart():
    """The trap TRL's own tokenisation falls into: a prompt ending in a space merges it into the call's first token."""
    from ftkit import models
    tok = models.load_tokenizer("ftkit/tiny-llama")
    row = it.tool_rows(1, "hard", seed=0)[0]
    pair = {"prompt": row["prompt"], "chosen": row["answer"], "rejected": row["answer"].replace("(", "(x=1, ")}
    assert pair["prompt"].endswith(" ")
    (ids,) = it.dpo_token_rows(tok, [pair])
    own = lambda t: tok(t, add_special_tokens=False)["input_ids"]
    assert ids["prompt_ids"] == own(pair["prompt"]) and ids["chosen_ids"] == own(pair["chosen"]) + [tok.eos_token_id]
    assert ids["rejected_ids"][-1] == tok.eos_token_id
    assert ids["prompt_ids"] + ids["chosen_ids"][:-1] != own(pair["prompt"] + pair["chosen"])   # joint string differs
