"""`ftkit` command line: list the catalog, run a notebook with parameters, gather results.

    ftkit list [--markdown | --write-readme]
    ftkit run SLUG [--profile P] [-p NAME VALUE]... [-f PARAMS.yaml] [--dry-run] [--out DIR] [--processes N]
    ftkit report [RESULTS.json or DIR ...]
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import pathlib
import re
import sys
import time

from . import catalog, config

ROOT = catalog.ROOT
NOTEBOOKS = catalog.NOTEBOOKS
SMOKE_HARDWARE = "2-core CPU, offline"


class CliError(Exception):
    """Bad input the user can fix: printed as one line, exit status 2."""


def duration(seconds: float) -> str:
    """A rounded, readable duration: ~45 s, ~20 min, ~1.5 h."""
    if seconds < 120:
        return f"~{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"~{seconds / 60:.0f} min"
    return f"~{seconds / 3600:.1f} h".replace(".0 h", " h")


def catalog_markdown() -> str:
    """The README's catalog table (regenerate with `ftkit list --markdown`)."""
    rows = ["| # | notebook | paper | theme | status | smoke (2-core CPU) | gpu |", "|---|---|---|---|---|---|---|"]
    for p in catalog.PAPERS:
        link = f"[{p.short}]({p.url})" if p.url else p.short
        if p.status == "ready":
            nb = f"[`{p.slug}`](notebooks/{p.slug}.ipynb)"
            prof = p.profile
            smoke, gpu = duration(prof.smoke_seconds), f"{prof.gpu_hardware}, {duration(prof.gpu_seconds)}"
        else:
            nb, smoke, gpu = f"`{p.slug}`", "", ""
        rows.append(f"| {p.n} | {nb} | {link} | {p.theme} | {p.status} | {smoke} | {gpu} |")
    return "\n".join(rows)


def bench_markdown() -> str:
    """README benchmark tables from benchmarks/results.json (written by benchmarks/bench.py)."""
    path = ROOT / "benchmarks" / "results.json"
    if not path.exists():
        return "_run `python benchmarks/bench.py` to fill this in_"
    r = json.loads(path.read_text())
    out = [f"Machine: {r.get('machine', '?')}.", ""]
    if "loop" in r:
        loop = r["loop"]
        out += [f"Training-loop throughput ({loop['setup']}):", "",
                "| loop | tokens/s, median | tokens/s, min | ratio to bare PyTorch | MFU |", "|---|---|---|---|---|"]
        out += [f"| {k} | {v:,.0f} | {loop.get('tokens_per_s_min', {}).get(k, float('nan')):,.0f} | "
                f"{loop['ratio_to_bare'][k]:.2f} | {100 * loop.get('mfu', {}).get(k, float('nan')):.1f}% |"
                for k, v in loop["tokens_per_s"].items()]
        if "matmul_gflops" in loop:
            out.append(f"\nMFU: model FLOPs per second as a share of this machine's measured fp32 matmul throughput "
                       f"({loop['matmul_gflops']} GFLOP/s).")
        out.append("")
    if "footprint" in r:
        out += ["Weight memory, NF4 (bitsandbytes, double quantization) vs fp32:", "", "| model | fp32 MB | NF4 MB | NF4 / fp32 |", "|---|---|---|---|"]
        out += [f"| {k} | {v['fp32_MB']} | {v['nf4_MB']} | {v['nf4_over_fp32']:.2f} |" for k, v in r["footprint"].items()]
        out.append("")
    times_path = ROOT / "benchmarks" / "notebook_times.json"
    if times_path.exists():
        out += ["", notebook_times_markdown(json.loads(times_path.read_text()))]
    return "\n".join(out)


def notebook_times_markdown(times: dict) -> str:
    """Per-notebook smoke and dry-run seconds (benchmarks/notebook_times.py) and the CI projection at 45 notebooks."""
    import statistics
    times = dict(times)                                   # the caller's dict stays as it was
    fixed = times.pop("_fixed", {})
    smoke = [t["smoke_s"] for t in times.values()]
    dry = [t["dry_run_s"] for t in times.values() if t.get("dry_run_s")]
    cpus = sorted({t.get("cpu", "an earlier, unrecorded CPU") for t in times.values()})
    out = ["Notebook wall times through papermill on 2 idle cores (kernel start included; "
           f"`python benchmarks/notebook_times.py`), measured on {' and '.join(cpus)}:", "",
           "| notebook | smoke s | gpu dry run s |", "|---|---|---|"]
    out += [f"| {k} | {t['smoke_s']:.0f} | {t.get('dry_run_s') or 0:.0f} |" for k, t in times.items()]
    if not smoke:
        return "\n".join(out)
    med_s, med_d = statistics.median(smoke), statistics.median(dry) if dry else 0.0
    out += ["", f"Smoke: median {med_s:.0f} s, max {max(smoke):.0f} s. Dry run: median {med_d:.0f} s, max {max(dry) if dry else 0:.0f} s."]
    if fixed:
        base = fixed.get("setup_s", 0) + fixed.get("fast_tests_s", 0) + fixed.get("paper_dry_runs_s", 0)
        per = med_s + med_d + fixed.get("per_notebook_overhead_s", 0)
        project = lambda n: (base + n * per + max(smoke)) / 60          # + one rotating seed rerun
        out.append(f"CI projection (set-up {fixed.get('setup_s', 0):.0f} s + fast tests {fixed.get('fast_tests_s', 0):.0f} s + "
                   f"paper-profile dry runs {fixed.get('paper_dry_runs_s', 0):.0f} s + "
                   f"per notebook: median smoke + median dry run{' + overhead' if fixed.get('per_notebook_overhead_s') else ''} "
                   f"= {per:.0f} s, + one seed rerun): {project(len(smoke)):.0f} min at {len(smoke)} notebooks, "
                   f"**{project(45):.0f} min at 45** (budget 45 min, limit 90).")
        if fixed.get("last_ci_s"):
            out.append(f"Last measured `.ci/run` on a clean clone (2 cores, set-up included): {fixed['last_ci_s'] / 60:.1f} min, "
                       f"{fixed.get('last_ci_tests', '?')} tests.")
    return "\n".join(out)


def _name_patterns(code: str) -> list[str]:
    """Regexes for the names given to run.finding(...) in a notebook's code (f-string fields match anything)."""
    pats = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "finding" and node.args:
            name = node.args[0]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                pats.append(re.escape(name.value))
            elif isinstance(name, ast.JoinedStr):
                pats.append("".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".+?" for v in name.values))
    return pats


def committed_verdict(slug: str) -> dict:
    """The verdict and findings printed in a notebook's committed outputs (its default run)."""
    nb = json.loads((NOTEBOOKS / f"{slug}.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    m = re.search(r"^verdict: (reproduced|partly|not at this scale) \((.*)\)$", text, flags=re.M)
    out = {"verdict": m.group(1) if m else None, "why": m.group(2) if m else "", "asserted": [], "reported": []}
    try:
        names = "|".join(f"(?:{p})" for p in _name_patterns(code)) or r"[^:]*"
    except SyntaxError:
        names = r"[^:]*"
    for kind, holds, name in re.findall(rf"^\[(finding|reported finding) (HOLDS|FAILS)\] ({names}): ", text, flags=re.M):
        out["asserted" if kind == "finding" else "reported"].append((holds, name))
    return out


def verdicts_markdown() -> str:
    """The README scoreboard: each ready notebook's verdict and findings, read from its committed smoke run."""
    rows = ["| notebook | verdict | findings asserted (all hold) | findings tested and reported |", "|---|---|---|---|"]
    counts: dict = {}
    for p in catalog.ready():
        v = committed_verdict(p.slug)
        counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
        cell = lambda t: t.replace("|", "\\|")
        asserted = "; ".join(cell(name) for _, name in v["asserted"]) or "—"
        reported = "; ".join(f"{cell(name)} ({'holds' if h == 'HOLDS' else 'does not hold'})" for h, name in v["reported"]) or "—"
        rows.append(f"| `{p.slug}` | {v['verdict'] or 'not yet assessed'} | {asserted} | {reported} |")
    summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("reproduced", "partly", "not at this scale"))
    if counts.get(None):
        summary += f", {counts[None]} not yet assessed"
    return f"Verdicts of the smoke runs committed with the notebooks: {summary}.\n\n" + "\n".join(rows)


def write_readme() -> None:
    """Regenerate the README's catalog and benchmark sections in place."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    for tag, body in (("catalog", catalog_markdown()), ("verdicts", verdicts_markdown()), ("bench", bench_markdown())):
        start, end = f"<!-- {tag}:start -->", f"<!-- {tag}:end -->"
        a, b = text.index(start) + len(start), text.index(end)
        text = text[:a] + "\n" + body + "\n" + text[b:]
    readme.write_text(text)


def title_rows(slug: str) -> dict[str, tuple[str, str]]:
    """The (hardware, time) cells each title-cell table row should show, from the paper's PROFILE."""
    prof = catalog.get(slug).profile
    rows = {"smoke": (SMOKE_HARDWARE, duration(prof.smoke_seconds)), "gpu": (prof.gpu_hardware, duration(prof.gpu_seconds))}
    if prof.paper is not None:
        rows["paper"] = (prof.paper_hardware, duration(prof.paper_seconds) if prof.paper_seconds else "not run yet")
    return rows


def sync_title_cell(slug: str, write: bool = True) -> bool:
    """Rewrite the hardware and time columns of a notebook's title-cell table; True if they were current."""
    path = NOTEBOOKS / f"{slug}.ipynb"
    nb = json.loads(path.read_text())
    lines = "".join(nb["cells"][0]["source"]).split("\n")
    want = title_rows(slug)
    for i, line in enumerate(lines):
        cols = line.split(" | ")
        for name, (hardware, time_) in want.items():
            if line.startswith(f"| `{name}`") and len(cols) >= 4:
                lines[i] = " | ".join(cols[:-2] + [hardware, time_ + " |"])
    new = "\n".join(lines)
    if new == "".join(nb["cells"][0]["source"]):
        return True
    if write:
        nb["cells"][0]["source"] = new.splitlines(keepends=True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return False


def cmd_list(args) -> int:
    if args.write_readme:
        write_readme()
        for p in catalog.ready():
            sync_title_cell(p.slug)
        print("README.md catalog and benchmark sections and the notebooks' title-cell time tables regenerated")
        return 0
    if args.markdown:
        print(catalog_markdown())
        return 0
    print(f"{'#':>2}  {'slug':28} {'status':8} {'theme':24} paper")
    for p in catalog.PAPERS:
        print(f"{p.n:>2}  {p.slug:28} {p.status:8} {p.theme:24} {p.short} ({p.arxiv or 'no arXiv id'})")
    print(f"\n{len(catalog.PAPERS)} papers, {len(catalog.ready())} ready. Run one: ftkit run SLUG")
    return 0


def writable_folder(out: pathlib.Path) -> pathlib.Path:
    """Create `out` (and its parents) and prove it can be written, or say in one line why not."""
    out = out.expanduser().resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".ftkit-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise CliError(f"cannot write to the output folder {out}: {e.strerror or e}") from None
    return out


def read_params_file(path: pathlib.Path) -> dict:
    """papermill's -f: a YAML mapping of parameter names to values."""
    import yaml
    try:
        data = yaml.safe_load(pathlib.Path(path).read_text())
    except OSError as e:
        raise CliError(f"cannot read the parameters file {path}: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise CliError(f"the parameters file {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CliError(f"the parameters file {path} must hold a mapping of NAME: value, got {type(data).__name__}")
    return data


def run_notebook(slug: str, profile: str = "smoke", overrides: dict | None = None, out: pathlib.Path | None = None,
                 progress: bool = True, processes: int | None = None) -> pathlib.Path:
    """Validate parameters, execute notebooks/SLUG.ipynb with papermill, return DIR/SLUG.ipynb.

    Equivalent to `papermill notebooks/SLUG.ipynb DIR/SLUG.ipynb -p profile PROFILE -p NAME VALUE ...` run
    with FTKIT_OUT=DIR: the notebook itself tells the user's values from the profile's defaults.
    The `paper` profile runs the notebook's code on several processes instead (ftkit.distributed)."""
    paper = catalog.get(slug)
    if paper.status != "ready":
        raise config.ConfigError(f"{slug} is planned, not ready: its notebook has not been written yet")
    overrides = overrides or {}
    config.resolve(slug, profile, overrides)          # fails early, with the parameter's name
    out = writable_folder(out or pathlib.Path("runs") / slug)
    os.environ["FTKIT_OUT"] = str(out)
    # a progress bar inside a papermill kernel is never seen live; it only fills the output notebook with fragments
    os.environ.setdefault("TQDM_DISABLE", "1")
    t0 = time.time()
    n = paper.profile.paper_launch.get("processes", 1) if profile == "paper" else 1
    if n > 1 and processes:                # --processes (2 in a dry run) scales a several-process profile
        n = processes
    if n > 1:                              # several processes: the notebook runs as a script under torchrun
        from . import distributed
        launch = paper.profile.paper_launch
        rc = distributed.run_notebook_processes(paper.notebook, {"profile": profile, **overrides}, out, n,
                                                fsdp=launch.get("fsdp", False),
                                                mixed_precision=launch.get("mixed_precision", "bf16"), cwd=NOTEBOOKS)
        if rc:
            raise CliError(f"the {n}-process run failed (exit {rc}); its output is above, its script in {out}")
        print(f"{slug} ({profile}, {n} processes) ran in {time.time() - t0:.0f} s -> {out / 'results.json'}")
        return out / f"{slug}.py"
    import papermill as pm
    pm.execute_notebook(str(NOTEBOOKS / f"{slug}.ipynb"), str(out / f"{slug}.ipynb"),
                        parameters={"profile": profile, **overrides}, cwd=str(NOTEBOOKS),
                        kernel_name="python3", progress_bar=progress)
    print(f"{slug} ({profile}) ran in {time.time() - t0:.0f} s -> {out / (slug + '.ipynb')}, {out / 'results.json'}")
    return out / f"{slug}.ipynb"


def _quiet_logging() -> None:
    """papermill logs at INFO and relays the kernel's own warnings; the user needs only errors."""
    import logging
    for name in ("papermill", "traitlets", "nbclient", "jupyter_client"):
        logging.getLogger(name).setLevel(logging.ERROR)


def cmd_run(args) -> int:
    try:
        overrides = read_params_file(args.parameters_file) if args.parameters_file else {}
        overrides.update({name: config.parse_value(value) for name, value in args.param})
        if args.dry_run:
            overrides = {**catalog.get(args.slug).dry_run, **overrides}
            if args.profile == "smoke":       # a dry run checks a GPU profile's code path, never the smoke claims
                args.profile = "gpu"
        _quiet_logging()
        run_notebook(args.slug, args.profile, overrides, args.out, progress=not os.environ.get("TQDM_DISABLE"),
                     processes=args.processes or (2 if args.dry_run else None))
    except (config.ConfigError, CliError, KeyError) as e:
        print(f"ftkit run: error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ftkit run: interrupted; training loops given a ckpt_dir resume where they stopped", file=sys.stderr)
        return 130
    except Exception as e:   # papermill's PapermillExecutionError carries the failing cell's error
        if type(e).__name__ == "PapermillExecutionError":
            out = args.out or pathlib.Path("runs") / args.slug
            print(f"ftkit run: the notebook failed: {e.ename}: {str(e.evalue).splitlines()[0] if e.evalue else ''} "
                  f"(the executed notebook is in {out})", file=sys.stderr)
            return 1
        raise
    return 0


def cmd_report(args) -> int:
    from .report import scoreboard
    paths = []
    for a in args.paths or ["runs"]:
        p = pathlib.Path(a)
        if not p.exists():
            print(f"ftkit report: error: {p} does not exist; run a notebook first (ftkit run model_soups writes runs/model_soups/results.json)",
                  file=sys.stderr)
            return 1
        paths += sorted(p.rglob("results.json")) if p.is_dir() else [p]
    if not paths:
        print("ftkit report: error: no results.json found; run a notebook first: ftkit run model_soups", file=sys.stderr)
        return 1
    try:
        print(scoreboard(paths))
    except (OSError, ValueError, KeyError) as e:
        print(f"ftkit report: error: cannot read the results ({type(e).__name__}: {e})", file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="ftkit", description="ftkit: runnable fine-tuning papers")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ls = sub.add_parser("list", help="list the 45 papers")
    ls.add_argument("--markdown", action="store_true", help="print the README catalog table")
    ls.add_argument("--write-readme", action="store_true",
                    help="regenerate README.md's catalog and benchmark sections and the notebooks' title-cell time tables")
    r = sub.add_parser("run", help="execute a notebook with papermill")
    r.add_argument("slug")
    r.add_argument("--profile", default="smoke")
    r.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    r.add_argument("-f", "--parameters-file", type=pathlib.Path, metavar="PARAMS.yaml",
                   help="parameters from a YAML file, as papermill's -f (-p values win)")
    r.add_argument("--out", type=pathlib.Path, help="output folder (default runs/SLUG)")
    r.add_argument("--dry-run", action="store_true",
                   help="run the gpu (or --profile paper) code path on the CPU: offline stand-in models/data and a few steps")
    r.add_argument("--processes", type=int,
                   help="profile paper on several GPUs: how many processes (default: the profile's; 2 in a dry run)")
    rep = sub.add_parser("report", help="gather results.json files into a markdown scoreboard")
    rep.add_argument("paths", nargs="*")
    args = ap.parse_args(argv)
    return {"list": cmd_list, "run": cmd_run, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
