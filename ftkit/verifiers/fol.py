"""First-order logic: a small parser, LogicLLaMA's logical-equivalence (LE) score and FOL-BLEU.

Grammar (unicode or ASCII spellings):

    formula := quantifier* unit (OP formula)?          OP, loosest first: ↔ (<->), → (->), ⊕ (xor), ∨ (|), ∧ (&)
    unit    := ¬ unit | ( formula ) | quantifier unit | Pred(term, ...)
    quantifier := ∀x | ∃x   (also "forall x", "exists x")

A formula parses to nested tuples: ("pred", name, args), ("not", f), ("and"|"or"|"xor"|"imp"|"iff", a, b),
("all"|"exists", var, f). → is right-associative, the others left-associative.

LE (the paper's metric, its reward for RL): treat the formulas propositionally (quantifiers dropped), take the distinct
atoms Pred(args) of each, pad the shorter atom list with dummy atoms, and for each one-to-one binding of predicted atoms
to gold atoms (tried in order of name similarity, at most `top_n`) score the fraction of the 2^n truth assignments on
which the two formulas agree; LE is the best score. 1.0 = equivalent up to renaming; an unparseable prediction scores 0.
"""
from __future__ import annotations

import itertools
import math
import re
from collections import Counter

_SYMBOLS = [("<->", "↔"), ("->", "→"), ("xor", "⊕"), ("forall", "∀"), ("exists", "∃"), ("&", "∧"), ("|", "∨"),
            ("~", "¬"), ("!", "¬")]
_TOKEN = re.compile(r"\s*(↔|→|⊕|∀|∃|∧|∨|¬|\(|\)|,|[A-Za-z_][A-Za-z0-9_]*)")
_BINARY = [("↔", "iff"), ("→", "imp"), ("⊕", "xor"), ("∨", "or"), ("∧", "and")]   # loosest first


class FOLSyntaxError(ValueError):
    pass


def tokenize(text: str) -> list[str]:
    """FOL tokens: operators, parentheses, commas and names ('forall x' and '∀x' give the same tokens)."""
    for ascii_op, sym in _SYMBOLS:
        text = re.sub(rf"\b{ascii_op}\b" if ascii_op.isalpha() else re.escape(ascii_op), sym, text)
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise FOLSyntaxError(f"unexpected character {text[pos]!r} at {pos} in {text!r}")
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def parse(text: str):
    """Parse a formula into nested tuples; raises FOLSyntaxError on malformed input."""
    tokens = tokenize(text)
    if not tokens:
        raise FOLSyntaxError("empty formula")
    tree, pos = _formula(tokens, 0, 0)
    if pos != len(tokens):
        raise FOLSyntaxError(f"unexpected {tokens[pos]!r} after a complete formula")
    return tree


def _formula(tokens, pos, level):
    if level == len(_BINARY):
        return _unit(tokens, pos)
    op, name = _BINARY[level]
    left, pos = _formula(tokens, pos, level + 1)
    while pos < len(tokens) and tokens[pos] == op:
        if name == "imp":                                   # right-associative: a → (b → c)
            right, pos = _formula(tokens, pos + 1, level)
            return (name, left, right), pos
        right, pos = _formula(tokens, pos + 1, level + 1)
        left = (name, left, right)
    return left, pos


def _unit(tokens, pos):
    if pos >= len(tokens):
        raise FOLSyntaxError("formula ends too early")
    tok = tokens[pos]
    if tok == "¬":
        sub, pos = _unit(tokens, pos + 1)
        return ("not", sub), pos
    if tok in ("∀", "∃"):
        if pos + 1 >= len(tokens) or not _is_name(tokens[pos + 1]):
            raise FOLSyntaxError(f"{tok} needs a variable")
        var = tokens[pos + 1]
        sub, pos = _unit(tokens, pos + 2)
        return ("all" if tok == "∀" else "exists", var, sub), pos
    if tok == "(":
        sub, pos = _formula(tokens, pos + 1, 0)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise FOLSyntaxError("missing )")
        return sub, pos + 1
    if _is_name(tok):
        if pos + 1 >= len(tokens) or tokens[pos + 1] != "(":
            raise FOLSyntaxError(f"predicate {tok!r} needs arguments")
        args, pos = [], pos + 2
        while True:
            if pos >= len(tokens) or not _is_name(tokens[pos]):
                raise FOLSyntaxError(f"bad argument list of {tok!r}")
            args.append(tokens[pos])
            pos += 1
            if pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                continue
            if pos < len(tokens) and tokens[pos] == ")":
                return ("pred", tok, tuple(args)), pos + 1
            raise FOLSyntaxError(f"missing ) after the arguments of {tok!r}")
    raise FOLSyntaxError(f"unexpected {tok!r}")


def _is_name(tok: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok))


ASCII = {"not": "~", "all": "forall ", "exists": "exists ", "and": "&", "or": "|", "xor": "xor", "imp": "->",
         "iff": "<->"}
UNICODE = {"not": "¬", "all": "∀", "exists": "∃", **{n: s for s, n in _BINARY}}


def render(tree, symbols: dict = UNICODE) -> str:
    """A canonical string of a parsed formula (fully parenthesised binary operators); `symbols=ASCII` for ASCII."""
    kind = tree[0]
    if kind == "pred":
        return f"{tree[1]}({', '.join(tree[2])})"
    if kind == "not":
        return symbols["not"] + render(tree[1], symbols)
    if kind in ("all", "exists"):
        return symbols[kind] + tree[1] + " " + render(tree[2], symbols)
    return f"({render(tree[1], symbols)} {symbols[kind]} {render(tree[2], symbols)})"


def atoms(tree) -> list[str]:
    """Distinct atoms Pred(args) in order of first appearance (quantifiers and negations stripped)."""
    out: list[str] = []

    def walk(t):
        if t[0] == "pred":
            a = f"{t[1]}({','.join(t[2])})"
            if a not in out:
                out.append(a)
        else:
            for child in t[1:]:
                if isinstance(child, tuple):
                    walk(child)
    walk(tree)
    return out


def truth(tree, value: dict[str, bool]) -> bool:
    """Evaluate propositionally: atoms from `value`, quantifiers ignored (the LE convention)."""
    kind = tree[0]
    if kind == "pred":
        return value[f"{tree[1]}({','.join(tree[2])})"]
    if kind == "not":
        return not truth(tree[1], value)
    if kind in ("all", "exists"):
        return truth(tree[2], value)
    a, b = truth(tree[1], value), truth(tree[2], value)
    return {"and": a and b, "or": a or b, "xor": a != b, "imp": (not a) or b, "iff": a == b}[kind]


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _bindings(pred_atoms: list[str], gold_atoms: list[str], top_n: int):
    """One-to-one maps pred atom -> gold atom, most similar names first (depth-first over sorted candidates)."""
    order = [sorted(range(len(gold_atoms)), key=lambda j: (_edit_distance(p, gold_atoms[j]), j)) for p in pred_atoms]
    found = 0

    def extend(i, used, acc):
        nonlocal found
        if found >= top_n:
            return
        if i == len(pred_atoms):
            found += 1
            yield list(acc)
            return
        for j in order[i]:
            if j not in used:
                yield from extend(i + 1, used | {j}, acc + [j])
    yield from extend(0, frozenset(), [])


def logical_equivalence(gold: str, pred: str, top_n: int = 1000, max_atoms: int = 8) -> float:
    """LE in [0, 1]: the best truth-table agreement of `pred` with `gold` over renamings of its atoms."""
    try:
        p_tree = parse(pred)
    except FOLSyntaxError:
        return 0.0
    g_tree = parse(gold)
    g_atoms, p_atoms = atoms(g_tree), atoms(p_tree)
    n = max(len(g_atoms), len(p_atoms))
    if n > max_atoms:
        raise ValueError(f"{n} atoms > max_atoms={max_atoms}: the truth table would have 2^{n} rows")
    g_atoms = g_atoms + [f"_gold_pad{i}" for i in range(n - len(g_atoms))]
    p_atoms = p_atoms + [f"_pred_pad{i}" for i in range(n - len(p_atoms))]
    rows = list(itertools.product([False, True], repeat=n))
    gold_values = [truth(g_tree, dict(zip(g_atoms, row))) for row in rows]
    best = 0.0
    for binding in _bindings(p_atoms, g_atoms, top_n):
        agree = 0
        for row, g_val in zip(rows, gold_values):
            value = {p_atoms[i]: row[binding[i]] for i in range(n)}
            agree += truth(p_tree, value) == g_val
        best = max(best, agree / len(rows))
        if best == 1.0:
            break
    return best


def bleu(reference: str, candidate: str) -> float:
    """FOL-BLEU: BLEU over FOL tokens, max n-gram order min(4, shorter length), with the brevity penalty."""
    try:
        ref, cand = tokenize(reference), tokenize(candidate)
    except FOLSyntaxError:
        ref, cand = reference.split(), candidate.split()
    order = min(4, len(ref), len(cand))
    if order == 0:
        return 0.0
    log_p = 0.0
    for k in range(1, order + 1):
        c = Counter(tuple(cand[i:i + k]) for i in range(len(cand) - k + 1))
        r = Counter(tuple(ref[i:i + k]) for i in range(len(ref) - k + 1))
        match = sum(min(v, r[g]) for g, v in c.items())
        if match == 0:
            return 0.0
        log_p += math.log(match / sum(c.values())) / order
    brevity = min(1.0, math.exp(1 - len(ref) / len(cand)))
    return brevity * math.exp(log_p)
