import torch

from ftkit import weights


def test_average_and_interpolate():
    a = {"w": torch.ones(3), "n": torch.tensor(5)}
    b = {"w": 3 * torch.ones(3), "n": torch.tensor(7)}
    avg = weights.average([a, b])
    assert torch.allclose(avg["w"], 2 * torch.ones(3)) and avg["n"].item() == 5   # int buffers are copied
    assert torch.allclose(weights.interpolate(a, b, 0.25)["w"], 1.5 * torch.ones(3))
    assert torch.allclose(weights.average([a, b], [0.0, 1.0])["w"], b["w"])


def test_greedy_soup_skips_an_ingredient_that_hurts():
    good = [{"w": torch.tensor([1.0 + d])} for d in (0.0, 0.1, -0.1)]
    bad = {"w": torch.tensor([50.0])}
    score = lambda s: -abs(float(s["w"]) - 1.0)            # best at w = 1
    soup, kept, path = weights.greedy_soup(good + [bad], score)
    assert 3 not in kept and len(path) == 4
    assert abs(float(soup["w"]) - 1.0) < 0.1


def test_angle_between_updates():
    base = {"w": torch.zeros(2)}
    assert abs(weights.angle_between_updates({"w": torch.tensor([1.0, 0])}, {"w": torch.tensor([0, 2.0])}, base) - 90) < 1e-4


def test_intruder_dimensions():
    torch.manual_seed(0)
    w0 = torch.randn(64, 64)
    assert weights.intruder_dimensions(w0, w0)[0] == 0
    assert weights.intruder_dimensions(w0, w0 + 1e-3 * torch.randn(64, 64))[0] == 0
    u, v = torch.randn(64, 1), torch.randn(1, 64)
    big = w0 + 40 * (u / u.norm()) @ (v / v.norm())       # a rank-1 update larger than any singular value
    n, sims = weights.intruder_dimensions(w0, big, k=10)
    assert n >= 1 and sims.shape == (10,)
    assert torch.allclose(weights.scale_intruders(w0, big, 1.0), big, atol=1e-4)
    assert weights.intruder_dimensions(w0, weights.scale_intruders(w0, big, 0.0))[0] < n


def _tiny_llama(layers=4):
    from transformers import LlamaConfig, LlamaForCausalLM
    return LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=layers,
                                        num_attention_heads=2, num_key_value_heads=2))


def test_half_mask_category_level_selects_half():
    model = _tiny_llama()
    mask = weights.half_mask(model, seed=0)
    for L in range(4):
        attn = [n for n in mask if f"layers.{L}.self_attn" in n and mask[n]]
        ffn = [n for n in mask if f"layers.{L}.mlp" in n and mask[n]]
        norms = [n for n in mask if f"layers.{L}." in n and "layernorm" in n and mask[n]]
        assert len(attn) == 2 and len(ffn) in (1, 2) and len(norms) == 1
    assert sum(len([n for n in mask if f"layers.{L}.mlp" in n and mask[n]]) for L in range(4)) == 6   # 2+2+1+1
    assert mask["model.embed_tokens.weight"] and mask["model.norm.weight"]
    assert weights.half_mask(model, seed=1) != mask
    params = weights.apply_mask(model, mask)
    assert len(params) == sum(mask.values()) and all(p.requires_grad for p in params)


def test_half_mask_other_granularities():
    model = _tiny_llama()
    for g in ("model", "layer"):
        m = weights.half_mask(model, seed=0, granularity=g)
        per_layer = [n for n in m if ".layers." in n]
        assert sum(m[n] for n in per_layer) == len(per_layer) // 2 or g == "layer"
