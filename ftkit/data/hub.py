"""Hugging Face hub datasets: every loader the gpu profiles use, and the `load_*` dispatchers.

Each loader is a named function of the rows a notebook trains or evaluates on; it needs the hub once (then the
local HF cache) and imports `datasets` only when called. Tests run every loader on fake rows through a
monkeypatched `datasets.load_dataset`; no test reaches the network.

The dispatchers take a config's dataset name and choose: an offline name is served by the offline modules, any
other name by the hub loader here.

    load_pairs("reverse" | "meta-math/MetaMathQA" | ..., n)    # prompt/answer rows (synthetic family or HUB_PAIRS)
    load_images("mnist5k" | "uoft-cs/cifar100", n)             # (images, labels)
    load_edits("fact-world" | "azhx/counterfact", n)           # (edits, locality rows)
    forgetting_texts("wiki-sample" | "Salesforce/wikitext")    # held-out text for measuring forgetting
"""
from __future__ import annotations

import random

import numpy as np

from . import images, synthetic, text
from .synthetic import Corpus


def balanced(rows: list[dict], k: int, seed: int) -> list[dict]:
    """`k` rows of each label (fewer where a label has fewer), shuffled."""
    rng = random.Random(seed)
    out = [r for c in sorted({r["label"] for r in rows}) for r in rng.sample([r for r in rows if r["label"] == c],
                                                                            min(k, sum(r["label"] == c for r in rows)))]
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------------------------------------
# Dispatchers: an offline name or a hub id.
# ---------------------------------------------------------------------------------------------
# hub dataset id -> (prompt column, answer column) for load_pairs
HUB_PAIRS = {"meta-math/MetaMathQA": ("query", "response"), "allenai/tulu-v2-sft-mixture": ("messages", None),
             "openai/gsm8k": ("question", "answer")}


def load_pairs(dataset: str, n: int, seed: int = 0, length: int = 4) -> list[dict]:
    """Prompt/answer rows: a synthetic family name (offline) or a hub dataset id from HUB_PAIRS."""
    families = synthetic.PRETRAIN_FAMILIES + synthetic.NEW_FAMILIES
    if dataset in families:
        return list(synthetic.task(dataset, n, seed=seed, length=length))
    if dataset not in HUB_PAIRS:
        raise ValueError(f"unknown dataset {dataset!r}: use a task family {families} or one of {sorted(HUB_PAIRS)}")
    return hub_pairs(dataset, n, seed)


def load_images(dataset: str, n: int, seed: int = 0, image_col: str = "img", label_col: str = "fine_label"):
    """`n` shuffled (images, labels) from "mnist5k" (offline) or a hub image dataset such as
    "uoft-cs/cifar100" (train split; images float32 in [0, 1], (N, H, W) or (N, H, W, 3))."""
    if dataset != "mnist5k":
        return hub_images(dataset, n, seed, image_col, label_col)
    rng = np.random.default_rng(seed)
    x, y = images.mnist5k()
    if n > len(x):
        raise ValueError(f"mnist5k has {len(x)} images, {n} requested (lower n_train/n_val/n_test)")
    idx = rng.permutation(len(x))[:n]
    return x[idx], y[idx]


def load_edits(source: str, n: int, seed: int = 0, edit_template: int = 0, paraphrase_templates=(2, 6),
               world_seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Edits and locality rows from the fact world ("fact-world", offline) or CounterFact ("azhx/counterfact")."""
    if source == "fact-world":
        world = synthetic.fact_world(seed=world_seed)
        return synthetic.counterfactual_edits(world, n, seed, edit_template, paraphrase_templates)
    if source != "azhx/counterfact":
        raise ValueError(f"unknown edit source {source!r}: use 'fact-world' or 'azhx/counterfact'")
    return counterfact(n, seed, dataset=source)


def forgetting_texts(source: str = "wiki-sample", n: int = 64, seed: int = 0) -> list[str]:
    """Held-out pretraining-like text on which forgetting is measured (LM loss before vs after)."""
    if source == "wiki-sample":
        return text.wiki_chunks("heldout", n=n, seed=seed)
    return hub_texts(source, n, seed)


# ---------------------------------------------------------------------------------------------
# The hub branches of the dispatchers.
# ---------------------------------------------------------------------------------------------
def hub_pairs(dataset: str, n: int, seed: int = 0) -> list[dict]:
    """`n` shuffled prompt/answer rows of a HUB_PAIRS dataset (train split; chat data: first user -> first reply)."""
    from datasets import load_dataset
    p_col, a_col = HUB_PAIRS[dataset]
    ds = load_dataset(dataset, "main" if dataset == "openai/gsm8k" else None, split="train").shuffle(seed=seed).select(range(n))
    if a_col is None:   # chat format: first user turn -> first assistant turn
        return [{"prompt": m[0]["content"] + "\n", "answer": " " + m[1]["content"]} for m in ds[p_col] if len(m) >= 2]
    return [{"prompt": p + "\n", "answer": " " + a} for p, a in zip(ds[p_col], ds[a_col])]


def hub_images(dataset: str, n: int, seed: int = 0, image_col: str = "img", label_col: str = "fine_label"):
    """`n` shuffled (images float32 in [0, 1] as RGB (N, H, W, 3), labels int64) of a hub image set's train split."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split="train").shuffle(seed=seed).select(range(n))
    x = np.stack([np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0 for im in ds[image_col]])
    return x, np.asarray(ds[label_col], dtype=np.int64)


def hub_texts(dataset: str, n: int = 64, seed: int = 0) -> list[str]:
    """`n` test-split texts longer than 300 characters (wikitext-103 raw for "Salesforce/wikitext")."""
    from datasets import load_dataset
    ds = load_dataset(dataset, "wikitext-103-raw-v1" if dataset == "Salesforce/wikitext" else None, split="test")
    texts = [t for t in ds["text"] if len(t) > 300]
    rng = random.Random(seed)
    return rng.sample(texts, min(n, len(texts)))


def counterfact(n: int, seed: int = 0, dataset: str = "azhx/counterfact") -> tuple[list[dict], list[dict]]:
    """CounterFact edits (requested_rewrite / paraphrase_prompts / neighborhood_prompts, as released with ROME;
    the field names follow that release and were not checked against this hub copy) and 2 locality rows each."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split="train").shuffle(seed=seed).select(range(n))
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
# Classification and multiple-choice sets.
# ---------------------------------------------------------------------------------------------
SUPERGLUE_FIELDS = {"rte": ("premise", "hypothesis"), "cb": ("premise", "hypothesis"), "boolq": ("question", "passage")}


def superglue(task: str, n_per_class: int, n_test: int, seed: int = 0,
              dataset: str = "aps/super_glue") -> tuple[list[dict], list[dict]]:
    """SuperGLUE rte / cb / boolq as {"parts": [text, text], "label"}: `n_per_class` balanced training rows,
    and the first `n_test` validation rows."""
    from datasets import load_dataset
    sg = load_dataset(dataset, task)
    as_rows = lambda split: [{"parts": [r[f] for f in SUPERGLUE_FIELDS[task]], "label": int(r["label"])} for r in split]
    return balanced(as_rows(sg["train"]), n_per_class, seed), as_rows(sg["validation"])[:n_test]


def glue_sst2(n_train: int, n_test: int, seed: int = 0, dataset: str = "nyu-mll/glue") -> tuple[list[dict], list[dict]]:
    """GLUE SST-2 as {"text", "label"}: `n_train` shuffled training rows, the first `n_test` validation rows."""
    from datasets import load_dataset
    glue = load_dataset(dataset, "sst2")
    tr = glue["train"].shuffle(seed=seed).select(range(min(n_train, len(glue["train"]))))
    va = glue["validation"].select(range(min(n_test, len(glue["validation"]))))
    return [{"text": r["sentence"], "label": int(r["label"])} for r in tr], [{"text": r["sentence"], "label": int(r["label"])} for r in va]


def labelled_texts(dataset: str, split: str, n: int, seed: int = 0, text_key: str = "text") -> list[dict]:
    """Up to `n` shuffled {"text", "label"} rows of a text-classification set (imdb, yelp_polarity, sst2, ...)."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split=split).shuffle(seed=seed)
    return [{"text": r[text_key], "label": int(r["label"])} for r in ds.select(range(min(n, len(ds))))]


def sst2_balanced(n_per_class: int, n_test: int, seed: int = 0,
                  dataset: str = "stanfordnlp/sst2") -> tuple[list[dict], list[dict]]:
    """SST-2 as {"text", "label"}: `n_per_class` per label drawn from 20·n_per_class shuffled training rows, and
    `n_test` validation rows (shuffled with seed 0)."""
    train = balanced(labelled_texts(dataset, "train", 20 * n_per_class, seed, "sentence"), n_per_class, seed)
    return train, labelled_texts(dataset, "validation", n_test, 0, "sentence")


def truthfulqa_mc(n_train: int, seed: int = 0, dataset: str = "truthfulqa/truthful_qa") -> tuple[list[dict], list[dict]]:
    """TruthfulQA MC1 questions {"prompt", "choices" (true answer first), "chosen", "rejected" (a random wrong
    answer)}, shuffled: the first `n_train` for training, the second half for test (ITI-style split)."""
    from datasets import load_dataset
    ds = load_dataset(dataset, "multiple_choice", split="validation").shuffle(seed=seed)
    rng = random.Random(seed)
    qa = []
    for r in ds:
        ch, lab = r["mc1_targets"]["choices"], r["mc1_targets"]["labels"]
        true = ch[lab.index(1)]
        wrong = [c for c, l in zip(ch, lab) if l == 0]
        qa.append({"prompt": f"Q: {r['question']}\nA:", "choices": [" " + true] + [" " + c for c in wrong],
                   "chosen": " " + true, "rejected": " " + rng.choice(wrong)})
    return qa[:n_train], qa[len(qa) // 2:]


# ---------------------------------------------------------------------------------------------
# Generation sets (prompt/answer rows).
# ---------------------------------------------------------------------------------------------
def tldr_pairs(split: str, n: int, seed: int = 0, dataset: str = "trl-lib/tldr") -> list[dict]:
    """`n` shuffled Reddit TL;DR rows: the post (ending in "TL;DR:") -> the summary, with a leading space."""
    from datasets import load_dataset
    ds = load_dataset(dataset)
    return [{"prompt": r["prompt"], "answer": r["completion"] if r["completion"].startswith(" ") else " " + r["completion"]}
            for r in ds[split].shuffle(seed=seed).select(range(n))]


def xsum_pairs(split: str, n: int, seed: int = 0, dataset: str = "EdinburghNLP/xsum") -> list[dict]:
    """`n` shuffled XSum rows: the article (first 1500 characters) + "One-sentence summary:" -> the summary."""
    from datasets import load_dataset
    ds = load_dataset(dataset, revision="refs/convert/parquet", split=split).shuffle(seed=seed).select(range(n))
    return [{"prompt": d[:1500] + "\nOne-sentence summary:", "answer": " " + y.strip()} for d, y in zip(ds["document"], ds["summary"])]


def squad_pairs(split: str, n: int, seed: int = 0, dataset: str = "rajpurkar/squad", max_context: int = 1500) -> list[dict]:
    """`n` shuffled SQuAD v1.1 rows: "Context: ...\nQuestion: ...\nAnswer:" -> the first gold answer (leading
    space), with `answers` (all gold answers, stripped) and `context` kept for evaluation and noise injection."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split=split).shuffle(seed=seed).select(range(n))
    return [{"prompt": f"Context: {r['context'][:max_context]}\nQuestion: {r['question'].strip()}\nAnswer:",
             "answer": " " + r["answers"]["text"][0].strip(), "answers": [a.strip() for a in r["answers"]["text"]],
             "context": r["context"]} for r in ds]


# ---------------------------------------------------------------------------------------------
# Cross-lingual transfer (LT-SFT): Wikipedia text per language, NER source and target sets.
# ---------------------------------------------------------------------------------------------
def wikipedia_paragraphs(lang: str, n: int, skip: int = 0, dataset: str = "wikimedia/wikipedia") -> list[str]:
    """The first `n` paragraphs longer than 200 characters of the 2023-11-01 Wikipedia dump of `lang`, streamed
    from article `skip` on (fewer if the dump runs out)."""
    from datasets import load_dataset
    ds = load_dataset(dataset, f"20231101.{lang}", split="train", streaming=True)
    out = []
    for r in ds.skip(skip):
        out += [p for p in r["text"].split("\n") if len(p) > 200]
        if len(out) >= n:
            return out[:n]
    return out


def conll_ner(split: str, n: int, seed: int | None = None, dataset: str = "eriktks/conll2003") -> tuple[list[dict], list[str]]:
    """Up to `n` CoNLL-2003 sentences {"tokens", "tags"} (shuffled when `seed` is given) and the tag names."""
    from datasets import load_dataset
    ds = load_dataset(dataset, revision="refs/convert/parquet", split=split)
    if seed is not None:
        ds = ds.shuffle(seed=seed)
    rows = [{"tokens": r["tokens"], "tags": r["ner_tags"]} for r in ds.select(range(min(n, len(ds))))]
    return rows, ds.features["ner_tags"].feature.names


def masakhaner(lang: str, n: int, tag_names: list[str], dataset: str = "masakhane/masakhaner2") -> list[dict]:
    """Up to `n` MasakhaNER 2.0 test sentences of `lang` with tags mapped onto `tag_names` (a type that
    `tag_names` lacks, such as DATE for CoNLL, becomes tag 0, "O")."""
    from datasets import load_dataset
    ds = load_dataset(dataset, lang, split="test")
    to_src = [tag_names.index(t) if t in tag_names else 0 for t in ds.features["ner_tags"].feature.names]
    return [{"tokens": r["tokens"], "tags": [to_src[t] for t in r["ner_tags"]]} for r in ds.select(range(min(n, len(ds))))]


# ---------------------------------------------------------------------------------------------
# Retrieval.
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Super-NaturalInstructions (quick_learners): held-out test tasks with their definitions.
# ---------------------------------------------------------------------------------------------
def superni_prompt(definition: str, x: str, example: tuple[str, str] | None, mode: str = "def-pos",
                   task_number: int = 0) -> str:
    """Tk-Instruct's "def-pos" input (definition + one positive example), "def" (definition only), or the
    ablations "id" (an opaque task number only) and "none" (the input alone)."""
    head = ""
    if mode in ("def-pos", "def"):
        head = f"Definition: {definition}\n\n"
        if example is not None and mode == "def-pos":
            head += f"Positive Example 1 -\nInput: {example[0]}\nOutput: {example[1]}\n\n"
        head += "Now complete the following example -\n"
    elif mode == "id":
        head = f"Task {task_number}\n"
    elif mode != "none":
        raise ValueError(f"mode must be def-pos, def, id or none, got {mode!r}")
    return f"{head}Input: {x}\nOutput:"


def natural_instructions(n_tasks: int, n_per_task: int, n_test: int, seed: int = 0, mode: str = "def-pos",
                         dataset: str = "Muennighoff/natural-instructions", split: str = "test") -> tuple[list[dict], list[dict]]:
    """(fine-tuning rows, test rows) from `n_tasks` Super-NaturalInstructions tasks of `split` (the SuperNI test
    tasks: held out of Tk-Instruct's training). Tasks are the first n_tasks task names in sorted order (a fixed
    subset); within a task the rows are shuffled with the seed, the first n_test are the test set and the next
    n_per_task the fine-tuning pool. The positive example of each prompt is another instance of the same task
    (the mirror has no separate positive-example field). Rows: {prompt, answer, task, input}; the first target
    is the answer."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split=split)
    by_task: dict[str, list[int]] = {}
    for i, name in enumerate(ds["task_name"]):
        by_task.setdefault(name, []).append(i)
    train, test = [], []
    for k, name in enumerate(sorted(by_task)[:n_tasks]):
        idx = list(by_task[name])
        random.Random(f"superni/{name}/{seed}").shuffle(idx)
        rows = [ds[i] for i in idx[:n_test + n_per_task + 1]]
        target = lambda r: r["targets"][0] if isinstance(r["targets"], list) else r["targets"]
        for j, r in enumerate(rows[:-1] if len(rows) > 1 else rows):
            ex = rows[j + 1] if j + 1 < len(rows) else rows[0]
            row = {"prompt": superni_prompt(r["definition"], r["inputs"], (ex["inputs"], target(ex)), mode, k + 1),
                   "answer": " " + target(r), "task": name, "input": r["inputs"]}
            (test if j < n_test else train).append(row)
    return train, test


# --- SearchInstruct: real domain documents for the retrieval index (gpu profile) -----------------------------
def wikipedia_domain_paragraphs(keywords, n: int, lang: str = "en", max_articles: int = 20000,
                                dataset: str = "wikimedia/wikipedia") -> list[str]:
    """Up to `n` paragraphs (> 200 characters) of the 2023-11-01 Wikipedia dump of `lang` that mention one of
    `keywords` (case-insensitive): a keyword-filtered domain corpus for local RAG, streamed over at most
    `max_articles` articles."""
    from datasets import load_dataset
    keys = [k.lower() for k in keywords]
    ds = load_dataset(dataset, f"20231101.{lang}", split="train", streaming=True)
    out = []
    for i, r in enumerate(ds):
        if i >= max_articles:
            break
        out += [p for p in r["text"].split("\n") if len(p) > 200 and any(k in p.lower() for k in keys)]
        if len(out) >= n:
            return out[:n]
    return out


# --- AnyTaskTune: a real finance sub-task for the gpu profile -------------------------------------------------
def fingpt_sentiment(n_train: int, n_test: int, seed: int = 0, dataset: str = "FinGPT/fingpt-sentiment-train",
                     instruction: str = "headline sentiment: positive, negative or neutral",
                     max_chars: int = 600) -> tuple[list[dict], list[dict], tuple]:
    """Financial-news sentiment rows in the explicit sub-task format of `ftkit.data.subtasks`
    (`"<instruction> | <input> ->"`, answer " positive" / " negative" / " neutral"; FinGPT's graded outputs such as
    "moderately positive" map to their polarity; inputs cut to `max_chars` characters so the answer survives
    truncation), split into disjoint train / test rows, and the label set."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split="train").shuffle(seed=seed)
    labels = ("positive", "negative", "neutral")
    rows = []
    for r in ds:
        lab = next((x for x in labels if x in str(r["output"]).lower()), None)
        if lab is None:
            continue
        text = " ".join(str(r["input"]).split())[:max_chars]
        rows.append({"prompt": f"{instruction} | {text} ->", "answer": " " + lab, "input": text,
                     "domain": "finance", "subtask": "headline_sentiment", "heldout": False})
        if len(rows) >= n_train + n_test:
            break
    return rows[n_test:], rows[:n_test], labels


# --- GOT-D: a web-text candidate pool and a non-toxic target (gpu profile) ------------------------------------
def got_d_texts(n_pool: int, n_target: int, n_test: int, seed: int = 0, max_chars: int = 1000,
                pool_dataset: str = "Skylion007/openwebtext", target_dataset: str = "google/civil_comments",
                max_toxicity: float = 0.1) -> tuple[list[str], list[str], list[str]]:
    """GOT-D's detoxification track: `n_pool` OpenWebText passages (streamed, cut to `max_chars` characters, as the
    paper's 1,000-character chunks) as the candidate pool, and disjoint `n_target` / `n_test` non-toxic Civil Comments
    (toxicity < `max_toxicity`) as the unlabeled target and the held-out target texts."""
    from datasets import load_dataset
    pool = []
    for r in load_dataset(pool_dataset, split="train", streaming=True):
        t = " ".join(str(r["text"]).split())[:max_chars]
        if t:
            pool.append(t)
        if len(pool) >= n_pool:
            break
    ds = load_dataset(target_dataset, split="train").shuffle(seed=seed)
    target = []
    for r in ds:
        t = " ".join(str(r["text"]).split())[:max_chars]
        if t and float(r["toxicity"]) < max_toxicity:
            target.append(t)
        if len(target) >= n_target + n_test:
            break
    return pool, target[:n_target], target[n_target:n_target + n_test]


# --- UDS: MMLU as prompt/answer rows (auxiliary_train to fine-tune, test to evaluate) -------------------------
def mmlu_pairs(config: str, split: str, n: int, seed: int = 0, dataset: str = "cais/mmlu") -> list[dict]:
    """`n` shuffled MMLU rows as "Question: ...\nA. ...\nB. ...\nC. ...\nD. ...\nAnswer:" -> " B" (the gold letter),
    with `family` = the subject ("auxiliary" where a row has none). Some parquet copies of `auxiliary_train` nest
    each row under a `train` column; both layouts are read."""
    from datasets import load_dataset
    ds = load_dataset(dataset, config, split=split).shuffle(seed=seed)
    rows = []
    for r in ds.select(range(min(n, len(ds)))):
        r = r["train"] if "question" not in r and "train" in r else r
        opts = "\n".join(f"{'ABCD'[i]}. {str(c).strip()}" for i, c in enumerate(r["choices"][:4]))
        rows.append({"prompt": f"Question: {str(r['question']).strip()}\n{opts}\nAnswer:", "answer": " " + "ABCD"[int(r["answer"])],
                     "family": r.get("subject") or "auxiliary"})
    return rows


# --- S3FT: GSM8K with the gold final answer (for a format-agnostic judge) ---------------------------------
def gsm8k_judged_pairs(split: str, n: int, seed: int = 0, dataset: str = "openai/gsm8k") -> list[dict]:
    """`n` shuffled GSM8K (config `main`) rows as "Question: ...\nAnswer:" -> " <worked solution> #### 72" with
    `gold` = the final number after "####" (commas removed), for a judge that checks only the final answer."""
    from datasets import load_dataset
    ds = load_dataset(dataset, "main", split=split).shuffle(seed=seed)
    rows = []
    for r in ds.select(range(min(n, len(ds)))):
        sol = str(r["answer"]).strip()
        rows.append({"prompt": f"Question: {str(r['question']).strip()}\nAnswer:", "answer": " " + sol,
                     "gold": sol.split("####")[-1].strip().replace(",", ""), "task": "gsm8k"})
    return rows


# ---------------------------------------------------------------------------------------------
# Preference pairs (prompt/chosen/rejected rows).
# ---------------------------------------------------------------------------------------------
def min_length_prefs(n: int, seed: int = 0, split: str = "train", max_prompt_chars: int = 1000,
                     dataset: str = "Asap7772/relabeled_alpacafarm_pythiasft_20K_preference_data_minlength") -> list[dict]:
    """`n` shuffled "Min Length" preference rows (Tajwar et al. 2024): AlpacaFarm prompts with two Pythia-SFT
    responses, the shorter one preferred. Reads `prompt`/`chosen`/`rejected` columns, or AlpacaFarm's
    `instruction`(+`input`)/`output_1`/`output_2`/`preference` (1 or 2); rows whose responses tie are dropped."""
    from datasets import load_dataset
    ds = load_dataset(dataset, split=split).shuffle(seed=seed)
    rows = []
    for r in ds:
        if "chosen" in r and "rejected" in r:
            prompt, chosen, rejected = r.get("prompt") or r.get("instruction", ""), r["chosen"], r["rejected"]
        else:
            prompt = r["instruction"] + ("\n\n" + r["input"] if r.get("input") else "")
            a, b = r["output_1"], r["output_2"]
            chosen, rejected = (a, b) if int(r["preference"]) == 1 else (b, a)
        if chosen == rejected:
            continue
        rows.append({"prompt": str(prompt)[:max_prompt_chars], "chosen": str(chosen), "rejected": str(rejected)})
        if len(rows) == n:
            break
    return rows


# --- TL-Training: single-call tool use from Glaive function-calling v2 -------------------------------------
def glaive_tool_calls(n: int, seed: int = 0, split: str = "train", max_tools: int = 8,
                      dataset: str = "glaiveai/glaive-function-calling-v2") -> list[dict]:
    """`n` shuffled Glaive rows whose first assistant turn is a function call, in the row schema of
    `ftkit.data.tool_calls` (toolset {name: keys}, gold (name, args), user, call, turns, noisy=False): the JSON
    function specs of the `system` column become the toolset, the first `USER:` turn the request, and the first
    `<functioncall> {"name": ..., "arguments": '{...}'}` the gold call `name(key=value, ...)`. Rows whose specs or
    call do not parse, or whose argument values are not plain literals, are skipped."""
    import ast
    import json
    import re
    from datasets import load_dataset
    from ftkit.data.tool_calls import render_tools
    from ftkit.verifiers.tools import format_call, parse_call
    ds = load_dataset(dataset, split=split).shuffle(seed=seed)
    dec = json.JSONDecoder()
    rows = []
    for r in ds:
        system, chat = str(r.get("system", "")), str(r.get("chat", ""))
        toolset, i = {}, system.find("{")
        while i != -1:
            try:
                spec, end = dec.raw_decode(system, i)
            except ValueError:
                break
            if isinstance(spec, dict) and "name" in spec:
                toolset[spec["name"]] = list((spec.get("parameters") or {}).get("properties") or {})
            i = system.find("{", end)
        m = re.search(r"USER:(.*?)ASSISTANT:\s*<functioncall>\s*(.*?)\s*(<\|endoftext\|>|\n\n|$)", chat, re.S)
        if not toolset or len(toolset) > max_tools or not m:
            continue
        try:
            blob = m.group(2)
            name = json.loads(re.sub(r"\"arguments\":\s*'(.*)'", lambda g: '"arguments": ' + json.dumps(g.group(1)), blob))["name"]
            raw = re.search(r"\"arguments\":\s*'(.*)'", blob) or re.search(r"\"arguments\":\s*(\{.*\})", blob)
            args = json.loads(raw.group(1)) if raw else {}
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if name not in toolset or not isinstance(args, dict):
            continue
        call = format_call(name, args)
        try:
            ast.literal_eval(repr(args))
        except (ValueError, SyntaxError):
            continue
        if parse_call(call) != (name, args):
            continue
        user = " ".join(m.group(1).split())
        rows.append({"toolset": toolset, "gold": (name, args), "user": user, "call": call,
                     "turns": [("System", render_tools(toolset)), ("User", user), ("Assistant", call)],
                     "noisy": False, "error_kind": None})
        if len(rows) == n:
            break
    return rows


# --- LogicLLaMA: MALLS NL-FOL pairs (gpu profile of logicllama) ----------------------------------------------------
def malls_nl_fol(split: str, n: int, seed: int = 0, dataset: str = "yuan-yang/MALLS-v0", max_atoms: int = 8) -> list[dict]:
    """MALLS (GPT-4-generated NL/FOL pairs, CC BY-NC 4.0) as rows {"nl", "fol"}: split "train" / "test" reads
    `MALLS-v0.1-{split}.json`, "folio" the parsed FOLIO file. Each FOL is parsed by `ftkit.verifiers.fol` and
    rewritten in the ASCII form of `ftkit.data.nl_fol`; rows that do not parse or have > max_atoms atoms are skipped."""
    from datasets import load_dataset

    from ftkit.data.nl_fol import to_ascii
    from ftkit.verifiers import fol
    files = {"train": "MALLS-v0.1-train.json", "test": "MALLS-v0.1-test.json", "folio": "folio_parsed.json"}
    ds = load_dataset("json", data_files=f"hf://datasets/{dataset}/{files[split]}", split="train").shuffle(seed=seed)
    rows = []
    for r in ds:
        nl, text = str(r.get("NL") or "").strip(), str(r.get("FOL") or "").strip()
        try:
            tree = fol.parse(text)
        except fol.FOLSyntaxError:
            continue
        if not nl or len(fol.atoms(tree)) > max_atoms:
            continue
        rows.append({"nl": nl, "fol": to_ascii(tree)})
        if len(rows) == n:
            break
    return rows


# --- iTool: ToolACE single-call turns (gpu profile of itool_mcts_pref) ------------------------------------------------
def toolace_calls(n: int, seed: int = 0, dataset: str = "Team-ACE/ToolACE", max_prompt_chars: int = 2000) -> list[dict]:
    """ToolACE (`data.json`: {"system", "conversations": [{"from", "value"}]}) as single-call rows
    {"prompt", "answer", "gold", "difficulty"}: the first user turn and the assistant turn after it when that turn is
    one call `[name(k=v, ...)]` that `ftkit.verifiers.tools.parse_call` reads. The prompt is the system text (the tool
    list, cut to max_prompt_chars) + `user: ...\\ncall: `; the answer is the call in `format_call` form; difficulty
    (the warm-up curriculum) is easy / medium / hard for <= 1 / 2 / >= 3 arguments."""
    from datasets import load_dataset

    from ftkit.verifiers.tools import format_call, parse_call
    ds = load_dataset("json", data_files=f"hf://datasets/{dataset}/data.json", split="train").shuffle(seed=seed)
    rows = []
    for r in ds:
        conv = r.get("conversations") or []
        if len(conv) < 2 or conv[0].get("from") != "user" or conv[1].get("from") != "assistant":
            continue
        text = str(conv[1].get("value") or "").strip()
        if not (text.startswith("[") and text.endswith("]")):
            continue
        call = parse_call(text[1:-1])
        if call is None:
            continue
        name, args = call
        system = str(r.get("system") or "")[:max_prompt_chars]
        rows.append({"prompt": f"{system}\nuser: {' '.join(str(conv[0]['value']).split())}\ncall: ",
                     "answer": format_call(name, args), "gold": (name, args),
                     "difficulty": "easy" if len(args) <= 1 else "medium" if len(args) == 2 else "hard"})
        if len(rows) == n:
            break
    return rows
