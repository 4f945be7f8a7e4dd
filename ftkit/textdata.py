"""Small text-classification data that works offline: a seeded sentiment generator with the hard
cases the sparse/PEFT papers care about (negation, double negation, "X but Y" contrast, label
noise, out-of-distribution templates), EDA-style augmentation over its synonym table, and the two
real labelled sets shipped in gensim's test data (Pang & Lee polarity sentences, a 2-class
20-Newsgroups sample).

    rows = sentiment(400, seed=0, negation=0.3, contrast_but=0.2)      # [{"text", "label", "topic", "kind"}]
    test = sentiment(400, seed=1, ood_templates=True)                   # other sentence frames
    eda("the film was great", random.Random(0), op="synonym")
    polarity()  /  newsgroups()                                         # real sentences, 200 each
Labels: 1 = positive, 0 = negative.
"""
from __future__ import annotations

import pickle
import random
import zlib

from .tasks import package_dir

# synonym groups: EDA's synonym replacement swaps within a group; sentence polarity is the group's
POSITIVE = [["good", "fine", "decent", "solid"], ["great", "excellent", "superb", "wonderful"],
            ["pleasant", "enjoyable", "delightful", "charming"], ["impressive", "remarkable", "outstanding"],
            ["friendly", "kind", "warm"], ["clean", "tidy", "spotless"], ["fast", "quick", "speedy"]]
NEGATIVE = [["bad", "poor", "weak", "lousy"], ["terrible", "awful", "dreadful", "horrible"],
            ["boring", "dull", "tedious", "bland"], ["disappointing", "underwhelming", "mediocre"],
            ["rude", "unfriendly", "cold"], ["dirty", "filthy", "grimy"], ["slow", "sluggish", "tardy"]]
TOPICS = {"film": ["film", "movie", "plot", "acting", "soundtrack", "ending"],
          "food": ["meal", "soup", "service", "dessert", "menu", "waiter"],
          "hotel": ["room", "hotel", "staff", "bed", "breakfast", "lobby"],
          "phone": ["phone", "battery", "screen", "camera", "charger", "app"]}
INTENS = ["really", "very", "quite", "truly", "rather", "so"]
FILLER = ["honestly", "overall", "to be fair", "in my view", "frankly", "all in all"]
TEMPLATES = ["the {n} was {a} .", "i thought the {n} was {i} {a} .", "{f} , the {n} is {a} .",
             "what a {a} {n} .", "this {n} felt {i} {a} to me .", "we found the {n} {a} ."]
NEG_TEMPLATES = ["the {n} was not {a} .", "i did not think the {n} was {i} {a} .", "{f} , the {n} is not {a} .",
                 "this {n} never felt {a} to me ."]
DOUBLE_NEG = ["it is not true that the {n} was not {a} .", "i would not say the {n} was not {a} ."]
OOD_TEMPLATES = ["my friends told me the {n} would be {a} , and it was .", "{a} ! that is the word for the {n} .",
                 "if you ask me about the {n} , i say {a} .", "after two visits the {n} still seems {a} ."]
_SYN = {w: g for g in POSITIVE + NEGATIVE for w in g}


def _adj(rng: random.Random, positive: bool) -> str:
    return rng.choice(rng.choice(POSITIVE if positive else NEGATIVE))


def _fill(t: str, rng: random.Random, noun: str, adj: str) -> str:
    return t.format(n=noun, a=adj, i=rng.choice(INTENS), f=rng.choice(FILLER))


def sentiment(n: int, seed: int = 0, topics: int = 4, negation: float = 0.0, double_negation: float = 0.0,
              contrast_but: float = 0.0, label_noise: float = 0.0, ood_templates: bool = False) -> list[dict]:
    """n balanced sentences. Fractions choose the sentence kind: negation flips the adjective's
    polarity ("was not great" is negative), double negation keeps it, contrast puts two clauses
    with opposite polarity and the label follows the clause after "but". label_noise flips that
    fraction of labels (the `clean_label` field keeps the truth). ood_templates uses frames that
    appear nowhere else."""
    if not 1 <= topics <= len(TOPICS):
        raise ValueError(f"topics must be in 1..{len(TOPICS)}, got {topics}")
    if negation + double_negation + contrast_but > 1:
        raise ValueError("negation + double_negation + contrast_but must be at most 1")
    rng = random.Random(seed)
    names = list(TOPICS)[:topics]
    rows = []
    for i in range(n):
        label = i % 2
        topic = rng.choice(names)
        noun = rng.choice(TOPICS[topic])
        u = rng.random()
        if u < negation:
            kind, text = "negation", _fill(rng.choice(NEG_TEMPLATES), rng, noun, _adj(rng, not label))
        elif u < negation + double_negation:
            kind, text = "double_negation", _fill(rng.choice(DOUBLE_NEG), rng, noun, _adj(rng, bool(label)))
        elif u < negation + double_negation + contrast_but:
            other = rng.choice([x for x in TOPICS[topic] if x != noun])
            kind = "contrast"
            text = f"the {other} was {_adj(rng, not label)} , but the {noun} was {_adj(rng, bool(label))} ."
        else:
            kind = "plain"
            text = _fill(rng.choice(OOD_TEMPLATES if ood_templates else TEMPLATES), rng, noun, _adj(rng, bool(label)))
        noisy = label if rng.random() >= label_noise else 1 - label
        rows.append({"text": text, "label": noisy, "clean_label": label, "topic": topic, "kind": kind})
    rng.shuffle(rows)
    return rows


def eda(text: str, rng: random.Random, op: str = "synonym", alpha: float = 0.1) -> str:
    """Easy Data Augmentation (Wei & Zou 2019) on whitespace tokens: synonym replacement (from this
    module's synonym table, so the label is kept), random insertion of a synonym, random swap,
    random deletion; about alpha * len(words) edits (at least one)."""
    words = text.split()
    k = max(1, int(round(alpha * len(words))))
    if op == "synonym":
        idx = [i for i, w in enumerate(words) if w in _SYN]
        for i in rng.sample(idx, min(k, len(idx))):
            words[i] = rng.choice([s for s in _SYN[words[i]] if s != words[i]])
    elif op == "insert":
        cands = [w for w in words if w in _SYN] or [rng.choice(INTENS)]
        for _ in range(k):
            w = rng.choice(cands)
            words.insert(rng.randrange(len(words) + 1), rng.choice(_SYN.get(w, [w])))
    elif op == "swap":
        for _ in range(k):
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
    elif op == "delete":
        kept = [w for w in words if rng.random() > alpha]
        words = kept or [rng.choice(words)]
    else:
        raise ValueError(f"op must be synonym, insert, swap or delete, got {op!r}")
    return " ".join(words)


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
    import io
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
