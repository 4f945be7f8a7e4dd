"""RoSTE's fake quantization, rotations and quantization-error surrogate (ftkit.papers.roste)."""
import copy

import pytest
import torch

from ftkit import arch
from ftkit.papers import roste


def test_quantize_grid_and_ste_gradient():
    torch.manual_seed(0)
    x = torch.randn(5, 16, requires_grad=True)
    q = roste.quantize(x.detach(), 4)
    s = x.detach().abs().amax(-1, keepdim=True) / 7
    k = q / s
    assert torch.allclose(k, k.round(), atol=1e-4) and k.min() >= -8 - 1e-4 and k.max() <= 7 + 1e-4   # 16 levels per row
    assert ((q - x.detach()).abs() <= s / 2 + 1e-6).all()                              # round-to-nearest
    y = roste.fake_quant(x, 4)
    assert torch.allclose(y, q)
    y.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))                                     # straight-through
    assert roste.fake_quant(x, None) is x


def test_hadamard_is_orthogonal_and_spreads_a_spike():
    for n in (1, 2, 32, 128):
        H = roste.hadamard(n, torch.float64)
        assert torch.allclose(H @ H.T, torch.eye(n, dtype=torch.float64))
    R = roste.random_hadamard(64, seed=3, dtype=torch.float64)
    assert torch.allclose(R @ R.T, torch.eye(64, dtype=torch.float64))
    spike = torch.zeros(64, dtype=torch.float64)
    spike[5] = 8.0
    assert torch.allclose((spike @ R).abs(), torch.full((64,), 1.0, dtype=torch.float64))   # 8 / sqrt(64)
    B = roste.rotation(96, seed=1, dtype=torch.float64)                                         # 3 blocks of 32
    assert torch.allclose(B @ B.T, torch.eye(96, dtype=torch.float64))
    with pytest.raises(ValueError):
        roste.hadamard(12)


def _tiny_llama(tied=True):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=32, tie_word_embeddings=tied)
    m = LlamaForCausalLM(cfg).eval()
    with torch.no_grad():          # non-trivial norm gains, so folding is tested
        for n, p in m.named_parameters():
            if "norm" in n:
                p.copy_(1 + 0.3 * torch.randn_like(p))
    return m


def test_fold_and_rotations_preserve_the_function_and_quant_changes_it():
    m = _tiny_llama()
    ids = torch.randint(0, 50, (3, 10))
    mask = torch.ones_like(ids)
    mask[0, 7:] = 0
    with torch.no_grad():
        ref = m(input_ids=ids, attention_mask=mask).logits
    roste.prepare(m)
    assert m.lm_head.weight is not m.model.embed_tokens.weight
    rot = copy.deepcopy(m)
    roste.rotate_residual(rot, roste.random_hadamard(32, 1))
    for i, layer in enumerate(arch.layers(rot)):
        roste.rotate_vo(layer, roste.random_hadamard(8, 2 + i))
        roste.set_r3(layer, roste.random_hadamard(8, 4 + i))
        roste.rotate_down(layer, roste.random_hadamard(64, 6 + i))
    with torch.no_grad():
        folded = m(input_ids=ids, attention_mask=mask).logits
        rotated = rot(input_ids=ids, attention_mask=mask).logits
        roste.set_quant(rot, True)
        quantized = rot(input_ids=ids, attention_mask=mask).logits
    keep = mask.bool()
    assert (folded - ref)[keep].abs().max() < 1e-4
    assert (rotated - ref)[keep].abs().max() < 1e-4
    assert (quantized - ref)[keep].abs().max() > 1e-3
    roste.rotate_down(arch.layers(rot)[0], None)                       # R4 can be undone
    roste.set_quant(rot, False)
    with torch.no_grad():
        assert (rot(input_ids=ids, attention_mask=mask).logits - ref)[keep].abs().max() < 1e-4


def test_quant_errors_cover_every_module_and_drop_for_an_outlier_channel():
    m = _tiny_llama()
    roste.prepare(m)
    ids = torch.randint(0, 50, (2, 8))
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    layer = arch.layers(m)[0]
    with torch.no_grad():               # exact reparametrisation that makes d_ff channel 3 a 30x outlier
        layer.mlp.up_proj.weight[3] *= 30
        layer.mlp.down_proj.weight[:, 3] /= 30
    e_id = roste.quant_errors(m, batch)
    assert len(e_id) == 2 * (7 + 2) and all(v["a"] >= 0 for v in e_id.values())
    roste.rotate_down(layer, roste.random_hadamard(64, 0))
    e_h = roste.quant_errors(m, batch)
    assert e_h["layers.0.mlp.down_proj"]["a"] < 0.5 * e_id["layers.0.mlp.down_proj"]["a"]
    assert e_h["layers.1.mlp.down_proj"]["a"] == pytest.approx(e_id["layers.1.mlp.down_proj"]["a"], rel=1e-4)
    assert roste.total_error(e_h) < roste.total_error(e_id)


def test_ste_training_step_updates_weights():
    m = _tiny_llama()
    roste.prepare(m, w_bits=4, a_bits=8, kv_bits=4)
    roste.set_quant(m, True)
    ids = torch.randint(0, 50, (2, 8))
    loss = m(input_ids=ids, labels=ids).loss
    loss.backward()
    g = arch.layers(m)[0].self_attn.q_proj.weight.grad
    assert g is not None and g.abs().sum() > 0
