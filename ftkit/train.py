"""Training loops: one thin explicit loop (`fit`) that every notebook and the zoo share.

`fit` shows a progress bar with loss and tokens/s, records peak memory, and can checkpoint and
resume (`ckpt_dir=`), so a long run that is interrupted picks up where it stopped. Methods that
need their own step (masked updates, editors, soups) pass `loss_fn` or `after_step`.
"""
from __future__ import annotations

import json
import math
import os
import pathlib
import random
import resource
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

import torch

from ftkit import distributed

IGNORE = -100


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
        np.random.seed(seed % 2**32)
    except ImportError:  # pragma: no cover
        pass


def peak_memory_mb(device: str | torch.device = "cpu") -> float:
    """Peak memory so far: CUDA allocator peak on a GPU, the process's max RSS on a CPU."""
    if torch.device(device).type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def trl_device_args(device: str | torch.device | None = None) -> dict:
    """The device settings every TRL config here gets. TRL 1.16's configs default to `bf16=True` and
    `gradient_checkpointing=True` even with `use_cpu=True`; on a CPU without bf16 instructions (AVX2 only) that
    made a tiny model's TRL step about four times dearer (onpolicy_pref's TRL cell: 86 s against 14 s), and the
    numbers depended on the CPU. So: bf16 autocast and checkpointing on a GPU, plain fp32 on a CPU."""
    cuda = torch.cuda.is_available() if device is None else torch.device(device).type == "cuda"
    return dict(use_cpu=not cuda, bf16=cuda, gradient_checkpointing=cuda)


def matmul_flops(n: int = 1024, repeats: int = 20, device: str = "cpu") -> float:
    """This machine's dense fp32 matmul throughput (FLOP/s), best of `repeats`: the denominator of MFU on a CPU."""
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best


def flops_per_token(model, context: int) -> float:
    """Training FLOPs per token, the usual estimate: 6 x weights used in matmuls (forward 2, backward 4), the tied
    output head included, + attention scores 12 x layers x width x context."""
    cfg = model.config
    n = sum(p.numel() for name, p in model.named_parameters() if p.dim() == 2 and "embed" not in name)
    if getattr(cfg, "tie_word_embeddings", False):
        n += cfg.vocab_size * cfg.hidden_size
    return 6 * n + 12 * cfg.num_hidden_layers * cfg.hidden_size * context


# ------------------------------------------------------------------------------------------
# Batching for causal LMs: prompt/answer pairs (loss on the answer only) and packed text.
# ------------------------------------------------------------------------------------------
def encode_pairs(tokenizer, rows: Iterable[dict], max_len: int = 64, add_eos: bool = True) -> list[dict]:
    """Tokenize prompt/answer rows; labels are IGNORE on the prompt so the loss covers the answer."""
    out = []
    eos = [tokenizer.eos_token_id] if add_eos and tokenizer.eos_token_id is not None else []
    for r in rows:
        p = tokenizer(r["prompt"], add_special_tokens=False)["input_ids"]
        a = tokenizer(r["answer"], add_special_tokens=False)["input_ids"] + eos
        ids = (p + a)[:max_len]
        labels = ([IGNORE] * len(p) + a)[:max_len]
        out.append({"input_ids": ids, "labels": labels})
    return out


def collate(examples: list[dict], pad_id: int) -> dict:
    """Right-pad a list of encoded examples into tensors (labels padded with IGNORE)."""
    n = max(len(e["input_ids"]) for e in examples)
    ids = torch.full((len(examples), n), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), n), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), n), dtype=torch.long)
    for i, e in enumerate(examples):
        k = len(e["input_ids"])
        ids[i, :k] = torch.tensor(e["input_ids"])
        labels[i, :k] = torch.tensor(e.get("labels", e["input_ids"]))
        mask[i, :k] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def text_batch(tokenizer, texts: list[str], max_len: int) -> dict:
    """A right-padded language-modelling batch of plain texts (first `max_len` tokens each; labels IGNORE on padding)."""
    b = collate([{"input_ids": tokenizer(t, add_special_tokens=False)["input_ids"][:max_len]} for t in texts],
                tokenizer.pad_token_id or 0)
    b["labels"][b["attention_mask"] == 0] = IGNORE
    return b


def batches(encoded: list[dict], batch_size: int, pad_id: int, seed: int = 0):
    """An endless stream of shuffled, padded batches (reshuffled every epoch)."""
    rng = random.Random(seed)
    order: list[int] = []
    while True:
        if len(order) < batch_size:
            fresh = list(range(len(encoded)))
            rng.shuffle(fresh)
            order += fresh
        idx, order = order[:batch_size], order[batch_size:]
        yield collate([encoded[i] for i in idx], pad_id)


def answer_nll(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-example mean negative log-likelihood of the answer tokens (labels IGNORE on prompt and padding).

    logits: (B, T, V) for input_ids whose labels are `labels` (B, T); position t predicts token t+1.
    Editing objectives average per example first, so a long answer does not outweigh a short one.
    """
    nll = torch.nn.functional.cross_entropy(logits[:, :-1].transpose(1, 2).float(), labels[:, 1:],
                                            ignore_index=IGNORE, reduction="none")
    n = (labels[:, 1:] != IGNORE).sum(1).clamp(min=1)
    return nll.sum(1) / n


def packed_blocks(token_ids: list[int], block: int) -> torch.Tensor:
    """Cut one long token stream into (N, block) rows for language-model pretraining."""
    n = len(token_ids) // block
    return torch.tensor(token_ids[: n * block], dtype=torch.long).view(n, block)


# ------------------------------------------------------------------------------------------
# The loop.
# ------------------------------------------------------------------------------------------
@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    tokens: int = 0
    wall_s: float = 0.0
    peak_mem_mb: float = 0.0
    resumed_from: int = 0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.wall_s if self.wall_s > 0 else float("nan")

    def summary(self) -> dict:
        return {"steps": self.steps[-1] + 1 if self.steps else 0, "final_loss": self.loss[-1] if self.loss else None,
                "tokens_per_s": round(self.tokens_per_s, 1), "wall_s": round(self.wall_s, 2),
                "peak_mem_mb": round(self.peak_mem_mb, 1), "resumed_from": self.resumed_from}


def default_loss(model, batch):
    return model(**batch).loss


def lr_at(step: int, steps: int, lr: float, warmup: float, schedule: str) -> float:
    w = int(warmup * steps)
    if step < w:
        return lr * (step + 1) / w
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        t = (step - w) / max(1, steps - w)
        return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))
    if schedule == "linear":
        return lr * max(0.0, 1 - (step - w) / max(1, steps - w))
    raise ValueError(f"schedule must be constant, cosine or linear, got {schedule!r}")


def fit(model, data, *, steps: int, lr: float, params=None, loss_fn: Callable = default_loss,
        weight_decay: float = 0.0, schedule: str = "cosine", warmup: float = 0.05, grad_clip: float | None = 1.0,
        after_step: Callable | None = None, ckpt_dir: str | os.PathLike | None = None, ckpt_every: int = 0,
        device: str | None = None, desc: str = "train", log_every: int = 1, seed: int | None = None,
        betas: tuple[float, float] = (0.9, 0.95), grad_accum: int = 1, mixed_precision: str | None = None) -> History:
    """Train `model` for `steps` AdamW steps on batches drawn from `data` (an iterator of dicts).

    params: the tensors to optimise (default: all with requires_grad) -- pass a subset for masked or
    partial fine-tuning; only these get optimizer state, so frozen ones cannot drift.
    after_step(model, step): hook run after each optimizer step (e.g. re-apply a sparsity mask).
    ckpt_dir: if set, state is saved every `ckpt_every` steps and at the end, and a rerun resumes.
    grad_accum: each batch from `data` is split into this many micro-batches (same update, less memory).
    mixed_precision: "bf16" (the default on a GPU) or "no": the forward runs in bf16 under autocast while the
    weights being trained and AdamW's state stay fp32 -- a bf16 weight would round small updates away.
    Under a distributed launch (see ftkit.distributed) the model is wrapped in DDP/FSDP by accelerate and each
    process takes its equal slice of every batch, so the update equals the single-process one.
    """
    from tqdm.auto import tqdm
    if seed is not None:
        seed_everything(seed)
    device = torch.device(device or next(model.parameters()).device)
    mixed_precision = mixed_precision or ("bf16" if device.type == "cuda" else "no")
    if mixed_precision not in ("no", "bf16", "fp16"):
        raise ValueError(f"mixed_precision must be no, bf16 or fp16, got {mixed_precision!r}")
    wanted = [p for p in (params if params is not None else model.parameters()) if p.requires_grad]
    if not wanted:
        raise ValueError("fit(): no trainable parameters (all have requires_grad=False)")
    for p in wanted:                       # fp32 master weights: the update must not round away
        if p.dtype in (torch.bfloat16, torch.float16):
            p.data = p.data.float()
    names = {id(p): n for n, p in model.named_parameters()}
    wanted_names = {names.get(id(p)) for p in wanted}

    acc = distributed.accelerator(mixed_precision) if distributed.is_distributed() else None
    if acc is not None:
        model = acc.prepare_model(model)   # DDP or FSDP; FSDP re-creates parameters, so find ours by name
        params = [p for n, p in model.named_parameters() if _plain_name(n) in wanted_names and p.requires_grad]
        device, procs, me = acc.device, acc.num_processes, acc.process_index
    else:
        params, procs, me = wanted, 1, 0
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas, fused=device.type == "cuda")
    if acc is not None:
        opt = acc.prepare_optimizer(opt)
    hist, start = History(), 0
    ckpt = pathlib.Path(ckpt_dir) if ckpt_dir else None
    if ckpt is not None and (ckpt / "history.json").exists():
        hist, start = _load(ckpt, model, opt, acc)
        for _ in range(start):           # advance the data stream to where it stopped
            next(data)
    autocast = acc.autocast if acc is not None else lambda: torch.autocast(
        device.type, dtype=torch.bfloat16 if mixed_precision == "bf16" else torch.float16,
        enabled=mixed_precision != "no")
    main = me == 0
    model.train()
    t0 = time.perf_counter() - hist.wall_s
    bar = tqdm(range(start, steps), desc=desc, leave=False, initial=start, total=steps,
               **({} if main else {"disable": True}))     # one bar, on the main process (TQDM_DISABLE still works)
    for step in bar:
        batch = distributed.shard(next(data), me, procs) if procs > 1 else next(data)
        cur = lr_at(step, steps, lr, warmup, schedule)
        for g in opt.param_groups:
            g["lr"] = cur
        opt.zero_grad(set_to_none=True)
        loss_sum, tokens = 0.0, 0
        for i in range(grad_accum):
            micro = distributed.shard(batch, i, grad_accum) if grad_accum > 1 else batch
            micro = {k: v.to(device) if torch.is_tensor(v) else v for k, v in micro.items()}
            sync = acc.no_sync(model) if acc is not None and i < grad_accum - 1 else nullcontext()
            with sync:
                with autocast():
                    loss = loss_fn(model, micro) / grad_accum
                acc.backward(loss) if acc is not None else loss.backward()
            loss_sum += loss.detach()
            tokens += int(micro["attention_mask"].sum()) if "attention_mask" in micro else (
                micro["input_ids"].numel() if "input_ids" in micro else 0)
        if grad_clip:
            (acc.clip_grad_norm_ if acc is not None else torch.nn.utils.clip_grad_norm_)(params, grad_clip)
        opt.step()
        if after_step is not None:
            after_step(acc.unwrap_model(model) if acc is not None else model, step)
        if acc is not None:               # the record is the job's: mean loss, all tokens
            loss_sum = acc.reduce(torch.as_tensor(loss_sum, device=device), "mean")
            tokens = int(acc.reduce(torch.tensor(tokens, device=device), "sum"))
        hist.tokens += tokens
        if step % log_every == 0 or step == steps - 1:
            hist.steps.append(step)
            hist.loss.append(float(loss_sum))
            hist.lr.append(cur)
        hist.wall_s = time.perf_counter() - t0
        bar.set_postfix(loss=f"{hist.loss[-1] if hist.loss else 0:.3f}", tok_s=f"{hist.tokens_per_s:,.0f}")
        if ckpt and ckpt_every and (step + 1) % ckpt_every == 0 and step + 1 < steps:
            _save(ckpt, model, opt, hist, step + 1, acc)
    hist.peak_mem_mb = peak_memory_mb(device)
    if ckpt:
        _save(ckpt, model, opt, hist, steps, acc)
    model.eval()
    return hist


def _plain_name(name: str) -> str:
    """A parameter's name as in the unwrapped model (DDP adds `module.`, FSDP its wrapper prefixes)."""
    for wrapper in ("_fsdp_wrapped_module.", "_checkpoint_wrapped_module.", "_orig_mod."):
        name = name.replace(wrapper, "")
    return name[len("module."):] if name.startswith("module.") else name


# Checkpoints: weights as safetensors, optimizer state as plain tensors (loaded with weights_only=True: no
# pickled code runs on resume), the history as JSON. Under a distributed launch, accelerate's save_state.
def _save(path: pathlib.Path, model, opt, hist: History, step: int, acc=None) -> None:
    from safetensors.torch import save_model
    path.mkdir(parents=True, exist_ok=True)
    if acc is not None:
        acc.wait_for_everyone()
        acc.save_state(str(path / "state"), safe_serialization=True)
    else:
        save_model(model, str(path / "model.safetensors.tmp"))
        torch.save(opt.state_dict(), path / "optimizer.pt.tmp")
        for f in ("model.safetensors", "optimizer.pt"):
            (path / f"{f}.tmp").replace(path / f)
    if acc is None or acc.is_main_process:
        record = {**asdict(hist), "step": step}
        (path / "history.json.tmp").write_text(json.dumps(record))
        (path / "history.json.tmp").replace(path / "history.json")   # written last: a torn save is never resumed
    if acc is not None:
        acc.wait_for_everyone()


def _load(path: pathlib.Path, model, opt, acc=None) -> tuple[History, int]:
    from safetensors.torch import load_model
    record = json.loads((path / "history.json").read_text())
    step = record.pop("step")
    if acc is not None:
        acc.load_state(str(path / "state"))
    else:
        load_model(model, str(path / "model.safetensors"))
        opt.load_state_dict(torch.load(path / "optimizer.pt", map_location="cpu", weights_only=True))
    hist = History(**record)
    hist.resumed_from = step
    return hist, step


def sft(model, tokenizer, rows, *, steps: int, lr: float, batch_size: int = 16, max_len: int = 64, seed: int = 0,
        **fit_kw) -> History:
    """Supervised fine-tuning on prompt/answer rows (loss on the answer tokens only)."""
    enc = encode_pairs(tokenizer, rows, max_len=max_len)
    return fit(model, batches(enc, batch_size, tokenizer.pad_token_id, seed=seed), steps=steps, lr=lr, **fit_kw)
