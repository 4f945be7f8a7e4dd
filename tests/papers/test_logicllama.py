"""LogicLLaMA's scoring helpers and the LE reward (ftkit.papers.logicllama); the data is tested in test_data_nl_fol."""
from ftkit.data import nl_fol
from ftkit.papers import logicllama as L


def test_le_scores_parses_and_first_line():
    g = "forall x (Dog(x) -> ~Cat(x))"
    assert L.le_scores([g, g, g], [g, "forall x (Dog(x) -> Cat(x))", "Dog("]) == [1.0, 0.5, 0.0]
    many = " & ".join(f"P{i}(a)" for i in range(9))                       # too many atoms: scored 0, no crash
    assert L.le_scores([g], [many]) == [0.0]
    assert L.parses(g) and not L.parses("Dog(")
    assert L.first_line("  (A(x) | B(x))\nNL: more") == "(A(x) | B(x))"


def test_le_reward_reads_the_fol_after_the_comments():
    rows = nl_fol.nl_fol(3, seed=0)
    prompts = [nl_fol.correction_prompt(r["nl"], nl_fol.corrupt(r["fol"])[0]) for r in rows]
    reward = L.le_reward({p: r["fol"] for p, r in zip(prompts, rows)})
    good = [" no changes needed\nFOL: " + r["fol"] for r in rows]
    assert reward(prompts, good) == [1.0, 1.0, 1.0]
    assert reward(prompts, ["garbage"] * 3) == [0.0, 0.0, 0.0]
    assert reward(prompts[:1], [[{"role": "assistant", "content": good[0]}]]) == [1.0]


def test_profile_is_plain_and_consistent():
    assert L.PROFILE.gpu["trainer"] == "trl" and L.PROFILE.dry_run["dataset"] == "nl_fol"
    assert L.PROFILE.gpu["dataset"] in L.PROFILE.choices["dataset"]
    assert L.PROFILE.choices["mix"] == ["nodes", "weak"]            # nl_fol.perturb's edit mixes
