"""The tool world (ftkit.data.tool_calls): confusable toolsets, noisy trajectories with error turns, MAE splitting."""
from ftkit.data import tool_calls as TC
from ftkit.verifiers import tools as V


def test_world_has_confusable_families():
    assert len(TC.TOOLS) == 30 and len(TC.FAMILIES) == 10
    for fam in TC.FAMILIES:
        names = [n for n, _, _ in fam]
        assert len({n[:4] for n in names}) == 1          # a family shares a name prefix
        for n, keys, tpl in fam:
            assert all("{" + k + "}" in tpl for k in keys) and all(k in TC.VALUES for k in keys)


def test_samples_are_seeded_and_gold_calls_parse():
    rows = TC.tool_calls(200, k_tools=3, noisy_frac=0.3, seed=4)
    assert rows == TC.tool_calls(200, k_tools=3, noisy_frac=0.3, seed=4) and rows != TC.tool_calls(200, seed=5)
    for r in rows:
        name, args = r["gold"]
        assert len(r["toolset"]) == 3 and name in r["toolset"]
        assert any(TC.FAMILY_OF[t] == TC.FAMILY_OF[name] for t in r["toolset"] if t != name)    # a confuser is shown
        assert V.parse_call(r["call"]) == (name, args) and V.irm_reward(r["call"], r["gold"], r["toolset"]) == 1.0
        assert all(str(v) in r["user"] for v in args.values())
        assert r["turns"][-1] == ("Assistant", r["call"]) and r["turns"][0][0] == "System"
    noisy = [r for r in rows if r["noisy"]]
    assert 30 < len(noisy) < 90 and {r["error_kind"] for r in noisy} <= set(TC.ERROR_KINDS)
    clean = TC.tool_calls(50, noisy_frac=0.0, confusers=False, seed=1)
    assert not any(r["noisy"] for r in clean)
    assert all(TC.FAMILY_OF[t] != TC.FAMILY_OF[r["gold"][0]] for r in clean for t in r["toolset"] if t != r["gold"][0])


def test_error_turns_are_wrong_and_flagged():
    rows = [r for r in TC.tool_calls(300, noisy_frac=1.0, seed=2)]
    for r in rows:
        (_, wrong), (role, out) = r["turns"][2], r["turns"][3]
        assert role == "Output" and TC.is_error_output(out)
        assert V.categorize(wrong, r["gold"], r["toolset"]) != "exact"
        kind = V.categorize(wrong, r["gold"], r["toolset"])
        assert kind == {"wrong_tool": "wrong_tool", "hallucinated": "hallucinated", "missing": "missing",
                        "not_listed": "invalid"}[r["error_kind"]]
    assert not TC.is_error_output("{'temp': 21}")


def test_turn_samples_mae_drops_erroneous_targets():
    row = next(r for r in TC.tool_calls(50, noisy_frac=0.5, seed=0) if r["noisy"])
    naive, mae = TC.turn_samples(row, mae=False), TC.turn_samples(row, mae=True)
    assert len(naive) == 2 and len(mae) == 1
    assert mae[0]["answer"] == row["call"] and mae[0]["gold"] == row["gold"]
    assert "Output: error" in mae[0]["prompt"] and mae[0]["prompt"].endswith("Assistant: ")   # kept in the context
    assert naive[0]["answer"] != row["call"] and naive[0]["gold"] is None
    assert naive[0]["prompt"] == TC.prompt(row)
    train, test = TC.split_tools(0, held_out=5)
    assert len(test) == 5 and not set(train) & set(test)


def test_add_error_turns_on_foreign_rows():
    rows = TC.tool_calls(100, noisy_frac=0.0, seed=3)
    noisy = TC.add_error_turns(rows, 1.0, seed=0)
    assert all(not r["noisy"] and len(r["turns"]) == 3 for r in rows)          # inputs unchanged
    for r in noisy:
        assert r["noisy"] and TC.is_error_output(r["turns"][3][1]) and r["turns"][-1] == ("Assistant", r["call"])
        assert V.categorize(r["turns"][2][1], r["gold"], r["toolset"]) == r["error_kind"]
    assert TC.add_error_turns(rows, 0.3, seed=1) == TC.add_error_turns(rows, 0.3, seed=1)


def test_small_world_and_quoted_values():
    fams = [3, 4, 8]
    world = {t for f in fams for t, _, _ in TC.FAMILIES[f]}
    rows = TC.tool_calls(200, k_tools=3, noisy_frac=1.0, seed=0, families=fams, quote_values=True)
    assert rows == TC.tool_calls(200, k_tools=3, noisy_frac=1.0, seed=0, families=fams, quote_values=True)
    for r in rows:
        assert set(r["toolset"]) <= world and r["gold"][0] in world
        assert all(repr(v) in r["user"] for v in r["gold"][1].values())
        wrong = V.parse_call(r["turns"][2][1])
        if r["error_kind"] == "not_listed":
            assert wrong[0] in world and wrong[0] not in r["toolset"]
    # the default stream is unchanged by the new options
    assert TC.tool_calls(20, seed=4) == TC.tool_calls(20, seed=4, families=None, quote_values=False)
