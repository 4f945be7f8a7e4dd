"""Arithmetic problems with step-by-step chains of thought, and the two kinds of CoT noise of TInt.

A chain of thought for grade-school addition is the execution trace of the column algorithm, right to left:

    prompt  "Q:47+38|"
    chain   "7+8+0=15 c1|4+3+1=8 c0|"          one step per column: a_i + b_i + carry_in = s_i, carry_out
    answer  "A:85"

`add_trace(a, b)` runs that algorithm and returns the steps (dicts); `render_chain` writes them. Noise, after
Havrilla & Iyer (arXiv 2402.04004):

- **static** (`static_noise`): applied *after* the clean trace is written. Each digit of the chain is replaced,
  with probability p_int, by a uniformly drawn digit (possibly the same one). Errors stay local: every other step
  and the final answer are still right.
- **dynamic** (`add_trace(..., p_dyn=p_int)`): applied *while* the trace is computed. Each column sum s_i is
  replaced, with probability p_int, by s_i + r, r uniform in {-3, -2, -1, 1, 2, 3} (clipped at 0). The carry, the
  later columns and the answer are computed from the noisy value, so the chain is internally consistent and the
  answer is usually wrong.

`arith(n, digits, noise, p_cont, p_int, seed)` builds a data set: `round(p_cont * n)` rows (chosen uniformly)
get the noise, the others stay clean. Rows are plain dicts:

    prompt, chain, answer        the training text is prompt + chain + answer (`target` = chain + answer)
    a, b, true_answer            the problem and its correct result (int)
    noised, answer_correct       whether the noise was applied, and whether the written answer is still right
    n_corrupt                    digits changed (static) or column sums changed (dynamic)
    steps                        the rendered chain split into steps (distractors included)

For notebooks that mask or perturb thoughts (e.g. masked-thought fine-tuning), `distractors=k` inserts k
irrelevant but well-formed sentences (`DISTRACTORS`, e.g. "note 3+4=7") at random step boundaries of the chain;
the answer is unchanged, and `is_distractor` in each row marks which steps they are.

Everything is seeded with `random.Random(f"...{seed}")`: same arguments, same rows. `parse_answer` reads the
integer after the last "A:" of a generated text; `step_accuracy` scores a generated chain step by step against
the clean trace.
"""
from __future__ import annotations

import random
import re

NOISE = ("none", "static", "dynamic")
OFFSETS = (-3, -2, -1, 1, 2, 3)
UNITS = ("result", "digit")
DISTRACTORS = ("note {x}+{y}={z}", "ok", "check {x}<{z}", "keep {x}", "so far so good", "recall {y}+{x}={z}")


def add_trace(a: int, b: int, digits: int | None = None, p_dyn: float = 0.0,
              rng: random.Random | None = None) -> tuple[list[dict], int]:
    """The column-addition trace of a + b (right to left) and the answer it arrives at.

    Each step: {"a": a_i, "b": b_i, "c_in": carry in, "s": column sum written, "c_out": carry out,
    "digit": answer digit, "noisy": whether s was perturbed}. With p_dyn > 0 (dynamic noise) each column sum is
    perturbed with that probability by r in OFFSETS (s >= 0 kept), and everything after uses the noisy value."""
    if a < 0 or b < 0:
        raise ValueError("add_trace works on non-negative integers")
    digits = digits or max(len(str(a)), len(str(b)))
    rng = rng or random.Random(0)
    steps, carry = [], 0
    for i in range(digits):
        ai, bi = (a // 10 ** i) % 10, (b // 10 ** i) % 10
        s = ai + bi + carry
        noisy = False
        if p_dyn > 0 and rng.random() < p_dyn:
            s, noisy = max(0, s + rng.choice(OFFSETS)), True
        steps.append({"a": ai, "b": bi, "c_in": carry, "s": s, "c_out": s // 10, "digit": s % 10, "noisy": noisy})
        carry = s // 10
    answer = sum(st["digit"] * 10 ** i for i, st in enumerate(steps)) + carry * 10 ** digits
    return steps, answer


def render_step(st: dict) -> str:
    return f"{st['a']}+{st['b']}+{st['c_in']}={st['s']} c{st['c_out']}"


def render_chain(steps: list[dict], sep: str = "|") -> str:
    """The chain text: the steps joined by `sep`, with a trailing `sep` (the answer follows)."""
    return "".join(render_step(st) + sep for st in steps)


def static_noise(text: str, p_int: float, rng: random.Random) -> tuple[str, int]:
    """Replace each digit of `text` with probability p_int by a uniform random digit. Returns (text, n_changed)."""
    out, changed = [], 0
    for ch in text:
        if ch.isdigit() and rng.random() < p_int:
            new = str(rng.randrange(10))
            changed += new != ch
            ch = new
        out.append(ch)
    return "".join(out), changed


def problem(rng: random.Random, digits: int) -> tuple[int, int]:
    """Two operands of exactly `digits` digits (leading digit 1-9; 1-digit operands may be 0)."""
    lo = 10 ** (digits - 1) if digits > 1 else 0
    return rng.randrange(lo, 10 ** digits), rng.randrange(lo, 10 ** digits)


def prompt_of(a: int, b: int) -> str:
    return f"Q:{a}+{b}|"


def _distractor(rng: random.Random) -> str:
    x, y = rng.randrange(10), rng.randrange(10)
    return rng.choice(DISTRACTORS).format(x=x, y=y, z=x + y)


def make_row(a: int, b: int, digits: int, noise: str = "none", p_int: float = 0.0,
             rng: random.Random | None = None, distractors: int = 0, unit: str = "result") -> dict:
    """One problem as a row (see the module doc). `noise` in NOISE; with "none", p_int is ignored.
    `unit` (static noise only): "result" perturbs each step's written sum like dynamic noise does, without
    propagating it; "digit" replaces every digit of the chain with probability p_int."""
    if noise not in NOISE:
        raise ValueError(f"noise must be one of {NOISE}, got {noise!r}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    rng = rng or random.Random(f"{a}+{b}")
    steps, ans = add_trace(a, b, digits, p_dyn=p_int if noise == "dynamic" else 0.0, rng=rng)
    texts = [render_step(st) for st in steps]
    n_corrupt = sum(st["noisy"] for st in steps)
    if noise == "static" and unit == "result":
        for i, st in enumerate(steps):
            if rng.random() < p_int:
                texts[i] = render_step({**st, "s": max(0, st["s"] + rng.choice(OFFSETS))})
                n_corrupt += 1
    elif noise == "static":
        noisy_texts = []
        for t in texts:
            t, k = static_noise(t, p_int, rng)
            n_corrupt += k
            noisy_texts.append(t)
        texts = noisy_texts
    is_d = [False] * len(texts)
    for _ in range(distractors):
        j = rng.randrange(len(texts) + 1)
        texts.insert(j, _distractor(rng))
        is_d.insert(j, True)
    chain = "".join(t + "|" for t in texts)
    return {"prompt": prompt_of(a, b), "chain": chain, "answer": f"A:{ans}", "target": chain + f"A:{ans}",
            "a": a, "b": b, "true_answer": a + b, "written_answer": ans, "noise": noise,
            "noised": noise != "none", "answer_correct": ans == a + b, "n_corrupt": n_corrupt,
            "steps": texts, "is_distractor": is_d}


def arith(n: int, digits: int = 2, noise: str = "none", p_cont: float = 0.0, p_int: float = 0.0, seed: int = 0,
          distractors: int = 0, exclude: set | None = None, unit: str = "result") -> list[dict]:
    """n addition problems of `digits`-digit operands with chains; round(p_cont * n) of them (a uniform choice)
    get `noise` at intensity p_int. `exclude`: a set of (a, b) pairs never drawn (e.g. the test problems)."""
    if not 0 <= p_cont <= 1 or not 0 <= p_int <= 1:
        raise ValueError("p_cont and p_int must be in [0, 1]")
    if noise not in NOISE:
        raise ValueError(f"noise must be one of {NOISE}, got {noise!r}")
    rng = random.Random(f"arith-{digits}-{seed}")
    pairs = []
    while len(pairs) < n:
        ab = problem(rng, digits)
        if exclude is None or ab not in exclude:
            pairs.append(ab)
    noisy_idx = set(random.Random(f"arith-cont-{seed}").sample(range(n), int(round(p_cont * n)))) \
        if noise != "none" else set()
    nrng = random.Random(f"arith-noise-{noise}-{p_int}-{seed}")
    return [make_row(a, b, digits, noise if i in noisy_idx else "none", p_int, nrng, distractors, unit)
            for i, (a, b) in enumerate(pairs)]


def test_set(n: int, digits: int = 2, seed: int = 0) -> list[dict]:
    """n distinct clean problems (for evaluation; pass {(r["a"], r["b"])} as `exclude` to `arith` for training)."""
    rng = random.Random(f"arith-test-{digits}-{seed}")
    space = (10 ** digits - (10 ** (digits - 1) if digits > 1 else 0)) ** 2
    if n > space:
        raise ValueError(f"only {space} distinct {digits}-digit problems")
    seen, rows = set(), []
    while len(rows) < n:
        ab = problem(rng, digits)
        if ab not in seen:
            seen.add(ab)
            rows.append(make_row(*ab, digits))
    return rows


_ANS = re.compile(r"A:\s*(-?\d+)")


def parse_answer(text: str) -> int | None:
    """The integer after the last "A:" in `text`, or None."""
    m = _ANS.findall(text)
    return int(m[-1]) if m else None


def step_accuracy(generated_chain: str, a: int, b: int, digits: int) -> list[bool]:
    """Per column: does the generated chain's i-th step equal the clean trace's i-th step? (distractors and
    anything after "A:" ignored; a missing step counts as wrong)."""
    gen = [s for s in generated_chain.split("A:")[0].split("|") if re.fullmatch(r"\d\+\d\+\d=\d+ c\d", s.strip())]
    clean = [render_step(st) for st in add_trace(a, b, digits)[0]]
    return [i < len(gen) and gen[i].strip() == c for i, c in enumerate(clean)]


def noise_stats(rows: list[dict]) -> dict:
    """Realised noise of a data set: share of noised rows, share of wrong written answers, mean corruptions."""
    n = max(1, len(rows))
    return {"noised": sum(r["noised"] for r in rows) / n,
            "wrong_answer": sum(not r["answer_correct"] for r in rows) / n,
            "corrupt_per_noised": sum(r["n_corrupt"] for r in rows) / max(1, sum(r["noised"] for r in rows))}
