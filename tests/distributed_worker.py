"""The training job the distributed tests run once in one process and once in two (gloo on the CPU).

    python tests/distributed_worker.py OUT.pt [--procs 2] [--steps 4] [--ckpt DIR] [--grad-accum 1]
"""
from __future__ import annotations

import argparse
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from ftkit import distributed, train

VOCAB, BLOCK, BATCH = 97, 16, 8


def tiny_llama():
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(cfg)


def stream(seed: int = 0):
    """The same global batches in every process: full blocks, every token labelled (equal token counts per slice)."""
    g = torch.Generator().manual_seed(seed)
    while True:
        ids = torch.randint(0, VOCAB, (BATCH, BLOCK), generator=g)
        yield {"input_ids": ids, "labels": ids}


def job(out: str, steps: int, ckpt: str | None, grad_accum: int) -> None:
    torch.set_num_threads(1)
    model = tiny_llama()
    hist = train.fit(model, stream(), steps=steps, lr=3e-3, schedule="constant", warmup=0.0, ckpt_dir=ckpt,
                     ckpt_every=1 if ckpt else 0, grad_accum=grad_accum, seed=0)
    if distributed.rank() == 0:
        inner = model.module if hasattr(model, "module") else model
        torch.save({"loss": hist.loss, "tokens": hist.tokens, "resumed_from": hist.resumed_from,
                    "world": distributed.world_size(),
                    "state": {k: v.detach().clone() for k, v in inner.state_dict().items()}}, out)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--ckpt")
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--fsdp", action="store_true")
    a = ap.parse_args(argv)
    if a.procs > 1:
        distributed.launch(job, a.out, a.steps, a.ckpt, a.grad_accum, num_processes=a.procs, fsdp=a.fsdp)
    else:
        job(a.out, a.steps, a.ckpt, a.grad_accum)


if __name__ == "__main__":
    sys.exit(main())
