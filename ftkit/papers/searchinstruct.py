"""SearchInstruct: Enhancing Domain Adaptation via Retrieval-Based Instruction Dataset Creation (arXiv 2509.10708).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: a new
fact "domain" disjoint from the zoo model's world, its document corpus, and the rule-based stand-ins for the
paper's LLM steps (query expansion, search-query rewriting, context-grounded answering) plus a dense index.
"""
from ftkit.catalog import Profile

import random
import re

import torch

from ftkit.data import synthetic

PROFILE = Profile(
    claim='Instructions expanded from a few seeds and answered from retrieved domain documents teach a model a domain it lacked far better than seed-only SFT or the same instructions answered closed-book by the model itself.',
    smoke_seconds=39,
    dry_run_seconds=19,
    gpu=dict(
        student_model_id='Qwen/Qwen2.5-0.5B-Instruct',
        retriever_id='sentence-transformers/all-MiniLM-L6-v2',
        corpus='wikimedia/wikipedia',
        n_wiki=2000,
        n_subjects=40,
        n_seed_subjects=8,
        n_seeds=12,
        top_k=3,
        steps=300,
        batch_size=16,
        lr=2e-4,
        lora_rank=16,
        n_edits=5,
        orpo_steps=60,
        orpo_lr=5e-5,
        max_len=64,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=1500,
    dry_run=dict(
        student_model_id='ftkit/tiny-llama',
        corpus='synthetic',
        n_wiki=0,
        n_subjects=8,
        n_seed_subjects=2,
        n_seeds=3,
        steps=2,
        batch_size=4,
        lora_rank=2,
        n_edits=2,
        orpo_steps=2,
        max_len=48,
    ),
    ranges=dict(
        n_wiki=(0, 1000000),
        n_subjects=(4, 1000),
        n_seed_subjects=(1, 1000),
        n_seeds=(1, 100000),
        top_k=(1, 5),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        lora_rank=(0, 4096),
        n_edits=(1, 1000),
        orpo_steps=(1, 1000000),
        orpo_lr=(0, 1),
        orpo_beta=(0, 100),
        max_len=(8, 8192),
    ),
    choices=dict(
        corpus=['synthetic', 'wikimedia/wikipedia'],
        student_model_id=['ftkit/tiny-llama', 'Qwen/Qwen2.5-0.5B-Instruct', 'HuggingFaceTB/SmolLM2-135M-Instruct'],
        retriever_id=['sentence-transformers/all-MiniLM-L6-v2'],
    ),
)


TRAIN_TEMPLATES = (0, 1, 3, 4, 5)          # the expansion's "paraphrase bank" (templates of synthetic.RELATIONS)
HELD_OUT_TEMPLATES = (2, 6)                # another template family: held-out questions only

# Document templates: one fact sentence (with the object) + one distractor sentence about the same subject.
# The extractive answerer (a stand-in for LLM_answer) reads the object back with the matching regex.
DOC_FACT = {
    "capital": ["Most trains in {s} end their journey in {o}, the capital.", "{o} has been the capital of {s} for two centuries."],
    "language": ["The people of {s} mostly speak {o} at home.", "Schools across {s} teach in {o}, the main language."],
    "animal": ["The {o} is the national animal of {s}.", "Hunting the {o}, emblem of {s}, is forbidden."],
}
DOC_REGEX = {
    "capital": [r"Most trains in {s} end their journey in (\w+), the capital", r"(\w+) has been the capital of {s}\b"],
    "language": [r"The people of {s} mostly speak (\w+)", r"Schools across {s} teach in (\w+)"],
    "animal": [r"The (\w+) is the national animal of {s}\b", r"Hunting the (\w+), emblem of {s}\b"],
}
DISTRACTORS = ["{s} exports wool, timber and dried fish.", "The winters in {s} are long and wet.",
               "Tourists in {s} often visit the old harbour.", "{s} holds an election every five years.",
               "Football is the most popular sport in {s}.", "The mountains of {s} are rich in copper."]
QUERY_WORDS = {"capital": "capital city", "language": "language spoken", "animal": "national animal"}


def domain_world(n_subjects: int = 40, seed: int = 15, relations=("language", "animal")) -> synthetic.FactWorld:
    """A fact world of `n_subjects` fictional countries that shares no country and no capital name with the
    world the zoo models were trained on (synthetic.fact_world(seed=0)): a domain the model lacks.
    relations: the subset of synthetic.RELATIONS the domain asks about."""
    known = synthetic.fact_world(seed=0)
    names = set(known.subjects) | set(known.facts.values())
    big = synthetic.fact_world(n_subjects=3 * n_subjects, seed=seed)
    keep = [s for s in big.subjects if s not in names and big.facts[(s, "capital")] not in names]
    keep = sorted(random.Random(f"domain-{seed}").sample(keep, n_subjects))
    rels = {r: synthetic.RELATIONS[r] for r in relations}
    return synthetic.FactWorld(keep, {(s, r): big.facts[(s, r)] for s in keep for r in rels}, rels)


def corpus(world: synthetic.FactWorld, seed: int = 0, distractors: int = 1) -> list[dict]:
    """Domain documents: per fact one chunk (a fact sentence in one of two styles + a distractor sentence), plus
    `distractors` fact-free chunks per subject. Rows: text, subject, relation (None for distractor chunks)."""
    rng = random.Random(f"corpus-{seed}")
    out = []
    for s in world.subjects:
        for r in world.relations:
            fact = rng.choice(DOC_FACT[r]).format(s=s, o=world.facts[(s, r)])
            dis = rng.choice(DISTRACTORS).format(s=s)
            out.append({"text": " ".join([fact, dis] if rng.random() < 0.5 else [dis, fact]), "subject": s, "relation": r})
        for _ in range(distractors):
            out.append({"text": " ".join(d.format(s=s) for d in rng.sample(DISTRACTORS, 2)), "subject": s, "relation": None})
    return out


def seed_questions(world, subjects, n: int, seed: int = 0) -> list[dict]:
    """The "human" seeds: n questions about the given subjects, in training templates, with gold answers; the
    relations take turns (the paper's seed guideline asks annotators to cover every sub-category)."""
    rng = random.Random(f"seeds-{seed}")
    rels = list(world.relations)
    pools = {r: [(s, t) for s in subjects for t in TRAIN_TEMPLATES] for r in rels}
    for r in rels:
        rng.shuffle(pools[r])
    picks = [(r, pools[r][i // len(rels)]) for i, r in ((i, rels[i % len(rels)]) for i in range(n))]
    return [world.render(s, r, t) for r, (s, t) in picks]


def expand(seeds: list[dict], world, subjects, templates=TRAIN_TEMPLATES) -> list[dict]:
    """Rule-based stand-in for the LLM expansion step: every seed's relation is paraphrased through the template
    bank and its entity substituted by every domain subject. Rows carry prompt, subject, relation, template
    (no answer: answers come later, from retrieval or closed-book)."""
    rels = sorted({q["relation"] for q in seeds})
    out = []
    for s in subjects:
        for r in rels:
            for t in templates:
                out.append({"prompt": world.relations[r][t].format(s=s), "subject": s, "relation": r, "template": t})
    return out


def rewrite(row: dict) -> str:
    """Rule-based stand-in for the LLM search-query rewriter: the entity plus the relation's corpus vocabulary."""
    return f"{QUERY_WORDS[row['relation']]} of {row['subject']}"


def index(encoder, tokenizer, texts: list[str], **kw) -> torch.Tensor:
    """A dense index: L2-normalised mean-pooled sentence vectors (MiniLM's own pooling), shape (N, d)."""
    from ftkit import encoder as enc
    return enc.embed(encoder, tokenizer, texts, **kw)


def top_k(query_vecs: torch.Tensor, doc_vecs: torch.Tensor, k: int) -> list[list[int]]:
    """Indices of the k documents of highest cosine similarity for each query (vectors already normalised)."""
    return (query_vecs @ doc_vecs.T).topk(k, dim=1).indices.tolist()


def recall_at_k(rows: list[dict], hits: list[list[int]], docs: list[dict]) -> float:
    """Share of rows whose gold chunk (same subject and relation) is among the retrieved ones."""
    ok = [any(docs[j]["subject"] == r["subject"] and docs[j]["relation"] == r["relation"] for j in h)
          for r, h in zip(rows, hits)]
    return sum(ok) / max(1, len(ok))


def grounded_answer(row: dict, chunks: list[str]) -> str | None:
    """Rule-based stand-in for LLM_answer(i, C_i): the object of the asked relation about the asked subject, read
    from the first retrieved chunk that states it; None (abstain) when no retrieved chunk does."""
    for c in chunks:
        for pat in DOC_REGEX[row["relation"]]:
            m = re.search(pat.format(s=re.escape(row["subject"])), c)
            if m:
                return " " + m.group(1)
    return None


def new_name(rng: random.Random) -> str:
    """A fresh fictional name (two syllables of the fact world's alphabet), e.g. for a person in a new document."""
    return synthetic._word(rng, 2)


def first_word(text: str) -> str:
    """A closed-book generation cut to its first word, in the answer format " word" ("" stays "")."""
    w = re.findall(r"[\w']+", text)
    return " " + w[0] if w else ""
