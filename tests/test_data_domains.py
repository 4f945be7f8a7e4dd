"""ftkit.data.domains: template domains, exact mixture counts, seeded draws."""
import pytest

from ftkit.data import domains


def test_mixture_counts_are_exact_and_sum_to_n():
    assert domains.mixture_counts([.4, .4, .15, .04, .01], 2000) == [800, 800, 300, 80, 20]
    assert domains.mixture_counts([1, 1, 1], 10) == [4, 3, 3]
    assert sum(domains.mixture_counts([.5, 0, 0, 0, .5], 101)) == 101
    with pytest.raises(ValueError):
        domains.mixture_counts([0, 0], 5)
    with pytest.raises(ValueError):
        domains.mixture_counts([1] * 6, 5)


def test_sample_mixture_is_seeded_shuffled_and_has_the_asked_composition():
    a = domains.sample_mixture([.5, 0, 0, 0, .5], 40, seed=3, salt="target")
    assert a == domains.sample_mixture([.5, 0, 0, 0, .5], 40, seed=3, salt="target")
    assert a != domains.sample_mixture([.5, 0, 0, 0, .5], 40, seed=3, salt="test")
    assert domains.composition(a) == {"cooking": .5, "sports": 0, "finance": 0, "biology": 0, "travel": .5}
    assert [r["domain_id"] for r in a] != sorted(r["domain_id"] for r in a)          # shuffled
    assert all(r["domain"] == domains.NAMES[r["domain_id"]] for r in a)


def test_domain_texts_use_their_own_lexicon():
    import random
    rng = random.Random("t")
    content = {d: {w for k, v in lex.items() for x in v for w in x.split()} for d, lex in domains.LEXICON.items()}
    for d in domains.NAMES:
        for _ in range(30):
            t = domains.domain_text(d, rng)
            assert "{" not in t and t.endswith((".", "?"))
            words = set(t.split())
            assert words & content[d]
            for other in domains.NAMES:                 # at most a stray bare verb ("pass") is another domain's word
                if other != d:
                    assert len(words & (content[other] - content[d])) <= 1, (d, other, words & content[other])
    assert domains._bare("whisks") == "whisk" and domains._bare("sprints past") == "sprint past"
    assert domains._bare("scores") == "score"
