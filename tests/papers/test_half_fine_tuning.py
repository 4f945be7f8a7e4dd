"""Half Fine-Tuning's parameter masks (ftkit.papers.half_fine_tuning)."""
from ftkit.papers import half_fine_tuning


def _tiny_llama(layers=4):
    from transformers import LlamaConfig, LlamaForCausalLM
    return LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=layers,
                                        num_attention_heads=2, num_key_value_heads=2))


def test_half_mask_category_level_selects_half():
    model = _tiny_llama()
    mask = half_fine_tuning.half_mask(model, seed=0)
    for L in range(4):
        attn = [n for n in mask if f"layers.{L}.self_attn" in n and mask[n]]
        ffn = [n for n in mask if f"layers.{L}.mlp" in n and mask[n]]
        norms = [n for n in mask if f"layers.{L}." in n and "layernorm" in n and mask[n]]
        assert len(attn) == 2 and len(ffn) in (1, 2) and len(norms) == 1
    assert sum(len([n for n in mask if f"layers.{L}.mlp" in n and mask[n]]) for L in range(4)) == 6   # 2+2+1+1
    assert mask["model.embed_tokens.weight"] and mask["model.norm.weight"]
    assert half_fine_tuning.half_mask(model, seed=1) != mask
    params = half_fine_tuning.apply_mask(model, mask)
    assert len(params) == sum(mask.values()) and all(p.requires_grad for p in params)


def test_half_mask_other_granularities():
    model = _tiny_llama()
    for g in ("model", "layer"):
        m = half_fine_tuning.half_mask(model, seed=0, granularity=g)
        per_layer = [n for n in m if ".layers." in n]
        assert sum(m[n] for n in per_layer) == len(per_layer) // 2 or g == "layer"
