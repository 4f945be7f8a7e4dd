import subprocess
import sys

from conftest import ROOT


def ftkit(*args):
    return subprocess.run([sys.executable, "-m", "ftkit.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_list_shows_45_papers():
    r = ftkit("list")
    assert r.returncode == 0
    assert "45 papers" in r.stdout and "model_soups" in r.stdout


def test_unknown_parameter_exits_nonzero_with_one_line():
    r = ftkit("run", "model_soups", "-p", "no_such_param", "1")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no_such_param" in lines[0]


def test_mistyped_value_exits_nonzero_with_one_line():
    r = ftkit("run", "model_soups", "-p", "seed", "abc")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "'seed'" in lines[0] and "abc" in lines[0]


def test_planned_notebook_is_refused_clearly():
    r = ftkit("run", "logicllama")
    assert r.returncode == 2 and "planned" in r.stderr


def test_readme_catalog_table_is_current():
    r = ftkit("list", "--markdown")
    assert r.stdout.strip() in (ROOT / "README.md").read_text(), "regenerate: ftkit list --write-readme"


def test_report_without_runs_says_what_to_do(tmp_path):
    r = ftkit("report", str(tmp_path))
    assert r.returncode == 1 and "ftkit run" in r.stderr
