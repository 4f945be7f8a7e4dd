"""The NL/FOL generator, its compositional split, perturbations with inverse edits and the corruptor."""
import pytest

from ftkit.data import nl_fol as D
from ftkit.verifiers import fol as F


def test_rows_parse_are_canonical_and_deterministic():
    rows = D.nl_fol(60, seed=3)
    assert rows == D.nl_fol(60, seed=3) and rows != D.nl_fol(60, seed=4)
    for r in rows:
        assert D.canonical(r["fol"]) == r["fol"] and r["nl"][0].isupper() and r["nl"].endswith(".")
        assert {a.split("(")[0] for a in F.atoms(F.parse(r["fol"]))} == set(r["preds"])
    assert {r["template"] for r in rows} == {t[0] for t in D.TEMPLATES}
    assert D.nl_fol(1, 0, "any")[0]["fol"]
    with pytest.raises(ValueError):
        D.nl_fol(1, 0, "dev")


def test_compositional_split_is_disjoint():
    hold = D.held_out()
    assert len(hold) == 2 * len(D.TEMPLATES)
    tr, te = D.nl_fol(300, 0, "train"), D.nl_fol(100, 0, "test")
    assert all((r["template"], r["preds"][0].lower()) not in hold for r in tr)
    assert all((r["template"], r["preds"][0].lower()) in hold for r in te)
    assert not {r["nl"] for r in tr} & {r["nl"] for r in te}


def _undo(fol, comments):
    """Apply inverse-edit comments to a (canonical) formula string: a textual reference implementation."""
    tree = F.parse(fol)
    for c in comments:
        if c == D.NO_CHANGE:
            continue
        if c.startswith("add negation to "):
            atom = c[len("add negation to "):]
            s = D.to_ascii(tree)
            assert atom in s
            tree = F.parse(s.replace(atom, "~" + atom, 1))
        elif c.startswith("remove negation from "):
            atom = c[len("remove negation from "):]
            tree = F.parse(D.to_ascii(tree).replace("~" + atom, atom, 1))
        else:
            return None            # replacements are ambiguous textually; checked by LE below
    return D.to_ascii(tree)


def test_perturb_changes_the_formula_and_lists_inverse_edits():
    rows = D.nl_fol(80, seed=1)
    assert D.perturb(rows[0]["fol"], 0) == (rows[0]["fol"], [D.NO_CHANGE])
    changed = 0
    for i, r in enumerate(rows):
        bad, comments = D.perturb(r["fol"], 1, seed=i)
        assert D.canonical(bad) == bad and len(comments) == 1
        changed += bad != r["fol"]
        undone = _undo(bad, comments)
        if undone is not None:
            assert undone == r["fol"]
        for c in comments:
            assert c.startswith(("replace ", "add negation to ", "remove negation from "))
    assert changed == len(rows)
    bad, comments = D.perturb(rows[0]["fol"], 2, seed=5)
    assert len(comments) == 2 and bad == D.perturb(rows[0]["fol"], 2, seed=5)[0]


def test_corrupt_kinds_and_le_drop():
    rows = D.nl_fol(100, seed=2, split="test")
    kinds, les = set(), []
    for r in rows:
        bad, kind = D.corrupt(r["fol"], seed=0)
        kinds.add(kind)
        assert bad != r["fol"] and D.canonical(bad) == bad
        les.append(F.logical_equivalence(r["fol"], bad))
    assert kinds == {"imp_and", "drop_not", "quantifier", "or_xor", "swap_preds"}
    assert sum(les) / len(les) < 0.95 and max(les) == 1.0       # quantifier flips and renamings keep LE = 1


def test_prompt_rows_and_split_correction():
    rows = D.nl_fol(20, seed=0)
    tr = D.translation_rows(rows)
    assert tr[0]["prompt"] == f"NL: {rows[0]['nl']}\nFOL:" and tr[0]["answer"] == " " + rows[0]["fol"]
    cr = D.correction_rows(rows, seed=0, p_clean=0.3)
    for c, r in zip(cr, rows):
        comments, fol = D.split_correction(c["answer"])
        assert fol == r["fol"] and (comments == D.NO_CHANGE) == (c["k"] == 0)
        assert c["prompt"].startswith(f"NL: {r['nl']}\nPredicted FOL: ") and c["prompt"].endswith("Comments:")
    assert D.split_correction("garbage") == ("garbage", "")


def test_corrupt_and_perturb_on_foreign_formulas():
    assert D.corrupt("Wise(socrates)") == ("~Wise(socrates)", "add_not")
    bad, comments = D.perturb("forall x (Human(x) -> Mortal(x))", 3, seed=1)
    assert F.parse(bad) and len(comments) == 3


def test_perturb_weak_mix_balances_kinds_and_uses_own_predicates():
    rows = D.nl_fol(120, seed=1)
    assert D.correction_rows(rows[:10], seed=0) == D.correction_rows(rows[:10], seed=0, mix="nodes")
    with pytest.raises(ValueError):
        D.perturb(rows[0]["fol"], 1, mix="other")
    firsts = set()
    for i, r in enumerate(rows):
        bad, comments = D.perturb(r["fol"], 1, seed=i, mix="weak")
        assert bad != r["fol"] and D.canonical(bad) == bad and len(comments) == 1
        assert {n for n in D._pred_names(F.parse(bad))} <= set(D._pred_names(F.parse(r["fol"])))   # own symbols only
        if comments[0].startswith("exchange "):                                  # the inverse edit undoes it
            a, b = comments[0].split()[1], comments[0].split()[3]
            assert D.to_ascii(D._exchange(F.parse(bad), a, b)) == r["fol"]
        firsts.add(comments[0].split()[0])
    assert firsts == {"replace", "add", "remove", "exchange"}
    assert D.perturb("forall x (Human(x) -> Mortal(x))", 3, seed=1, mix="weak")[1] != [D.NO_CHANGE]
    cr = D.correction_rows(rows, seed=0, p_clean=0.0, mix="weak")
    assert all(D.split_correction(c["answer"])[1] == r["fol"] for c, r in zip(cr, rows))
