"""LogicLLaMA: Harnessing the Power of Large Language Models for Natural Language to First-Order Logic Translation
(arXiv 2305.15541).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses. The NL/FOL
grammar, the perturbations with inverse edits and the corruptor are shared: `ftkit.data.nl_fol`; the FOL parser,
the LE score and FOL-BLEU: `ftkit.verifiers.fol`.
"""
from ftkit import train
from ftkit.catalog import Profile

import torch

PROFILE = Profile(
    claim='A model fine-tuned for NL-to-FOL translation can also be trained, on synthetically perturbed FOLs whose targets are the inverse edits then the gold FOL, to correct a weaker translator: the corrected FOLs score a higher logical-equivalence (LE) than the FOLs it was given.',
    smoke_seconds=39,
    dry_run_seconds=20,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B',
        dataset='yuan-yang/MALLS-v0',
        n_train=20000,
        n_test=500,
        direct_steps=1000,
        correct_steps=1000,
        batch_size=16,
        lr=1e-05,
        max_len=256,
        trainer='trl',
        grpo_steps=200,
    ),
    gpu_hardware='1 GPU, 40 GB',
    gpu_seconds=5400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='nl_fol',
        trainer='trl',
        n_train=32,
        n_test=8,
        direct_steps=2,
        correct_steps=2,
        batch_size=4,
        max_len=96,
        grpo_steps=2,
    ),
    ranges=dict(
        n_train=(8, 10000000),
        n_test=(1, 100000),
        direct_steps=(1, 1000000),
        correct_steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        max_len=(16, 8192),
        max_edits=(1, 5),
        p_clean=(0, 1),
        grpo_steps=(0, 100000),
    ),
    choices=dict(
        model_id=['ftkit/tiny-llama', 'HuggingFaceTB/SmolLM2-135M-Instruct', 'Qwen/Qwen2.5-1.5B', 'Qwen/Qwen2.5-7B'],
        dataset=['nl_fol', 'yuan-yang/MALLS-v0'],
        trainer=['ftkit', 'trl'],
        mix=['nodes', 'weak'],
    ),
)


# ---- code: scoring, TRL's SFTTrainer (completion-only loss) and GRPOTrainer with the LE reward ---------------------
def first_line(text: str) -> str:
    """A direct translation's FOL: the first line of the generated text."""
    return text.strip().split("\n")[0].strip()


def le_scores(golds, preds) -> list[float]:
    """LE (truth-table agreement up to atom renaming; 0 when the prediction does not parse) per pair."""
    from ftkit.verifiers.fol import logical_equivalence
    out = []
    for g, p in zip(golds, preds):
        try:
            out.append(logical_equivalence(g, p))
        except ValueError:           # more atoms than the truth table allows: count as wrong
            out.append(0.0)
    return out


def parses(text: str) -> bool:
    from ftkit.verifiers.fol import FOLSyntaxError, parse
    try:
        parse(text)
        return True
    except FOLSyntaxError:
        return False


def trl_sft(model, tok, rows, *, out_dir, steps, batch_size, lr, max_len, seed=0, logging_steps=1):
    """SFT with TRL's SFTTrainer on prompt/completion rows: TRL masks the prompt, so the loss is on the completion
    (the FOL, or the comments then the FOL) only, as LogicLLaMA trains. The optimizer recipe is `ftkit.train.sft`'s
    (AdamW β2 0.95, 5 % warm-up then cosine, clip 1, no weight decay). Returns the per-step losses (kept in the
    trainer's history, not printed)."""
    from datasets import Dataset
    from transformers import PrinterCallback
    from trl import SFTConfig, SFTTrainer
    data = Dataset.from_list([{"prompt": r["prompt"], "completion": r["answer"]} for r in rows])
    args = SFTConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=batch_size,
                     learning_rate=lr, lr_scheduler_type="cosine", warmup_steps=0.05, adam_beta2=0.95,
                     weight_decay=0.0, max_grad_norm=1.0, max_length=max_len,
                     completion_only_loss=True, logging_steps=logging_steps, save_strategy="no", report_to=[], seed=seed,
                     **train.trl_device_args(), disable_tqdm=True, dataloader_num_workers=0)
    trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tok)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    return [h["loss"] for h in trainer.state.log_history if "loss" in h]


def le_reward(golds: dict):
    """A TRL reward function: LE of the FOL after 'FOL:' in each completion against its prompt's gold FOL."""
    from ftkit.data.nl_fol import split_correction

    def reward(prompts, completions, **kw):
        texts = [c if isinstance(c, str) else " ".join(m.get("content", "") for m in c) for c in completions]
        return le_scores([golds[p] for p in prompts], [split_correction(t)[1] for t in texts])
    return reward


def trl_grpo(model, tok, prompts, reward_fn, *, out_dir, steps, batch_size, lr, num_generations=4,
             max_new_tokens=96, beta=0.04):
    """The RL stage (the paper used PPO on TRL; PPO left TRL, GRPO replaces it): group-normalised LE rewards."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer
    bs = max(batch_size, num_generations) // num_generations * num_generations
    args = GRPOConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=bs,
                      num_generations=num_generations, max_completion_length=max_new_tokens, learning_rate=lr,
                      beta=beta, logging_steps=1, save_strategy="no", report_to=[], **train.trl_device_args(),
                      disable_tqdm=True)
    trainer = GRPOTrainer(model=model, reward_funcs=reward_fn, args=args, processing_class=tok,
                          train_dataset=Dataset.from_list([{"prompt": p} for p in prompts]))
    trainer.train()
    return [h for h in trainer.state.log_history if "reward" in h]

