"""The notebook contract (DESIGN.md): checked on every notebook, statically and fast."""
import ast
import json

import pytest

from conftest import ROOT
from ftkit import catalog

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def cells(path):
    return json.loads(path.read_text())["cells"]


def src(cell):
    return "".join(cell["source"])


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
def test_versions_cell_comes_first_among_code(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert "torch.__version__" in src(code[0]) and "transformers.__version__" in src(code[0])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_plain_literals_matching_the_catalog(path):
    tagged = [c for c in cells(path) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(src(tagged[0])).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), \
            f"only NAME = literal lines: {ast.unparse(node)}"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values["profile"] == "smoke" and "seed" in values
    assert values == catalog.get(path.stem).params("smoke")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_pip_and_committed_with_outputs(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    for c in code:
        assert "!pip" not in src(c) and "%pip" not in src(c)
        assert c["execution_count"] is not None, "commit the notebook with the outputs of its default run"
        assert not [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
               for c in code for o in c.get("outputs", [])), "at least one plot"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_resolves_config_and_finishes_a_run(path):
    text = "\n".join(src(c) for c in cells(path) if c["cell_type"] == "code")
    assert f'config.from_notebook("{path.stem}", globals())' in text
    assert "run.claim(" in text and "run.compare(" in text and "run.finish()" in text
