"""Real text that works offline, read from data files that PyPI packages ship (no network, no hub).

    wiki_pages("train") / wiki_pages("heldout")     # gensim's Wikipedia sample (CC BY-SA), cleaned pages
    wiki_chunks("heldout", n=64, chars=400)          # sentence-aligned passages for perplexity / forgetting
    polarity()                                       # Pang & Lee movie-review sentences, 200, labels 1 = positive
    newsgroups()                                     # 2-class 20-Newsgroups sample (alt.atheism 0, sci.space 1)
"""
from __future__ import annotations

import bz2
import functools
import importlib.util
import io
import pathlib
import pickle
import random
import re
import zlib


def package_dir(name: str) -> pathlib.Path:
    """Folder of an installed package, found without importing it (some have import side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {name!r} is not installed; see README 'Set-up'")
    return pathlib.Path(list(spec.submodule_search_locations)[0])


# ---------------------------------------------------------------------------------------------
# Wikipedia sample (gensim's test data, CC BY-SA): the natural-text part of pretraining, and the
# held-out pages on which notebooks measure forgetting.
# ---------------------------------------------------------------------------------------------
_WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def _clean_wiki(text: str) -> str:
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"\{\|.*?\|\}", " ", text, flags=re.S)        # tables
    text = re.sub(r"^[=*#:;|!].*$", "", text, flags=re.M)         # headings, lists, table rows
    text = re.sub(r"\[\[[^\]|]*\|([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"[\[\]]", "", text)
    text = re.sub(r"\n{2,}", "\n", text)
    return re.sub(r"[ \t]+", " ", text).strip()


@functools.lru_cache(maxsize=1)
def _wiki_all() -> tuple[str, ...]:
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki
    path = package_dir("gensim") / "test" / "test_data" / _WIKI_FILE
    if not path.exists():
        raise FileNotFoundError(f"gensim's Wikipedia sample is missing ({path}); pip install gensim==4.4.0")
    pages = []
    for _title, text, _pid in extract_pages(bz2.open(path)):
        if text.lower().startswith("#redirect"):
            continue
        cleaned = _clean_wiki(filter_wiki(text))
        if len(cleaned) > 500:
            pages.append(cleaned)
    return tuple(pages)


def wiki_pages(split: str = "train") -> list[str]:
    """Cleaned Wikipedia pages; every 8th page is held out ("heldout") and never pretrained on."""
    pages = _wiki_all()
    if split == "train":
        return [p for i, p in enumerate(pages) if i % 8 != 0]
    if split == "heldout":
        return [p for i, p in enumerate(pages) if i % 8 == 0]
    raise ValueError(f"split must be 'train' or 'heldout', got {split!r}")


def wiki_chunks(split: str = "heldout", n: int = 64, chars: int = 400, seed: int = 0) -> list[str]:
    """`n` passages of about `chars` characters, cut at sentence ends, for perplexity/forgetting."""
    rng = random.Random(seed)
    pages = wiki_pages(split)
    out = []
    while len(out) < n:
        page = rng.choice(pages)
        start = rng.randrange(0, max(1, len(page) - chars))
        start = page.find(". ", start) + 2 if page.find(". ", start) >= 0 else 0
        piece = page[start:start + chars]
        if len(piece) > chars // 2:
            out.append(piece)
    return out


# ---------------------------------------------------------------------------------------------
# Labelled sentences from gensim's test data.
# ---------------------------------------------------------------------------------------------
def _gensim_test_file(name: str):
    path = package_dir("gensim") / "test" / "test_data" / name
    if not path.exists():
        raise FileNotFoundError(f"gensim's test data file {name} is missing ({path}); pip install gensim==4.4.0")
    return path


def polarity() -> list[dict]:
    """Pang & Lee movie-review sentences shipped with gensim: 200 real sentences, 100 per class."""
    rows = []
    for line in _gensim_test_file("pang_lee_polarity.cor").read_text(encoding="latin-1").splitlines():
        if line.strip():
            tag, _, text = line.partition(" ")
            rows.append({"text": text.strip(), "label": int(tag == "__label__pos")})
    return rows


class _Bunch(dict):
    def __getattr__(self, k):
        return self[k]

    def __setstate__(self, state):
        self.update(state)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if name == "Bunch":
            return _Bunch
        return super().find_class(module, name)


def newsgroups(max_words: int = 32) -> list[dict]:
    """gensim's 2-class 20-Newsgroups sample (alt.atheism = 0, sci.space = 1), posts cut to max_words."""
    raw = zlib.decompress(_gensim_test_file("mini_newsgroup").read_bytes())
    bunch = _Unpickler(io.BytesIO(raw)).load()
    names = list(bunch["target_names"])
    rows = []
    for text, t in zip(bunch["data"], bunch["target"]):
        body = [l for l in text.splitlines()
                if l.strip() and not l.lstrip().startswith(">") and "writes:" not in l and ":" not in l[:20]
                and not l.startswith("In article")]
        words = " ".join(body).split()                     # headers, quoted replies and attributions dropped
        rows.append({"text": " ".join(words[:max_words]), "label": int(t), "topic": names[int(t)]})
    return rows
