"""The benchmark scripts' dry runs: every path they time runs on the CPU (the figures themselves are not tested)."""
import subprocess
import sys

from conftest import ROOT


def test_gpu_benchmark_dry_run_runs_every_path():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu.py"), "--dry-run"], capture_output=True,
                       text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    table = r.stdout.strip().splitlines()[-6:]
    assert [line.split(" | ")[3] for line in table] == ["ftkit", "trl", "bare"] * 2
    assert all(line.split(" | ")[2] == "64" for line in table)
