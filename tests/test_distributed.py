"""fit under a 2-process launch (DDP over gloo on the CPU) equals the single-process run with the same global batch."""
import os
import subprocess
import sys

import pytest
import torch

from ftkit import distributed, train

sys.path.insert(0, os.path.dirname(__file__))
import distributed_worker as worker  # noqa: E402

WORKER = os.path.join(os.path.dirname(__file__), "distributed_worker.py")


def _launch(tmp_path, name, *args):
    out = tmp_path / f"{name}.pt"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    r = subprocess.run([sys.executable, WORKER, str(out), *args], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return torch.load(out)


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "one.pt"
    worker.job(str(out), steps=4, ckpt=None, grad_accum=1)
    return torch.load(out)


def _assert_same(a, b, atol=1e-4):
    assert a["loss"] == pytest.approx(b["loss"], abs=1e-5)
    assert a["tokens"] == b["tokens"]
    for k in a["state"]:
        assert torch.allclose(a["state"][k], b["state"][k], atol=atol), k


def test_shard_splits_equally_and_refuses_uneven_batches():
    batch = {"input_ids": torch.arange(12).view(6, 2), "note": "kept"}
    parts = [distributed.shard(batch, i, 3) for i in range(3)]
    assert torch.equal(torch.cat([p["input_ids"] for p in parts]), batch["input_ids"]) and parts[1]["note"] == "kept"
    with pytest.raises(ValueError, match="does not split into 4"):
        distributed.shard(batch, 0, 4)


def test_gradient_accumulation_matches_one_batch(single, tmp_path):
    worker.job(str(tmp_path / "ga.pt"), steps=4, ckpt=None, grad_accum=4)
    _assert_same(single, torch.load(tmp_path / "ga.pt"))


def test_bf16_mixed_precision_keeps_fp32_master_weights():
    model = worker.tiny_llama().to(torch.bfloat16)
    train.fit(model, worker.stream(), steps=2, lr=1e-3, mixed_precision="bf16")
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_two_processes_with_accumulation_match_one(single, tmp_path):
    two = _launch(tmp_path, "two", "--procs", "2", "--grad-accum", "2")
    assert two["world"] == 2
    _assert_same(single, two)


def test_resume_under_ddp(single, tmp_path):
    ckpt = tmp_path / "ckpt"
    _launch(tmp_path, "first", "--procs", "2", "--steps", "2", "--ckpt", str(ckpt))
    assert (ckpt / "state" / "model.safetensors").exists() and (ckpt / "history.json").exists()
    resumed = _launch(tmp_path, "resumed", "--procs", "2", "--steps", "4", "--ckpt", str(ckpt))
    assert resumed["resumed_from"] == 2
    _assert_same(single, resumed)
