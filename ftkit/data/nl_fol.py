"""NL -> first-order-logic pairs from a small grammar, with a compositional split, synthetic perturbations that carry
their inverse edits (LogicLLaMA's CoT-correction training data) and a rule-based "weak translator" corruptor.

FOL strings use the ASCII spellings that `ftkit.verifiers.fol` parses (`forall x`, `exists x`, `->`, `&`, `|`,
`xor`, `~`), so a byte-BPE tokenizer needs no added tokens. Every formula is written canonically by `to_ascii`
(binary operators fully parenthesised), so gold, perturbed and corrupted formulas share one surface form.

- `nl_fol(n, seed, split)`: rows {"nl", "fol", "template", "preds", "const"}; split "train" / "test" of the
  compositional split (test = template x first-predicate combinations never seen in train) or "any".
- `perturb(fol, k, seed)`: k random tree edits (change operator / predicate / constant / quantifier, add or delete
  a negation) -> (perturbed FOL, list of inverse-edit comments, in the order to apply them).
- `corrupt(fol, seed)`: one error of the kinds a weak translator makes (-> and & swapped, negation dropped,
  quantifier flipped, | and xor swapped, the two predicates exchanged; a lone atom gets negated).
- `translation_rows`, `correction_rows`: prompt/answer rows for the direct and the CoT-correction modes.
"""
from __future__ import annotations

import random

from ftkit.verifiers import fol as _fol

NOUNS = ["dog", "cat", "bird", "animal", "mammal", "pet", "horse", "rabbit"]
CONSTS = ["rex", "tom", "max", "bella", "luna", "coco"]
OPS = {"and": "&", "or": "|", "xor": "xor", "imp": "->", "iff": "<->"}
TEMPLATES = [   # (name, NL, FOL); {p},{q},{r} nouns, {P},{Q},{R} predicates, {c} a constant
    ("all", "All {p}s are {q}s.", "forall x ({P}(x) -> {Q}(x))"),
    ("some", "Some {p}s are {q}s.", "exists x ({P}(x) & {Q}(x))"),
    ("no", "No {p} is a {q}.", "forall x ({P}(x) -> ~{Q}(x))"),
    ("or", "{c} is a {p} or a {q}.", "({P}({c}) | {Q}({c}))"),
    ("if_not", "If {c} is a {p} then {c} is not a {q}.", "({P}({c}) -> ~{Q}({c}))"),
    ("every_that", "Every {p} that is a {q} is a {r}.", "forall x (({P}(x) & {Q}(x)) -> {R}(x))"),
    ("either", "Either {c} is a {p} or {c} is a {q}.", "({P}({c}) xor {Q}({c}))"),
]
NO_CHANGE = "no changes needed"


def to_ascii(tree) -> str:
    """Canonical ASCII rendering of a parsed formula (inverse of `ftkit.verifiers.fol.parse` up to parentheses)."""
    return _fol.render(tree, _fol.ASCII)


def canonical(text: str) -> str:
    return to_ascii(_fol.parse(text))


def held_out(seed: str = "nl_fol") -> set[tuple[str, str]]:
    """The (template, first noun) combinations reserved for the compositional test split: 2 nouns per template."""
    rng = random.Random(f"{seed}-split")
    return {(t[0], p) for t in TEMPLATES for p in rng.sample(NOUNS, 2)}


def nl_fol(n: int, seed: int = 0, split: str = "train") -> list[dict]:
    """n NL/FOL rows; split 'train' avoids, 'test' only uses, the held-out template x first-noun combinations."""
    if split not in ("train", "test", "any"):
        raise ValueError(f"split must be train, test or any, got {split!r}")
    rng = random.Random(f"nl_fol-{split}-{seed}")
    hold = held_out()
    rows = []
    while len(rows) < n:
        name, nl, fo = rng.choice(TEMPLATES)
        p, q, r = rng.sample(NOUNS, 3)
        if split == "train" and (name, p) in hold or split == "test" and (name, p) not in hold:
            continue
        c = rng.choice(CONSTS)
        slots = dict(p=p, q=q, r=r, P=p.capitalize(), Q=q.capitalize(), R=r.capitalize(), c=c)
        text = nl.format(**slots)
        rows.append({"nl": text[0].upper() + text[1:], "fol": canonical(fo.format(**slots)), "template": name,
                     "preds": [s.capitalize() for s in (p, q, r)[:3 if "{r}" in nl else 2]],
                     "const": c if "{c}" in nl else None})
    return rows


# ---- tree edits -------------------------------------------------------------------------------------------------
def _paths(tree, path=()):
    """(path, node) for every node; a path is the sequence of child indices from the root."""
    yield path, tree
    if tree[0] != "pred":
        for i, child in enumerate(tree[1:], 1):
            if isinstance(child, tuple):
                yield from _paths(child, path + (i,))


def _get(tree, path):
    for i in path:
        tree = tree[i]
    return tree


def _set(tree, path, new):
    if not path:
        return new
    i = path[0]
    return tree[:i] + (_set(tree[i], path[1:], new),) + tree[i + 1:]


def _sym(kind):
    return {"all": "forall", "exists": "exists", **OPS}[kind]


_CONFUSE = {"imp": "and", "and": "imp", "or": "xor", "xor": "or", "iff": "imp"}


def _pred_names(tree) -> list[str]:
    names = []
    for _, node in _paths(tree):
        if node[0] == "pred" and node[1] not in names:
            names.append(node[1])
    return names


def _exchange(tree, a: str, b: str):
    """The tree with predicates a and b exchanged everywhere."""
    if tree[0] == "pred":
        return ("pred", {a: b, b: a}.get(tree[1], tree[1]), tree[2])
    return (tree[0],) + tuple(_exchange(c, a, b) if isinstance(c, tuple) else c for c in tree[1:])


def _edit_weak(tree, rng: random.Random):
    """One edit for mix="weak": the edit KIND is drawn uniformly among the kinds that apply (not per node), an
    operator is changed to its usual confusion (-> and &, | and xor) half the time, a predicate is replaced only by
    another of the formula's own predicates (the paper: "the formula's own symbols"), and two predicates may be
    exchanged. -> (new tree, the inverse edit as a comment)."""
    nodes = list(_paths(tree))
    names = _pred_names(tree)
    by_kind: dict[str, list] = {}
    for path, node in nodes:
        k = node[0]
        if k in OPS:
            by_kind.setdefault("op", []).append(path)
        elif k in ("all", "exists"):
            by_kind.setdefault("quant", []).append(path)
        elif k == "not":
            by_kind.setdefault("del_not", []).append(path)
        else:
            by_kind.setdefault("add_not", []).append(path)
            if len(names) >= 2:
                by_kind.setdefault("pred", []).append(path)
            if any(a in CONSTS for a in node[2]):
                by_kind.setdefault("const", []).append(path)
    if len(names) >= 2:
        by_kind["swap"] = [()]
    kind = rng.choice(sorted(by_kind))
    path = rng.choice(by_kind[kind])
    node = _get(tree, path)
    if kind == "op":
        new = _CONFUSE[node[0]] if rng.random() < 0.5 else rng.choice([o for o in OPS if o != node[0]])
        return _set(tree, path, (new,) + node[1:]), f"replace {OPS[new]} with {OPS[node[0]]}"
    if kind == "pred":
        new = rng.choice([p for p in names if p != node[1]])
        return _set(tree, path, ("pred", new, node[2])), f"replace {new} with {node[1]}"
    if kind == "swap":
        a, b = rng.sample(names, 2)
        return _exchange(tree, a, b), f"exchange {b} and {a}"
    return _edit(tree, rng, kind=kind, at=path)


def _edit(tree, rng: random.Random, kind: str | None = None, at=None):
    """One random edit -> (new tree, the inverse edit as a comment); `kind`/`at` force the edit and its node."""
    nodes = list(_paths(tree))
    options = []
    for path, node in nodes:
        k = node[0]
        if k in OPS:
            options.append(("op", path))
        elif k in ("all", "exists"):
            options.append(("quant", path))
        elif k == "not":
            options.append(("del_not", path))
        else:
            options.append(("pred", path))
            options.append(("add_not", path))
            if any(a in CONSTS for a in node[2]):
                options.append(("const", path))
    kind, path = rng.choice(options) if kind is None else (kind, at)
    node = _get(tree, path)
    if kind == "op":
        new = rng.choice([o for o in OPS if o != node[0]])
        return _set(tree, path, (new,) + node[1:]), f"replace {OPS[new]} with {OPS[node[0]]}"
    if kind == "quant":
        new = "exists" if node[0] == "all" else "all"
        return _set(tree, path, (new,) + node[1:]), f"replace {_sym(new)} with {_sym(node[0])}"
    if kind == "del_not":
        return _set(tree, path, node[1]), f"add negation to {to_ascii(node[1])}"
    if kind == "add_not":
        return _set(tree, path, ("not", node)), f"remove negation from {to_ascii(node)}"
    if kind == "pred":
        own = [n[1] for _, n in nodes if n[0] == "pred"]
        pool = sorted(set(own) | {p.capitalize() for p in NOUNS})
        new = rng.choice([p for p in pool if p != node[1]])
        return _set(tree, path, ("pred", new, node[2])), f"replace {new} with {node[1]}"
    args = list(node[2])
    i = next(j for j, a in enumerate(args) if a in CONSTS)
    new = rng.choice([c for c in CONSTS if c != args[i]])
    old, args[i] = args[i], new
    return _set(tree, path, ("pred", node[1], tuple(args))), f"replace {new} with {old}"


def perturb(fol: str, k: int, seed=0, mix: str = "nodes") -> tuple[str, list[str]]:
    """Apply k random edits to `fol`; returns the perturbed formula and the inverse edits (comments), listed in the
    order that undoes them (last edit first). k = 0 gives the formula unchanged and ["no changes needed"].
    mix="nodes" (default): a uniformly random (node, edit) pair, a predicate replaced by any noun's predicate;
    mix="weak": see `_edit_weak` (kinds balanced, the weak translator's confusions more often, own symbols only)."""
    if mix not in ("nodes", "weak"):
        raise ValueError(f"mix must be nodes or weak, got {mix!r}")
    rng = random.Random(f"perturb-{seed}-{fol}-{k}")
    tree = _fol.parse(fol)
    comments = []
    for _ in range(k):
        tree, c = (_edit_weak if mix == "weak" else _edit)(tree, rng)
        comments.insert(0, c)
    return to_ascii(tree), comments or [NO_CHANGE]


def corrupt(fol: str, seed=0) -> tuple[str, str]:
    """One weak-translator error -> (corrupted FOL, kind). Kinds: imp_and (-> and & swapped), drop_not, quantifier,
    or_xor (| and xor swapped), swap_preds (the first two predicates exchanged). Picks among the kinds that change
    this formula."""
    rng = random.Random(f"corrupt-{seed}-{fol}")
    tree = _fol.parse(fol)
    cands = []
    for path, node in _paths(tree):
        k = node[0]
        if k in ("imp", "and"):
            cands.append(("imp_and", _set(tree, path, ({"imp": "and", "and": "imp"}[k],) + node[1:])))
        if k in ("or", "xor"):
            cands.append(("or_xor", _set(tree, path, ({"or": "xor", "xor": "or"}[k],) + node[1:])))
        if k == "not":
            cands.append(("drop_not", _set(tree, path, node[1])))
        if k in ("all", "exists"):
            cands.append(("quantifier", _set(tree, path, ({"all": "exists", "exists": "all"}[k],) + node[1:])))
    names = []
    for _, node in _paths(tree):
        if node[0] == "pred" and node[1] not in names:
            names.append(node[1])
    if len(names) >= 2:
        a, b = names[:2]
        swapped = to_ascii(tree).replace(a + "(", "\0(").replace(b + "(", a + "(").replace("\0(", b + "(")
        cands.append(("swap_preds", _fol.parse(swapped)))
    if not cands:                                    # a lone atom: the translator negates it
        cands.append(("add_not", ("not", tree)))
    kind, new = rng.choice(cands)
    return to_ascii(new), kind


# ---- prompt / answer rows for the two modes ------------------------------------------------------------------
def translation_prompt(nl: str) -> str:
    return f"NL: {nl}\nFOL:"


def correction_prompt(nl: str, pred_fol: str) -> str:
    return f"NL: {nl}\nPredicted FOL: {pred_fol}\nComments:"


def translation_rows(rows: list[dict]) -> list[dict]:
    """Direct translation: NL -> FOL."""
    return [{"prompt": translation_prompt(r["nl"]), "answer": " " + r["fol"]} for r in rows]


def correction_rows(rows: list[dict], seed=0, max_edits: int = 2, p_clean: float = 0.25,
                    mix: str = "nodes") -> list[dict]:
    """CoT correction on synthetic perturbations: prompt = NL + perturbed FOL, answer = inverse-edit comments, then
    the gold FOL. With probability p_clean the FOL is left unperturbed (comment "no changes needed"). `mix` is
    perturb's edit mix."""
    rng = random.Random(f"correction-{seed}")
    out = []
    for i, r in enumerate(rows):
        k = 0 if rng.random() < p_clean else rng.randint(1, max_edits)
        bad, comments = perturb(r["fol"], k, seed=f"{seed}-{i}", mix=mix)
        out.append({"prompt": correction_prompt(r["nl"], bad),
                    "answer": " " + "; ".join(comments) + "\nFOL: " + r["fol"], "k": k})
    return out


def split_correction(text: str) -> tuple[str, str]:
    """A corrector's output -> (comments, FOL); the FOL is what follows the last 'FOL:' (empty if none)."""
    if "FOL:" not in text:
        return text.strip(), ""
    comments, fol = text.rsplit("FOL:", 1)
    return comments.strip(), fol.strip().split("\n")[0].strip()
