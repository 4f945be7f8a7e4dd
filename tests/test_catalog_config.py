import pytest

from ftkit import catalog, config


def test_catalog_lists_all_45_papers_with_unique_slugs():
    assert len(catalog.PAPERS) == 45
    assert [p.n for p in catalog.PAPERS] == list(range(1, 46))
    assert len({p.slug for p in catalog.PAPERS}) == 45
    for p in catalog.PAPERS:
        assert p.title and p.theme and p.status in ("planned", "ready")


def test_ready_papers_have_smoke_and_gpu_profiles():
    ready = catalog.ready()
    assert {"model_soups", "lora_vs_full_ft", "half_fine_tuning"} <= {p.slug for p in ready}
    for p in ready:
        smoke = p.params("smoke")
        assert smoke["profile"] == "smoke" and "seed" in smoke
        assert p.profiles["smoke"].seconds <= 90, "smoke profiles must fit the ~60 s budget"
        gpu = p.params("gpu")
        assert set(gpu) == set(smoke), "a profile may only override parameters the notebook has"
        for name, value in gpu.items():
            config.check(p.slug, name, value)      # gpu defaults pass their own validation


def test_unknown_parameter_is_named_with_a_suggestion():
    with pytest.raises(config.ConfigError, match=r"unknown parameter 'n_ingredient' .*n_ingredients"):
        config.resolve("model_soups", "smoke", {"n_ingredient": 3})


@pytest.mark.parametrize("name,value,pattern", [
    ("seed", "abc", r"parameter 'seed' must be int, got 'abc'"),
    ("seed", 1.5, r"parameter 'seed' must be int"),
    ("steps", -3, r"parameter 'steps' must be in \[1, "),
    ("image_size", 4, r"parameter 'image_size' must be in \[16, 512\]"),
    ("dataset", 3, r"parameter 'dataset' must be str"),
])
def test_bad_values_fail_with_the_parameter_named(name, value, pattern):
    with pytest.raises(config.ConfigError, match=pattern):
        config.resolve("model_soups", "smoke", {name: value})


def test_choices_and_profiles_are_checked():
    with pytest.raises(config.ConfigError, match="granularity"):
        config.resolve("half_fine_tuning", "smoke", {"granularity": "random"})
    with pytest.raises(config.ConfigError, match="profile"):
        config.resolve("half_fine_tuning", "paper-xl")


def test_float_parameter_accepts_int_and_list_must_be_list():
    assert config.resolve("half_fine_tuning", "smoke", {"lr": 1})["lr"] == 1
    with pytest.raises(config.ConfigError, match="task_sequence"):
        config.resolve("half_fine_tuning", "smoke", {"task_sequence": "sort"})


def test_parse_value():
    assert config.parse_value("3") == 3 and config.parse_value("3e-4") == 3e-4
    assert config.parse_value("[1, 2]") == [1, 2] and config.parse_value("abc") == "abc"
    assert config.parse_value("true") is True and config.parse_value("'x'") == "x"


def test_from_notebook_takes_profile_defaults_unless_overridden():
    smoke = catalog.get("lora_vs_full_ft").params("smoke")
    ns = dict(smoke, profile="gpu")
    got = config.from_notebook("lora_vs_full_ft", ns)
    assert got["model_id"] == "Qwen/Qwen2.5-0.5B" and got["max_steps"] == 2000
    ns["max_steps"] = 2
    ns["model_id"] = "ftkit/tiny-llama"     # equals the smoke value: the gpu default wins
    got = config.from_notebook("lora_vs_full_ft", ns)
    assert got["max_steps"] == 2 and got["model_id"] == "Qwen/Qwen2.5-0.5B"


def test_unknown_slug_suggests():
    with pytest.raises(KeyError, match="model_soups"):
        catalog.get("model_soup")
