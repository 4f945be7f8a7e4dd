"""Parameters: profile defaults + overrides, validated with one clear message per mistake.

The rules, for every parameter of a notebook (its smoke default fixes the type):
- a name that is not a parameter of the notebook is an error (with the closest names suggested);
- an int parameter takes an int, a float parameter an int or float, a str a str, a bool a bool,
  a list a list;
- numbers must lie in the catalog's range for that name (default: >= 0), strings in its choices.
"""
from __future__ import annotations

import ast
import difflib
import json
import os

from . import catalog


class ConfigError(ValueError):
    """A bad parameter: the message names it and says what was expected."""


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
    known = dict(paper.params("smoke"))
    if name not in known:
        near = difflib.get_close_matches(name, known, n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else f" (known: {', '.join(sorted(known))})"
        raise ConfigError(f"unknown parameter {name!r} for {slug}{hint}")
    default = known[name]
    if name == "profile":
        if value not in paper.profiles:
            raise ConfigError(f"parameter 'profile' must be one of {sorted(paper.profiles)}, got {value!r}")
        return
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


def from_notebook(slug: str, namespace: dict) -> dict:
    """Resolve a notebook's parameters from the variables its parameters cell (and papermill) set.

    `ftkit run` names the parameters the user set in $FTKIT_OVERRIDES, and those are taken as given.
    Under plain papermill, a variable whose value differs from the smoke default counts as an
    override and the others take the chosen profile's default: `-p profile gpu` alone gives the
    gpu profile, and `-p profile gpu -p max_steps 2` a two-step dry run of it.
    """
    smoke = catalog.get(slug).params("smoke")
    profile = namespace.get("profile", "smoke")
    given = set(json.loads(os.environ.get("FTKIT_OVERRIDES", "[]")))
    overrides = {k: namespace[k] for k in smoke
                 if k != "profile" and k in namespace and (k in given or namespace[k] != smoke[k])}
    return resolve(slug, profile, overrides)
