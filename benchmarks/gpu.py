"""GPU benchmark (not a test): LoRA / QLoRA SFT through three loops on the same data, as ratios.

    python benchmarks/gpu.py                 # on a GPU: SmolLM2-135M and Qwen2.5-0.5B configs, seq 1024 and 2048, bf16
    python benchmarks/gpu.py --dry-run       # every path on the CPU with a tiny config, in seconds (CI runs this)

The models are random-init from the real architectures' configs (written out below), so no weights travel and
nothing is downloaded. Every path trains the same LoRA (r=16 on every linear of the blocks, or on an NF4 base:
QLoRA) on the same documents, one pass, and we report real (non-padding) tokens/s, MFU, peak memory and the mean
loss over the last quarter of the documents (equal loss is the condition for comparing speed):

  ftkit   train.fit: documents packed into full rows, position ids restarting per document so that no token
          attends across documents (transformers builds the block-diagonal mask from them), bf16 autocast
          over fp32 adapters, fused AdamW, optionally torch.compile (--compile);
  trl     TRL SFTTrainer with its defaults (padding to the longest in each batch, no packing);
  bare    a plain PyTorch loop over the same padded batches as trl.

Results go to benchmarks/gpu_results.json and print as a markdown table (the README holds the last GPU run).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import sys
import tempfile
import time

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ftkit import models, train  # noqa: E402

OUT = ROOT / "benchmarks" / "gpu_results.json"
ARCHS = {   # the real configs (hub config.json values); random init
    "SmolLM2-135M": dict(model_type="llama", hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, vocab_size=49152, rope_theta=100000.0,
                         rms_norm_eps=1e-5, tie_word_embeddings=True, max_position_embeddings=8192),
    "Qwen2.5-0.5B": dict(model_type="qwen2", hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                         num_attention_heads=14, num_key_value_heads=2, vocab_size=151936, rope_theta=1000000.0,
                         rms_norm_eps=1e-6, tie_word_embeddings=True, max_position_embeddings=32768),
    "tiny (dry run)": dict(model_type="llama", hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, vocab_size=512, tie_word_embeddings=True,
                           max_position_embeddings=512),
}
PEAK_BF16 = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10G": 125e12}  # dense, per GPU
LORA = dict(r=16, lora_alpha=32, lora_dropout=0.0,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])


def documents(n: int, seq: int, vocab: int, seed: int = 0) -> list[list[int]]:
    """Random-token documents with a long-tailed length distribution (median ~seq/4, capped at seq)."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.exp(torch.randn(n, generator=g) * 0.8 + math.log(seq / 4)).clamp(16, seq).long()
    return [torch.randint(3, vocab, (int(k),), generator=g).tolist() for k in lengths]


def padded_batches(docs, batch: int, pad: int):
    """trl's and the bare loop's batches: `batch` documents, right-padded to the longest."""
    for i in range(0, len(docs) - batch + 1, batch):
        yield train.collate([{"input_ids": d} for d in docs[i:i + batch]], pad)


def packed_batches(docs, rows: int, seq: int):
    """ftkit's batches: documents laid end to end in rows of `seq` tokens; position ids restart at every document
    and the first token of each document is not predicted from the previous one (label -100)."""
    packed, ids, pos, lab = [], [], [], []

    def close_row():
        pad = seq - len(ids)
        packed.append((ids + [0] * pad, pos + list(range(pad)), lab + [train.IGNORE] * pad))

    for d in docs:
        d = d[:seq]
        if len(ids) + len(d) > seq:                      # the row is full: pad its tail, start the next
            close_row()
            ids, pos, lab = [], [], []
        ids, pos, lab = ids + d, pos + list(range(len(d))), lab + [train.IGNORE] + d[1:]
    if ids:
        close_row()
    for i in range(0, len(packed), rows):
        chunk = packed[i:i + rows]
        yield {key: torch.tensor([r[j] for r in chunk]) for j, key in enumerate(("input_ids", "position_ids", "labels"))}


def build(arch: str, quant: str | None, device: str, workdir: str):
    """A random-init model of `arch` with LoRA; for QLoRA the random weights are saved once and reloaded in NF4."""
    from transformers import AutoConfig, AutoModelForCausalLM
    cfg = dict(ARCHS[arch])
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    path = pathlib.Path(workdir) / arch.replace(" ", "_")
    if not path.exists():
        torch.manual_seed(0)
        AutoModelForCausalLM.from_config(config).save_pretrained(path)
    model = models.load_model(str(path), quant=quant, device=device, lora=LORA, attn_implementation="sdpa")
    return model


def timed(device: str):
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    return time.perf_counter()


def run_ftkit(model, docs, seq, batch, device, lr, compile_):
    data = list(packed_batches(docs, max(1, batch // 2), seq))   # full rows hold ~2 documents of median length
    if compile_:
        model = torch.compile(model)
    t0 = timed(device)
    h = train.fit(model, iter(data), steps=len(data), lr=lr, schedule="constant", warmup=0.0, device=device)
    wall = time.perf_counter() - t0
    real = sum(int((b["labels"] != train.IGNORE).sum()) + int((b["position_ids"] == 0).sum()) for b in data)
    return real, wall, h.loss


def run_bare(model, docs, seq, batch, device, lr, pad):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.95), fused=device.startswith("cuda"))
    model.train()
    losses, real = [], 0
    t0 = timed(device)
    for b in padded_batches(docs, batch, pad):
        b = {k: v.to(device) for k, v in b.items()}
        with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=device.startswith("cuda")):
            loss = model(**b).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
        real += int(b["attention_mask"].sum())
    return real, time.perf_counter() - t0, losses


def run_trl(model, docs, seq, batch, device, lr, tokenizer):
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTConfig, SFTTrainer
    ds = Dataset.from_dict({"input_ids": docs})
    with tempfile.TemporaryDirectory() as d:
        args = SFTConfig(output_dir=d, per_device_train_batch_size=batch, num_train_epochs=1, learning_rate=lr,
                         lr_scheduler_type="constant", max_length=seq, logging_steps=1, save_strategy="no",
                         report_to=[], bf16=device.startswith("cuda"), use_cpu=not device.startswith("cuda"),
                         disable_tqdm=True, dataloader_num_workers=0)
        trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tokenizer)
        trainer.remove_callback(PrinterCallback)        # the loss dicts it prints each step; kept in log_history
        t0 = timed(device)
        trainer.train()
        wall = time.perf_counter() - t0
    losses = [r["loss"] for r in trainer.state.log_history if "loss" in r]
    return sum(len(x[:seq]) for x in docs), wall, losses


def bench(arch, quant, seq, batch, n_docs, device, workdir, compile_) -> list[dict]:
    tok = models.load_tokenizer("ftkit/tiny-llama")
    vocab = ARCHS[arch]["vocab_size"]
    docs = documents(n_docs, seq, vocab)
    peak = next((v for k, v in PEAK_BF16.items() if device.startswith("cuda") and k in torch.cuda.get_device_name()),
                None)
    if peak is None:                                   # a CPU: the measured fp32 matmul rate
        peak = train.matmul_flops(512, 10)
    rows = []
    for path in ("ftkit", "trl", "bare"):
        model = build(arch, quant, device, workdir)
        per_token = train.flops_per_token(model, seq)
        if path == "ftkit":
            real, wall, losses = run_ftkit(model, docs, seq, batch, device, 2e-4, compile_)
        elif path == "trl":
            real, wall, losses = run_trl(model, docs, seq, batch, device, 2e-4, tok)
        else:
            real, wall, losses = run_bare(model, docs, seq, batch, device, 2e-4, tok.pad_token_id)
        tail = losses[-max(1, len(losses) // 4):]
        rows.append({"arch": arch, "method": "QLoRA" if quant else "LoRA", "seq": seq, "path": path,
                     "tokens_per_s": real / wall, "mfu": real / wall * per_token / peak, "peak_mem_mb": train.peak_memory_mb(device),
                     "final_loss": sum(tail) / len(tail), "steps": len(losses)})
        del model
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
    base = next(r["tokens_per_s"] for r in rows if r["path"] == "trl")
    for r in rows:
        r["vs_trl"] = r["tokens_per_s"] / base
    return rows


def markdown(rows) -> str:
    out = ["| model | method | seq | path | tokens/s | × TRL | MFU | peak MB | loss (last quarter) |",
           "|---|---|---|---|---|---|---|---|---|"]
    out += [f"| {r['arch']} | {r['method']} | {r['seq']} | {r['path']} | {r['tokens_per_s']:,.0f} | {r['vs_trl']:.2f} | "
            f"{100 * r['mfu']:.1f}% | {r['peak_mem_mb']:,.0f} | {r['final_loss']:.3f} |" for r in rows]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--dry-run", action="store_true", help="tiny config on the CPU, a few steps: checks every path")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model on ftkit's path")
    ap.add_argument("--docs", type=int, default=512, help="documents per run (one pass)")
    a = ap.parse_args(argv)
    device = "cuda" if torch.cuda.is_available() and not a.dry_run else "cpu"
    if a.dry_run:
        plan = [("tiny (dry run)", q, 64, 4, 16) for q in (None, "nf4")]
    else:
        plan = [(arch, q, seq, 8 if seq == 1024 else 4, a.docs)
                for arch in ("SmolLM2-135M", "Qwen2.5-0.5B") for q in (None, "nf4") for seq in (1024, 2048)]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for arch, quant, seq, batch, n in plan:
            rows += bench(arch, quant, seq, batch, n, device, workdir, a.compile)
            print(markdown(rows[-3:]), flush=True)
    record = {"device": torch.cuda.get_device_name() if device == "cuda" else f"cpu ({os.cpu_count()} cores)",
              "torch": torch.__version__, "dry_run": a.dry_run, "rows": rows}
    if not a.dry_run:
        OUT.write_text(json.dumps(record, indent=1))
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
