"""Parameters: a notebook's smoke defaults (its `parameters` cell), a profile's overrides, and the user's own
values, validated with one clear message per mistake.

The rules, for every parameter of a notebook (its smoke default fixes the type):
- a name that is not a parameter of the notebook is an error (with the closest names suggested);
- an int parameter takes an int, a float parameter an int or float, a str a str, a bool a bool,
  a list a list;
- numbers must lie in the paper's range for that name (default: >= 0), strings in its choices.

Which values did the user set? Those papermill injected (its `# Parameters` cell, whether it came from
`ftkit run -p`, `papermill -p` or `papermill -f`), and any value edited in the parameters cell by hand.
Every other parameter takes the chosen profile's value. So `-p profile gpu` alone gives the gpu profile,
and `-p profile gpu -p max_steps 2` a two-step run of it, even where 2 happens to be the smoke default.
"""
from __future__ import annotations

import ast
import difflib

from . import catalog


class ConfigError(ValueError):
    """A bad parameter: the message names it and says what was expected."""

    def _render_traceback_(self):          # IPython shows this one line instead of a traceback
        return [f"ConfigError: {self}"]


def parse_value(text: str):
    """Turn a command-line string into a Python literal where it is one ('3' -> 3, '[1,2]' -> [1, 2])."""
    if text in ("true", "false"):
        return text == "true"
    if text in ("none", "null"):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _type_name(v) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", type(None): "None"}.get(type(v), type(v).__name__)


def check(slug: str, name: str, value) -> None:
    paper = catalog.get(slug)
    known = catalog.smoke_params(slug)
    if name not in known:
        near = difflib.get_close_matches(name, known, n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else f" (known: {', '.join(sorted(known))})"
        raise ConfigError(f"unknown parameter {name!r} for {slug}{hint}")
    if name == "profile":
        if value not in paper.profiles:
            raise ConfigError(f"parameter 'profile' must be one of {list(paper.profiles)}, got {value!r}")
        return
    default = known[name]
    ok = {
        bool: lambda v: isinstance(v, bool),
        int: lambda v: isinstance(v, int) and not isinstance(v, bool),
        float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        str: lambda v: isinstance(v, str),
        list: lambda v: isinstance(v, list),
    }.get(type(default), lambda v: True)
    if not ok(value):
        raise ConfigError(f"parameter {name!r} must be {_type_name(default)}, got {value!r} ({_type_name(value)})")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = paper.ranges.get(name, catalog.SEED_RANGE if name == "seed" else (0, float("inf")))
        if not lo <= value <= hi:
            raise ConfigError(f"parameter {name!r} must be in [{lo}, {hi}], got {value!r}")
    if name in paper.choices and value not in paper.choices[name]:
        raise ConfigError(f"parameter {name!r} must be one of {paper.choices[name]}, got {value!r}")


def resolve(slug: str, profile: str = "smoke", overrides: dict | None = None) -> dict:
    """The full parameter set: the profile's defaults, then validated overrides."""
    check(slug, "profile", profile)
    params = catalog.get(slug).params(profile)
    for name, value in (overrides or {}).items():
        check(slug, name, value)
        params[name] = value
    params["profile"] = profile
    return params


def injected_names(history: list[str]) -> list[str]:
    """Names assigned in papermill's injected `# Parameters` cell, read from the kernel's input history."""
    cells = [h for h in history or [] if h.lstrip().startswith("# Parameters")]
    if not cells:
        return []
    return [n.targets[0].id for n in ast.parse(cells[-1]).body
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)]


def from_notebook(slug: str, namespace: dict) -> dict:
    """Resolve a notebook's parameters from the variables its parameters cell (and papermill) set."""
    smoke = catalog.smoke_params(slug)
    given = injected_names(namespace.get("In", []))
    for name in given:
        if name not in smoke:
            check(slug, name, None)                      # raises: unknown parameter, with suggestions
    profile = namespace.get("profile", "smoke")
    overrides = {k: namespace[k] for k in smoke
                 if k != "profile" and k in namespace and (k in given or namespace[k] != smoke[k])}
    return resolve(slug, profile, overrides)
