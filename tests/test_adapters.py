"""Bottleneck adapters (ftkit.adapters) on Llama- and BERT-style models."""
import copy

import pytest
import torch

from ftkit import adapters as A
from ftkit import arch, models




@pytest.mark.parametrize("where", A.WHERE)
@pytest.mark.parametrize("mode", A.MODES)
def test_adapters_start_as_identity_then_change_the_output_and_get_gradients(llama, batch, where, mode):
    base, _ = llama
    ref = base(**batch).logits
    m = copy.deepcopy(base)
    arch.freeze(m)
    ads = A.add_adapters(m, where, mode, r=4, scale=4.0)
    assert len(ads) == m.config.num_hidden_layers
    assert torch.allclose(m(**batch).logits, ref)                       # W_up = 0: unchanged at step 0
    for a in ads:
        torch.nn.init.normal_(a.up.weight, std=0.1)
    out = m(**batch).logits
    assert (out - ref).abs().max() > 1e-2
    out.sum().backward()
    assert all(a.down.weight.grad is not None and a.down.weight.grad.abs().sum() > 0 for a in ads)
    assert all(p.grad is None for n, p in m.named_parameters() if "ftkit_adapters" not in n)
    assert models.count_parameters(m, trainable_only=True) == len(ads) * (2 * 4 * m.config.hidden_size + 4 + m.config.hidden_size)
    ads.remove()
    assert torch.allclose(m(**batch).logits, ref)


def test_parallel_reads_the_input_sequential_the_output(llama, batch):
    """Parallel at the FFN: Δ depends only on the FFN input x, so it equals s·f(x W_down) W_up computed by hand."""
    base, _ = llama
    m = copy.deepcopy(base)
    arch.freeze(m)
    mlp = m.model.layers[2].mlp
    seen = {}
    ads = A.add_adapters(m, "ffn", "parallel", r=4, scale=2.0, layers=[2])
    mlp.register_forward_hook(lambda mod, i, o: seen.update(x=i[0], h=o))     # runs after the adapter's hook
    torch.nn.init.normal_(ads[0].up.weight, std=0.1)
    m(**batch)
    x = seen["x"]
    plain = base.model.layers[2].mlp(x)
    assert torch.allclose(seen["h"], plain + 2.0 * ads[0].up(torch.relu(ads[0].down(x))), atol=1e-5)


def test_bert_sites_houlsby_and_parallel():
    enc = models.load_model("sentence-transformers/all-MiniLM-L6-v2", kind="encoder")
    tok = models.load_tokenizer("sentence-transformers/all-MiniLM-L6-v2")
    b = dict(tok(["a small test sentence"], return_tensors="pt"))
    ref = enc(**b).last_hidden_state
    for where in A.WHERE:
        for mode in A.MODES:
            m = copy.deepcopy(enc)
            arch.freeze(m)
            ads = A.add_adapters(m, where, mode, r=4)
            assert len(ads) == 6 and torch.allclose(m(**b).last_hidden_state, ref, atol=1e-6)
            for a in ads:
                torch.nn.init.normal_(a.up.weight, std=0.1)
            assert (m(**b).last_hidden_state - ref).abs().max() > 1e-3
