"""Dense retrieval helpers: an offline alias-retrieval corpus, mean-pooled embeddings, MRR@k / recall@k.

    corpus = alias_corpus(seed=0)            # docs, train (query, doc id) pairs, test pairs on held-out documents
    d = embed(encoder, tok, corpus.docs)      # (N, d) L2-normalised mean-pooled embeddings
    q = pooled(encoder, ids, mask)            # the same, with gradients, for tokenized batches (training)
    rank_metrics(embed(encoder, tok, qs), d, gold)   -> {"mrr@10", "recall@1", "recall@10"}

The corpus: entity documents "The red otter called Kalomi lives in Nimvor and eats figs." and queries that name
the city and the food by invented **aliases** ("Which otter from Quorvil likes zabrel?"). A frozen encoder cannot
know the aliases, only the animal word, so its zero-shot ranking is far below ceiling; fine-tuning must learn the
alias -> word mapping, and the test documents' (city, food) pairs never occur in a training query.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from .encoder import embed, pooled   # one pooling for classifiers and retrievers (re-exported here)

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
    from .tasks import _ANIMALS, _word, fact_world
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


def msmarco_corpus(dataset_id: str = "Tevatron/msmarco-passage", n_train: int = 20000, n_test: int = 1000,
                   seed: int = 0, max_negatives: int = 7) -> Corpus:
    """MS MARCO passage ranking in Tevatron's format (gpu profiles; needs the hub once, then the local cache).

    Rows are {query, positive_passages: [{docid, title, text}], negative_passages: [...]} (BM25 negatives).
    Training queries come from train.jsonl.gz, test queries from dev.jsonl.gz; the document pool is every
    positive and negative passage of the sampled queries, so test queries are ranked among ~n·8 passages (a
    re-ranking-size pool, not the 8.8M-passage index).
    """
    from datasets import load_dataset
    base = f"hf://datasets/{dataset_id}"
    docs, index = [], {}

    def doc(p):
        if p["docid"] not in index:
            index[p["docid"]] = len(docs)
            docs.append(f"{p.get('title') or ''} {p['text']}".strip())
        return index[p["docid"]]

    out = {}
    for split, n in (("train", n_train), ("dev", n_test)):
        ds = load_dataset("json", data_files=f"{base}/{split}.jsonl.gz", split="train", streaming=True)
        pairs, negs = [], {}
        for row in ds.shuffle(seed=seed, buffer_size=10_000):
            if not row.get("positive_passages"):
                continue
            q = row["query"]
            pairs.append((q, doc(row["positive_passages"][0])))
            negs[q] = [doc(p) for p in (row.get("negative_passages") or [])[:max_negatives]]
            if len(pairs) >= n:
                break
        out[split] = (pairs, negs)
    return Corpus(docs, out["train"][0], out["dev"][0], {}, hard_negatives=out["train"][1])


def rank_metrics(q_emb: torch.Tensor, d_emb: torch.Tensor, gold, ks=(1, 10)) -> dict:
    """MRR@max(ks) and recall@k for one relevant document per query (dot-product scores, exact search).

    gold: the relevant document index of each query.
    """
    scores = q_emb.float() @ d_emb.float().T
    gold = torch.as_tensor(list(gold))
    rank = (scores > scores[torch.arange(len(gold)), gold][:, None]).sum(1) + 1      # 1 = best
    kmax = max(ks)
    out = {f"mrr@{kmax}": float(torch.where(rank <= kmax, 1.0 / rank, torch.zeros_like(rank, dtype=torch.float)).mean())}
    out.update({f"recall@{k}": float((rank <= k).float().mean()) for k in ks})
    return out


def info_nce(q: torch.Tensor, d: torch.Tensor, gold: torch.Tensor, tau: float = 0.05) -> torch.Tensor:
    """InfoNCE: −log softmax(q·d / τ) at the relevant document, over the candidate documents `d`."""
    return torch.nn.functional.cross_entropy(q @ d.T / tau, gold)
