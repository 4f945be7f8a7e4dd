"""Seeded noise for clean data sets: corrupted targets, near-duplicates and flipped labels.

Data-centric notebooks need a clean set, a damaged copy of it, and a record of what was damaged (to score a
detector, and to train an oracle on the clean copy). Every function here takes a list of dict rows (a
`datasets.Dataset` works too), never changes its input, and returns new rows with the damage flagged. Same rows,
same arguments, same seed: same output (the rng is `random.Random` seeded with a string, no global state).
Rates are exact counts: `round(rate * len(rows))` rows are damaged, chosen uniformly without replacement.

    rows = list(synthetic.task("sort", 1000, seed=0))             # prompt, answer, family
    rows = json_answers(rows)                                     # answer ' {"ans": "a b c d"}' (a format to break)
    noisy = corrupt_targets(rows, 0.3, seed=0)                    # + clean_answer, noisy, noise_kind
    dups = near_duplicates(rows, 0.2, seed=0)                     # + row_id, near_dup, dup_of, dup_edit
    flipped = label_noise(synthetic.sentiment(400), 0.2, labels=[0, 1], seed=0)   # + clean_label, noisy

`corrupt_targets` kinds (one per damaged row, drawn uniformly from `kinds`):
- "content": the answer of another row (of the same `family` when rows have one) that differs from this one:
  well formed, wrong. If no other answer differs, the words of the answer are shuffled or, for a single word,
  its characters.
- "format": the content is kept, the format broken. For a bracketed answer (`{"ans": "x"}`, `[x]`): drop the
  closing bracket, drop the opening one, drop the `"key":` part, or drop the quotes. For plain text: drop the
  leading space, join the words with commas, or remove the spaces between them. One op is drawn among those
  that change the string.
- "truncate": a strict prefix: the first k of the n whitespace-separated pieces (1 <= k < n); an answer of one
  piece loses trailing characters, and a one-character answer becomes the empty string.

`near_duplicates` adds `round(frac * n)` copies of random rows whose text field (`prompt`, else `text`) gets one
light edit ("space": a doubled space, "case": one word's case flipped, "punct": a trailing period added or
removed, "repeat": one word doubled, "swap": two adjacent words swapped); other fields, the answer or label
included, are copied. Copies are inserted at random positions; every row gets `row_id` (its source's index in
`rows`), `near_dup` and `dup_of` (the source index, or None).

`label_noise` flips `round(rate * n)` labels: "symmetric" to a uniformly drawn other label of `labels`,
"asymmetric" to the next label in `labels` (c -> labels[(i + 1) % K], class-conditional noise). A row that
already has `clean_label` keeps it, so noise can be stacked; `noisy` is label != clean_label.

`json_answers` / `valid_json_answer` give prompt/answer rows the `{"ans": ...}` target format and check it, the
"valid-format rate" of structured-output fine-tuning.
"""
from __future__ import annotations

import json
import random
import re

KINDS = ("content", "format", "truncate")
EDITS = ("space", "case", "punct", "repeat", "swap")


def _rows(rows) -> list[dict]:
    return [dict(r) for r in rows]


def _pick(n: int, rate: float, rng: random.Random) -> list[int]:
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be in [0, 1], got {rate}")
    return sorted(rng.sample(range(n), int(round(rate * n))))


# ---------------------------------------------------------------------------------------------
# Structured targets.
# ---------------------------------------------------------------------------------------------
def json_answers(rows, key: str = "ans", field: str = "answer") -> list[dict]:
    """Rows whose answer " a b c" becomes ' {"ans": "a b c"}' (leading space kept, as prompt + answer is text)."""
    out = _rows(rows)
    for r in out:
        r[field] = " " + json.dumps({key: r[field].strip()})
    return out


def valid_json_answer(text: str, key: str = "ans") -> bool:
    """True iff `text` parses as a JSON object with a string value under `key` (and nothing else)."""
    try:
        obj = json.loads(text)
    except (ValueError, TypeError):
        return False
    return isinstance(obj, dict) and set(obj) == {key} and isinstance(obj[key], str)


# ---------------------------------------------------------------------------------------------
# Corrupted targets.
# ---------------------------------------------------------------------------------------------
_OPEN, _CLOSE = "{[(", "}])"


def _format_ops(a: str) -> list:
    """Candidate format breaks of answer `a` (functions str -> str)."""
    s = a.strip()
    lead = a[: len(a) - len(a.lstrip())]
    ops = []
    if len(s) >= 2 and s[0] in _OPEN and s[-1] == _CLOSE[_OPEN.index(s[0])]:
        ops.append(lambda a: lead + s[:-1])                                    # missing closing bracket
        ops.append(lambda a: lead + s[1:])                                     # missing opening bracket
        ops.append(lambda a: lead + s[0] + re.sub(r'^\s*"?\w+"?\s*:\s*', "", s[1:], count=1))   # missing key
        ops.append(lambda a: a.replace('"', ""))                               # missing quotes
    else:
        ops.append(lambda a: a.lstrip())                                       # missing leading space
        ops.append(lambda a: lead + ",".join(s.split()))                       # commas instead of spaces
        ops.append(lambda a: lead + "".join(s.split()))                        # no separators
    return ops


def _break_format(a: str, rng: random.Random) -> str:
    outs = [o for o in (op(a) for op in _format_ops(a)) if o != a]
    return rng.choice(outs) if outs else a + "}"


def _truncate(a: str, rng: random.Random) -> str:
    pieces = re.findall(r"\s*\S+", a)
    if len(pieces) >= 2:
        return "".join(pieces[: rng.randrange(1, len(pieces))])
    s = a.rstrip()
    if len(s.strip()) >= 2:
        lead = len(s) - len(s.lstrip())
        return s[: lead + rng.randrange(1, len(s) - lead)]
    return ""


def _shuffle(a: str, rng: random.Random) -> str:
    pieces = a.split(" ")
    for _ in range(20):
        if len([p for p in pieces if p]) >= 2:
            q = pieces[:]
            rng.shuffle(q)
            out = " ".join(q)
        else:
            chars = list(a)
            rng.shuffle(chars)
            out = "".join(chars)
        if out != a:
            return out
    return a + " " + a.strip()            # nothing to shuffle (e.g. one repeated character): still wrong


def corrupt_targets(rows, rate: float, kinds=KINDS, seed: int = 0, field: str = "answer") -> list[dict]:
    """Copies of `rows` with `round(rate * n)` answers corrupted: each row gets `clean_answer` (the original),
    `noisy` (bool) and `noise_kind` ("content" | "format" | "truncate", None if clean); `field` holds the
    (possibly corrupted) answer. The damaged rows and their kinds are drawn with `seed`; see the module docstring
    for what each kind does. A corrupted answer always differs from the clean one."""
    kinds = tuple(kinds)
    bad = set(kinds) - set(KINDS)
    if not kinds or bad:
        raise ValueError(f"kinds must be a non-empty subset of {KINDS}, got {kinds}")
    out = _rows(rows)
    rng = random.Random(f"corrupt-targets-{seed}")
    pool: dict = {}
    for r in out:
        pool.setdefault(r.get("family"), []).append(r[field])
    for r in out:
        r.update(clean_answer=r[field], noisy=False, noise_kind=None)
    for i in _pick(len(out), rate, rng):
        r = out[i]
        a = r["clean_answer"]
        kind = rng.choice(kinds)
        if kind == "content":
            others = [b for b in pool[r.get("family")] if b != a]
            new = rng.choice(others) if others else _shuffle(a, rng)
        elif kind == "format":
            new = _break_format(a, rng)
        else:
            new = _truncate(a, rng)
        assert new != a
        r.update({field: new, "noisy": True, "noise_kind": kind})
    return out


# ---------------------------------------------------------------------------------------------
# Near-duplicates.
# ---------------------------------------------------------------------------------------------
def _edit(text: str, op: str, rng: random.Random) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    if op == "space":
        return " ".join(words[:i + 1]) + "  " + " ".join(words[i + 1:]) if len(words) > 1 else text + " "
    if op == "case":
        w = words[i]
        words[i] = w.lower() if w != w.lower() else w.upper()
        return " ".join(words)
    if op == "punct":
        return text[:-1].rstrip() if text.endswith(".") else text + "."
    if op == "repeat":
        return " ".join(words[:i + 1] + [words[i]] + words[i + 1:])
    if op == "swap":
        if len(words) < 2:
            return text + text[-1:]
        j = rng.randrange(len(words) - 1)
        words[j], words[j + 1] = words[j + 1], words[j]
        return " ".join(words)
    raise ValueError(f"edit must be one of {EDITS}, got {op!r}")


def near_duplicates(rows, frac: float, seed: int = 0, field: str | None = None, edits=EDITS) -> list[dict]:
    """`rows` plus `round(frac * n)` near-duplicates (sources drawn with replacement), each a copy of a row whose
    `field` (default "prompt", else "text") got one light edit drawn from `edits`; an edit that happens to leave
    the text unchanged is replaced by a doubled trailing space. Every row gets `row_id` (the index of its source
    row), `near_dup`, `dup_of` (source index or None) and `dup_edit` (the op or None). Original rows keep their order;
    the copies are inserted at random positions."""
    if frac < 0:
        raise ValueError(f"frac must be >= 0, got {frac}")
    edits = tuple(edits)
    if not edits or set(edits) - set(EDITS):
        raise ValueError(f"edits must be a non-empty subset of {EDITS}, got {edits}")
    base = _rows(rows)
    if not base:
        return base
    field = field or ("prompt" if "prompt" in base[0] else "text")
    rng = random.Random(f"near-duplicates-{seed}")
    for i, r in enumerate(base):
        r.update(row_id=i, near_dup=False, dup_of=None, dup_edit=None)
    out = list(base)
    for _ in range(int(round(frac * len(base)))):
        src = rng.randrange(len(base))
        op = rng.choice(edits)
        d = dict(base[src])
        new = _edit(d[field], op, rng)
        d.update({field: new if new != d[field] else d[field] + "  ", "near_dup": True, "dup_of": src, "dup_edit": op})
        out.insert(rng.randrange(len(out) + 1), d)
    return out


# ---------------------------------------------------------------------------------------------
# Label noise for classification rows.
# ---------------------------------------------------------------------------------------------
def label_noise(rows, rate: float, labels, seed: int = 0, field: str = "label", mode: str = "symmetric") -> list[dict]:
    """Copies of `rows` with `round(rate * n)` labels flipped (mode "symmetric": to a random other label,
    "asymmetric": to the next one in `labels`). Rows get `clean_label` (kept if already present) and `noisy`."""
    labels = list(labels)
    if len(labels) < 2:
        raise ValueError("labels needs at least two values")
    if mode not in ("symmetric", "asymmetric"):
        raise ValueError(f"mode must be 'symmetric' or 'asymmetric', got {mode!r}")
    out = _rows(rows)
    rng = random.Random(f"label-noise-{seed}")
    for r in out:
        if r[field] not in labels:
            raise ValueError(f"label {r[field]!r} is not in labels {labels}")
        r.setdefault("clean_label", r[field])
    for i in _pick(len(out), rate, rng):
        r = out[i]
        k = labels.index(r[field])
        r[field] = labels[(k + 1) % len(labels)] if mode == "asymmetric" else rng.choice(labels[:k] + labels[k + 1:])
    for r in out:
        r["noisy"] = r[field] != r["clean_label"]
    return out
