"""The notebook-as-script export that `ftkit run SLUG --profile paper` launches on several processes."""
import json

from ftkit import distributed


def test_notebook_script_injects_parameters_after_the_parameters_cell(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
                    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ["profile = 'smoke'\n", "seed = 0"]},
                    {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "x = seed + 1"]}]}
    path = tmp_path / "demo.ipynb"
    path.write_text(json.dumps(nb))
    script = distributed.notebook_script(path, {"profile": "paper", "seed": 3})
    assert "%matplotlib" not in script and "# title" not in script
    assert script.index("\nseed = 0") < script.index("\nseed = 3\n") < script.index("x = seed + 1")
    namespace = {}
    exec(compile(script.split("import matplotlib", 1)[0], "s", "exec"), namespace)   # the prelude's rank guard runs
    exec(compile(script[script.index("In = ["):], "s", "exec"), namespace)
    assert namespace["x"] == 4 and namespace["profile"] == "paper"
    assert namespace["In"][0].startswith("# Parameters")        # how config.from_notebook sees the given values
