"""An arithmetic checker for chains of thought: is every written step right, and is the final answer right?

A step is any `a op b = c` in the text (op one of + - * x ×; integers). The final answer is the number after the
last answer marker ("answer:", "####", "=>") or, without a marker, the last integer of the text.

    check_chain("3 + 4 = 7, 7 * 2 = 14. answer: 14", 14)
    # {'steps': 2, 'steps_right': 2, 'final': 14, 'final_right': True, 'all_right': True}
"""
from __future__ import annotations

import re

_STEP = re.compile(r"(-?\d+)\s*([+\-*x×])\s*(-?\d+)\s*=\s*(-?\d+)")
_MARKED = re.compile(r"(?:answer\s*:|####|=>)\s*(-?\d+)", re.IGNORECASE)
_INT = re.compile(r"-?\d+")
_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "x": lambda a, b: a * b,
        "×": lambda a, b: a * b}


def steps(text: str) -> list[tuple[int, str, int, int, bool]]:
    """Every `a op b = c` in the text with whether it holds."""
    out = []
    for a, op, b, c in _STEP.findall(text):
        a, b, c = int(a), int(b), int(c)
        out.append((a, op, b, c, _OPS[op](a, b) == c))
    return out


def final_answer(text: str) -> int | None:
    marked = _MARKED.findall(text)
    if marked:
        return int(marked[-1])
    ints = _INT.findall(text)
    return int(ints[-1]) if ints else None


def check_chain(text: str, answer: int) -> dict:
    found = steps(text)
    final = final_answer(text)
    right = sum(s[-1] for s in found)
    return {"steps": len(found), "steps_right": right, "final": final, "final_right": final == answer,
            "all_right": final == answer and right == len(found)}


def reward(text: str, answer: int) -> float:
    """1 for a right final answer, else 0 (the outcome reward RL papers use)."""
    return float(final_answer(text) == answer)
