import os
import pathlib
import sys

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.pop("MPLBACKEND", None)          # kernels choose their inline backend, so executed notebooks keep their plots

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def pytest_collection_modifyitems(config, items):
    """Executing notebooks (nbval, papermill) is marked `notebooks`: `pytest -m "not notebooks"` is the fast subset."""
    for item in items:
        if str(item.fspath).endswith(".ipynb") or "notebooks" in item.keywords:
            item.add_marker(pytest.mark.notebooks)
        if hasattr(item, "output_timeout"):
            # nbval waits only 5 s for a cell's outputs after the kernel replies; a kernel that has just come out of
            # a minute of training on 2 busy cores can take longer to flush them (seen once in CI)
            item.output_timeout = 120


class Tok:
    """A whitespace tokenizer good enough for unit tests (hash words into a small vocabulary)."""
    def __call__(self, texts, padding=True, truncation=True, max_length=16, return_tensors="pt"):
        import torch
        ids = [[1 + hash(w) % 90 for w in t.split()][:max_length] for t in texts]
        n = max(len(i) for i in ids)
        return {"input_ids": torch.tensor([i + [0] * (n - len(i)) for i in ids]),
                "attention_mask": torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i in ids])}


def tiny_bert():
    """A 2-layer random BERT (width 32) for fast encoder tests."""
    import torch
    from transformers import BertConfig, BertModel
    torch.manual_seed(0)
    return BertModel(BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                intermediate_size=64), add_pooling_layer=False)


@pytest.fixture(scope="module")
def llama():
    """ftkit/tiny-llama and its tokenizer."""
    from ftkit import models
    return models.load_model("ftkit/tiny-llama"), models.load_tokenizer("ftkit/tiny-llama")


@pytest.fixture(scope="module")
def batch(llama):
    """Two padded prompts for tiny-llama."""
    _, tok = llama
    return dict(tok(["The capital of Kalo is Mizu and", "hi there"], return_tensors="pt", padding=True))
