"""Model-editing metrics (ftkit.editing); the edit data themselves are tested in test_data_synthetic / test_data_hub."""
from ftkit import editing, models
from ftkit.data import synthetic, text


def test_edit_metrics_before_any_edit():
    tok, model = models.load_tokenizer("ftkit/tiny-llama"), models.load_model("ftkit/tiny-llama")
    edits, loc = synthetic.counterfactual_edits(synthetic.fact_world(seed=0), 10, seed=0)
    ref = editing.locality_reference(model, tok, loc)
    assert 0.8 * len(loc) <= len(ref) <= len(loc)          # the base model knows most untouched facts
    m = editing.edit_metrics(model, tok, edits, ref, text.wiki_chunks(n=4))
    assert m["locality %"] == 100.0                          # by definition, before editing
    assert m["reliability %"] <= 10.0                        # the counterfactual answers are not known yet
    assert m["held-out loss"] > 0
