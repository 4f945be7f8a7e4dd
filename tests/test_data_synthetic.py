"""ftkit.data.synthetic: seeded task families, fact world and edits, topic world, sentiment + EDA, alias corpus."""
import random

from ftkit.data import synthetic as S


# --- prompt/answer families and the fact world -------------------------------------------------
def test_same_seed_same_data_and_families_differ():
    a, b = S.task("sort", 20, seed=3), S.task("sort", 20, seed=3)
    assert list(a) == list(b)
    assert list(S.task("sort", 20, seed=4)) != list(a)
    for row in a:
        items = row["prompt"].removeprefix("sort: ").removesuffix(" ->").split()
        assert row["answer"].split() == sorted(items)


def test_every_family_makes_prompt_answer_pairs():
    for fam in S.PRETRAIN_FAMILIES[:2] + S.NEW_FAMILIES:
        row = S.task(fam, 1, seed=0)[0]
        assert row["answer"].startswith(" ") and row["prompt"] and row["family"] == fam
    assert S.make_example("mod10", random.Random(0))["answer"].strip().isdigit()


def test_fact_world_is_seeded_and_templated():
    w1, w2 = S.fact_world(30, seed=1), S.fact_world(30, seed=1)
    assert w1.facts == w2.facts and len(w1.subjects) == 30
    q = w1.queries(templates=(2,))
    assert len(q) == 30 * len(S.RELATIONS) and all(r["template"] == 2 for r in q)
    assert S.fact_world(30, seed=2).facts != w1.facts


def test_counterfactual_edits_are_seeded_and_leave_locality_untouched():
    world = S.fact_world(seed=0)
    edits, loc = S.counterfactual_edits(world, 20, seed=3)
    assert edits == S.counterfactual_edits(world, 20, seed=3)[0] != S.counterfactual_edits(world, 20, seed=4)[0]
    touched = {e["subject"] for e in edits}
    for e in edits:
        assert e["answer"] != e["old_answer"] == " " + world.facts[(e["subject"], e["relation"])]
        assert [p["answer"] for p in e["paraphrases"]] == [e["answer"]] * 2
    assert loc and not any(r["subject"] in touched for r in loc)


# --- the two-language topic world --------------------------------------------------------------
def test_cipher_is_a_bijection_onto_new_words():
    lex = S.cipher_lexicon(0)
    assert len(set(lex.values())) == len(lex)
    assert not set(lex.values()) & set(lex)
    assert lex == S.cipher_lexicon(0) and lex != S.cipher_lexicon(1)


def test_languages_are_translations_with_balanced_topics():
    a = S.bilingual_topics(30, seed=3, lang="A")
    b = S.bilingual_topics(30, seed=3, lang="B")
    lex = S.cipher_lexicon(0)
    assert [r["label"] for r in a] == [r["label"] for r in b] == [i % 3 for i in range(30)]
    assert all(" ".join(lex[w] for w in x["text"].split()) == y["text"] for x, y in zip(a, b))
    assert all(r["prompt"] == r["text"] + " topic:" and r["answer"] == " " + r["topic"] for r in a)
    # every sentence carries at least one word of its topic's lexicon
    assert all(set(r["text"].split()) & set(sum(map(list, S.TOPIC_LEXICON[r["topic"]]), [])) for r in a)


def test_swap_and_loanwords():
    b = S.bilingual_topics(20, seed=0, lang="B", swap_adj=True)
    a = S.bilingual_topics(20, seed=0, lang="A")
    lex = S.cipher_lexicon(0)
    w = a[0]["text"].split()
    assert b[0]["text"].split() == [lex[x] for x in [w[0], w[2], w[1], w[3], w[4], w[5]]]
    mixed = S.bilingual_topics(200, seed=0, lang="B", loanwords=0.5)
    words = [x for r in mixed for x in r["text"].split()]
    share = sum(x in lex for x in words) / len(words)
    assert 0.35 < share < 0.65


# --- sentiment sentences and EDA ---------------------------------------------------------------
def test_sentiment_is_seeded_balanced_and_labels_follow_the_kind():
    a = S.sentiment(200, seed=0, negation=0.3, double_negation=0.1, contrast_but=0.2)
    assert a == S.sentiment(200, seed=0, negation=0.3, double_negation=0.1, contrast_but=0.2)
    assert sum(r["label"] for r in a) == 100
    pos = {w for g in S.POSITIVE for w in g}
    for r in a:
        words = r["text"].split()
        if r["kind"] == "negation":                      # "not <adj>": the adjective has the other polarity
            adj = [w for w in words if w in S._SYN][0]
            assert (adj in pos) != bool(r["label"])
        if r["kind"] == "contrast":                      # the clause after "but" decides
            adj = [w for w in words[words.index("but"):] if w in S._SYN][0]
            assert (adj in pos) == bool(r["label"])
    assert {r["kind"] for r in a} == {"plain", "negation", "double_negation", "contrast"}


def test_label_noise_and_ood_templates():
    rows = S.sentiment(1000, seed=1, label_noise=0.2)
    flipped = sum(r["label"] != r["clean_label"] for r in rows) / len(rows)
    assert 0.15 < flipped < 0.25
    ood = {r["text"] for r in S.sentiment(100, seed=1, ood_templates=True)}
    assert any("my friends told me" in t or "that is the word" in t or "if you ask me" in t or "two visits" in t for t in ood)


def test_eda_ops_keep_label_words_polarity():
    rng = random.Random(0)
    t = "the film was great ."
    syn = S.eda(t, rng, "synonym")
    assert syn != t and syn.split()[3] in {"excellent", "superb", "wonderful"}
    assert sorted(S.eda(t, rng, "swap").split()) == sorted(t.split())
    assert len(S.eda(t, rng, "insert").split()) == 6
    assert len(S.eda(t, rng, "delete", alpha=0.3).split()) >= 1


# --- alias retrieval corpus --------------------------------------------------------------------
def test_alias_corpus_is_deterministic_and_holds_out_documents():
    a, b = S.alias_corpus(seed=0), S.alias_corpus(seed=0)
    assert a.docs == b.docs and a.train == b.train and a.test == b.test
    assert len(a.docs) == 160 and len(a.test) == 40 * len(S.QUERY_TEMPLATES)
    train_docs, test_docs = {i for _, i in a.train}, {i for _, i in a.test}
    assert not train_docs & test_docs
    # every alias appears in some training query, and no real city/food word does
    train_text = " ".join(q for q, _ in a.train)
    assert all(alias in train_text for alias in a.aliases.values())
    assert not any(f" {w} " in f" {q} ".replace("?", " ") for q, _ in a.train + a.test for w in a.aliases)
    assert S.alias_corpus(seed=1).docs != a.docs
