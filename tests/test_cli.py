import subprocess
import sys

from conftest import ROOT
from ftkit import catalog


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
    planned = next(p.slug for p in catalog.PAPERS if p.status == "planned")
    r = ftkit("run", planned)
    assert r.returncode == 2 and "planned" in r.stderr


def test_report_without_runs_says_what_to_do(tmp_path):
    r = ftkit("report", str(tmp_path))
    assert r.returncode == 1 and "ftkit run" in r.stderr


def test_unwritable_output_folder_is_one_line():
    r = ftkit("run", "model_soups", "--out", "/proc/ftkit-cannot-write-here")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write to the output folder" in lines[0]


def test_report_in_a_folder_without_runs_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "ftkit.cli", "report"], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "ftkit run" in lines[0]


def test_parameters_file_is_read_and_validated(tmp_path):
    f = tmp_path / "params.yaml"
    f.write_text("seed: 3\nn_ingredient: 4\n")
    r = ftkit("run", "model_soups", "-f", str(f))
    assert r.returncode == 2 and "n_ingredient" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    f.write_text("seed: [1\n")
    r = ftkit("run", "model_soups", "-f", str(f))
    assert r.returncode == 2 and "not valid YAML" in r.stderr


def test_report_shows_verdicts_findings_and_paper_rows(tmp_path):
    from ftkit.report import Run
    run = Run("model_soups", {"profile": "smoke", "seed": 0})
    run.finding("greedy soup >= best single", True, "90.1 vs 89.9", control="best single model", margin="-0.5 points")
    run.check("soup of one = the model", True, "0.0")
    run.verdict("reproduced", "the headline holds")
    run.compare("greedy soup gain", "+0.8 points", "+0.2 points")
    run.save(tmp_path / "a" / "results.json")
    r = ftkit("report", str(tmp_path))
    assert r.returncode == 0
    assert "| model_soups | smoke | 0 | reproduced | 1/1 | 1/1 |" in r.stdout
    assert "greedy soup >= best single" in r.stdout and "+0.8 points" in r.stdout
