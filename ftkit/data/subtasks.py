"""Domain sub-task datasets ("explicit data sets"): per-domain instruction tasks with held-out entities/templates.

Two synthetic domains, three explicit sub-tasks each, in one uniform instruction format
`"<instruction> | <input> ->"` with an answer that starts with a space:

    legal    keywords (extract the party's role and the contract, "tenant ; lease"), clause_type (termination /
             payment / liability), next_clause (complete "if the tenant ... fails to pay rent ," with the remedy the
             clause grammar gives the counterparty: "the landlord may terminate the lease .")
    finance  figure (extract the metric and the unit of a reported figure, "revenue ; million"), headline_sentiment (positive / negative,
             with negated events), next_step (complete an earnings sentence with the market reaction the event implies)

Every sub-task has several input templates; the last one is **held out** (test only), and the entity pools (party
and company names, which appear in every input) are split so that test rows use names never seen in training.
Answers never copy a name: they are the skill (find the keyword, map the clause, apply the rule), not the string.
`raw_text` writes the same domain content as plain documents (no instructions, no task formats), for a "continued
pretraining on raw domain text" control; `generic_rows` are generic instruction tasks without domain formats.

    subtask_rows("legal", "keywords", 100, split="train", seed=0)  # [{"prompt", "answer", "domain", "subtask", ...}]
    explicit_dataset("finance", 200, split="train", seed=0)         # all three sub-tasks, mixed
    raw_text("legal", 300, seed=0)                                  # plain domain documents
    score("keywords", " lease, tenant", " tenant ; lease")          # format-agnostic content score in [0, 1]
"""
from __future__ import annotations

import random
import re

from . import synthetic

DOMAINS = ("legal", "finance")

# sub-task -> spec: domain, instruction (shown in every prompt), metric, label set for classification tasks
SPECS = {
    "keywords": dict(domain="legal", metric="set_f1",
                     instruction="extract role ; contract"),
    "clause_type": dict(domain="legal", metric="choice", labels=("termination", "payment", "liability"),
                        instruction="clause type: termination, payment or liability"),
    "next_clause": dict(domain="legal", metric="exact", instruction="complete the clause"),
    "figure": dict(domain="finance", metric="set_f1",
                   instruction="extract metric ; unit"),
    "headline_sentiment": dict(domain="finance", metric="choice", labels=("positive", "negative"),
                               instruction="headline sentiment: positive or negative"),
    "next_step": dict(domain="finance", metric="exact", instruction="complete the sentence"),
}
SUBTASKS = {d: tuple(k for k, s in SPECS.items() if s["domain"] == d) for d in DOMAINS}


def entities(domain: str, seed: int = 0, n: int = 90, test_frac: float = 1 / 3) -> dict:
    """Entity pools split into disjoint train / test lists of names: parties (legal) or companies (finance).

    Names are two syllables of the fact world's syllable set (`synthetic._SYL`, e.g. "Belvor"); the legal and
    finance pools are disjoint, and so are each pool's train and test names."""
    _check_domain(domain)
    rng = random.Random(f"subtasks-entities-{seed}")
    names = sorted({(a + b).capitalize() for a in synthetic._SYL for b in synthetic._SYL if a != b})
    rng.shuffle(names)
    half = len(names) // 2
    names = (names[:half] if domain == "legal" else names[half:])[:n]
    k = int(round(n * (1 - test_frac)))
    return {"train": names[:k], "test": names[k:]}


# ---- legal ------------------------------------------------------------------------------------------------
ROLES = {"tenant": "landlord", "landlord": "tenant", "buyer": "seller", "seller": "buyer"}
CONTRACTS = ("lease", "loan", "licence")
_KEY_T = ["the {r} {a} breached the {k} with {b} .", "{a} , the {r} , signed the {k} with {b} .",
          "under the {k} the {r} {a} owes {b} nothing .", "a dispute about the {k} arose between {b} and the {r} {a} .",
          "{b} accuses the {r} {a} of breaking the {k} ."]                     # the last template is held out
_CLAUSE_T = {
    "termination": ["either party may terminate this {k} with thirty days notice .",
                    "the {r} {a} may end the {k} if {b} moves out early .",
                    "this {k} expires and is cancelled upon written notice by {a} ."],
    "payment": ["the {r} {a} shall pay the monthly rent to {b} before the fifth day .",
                "all invoices under the {k} from {a} are due within thirty days .",
                "the fee owed by the {r} {b} is payable in two instalments ."],
    "liability": ["the {r} {a} is not liable for damages caused by {b} .",
                  "{b} shall indemnify the {r} {a} against all losses under the {k} .",
                  "neither party to the {k} is responsible for indirect harm suffered by {a} ."],
}
# violation -> the remedy the counterparty may invoke (the clause grammar next_clause must learn)
VIOLATIONS = {"fails to pay": "may terminate the contract", "damages the property": "may keep the deposit",
              "discloses secrets": "may seek an injunction"}
_NEXT_T = ["if the {r} {a} {v} ,", "where the {r} {a} {v} under the {k} ,", "in case the {r} {a} {v} again ,",
           "should the {r} {a} {v} despite a warning from {b} ,"]


# ---- finance ----------------------------------------------------------------------------------------------
METRICS = ("revenue", "profit", "sales", "income", "debt")
UNITS = ("million", "billion", "percent")
_FIG_T = ["{c} reported {x} of {m} {u} .", "{x} at {c} reached {m} {u} .", "{c} booked {m} {u} in {x} .",
          "for the quarter , {c} said its {x} was {m} {u} ."]
_POS = ["beats estimates", "raises guidance", "posts record profit", "wins a major contract"]
_NEG = ["misses estimates", "cuts guidance", "posts a loss", "loses a major contract"]
_HEAD_T = ["{c} {e} .", "analysts say {c} {e} .", "report : {c} {e} this quarter .", "breaking : {c} {e} again ."]
# negated events flip the label
_NEG_FORM = {"beats estimates": "fails to beat estimates", "raises guidance": "does not raise guidance",
             "posts record profit": "fails to post a profit", "wins a major contract": "does not win the contract",
             "misses estimates": "does not miss estimates", "cuts guidance": "does not cut guidance",
             "posts a loss": "avoids a loss", "loses a major contract": "keeps its major contract"}
REACTIONS = {"beat estimates": "its shares rose", "missed estimates": "its shares fell",
             "announced a buyback": "the stock jumped", "issued new shares": "the stock slipped"}
_STEP_T = ["{c} {e} , so", "after {c} {e} ,", "because {c} {e} ,", "when {c} {e} last week ,"]


def _check_domain(domain: str) -> None:
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; known: {DOMAINS}")


def n_templates(subtask: str) -> int:
    return {"keywords": len(_KEY_T), "clause_type": 3, "next_clause": len(_NEXT_T), "figure": len(_FIG_T),
            "headline_sentiment": len(_HEAD_T), "next_step": len(_STEP_T)}[subtask]


def _make(subtask: str, rng: random.Random, pool: list, template: int) -> dict:
    """One (input, answer) of a sub-task with the given template index and names drawn from `pool`."""
    a, b = rng.sample(pool, 2)
    r, k = rng.choice(list(ROLES)), rng.choice(CONTRACTS)
    if subtask == "keywords":
        return {"input": _KEY_T[template].format(r=r, a=a, b=b, k=k), "answer": f" {r} ; {k}"}
    if subtask == "clause_type":
        label = rng.choice(SPECS[subtask]["labels"])
        return {"input": _CLAUSE_T[label][template].format(r=r, a=a, b=b, k=k), "answer": f" {label}"}
    if subtask == "next_clause":
        v = rng.choice(list(VIOLATIONS))
        return {"input": _NEXT_T[template].format(r=r, a=a, v=v, b=b, k=k),
                "answer": f" the {ROLES[r]} {VIOLATIONS[v]} ."}
    if subtask == "figure":
        x, m, u = rng.choice(METRICS), rng.randrange(2, 100), rng.choice(UNITS)
        return {"input": _FIG_T[template].format(c=a, x=x, m=m, u=u), "answer": f" {x} ; {u}"}
    if subtask == "headline_sentiment":
        positive, negated = rng.random() < 0.5, rng.random() < 0.3
        e = rng.choice(_POS if positive != negated else _NEG)
        e = _NEG_FORM[e] if negated else e
        return {"input": _HEAD_T[template].format(c=a, e=e), "answer": " positive" if positive else " negative"}
    if subtask == "next_step":
        e = rng.choice(list(REACTIONS))
        return {"input": _STEP_T[template].format(c=a, e=e), "answer": f" {REACTIONS[e]} ."}
    raise ValueError(f"unknown sub-task {subtask!r}; known: {list(SPECS)}")


def prompt(subtask: str, text: str) -> str:
    """The uniform instruction format every model sees: `<instruction> | <input> ->`."""
    return f"{SPECS[subtask]['instruction']} | {text} ->"


def subtask_rows(domain: str, subtask: str, n: int, split: str = "train", seed: int = 0,
                 heldout_template: bool = True) -> list[dict]:
    """n rows of one sub-task. split "train": train entities, all templates but the last (if heldout_template);
    split "test": test entities, every template (the held-out one included); row["heldout"] marks the held-out template."""
    _check_domain(domain)
    if subtask not in SUBTASKS[domain]:
        raise ValueError(f"{subtask!r} is not a {domain} sub-task; known: {SUBTASKS[domain]}")
    if split not in ("train", "test"):
        raise ValueError("split must be train or test")
    pool = entities(domain, seed)[split]
    k = n_templates(subtask)
    templates = list(range(k - 1 if heldout_template and split == "train" else k))
    rng = random.Random(f"subtasks-{domain}-{subtask}-{split}-{seed}")
    rows = []
    for i in range(n):
        tpl = templates[i % len(templates)]
        ex = _make(subtask, rng, pool, tpl)
        rows.append({"prompt": prompt(subtask, ex["input"]), "answer": ex["answer"], "input": ex["input"],
                     "domain": domain, "subtask": subtask, "template": tpl,
                     "heldout": heldout_template and tpl == k - 1})
    rng.shuffle(rows)
    return rows


def explicit_dataset(domain: str, n_per_task: int, split: str = "train", seed: int = 0) -> list[dict]:
    """The domain's explicit data set: every sub-task, n_per_task rows each, shuffled together."""
    rows = [r for st in SUBTASKS[domain] for r in subtask_rows(domain, st, n_per_task, split, seed)]
    random.Random(f"subtasks-mix-{domain}-{split}-{seed}").shuffle(rows)
    return rows


def raw_text(domain: str, n_docs: int, seed: int = 0, sentences: int = 4) -> list[str]:
    """Plain domain documents built from the same content as the training rows (train entities, train templates),
    with no instructions, labels or answer formats: the raw-text control of explicit sub-task tuning."""
    _check_domain(domain)
    rng = random.Random(f"subtasks-raw-{domain}-{seed}")
    pool = entities(domain, seed)["train"]
    docs = []
    for _ in range(n_docs):
        parts = []
        for _ in range(sentences):
            st = rng.choice(SUBTASKS[domain])
            ex = _make(st, rng, pool, rng.randrange(n_templates(st) - 1))
            if SPECS[st]["metric"] == "exact":          # the completed sentence is ordinary domain text
                parts.append(ex["input"] + ex["answer"])
            else:                                       # the input sentence alone, no label or extraction
                parts.append(ex["input"])
        docs.append(" ".join(parts))
    return docs


def generic_rows(n: int, seed: int = 0, families=("copy", "reverse", "sort", "add", "kv")) -> list[dict]:
    """Generic instruction rows (synthetic task families, no domain formats), mixed evenly, shuffled."""
    per = -(-n // len(families))
    by_family = [synthetic.task_rows(f, per, seed=seed) for f in families]
    rows = [fam[i] for i in range(per) for fam in by_family][:n]
    random.Random(f"subtasks-generic-{seed}").shuffle(rows)
    return rows


# ---- format-agnostic scoring ------------------------------------------------------------------------------
def _items(text: str) -> list[str]:
    return [w for w in re.split(r"[;,]|\band\b", text.lower().strip().rstrip(".")) if w.strip()]


def score(subtask: str, prediction: str, answer: str) -> float:
    """Content score of a generated answer, independent of its formatting: set-F1 over the extracted items
    (split on ; , and "and") for extraction, first matching label for classification, whitespace/punctuation-
    normalised exact match for completion."""
    metric = SPECS[subtask]["metric"]
    if metric == "set_f1":
        p = {w.strip() for w in _items(prediction)}
        g = {w.strip() for w in _items(answer)}
        hit = len(p & g)
        return 0.0 if hit == 0 else 2 * hit / (len(p) + len(g))
    if metric == "choice":
        words = re.findall(r"[a-z]+", prediction.lower())
        labels = [w for w in words if w in SPECS[subtask]["labels"]]
        return float(bool(labels) and labels[0] == answer.strip())
    norm = lambda s: " ".join(re.findall(r"[a-z0-9]+", s.lower()))
    return float(norm(prediction) == norm(answer))
