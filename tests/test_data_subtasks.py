"""ftkit.data.subtasks: explicit domain sub-task datasets with held-out names and templates."""
import pytest

from ftkit.data import subtasks


def test_specs_domains_and_rows_are_seeded_and_well_formed():
    assert set(subtasks.SUBTASKS) == set(subtasks.DOMAINS) and all(len(v) == 3 for v in subtasks.SUBTASKS.values())
    for d in subtasks.DOMAINS:
        for st in subtasks.SUBTASKS[d]:
            rows = subtasks.subtask_rows(d, st, 24, "train", seed=3)
            assert rows == subtasks.subtask_rows(d, st, 24, "train", seed=3)
            assert rows != subtasks.subtask_rows(d, st, 24, "train", seed=4)
            spec = subtasks.SPECS[st]
            for r in rows:
                assert r["prompt"] == f"{spec['instruction']} | {r['input']} ->" and r["answer"].startswith(" ")
                assert r["domain"] == d and r["subtask"] == st
                if spec["metric"] == "choice":
                    assert r["answer"].strip() in spec["labels"]
    with pytest.raises(ValueError):
        subtasks.subtask_rows("legal", "figure", 3)
    with pytest.raises(ValueError):
        subtasks.entities("medicine")


def test_names_and_one_template_are_held_out():
    for d in subtasks.DOMAINS:
        e = subtasks.entities(d, seed=1)
        assert not set(e["train"]) & set(e["test"]) and len(e["test"]) == 30
    assert not set(sum(subtasks.entities("legal").values(), [])) & set(sum(subtasks.entities("finance").values(), []))
    for d in subtasks.DOMAINS:
        train_names = set(subtasks.entities(d, seed=2)["train"])
        for st in subtasks.SUBTASKS[d]:
            k = subtasks.n_templates(st)
            tr = subtasks.subtask_rows(d, st, 60, "train", seed=2)
            te = subtasks.subtask_rows(d, st, 60, "test", seed=2)
            assert {r["template"] for r in tr} == set(range(k - 1)) and not any(r["heldout"] for r in tr)
            assert {r["template"] for r in te} == set(range(k)) and any(r["heldout"] for r in te)
            assert not any(w in train_names for r in te for w in r["input"].split())


def test_answers_follow_the_domain_rules():
    for r in subtasks.subtask_rows("legal", "next_clause", 40, "test"):
        role = next(w for w in r["input"].split() if w in subtasks.ROLES)
        v = next(v for v in subtasks.VIOLATIONS if v in r["input"])
        assert r["answer"] == f" the {subtasks.ROLES[role]} {subtasks.VIOLATIONS[v]} ."
    for r in subtasks.subtask_rows("legal", "keywords", 40, "test"):
        role, contract = r["answer"].strip().split(" ; ")
        assert f"the {role}" in r["input"] or f", the {role} ," in r["input"]
        assert contract in subtasks.CONTRACTS and contract in r["input"].split()
    for r in subtasks.subtask_rows("finance", "next_step", 20, "test"):
        assert r["answer"] == " " + next(subtasks.REACTIONS[e] for e in subtasks.REACTIONS if e in r["input"]) + " ."
    for r in subtasks.subtask_rows("finance", "headline_sentiment", 60, "train"):
        pos = any(e in r["input"] for e in ("beats", "raises", "record profit", "wins", "does not miss",
                                             "does not cut", "avoids a loss", "keeps its"))
        assert r["answer"] == (" positive" if pos else " negative")


def test_explicit_dataset_raw_text_and_generic_rows():
    ex = subtasks.explicit_dataset("finance", 10, seed=0)
    assert len(ex) == 30 and {r["subtask"] for r in ex} == set(subtasks.SUBTASKS["finance"])
    docs = subtasks.raw_text("legal", 20, seed=0, sentences=3)
    assert len(docs) == 20 and all("->" not in x and "|" not in x for x in docs)
    test_names = set(subtasks.entities("legal", 0)["test"])
    assert not any(w in test_names for x in docs for w in x.split())
    assert any(x for x in docs if " may " in x)                     # completed clauses are part of the raw text
    g = subtasks.generic_rows(10, seed=0)
    assert len(g) == 10 and {r["family"] for r in g} == {"copy", "reverse", "sort", "add", "kv"}


def test_score_is_format_agnostic():
    assert subtasks.score("keywords", " lease, tenant", " tenant ; lease") == 1.0
    assert subtasks.score("keywords", " tenant", " tenant ; lease") == pytest.approx(2 / 3)
    assert subtasks.score("clause_type", " it is about payment.", " payment") == 1.0
    assert subtasks.score("clause_type", " liability or payment", " payment") == 0.0
    assert subtasks.score("next_step", "Its shares fell", " its shares fell .") == 1.0
    assert subtasks.score("next_step", " its shares rose .", " its shares fell .") == 0.0
