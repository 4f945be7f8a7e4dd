import pytest

from ftkit import editing, models, tasks


def test_counterfactual_edits_are_seeded_and_well_formed():
    world = tasks.fact_world(seed=0)
    edits, loc = tasks.counterfactual_edits(world, 20, seed=3)
    again, _ = tasks.counterfactual_edits(world, 20, seed=3)
    assert edits == again and tasks.counterfactual_edits(world, 20, seed=4)[0] != edits
    touched = {e["subject"] for e in edits}
    for e in edits:
        assert e["answer"] != e["old_answer"] and e["answer"].startswith(" ")
        assert e["old_answer"] == " " + world.facts[(e["subject"], e["relation"])]
        assert len(e["paraphrases"]) == 2 and all(p["prompt"] != e["prompt"] and p["answer"] == e["answer"] for p in e["paraphrases"])
    assert loc and not any(r["subject"] in touched for r in loc)


def test_load_edits_rejects_unknown_source():
    with pytest.raises(ValueError, match="unknown edit source"):
        tasks.load_edits("nope", 3)


def test_edit_metrics_before_any_edit():
    tok, model = models.load_tokenizer("ftkit/tiny-llama"), models.load_model("ftkit/tiny-llama")
    edits, loc = tasks.counterfactual_edits(tasks.fact_world(seed=0), 10, seed=0)
    ref = editing.locality_reference(model, tok, loc)
    assert 0.8 * len(loc) <= len(ref) <= len(loc)          # the base model knows most untouched facts
    m = editing.edit_metrics(model, tok, edits, ref, tasks.wiki_chunks(n=4))
    assert m["locality %"] == 100.0                          # by definition, before editing
    assert m["reliability %"] <= 10.0                        # the counterfactual answers are not known yet
    assert m["held-out loss"] > 0
