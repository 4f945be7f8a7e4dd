"""ftkit.data.text: real text shipped by PyPI packages (gensim's test data), offline."""
import pytest

from ftkit.data import text as T


def test_wiki_split_is_disjoint_and_chunks_are_deterministic():
    train, held = T.wiki_pages("train"), T.wiki_pages("heldout")
    assert train and held and not set(train) & set(held)
    chunks = T.wiki_chunks(n=5, seed=0)
    assert chunks == T.wiki_chunks(n=5, seed=0) != T.wiki_chunks(n=5, seed=1)
    assert all(200 < len(c) <= 400 for c in chunks)
    with pytest.raises(ValueError, match="split must be"):
        T.wiki_pages("test")


def test_real_sets_from_gensim():
    pol, news = T.polarity(), T.newsgroups()
    assert len(pol) == 200 and sum(r["label"] for r in pol) == 100
    assert len(news) == 200 and {r["label"] for r in news} == {0, 1}
    assert all(len(r["text"].split()) <= 32 for r in news)


def test_package_dir_finds_installed_packages_only():
    assert (T.package_dir("gensim") / "test" / "test_data").is_dir()
    with pytest.raises(FileNotFoundError):
        T.package_dir("no_such_package_here")
