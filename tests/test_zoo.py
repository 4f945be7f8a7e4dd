import json

from ftkit import zoo


def test_manifest_matches_files_and_shows_pretraining_worked():
    d = zoo.model_dir("ftkit/tiny-llama")
    m = json.loads((d / "manifest.json").read_text())
    for name, digest in m["files"].items():
        assert zoo.sha256(d / name) == digest, f"{name} differs from its manifest"
    assert m["heldout_wiki_loss"] < m["random_init_heldout_wiki_loss"] - 2.0
    assert m["fact_recall"]["seen_templates"] > 0.8
    assert m["recipe"] == zoo.RECIPES["tiny-llama"], "the committed model was built from another recipe: rebuild it"
    assert sum(p.stat().st_size for p in zoo.ZOO_DIR.rglob("*") if p.is_file()) < 20e6


def test_recipe_builds_in_a_few_steps(tmp_path):
    m = zoo.build("tiny-llama", steps=2, out=tmp_path)
    assert (tmp_path / "model.safetensors").exists() and m["recipe"]["steps"] == 2
    assert m["heldout_wiki_loss"] < m["random_init_heldout_wiki_loss"] + 1.0


def test_facts_variant_recalls_facts_before_any_edit():
    d = zoo.model_dir("ftkit/tiny-llama-facts")
    m = json.loads((d / "manifest.json").read_text())
    for name, digest in m["files"].items():
        assert zoo.sha256(d / name) == digest
    assert m["recipe"] == zoo.RECIPES["tiny-llama-facts"]
    assert m["fact_recall"]["seen_templates"] > 0.9
    # held-out templates are paraphrases the model never saw: recall on them must beat the base model's
    assert m["fact_recall"]["heldout_templates"] > m["fact_recall_of_base_model"]["heldout_templates"]
    assert m["heldout_wiki_loss"] < m["random_init_heldout_wiki_loss"] - 2.0
