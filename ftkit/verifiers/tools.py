"""Tool calls as Python-style calls: a parser, the TS / PI / CF metrics and TL-Training's graded reward (IRM).

A call is one expression `tool_name(key='value', other=3)`: keyword arguments with literal values. A toolset maps each
tool name to its parameter names. The reward grades an error by its category (TL-Training, step 3):

    unparseable, or a tool not in the toolset       -2.0   "invalid"
    a tool of the toolset, not the gold one         -1.5   "wrong_tool"
    hallucinated + redundant + missing keys         -1.8   "hallucinated+redundant+missing"
    hallucinated + (redundant or missing)           -1.3
    redundant + missing                             -1.0
    hallucinated keys only                          -0.8   (a key not in the tool's signature)
    redundant or missing keys                       -0.5   (a valid but unneeded key / a gold key left out)
    right keys, some value wrong                    -0.25  "wrong_value"
    exact call                                      +1.0   "exact"
"""
from __future__ import annotations

import ast


def parse_call(text: str) -> tuple[str, dict] | None:
    """`name(k=v, ...)` -> (name, {k: v}); None if the text is not exactly one such call with literal values."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.args:
        return None
    args = {}
    for kw in node.keywords:
        if kw.arg is None or kw.arg in args:
            return None
        try:
            args[kw.arg] = ast.literal_eval(kw.value)
        except ValueError:
            return None
    return node.func.id, args


def format_call(name: str, args: dict) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def categorize(text: str, gold: tuple[str, dict], toolset: dict[str, list[str]]) -> str:
    """The error category of a generated call against the gold call (see the module table)."""
    call = parse_call(text)
    if call is None or call[0] not in toolset:
        return "invalid"
    name, args = call
    if name != gold[0]:
        return "wrong_tool"
    signature, gold_keys, keys = set(toolset[name]), set(gold[1]), set(args)
    flags = [f for f, on in (("hallucinated", bool(keys - signature)),
                             ("redundant", bool((keys & signature) - gold_keys)),
                             ("missing", bool(gold_keys - keys))) if on]
    if flags:
        return "+".join(flags)
    return "exact" if all(args[k] == gold[1][k] for k in gold_keys) else "wrong_value"


REWARD = {"invalid": -2.0, "wrong_tool": -1.5, "hallucinated+redundant+missing": -1.8,
          "hallucinated+redundant": -1.3, "hallucinated+missing": -1.3, "redundant+missing": -1.0,
          "hallucinated": -0.8, "redundant": -0.5, "missing": -0.5, "wrong_value": -0.25, "exact": 1.0}


def irm_reward(text: str, gold: tuple[str, dict], toolset: dict[str, list[str]]) -> float:
    return REWARD[categorize(text, gold, toolset)]


def call_metrics(text: str, gold: tuple[str, dict]) -> dict[str, bool]:
    """TS: right tool; PI: right tool and key set; CF: right tool, keys and values (the exact call)."""
    call = parse_call(text)
    ts = call is not None and call[0] == gold[0]
    pi = ts and set(call[1]) == set(gold[1])
    cf = pi and all(call[1][k] == v for k, v in gold[1].items())
    return {"TS": ts, "PI": pi, "CF": cf}
