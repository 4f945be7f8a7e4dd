"""Benchmarks (not timed tests): run by hand, results go to benchmarks/results.json and the README.

    python benchmarks/bench.py                 # both parts (~4 min on 2 idle cores)
    python benchmarks/bench.py --only loop     # loop | footprint

1. loop: tokens/s of ftkit's training loop vs a bare PyTorch loop vs HF Trainer: the same model
   (ftkit/tiny-llama, same init), the same packed batches, the same AdamW and clipping. The contenders
   are interleaved over REPEATS rounds (the order rotates each round) so that drift in the machine's
   speed hits all of them alike; we report min and median per contender, ratios of medians, and the
   median as a fraction of the machine's measured matmul throughput (model FLOPs utilisation).
2. footprint: NF4 / fp32 weight memory for ftkit/tiny-llama and SmolLM2-135M-Instruct.
Run it on an idle machine: a second job on 2 cores halves every figure.
Notebook wall times: benchmarks/notebook_times.py.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ftkit import catalog, models, train  # noqa: E402
from ftkit.data import text  # noqa: E402

OUT = ROOT / "benchmarks" / "results.json"
STEPS, WARMUP, BATCH, BLOCK, LR, REPEATS = 20, 3, 16, 128, 1e-3, 5


def packed_data():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    ids = []
    for page in text.wiki_pages("heldout"):
        ids += tok(page, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    return train.packed_blocks(ids, BLOCK)


def stream(blocks):
    g = torch.Generator().manual_seed(0)
    while True:
        idx = torch.randint(0, len(blocks), (BATCH,), generator=g)
        yield {"input_ids": blocks[idx], "labels": blocks[idx]}


def bench_ftkit(blocks) -> float:
    model = models.load_model("ftkit/tiny-llama")
    data = stream(blocks)
    train.fit(model, data, steps=WARMUP, lr=LR)
    h = train.fit(model, data, steps=STEPS, lr=LR)
    return h.tokens_per_s


def bench_bare(blocks) -> float:
    model = models.load_model("ftkit/tiny-llama")
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.95))
    data = stream(blocks)
    for i in range(WARMUP + STEPS):
        if i == WARMUP:
            t0 = time.perf_counter()
        b = next(data)
        loss = model(**b).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return STEPS * BATCH * BLOCK / (time.perf_counter() - t0)


def bench_trainer(blocks) -> float:
    from datasets import Dataset
    from transformers import Trainer, TrainerCallback, TrainingArguments
    model = models.load_model("ftkit/tiny-llama")
    n = (WARMUP + STEPS) * BATCH
    g = torch.Generator().manual_seed(0)
    idx = torch.randint(0, len(blocks), (n,), generator=g)
    ds = Dataset.from_dict({"input_ids": blocks[idx].tolist(), "labels": blocks[idx].tolist()})
    marks = {}

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == WARMUP:
                marks["t0"] = time.perf_counter()

    with tempfile.TemporaryDirectory() as d:
        args = TrainingArguments(output_dir=d, per_device_train_batch_size=BATCH, max_steps=WARMUP + STEPS, learning_rate=LR,
                                 lr_scheduler_type="cosine", warmup_steps=2, logging_steps=1000, save_strategy="no", report_to=[],
                                 use_cpu=not torch.cuda.is_available(), disable_tqdm=True, dataloader_num_workers=0)
        Trainer(model=model, args=args, train_dataset=ds, callbacks=[Clock()]).train()
    return STEPS * BATCH * BLOCK / (time.perf_counter() - marks["t0"])


def part_loop() -> dict:
    blocks = packed_data()
    torch.manual_seed(0)                                   # every contender starts from the same weights
    contenders = {"bare PyTorch": bench_bare, "ftkit.train.fit": bench_ftkit, "HF Trainer": bench_trainer}
    names, runs = list(contenders), {k: [] for k in contenders}
    for r in range(REPEATS):
        for name in names[r % len(names):] + names[:r % len(names)]:
            runs[name].append(contenders[name](blocks))
    peak = train.matmul_flops()
    per_token = train.flops_per_token(models.load_model("ftkit/tiny-llama"), BLOCK)
    med = {k: statistics.median(v) for k, v in runs.items()}
    base = med["bare PyTorch"]
    return {"tokens_per_s": {k: round(v, 1) for k, v in med.items()},
            "tokens_per_s_min": {k: round(min(v), 1) for k, v in runs.items()},
            "ratio_to_bare": {k: round(v / base, 3) for k, v in med.items()},
            "mfu": {k: round(v * per_token / peak, 4) for k, v in med.items()},
            "matmul_gflops": round(peak / 1e9, 1),
            "setup": f"ftkit/tiny-llama, batch {BATCH} x {BLOCK} tokens, {STEPS} timed steps after {WARMUP} warm-up, "
                     f"AdamW; median of {REPEATS} interleaved rounds"}


def part_footprint() -> dict:
    out = {}
    for mid in ("ftkit/tiny-llama", "HuggingFaceTB/SmolLM2-135M-Instruct"):
        fp32 = models.load_model(mid).get_memory_footprint()
        nf4 = models.load_model(mid, quant="nf4").get_memory_footprint()
        out[mid] = {"fp32_MB": round(fp32 / 1e6, 1), "nf4_MB": round(nf4 / 1e6, 1), "nf4_over_fp32": round(nf4 / fp32, 3)}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["loop", "footprint"])
    a = ap.parse_args()
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    for name, fn in (("loop", part_loop), ("footprint", part_footprint)):
        if a.only in (None, name):
            results[name] = fn()
            print(name, json.dumps(results[name], indent=1))
    results["machine"] = f"{os.cpu_count()} CPU cores, torch {torch.__version__}" + (
        f", {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "")
    OUT.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
