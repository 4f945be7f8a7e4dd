"""The model zoo: recipes for the tiny models ftkit ships, and the command that builds them.

    python -m ftkit.zoo build tiny-llama            # ~10 min on 2 CPU cores
    python -m ftkit.zoo build tiny-llama --steps 5  # a quick check of the recipe (not saved to data/)

A built model lives in `data/models/<name>/` (config, fp16 safetensors, tokenizer) with a
`manifest.json`: the recipe, file sha256s, held-out loss of the model and of a random-init model
of the same architecture, and fact recall. CI only loads these checkpoints; it never rebuilds them.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import random
import time

import torch

from .data import synthetic, text

ZOO_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "models"

RECIPES = {
    "tiny-llama": dict(
        description="Llama-architecture causal LM (~2M params) with its own byte-level BPE, pretrained on "
                    "Wikipedia sample pages, a fictional fact world, addition and copy statements.",
        vocab_size=4096, hidden_size=128, num_hidden_layers=6, num_attention_heads=4, intermediate_size=512,
        max_position_embeddings=256, tie_word_embeddings=True,
        block=128, batch_size=32, steps=1100, lr=3e-3, weight_decay=0.05, warmup=0.03, seed=0,
        synthetic={"add": 24000, "copy": 12000}, fact_subjects=120, fact_repeats=28, fact_train_templates=[0, 1],
    ),
    "tiny-llama-facts": dict(
        description="ftkit/tiny-llama continued on its fact world rendered by five templates per relation (two more "
                    "held out as paraphrases), with Wikipedia replay: the base model for model-editing notebooks.",
        base="tiny-llama", block=128, batch_size=32, steps=500, lr=1e-3, weight_decay=0.05, warmup=0.05, seed=0,
        synthetic={"copy": 2000}, fact_subjects=120, fact_repeats=14, fact_train_templates=[0, 1, 3, 4, 5],
        wiki_fraction=0.3,
    ),
    "tiny-llama-instruct": dict(
        description="ftkit/tiny-llama instruction-tuned on the twelve training tasks of ftkit.data.string_ops, each "
                    "prompt led by the task's one-sentence definition (some also with one positive example); the "
                    "four held-out string tasks never appear. The 'IT' start of the quick-learners notebook.",
        base="tiny-llama", instruct=True, batch_size=16, steps=1500, lr=2e-3, weight_decay=0.05, warmup=0.05, seed=0,
        tasks=["reverse", "copy", "first_letter", "last_letter", "sort_asc", "drop_first", "duplicate", "count_a",
               "swap_ends", "every_other", "drop_last", "length"],
        heldout_tasks=["rotate_left", "double_letters", "remove_vowels", "sort_desc"],
        modes={"def": 300, "def-pos": 100}, max_len=64,
    ),
}


def model_dir(name: str) -> pathlib.Path:
    return ZOO_DIR / name.removeprefix("ftkit/")


# ------------------------------------------------------------------------------------------
# Tokenizer
# ------------------------------------------------------------------------------------------
def train_tokenizer(texts: list[str], vocab_size: int):
    """Byte-level BPE with digits split one per token (so arithmetic is learnable)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>", "<|pad|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   pad_token="<|pad|>", model_max_length=4096)


# ------------------------------------------------------------------------------------------
# Corpus
# ------------------------------------------------------------------------------------------
def pretraining_documents(recipe: dict) -> list[str]:
    """Wiki train pages + synthetic lines grouped into documents of 24 lines, shuffled (seeded).
    With `wiki_fraction`, only enough wiki pages to make up about that share of the characters (replay)."""
    rng = random.Random(recipe["seed"])
    lines = []
    for family, n in recipe["synthetic"].items():
        lines += [r["prompt"] + r["answer"] for r in synthetic.task(family, n, seed=recipe["seed"])]
    world = synthetic.fact_world(recipe["fact_subjects"], seed=recipe["seed"])
    facts = [q["prompt"] + q["answer"] + "." for q in world.queries(templates=recipe["fact_train_templates"])]
    lines += facts * recipe["fact_repeats"]
    rng.shuffle(lines)
    docs = ["\n".join(lines[i:i + 24]) for i in range(0, len(lines), 24)]
    wiki = text.wiki_pages("train")
    if "wiki_fraction" in recipe:
        budget, synth = 0, sum(map(len, docs))
        rng.shuffle(wiki)
        keep = []
        for page in wiki:
            if budget >= synth * recipe["wiki_fraction"] / (1 - recipe["wiki_fraction"]):
                break
            keep.append(page)
            budget += len(page)
        wiki = keep
    docs += wiki
    rng.shuffle(docs)
    return docs


def fact_recall(model, tokenizer, recipe: dict) -> dict:
    """Greedy exact-match recall of the fact world, on pretraining templates and the held-out one."""
    from .evaluate import answer_accuracy
    world = synthetic.fact_world(recipe["fact_subjects"], seed=recipe["seed"])
    n_templates = 3 if "base" not in recipe else len(next(iter(synthetic.RELATIONS.values())))
    held = [t for t in range(n_templates) if t not in recipe["fact_train_templates"]]
    return {"seen_templates": round(answer_accuracy(model, tokenizer, world.queries(recipe["fact_train_templates"])), 4),
            "heldout_templates": round(answer_accuracy(model, tokenizer, world.queries(held)), 4)}


def llama_config(recipe: dict, tokenizer):
    from transformers import LlamaConfig
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
            "max_position_embeddings", "tie_word_embeddings")
    return LlamaConfig(**{k: recipe[k] for k in keys}, num_key_value_heads=recipe["num_attention_heads"],
                       bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                       pad_token_id=tokenizer.pad_token_id, rms_norm_eps=1e-5)


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def instruction_rows(recipe: dict) -> list[dict]:
    """The instruction-tuning set of an `instruct` recipe: for each prompt mode, n rows of every recipe task."""
    from .data import string_ops
    assert not set(recipe["tasks"]) & set(recipe["heldout_tasks"]), "a held-out task is in the recipe"
    rows = []
    for i, (mode, n) in enumerate(recipe["modes"].items()):
        rows += string_ops.mixture(recipe["tasks"], n, seed=recipe["seed"] + i, mode=mode)
    random.Random(recipe["seed"]).shuffle(rows)
    return rows


def string_task_accuracy(model, tok, tasks, mode: str = "def", n: int = 50) -> dict:
    """Greedy exact match per string_ops task on a fixed test draw (seed 123)."""
    from .data import string_ops
    from .evaluate import answer_accuracy
    return {t: round(answer_accuracy(model, tok, string_ops.rows(t, n, seed=123, mode=mode, split="test")), 4)
            for t in tasks}


def save_checkpoint(model, tok, out: pathlib.Path, manifest: dict) -> dict:
    """fp16 safetensors + tokenizer + manifest.json (with the sha256 of every file) in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    model.to(torch.float16).save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    manifest["files"] = {p.name: sha256(p) for p in sorted(out.iterdir()) if p.is_file() and p.name != "manifest.json"}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def build_instruct(name: str, recipe: dict, out: pathlib.Path) -> dict:
    """Multi-task instruction tuning (loss on the answers only) of a zoo base model on string_ops tasks."""
    from transformers import AutoTokenizer, LlamaForCausalLM
    from .train import batches, encode_pairs, fit, seed_everything
    t0 = time.time()
    seed_everything(recipe["seed"])
    tok = AutoTokenizer.from_pretrained(model_dir(recipe["base"]))
    model = LlamaForCausalLM.from_pretrained(model_dir(recipe["base"]), dtype=torch.float32)
    rows = instruction_rows(recipe)
    all_tasks = recipe["tasks"] + recipe["heldout_tasks"]
    before = string_task_accuracy(model, tok, all_tasks)
    enc = encode_pairs(tok, rows, max_len=recipe["max_len"])
    hist = fit(model, batches(enc, recipe["batch_size"], tok.pad_token_id, seed=recipe["seed"]), steps=recipe["steps"],
               lr=recipe["lr"], weight_decay=recipe["weight_decay"], warmup=recipe["warmup"],
               desc=f"instruction-tune {name}", log_every=20)
    model = model.to(torch.float16).to(torch.float32)    # what the fp16 file will hold
    after = string_task_accuracy(model, tok, all_tasks)
    manifest = {
        "name": f"ftkit/{name}", "recipe": recipe, "parameters": sum(p.numel() for p in model.parameters()),
        "instruction_rows": len(rows), "tasks": recipe["tasks"], "heldout_tasks": recipe["heldout_tasks"],
        "train": hist.summary(), "loss_curve": list(zip(hist.steps, [round(x, 4) for x in hist.loss])),
        "exact_match_def_prompts": after, "exact_match_def_prompts_of_base_model": before,
        "build_wall_s": round(time.time() - t0, 1), "torch": torch.__version__,
    }
    return save_checkpoint(model, tok, out, manifest)


def build(name: str, steps: int | None = None, out: pathlib.Path | None = None) -> dict:
    from transformers import LlamaForCausalLM
    from .evaluate import answer_accuracy, lm_loss
    from .train import fit, packed_blocks, seed_everything
    recipe = dict(RECIPES[name])
    if steps is not None:
        recipe["steps"] = steps
    out = out or model_dir(name)
    if recipe.get("instruct"):
        return build_instruct(name, recipe, out)
    t0 = time.time()
    seed_everything(recipe["seed"])
    docs = pretraining_documents(recipe)
    if "base" in recipe:       # continued pretraining: the base model's tokenizer and weights
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(model_dir(recipe["base"]))
    else:
        tok = train_tokenizer(docs, recipe["vocab_size"])
    stream = []
    for d in docs:
        stream += tok(d, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    blocks = packed_blocks(stream, recipe["block"])
    print(f"corpus: {len(docs)} documents, {len(stream):,} tokens, {len(blocks)} blocks of {recipe['block']}")

    def data():
        g = torch.Generator().manual_seed(recipe["seed"])
        while True:
            for idx in torch.randperm(len(blocks), generator=g).split(recipe["batch_size"]):
                if len(idx) == recipe["batch_size"]:
                    yield {"input_ids": blocks[idx], "labels": blocks[idx]}

    if "base" in recipe:
        model = LlamaForCausalLM.from_pretrained(model_dir(recipe["base"]), dtype=torch.float32)
        config = model.config
    else:
        config = llama_config(recipe, tok)
        model = LlamaForCausalLM(config)
    random_model = LlamaForCausalLM(config)
    recall_before = fact_recall(model, tok, recipe) if "base" in recipe else None
    heldout = text.wiki_chunks("heldout", n=96, chars=500, seed=1)
    random_loss = lm_loss(random_model, tok, heldout)
    hist = fit(model, data(), steps=recipe["steps"], lr=recipe["lr"], weight_decay=recipe["weight_decay"],
               warmup=recipe["warmup"], desc=f"pretrain {name}", log_every=20)
    model = model.to(torch.float16).to(torch.float32)    # what the fp16 file will hold
    manifest = {
        "name": f"ftkit/{name}", "recipe": recipe, "parameters": sum(p.numel() for p in model.parameters()),
        "corpus_tokens": len(stream), "train": hist.summary(),
        "loss_curve": list(zip(hist.steps, [round(x, 4) for x in hist.loss])),
        "heldout_wiki_loss": round(lm_loss(model, tok, heldout), 4), "random_init_heldout_wiki_loss": round(random_loss, 4),
        "fact_recall": fact_recall(model, tok, recipe),
        **({"fact_recall_of_base_model": recall_before} if recall_before else {}),
        "new_task_accuracy_before_finetuning": {f: round(answer_accuracy(model, tok, synthetic.task(f, 200, seed=123)), 4) for f in ("add", "copy") + synthetic.NEW_FAMILIES},
        "build_wall_s": round(time.time() - t0, 1), "torch": torch.__version__,
    }
    return save_checkpoint(model, tok, out, manifest)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m ftkit.zoo")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build a zoo model from its recipe")
    b.add_argument("name", choices=sorted(RECIPES))
    b.add_argument("--steps", type=int, help="override the recipe's steps (a quick check)")
    b.add_argument("--out", type=pathlib.Path, help="output folder (default data/models/NAME)")
    sub.add_parser("list", help="list recipes")
    a = ap.parse_args(argv)
    if a.cmd == "list":
        for k, r in RECIPES.items():
            print(f"ftkit/{k}: {r['description']}")
        return
    m = build(a.name, a.steps, a.out)
    if "exact_match_def_prompts" in m:
        print(json.dumps({k: m[k] for k in ("parameters", "exact_match_def_prompts", "build_wall_s")}, indent=1))
        return
    print(json.dumps({k: m[k] for k in ("parameters", "heldout_wiki_loss", "random_init_heldout_wiki_loss",
                                        "fact_recall", "new_task_accuracy_before_finetuning", "build_wall_s")}, indent=1))


if __name__ == "__main__":
    main()
