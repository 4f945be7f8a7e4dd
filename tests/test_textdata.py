import random

from ftkit import textdata


def test_sentiment_is_seeded_balanced_and_labels_follow_the_kind():
    a = textdata.sentiment(200, seed=0, negation=0.3, double_negation=0.1, contrast_but=0.2)
    assert a == textdata.sentiment(200, seed=0, negation=0.3, double_negation=0.1, contrast_but=0.2)
    assert sum(r["label"] for r in a) == 100
    pos = {w for g in textdata.POSITIVE for w in g}
    for r in a:
        words = r["text"].split()
        if r["kind"] == "negation":                      # "not <adj>": the adjective has the other polarity
            adj = [w for w in words if w in textdata._SYN][0]
            assert (adj in pos) != bool(r["label"])
        if r["kind"] == "contrast":                      # the clause after "but" decides
            adj = [w for w in words[words.index("but"):] if w in textdata._SYN][0]
            assert (adj in pos) == bool(r["label"])
    assert {r["kind"] for r in a} == {"plain", "negation", "double_negation", "contrast"}


def test_label_noise_and_ood_templates():
    rows = textdata.sentiment(1000, seed=1, label_noise=0.2)
    flipped = sum(r["label"] != r["clean_label"] for r in rows) / len(rows)
    assert 0.15 < flipped < 0.25
    ood = {r["text"] for r in textdata.sentiment(100, seed=1, ood_templates=True)}
    assert any("my friends told me" in t or "that is the word" in t or "if you ask me" in t or "two visits" in t for t in ood)


def test_eda_ops_keep_label_words_polarity():
    rng = random.Random(0)
    t = "the film was great ."
    syn = textdata.eda(t, rng, "synonym")
    assert syn != t and syn.split()[3] in {"excellent", "superb", "wonderful"}
    assert sorted(textdata.eda(t, rng, "swap").split()) == sorted(t.split())
    assert len(textdata.eda(t, rng, "insert").split()) == 6
    assert len(textdata.eda(t, rng, "delete", alpha=0.3).split()) >= 1


def test_real_sets_from_gensim():
    pol, news = textdata.polarity(), textdata.newsgroups()
    assert len(pol) == 200 and sum(r["label"] for r in pol) == 100
    assert len(news) == 200 and {r["label"] for r in news} == {0, 1}
    assert all(len(r["text"].split()) <= 32 for r in news)
