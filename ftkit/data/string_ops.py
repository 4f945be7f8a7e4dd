"""String-transformation tasks with natural-language definitions: a toy Super-NaturalInstructions.

Every task maps a short random lowercase string (letters written space-separated, so that each letter is one
token for a byte-level BPE) to an output string, and carries a one-sentence definition. Sixteen tasks: twelve
for instruction tuning (`TRAIN_TASKS`) and four held out (`HELDOUT_TASKS`) that a model tuned on the twelve has
never seen. Held-out definitions reuse words of training definitions ("reverse", "twice", "without", "first
letter", ...), so a model can only transfer through the instruction if those words meant something in training.

    from ftkit.data import string_ops
    rows = string_ops.rows("rotate_left", 100, seed=0)              # def-pos prompts (definition + 1 example)
    rows = string_ops.rows("rotate_left", 100, seed=0, mode="id")   # the task's bare name only
    string_ops.mixture(string_ops.TRAIN_TASKS, 50, seed=0)          # pooled multi-task rows, shuffled

Rows are plain dicts {"prompt", "answer", "task", "input"}; `answer` starts with a space (the prompt ends in
"Output:"). Everything is seeded with random.Random(f"...{seed}") strings, so sets are reproducible across
processes and machines.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

LETTERS = "abcdefghijklmnopqrstuvwxyz"
VOWELS = "aeiou"
MODES = ("def-pos", "def", "pos", "id", "none")


@dataclass(frozen=True)
class StringTask:
    name: str
    definition: str
    fn: Callable[[str], str]
    category: str


def _every_other(s: str) -> str:
    return s[::2]


def _swap_ends(s: str) -> str:
    return s[-1] + s[1:-1] + s[0] if len(s) > 1 else s


TASKS: dict[str, StringTask] = {t.name: t for t in [
    # --- the twelve training tasks ------------------------------------------------------------------
    StringTask("reverse", "write the letters in reverse order.", lambda s: s[::-1], "order"),
    StringTask("copy", "write the letters in the same order.", lambda s: s, "order"),
    StringTask("first_letter", "write only the first letter.", lambda s: s[0], "select"),
    StringTask("last_letter", "write only the last letter.", lambda s: s[-1], "select"),
    StringTask("sort_asc", "write the letters in alphabetical order.", lambda s: "".join(sorted(s)), "order"),
    StringTask("drop_first", "write the letters without the first letter.", lambda s: s[1:], "select"),
    StringTask("duplicate", "write the whole string twice.", lambda s: s + s, "repeat"),
    StringTask("count_a", "write how many times the letter a appears.", lambda s: str(s.count("a")), "count"),
    StringTask("swap_ends", "swap the first letter and the last letter.", _swap_ends, "order"),
    StringTask("every_other", "write every other letter, starting with the first.", _every_other, "select"),
    StringTask("drop_last", "write the letters without the last letter.", lambda s: s[:-1], "select"),
    StringTask("length", "write how many letters there are.", lambda s: str(len(s)), "count"),
    # --- the four held-out tasks --------------------------------------------------------------------
    StringTask("rotate_left", "move the first letter to the end.", lambda s: s[1:] + s[0], "order"),
    StringTask("double_letters", "write each letter twice.", lambda s: "".join(c + c for c in s), "repeat"),
    StringTask("remove_vowels", "write the letters without the vowels a e i o u.",
               lambda s: "".join(c for c in s if c not in VOWELS), "select"),
    StringTask("sort_desc", "write the letters in reverse alphabetical order.",
               lambda s: "".join(sorted(s, reverse=True)), "order"),
]}
TRAIN_TASKS = ["reverse", "copy", "first_letter", "last_letter", "sort_asc", "drop_first", "duplicate", "count_a",
               "swap_ends", "every_other", "drop_last", "length"]
HELDOUT_TASKS = ["rotate_left", "double_letters", "remove_vowels", "sort_desc"]


def spaced(s: str) -> str:
    """'cat' -> 'c a t' (one token per letter for a byte-level BPE)."""
    return " ".join(s)


def random_string(rng: random.Random, min_len: int = 3, max_len: int = 6) -> str:
    """Lowercase letters, vowels over-represented (so count_a / remove_vowels are not trivial), at least one
    consonant (so remove_vowels never yields an empty answer) and at least two distinct letters."""
    while True:
        n = rng.randint(min_len, max_len)
        s = "".join(rng.choice(VOWELS) if rng.random() < 0.3 else rng.choice(LETTERS) for _ in range(n))
        if any(c not in VOWELS for c in s) and len(set(s)) > 1:
            return s


def task_number(task: str) -> int:
    """A task's opaque number (1-16, registry order), used by the "id" prompt mode."""
    return list(TASKS).index(task) + 1


def prompt(task: str, x: str, example: tuple[str, str] | None = None, mode: str = "def-pos") -> str:
    """The input text for one instance, SuperNI "def-pos" style, shortened:

        Definition: write each letter twice.
        Example: c a t -> c c a a t t
        Input: d o g Output:

    mode: "def-pos" (definition + one positive example), "def" (definition only), "pos" (example only),
    "id" (an opaque task number, e.g. "Task 14": it tells tasks apart but says nothing about what to do, so the
    model must learn its meaning from data), "none" (the input alone).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    t = TASKS[task]
    head = []
    if mode in ("def-pos", "def"):
        head.append(f"Definition: {t.definition}")
    if mode == "id":
        head.append(f"Task {task_number(task)}")
    if mode in ("def-pos", "pos"):
        if example is None:
            raise ValueError("modes def-pos and pos need an example")
        head.append(f"Example: {spaced(example[0])} -> {spaced(example[1])}")
    head.append(f"Input: {spaced(x)} Output:")
    return "\n".join(head)


def rows(task: str, n: int, seed: int = 0, mode: str = "def-pos", min_len: int = 3, max_len: int = 6,
         split: str = "train") -> list[dict]:
    """n instances of one task. Each def-pos/pos prompt carries a different positive example (drawn from the same
    generator, never equal to the instance). `split` changes the stream ("train" and "test" sets of one seed are
    disjoint draws; a string can still recur by chance, as in any generator over a finite alphabet)."""
    t = TASKS[task]
    rng = random.Random(f"string_ops/{task}/{split}/{seed}")
    out = []
    while len(out) < n:
        x = random_string(rng, min_len, max_len)
        ex = random_string(rng, min_len, max_len)
        if ex == x:
            continue
        y = t.fn(x)
        out.append({"prompt": prompt(task, x, (ex, t.fn(ex)), mode) if mode in ("def-pos", "pos") else
                    prompt(task, x, None, mode), "answer": " " + spaced(y), "task": task, "input": x})
    return out


def mixture(tasks: list[str], n_per_task: int, seed: int = 0, mode: str = "def-pos", split: str = "train",
            **kw) -> list[dict]:
    """Pooled multi-task rows (n_per_task of each task), shuffled with the seed."""
    out = []
    for t in tasks:
        out += rows(t, n_per_task, seed=seed, mode=mode, split=split, **kw)
    random.Random(f"string_ops/mix/{split}/{seed}").shuffle(out)
    return out


def registry() -> list[dict]:
    """One line per task: name, definition, category, held out or not, and a positive example."""
    ex = "cabde"
    return [{"task": t.name, "definition": t.definition, "category": t.category,
             "heldout": t.name in HELDOUT_TASKS, "example": f"{spaced(ex)} -> {spaced(t.fn(ex))}"}
            for t in TASKS.values()]
