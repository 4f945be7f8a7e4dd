"""Results: the `Run` record a notebook fills, its `results.json`, and the scoreboard.

results.json schema (read by `ftkit report` and other tools):
{"slug", "profile", "params": {...}, "metrics": {...}, "claims": [{"name", "holds", "detail"}],
 "paper_vs_ours": [{"quantity", "paper", "ours"}], "runtime": {"wall_s", "device", ...}}
"""
from __future__ import annotations

import json
import math
import os
import pathlib
import platform
import time


class ClaimFailed(AssertionError):
    """Raised at `Run.finish()` in the smoke profile when a claim does not hold."""


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


def results_dir(slug: str) -> pathlib.Path:
    """$FTKIT_OUT if set (ftkit run sets it), else ./runs/<slug>."""
    return pathlib.Path(os.environ.get("FTKIT_OUT") or pathlib.Path("runs") / slug)


class Run:
    def __init__(self, slug: str, params: dict):
        self.slug, self.params = slug, dict(params)
        self.profile = params.get("profile", "smoke")
        self.metrics: dict = {}
        self.claims: list[dict] = []
        self.paper_vs_ours: list[dict] = []
        self._t0 = time.perf_counter()
        self.runtime: dict = {}

    def log(self, **metrics) -> None:
        self.metrics.update(_plain(metrics))

    def claim(self, name: str, holds: bool, detail: str = "") -> bool:
        """Record a claim check. In smoke it must hold (checked at finish); elsewhere it is reported."""
        self.claims.append({"name": name, "holds": bool(holds), "detail": detail})
        print(f"[{'HOLDS' if holds else 'FAILS'}] {name}: {detail}")
        return bool(holds)

    def compare(self, quantity: str, paper, ours) -> None:
        self.paper_vs_ours.append(_plain({"quantity": quantity, "paper": paper, "ours": ours}))

    def table(self):
        """The paper-vs-ours table as a pandas DataFrame (for display in the notebook)."""
        import pandas as pd
        return pd.DataFrame(self.paper_vs_ours)

    def to_dict(self) -> dict:
        import torch
        device = "cuda:" + torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"cpu ({os.cpu_count()} cores)"
        self.runtime.update(wall_s=round(time.perf_counter() - self._t0, 2), device=device,
                            python=platform.python_version(), torch=torch.__version__)
        return _plain({"slug": self.slug, "profile": self.profile, "params": self.params, "metrics": self.metrics,
                       "claims": self.claims, "paper_vs_ours": self.paper_vs_ours, "runtime": self.runtime})

    def save(self, path: str | os.PathLike | None = None) -> pathlib.Path:
        path = pathlib.Path(path) if path else results_dir(self.slug) / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1))
        return path

    def finish(self) -> pathlib.Path:
        """Save results.json; in the smoke profile, fail if any claim does not hold."""
        path = self.save()
        failed = [c["name"] for c in self.claims if not c["holds"]]
        print(f"results written to {path}: {len(self.claims) - len(failed)}/{len(self.claims)} claims hold")
        if failed and self.profile == "smoke":
            raise ClaimFailed(f"claims that do not hold in the smoke profile: {failed}")
        return path


def scoreboard(paths) -> str:
    """A markdown table of runs (one row per results.json)."""
    rows = ["| notebook | profile | claims holding | wall s | device |", "|---|---|---|---|---|"]
    for p in sorted(paths):
        r = json.loads(pathlib.Path(p).read_text())
        n_ok = sum(c["holds"] for c in r["claims"])
        rows.append(f"| {r['slug']} | {r['profile']} | {n_ok}/{len(r['claims'])} | {r['runtime'].get('wall_s')} | {r['runtime'].get('device')} |")
    return "\n".join(rows)
