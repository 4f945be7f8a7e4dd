"""The verifiers are rewards and metrics: each one is checked against cases worked out by hand."""
import pytest

from ftkit.verifiers import arith, fol, tools


# ----------------------------------------------------------------------------------------------- FOL
def test_parse_precedence_and_associativity():
    assert fol.render(fol.parse("A(x) ∧ B(x) ∨ C(x)")) == "((A(x) ∧ B(x)) ∨ C(x))"
    assert fol.render(fol.parse("A(x) → B(x) → C(x)")) == "(A(x) → (B(x) → C(x)))"
    assert fol.render(fol.parse("A(x) ↔ B(x) → C(x)")) == "(A(x) ↔ (B(x) → C(x)))"
    assert fol.parse("¬A(x) ∧ B(x)")[0] == "and"          # ¬ binds tighter than ∧


def test_ascii_spellings_parse_like_unicode():
    a = fol.parse("forall x (Dog(x) & ~Cat(x) -> Pet(x) | Loud(x))")
    b = fol.parse("∀x (Dog(x) ∧ ¬Cat(x) → Pet(x) ∨ Loud(x))")
    assert a == b and a[0] == "all" and a[1] == "x"
    assert fol.parse("A(rex) xor B(rex)")[0] == "xor"


@pytest.mark.parametrize("bad", ["", "Dog(x", "Dog x)", "∀ (Dog(x))", "Dog(x) ∧", "Dog(x) Cat(x)", "Dog()", "Dog(x) ?"])
def test_malformed_formulas_raise(bad):
    with pytest.raises(fol.FOLSyntaxError):
        fol.parse(bad)


def test_render_parse_round_trip():
    for f in ["∀x (Dog(x) → Animal(x))", "∃x (Cat(x) ∧ ¬Loud(x))", "Likes(rex, tom) ⊕ Chases(tom, rex)"]:
        tree = fol.parse(f)
        assert fol.parse(fol.render(tree)) == tree


def test_atoms_are_distinct_and_ordered():
    assert fol.atoms(fol.parse("∀x (Dog(x) → (Dog(x) ∧ ¬Likes(x, rex)))")) == ["Dog(x)", "Likes(x,rex)"]


def test_le_is_one_for_equivalent_rewrites_and_renamings():
    gold = "∀x (Dog(x) → Animal(x))"
    assert fol.logical_equivalence(gold, gold) == 1.0
    assert fol.logical_equivalence(gold, "∀x (¬Animal(x) → ¬Dog(x))") == 1.0      # contrapositive
    assert fol.logical_equivalence(gold, "∀x (¬Dog(x) ∨ Animal(x))") == 1.0
    assert fol.logical_equivalence(gold, "∀x (Hound(x) → Beast(x))") == 1.0        # renaming is credited


def test_le_partial_and_zero():
    gold = "∀x (Dog(x) → Animal(x))"
    assert fol.logical_equivalence(gold, "∀x (Dog(x) ∧ Animal(x))") == 0.5         # agree on 2 of 4 rows
    assert fol.logical_equivalence(gold, "∀x (Dog(x) →") == 0.0                     # unparseable
    assert fol.logical_equivalence("A(c) ∧ ¬A(c)", "B(c) ∨ ¬B(c)") == 0.0          # contradiction vs tautology


def test_le_pads_a_missing_atom():
    # gold has 2 atoms, pred 1: the padded atom is free, so "A" agrees with "A ∧ B" on 3 of 4 rows at best
    assert fol.logical_equivalence("A(c) ∧ B(c)", "A(c)") == 0.75
    with pytest.raises(ValueError, match="max_atoms"):
        fol.logical_equivalence(" ∧ ".join(f"P{i}(c)" for i in range(9)), "P0(c)")


def test_le_ignores_quantifiers_as_the_paper_does():
    assert fol.logical_equivalence("∀x (Dog(x) → Animal(x))", "∃x (Dog(x) → Animal(x))") == 1.0


def test_bleu():
    f = "∀x (Dog(x) → Animal(x))"
    assert fol.bleu(f, f) == pytest.approx(1.0)
    assert 0.0 < fol.bleu(f, "∀x (Dog(x) ∧ Animal(x))") < 1.0
    assert fol.bleu(f, "Cat(rex)") == 0.0


# ----------------------------------------------------------------------------------------------- tool calls
TOOLS = {"get_weather": ["city", "day"], "get_weather_forecast": ["city", "days"]}
GOLD = ("get_weather", {"city": "Oslo"})


@pytest.mark.parametrize("text, category, reward", [
    ("get_weather(city='Oslo')", "exact", 1.0),
    ("get_weather(city='Bergen')", "wrong_value", -0.25),
    ("get_weather(city='Oslo', day=2)", "redundant", -0.5),
    ("get_weather()", "missing", -0.5),
    ("get_weather(city='Oslo', units='C')", "hallucinated", -0.8),
    ("get_weather(day=1)", "redundant+missing", -1.0),
    ("get_weather(units='C')", "hallucinated+missing", -1.3),
    ("get_weather(units='C', day=1)", "hallucinated+redundant+missing", -1.8),
    ("get_weather_forecast(city='Oslo')", "wrong_tool", -1.5),
    ("get_wether(city='Oslo')", "invalid", -2.0),
    ("get_weather(city='Oslo'", "invalid", -2.0),
    ("get_weather('Oslo')", "invalid", -2.0),                 # positional arguments are not a call of this format
])
def test_irm_categories_and_rewards(text, category, reward):
    assert tools.categorize(text, GOLD, TOOLS) == category
    assert tools.irm_reward(text, GOLD, TOOLS) == reward


def test_call_round_trip_and_metrics():
    text = tools.format_call("get_weather", {"city": "Oslo", "day": 2})
    assert tools.parse_call(text) == ("get_weather", {"city": "Oslo", "day": 2})
    assert tools.parse_call("x = get_weather(city='Oslo')") is None
    assert tools.parse_call("get_weather(city=foo)") is None               # not a literal
    assert tools.call_metrics("get_weather(city='Oslo')", GOLD) == {"TS": True, "PI": True, "CF": True}
    assert tools.call_metrics("get_weather(city='Rome')", GOLD) == {"TS": True, "PI": True, "CF": False}
    assert tools.call_metrics("get_weather(day=1)", GOLD) == {"TS": True, "PI": False, "CF": False}
    assert tools.call_metrics("nonsense", GOLD) == {"TS": False, "PI": False, "CF": False}


# ----------------------------------------------------------------------------------------------- arithmetic
def test_check_chain():
    good = arith.check_chain("3 + 4 = 7, 7 * 2 = 14. answer: 14", 14)
    assert good == {"steps": 2, "steps_right": 2, "final": 14, "final_right": True, "all_right": True}
    bad_step = arith.check_chain("3 + 4 = 8, 8 x 2 = 16 #### 14", 14)
    assert bad_step["steps_right"] == 1 and bad_step["final_right"] and not bad_step["all_right"]
    assert arith.final_answer("so 12 - 5 = 7") == 7
    assert arith.final_answer("no number") is None
    assert arith.reward("answer: -3", -3) == 1.0 and arith.reward("answer: 3", -3) == 0.0
