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


def test_task_pairs_copy_variants_and_fallback():
    rows = half_fine_tuning.task_pairs("upper_last", 5, seed=0, length=4)
    assert rows == half_fine_tuning.task_pairs("upper_last", 5, seed=0, length=4)
    r = rows[0]
    xs = r["prompt"].split(": ")[1].removesuffix(" ->").split()
    assert r["answer"].split() == xs[:-1] + [xs[-1].upper()]
    t = half_fine_tuning.task_pairs("last_twice", 3, seed=1, length=3)[0]
    assert len(t["answer"].split()) == 4 and t["answer"].split()[-1] == t["answer"].split()[-2]
    assert half_fine_tuning.task_pairs("sort", 2, seed=0)[0]["family"] == "sort"      # falls back to hub.load_pairs


def test_trained_fraction_counts_tied_embedding_once():
    from transformers import LlamaConfig, LlamaForCausalLM
    model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=4,
                                         num_attention_heads=2, num_key_value_heads=2, tie_word_embeddings=True))
    mask = half_fine_tuning.half_mask(model, seed=0)
    frac_layer, frac_all = half_fine_tuning.trained_fraction(model, mask)
    assert abs(frac_layer - 0.5) < 0.05
    emb = model.get_input_embeddings().weight.numel()
    total = sum(p.numel() for p in model.parameters())           # tied: counted once
    per_layer = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
    assert abs(frac_all - (frac_layer * per_layer + total - per_layer) / total) < 1e-9
    assert frac_all > frac_layer and total - per_layer >= emb


def test_task_pairs_matches_synthetic_task():
    from ftkit.data import synthetic
    assert half_fine_tuning.task_pairs("copy", 4, seed=7) == list(synthetic.task("copy", 4, seed=7))
