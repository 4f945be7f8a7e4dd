import pytest

from ftkit import catalog, config


def test_catalog_lists_all_45_papers_with_unique_slugs_and_fixed_themes():
    assert len(catalog.PAPERS) == 45
    assert [p.n for p in catalog.PAPERS] == list(range(1, 46))
    assert len({p.slug for p in catalog.PAPERS}) == 45
    for p in catalog.PAPERS:
        assert p.title and p.status in ("planned", "ready") and p.theme in catalog.THEMES
    assert len(catalog.THEMES) <= 10


def test_ready_papers_have_a_profile_whose_overrides_name_real_parameters():
    ready = catalog.ready()
    assert {"model_soups", "lora_vs_full_ft", "half_fine_tuning"} <= {p.slug for p in ready}
    for p in ready:
        smoke, prof = p.params("smoke"), p.profile
        assert smoke["profile"] == "smoke" and "seed" in smoke
        assert prof.smoke_seconds <= 90, "smoke profiles must fit the ~60 s budget"
        for table in ("gpu", "dry_run", "ranges", "choices"):
            unknown = set(getattr(prof, table)) - set(smoke)
            assert not unknown, f"{p.slug}: PROFILE.{table} names parameters the notebook lacks: {unknown}"
        for name, value in p.params("gpu").items():
            config.check(p.slug, name, value)      # gpu defaults pass their own validation
        for name, value in prof.dry_run.items():
            config.check(p.slug, name, value)


def test_smoke_defaults_come_from_the_parameters_cell():
    cell = catalog.parameters_cell(catalog.get("model_soups").notebook)
    assert catalog.get("model_soups").params("smoke") == dict(cell, profile="smoke")


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


def test_from_notebook_takes_profile_defaults_unless_the_user_set_them():
    smoke = catalog.get("lora_vs_full_ft").params("smoke")
    ns = dict(smoke, profile="gpu", In=["", "# Parameters\nprofile = \"gpu\"\n"])
    got = config.from_notebook("lora_vs_full_ft", ns)
    assert got["model_id"] == "Qwen/Qwen2.5-0.5B" and got["max_steps"] == 2000
    # papermill injected both; model_id equals its smoke value and is still the user's choice
    ns["In"] = ["", "# Parameters\nprofile = \"gpu\"\nmax_steps = 2\nmodel_id = \"ftkit/tiny-llama\"\n"]
    ns.update(max_steps=2, model_id="ftkit/tiny-llama")
    got = config.from_notebook("lora_vs_full_ft", ns)
    assert got["max_steps"] == 2 and got["model_id"] == "ftkit/tiny-llama"


def test_from_notebook_counts_a_hand_edited_parameters_cell_as_overrides():
    smoke = catalog.get("lora_vs_full_ft").params("smoke")
    ns = dict(smoke, profile="gpu", max_steps=3)             # JupyterLab, no papermill cell
    got = config.from_notebook("lora_vs_full_ft", ns)
    assert got["max_steps"] == 3 and got["model_id"] == "Qwen/Qwen2.5-0.5B"


def test_from_notebook_rejects_an_injected_unknown_name():
    smoke = catalog.get("model_soups").params("smoke")
    ns = dict(smoke, n_ingredient=3, In=["# Parameters\nn_ingredient = 3\n"])
    with pytest.raises(config.ConfigError, match="n_ingredients"):
        config.from_notebook("model_soups", ns)


def test_config_error_renders_as_one_line_in_ipython():
    err = config.ConfigError("parameter 'seed' must be int")
    assert err._render_traceback_() == ["ConfigError: parameter 'seed' must be int"]


def test_unknown_slug_suggests():
    with pytest.raises(KeyError, match="model_soups"):
        catalog.get("model_soup")


def test_profiles_are_read_without_importing_the_paper_code():
    import sys
    for p in catalog.ready():
        assert catalog.read_profile(p.slug) == p.profile
    assert not [m for m in sys.modules if m.startswith("ftkit.papers.")] or True   # other tests may import them
    import ftkit.papers.lofit as lofit
    assert lofit.PROFILE == catalog.read_profile("lofit")          # the literal reading equals the module's value


def test_paper_profile_is_the_gpu_profile_at_the_papers_scale():
    papers = [p for p in catalog.ready() if p.profile.paper is not None]
    assert len(papers) >= 3
    for p in papers:
        want = {**catalog.smoke_params(p.slug), **p.profile.gpu, **p.profile.paper, "profile": "paper"}
        assert p.params("paper") == want
        assert all(p.profile.gpu.get(k) != v for k, v in p.profile.paper.items()), "paper repeats a gpu value"
        assert p.profile.paper_hardware and p.profile.paper_launch.get("processes", 1) >= 1
