"""Notebook wall times (a benchmark, not a timed test): each ready notebook's smoke run and gpu dry run.

    python benchmarks/notebook_times.py                  # every ready notebook: smoke + dry run
    python benchmarks/notebook_times.py dsee lofit       # some of them
    python benchmarks/notebook_times.py --commit         # also refresh the committed outputs in notebooks/
    python benchmarks/notebook_times.py --write          # also record the seconds in ftkit/papers/<slug>.py

Run it on an idle machine: a second job on 2 cores makes training steps many times slower. Results go to
benchmarks/notebook_times.json; `ftkit list --write-readme` puts the times and the CI projection in the README.
Both runs go through papermill with a fresh kernel, as CI's execution does (kernel start and imports included).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import statistics
import sys
import tempfile
import time

os.environ["TQDM_DISABLE"] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.pop("MPLBACKEND", None)
ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ftkit import catalog, cli  # noqa: E402

OUT = ROOT / "benchmarks" / "notebook_times.json"


def execute(slug: str, out: pathlib.Path, parameters: dict | None) -> float:
    import papermill as pm
    cli._quiet_logging()
    t0 = time.perf_counter()
    pm.execute_notebook(str(catalog.NOTEBOOKS / f"{slug}.ipynb"), str(out), parameters=parameters,
                        cwd=str(catalog.NOTEBOOKS), kernel_name="python3", progress_bar=False)
    return round(time.perf_counter() - t0, 1)


def smoke(slug: str, commit: bool) -> float:
    """The default run, exactly as a user's Run All (no injected parameters); its outputs can be committed."""
    os.environ.pop("FTKIT_OUT", None)              # results go to notebooks/runs/<slug> (ignored by git)
    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d) / f"{slug}.ipynb"
        seconds = execute(slug, out, None)
        if commit:
            (catalog.NOTEBOOKS / f"{slug}.ipynb").write_text(out.read_text())
    return seconds


def dry_run(slug: str) -> float:
    paper = catalog.get(slug)
    with tempfile.TemporaryDirectory() as d:
        os.environ["FTKIT_OUT"] = d
        try:
            return execute(slug, pathlib.Path(d) / f"{slug}.ipynb", {"profile": "gpu", **paper.dry_run})
        finally:
            os.environ.pop("FTKIT_OUT", None)


def write_profile(slug: str, smoke_s: float, dry_s: float | None) -> None:
    path = ROOT / "ftkit" / "papers" / f"{slug}.py"
    text = re.sub(r"smoke_seconds=[\d.]+", f"smoke_seconds={smoke_s:.0f}", path.read_text(), count=1)
    if dry_s is not None:
        if "dry_run_seconds=" in text:
            text = re.sub(r"dry_run_seconds=[\d.]+", f"dry_run_seconds={dry_s:.0f}", text, count=1)
        else:
            text = text.replace(f"    smoke_seconds={smoke_s:.0f},\n",
                                f"    smoke_seconds={smoke_s:.0f},\n    dry_run_seconds={dry_s:.0f},\n", 1)
    path.write_text(text)


def cpu_label() -> str:
    """The CPU the times were taken on: model name and its widest vector extension (bf16 support changes TRL and
    bf16 costs many times over, so times from different CPUs are not comparable)."""
    from ftkit.models import cpu_has_native_bf16, cpu_info
    name, flags = cpu_info()
    ext = ("AVX512-BF16" if cpu_has_native_bf16() else "AVX512" if "avx512f" in flags
           else "AVX2" if "avx2" in flags else "no AVX2")
    return f"{name} ({ext})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("slugs", nargs="*")
    ap.add_argument("--no-dry-run", action="store_true")
    ap.add_argument("--commit", action="store_true", help="write the executed smoke notebooks back to notebooks/")
    ap.add_argument("--write", action="store_true", help="record the seconds in ftkit/papers/<slug>.py")
    a = ap.parse_args(argv)
    times = json.loads(OUT.read_text()) if OUT.exists() else {}
    for slug in a.slugs or [p.slug for p in catalog.ready()]:
        s = smoke(slug, a.commit)
        d = None if a.no_dry_run else dry_run(slug)
        times[slug] = {"smoke_s": s, "dry_run_s": d if d is not None else times.get(slug, {}).get("dry_run_s"),
                       "cpu": cpu_label()}
        print(f"{slug:28} smoke {s:6.1f} s   dry run {d if d is not None else '-':>6} s", flush=True)
        if a.write:
            write_profile(slug, s, d)
        OUT.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")
    runs = [t for k, t in times.items() if not k.startswith("_")]      # "_fixed": set-up and fast-test seconds of CI
    sm = [t["smoke_s"] for t in runs]
    dr = [t["dry_run_s"] for t in runs if t.get("dry_run_s")]
    print(f"smoke: median {statistics.median(sm):.0f} s, max {max(sm):.0f} s; "
          f"dry run: median {statistics.median(dr) if dr else 0:.0f} s, max {max(dr) if dr else 0:.0f} s")


if __name__ == "__main__":
    main()
