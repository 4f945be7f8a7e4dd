"""The notebook contract (CONTRIBUTING.md): checked on every notebook, statically and fast."""
import json
import re

import pytest

from conftest import ROOT
from ftkit import catalog, cli

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def cells(path):
    return json.loads(path.read_text())["cells"]


def src(cell):
    return "".join(cell["source"])


def code_cells(path):
    return [c for c in cells(path) if c["cell_type"] == "code"]


def test_every_ready_paper_has_a_notebook_and_every_notebook_is_ready():
    slugs = {p.stem for p in NOTEBOOKS}
    assert slugs == {p.slug for p in catalog.ready()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_cell(path):
    first = cells(path)[0]
    paper = catalog.get(path.stem)
    assert first["cell_type"] == "markdown" and src(first).startswith("# ")
    assert f"arxiv.org/abs/{paper.arxiv}" in src(first)
    assert "| profile |" in src(first) and "`smoke`" in src(first) and "`gpu`" in src(first)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_cell_times_match_the_profile(path):
    assert cli.sync_title_cell(path.stem, write=False), "regenerate: ftkit list --write-readme"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_versions_cell_comes_first_among_code(path):
    first = src(code_cells(path)[0])
    assert "versions()" in first, "the first code cell prints versions (ftkit.report.versions)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_plain_literals_then_one_set_up_call(path):
    values = catalog.parameters_cell(path)                 # raises on anything but NAME = literal lines
    assert values["profile"] == "smoke" and "seed" in values
    code = code_cells(path)
    i = next(k for k, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", []))
    assert f'report.start("{path.stem}", globals())' in src(code[i + 1]), "the cell after the parameters: report.start"
    everything = "\n".join(src(c) for c in code)
    assert "import *" not in everything, "imports are explicit"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_pip_and_committed_with_clean_outputs(path):
    code = code_cells(path)
    for c in code:
        assert "!pip" not in src(c) and "%pip" not in src(c)
        assert c["execution_count"] is not None, "commit the notebook with the outputs of its default run"
        assert not [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
               for c in code for o in c.get("outputs", [])), "at least one plot"
    text = json.dumps([o for c in code for o in c.get("outputs", []) if o.get("output_type") == "stream"])
    assert "TqdmWarning" not in text and "IProgress not found" not in text
    assert not re.search(r"/(work|root|home|tmp)/", text), "no machine-specific paths in the committed outputs"
    assert text.count("\\r") < 50, "no progress-bar fragments in the committed outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_findings_checks_and_one_verdict(path):
    """The claims rule: checks apart from findings, at least one finding (the paper's comparison against a control),
    one verdict in the code and the same verdict in the title cell and the committed run."""
    text = "\n".join(src(c) for c in code_cells(path))
    assert "run.claim(" not in text, "record run.check(...) and run.finding(...), not run.claim"
    assert "run.finding(" in text and "control=" in text and "margin=" in text, "at least one finding, with its control and margin"
    verdicts = re.findall(r'run\.verdict\(\s*"([^"]+)"', text)
    assert len(verdicts) == 1 and verdicts[0] in ("reproduced", "partly", "not at this scale"), verdicts
    assert f"**Verdict at smoke scale:** `{verdicts[0]}`" in src(cells(path)[0]), "state the verdict in the title cell"
    committed = cli.committed_verdict(path.stem)
    assert committed["verdict"] == verdicts[0], "re-execute and commit the notebook"
    if verdicts[0] != "not at this scale":
        assert committed["asserted"], "a reproduced or partly verdict needs an asserted finding that holds"
    assert "run.compare(" in text and "run.finish()" in text


def test_no_references_to_files_the_repo_lacks():
    texts = {p: p.read_text() for p in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *NOTEBOOKS,
                                         *ROOT.glob("ftkit/**/*.py"), *ROOT.glob("benchmarks/*.py")]}
    for path, text in texts.items():
        for bad in ("method card", "the card", "DESIGN.md", "SMOKE-NOTES", "hub-ids.md", "smoke_times.py"):
            assert bad not in text, f"{path.relative_to(ROOT)} mentions {bad!r}, which the repo does not contain"


def test_readme_catalog_and_scoreboard_are_current():
    readme = (ROOT / "README.md").read_text()
    assert cli.catalog_markdown() in readme and cli.verdicts_markdown() in readme, "regenerate: ftkit list --write-readme"
