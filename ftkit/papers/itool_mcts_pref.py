"""iTool: Boosting Tool Use of Large Language Models via Iterative Reinforced Fine-Tuning (arXiv 2501.09766).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: a small
tool-call world with easy / medium / hard requests (hard = one reasoning hop for a value), the deficiency selection
(highest gold NLL), the step-level Monte Carlo tree search, the sibling preference pairs, the DPO loss written out
(kept for tests) and TRL's DPOTrainer with an explicit reference model (every profile).
"""
from ftkit import train
from ftkit.catalog import Profile

import copy
import math
import random

import torch
import torch.nn.functional as F

from ftkit.verifiers.tools import call_metrics, categorize, format_call, irm_reward, parse_call

PROFILE = Profile(
    claim='After an easy-to-hard SFT warm-up, DPO on step-level preference pairs from a Monte Carlo tree search over '
          'the hardest prompts raises tool-call accuracy on hard calls more than spending the same steps on SFT.',
    smoke_seconds=43,
    dry_run_seconds=16,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B-Instruct',
        dataset='Team-ACE/ToolACE',
        n_train=3000,
        n_test=300,
        warm_steps=600,
        batch_size=8,
        lr=1e-05,
        n_select=200,
        mcts_iters=5,
        n_actions=3,
        depth=3,
        temperature=1.5,
        max_new_tokens=64,
        extra_steps=200,
        pref_lr=1e-06,
        beta=0.1,
        max_len=1024,
        dpo_impl='trl',
    ),
    gpu_hardware='1 GPU, 40 GB',
    gpu_seconds=7200,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='ftkit/tool-world',
        n_train=12,
        n_test=6,
        warm_steps=3,
        batch_size=2,
        n_select=3,
        mcts_iters=2,
        n_actions=2,
        max_new_tokens=16,
        extra_steps=2,
        dpo_impl='trl',
    ),
    ranges=dict(
        n_train=(3, 10000000),
        n_test=(3, 1000000),
        warm_steps=(3, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        n_select=(1, 100000),
        mcts_iters=(1, 1000),
        n_actions=(2, 64),
        depth=(1, 16),
        temperature=(0.1, 5),
        max_new_tokens=(4, 4096),
        extra_steps=(1, 1000000),
        pref_lr=(0, 1),
        beta=(0.0001, 100),
        max_len=(16, 32768),
    ),
    choices=dict(
        dataset=['ftkit/tool-world', 'Team-ACE/ToolACE'],
        dpo_impl=['written', 'trl'],
    ),
)

DIFFICULTIES = ("easy", "medium", "hard")

# ---- a small tool world (four schemas) -------------------------------------------------------------------
SCHEMAS = {"get_weather": ["city", "day"], "book_table": ["place", "people"],
           "set_alarm": ["hour", "label"], "convert": ["amount", "src", "dst"]}
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CITIES = ["paris", "rome", "oslo", "lima", "cairo", "tokyo"]
PLACES = ["luigi", "sushi", "cafe", "grill", "deli"]
LABELS = ["gym", "work", "bus", "tea", "yoga"]
COUNTRY = {"usd": "usa", "eur": "france", "yen": "japan", "gbp": "uk", "inr": "india"}
NUMBER_WORDS = ["one", "two", "three", "four", "five"]


def _sample(rng: random.Random, diff: str) -> dict:
    tool = rng.choice(sorted(SCHEMAS))
    if tool == "get_weather":
        c, d = rng.choice(CITIES), rng.randrange(7)
        args = {"city": c, "day": DAYS[d]}
        u = {"easy": f"weather in {c} on {DAYS[d]}", "medium": f"on {DAYS[d]} what is the weather in {c}",
             "hard": f"today is {DAYS[(d - 1) % 7]}. weather in {c} tomorrow"}[diff]
    elif tool == "book_table":
        p, k = rng.choice(PLACES), rng.randint(2, 6)
        args = {"place": p, "people": k}
        u = {"easy": f"book a table at {p} for {k}", "medium": f"for {k} people book {p}",
             "hard": f"book {p} for me and {NUMBER_WORDS[k - 2]} friends"}[diff]
    elif tool == "set_alarm":
        h, lab = rng.randint(2, 11), rng.choice(LABELS)
        args = {"hour": h, "label": lab}
        u = {"easy": f"alarm at {h} for {lab}", "medium": f"for {lab} wake me at {h}",
             "hard": f"alarm one hour after {h - 1} for {lab}"}[diff]
    else:
        a = rng.choice([10, 20, 50, 100])
        s, d = rng.sample(sorted(COUNTRY), 2)
        args = {"amount": a, "src": s, "dst": d}
        u = {"easy": f"convert {a} {s} to {d}", "medium": f"to {d} convert {a} {s}",
             "hard": f"convert {a} {s} to the money of {COUNTRY[d]}"}[diff]
    return {"prompt": f"user: {u}\ncall: ", "answer": format_call(tool, args), "gold": (tool, args),
            "difficulty": diff}


def tool_rows(n: int, difficulty: str, seed: int = 0, split: str = "train") -> list[dict]:
    """n requests of one difficulty: easy states the values verbatim, medium shuffles their order, hard needs one
    reasoning hop for a value (tomorrow -> the next day, "me and two friends" -> 3, "one hour after 6" -> 7, a
    country -> its currency). Rows {prompt, answer, gold (name, args), difficulty}; gold calls in `format_call` form."""
    rng = random.Random(f"itool_mcts_pref:{split}:{difficulty}:{n}:{seed}")
    return [_sample(rng, difficulty) for _ in range(n)]


def slot_reward(text: str, gold: tuple[str, dict], toolset: dict | None = None) -> float:
    """The search reward (an AST substitution for the paper's self-evaluation): TL-Training's graded
    `irm_reward` (ftkit.verifiers.tools) plus the share of gold argument values the call gets right."""
    toolset = toolset or SCHEMAS
    if gold[0] not in toolset:
        toolset = dict(toolset, **{gold[0]: list(gold[1])})
    r = irm_reward(text, gold, toolset)
    call = parse_call(text)
    if call is not None and call[0] == gold[0] and gold[1]:
        r += sum(call[1].get(k) == v for k, v in gold[1].items()) / len(gold[1])
    return r


# ---- the tree search ----------------------------------------------------------------------------------------------
DELIMS = (", ", "=", "(")


def split_steps(text: str, depth: int) -> list[str]:
    """Cut a continuation into steps at the official delimiters (kept at the end of a fragment); two fragments make a
    step (`key=` + `value, `), so sibling steps differ in a key or a value; at most `depth` steps, the rest merged
    into the last."""
    pieces, last, i = [], 0, 0
    while i < len(text):
        d = next((d for d in DELIMS if text.startswith(d, i)), None)
        if d is not None:
            pieces.append(text[last:i + len(d)])
            last = i = i + len(d)
        else:
            i += 1
    if last < len(text):
        pieces.append(text[last:])
    steps = ["".join(pieces[j:j + 2]) for j in range(0, len(pieces), 2)]
    if len(steps) > depth:
        steps = steps[:depth - 1] + ["".join(steps[depth - 1:])]
    return steps


class Node:
    """A tree node: the step text, visit count and summed value; best / worst = (reward, completion from here)."""

    def __init__(self, step: str, parent: "Node | None" = None):
        self.step, self.parent = step, parent
        self.children: dict[str, Node] = {}
        self.visits, self.value = 0, 0.0
        self.best: tuple[float, str] | None = None
        self.worst: tuple[float, str] | None = None

    @property
    def prefix(self) -> str:
        s, n = "", self
        while n is not None:
            s, n = n.step + s, n.parent
        return s

    def depth(self) -> int:
        d, n = 0, self
        while n.parent is not None:
            d, n = d + 1, n.parent
        return d

    def q(self) -> float:
        return self.value / max(1, self.visits)


def uct_select(root: Node, c: float, depth: int) -> Node:
    """Descend by value/(visits+1) + c·sqrt(ln N_parent / (visits+1)) (the prior term of the official UCT is 1 here)."""
    node = root
    while node.children and node.depth() < depth:
        n_parent = max(1, node.visits)
        node = max(node.children.values(),
                   key=lambda k: k.value / (k.visits + 1) + c * math.sqrt(math.log(n_parent + 1) / (k.visits + 1)))
    return node


def mcts(model, tok, rows, *, iters: int = 5, n_actions: int = 3, depth: int = 3, c: float = 1.0,
         temperature: float = 1.0, max_new_tokens: int = 40, seed: int = 0, toolset: dict | None = None) -> list[Node]:
    """One tree per row (root = the prompt). Each iteration: select a leaf by UCT, sample `n_actions` continuations of
    its prefix, split each into steps and chain them below the leaf, score the finished call with `slot_reward`
    and back the reward up the path. Batched over the rows."""
    from ftkit.evaluate import sample_answers
    roots = [Node(r["prompt"]) for r in rows]
    for it in range(iters):
        leaves = [uct_select(rt, c, depth) for rt in roots]
        outs = sample_answers(model, tok, [lf.prefix for lf in leaves], max_new_tokens=max_new_tokens,
                              samples=n_actions, temperature=temperature, seed=seed * 1000 + it)
        for rt, lf, r, samples in zip(roots, leaves, rows, outs):
            base = lf.prefix[len(rt.step):]
            for s in samples:
                s = s.split("\n")[0]
                rew = slot_reward(base + s, r["gold"], toolset)
                path = [lf]
                for st in (split_steps(s, max(1, depth - lf.depth())) if s else []):
                    path.append(path[-1].children.setdefault(st, Node(st, path[-1])))
                for k, nd in enumerate(path):
                    tail = "".join(p.step for p in path[k + 1:])
                    full = tail if nd is lf else nd.step + tail
                    if nd.best is None or rew > nd.best[0]:
                        nd.best = (rew, full)
                    if nd.worst is None or rew < nd.worst[0]:
                        nd.worst = (rew, full)
                n = path[-1]
                while n is not None:
                    n.visits += 1
                    n.value += rew
                    n = n.parent
    return roots


def extract_pairs(roots: list[Node], min_gap: float = 0.1, min_chosen: float = -0.3) -> list[dict]:
    """For every node with >= 2 children: chosen = the best completion through the highest-value child, rejected =
    the worst through the lowest-value child, prompt = root prompt + the node's prefix (shared by both). Kept when
    the value gap >= min_gap and the chosen value >= min_chosen (the official filters)."""
    pairs = []
    for rt in roots:
        stack = [rt]
        while stack:
            n = stack.pop()
            kids = list(n.children.values())
            stack += kids
            if len(kids) < 2:
                continue
            hi, lo = max(kids, key=Node.q), min(kids, key=Node.q)
            if hi.q() - lo.q() < min_gap or hi.q() < min_chosen or hi.best[1] == lo.worst[1]:
                continue
            pairs.append({"prompt": n.prefix, "chosen": hi.best[1], "rejected": lo.worst[1],
                          "gap": hi.q() - lo.q(), "depth": n.depth()})
    return pairs


def show_tree(node: Node, indent: int = 0, max_depth: int = 3) -> str:
    """The tree as indented text: step, visits, mean value."""
    line = "  " * indent + f"{node.step!r}  n={node.visits} q={node.q():+.2f}\n" if indent else f"{node.step!r}\n"
    if indent >= max_depth:
        return line
    return line + "".join(show_tree(k, indent + 1, max_depth)
                          for k in sorted(node.children.values(), key=lambda k: -k.visits))


# ---- deficiency selection, DPO, evaluation --------------------------------------------------------------------------
@torch.no_grad()
def gold_nll(model, tok, rows, batch_size: int = 64, max_len: int = 64) -> list[float]:
    """Per-row mean NLL of the gold call (log perplexity; the paper's deficiency score)."""
    model.eval()
    enc = train.encode_pairs(tok, rows, max_len=max_len)
    dev = next(model.parameters()).device
    out = []
    for i in range(0, len(enc), batch_size):
        b = train.collate(enc[i:i + batch_size], tok.pad_token_id)
        logits = model(input_ids=b["input_ids"].to(dev), attention_mask=b["attention_mask"].to(dev)).logits
        out += train.answer_nll(logits.cpu(), b["labels"]).tolist()
    return out


def prompt_completion_ids(tok, prompt: str, completion: str) -> tuple[list[int], list[int]]:
    """Prompt ids, then completion ids + EOS, each tokenised on its own (never prompt + completion as one string:
    a prompt ending in a space would merge it into the completion's first token)."""
    ids = lambda text: tok(text, add_special_tokens=False)["input_ids"]
    return ids(prompt), ids(completion) + [tok.eos_token_id]


def completion_logp(model, tok, prompts, completions, max_len: int = 128) -> torch.Tensor:
    """log π(completion + eos | prompt), summed over the completion tokens."""
    ex = []
    for p, c in zip(prompts, completions):
        pi, ci = prompt_completion_ids(tok, p, c)
        ex.append({"input_ids": (pi + ci)[-max_len:], "labels": ([train.IGNORE] * len(pi) + ci)[-max_len:]})
    b = train.collate(ex, tok.pad_token_id)
    dev = next(model.parameters()).device
    logits = model(input_ids=b["input_ids"].to(dev), attention_mask=b["attention_mask"].to(dev)).logits[:, :-1].float()
    lab = b["labels"][:, 1:].to(dev)
    lp = torch.log_softmax(logits, -1).gather(2, lab.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (lp * (lab != train.IGNORE)).sum(1)


def dpo_loss(pw, pl, rw, rl, beta: float) -> torch.Tensor:
    """L = -log σ(β[(log π(y_w|x) - log π_ref(y_w|x)) - (log π(y_l|x) - log π_ref(y_l|x))])."""
    return -F.logsigmoid(beta * ((pw - rw) - (pl - rl))).mean()


def dpo(model, tok, pairs, *, steps: int, lr: float, beta: float, batch_size: int = 4, seed: int = 0) -> list[float]:
    """DPO written out (the smoke path): AdamW on `dpo_loss`, a frozen copy of the start as π_ref."""
    ref = copy.deepcopy(model).eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    rng, losses = random.Random(f"itool-dpo:{seed}"), []
    model.train()
    for _ in range(steps):
        b = rng.sample(pairs, min(batch_size, len(pairs)))
        P, W, L = [x["prompt"] for x in b], [x["chosen"] for x in b], [x["rejected"] for x in b]
        with torch.no_grad():
            rw, rl = completion_logp(ref, tok, P, W), completion_logp(ref, tok, P, L)
        loss = dpo_loss(completion_logp(model, tok, P, W), completion_logp(model, tok, P, L), rw, rl, beta)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def dpo_token_rows(tok, pairs) -> list[dict]:
    """TRL's pre-tokenised DPO rows, tokenised exactly as `completion_logp` scores them (`prompt_completion_ids`)."""
    rows = []
    for p in pairs:
        prompt_ids, chosen_ids = prompt_completion_ids(tok, p["prompt"], p["chosen"])
        rows.append({"prompt_ids": prompt_ids, "chosen_ids": chosen_ids,
                     "rejected_ids": prompt_completion_ids(tok, p["prompt"], p["rejected"])[1]})
    return rows


def trl_dpo(model, ref_model, tok, pairs, *, out_dir, steps: int, batch_size: int, lr: float, beta: float,
            max_length: int = 1024, seed: int = 0):
    """DPO with TRL's DPOTrainer on the tree pairs (prompt = shared prefix); explicit frozen reference model.
    Constant learning rate (as the SFT control's), one log entry per step kept in the history but not printed;
    set-up warnings, notices and the dataset progress bars are silenced (noise in a notebook).

    The pairs are tokenised here, prompt and completion apart, exactly as the SFT warm-up and `completion_logp` do
    (prompt ids, then completion ids + EOS): TRL tokenises prompt + completion as one string, and a prompt that ends
    in a space ("call: ") would merge into the completion's first token, a context the policy never sees when it
    generates. The trainer's own tokenisation is replaced by these ids (its collator reads `prompt_ids`,
    `chosen_ids`, `rejected_ids`)."""
    import logging
    import warnings
    import datasets
    from transformers import PrinterCallback
    from transformers.utils import logging as hf_logging
    from trl import DPOConfig, DPOTrainer
    rows = [{k: p[k] for k in ("prompt", "chosen", "rejected")} for p in pairs]
    ids = dpo_token_rows(tok, pairs)
    verbosity, bars = hf_logging.get_verbosity(), datasets.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    logging.getLogger("datasets").setLevel(logging.ERROR)
    trl_log = logging.getLogger("trl")
    trl_level, trl_log.level = trl_log.level, logging.ERROR   # the prefix notice: we re-tokenise below
    datasets.disable_progress_bars()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args = DPOConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=batch_size,
                             learning_rate=lr, lr_scheduler_type="constant", warmup_steps=0, beta=beta,
                             max_length=max_length, logging_steps=1, save_strategy="no", report_to=[],
                             **train.trl_device_args(), disable_tqdm=True, dataloader_num_workers=0, seed=seed)
            trainer = DPOTrainer(model=model, ref_model=ref_model, args=args, processing_class=tok,
                                 train_dataset=datasets.Dataset.from_list(rows))
            trainer.train_dataset = datasets.Dataset.from_list(ids)
            trainer.remove_callback(PrinterCallback)     # keep the per-step log in the history, do not print it
            trainer.train()
    finally:
        hf_logging.set_verbosity(verbosity)
        trl_log.setLevel(trl_level)
        if bars:
            datasets.enable_progress_bars()
    return trainer.model, [h["loss"] for h in trainer.state.log_history if "loss" in h]


def evaluate_calls(model, tok, test: dict, max_new_tokens: int = 40, toolset: dict | None = None) -> dict:
    """Greedy calls scored with ftkit.verifiers.tools: CF (exact call), TS (right tool), value accuracy (share of
    gold values right) and the error category counts, per difficulty."""
    from ftkit.evaluate import generate_answers
    out = {}
    for d, rows in test.items():
        gens = [g.split("\n")[0].strip() for g in
                generate_answers(model, tok, [r["prompt"] for r in rows], max_new_tokens=max_new_tokens)]
        m = [call_metrics(g, r["gold"]) for g, r in zip(gens, rows)]
        vals = []
        for g, r in zip(gens, rows):
            c = parse_call(g)
            vals.append(0.0 if c is None or c[0] != r["gold"][0] else
                        sum(c[1].get(k) == v for k, v in r["gold"][1].items()) / max(1, len(r["gold"][1])))
        ts = toolset or SCHEMAS
        cats = [categorize(g, r["gold"], ts if r["gold"][0] in ts else dict(ts, **{r["gold"][0]: list(r["gold"][1])}))
                for g, r in zip(gens, rows)]
        n = max(1, len(rows))
        out[d] = {"CF": sum(x["CF"] for x in m) / n, "TS": sum(x["TS"] for x in m) / n,
                  "value_acc": sum(vals) / n, "categories": {c: cats.count(c) for c in sorted(set(cats))},
                  "examples": gens[:3]}
    return out
