"""LoFiT's per-head interventions (ftkit.papers.lofit) on a tiny random Llama."""
import torch

from ftkit.papers import lofit


def _tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=32)
    return LlamaForCausalLM(cfg).eval()


def _run(m, ids):
    with torch.no_grad():
        return m(input_ids=ids, attention_mask=torch.ones_like(ids)).logits


def test_zero_intervention_is_identity_and_detach_restores():
    m = _tiny_llama()
    ids = torch.randint(0, 50, (2, 7))
    ref = _run(m, ids)
    iv = lofit.HeadIntervention(m, scale=True, bias=True, init_std=0.0).attach(m)
    assert torch.allclose(_run(m, ids), ref, atol=1e-6)
    with torch.no_grad():
        iv.v.add_(1.0)
    assert not torch.allclose(_run(m, ids), ref, atol=1e-3)
    iv.detach()
    assert torch.allclose(_run(m, ids), ref, atol=1e-6)


def test_edit_matches_the_formula_per_head_and_mask_blocks_other_heads():
    m = _tiny_llama()
    iv = lofit.HeadIntervention(m, scale=True, bias=True, heads=[(1, 2)], init_std=0.5, seed=1)
    z = torch.randn(3, 5, 4 * 8)
    out = iv.edit(1, z).view(3, 5, 4, 8)
    zh = z.view(3, 5, 4, 8)
    assert torch.allclose(out[:, :, 2], (1 + iv.A[1, 2]) * zh[:, :, 2] + iv.v[1, 2])
    assert torch.allclose(out[:, :, [0, 1, 3]], zh[:, :, [0, 1, 3]])
    assert torch.equal(iv.edit(0, z), z)
    assert iv.heads() == [(1, 2)] and iv.n_trainable() == 2 * 8


def test_bias_equals_an_o_proj_column_shift_and_gradients_reach_only_selected_heads():
    m = _tiny_llama()
    ids = torch.randint(0, 50, (2, 6))
    iv = lofit.HeadIntervention(m, bias=True, heads=[(0, 1)], init_std=0.3).attach(m)
    out = _run(m, ids)
    iv.detach()
    o = m.model.layers[0].self_attn.o_proj
    o.bias = torch.nn.Parameter(o.weight[:, 8:16] @ iv.v[0, 1].detach())     # v folded into an o_proj bias
    assert torch.allclose(_run(m, ids), out, atol=1e-5)
    o.bias = None
    iv.attach(m)
    m(input_ids=ids, labels=ids).loss.backward()
    g = iv.v.grad
    assert g[0, 1].abs().sum() > 0 and g.abs().sum() == g[0, 1].abs().sum()


def test_l1_top_k_and_head_outputs():
    m = _tiny_llama()
    iv = lofit.HeadIntervention(m, scale=True, init_std=0.0)
    with torch.no_grad():
        iv.A[1, 3] = 2.0
        iv.A[0, 0, :2] = -1.0
    assert float(iv.l1()) == 2.0 * 8 + 2.0
    assert lofit.top_k_heads(iv.head_norms(), 2) == [(1, 3), (0, 0)]
    ids = torch.randint(0, 50, (3, 6))
    z = lofit.head_outputs(m, ids, torch.ones_like(ids), torch.tensor([5, 2, 0]))
    assert z.shape == (3, 2, 4, 8)
    with torch.no_grad():       # at position 0 a head attends only to itself: z = its value vector (GQA: kv head h // 2)
        layer = m.model.layers[0]
        v = layer.self_attn.v_proj(layer.input_layernorm(m.model.embed_tokens(ids[2, :1])))[0].view(2, 8)
    assert torch.allclose(z[2, 0], v[[0, 0, 1, 1]], atol=1e-5)
