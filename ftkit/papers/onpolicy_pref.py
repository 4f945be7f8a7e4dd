"""Preference Fine-Tuning of LLMs Should Leverage Suboptimal, On-Policy Data (arXiv 2404.14367).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: the
categorical bandit of the paper's didactic experiments (reference policy, reward geometry, offline pairs, the
exact expected reward), the toy length task of the smoke LM part (letter-string prompts and warm-up rows, a reward
peaked at a target length, offline pairs from the reference, sampling and a curve callback for TRL trainers) and the
TRL wrappers of the gpu profile (offline DPO with DPOTrainer and an explicit reference model; on-policy RL with
GRPOTrainer and a programmatic length reward).
"""
from ftkit import train
from ftkit.catalog import Profile

import torch
import torch.nn.functional as F

PROFILE = Profile(
    claim='On-policy sampling (on-policy DPO, RLOO) beats offline DPO on pairs from the reference policy when the '
          'reward peak lies where the reference puts little mass, and not when reward and reference are aligned.',
    smoke_seconds=40,
    dry_run_seconds=23,
    gpu=dict(
        model_id='EleutherAI/pythia-1.4b',
        dataset='Asap7772/relabeled_alpacafarm_pythiasft_20K_preference_data_minlength',
        n_train=2000,
        n_eval=64,
        lm_steps=500,
        lm_batch_size=16,
        lm_lr=1e-06,
        num_generations=4,
        max_new_tokens=128,
        max_prompt_chars=1000,
    ),
    gpu_hardware='1 GPU, 80 GB',
    gpu_seconds=5400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='ftkit/min-length',
        n_train=8,
        n_eval=4,
        lm_steps=2,
        lm_batch_size=2,
        num_generations=2,
        max_new_tokens=8,
        steps=20,
        toy_warmup=2,
        toy_steps=2,
        toy_pairs=2,
        toy_generations=2,
        toy_lr_grid=[1e-3],
        toy_eval_every=1,
    ),
    ranges=dict(
        n_actions=(10, 10000),
        ref_mode=(0, 10000),
        ref_sd=(0.5, 1000),
        reward_width=(0.5, 1000),
        n_pairs=(10, 1000000),
        steps=(1, 100000),
        batch_size=(2, 100000),
        group=(2, 1024),
        beta=(0.0001, 100),
        n_train=(1, 10000000),
        n_eval=(1, 100000),
        lm_steps=(1, 1000000),
        lm_batch_size=(1, 4096),
        lm_lr=(0, 1),
        num_generations=(2, 64),
        max_new_tokens=(1, 4096),
        max_prompt_chars=(16, 100000),
        toy_warmup=(1, 100000),
        toy_ref_mean=(1, 1000),
        toy_target=(0, 1000),
        toy_max_new_tokens=(2, 4096),
        toy_steps=(1, 100000),
        toy_pairs=(1, 4096),
        toy_generations=(2, 64),
        toy_eval_every=(1, 100000),
    ),
    choices=dict(
        toy_model=['none', 'ftkit/tiny-llama', 'ftkit/tiny-llama-instruct'],
        dataset=['none', 'ftkit/min-length', 'Asap7772/relabeled_alpacafarm_pythiasft_20K_preference_data_minlength'],
    ),
)


# ---- the bandit (paper §4, official `bandit_experiment`): 100 actions, Gaussian-bump reward --------------------------
def ref_logprobs(n_actions: int, mode: float, sd: float) -> torch.Tensor:
    """log π_ref: a discretised Gaussian over actions 0..n_actions-1 centred at `mode`."""
    a = torch.arange(n_actions, dtype=torch.float32)
    return torch.log_softmax(-0.5 * ((a - mode) / sd) ** 2, 0)


def bump_reward(n_actions: int, peak: float, width: float = 10.0) -> torch.Tensor:
    """r(a) = exp(-((a - a*) / width)^2), the official bandit reward."""
    a = torch.arange(n_actions, dtype=torch.float32)
    return torch.exp(-((a - peak) / width) ** 2)


def offline_pairs(ref_logp: torch.Tensor, r: torch.Tensor, n: int, g: torch.Generator):
    """n pairs sampled from π_ref, labelled by the reward (higher wins; ties dropped). Returns (winners, losers)."""
    x = torch.multinomial(ref_logp.exp(), 2 * n, replacement=True, generator=g).view(n, 2)
    rx = r[x]
    keep = rx[:, 0] != rx[:, 1]
    x, rx = x[keep], rx[keep]
    first = rx[:, 0] > rx[:, 1]
    return torch.where(first, x[:, 0], x[:, 1]), torch.where(first, x[:, 1], x[:, 0])


def best_and_worst(y: torch.Tensor, ry: torch.Tensor):
    """Per group (row) of samples: the best and the worst by reward; groups where they tie are dropped."""
    w = y.gather(1, ry.argmax(1, keepdim=True)).squeeze(1)
    l = y.gather(1, ry.argmin(1, keepdim=True)).squeeze(1)
    keep = ry.max(1).values > ry.min(1).values
    return w[keep], l[keep]


def expected_reward(logits: torch.Tensor, r: torch.Tensor) -> float:
    """E_{a~π_θ}[r(a)], exact (a sum over the actions)."""
    return float((torch.softmax(logits.detach(), 0) * r).sum())


# ---- gpu profile: preference data, the length reward and TRL's trainers -----------------------------------------------
def min_length_rows(n: int, seed: int = 0) -> list[dict]:
    """A synthetic stand-in for the paper's "Min Length" preference data (dry run only): prompts of letters, the
    shorter of two letter strings is chosen."""
    import random
    rng = random.Random(f"onpolicy_pref-min-length-{seed}")
    rows = []
    for _ in range(n):
        prompt = "copy: " + "".join(rng.choice("abcdefgh") for _ in range(rng.randint(2, 5))) + " ="
        a, b = sorted(rng.sample(range(1, 12), 2))
        rows.append({"prompt": prompt, "chosen": " " + "x" * a, "rejected": " " + "x" * b})
    return rows


def length_reward(completions, **kw) -> list[float]:
    """Min Length reward: minus the completion's length in words (TRL reward_funcs signature)."""
    return [-float(len(_text(c).split())) for c in completions]


def _text(c) -> str:
    if isinstance(c, list):                              # conversational completions: [{"role", "content"}]
        return " ".join(m.get("content", "") for m in c)
    return c


def trl_offline_dpo(model, ref_model, tok, rows, *, out_dir, steps, batch_size, lr, beta, max_length=512):
    """Offline DPO with TRL's DPOTrainer on fixed (prompt, chosen, rejected) rows; explicit frozen reference."""
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer
    args = DPOConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=batch_size,
                     learning_rate=lr, beta=beta, max_length=max_length, logging_steps=1, save_strategy="no",
                     report_to=[], **train.trl_device_args(), disable_tqdm=True)
    trainer = DPOTrainer(model=model, ref_model=ref_model, args=args, processing_class=tok,
                         train_dataset=Dataset.from_list(rows))
    trainer.train()
    return trainer.model, [h for h in trainer.state.log_history if "loss" in h]


def trl_grpo(model, tok, prompts, reward_fn, *, out_dir, steps, batch_size, lr, beta, num_generations,
             max_new_tokens):
    """On-policy RL with TRL's GRPOTrainer: per prompt, `num_generations` samples from the current policy, scored by
    `reward_fn`, group-normalised advantages (negative advantages push likelihood down); KL to the start at `beta`."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer
    bs = max(batch_size, num_generations) // num_generations * num_generations
    args = GRPOConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=bs,
                      num_generations=num_generations, max_completion_length=max_new_tokens, learning_rate=lr,
                      beta=beta, logging_steps=1, save_strategy="no", report_to=[],
                      **train.trl_device_args(), disable_tqdm=True)
    trainer = GRPOTrainer(model=model, reward_funcs=reward_fn, args=args, processing_class=tok,
                          train_dataset=Dataset.from_list([{"prompt": p} for p in prompts]))
    trainer.train()
    return trainer.model, [h for h in trainer.state.log_history if "reward" in h]


@torch.no_grad()
def sample_lengths(model, tok, prompts, max_new_tokens, n=1, seed=0) -> list[int]:
    """Words per sampled completion (the Min Length metric; lower is better)."""
    torch.manual_seed(seed)
    model.eval()
    dev = next(model.parameters()).device
    out = []
    tok.padding_side = "left"
    for i in range(0, len(prompts), 8):
        enc = tok(prompts[i:i + 8], return_tensors="pt", padding=True).to(dev)
        gen = model.generate(**enc, do_sample=True, max_new_tokens=max_new_tokens, num_return_sequences=n,
                             pad_token_id=tok.pad_token_id)
        texts = tok.batch_decode(gen[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        out += [len(t.split()) for t in texts]
    return out


# ---- smoke LM part: a "Min Length"-style task on the tiny Llama, run with TRL's DPOTrainer and RLOOTrainer -----------
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letters_prompt(rng) -> str:
    """A prompt of the toy length task: "letters: k q =" (two random letters; `rng` is a random.Random)."""
    return "letters: " + " ".join(rng.choice(LETTERS) for _ in range(2)) + " ="


def letters_rows(n: int, seed: int, mean: float, sd: float, max_len: int) -> list[dict]:
    """Warm-up rows that set π_ref's length distribution: the answer is " a b c ..." (one token per letter) with a
    length drawn from a rounded Gaussian(mean, sd), clipped to [1, max_len]."""
    import random
    rng = random.Random(f"onpolicy_pref-letters-{seed}")
    rows = []
    for _ in range(n):
        k = max(1, min(max_len, round(rng.gauss(mean, sd))))
        rows.append({"prompt": letters_prompt(rng), "answer": "".join(" " + rng.choice(LETTERS) for _ in range(k))})
    return rows


def letters_prompts(n: int, seed: int, split: str) -> list[str]:
    """`n` prompts of the toy task; `split` ("pairs", "train", "val", "test") seeds a separate stream."""
    import random
    rng = random.Random(f"onpolicy_pref-prompts-{split}-{seed}")
    return [letters_prompt(rng) for _ in range(n)]


def n_words(text) -> int:
    return len(_text(text).split())


def target_length_reward(target: int):
    """A length reward that peaks at `target` words: r = -|words - target| (TRL reward_funcs signature)."""
    def length_reward_at_target(completions, **kw) -> list[float]:
        return [-float(abs(n_words(c) - target)) for c in completions]
    return length_reward_at_target


@torch.no_grad()
def sample_texts(model, tok, prompts, max_new_tokens, n=1, seed=0) -> list[str]:
    """Sampled completions (temperature 1), `n` per prompt, in prompt order; the model's train/eval mode is kept."""
    was = model.training
    model.eval()
    torch.manual_seed(seed)
    tok.padding_side = "left"
    enc = tok(list(prompts), return_tensors="pt", padding=True).to(next(model.parameters()).device)
    gen = model.generate(**enc, do_sample=True, max_new_tokens=max_new_tokens, num_return_sequences=n,
                         pad_token_id=tok.pad_token_id)
    model.train(was)
    return tok.batch_decode(gen[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)


def reward_and_length(model, tok, prompts, reward_fn, max_new_tokens, seed=0) -> tuple[float, float]:
    """(mean reward, mean words) of one sampled completion per prompt."""
    texts = sample_texts(model, tok, prompts, max_new_tokens, seed=seed)
    return float(sum(reward_fn(texts)) / len(texts)), float(sum(map(n_words, texts)) / len(texts))


def offline_length_pairs(texts_a, texts_b, prompts, reward_fn) -> list[dict]:
    """Preference rows from two sampled completions per prompt: the higher-reward one is chosen; ties dropped."""
    rows = []
    for p, a, b in zip(prompts, texts_a, texts_b):
        ra, rb = reward_fn([a, b])
        if ra != rb:
            rows.append({"prompt": p, "chosen": a if ra > rb else b, "rejected": b if ra > rb else a})
    return rows


def curve_callback(evaluate, every: int):
    """A transformers TrainerCallback that calls evaluate(model) every `every` optimizer steps and keeps
    (step, *result) in its `.curve` list."""
    from transformers import TrainerCallback

    class Curve(TrainerCallback):
        def __init__(self):
            self.curve = []

        def on_step_end(self, args, state, control, model=None, **kw):
            if state.global_step % every == 0:
                self.curve.append((state.global_step, *evaluate(model)))
    return Curve()
