import os
import pathlib
import sys

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.pop("MPLBACKEND", None)          # kernels choose their inline backend, so executed notebooks keep their plots

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def pytest_collection_modifyitems(config, items):
    """Executing notebooks (nbval, papermill) is marked `notebooks`: `pytest -m "not notebooks"` is the fast subset."""
    for item in items:
        if str(item.fspath).endswith(".ipynb") or "notebooks" in item.keywords:
            item.add_marker(pytest.mark.notebooks)
        if hasattr(item, "output_timeout"):
            # nbval waits only 5 s for a cell's outputs after the kernel replies; a kernel that has just come out of
            # a minute of training on 2 busy cores can take longer to flush them (seen once in CI)
            item.output_timeout = 120
