"""`ftkit` command line: list the catalog, run a notebook with parameters, gather results.

    ftkit list [--markdown]
    ftkit run SLUG [--profile P] [-p NAME VALUE]... [--out DIR]
    ftkit report [RESULTS.json or DIR ...]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

from . import catalog, config

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def catalog_markdown() -> str:
    """The README's catalog table (regenerate with `ftkit list --markdown`)."""
    rows = ["| # | notebook | paper | theme | status | smoke (2-core CPU) | gpu |", "|---|---|---|---|---|---|---|"]
    for p in catalog.PAPERS:
        link = f"[{p.short}]({p.url})" if p.url else p.short
        if p.status == "ready":
            nb = f"[`{p.slug}`](notebooks/{p.slug}.ipynb)"
            smoke, gpu = _minutes(p.profiles["smoke"].seconds), p.profiles["gpu"].hardware + ", ~" + _minutes(p.profiles["gpu"].seconds)
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
        out += [f"Training-loop throughput ({r['loop']['setup']}):", "", "| loop | tokens/s | ratio to bare PyTorch |", "|---|---|---|"]
        out += [f"| {k} | {v:,.0f} | {r['loop']['ratio_to_bare'][k]:.2f} |" for k, v in r["loop"]["tokens_per_s"].items()]
        out.append("")
    if "footprint" in r:
        out += ["Weight memory, NF4 (bitsandbytes, double quantization) vs fp32:", "", "| model | fp32 MB | NF4 MB | NF4 / fp32 |", "|---|---|---|---|"]
        out += [f"| {k} | {v['fp32_MB']} | {v['nf4_MB']} | {v['nf4_over_fp32']:.2f} |" for k, v in r["footprint"].items()]
        out.append("")
    if "notebooks" in r:
        out += ["Smoke-profile wall time through `ftkit run` (kernel start included):", "", "| notebook | seconds |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in r["notebooks"].items()]
    return "\n".join(out)


def write_readme() -> None:
    """Regenerate the README's catalog and benchmark sections in place."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    for tag, body in (("catalog", catalog_markdown()), ("bench", bench_markdown())):
        start, end = f"<!-- {tag}:start -->", f"<!-- {tag}:end -->"
        a, b = text.index(start) + len(start), text.index(end)
        text = text[:a] + "\n" + body + "\n" + text[b:]
    readme.write_text(text)


def cmd_list(args) -> int:
    if args.write_readme:
        write_readme()
        print("README.md catalog and benchmark sections regenerated")
        return 0
    if args.markdown:
        print(catalog_markdown())
        return 0
    print(f"{'#':>2}  {'slug':28} {'status':8} {'theme':20} paper")
    for p in catalog.PAPERS:
        print(f"{p.n:>2}  {p.slug:28} {p.status:8} {p.theme:20} {p.short} ({p.arxiv or 'no arXiv id'})")
    print(f"\n{len(catalog.PAPERS)} papers, {len(catalog.ready())} ready. Run one: ftkit run SLUG")
    return 0


def run_notebook(slug: str, profile: str = "smoke", overrides: dict | None = None, out: pathlib.Path | None = None,
                 progress: bool = True) -> pathlib.Path:
    """Validate parameters, execute notebooks/SLUG.ipynb with papermill, return DIR/SLUG.ipynb."""
    import papermill as pm
    paper = catalog.get(slug)
    if paper.status != "ready":
        raise config.ConfigError(f"{slug} is planned, not ready: its notebook has not been written yet")
    overrides = overrides or {}
    config.resolve(slug, profile, overrides)          # fails early, with the parameter's name
    out = (out or pathlib.Path("runs") / slug).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["FTKIT_OUT"] = str(out)
    os.environ["FTKIT_OVERRIDES"] = json.dumps(sorted(overrides))   # read by config.from_notebook in the kernel
    t0 = time.time()
    pm.execute_notebook(str(NOTEBOOKS / f"{slug}.ipynb"), str(out / f"{slug}.ipynb"),
                        parameters={"profile": profile, **overrides}, cwd=str(NOTEBOOKS),
                        kernel_name="python3", progress_bar=progress)
    print(f"{slug} ({profile}) ran in {time.time() - t0:.0f} s -> {out / (slug + '.ipynb')}, {out / 'results.json'}")
    return out / f"{slug}.ipynb"


def cmd_run(args) -> int:
    overrides = {name: config.parse_value(value) for name, value in args.param}
    if args.dry_run:
        try:
            overrides = {**catalog.get(args.slug).dry_run, **overrides}
        except KeyError as e:
            print(f"ftkit run: error: {e.args[0]}", file=sys.stderr)
            return 2
    try:
        run_notebook(args.slug, args.profile, overrides, args.out, progress=not os.environ.get("TQDM_DISABLE"))
    except (config.ConfigError, KeyError) as e:
        print(f"ftkit run: error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    except Exception as e:   # papermill's PapermillExecutionError carries the failing cell's error
        name = type(e).__name__
        if name == "PapermillExecutionError":
            print(f"ftkit run: the notebook failed: {e.ename}: {e.evalue} (see the executed notebook in the output folder)",
                  file=sys.stderr)
            return 1
        raise
    return 0


def cmd_report(args) -> int:
    from .report import scoreboard
    paths = []
    for a in args.paths or ["runs"]:
        p = pathlib.Path(a)
        paths += sorted(p.rglob("results.json")) if p.is_dir() else [p]
    if not paths:
        print("no results.json found; run a notebook first: ftkit run model_soups", file=sys.stderr)
        return 1
    print(scoreboard(paths))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="ftkit", description="ftkit: runnable fine-tuning papers")
    sub = ap.add_subparsers(dest="cmd", required=True)
    ls = sub.add_parser("list", help="list the 45 papers")
    ls.add_argument("--markdown", action="store_true", help="print the README catalog table")
    ls.add_argument("--write-readme", action="store_true", help="regenerate README.md's catalog and benchmark sections")
    r = sub.add_parser("run", help="execute a notebook with papermill")
    r.add_argument("slug")
    r.add_argument("--profile", default="smoke")
    r.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    r.add_argument("--out", type=pathlib.Path, help="output folder (default runs/SLUG)")
    r.add_argument("--dry-run", action="store_true",
                   help="swap in the offline models/data and a few steps (the catalog's dry_run), e.g. to check a gpu profile on a CPU")
    rep = sub.add_parser("report", help="gather results.json files into a markdown scoreboard")
    rep.add_argument("paths", nargs="*")
    args = ap.parse_args(argv)
    return {"list": cmd_list, "run": cmd_run, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
