"""Notebooks rerun with changed parameters, through `ftkit run` and through plain papermill (which must behave the
same), and every gpu profile's code path dry-run on the CPU."""
import datetime
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from ftkit import catalog, config

pytestmark = pytest.mark.notebooks
READY = [p.slug for p in catalog.ready()]


def ftkit_run(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "ftkit.cli", "run", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def plain_papermill(slug, out, params: dict, timeout=600):
    """`papermill notebooks/SLUG.ipynb OUT/SLUG.ipynb -f params.yaml`, as a user would type it (-f, because
    papermill's -p reads lists and lowercase booleans as strings)."""
    import yaml
    (out / "params.yaml").write_text(yaml.safe_dump(params))
    return subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / f"{slug}.ipynb"),
                           str(out / f"{slug}.ipynb"), "-k", "python3", "--cwd", str(ROOT / "notebooks"),
                           "-f", str(out / "params.yaml")],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, "FTKIT_OUT": str(out)})


def rotation():
    """One notebook and seed per day: every notebook's seed rerun comes round within a fortnight of CI runs."""
    day = datetime.date.today().toordinal()
    return READY[day % len(READY)], 1 + (day // len(READY)) % 2


def test_rerun_with_another_seed_through_plain_papermill_matches_ftkit_run(tmp_path):
    slug, seed = rotation()
    r = plain_papermill(slug, tmp_path, {"seed": seed})
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["slug"] == slug and res["profile"] == "smoke"
    assert res["params"] == config.resolve(slug, "smoke", {"seed": seed})    # what `ftkit run SLUG -p seed N` runs
    asserted = res["claims"] + res["checks"] + [f for f in res["findings"] if f.get("asserted", True)]
    assert asserted and all(c["holds"] for c in asserted), [c for c in asserted if not c["holds"]]


@pytest.mark.parametrize("slug", READY)
def test_gpu_profile_dry_run_on_cpu(slug, tmp_path):
    paper = catalog.get(slug)
    if READY.index(slug) % 2 == 0:
        r = ftkit_run(slug, "--profile", "gpu", "--dry-run", "--out", str(tmp_path))
    else:                                            # the same through plain papermill
        r = plain_papermill(slug, tmp_path, {"profile": "gpu", **paper.dry_run})
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["profile"] == "gpu"
    assert res["params"] == config.resolve(slug, "gpu", paper.dry_run)
    for name, value in paper.profile.gpu.items():
        if name not in paper.dry_run:
            assert res["params"][name] == value      # everything the dry run does not swap is the gpu profile


PAPER = [p.slug for p in catalog.ready() if p.profile.paper is not None]


@pytest.mark.parametrize("slug", PAPER)
def test_paper_profile_dry_run_on_two_processes(slug, tmp_path):
    """The paper-scale path on the CPU: for several GPUs, the notebook as a script under torchrun with fit sharding
    every batch, on 2 CPU processes; for one large GPU, the notebook through papermill."""
    r = ftkit_run(slug, "--profile", "paper", "--dry-run", "--out", str(tmp_path))
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    res = json.loads((tmp_path / "results.json").read_text())
    several = catalog.get(slug).profile.paper_launch.get("processes", 1) > 1
    assert res["profile"] == "paper" and res["runtime"]["processes"] == (2 if several else 1)
    assert res["params"] == config.resolve(slug, "paper", catalog.get(slug).dry_run)
    assert (tmp_path / f"{slug}.{'py' if several else 'ipynb'}").exists()
