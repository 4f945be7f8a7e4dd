"""The two-language topic world (ftkit.tasks.bilingual_topics / cipher_lexicon)."""
from ftkit import tasks


def test_cipher_is_a_bijection_onto_new_words():
    lex = tasks.cipher_lexicon(0)
    assert len(set(lex.values())) == len(lex)
    assert not set(lex.values()) & set(lex)
    assert lex == tasks.cipher_lexicon(0) and lex != tasks.cipher_lexicon(1)


def test_languages_are_translations_with_balanced_topics():
    a = tasks.bilingual_topics(30, seed=3, lang="A")
    b = tasks.bilingual_topics(30, seed=3, lang="B")
    lex = tasks.cipher_lexicon(0)
    assert [r["label"] for r in a] == [r["label"] for r in b] == [i % 3 for i in range(30)]
    assert all(" ".join(lex[w] for w in x["text"].split()) == y["text"] for x, y in zip(a, b))
    assert all(r["prompt"] == r["text"] + " topic:" and r["answer"] == " " + r["topic"] for r in a)
    # every sentence carries at least one word of its topic's lexicon
    assert all(set(r["text"].split()) & set(sum(map(list, tasks.TOPIC_LEXICON[r["topic"]]), [])) for r in a)


def test_swap_and_loanwords():
    b = tasks.bilingual_topics(20, seed=0, lang="B", swap_adj=True)
    a = tasks.bilingual_topics(20, seed=0, lang="A")
    lex = tasks.cipher_lexicon(0)
    w = a[0]["text"].split()
    assert b[0]["text"].split() == [lex[x] for x in [w[0], w[2], w[1], w[3], w[4], w[5]]]
    mixed = tasks.bilingual_topics(200, seed=0, lang="B", loanwords=0.5)
    words = [x for r in mixed for x in r["text"].split()]
    share = sum(x in lex for x in words) / len(words)
    assert 0.35 < share < 0.65
