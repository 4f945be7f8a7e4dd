"""Generated data: every set here comes from a seeded generator, so the same seed gives the same rows.

Prompt/answer task families (the model sees `prompt` and must produce `answer`, which starts with a space, so
that prompt + answer is ordinary text; `PRETRAIN_FAMILIES` were used to pretrain the zoo models, the others are
"new" tasks that fine-tuning notebooks teach), a fictional fact world and counterfactual edits of it, a
two-"language" topic world, a sentiment generator with EDA augmentation, and an alias-retrieval corpus.

    task("sort", 200, seed=0)                       # datasets.Dataset: prompt, answer, family
    world = fact_world(seed=0); counterfactual_edits(world, 20)
    bilingual_topics(300, seed=0, lang="B")         # cipher-language sentences, balanced over 3 topics
    sentiment(400, seed=0, negation=0.3)            # [{"text", "label", "clean_label", "topic", "kind"}]
    alias_corpus(seed=0)                            # Corpus: docs, train/test (query, doc id) pairs
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

PRETRAIN_FAMILIES = ("add", "copy", "facts")   # what ftkit/tiny-llama saw in pretraining
NEW_FAMILIES = ("reverse", "sort", "mod10", "kv", "upper_first")  # held out of pretraining


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


def task_rows(family: str, n: int, seed: int = 0, length: int = 4) -> list[dict]:
    """`n` examples of one family as plain dicts (prompt, answer, family); `task` wraps the same rows."""
    rng = random.Random(f"{family}-{seed}")
    return [dict(make_example(family, rng, length), family=family) for _ in range(n)]


def task(family: str, n: int, seed: int = 0, length: int = 4):
    """`n` examples of one family as a `datasets.Dataset` with columns prompt, answer, family."""
    from datasets import Dataset
    return Dataset.from_list(task_rows(family, n, seed, length))


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


# ---------------------------------------------------------------------------------------------
# Sentiment sentences (offline text classification) with the hard cases the sparse/PEFT papers care about:
# negation, double negation, "X but Y" contrast, label noise, out-of-distribution templates; and EDA over
# the same synonym table. Labels: 1 = positive, 0 = negative.
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Alias retrieval: entity documents "The red otter called Kalomi lives in Nimvor and eats figs." and queries
# that name the city and the food by invented aliases ("Which otter from Quorvil likes zabrel?"). A frozen
# encoder cannot know the aliases, only the animal word; fine-tuning must learn alias -> word, and the test
# documents' (city, food) pairs never occur in a training query.
# ---------------------------------------------------------------------------------------------
COLOURS = ["red", "blue", "green", "grey", "white", "black", "brown", "golden"]
FOODS = ["figs", "rice", "honey", "beans", "plums", "bread", "cheese", "olives", "carrots", "apples", "nuts",
         "fish", "grapes", "melons", "oats", "mushrooms"]
QUERY_TEMPLATES = ["Which {animal} from {city} likes {food}?", "the {animal} that lives in {city} and eats {food}",
                   "{food} eating {animal}, home {city}"]


@dataclass
class Corpus:
    docs: list[str]
    train: list[tuple[str, int]]          # (query, index of its one relevant document)
    test: list[tuple[str, int]]
    aliases: dict[str, str]               # real word -> alias (empty for hub data)
    hard_negatives: dict[str, list[int]] | None = None   # query -> indices of mined negatives (hub data)


def alias_corpus(n_cities: int = 10, n_foods: int = 16, test_frac: float = 0.25, seed: int = 0,
                 templates=QUERY_TEMPLATES) -> Corpus:
    """One document per (city, food) pair (n_cities × n_foods documents); queries use aliases.

    A `test_frac` share of the documents is held out: their queries are test queries only. Every city and
    food still occurs in training queries (through other documents), so the aliases can be learnt.
    """
    rng = random.Random(f"alias-retrieval-{seed}")
    world = fact_world(seed=0)
    cities = sorted({o for (s, r), o in world.facts.items() if r == "capital"})
    cities = rng.sample(cities, n_cities)
    foods = FOODS[:n_foods]
    names: set[str] = set()
    words = set(cities) | {w.capitalize() for w in foods}
    aliases: dict[str, str] = {}
    for w in cities + foods:
        a = _word(rng, 3).lower()
        while a in aliases.values() or a.capitalize() in words:
            a = _word(rng, 3).lower()
        aliases[w] = a.capitalize() if w in cities else a
    docs, meta = [], []
    for c in cities:
        for f in foods:
            name = _word(rng, 2)
            while name in names:
                name = _word(rng, 2)
            names.add(name)
            animal = rng.choice(_ANIMALS)
            docs.append(f"The {rng.choice(COLOURS)} {animal} called {name} lives in {c} and eats {f}.")
            meta.append((animal, c, f))
    while True:   # hold out documents, keeping every city and food in some training document
        test_ids = set(rng.sample(range(len(docs)), int(round(test_frac * len(docs)))))
        tr = [m for i, m in enumerate(meta) if i not in test_ids]
        if {m[1] for m in tr} == set(cities) and {m[2] for m in tr} == set(foods):
            break
    train, test = [], []
    for i, (animal, c, f) in enumerate(meta):
        for t in templates:
            q = t.format(animal=animal, city=aliases[c], food=aliases[f])
            (test if i in test_ids else train).append((q, i))
    rng.shuffle(train)
    return Corpus(docs, train, test, aliases)

