"""Multi-domain text pools with a mixing vector: pretraining-vs-target distribution mismatch in miniature.

Five template domains (cooking, sports, finance, biology, travel) share the sentence templates and function words
but each has its own lexicon, so a text's domain is visible to a sentence encoder and to a language model, and a
model trained on a mixture learns each domain in proportion to its share.

    from ftkit.data import domains
    pool = domains.sample_mixture([.4, .4, .15, .04, .01], 2000, seed=0)        # [{"text", "domain"}, ...]
    target = domains.sample_mixture([.5, 0, 0, 0, .5], 200, seed=0, salt="target")
    domains.composition(pool)                                                     # {"cooking": 0.4, ...}

Counts are exact (largest remainder), rows are shuffled, and every draw is seeded with random.Random(string), so
the same (mix, n, seed, salt) gives the same rows on any machine.
"""
from __future__ import annotations

import random

LEXICON = {
    "cooking": dict(
        agent=["chef", "baker", "cook", "grandmother", "caterer", "sous chef", "kitchen porter", "pastry cook"],
        verb=["simmers", "whisks", "roasts", "chops", "seasons", "kneads", "braises", "glazes"],
        thing=["onions", "the dough", "a broth", "garlic", "the sauce", "fresh basil", "a custard", "the lamb"],
        adj=["crispy", "tender", "golden", "savory", "spicy", "creamy"],
        place=["the kitchen", "a bakery", "the bistro", "the oven", "a food truck", "the pantry"],
        time=["before dinner", "at dawn", "for an hour", "over low heat"],
    ),
    "sports": dict(
        agent=["striker", "goalkeeper", "coach", "referee", "captain", "sprinter", "defender", "rookie"],
        verb=["tackles", "passes", "scores", "dribbles", "blocks", "shoots", "defends", "sprints past"],
        thing=["the ball", "a penalty", "the rebound", "the opponent", "a corner kick", "the relay", "a free throw",
               "the goal"],
        adj=["fast", "fierce", "tired", "agile", "unbeaten", "rival"],
        place=["the stadium", "the pitch", "a gym", "the arena", "the track", "the locker room"],
        time=["in overtime", "at halftime", "in the final minute", "after the whistle"],
    ),
    "finance": dict(
        agent=["trader", "banker", "auditor", "investor", "analyst", "broker", "treasurer", "fund manager"],
        verb=["buys", "hedges", "audits", "sells", "values", "borrows", "invests in", "underwrites"],
        thing=["the bonds", "a stock option", "the dividend", "equity", "the loan", "a mortgage", "the portfolio",
               "currency futures"],
        adj=["volatile", "liquid", "risky", "profitable", "undervalued", "leveraged"],
        place=["the exchange", "a bank", "the trading floor", "the vault", "a hedge fund", "the central bank"],
        time=["before the close", "in the second quarter", "after earnings", "at market open"],
    ),
    "biology": dict(
        agent=["enzyme", "neuron", "bacterium", "ribosome", "protein", "virus", "stem cell", "mitochondrion"],
        verb=["binds", "cleaves", "transcribes", "replicates", "folds", "metabolizes", "synthesizes", "phosphorylates"],
        thing=["the membrane", "a peptide", "glucose", "the genome", "an antibody", "the receptor", "messenger rna",
               "the chromosome"],
        adj=["mutant", "dormant", "cellular", "toxic", "synthetic", "viral"],
        place=["the nucleus", "the cytoplasm", "a petri dish", "the bloodstream", "the tissue", "a culture"],
        time=["during mitosis", "under stress", "after infection", "at low temperature"],
    ),
    "travel": dict(
        agent=["tourist", "pilot", "backpacker", "tour guide", "sailor", "hiker", "stewardess", "ferry captain"],
        verb=["books", "visits", "explores", "boards", "crosses", "photographs", "navigates", "reserves"],
        thing=["the ferry", "a hostel", "the mountain pass", "the island", "a train ticket", "the glacier", "the canal",
               "a rental car"],
        adj=["scenic", "remote", "crowded", "sunny", "ancient", "coastal"],
        place=["the harbor", "the airport", "a village", "the border", "the old town", "a campsite"],
        time=["in summer", "at sunset", "before the monsoon", "on the night train"],
    ),
}
NAMES = list(LEXICON)

TEMPLATES = [
    "the {adj} {agent} {verb} {thing} in {place} {time} .",
    "in {place} , a {agent} {verb} {thing} {time} .",
    "{time} , the {agent} {verb} {thing} and the {adj} {agent2} {verb2} {thing2} .",
    "everyone in {place} says the {agent} {verb} {thing} , which is {adj} .",
    "a {adj} {agent} {verb} {thing} ; later the {agent2} {verb2} {thing2} in {place} .",
    "why does the {agent} always {verb_bare} {thing} {time} ?",
]


def _bare(verb: str) -> str:
    """Third person -> bare form, enough for the lexicon above ("sprints past" -> "sprint past")."""
    head, *rest = verb.split(" ")
    if head.endswith("es") and head[:-2].endswith(("sh", "ch", "ss", "x")):
        head = head[:-2]
    elif head.endswith("s"):
        head = head[:-1]
    return " ".join([head, *rest])


def domain_text(domain: str, rng: random.Random) -> str:
    """One text of `domain`, a template filled from the domain's own lexicon."""
    lex = LEXICON[domain]
    pick = {k: rng.choice(v) for k, v in lex.items()}
    pick.update(agent2=rng.choice(lex["agent"]), verb2=rng.choice(lex["verb"]), thing2=rng.choice(lex["thing"]))
    pick["verb_bare"] = _bare(pick["verb"])
    return rng.choice(TEMPLATES).format(**pick)


def mixture_counts(mix, n: int) -> list[int]:
    """Exact per-domain counts for n texts under mixing weights `mix` (normalised; largest remainder rounding)."""
    if len(mix) > len(NAMES) or any(w < 0 for w in mix) or sum(mix) <= 0:
        raise ValueError(f"mix needs up to {len(NAMES)} non-negative weights with a positive sum, got {mix}")
    total = float(sum(mix))
    raw = [n * w / total for w in mix]
    counts = [int(r) for r in raw]
    order = sorted(range(len(mix)), key=lambda i: (raw[i] - counts[i], -i), reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def sample_mixture(mix, n: int, seed: int = 0, salt: str = "pool") -> list[dict]:
    """n texts drawn from the domains in the proportions `mix` (exact counts), shuffled.

    Rows are {"text", "domain", "domain_id"}. `salt` separates independent draws with the same seed (pool,
    target, held-out target ...); texts may repeat across draws, as in real corpora, since the template space is
    finite."""
    rng = random.Random(f"domains:{salt}:{seed}:{n}:{list(mix)}")
    rows = []
    for d, c in enumerate(mixture_counts(mix, n)):
        rows += [{"text": domain_text(NAMES[d], rng), "domain": NAMES[d], "domain_id": d} for _ in range(c)]
    rng.shuffle(rows)
    return rows


def composition(rows, n_domains: int | None = None) -> dict:
    """Share of each domain among `rows` (dicts with "domain_id"), as {name: fraction} over the first n domains."""
    n_domains = n_domains or len(NAMES)
    counts = [0] * n_domains
    for r in rows:
        counts[r["domain_id"]] += 1
    total = max(1, len(rows))
    return {NAMES[d]: counts[d] / total for d in range(n_domains)}
