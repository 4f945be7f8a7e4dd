"""Unified PETL: the hand-written Llama prefix and the budget counter (ftkit.papers.unified_peft)."""
import copy

import pytest
import torch

from ftkit import adapters, arch, models
from ftkit.papers import unified_peft




def test_prefix_of_length_zero_is_the_plain_model_and_generate_matches_the_no_cache_loop(llama, batch):
    base, tok = llama
    ref = base(**batch).logits
    m0 = copy.deepcopy(base)
    unified_peft.add_prefix(m0, 0)
    assert torch.allclose(m0(**batch).logits, ref, atol=1e-4)
    m = copy.deepcopy(base)
    arch.freeze(m)
    pre = unified_peft.add_prefix(m, 3, init_ids=torch.tensor([5, 6, 7]))
    assert unified_peft.budget(m)["trainable"] == m.config.num_hidden_layers * 2 * 3 * m.config.hidden_size
    assert len(pre) == m.config.num_hidden_layers
    ids = tok(["The capital of Kalo is"], return_tensors="pt")
    g = m.generate(**ids, max_new_tokens=5, do_sample=False, pad_token_id=tok.pad_token_id)
    x = ids["input_ids"]
    for _ in range(5):
        x = torch.cat([x, m(input_ids=x).logits[:, -1].argmax(-1, keepdim=True)], 1)
    assert g.tolist() == x.tolist()
    mm = copy.deepcopy(m)                                   # the written-out forward survives a deep copy
    assert torch.allclose(mm(**batch).logits, m(**batch).logits)


def test_prefix_with_right_padding_matches_the_unpadded_sequence():
    base = models.load_model("ftkit/tiny-llama")
    tok = models.load_tokenizer("ftkit/tiny-llama")
    m = copy.deepcopy(base)
    unified_peft.add_prefix(m, 2)
    one = m(**tok(["hello world"], return_tensors="pt")).logits
    two = m(**tok(["hello world", "a much longer second sentence here"], return_tensors="pt", padding=True)).logits
    assert torch.allclose(one[0], two[0, : one.shape[1]], atol=1e-4)


def test_budget_counts_trainable_against_the_frozen_base(llama):
    base, _ = llama
    m = copy.deepcopy(base)
    arch.freeze(m)
    n_base = models.count_parameters(m)
    ads = adapters.add_adapters(m, "ffn", "parallel", r=4)
    b = unified_peft.budget(m, n_base)
    n_ad = sum(p.numel() for p in ads.parameters())
    assert b == {"trainable": n_ad, "base": n_base, "pct": 100.0 * n_ad / n_base}
    assert unified_peft.budget(m)["base"] == n_base
