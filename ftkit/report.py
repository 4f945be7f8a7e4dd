"""Results: the `Run` record a notebook fills, its `results.json`, and the scoreboard.

A notebook opens its record with one call after the parameters cell:

    run = report.start("dsee", globals())    # validates the parameters, seeds, styles plots, starts the clock
    cfg = run.params

results.json schema (read by `ftkit report` and other tools):
{"slug", "profile", "params": {...}, "metrics": {...},
 "claims": [{"name", "holds", "detail"}],                      # checks and findings asserted in smoke
 "findings": [{"name", "holds", "detail", "control", "margin", "asserted"}], "checks": [{"name", "holds", "detail"}],
 "verdict": {"value": "reproduced" | "partly" | "not at this scale", "why"} or null,
 "paper_vs_ours": [{"quantity", "paper", "ours"}], "runtime": {"wall_s", "device", ...}}
"""
from __future__ import annotations

import json
import math
import os
import pathlib
import platform
import time
from importlib import metadata

VERDICTS = ("reproduced", "partly", "not at this scale")


class ClaimFailed(AssertionError):
    """Raised at `Run.finish()` in the smoke profile when a claim does not hold."""

    def _render_traceback_(self):          # IPython shows this one line instead of a traceback
        return [f"ClaimFailed: {self}"]


def _plain(x):
    """JSON-safe copy: numpy/torch scalars to floats, NaN to None, tuples to lists."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if hasattr(x, "item") and callable(x.item):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def versions() -> str:
    """One line of versions, read from package metadata (importing trl or bitsandbytes just to print a version
    costs seconds and stderr noise)."""
    import torch

    def v(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"
    device = f"cuda ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "cpu"
    libs = " | ".join(f"{n} {v(n)}" for n in ("transformers", "peft", "trl", "bitsandbytes", "accelerate"))
    return f"python {platform.python_version()} | torch {torch.__version__} | {libs} | ftkit {v('ftkit')} | device {device}"


def results_dir(slug: str) -> pathlib.Path:
    """$FTKIT_OUT if set (ftkit run sets it), else ./runs/<slug>."""
    return pathlib.Path(os.environ.get("FTKIT_OUT") or pathlib.Path("runs") / slug)


class Run:
    def __init__(self, slug: str, params: dict):
        self.slug, self.params = slug, dict(params)
        self.profile = params.get("profile", "smoke")
        self.metrics: dict = {}
        self.claims: list[dict] = []
        self.checks: list[dict] = []
        self.findings: list[dict] = []
        self.verdict_: dict | None = None
        self.paper_vs_ours: list[dict] = []
        self._t0 = time.perf_counter()
        self.runtime: dict = {}

    def log(self, **metrics) -> None:
        self.metrics.update(_plain(metrics))

    def _record(self, kind: list, name: str, holds: bool, detail: str, label: str, **extra) -> bool:
        kind.append({"name": name, "holds": bool(holds), "detail": detail, **extra})
        print(f"[{label} {'HOLDS' if holds else 'FAILS'}] {name}: {detail}")
        return bool(holds)

    def claim(self, name: str, holds: bool, detail: str = "") -> bool:
        """Record a claim. In smoke it must hold (checked at finish); elsewhere it is reported."""
        return self._record(self.claims, name, holds, detail, "claim")

    def check(self, name: str, holds: bool, detail: str = "") -> bool:
        """An identity or invariant of a correct implementation (not evidence for the paper). Must hold in smoke."""
        return self._record(self.checks, name, holds, detail, "check")

    def finding(self, name: str, holds: bool, detail: str = "", control: str = "", margin: str = "",
                asserted: bool = True) -> bool:
        """The paper's comparison: the method against a fair `control`, with a stated `margin`. Must hold in smoke,
        unless `asserted=False`: a finding tested and reported whichever way it comes out (e.g. one that does not
        show at this scale), so the record says so instead of leaving it out."""
        return self._record(self.findings, name, holds, detail, "finding" if asserted else "reported finding",
                            control=control, margin=margin, asserted=asserted)

    def verdict(self, value: str, why: str) -> None:
        if value not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {value!r}")
        self.verdict_ = {"value": value, "why": why}
        print(f"verdict: {value} ({why})")

    def compare(self, quantity: str, paper, ours) -> None:
        self.paper_vs_ours.append(_plain({"quantity": quantity, "paper": paper, "ours": ours}))

    def table(self):
        """The paper-vs-ours table as a pandas DataFrame (for display in the notebook)."""
        import pandas as pd
        return pd.DataFrame(self.paper_vs_ours)

    def to_dict(self) -> dict:
        import torch

        from . import distributed
        device = "cuda:" + torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"cpu ({os.cpu_count()} cores)"
        self.runtime.update(wall_s=round(time.perf_counter() - self._t0, 2), device=device,
                            python=platform.python_version(), torch=torch.__version__,
                            processes=distributed.world_size())
        return _plain({"slug": self.slug, "profile": self.profile, "params": self.params, "metrics": self.metrics,
                       "claims": self.claims, "checks": self.checks, "findings": self.findings,
                       "verdict": self.verdict_, "paper_vs_ours": self.paper_vs_ours, "runtime": self.runtime})

    def save(self, path: str | os.PathLike | None = None) -> pathlib.Path:
        path = pathlib.Path(path) if path else results_dir(self.slug) / "results.json"
        from . import distributed
        record = self.to_dict()
        if distributed.rank() == 0:                    # several processes (profile paper): rank 0 writes
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, indent=1))
        return path

    def finish(self) -> pathlib.Path:
        """Save results.json; in the smoke profile, fail if any claim, check or finding does not hold."""
        path = self.save()
        asserted = self.claims + self.checks + [f for f in self.findings if f.get("asserted", True)]
        failed = [c["name"] for c in asserted if not c["holds"]]
        print(f"results written to {path}: {len(asserted) - len(failed)}/{len(asserted)} hold")
        if failed and self.profile == "smoke":
            raise ClaimFailed(f"do not hold in the smoke profile: {failed}")
        return path


def start(slug: str, namespace: dict) -> Run:
    """The one set-up call after a notebook's parameters cell: validate the parameters (papermill's and the
    cell's own), seed python/numpy/torch, apply the plot style, and open the run record (its clock starts)."""
    from . import config, plots, train
    params = config.from_notebook(slug, namespace)
    train.seed_everything(params["seed"])
    plots.style()
    return Run(slug, params)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def scoreboard(paths) -> str:
    """Markdown: one row per results.json (verdict, what held), then each run's findings and paper-vs-ours rows."""
    runs = [json.loads(pathlib.Path(p).read_text()) for p in sorted(paths)]
    out = ["| notebook | profile | seed | verdict | findings holding | checks/claims holding | wall s | device |",
           "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        asserted = r.get("claims", []) + r.get("checks", [])
        finds = [f for f in r.get("findings", []) if f.get("asserted", True)]
        verdict = (r.get("verdict") or {}).get("value", "—")
        out.append(f"| {r['slug']} | {r['profile']} | {r['params'].get('seed', '')} | {verdict} | "
                   f"{sum(f['holds'] for f in finds)}/{len(finds)} | {sum(c['holds'] for c in asserted)}/{len(asserted)} | "
                   f"{r['runtime'].get('wall_s')} | {r['runtime'].get('device')} |")
    for r in runs:
        out += ["", f"### {r['slug']} ({r['profile']}, seed {r['params'].get('seed', '')})", ""]
        if r.get("verdict"):
            out.append(f"Verdict: **{r['verdict']['value']}**: {r['verdict']['why']}")
            out.append("")
        rows = [("finding" if f.get("asserted", True) else "finding (reported)", f) for f in r.get("findings", [])] + [("check", c) for c in r.get("checks", [])] + \
               [("claim", c) for c in r.get("claims", [])]
        if rows:
            out += ["| kind | holds | statement | detail |", "|---|---|---|---|"]
            out += [f"| {k} | {'yes' if c['holds'] else '**no**'} | {_cell(c['name'])} | {_cell(c['detail'])} |" for k, c in rows]
        if r.get("paper_vs_ours"):
            out += ["", "| quantity | paper | ours |", "|---|---|---|"]
            out += [f"| {_cell(x['quantity'])} | {_cell(x['paper'])} | {_cell(x['ours'])} |" for x in r["paper_vs_ours"]]
    return "\n".join(out)
