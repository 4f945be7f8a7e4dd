"""SearchInstruct's plumbing (ftkit.papers.searchinstruct): the new domain, its corpus, the rule-based stand-ins
for expansion / rewriting / grounded answering, and the dense index helpers."""
import random

import torch

from ftkit.data import synthetic
from ftkit.papers import searchinstruct as si


def test_domain_world_is_disjoint_from_the_zoo_world_and_deterministic():
    w = si.domain_world(16, seed=15)
    zoo = synthetic.fact_world(seed=0)
    names = set(zoo.subjects) | set(zoo.facts.values())
    assert len(w.subjects) == 16 and not set(w.subjects) & names
    assert set(w.relations) == {"language", "animal"} and len(w.facts) == 32
    assert w.facts == si.domain_world(16, seed=15).facts
    assert w.render(w.subjects[0], "animal", 0)["answer"] == " " + w.facts[(w.subjects[0], "animal")]


def test_corpus_states_every_fact_once_and_the_answerer_reads_it_back():
    w = si.domain_world(8, seed=15)
    docs = si.corpus(w, seed=3)
    assert len(docs) == 8 * 2 + 8
    for (s, r), o in w.facts.items():
        chunk = [d for d in docs if d["subject"] == s and d["relation"] == r]
        assert len(chunk) == 1
        row = {"subject": s, "relation": r}
        assert si.grounded_answer(row, [chunk[0]["text"]]) == " " + o
        others = [d["text"] for d in docs if d["subject"] != s or d["relation"] != r]
        assert si.grounded_answer(row, others) is None           # abstains when no retrieved chunk states it
        assert si.grounded_answer(row, others[:2] + [chunk[0]["text"]]) == " " + o


def test_seeds_expansion_and_rewrite():
    w = si.domain_world(10, seed=15)
    seeds = si.seed_questions(w, w.subjects[:3], 5, seed=1)
    assert len(seeds) == 5 and {q["subject"] for q in seeds} <= set(w.subjects[:3])
    assert all(q["template"] in si.TRAIN_TEMPLATES for q in seeds)
    exp = si.expand(seeds, w, w.subjects)
    rels = {q["relation"] for q in seeds}
    assert len(exp) == 10 * len(rels) * len(si.TRAIN_TEMPLATES) and "answer" not in exp[0]
    assert {q["subject"] for q in exp} == set(w.subjects)
    assert si.rewrite({"subject": "Belgar", "relation": "animal"}) == "national animal of Belgar"


def test_top_k_and_recall():
    docs = [{"subject": "A", "relation": "x"}, {"subject": "B", "relation": "x"}, {"subject": "A", "relation": None}]
    d = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]]), dim=-1)
    q = torch.nn.functional.normalize(torch.tensor([[1.0, 0.1], [0.1, 1.0]]), dim=-1)
    hits = si.top_k(q, d, 2)
    assert hits == [[0, 2], [1, 2]]
    rows = [{"subject": "A", "relation": "x"}, {"subject": "A", "relation": "x"}]
    assert si.recall_at_k(rows, hits, docs) == 0.5
    assert si.recall_at_k(rows, [h[:1] for h in hits], docs) == 0.5


def test_first_word_and_new_name():
    assert si.first_word(" koala koala.") == " koala" and si.first_word("  ") == "" and si.first_word("'s a") == " 's"
    a, b = si.new_name(random.Random(1)), si.new_name(random.Random(1))
    assert a == b and a[0].isupper()


def test_seeds_cover_every_relation():
    w = si.domain_world(10, seed=15)
    for n in (2, 5, 6):
        seeds = si.seed_questions(w, w.subjects[:2], n, seed=n)
        assert {q["relation"] for q in seeds} == set(w.relations)
        assert len({q["prompt"] for q in seeds}) == n
