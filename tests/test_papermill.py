"""Notebooks rerun through `ftkit run` (papermill) with changed parameters, and every gpu profile's
code path dry-run on the CPU."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from ftkit import catalog


def ftkit_run(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "ftkit.cli", "run", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def test_rerun_with_another_seed_writes_results_whose_claims_hold(tmp_path):
    r = ftkit_run("model_soups", "-p", "seed", "11", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["slug"] == "model_soups" and res["profile"] == "smoke" and res["params"]["seed"] == 11
    assert res["claims"] and all(c["holds"] for c in res["claims"]), res["claims"]
    nb = json.loads((tmp_path / "model_soups.ipynb").read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and "seed = 11" in "".join(injected[0]["source"])


@pytest.mark.parametrize("slug", [p.slug for p in catalog.ready()])
def test_gpu_profile_dry_run_on_cpu(slug, tmp_path):
    r = ftkit_run(slug, "--profile", "gpu", "--dry-run", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["profile"] == "gpu"
    for name, value in catalog.get(slug).dry_run.items():
        assert res["params"][name] == value          # the dry-run values reached the notebook
    gpu_only = {k: v for k, v in catalog.get(slug).params("gpu").items() if k not in catalog.get(slug).dry_run}
    for name, value in gpu_only.items():
        assert res["params"][name] == value          # everything else is the gpu profile
