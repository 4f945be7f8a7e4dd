"""ftkit.data.hub: the dispatchers, and every gpu-profile hub loader on fake rows (no network in tests).

`datasets.load_dataset` is monkeypatched to serve small in-memory `datasets.Dataset`s, so shuffling and selection
behave as on the hub.
"""
from types import SimpleNamespace

import numpy as np
import pytest
from datasets import ClassLabel, Dataset, Features, Image, Sequence, Value

from ftkit.data import hub, synthetic, text


@pytest.fixture
def fake_hub(monkeypatch):
    """`fake_hub.tables[(path, config name, split)] = table`; `fake_hub.calls` logs the keyword arguments."""
    import datasets
    state = SimpleNamespace(tables={}, calls=[])

    def load_dataset(path, name=None, split=None, **kw):
        state.calls.append((path, name, split, kw))
        return state.tables[(path, name, split)]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return state


def rows_of(n, **cols):
    """n rows whose columns are built by the given functions of the row index."""
    return Dataset.from_list([{k: f(i) for k, f in cols.items()} for i in range(n)])


# --- dispatchers -------------------------------------------------------------------------------
def test_load_pairs_offline_and_unknown():
    assert hub.load_pairs("reverse", 5, seed=2, length=3) == list(synthetic.task("reverse", 5, seed=2, length=3))
    with pytest.raises(ValueError, match="unknown dataset"):
        hub.load_pairs("no/such-dataset", 3)


def test_load_pairs_hub_columns_and_chat_format(fake_hub):
    fake_hub.tables["openai/gsm8k", "main", "train"] = rows_of(10, question=lambda i: f"q{i}", answer=lambda i: f"a{i}")
    rows = hub.load_pairs("openai/gsm8k", 4, seed=1)
    order = fake_hub.tables["openai/gsm8k", "main", "train"].shuffle(seed=1)["question"][:4]
    assert [r["prompt"] for r in rows] == [q + "\n" for q in order]
    assert all(r["answer"] == " a" + r["prompt"][1:-1] for r in rows)
    chat = lambda i: [{"role": "user", "content": f"u{i}"}] + ([{"role": "assistant", "content": f"r{i}"}] if i % 2 else [])
    fake_hub.tables["allenai/tulu-v2-sft-mixture", None, "train"] = rows_of(10, messages=chat)
    rows = hub.load_pairs("allenai/tulu-v2-sft-mixture", 6, seed=0)
    assert 0 < len(rows) < 6 and all(r["answer"] == " r" + r["prompt"][1:-1] for r in rows)   # single-turn rows dropped


def test_load_images_offline_and_hub(fake_hub, monkeypatch):
    digits = np.arange(100, dtype=np.float32).repeat(4).reshape(100, 2, 2), np.arange(100) % 10   # stands in for MNIST-5k
    monkeypatch.setattr(hub.images, "mnist5k", lambda: digits)
    x, y = hub.load_images("mnist5k", 50, seed=0)
    idx = np.random.default_rng(0).permutation(100)[:50]
    assert np.array_equal(x, digits[0][idx]) and np.array_equal(y, digits[1][idx])
    with pytest.raises(ValueError, match="mnist5k has"):
        hub.load_images("mnist5k", 101)
    import PIL.Image
    pics = [PIL.Image.new("L", (4, 3), color=20 * i) for i in range(6)]
    fake_hub.tables["uoft-cs/cifar100", None, "train"] = Dataset.from_dict(
        {"img": pics, "fine_label": list(range(6))}, features=Features({"img": Image(), "fine_label": Value("int64")}))
    x, y = hub.load_images("uoft-cs/cifar100", 4, seed=3)
    assert x.shape == (4, 3, 4, 3) and x.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist() == fake_hub.tables["uoft-cs/cifar100", None, "train"].shuffle(seed=3)["fine_label"][:4]
    assert np.allclose(x[:, 0, 0, 0], 20 * y / 255.0)


def test_load_edits_offline_unknown_and_counterfact(fake_hub):
    assert hub.load_edits("fact-world", 5, seed=1) == synthetic.counterfactual_edits(synthetic.fact_world(seed=0), 5, 1)
    with pytest.raises(ValueError, match="unknown edit source"):
        hub.load_edits("nope", 3)
    rw = lambda i: {"subject": f"S{i}", "prompt": "{} plays", "relation_id": "P1",
                    "target_new": {"str": "chess "}, "target_true": {"str": "golf"}}
    fake_hub.tables["azhx/counterfact", None, "train"] = rows_of(
        5, requested_rewrite=rw, paraphrase_prompts=lambda i: [f"p{i}a", f"p{i}b"], neighborhood_prompts=lambda i: ["n1", "n2", "n3"])
    edits, loc = hub.load_edits("azhx/counterfact", 3, seed=0)
    assert len(edits) == 3 and len(loc) == 6
    e = edits[0]
    assert e["prompt"] == f"{e['subject']} plays" and e["answer"] == " chess" and e["old_answer"] == " golf"
    assert e["paraphrases"][0] == {"prompt": f"p{e['subject'][1:]}a", "answer": " chess"}
    assert loc[:2] == [{"prompt": "n1", "answer": " golf"}, {"prompt": "n2", "answer": " golf"}]


def test_forgetting_texts_offline_and_hub(fake_hub):
    assert hub.forgetting_texts("wiki-sample", n=3, seed=1) == text.wiki_chunks("heldout", n=3, seed=1)
    fake_hub.tables["Salesforce/wikitext", "wikitext-103-raw-v1", "test"] = rows_of(20, text=lambda i: "x" * (100 + 30 * i))
    out = hub.forgetting_texts("Salesforce/wikitext", n=50, seed=0)
    assert len(out) == 13 and all(len(t) > 300 for t in out)          # only texts over 300 characters; n capped
    assert hub.forgetting_texts("Salesforce/wikitext", n=4, seed=2) == hub.forgetting_texts("Salesforce/wikitext", n=4, seed=2)


# --- classification and multiple choice --------------------------------------------------------
def test_balanced_takes_k_per_label_or_all_of_a_rare_label():
    rows = [{"label": i % 3, "i": i} for i in range(20)] + [{"label": 3, "i": 99}]
    out = hub.balanced(rows, 4, seed=0)
    assert sorted(r["label"] for r in out) == [0] * 4 + [1] * 4 + [2] * 4 + [3]
    assert out == hub.balanced(rows, 4, seed=0) != hub.balanced(rows, 4, seed=1)


def test_superglue_rows(fake_hub):
    split = lambda n: rows_of(n, premise=lambda i: f"p{i}", hypothesis=lambda i: f"h{i}", label=lambda i: i % 3)
    fake_hub.tables["aps/super_glue", "cb", None] = {"train": split(30), "validation": split(12)}
    train, test = hub.superglue("cb", n_per_class=5, n_test=7, seed=0)
    assert sorted(r["label"] for r in train) == [0] * 5 + [1] * 5 + [2] * 5
    assert all(r["parts"] == [f"p{i}", f"h{i}"] for r in train for i in [int(r["parts"][0][1:])])
    assert test == [{"parts": [f"p{i}", f"h{i}"], "label": i % 3} for i in range(7)]
    fake_hub.tables["aps/super_glue", "boolq", None] = {
        s: rows_of(6, question=lambda i: f"q{i}", passage=lambda i: f"t{i}", label=lambda i: i % 2) for s in ("train", "validation")}
    train, _ = hub.superglue("boolq", 2, 2, seed=1)
    assert train[0]["parts"][0].startswith("q") and train[0]["parts"][1].startswith("t")


def test_glue_sst2(fake_hub):
    tr = rows_of(50, sentence=lambda i: f"s{i}", label=lambda i: i % 2)
    fake_hub.tables["nyu-mll/glue", "sst2", None] = {"train": tr, "validation": rows_of(5, sentence=lambda i: f"v{i}", label=lambda i: 1)}
    train, test = hub.glue_sst2(n_train=8, n_test=10, seed=4)
    assert [r["text"] for r in train] == tr.shuffle(seed=4)["sentence"][:8]
    assert all(r["label"] == int(r["text"][1:]) % 2 for r in train)
    assert test == [{"text": f"v{i}", "label": 1} for i in range(5)]        # n_test capped at the split size


def test_labelled_texts_and_sst2_balanced(fake_hub):
    fake_hub.tables["imdb", None, "test"] = rows_of(9, text=lambda i: f"r{i}", label=lambda i: i % 2)
    out = hub.labelled_texts("imdb", "test", 20, seed=0)
    assert [r["text"] for r in out] == fake_hub.tables["imdb", None, "test"].shuffle(seed=0)["text"]
    tr = rows_of(200, sentence=lambda i: f"s{i}", label=lambda i: int(i % 4 == 0))
    fake_hub.tables["stanfordnlp/sst2", None, "train"] = tr
    fake_hub.tables["stanfordnlp/sst2", None, "validation"] = rows_of(30, sentence=lambda i: f"v{i}", label=lambda i: i % 2)
    train, test = hub.sst2_balanced(n_per_class=3, n_test=10, seed=5)
    pool = {f"s{i}" for i in range(200)} & set(tr.shuffle(seed=5)["sentence"][:60])   # drawn from 20 · n_per_class rows
    assert sorted(r["label"] for r in train) == [0, 0, 0, 1, 1, 1] and {r["text"] for r in train} <= pool
    assert [r["text"] for r in test] == fake_hub.tables["stanfordnlp/sst2", None, "validation"].shuffle(seed=0)["sentence"][:10]


def test_truthfulqa_mc(fake_hub):
    mc = lambda i: {"choices": [f"w{i}a", f"t{i}", f"w{i}b"], "labels": [0, 1, 0]}
    fake_hub.tables["truthfulqa/truthful_qa", "multiple_choice", "validation"] = rows_of(10, question=lambda i: f"Q{i}?", mc1_targets=mc)
    train, test = hub.truthfulqa_mc(n_train=3, seed=0)
    assert len(train) == 3 and len(test) == 5
    for q in train + test:
        i = q["prompt"][4:-4]
        assert q["prompt"] == f"Q: Q{i}?\nA:" and q["choices"] == [f" t{i}", f" w{i}a", f" w{i}b"]
        assert q["chosen"] == f" t{i}" and q["rejected"] in q["choices"][1:]
    assert hub.truthfulqa_mc(3, seed=0) == (train, test)


# --- generation sets ---------------------------------------------------------------------------
def test_tldr_pairs(fake_hub):
    comp = lambda i: f" sum{i}" if i % 2 else f"sum{i}"
    fake_hub.tables["trl-lib/tldr", None, None] = {s: rows_of(10, prompt=lambda i: f"post{i} TL;DR:", completion=comp)
                                                   for s in ("train", "validation")}
    rows = hub.tldr_pairs("validation", 4, seed=2)
    assert len(rows) == 4 and all(r["answer"] == " sum" + r["prompt"][4:-7] for r in rows)
    assert [r["prompt"] for r in rows] == fake_hub.tables["trl-lib/tldr", None, None]["validation"].shuffle(seed=2)["prompt"][:4]


def test_xsum_pairs(fake_hub):
    fake_hub.tables["EdinburghNLP/xsum", None, "train"] = rows_of(6, document=lambda i: f"{i}" * 2000, summary=lambda i: f" s{i} \n")
    rows = hub.xsum_pairs("train", 3, seed=0)
    assert fake_hub.calls[-1][3] == {"revision": "refs/convert/parquet"}
    assert len(rows) == 3 and all(r["prompt"].endswith("\nOne-sentence summary:") and len(r["prompt"]) == 1500 + 22 for r in rows)
    assert all(r["answer"] == " s" + r["prompt"][0] for r in rows)


def test_squad_pairs(fake_hub):
    ans = lambda i: {"text": [f" span{i} ", f"alt{i}"], "answer_start": [0, 5]}
    fake_hub.tables["rajpurkar/squad", None, "validation"] = rows_of(8, context=lambda i: f"ctx{i} " * 400,
                                                                     question=lambda i: f" q{i}? ", answers=ans)
    rows = hub.squad_pairs("validation", 3, seed=1)
    order = fake_hub.tables["rajpurkar/squad", None, "validation"].shuffle(seed=1)
    assert len(rows) == 3 and [r["context"] for r in rows] == order["context"][:3]
    for r in rows:
        i = r["context"].split()[0][3:]
        assert r["prompt"] == f"Context: {r['context'][:1500]}\nQuestion: q{i}?\nAnswer:"
        assert r["answer"] == f" span{i}" and r["answers"] == [f"span{i}", f"alt{i}"]


# --- cross-lingual transfer --------------------------------------------------------------------
def test_wikipedia_paragraphs_streams_long_paragraphs(fake_hub):
    long = "y" * 250
    arts = rows_of(10, text=lambda i: f"{long}{i}a\nshort\n{long}{i}b").to_iterable_dataset()
    fake_hub.tables["wikimedia/wikipedia", "20231101.sw", "train"] = arts
    assert hub.wikipedia_paragraphs("sw", 3) == [f"{long}0a", f"{long}0b", f"{long}1a"]
    assert fake_hub.calls[-1][3] == {"streaming": True}
    assert hub.wikipedia_paragraphs("sw", 2, skip=8) == [f"{long}8a", f"{long}8b"]
    assert len(hub.wikipedia_paragraphs("sw", 100, skip=5)) == 10               # the dump runs out


def test_conll_and_masakhaner_tags(fake_hub):
    conll_tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    conll = lambda n: Dataset.from_list(
        [{"tokens": [f"w{i}"], "ner_tags": [i % 5]} for i in range(n)],
        features=Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=conll_tags))}))
    fake_hub.tables["eriktks/conll2003", None, "train"] = conll(20)
    fake_hub.tables["eriktks/conll2003", None, "test"] = conll(4)
    train, names = hub.conll_ner("train", 6, seed=1)
    assert names == conll_tags and len(train) == 6
    assert [r["tokens"][0] for r in train] == [t[0] for t in conll(20).shuffle(seed=1)["tokens"][:6]]
    test, _ = hub.conll_ner("test", 10)
    assert [r["tokens"] for r in test] == [["w0"], ["w1"], ["w2"], ["w3"]] and test[1]["tags"] == [1]
    assert fake_hub.calls[-1][3] == {"revision": "refs/convert/parquet"}
    swa_tags = ["O", "B-DATE", "B-PER", "B-LOC"]
    fake_hub.tables["masakhane/masakhaner2", "swa", "test"] = Dataset.from_list(
        [{"tokens": ["a", "b", "c", "d"], "ner_tags": [0, 1, 2, 3]}] * 3,
        features=Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=swa_tags))}))
    rows = hub.masakhaner("swa", 2, names)
    assert rows == [{"tokens": ["a", "b", "c", "d"], "tags": [0, 0, 1, 3]}] * 2             # DATE -> O


# --- retrieval ---------------------------------------------------------------------------------
def test_msmarco_corpus_reads_tevatron_rows(monkeypatch):
    """The gpu-profile loader, on fake Tevatron-format rows (the hub is not reachable in tests)."""
    import datasets

    def row(i, split):
        return {"query_id": str(i), "query": f"{split} question {i}",
                "positive_passages": [{"docid": f"p{i}", "title": "T", "text": f"answer {i}"}],
                "negative_passages": [{"docid": f"n{i}{k}", "title": "", "text": f"other {i} {k}"} for k in range(3)]}

    class Fake(list):
        def shuffle(self, seed, buffer_size):
            return self

    def fake_load(kind, data_files, split, streaming):
        assert kind == "json" and data_files.startswith("hf://datasets/Tevatron/msmarco-passage/")
        name = "train" if data_files.endswith("train.jsonl.gz") else "dev"
        return Fake([row(i + (0 if name == "train" else 100), name) for i in range(5)] + [{"query": "x", "positive_passages": []}])

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    c = hub.msmarco_corpus(n_train=4, n_test=2, max_negatives=2)
    assert isinstance(c, synthetic.Corpus) and len(c.train) == 4 and len(c.test) == 2
    q, d = c.train[0]
    assert q == "train question 0" and c.docs[d] == "T answer 0"
    assert [c.docs[i] for i in c.hard_negatives[q]] == ["other 0 0", "other 0 1"]
    assert c.docs[c.test[1][1]] == "T answer 101" and len(c.docs) == 4 * 3 + 2 * 3


def test_natural_instructions_rows(fake_hub):
    task = lambda i: f"task{i % 3}"
    fake_hub.tables["Muennighoff/natural-instructions", None, "test"] = rows_of(
        30, task_name=task, definition=lambda i: f"Do {task(i)}.", inputs=lambda i: f"in{i}", targets=lambda i: [f"out{i}"])
    train, test = hub.natural_instructions(n_tasks=2, n_per_task=4, n_test=3, seed=1)
    assert len(test) == 6 and len(train) == 8 and {r["task"] for r in train + test} == {"task0", "task1"}
    assert not {r["input"] for r in train} & {r["input"] for r in test}
    for r in train + test:
        i = r["input"][2:]
        assert r["answer"] == f" out{i}" and r["prompt"].startswith(f"Definition: Do {r['task']}.\n\nPositive Example 1 -")
        assert r["prompt"].endswith(f"Now complete the following example -\nInput: in{i}\nOutput:")
        ex = r["prompt"].split("Positive Example 1 -\nInput: ")[1].split("\n")
        assert ex[0] != r["input"] and ex[1] == f"Output: out{ex[0][2:]}"
    assert hub.natural_instructions(2, 4, 3, seed=1) == (train, test)
    idr = hub.natural_instructions(2, 4, 3, seed=1, mode="id")[1][0]
    assert idr["prompt"].startswith("Task 1\nInput: ") and "Definition" not in idr["prompt"]
    d = hub.natural_instructions(2, 4, 3, seed=1, mode="def")[1][0]["prompt"]
    assert d.startswith("Definition: Do task") and "Positive Example" not in d


# --- searchinstruct ------------------------------------------------------------------------------
def test_wikipedia_domain_paragraphs_filters_by_keyword(fake_hub):
    long = "z" * 210
    arts = rows_of(6, text=lambda i: f"{long} Cuisine {i}\n{long} other {i}\nshort cuisine").to_iterable_dataset()
    fake_hub.tables["wikimedia/wikipedia", "20231101.en", "train"] = arts
    assert hub.wikipedia_domain_paragraphs(["cuisine"], 2) == [f"{long} Cuisine 0", f"{long} Cuisine 1"]
    assert fake_hub.calls[-1][3] == {"streaming": True}
    assert len(hub.wikipedia_domain_paragraphs(["cuisine", "OTHER"], 100)) == 12                # the dump runs out
    assert hub.wikipedia_domain_paragraphs(["cuisine"], 100, max_articles=3) == [f"{long} Cuisine {i}" for i in range(3)]


# --- anytasktune ---------------------------------------------------------------------------------
def test_fingpt_sentiment_rows_labels_and_split(fake_hub):
    outs = ["positive", "moderately negative", "neutral", "strong positive", "mildly negative", "???"]
    fake_hub.tables["FinGPT/fingpt-sentiment-train", None, "train"] = rows_of(
        12, input=lambda i: f"news  {i}\n", output=lambda i: outs[i % 6], instruction=lambda i: "What is the sentiment?")
    train, test, labels = hub.fingpt_sentiment(4, 3, seed=1)
    assert labels == ("positive", "negative", "neutral") and len(train) == 4 and len(test) == 3
    for r in train + test:
        i = int(r["input"].split()[1])
        assert r["prompt"] == f"headline sentiment: positive, negative or neutral | news {i} ->"
        assert r["answer"].strip() in outs[i % 6] and outs[i % 6] != "???"
        assert r["subtask"] == "headline_sentiment" and r["domain"] == "finance"
    assert not {r["input"] for r in train} & {r["input"] for r in test}
    assert all(len(r["input"]) <= 4 for r in hub.fingpt_sentiment(4, 3, seed=1, max_chars=4)[0])


# --- got_d ---------------------------------------------------------------------------------------
def test_got_d_texts_pool_and_nontoxic_target(fake_hub):
    fake_hub.tables["Skylion007/openwebtext", None, "train"] = rows_of(
        8, text=lambda i: f"web  page {i}\n" + "x" * 2000).to_iterable_dataset()
    fake_hub.tables["google/civil_comments", None, "train"] = rows_of(
        20, text=lambda i: f"comment {i}", toxicity=lambda i: 0.9 if i % 2 else 0.0)
    pool, target, test = hub.got_d_texts(5, 3, 2, seed=1)
    assert len(pool) == 5 and all(p.startswith("web page ") and len(p) == 1000 for p in pool)
    assert fake_hub.calls[0][3] == {"streaming": True}
    assert len(target) == 3 and len(test) == 2 and not set(target) & set(test)
    assert all(int(t.split()[1]) % 2 == 0 for t in target + test)          # only the non-toxic comments


def test_mmlu_pairs_flat_and_nested_rows(fake_hub):
    flat = dict(question=lambda i: f" q{i}? ", choices=lambda i: [f"a{i}", f"b{i}", f"c{i}", f"d{i}"],
                answer=lambda i: i % 4, subject=lambda i: f"s{i % 2}")
    fake_hub.tables["cais/mmlu", "all", "test"] = rows_of(6, **flat)
    rows = hub.mmlu_pairs("all", "test", 4, seed=1)
    order = fake_hub.tables["cais/mmlu", "all", "test"].shuffle(seed=1)
    assert len(rows) == 4
    for r, q, a in zip(rows, order["question"], order["answer"]):
        i = q.strip()[1:-1]
        assert r["prompt"] == f"Question: q{i}?\nA. a{i}\nB. b{i}\nC. c{i}\nD. d{i}\nAnswer:"
        assert r["answer"] == " " + "ABCD"[a] and r["family"] == f"s{int(i) % 2}"
    nested = rows_of(5, train=lambda i: {"question": f"q{i}", "choices": ["w", "x", "y", "z"], "answer": 2, "subject": ""})
    fake_hub.tables["cais/mmlu", "auxiliary_train", "train"] = nested
    rows = hub.mmlu_pairs("auxiliary_train", "train", 10, seed=0)
    assert len(rows) == 5 and all(r["answer"] == " C" and r["family"] == "auxiliary" for r in rows)
    assert rows[0]["prompt"].endswith("\nD. z\nAnswer:")


def test_gsm8k_judged_pairs(fake_hub):
    fake_hub.tables["openai/gsm8k", "main", "test"] = rows_of(6, question=lambda i: f" q{i}? ",
                                                             answer=lambda i: f"step {i}\n#### 1,00{i}")
    rows = hub.gsm8k_judged_pairs("test", 4, seed=3)
    order = fake_hub.tables["openai/gsm8k", "main", "test"].shuffle(seed=3)
    assert len(rows) == 4 and [r["prompt"] for r in rows] == [f"Question: {q.strip()}\nAnswer:" for q in order["question"][:4]]
    for r in rows:
        i = r["prompt"][11:-9]
        assert r["answer"] == f" step {i}\n#### 1,00{i}" and r["gold"] == f"100{i}" and r["task"] == "gsm8k"
    assert len(hub.gsm8k_judged_pairs("test", 50, seed=0)) == 6


# --- preference pairs --------------------------------------------------------------------------
def test_min_length_prefs(fake_hub):
    ds = "Asap7772/relabeled_alpacafarm_pythiasft_20K_preference_data_minlength"
    fake_hub.tables[ds, None, "train"] = rows_of(8, instruction=lambda i: f"do {i}", input=lambda i: "ctx" if i % 2 else "",
                                                 output_1=lambda i: "short" if i % 3 else "same",
                                                 output_2=lambda i: "a much longer answer" if i % 3 else "same",
                                                 preference=lambda i: 1)
    rows = hub.min_length_prefs(4, seed=1)
    assert len(rows) == 4 and all(r["chosen"] == "short" and r["rejected"] == "a much longer answer" for r in rows)
    assert all(r["prompt"].startswith("do ") and (r["prompt"].endswith("\n\nctx") == (int(r["prompt"][3]) % 2 == 1)) for r in rows)
    fake_hub.tables["x/prefs", None, "train"] = rows_of(3, prompt=lambda i: "p" * 50, chosen=lambda i: "c", rejected=lambda i: "r")
    rows = hub.min_length_prefs(5, dataset="x/prefs", max_prompt_chars=10)
    assert len(rows) == 3 and rows[0] == {"prompt": "p" * 10, "chosen": "c", "rejected": "r"}


# --- TL-Training: Glaive function calls -------------------------------------------------------------------
def test_glaive_tool_calls(fake_hub):
    import json
    spec = lambda name, keys: json.dumps({"name": name, "description": "d", "parameters": {
        "type": "object", "properties": {k: {"type": "string"} for k in keys}, "required": keys}}, indent=4)
    def system(i):
        return ("SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n"
                + spec(f"get_news_{i}", ["country"]) + "\n\n" + spec("convert_currency", ["amount", "to"]) + "\n")
    def chat(i):
        if i == 3:
            return "USER: hi\n\n\nASSISTANT: Hello! <|endoftext|>\n"
        args = json.dumps({"country": f"c{i}"})
        return (f"USER: news for c{i} please\n\n\nASSISTANT: <functioncall> {{\"name\": \"get_news_{i}\", "
                f"\"arguments\": '{args}'}} <|endoftext|>\n\n\nFUNCTION RESPONSE: {{}}\n\n\nASSISTANT: done <|endoftext|>\n")
    fake_hub.tables["glaiveai/glaive-function-calling-v2", None, "train"] = rows_of(6, system=system, chat=chat)
    rows = hub.glaive_tool_calls(10, seed=1)
    assert len(rows) == 5                                   # the row without a call is skipped
    for r in rows:
        i = r["gold"][0].rsplit("_", 1)[1]
        assert r["toolset"] == {f"get_news_{i}": ["country"], "convert_currency": ["amount", "to"]}
        assert r["gold"] == (f"get_news_{i}", {"country": f"c{i}"}) and r["call"] == f"get_news_{i}(country='c{i}')"
        assert r["user"] == f"news for c{i} please" and r["turns"][-1] == ("Assistant", r["call"]) and not r["noisy"]
    assert len(hub.glaive_tool_calls(2, seed=0)) == 2


# --- LogicLLaMA: MALLS ------------------------------------------------------------------------------------
def test_malls_nl_fol(fake_hub):
    fols = ["∀x (Dog(x) → Animal(x))", "Cat(tom) ∧ ¬Loud(tom)", "broken ( formula", "∃x (Bird(x) ⊕ CanFly(x))"]
    fake_hub.tables["json", None, "train"] = rows_of(4, NL=lambda i: f"sentence {i}", FOL=lambda i: fols[i])
    rows = hub.malls_nl_fol("train", 10, seed=0)
    assert len(rows) == 3 and fake_hub.calls[0][3]["data_files"].endswith("MALLS-v0.1-train.json")
    assert {r["fol"] for r in rows} == {"forall x (Dog(x) -> Animal(x))", "(Cat(tom) & ~Loud(tom))",
                                        "exists x (Bird(x) xor CanFly(x))"}
    assert len(hub.malls_nl_fol("test", 1)) == 1 and fake_hub.calls[-1][3]["data_files"].endswith("test.json")


# --- iTool: ToolACE ---------------------------------------------------------------------------------------------
def test_toolace_calls(fake_hub):
    calls = ['[get_weather(city="paris")]', "[book(place='x', people=3)]", "no call here",
             '[convert(amount=10, src="usd", dst="eur")]', "[a(x=1), b(y=2)]"]
    fake_hub.tables["json", None, "train"] = rows_of(
        5, system=lambda i: f"tools {i}",
        conversations=lambda i: [{"from": "user", "value": f"ask  {i}"}, {"from": "assistant", "value": calls[i]}])
    rows = hub.toolace_calls(10, seed=0)
    assert fake_hub.calls[0][3]["data_files"].endswith("Team-ACE/ToolACE/data.json")
    by = {r["gold"][0]: r for r in rows}
    assert set(by) == {"get_weather", "book", "convert"}            # no call / two calls are skipped
    assert by["get_weather"]["answer"] == "get_weather(city='paris')" and by["get_weather"]["difficulty"] == "easy"
    assert by["book"]["difficulty"] == "medium" and by["convert"]["difficulty"] == "hard"
    assert by["book"]["prompt"] == "tools 1\nuser: ask 1\ncall: " and by["convert"]["gold"][1]["amount"] == 10
    assert len(hub.toolace_calls(1)) == 1
