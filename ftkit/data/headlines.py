"""A headline simulator with a confounder: logged (observational) headlines, their click-through rates and the
interventional ground truth, for reward models learned from observational data (DeconfoundLM and kin).

Each headline has attributes `num` ("7 ways to ..."; causal), `bang` ("BREAKING: ..." or "...!!"; clickbait),
`topic` (money / health / travel / tech) and a few free choices (subject, template, filler) that add text variety.
A confounder `c` (0 = newsletter, 1 = social) changes both *what was written* and *the outcome*:

    writer (logged):  P(bang=1 | c) = p_bang[c]             (0.2 / 0.8)
                      P(num=1 | c)  = p_num[regime][c]      additive: 0.5 / 0.5, entangled: 0.3 / 0.7
    outcome:          logit P(click) = base + tau(T) + c_effect * c
                      tau(T) = num_effect * num + bang_effect * bang + topic_effect[topic]
                      ctr = Binomial(impressions, P(click)) / impressions

The *interventional* value of a text (what an A/B test measures) is E_C[P(click | do(T))] with C ~ Bernoulli(p_c):
`value(row)`. A "random" writer (`writer="random"`) draws num, bang and topic independently of c: the candidate
pool a policy chooses from, and the test set on which attribute effects are measured.

    logged = headlines(1500, regime="entangled", seed=0)            # text, num, bang, topic, c, tau, p, ctr, value, parts
    pool = headlines(2000, writer="random", seed=1)
    flipped = [flip(r, "bang") for r in pool]                       # the same headline with `bang` toggled

Rows are plain dicts; seeded with random.Random(string) (no global state); same arguments, same rows.
"""
from __future__ import annotations

import math
import random

TOPICS = ("money", "health", "travel", "tech")
SUBJECTS = {
    "money": ("save money", "cut your bills", "build a budget", "pay off debt", "invest your savings",
              "lower your rent", "earn extra cash"),
    "health": ("sleep better", "eat healthier", "lower stress", "get fit at home", "drink more water",
               "stop snacking", "walk more every day"),
    "travel": ("pack lighter", "find cheap flights", "plan a weekend trip", "travel with kids", "beat jet lag",
               "book a better hotel", "see a city in a day"),
    "tech": ("speed up your laptop", "protect your passwords", "back up your photos", "choose a phone",
             "fix slow wifi", "clean up your inbox", "make your battery last"),
}
NUM_TEMPLATES = ("{k} ways to {s}", "{k} tips to {s}", "{k} simple ways to {s}", "{k} smart tricks to {s}")
PLAIN_TEMPLATES = ("How to {s}", "Here is how to {s}", "A simple guide to how you can {s}", "What it takes to {s}")
FILLERS = ("", " this year", " today", " without trying", " right now", " for good")
BANG_STYLES = ("prefix", "suffix")            # "BREAKING: ..." or "...!!"

REGIMES = ("additive", "entangled")
DEFAULTS = dict(base=-1.0, num_effect=0.8, bang_effect=-0.4, c_effect=1.5,
                topic_effect=dict(money=0.3, health=0.1, travel=0.0, tech=-0.2),
                p_c=0.5, p_bang=(0.2, 0.8), p_num=dict(additive=(0.5, 0.5), entangled=(0.3, 0.7)))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def render(parts: dict) -> str:
    """The headline text of one set of choices (topic, subject, template, k, filler, num, bang, bang_style)."""
    s = SUBJECTS[parts["topic"]][parts["subject"]]
    if parts["num"]:
        text = NUM_TEMPLATES[parts["template"]].format(k=parts["k"], s=s)
    else:
        text = PLAIN_TEMPLATES[parts["template"]].format(s=s)
    text += FILLERS[parts["filler"]]
    if parts["bang"]:
        text = "BREAKING: " + text if parts["bang_style"] == "prefix" else text + "!!"
    return text


def tau(row: dict, **effects) -> float:
    """The text's own effect on the click logit: num_effect*num + bang_effect*bang + topic_effect[topic]."""
    e = {**DEFAULTS, **effects}
    return e["num_effect"] * row["num"] + e["bang_effect"] * row["bang"] + e["topic_effect"][row["topic"]]


def value(row: dict, **effects) -> float:
    """Interventional click rate E_C[P(click | do(T))], C ~ Bernoulli(p_c): what an A/B test would measure."""
    e = {**DEFAULTS, **effects}
    z = e["base"] + tau(row, **effects)
    return (1 - e["p_c"]) * _sigmoid(z) + e["p_c"] * _sigmoid(z + e["c_effect"])


def _complete(row: dict, rng: random.Random, impressions: int, effects: dict) -> dict:
    e = {**DEFAULTS, **effects}
    row["text"] = render(row["parts"])
    row["tau"] = tau(row, **effects)
    row["p"] = _sigmoid(e["base"] + row["tau"] + e["c_effect"] * row["c"])
    clicks = sum(rng.random() < row["p"] for _ in range(impressions)) if impressions else 0
    row["ctr"] = clicks / impressions if impressions else row["p"]
    row["value"] = value(row, **effects)
    return row


def headlines(n: int, regime: str = "additive", writer: str = "logged", seed: int = 0, impressions: int = 200,
              **effects) -> list[dict]:
    """n simulated headlines with confounder c, observed ctr and interventional value (see the module doc).

    regime: "additive" (num independent of c) or "entangled" (num also depends on c).
    writer: "logged" (text depends on c, the observational log) or "random" (num, bang, topic independent of c).
    impressions: Bernoulli draws behind each observed ctr (0: ctr is the exact click probability).
    effects: overrides of DEFAULTS (base, num_effect, bang_effect, c_effect, topic_effect, p_c, p_bang, p_num).
    """
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}, got {regime!r}")
    if writer not in ("logged", "random"):
        raise ValueError(f"writer must be 'logged' or 'random', got {writer!r}")
    e = {**DEFAULTS, **effects}
    # the random writer ignores the regime: both regimes share its pool and test rows for a given seed
    rng = random.Random(f"headlines/{regime if writer == 'logged' else 'any'}/{writer}/{seed}")
    rows = []
    for _ in range(n):
        c = int(rng.random() < e["p_c"])
        if writer == "logged":
            num = int(rng.random() < e["p_num"][regime][c])
            bang = int(rng.random() < e["p_bang"][c])
        else:
            num, bang = int(rng.random() < 0.5), int(rng.random() < 0.5)
        topic = rng.choice(TOPICS)
        parts = dict(topic=topic, subject=rng.randrange(len(SUBJECTS[topic])), num=num, bang=bang,
                     template=rng.randrange(len(NUM_TEMPLATES if num else PLAIN_TEMPLATES)), k=rng.randint(3, 9),
                     filler=rng.randrange(len(FILLERS)), bang_style=rng.choice(BANG_STYLES))
        row = dict(num=num, bang=bang, topic=topic, c=c, parts=parts)
        rows.append(_complete(row, rng, impressions, effects))
    return rows


def flip(row: dict, attr: str, **effects) -> dict:
    """The same headline with `num` or `bang` toggled (other choices kept): a matched counterfactual pair.

    The returned row has the exact click probability as ctr (no impressions) and the same c."""
    if attr not in ("num", "bang"):
        raise ValueError(f"attr must be 'num' or 'bang', got {attr!r}")
    parts = dict(row["parts"])
    parts[attr] = 1 - parts[attr]
    if attr == "num":      # the two template lists have the same length: template i maps to template i
        parts["template"] = parts["template"] % len(NUM_TEMPLATES if parts["num"] else PLAIN_TEMPLATES)
    new = dict(num=parts["num"], bang=parts["bang"], topic=parts["topic"], c=row["c"], parts=parts)
    return _complete(new, random.Random(0), 0, effects)


def true_effect(rows: list[dict], attr: str, **effects) -> float:
    """Mean interventional effect of switching `attr` on (value(attr=1) - value(attr=0)) over matched pairs."""
    diffs = []
    for r in rows:
        f = flip(r, attr, **effects)
        on, off = (r, f) if r[attr] else (f, r)
        diffs.append(value(on, **effects) - value(off, **effects))
    return sum(diffs) / len(diffs)
