"""TL-Training: A Task-Feature-Based Framework for Training Large Language Models in Tool Use (arXiv 2412.15495).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: PKT's key
tokens and weighted loss, greedy / sampled calls, scoring with the shared verifiers, and the small group-REINFORCE
(RLOO baseline) loop that optimises the IRM reward. The tool world is shared: `ftkit.data.tool_calls`; the parser,
TS/PI/CF metrics and the IRM reward are shared: `ftkit.verifiers.tools`.
"""
from ftkit.catalog import Profile

import random
from collections import Counter

import torch

PROFILE = Profile(
    claim='Masking erroneous tool calls out of the SFT targets (MAE), up-weighting the tokens that decide between confusable tool names (PKT) and optimising a rule-based graded reward over tool-call error categories (IRM) reduce tool-call errors (TS/PI/CF) compared with naive SFT on noisy trajectories.',
    smoke_seconds=45,
    dry_run_seconds=18,
    gpu=dict(
        model_id='codellama/CodeLlama-7b-hf',
        dataset='glaiveai/glaive-function-calling-v2',
        world='full',
        n_layers=0,
        rl_impl='trl',
        n_train=1217,
        n_test=300,
        sft_steps=600,
        batch_size=8,
        lr=0.0002,
        lora_rank=16,
        rl_steps=200,
        rl_prompts=8,
        num_generations=4,
        rl_lr=1e-05,
        kl_coef=0.4,
        max_len=512,
        max_new_tokens=96,
    ),
    gpu_hardware='1 GPU, 24 GB (4-bit base + LoRA)',
    gpu_seconds=5400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='tool-world',
        n_layers=0,
        rl_impl='trl',
        n_train=32,
        n_test=8,
        sft_steps=2,
        batch_size=4,
        lora_rank=2,
        rl_steps=2,
        rl_prompts=2,
        num_generations=2,
        max_len=96,
        max_new_tokens=8,
    ),
    ranges=dict(
        n_train=(8, 10000000),
        n_test=(1, 100000),
        sft_steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        rl_steps=(0, 1000000),
        rl_prompts=(1, 4096),
        num_generations=(2, 64),
        rl_lr=(0, 1),
        kl_coef=(0, 100),
        w_max=(1, 100),
        noisy_frac=(0, 1),
        k_tools=(2, 10),
        lora_rank=(0, 4096),
        n_layers=(0, 1000),
        max_len=(16, 8192),
        max_new_tokens=(1, 4096),
    ),
    choices=dict(
        model_id=['ftkit/tiny-llama', 'codellama/CodeLlama-7b-hf', 'Qwen/Qwen2.5-1.5B-Instruct'],
        dataset=['tool-world', 'glaiveai/glaive-function-calling-v2'],
        world=['small', 'full'],
        rl_impl=['loop', 'trl'],
    ),
)

IGNORE = -100


# ---- the prompt / target boundary ---------------------------------------------------------------------------------
def test_prompt(row: dict) -> str:
    """The test-time prompt (tools and request, no earlier turns), ending at `Assistant:` without the space: the
    space belongs to the call, so the target starts with ` tool_name`, the same tokens as the tool list and the
    earlier calls in the context (a BPE merges the space into the next word)."""
    from ftkit.data import tool_calls as TC
    return TC.prompt(row).rstrip(" ")


def sft_sample(sample: dict) -> dict:
    """A `turn_samples` prompt/answer pair with the space moved from the prompt's end to the answer's start."""
    return dict(sample, prompt=sample["prompt"].rstrip(" "), answer=" " + sample["answer"].lstrip(" "))


# ---- PKT: key tokens (where the gold tool name parts from the other tools' names) and per-token weights ----------
def key_positions(tok, answer: str, gold_name: str, toolset) -> list[int]:
    """K_pre: answer-token positions that decide the tool: the first token of the call, and for every other tool of
    the toolset the first token where the gold call's ids stop matching `other_name(`'s ids (computed on ids, not
    strings: BPE merges differ). Only positions inside the gold name and its `(` count."""
    ids = tok(answer, add_special_tokens=False)["input_ids"]
    lead = answer[:len(answer) - len(answer.lstrip())]         # names are tokenised as in the answer (` name(`)
    n_name = len(tok(lead + gold_name + "(", add_special_tokens=False)["input_ids"])
    keys = {0}
    for other in toolset:
        if other == gold_name:
            continue
        oid = tok(lead + other + "(", add_special_tokens=False)["input_ids"]
        j = next((i for i, (a, b) in enumerate(zip(ids, oid)) if a != b), min(len(ids), len(oid)))
        if j < min(n_name, len(ids)):
            keys.add(j)
    return sorted(keys)


def pkt_weights(n_answer: int, keys: list[int], w_max: float) -> list[float]:
    """w = min(|O|/|K_pre|, w_max) on the key tokens, 1 elsewhere (argument-boundary tokens P keep weight 1, as in
    the released code). n_answer counts the answer tokens including the end-of-sequence token."""
    keys = [k for k in keys if k < n_answer]
    w_pre = min((n_answer - len(keys)) / max(1, len(keys)), w_max) if keys else 1.0
    w = [1.0] * n_answer
    for k in keys:
        w[k] = max(1.0, w_pre)
    return w


def encode(tok, samples: list[dict], max_len: int, pkt: bool = False, w_max: float = 9.0) -> list[dict]:
    """Prompt/answer samples -> input_ids, labels (IGNORE on the prompt) and per-token loss weights (all 1 without
    PKT; PKT's weights on the final, gold turn)."""
    out = []
    for s in samples:
        p = tok(s["prompt"], add_special_tokens=False)["input_ids"]
        a = tok(s["answer"], add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        w = [1.0] * len(a)
        if pkt and s.get("gold") is not None:
            w = pkt_weights(len(a), key_positions(tok, s["answer"], s["gold"][0], s["toolset"]), w_max)
        ids, labels = (p + a)[-max_len:], ([IGNORE] * len(p) + a)[-max_len:]
        weights = ([0.0] * len(p) + w)[-max_len:]
        out.append({"input_ids": ids, "labels": labels, "weights": weights})
    return out


def collate(examples: list[dict], pad_id: int) -> dict:
    n = max(len(e["input_ids"]) for e in examples)
    b = len(examples)
    ids, labels = torch.full((b, n), pad_id), torch.full((b, n), IGNORE)
    mask, weights = torch.zeros((b, n), dtype=torch.long), torch.zeros((b, n))
    for i, e in enumerate(examples):
        k = len(e["input_ids"])
        ids[i, :k], labels[i, :k] = torch.tensor(e["input_ids"]), torch.tensor(e["labels"])
        mask[i, :k], weights[i, :k] = 1, torch.tensor(e["weights"])
    return {"input_ids": ids, "attention_mask": mask, "labels": labels, "weights": weights}


def batches(encoded: list[dict], batch_size: int, pad_id: int, seed: int = 0):
    rng, order = random.Random(seed), []
    while True:
        if len(order) < batch_size:
            fresh = list(range(len(encoded)))
            rng.shuffle(fresh)
            order += fresh
        idx, order = order[:batch_size], order[batch_size:]
        yield collate([encoded[i] for i in idx], pad_id)


def weighted_loss(model, batch):
    """L = Σ_t w_t ℓ_t / Σ_t w_t per sample, then the batch mean. With all weights 1 this is the per-sample mean
    token loss, so every arm uses the same normalisation and only the weights differ."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels, w = batch["labels"][:, 1:], batch["weights"][:, 1:]
    nll = torch.nn.functional.cross_entropy(logits[:, :-1].transpose(1, 2).float(), labels, ignore_index=IGNORE,
                                            reduction="none")
    w = w * (labels != IGNORE)
    return ((nll * w).sum(1) / w.sum(1).clamp(min=1e-6)).mean()


# ---- calls: greedy / sampled generation and scoring with the shared verifiers ------------------------------------
def _left_pad(tok, prompts, device):
    enc = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
    n = max(len(e) for e in enc)
    ids = torch.tensor([[tok.pad_token_id] * (n - len(e)) + e for e in enc], device=device)
    mask = torch.tensor([[0] * (n - len(e)) + [1] * len(e) for e in enc], device=device)
    return ids, mask


def _cut(text: str) -> str:
    return text.split("\n")[0].strip()


@torch.no_grad()
def generate_calls(model, tok, prompts: list[str], max_new_tokens: int, batch_size: int = 128,
                   sample: bool = False, num_return: int = 1) -> tuple[list[str], list[list[int]]]:
    """Calls for `prompts` (greedy, or sampled at temperature 1), cut at the first newline; also the generated ids."""
    model.eval()
    device = next(model.parameters()).device
    texts, gen_ids = [], []
    for i in range(0, len(prompts), batch_size):
        ids, mask = _left_pad(tok, prompts[i:i + batch_size], device)
        g = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=sample,
                           temperature=1.0 if sample else None, top_k=0 if sample else None,
                           top_p=1.0 if sample else None, num_return_sequences=num_return,
                           pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
        for row in g[:, ids.shape[1]:].tolist():
            cut = row.index(tok.eos_token_id) + 1 if tok.eos_token_id in row else len(row)
            gen_ids.append(row[:cut])
            texts.append(_cut(tok.decode(row[:cut], skip_special_tokens=True)))
    return texts, gen_ids


def score(calls: list[str], rows: list[dict]) -> dict:
    """TS / PI / CF rates, the IRM error-category counts and the mean IRM reward (ftkit.verifiers.tools)."""
    from ftkit.verifiers import tools as V
    m = [V.call_metrics(c, r["gold"]) for c, r in zip(calls, rows)]
    cats = Counter(V.categorize(c, r["gold"], r["toolset"]) for c, r in zip(calls, rows))
    n = max(1, len(rows))
    return {"TS": sum(x["TS"] for x in m) / n, "PI": sum(x["PI"] for x in m) / n, "CF": sum(x["CF"] for x in m) / n,
            "error_rate": 1 - sum(x["CF"] for x in m) / n, "categories": dict(cats),
            "reward": sum(V.irm_reward(c, r["gold"], r["toolset"]) for c, r in zip(calls, rows)) / n}


# ---- IRM: a group-REINFORCE loop (leave-one-out baseline, KL to the frozen reference) -------------------------------
def seq_logprobs(model, ids: torch.Tensor, mask: torch.Tensor, gen_mask: torch.Tensor) -> torch.Tensor:
    """Per-token log-probabilities of the generated tokens (B, T-1), zero elsewhere."""
    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
    lp = torch.log_softmax(logits, -1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    return lp * gen_mask[:, 1:]


def rloo_irm(model, tok, rows: list[dict], *, steps: int, prompts_per_step: int, group: int, lr: float,
             kl_coef: float, max_new_tokens: int, seed: int = 0, reward_fn=None) -> dict:
    """Optimise the IRM reward: each step samples `group` calls for `prompts_per_step` prompts, scores them with the
    rule-based reward, and takes one gradient step on -Σ (r - mean of the other samples' r) · log π(call) / |call|
    + kl_coef · KL(π || π_ref) (k3 estimator per token). A critic-free stand-in for the paper's PPO."""
    import copy
    from ftkit.verifiers import tools as V
    reward_fn = reward_fn or V.irm_reward
    adapter = hasattr(model, "disable_adapter")          # a LoRA model: the reference is the base with the adapter off
    ref = None if adapter else copy.deepcopy(model).eval()
    for p in ([] if adapter else ref.parameters()):
        p.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, betas=(0.9, 0.95))
    rng = random.Random(f"rloo:{seed}")
    torch.manual_seed(seed)
    device = next(model.parameters()).device
    hist = {"reward": [], "kl": []}
    for _ in range(steps):
        batch = rng.sample(rows, prompts_per_step)
        prompts = [test_prompt(r) for r in batch]
        calls, gen = generate_calls(model, tok, prompts, max_new_tokens, sample=True, num_return=group)
        r = torch.tensor([reward_fn(c, batch[i // group]["gold"], batch[i // group]["toolset"])
                          for i, c in enumerate(calls)]).view(prompts_per_step, group)
        adv = (r - (r.sum(1, keepdim=True) - r) / (group - 1)).view(-1)        # r - the leave-one-out mean
        p_ids = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts for _ in range(group)]
        seqs = [p + g for p, g in zip(p_ids, gen)]
        n = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), n), tok.pad_token_id, device=device)
        mask = torch.zeros_like(ids)
        gmask = torch.zeros(len(seqs), n, device=device)
        for i, (p, s) in enumerate(zip(p_ids, seqs)):
            ids[i, :len(s)] = torch.tensor(s)
            mask[i, :len(s)] = 1
            gmask[i, len(p):len(s)] = 1
        model.train()
        lp = seq_logprobs(model, ids, mask, gmask)
        with torch.no_grad():
            if adapter:
                with model.disable_adapter():
                    lp_ref = seq_logprobs(model, ids, mask, gmask)
            else:
                lp_ref = seq_logprobs(ref, ids, mask, gmask)
        gm = gmask[:, 1:]
        ntok = gm.sum(1).clamp(min=1)
        pg = -(adv.to(device) * lp.sum(1) / ntok).mean()
        d = (lp_ref - lp) * gm
        kl = ((torch.exp(d) - d - 1) * gm).sum(1) / ntok
        loss = pg + kl_coef * kl.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        hist["reward"].append(float(r.mean()))
        hist["kl"].append(float(kl.detach().mean()))
    model.eval()
    return hist


# ---- IRM through TRL's RLOOTrainer: dataset rows and a reward function with TRL's signature ---------------------
def trl_records(rows: list[dict]) -> list[dict]:
    """Rows -> {"prompt", "gold", "toolset"} records for a `datasets.Dataset` (gold and toolset as JSON strings, so
    every row has the same columns whatever its tools)."""
    import json
    return [{"prompt": test_prompt(r), "gold": json.dumps([r["gold"][0], r["gold"][1]]),
             "toolset": json.dumps(r["toolset"])} for r in rows]


def irm_reward_fn(prompts, completions, gold, toolset, **kwargs) -> list[float]:
    """The IRM reward in TRL's `reward_funcs` form: one float per completion (cut at its first newline, as in
    `generate_calls`); `gold` and `toolset` are the dataset's JSON columns."""
    import json
    from ftkit.verifiers import tools as V
    out = []
    for c, g, t in zip(completions, gold, toolset):
        name, args = json.loads(g)
        out.append(V.irm_reward(_cut(c), (name, args), json.loads(t)))
    return out
