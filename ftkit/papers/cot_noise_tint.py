"""Understanding the Effect of Noise in LLM Training Data with Algorithmic Chains of Thought (arXiv 2402.04004).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses. The
traces, the noisers and the data sets are shared: `ftkit.data.arith`.
"""
from ftkit.catalog import Profile

import torch

PROFILE = Profile(
    claim='Fine-tuning on chains of thought with static noise (local errors, the answer stays right) costs little, while dynamic noise (errors that propagate to later steps and the answer) costs much more: clean ≈ static ≫ dynamic.',
    smoke_seconds=65,
    dry_run_seconds=12,
    gpu=dict(
        model_id='EleutherAI/pythia-410m',
        digits=10,
        n_train=20000,
        n_test=500,
        steps=3000,
        batch_size=32,
        lr=5e-05,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        digits=3,
        n_train=64,
        n_test=16,
        steps=2,
        batch_size=8,
        lr=1e-4,
    ),
    ranges=dict(
        digits=(1, 20),
        n_train=(8, 10000000),
        n_test=(1, 100000),
        steps=(1, 1000000),
        batch_size=(1, 4096),
        lr=(0, 1),
        p_int=(0, 1),
        static_cont=(0, 1),
        dynamic_cont=(0, 1),
        hidden_size=(8, 4096),
        layers=(1, 48),
    ),
    choices=dict(
        model_id=['scratch-char', 'ftkit/tiny-llama', 'EleutherAI/pythia-410m', 'EleutherAI/pythia-1.4b'],
        static_unit=['result', 'digit'],
    ),
)


# ---- code: a character tokenizer and a from-scratch Llama for the smoke profile; greedy chains and scoring ----
class CharTokenizer:
    """A character-level tokenizer over the arithmetic alphabet, with the call signature `ftkit.train.encode_pairs`
    uses (`tok(text, add_special_tokens=False)["input_ids"]`). Id 0 is padding, id 1 end-of-sequence."""
    chars = "0123456789+=|cQA: "

    def __init__(self):
        self.vocab = {c: i + 2 for i, c in enumerate(self.chars)}
        self.inv = {i: c for c, i in self.vocab.items()}
        self.pad_token_id, self.eos_token_id = 0, 1

    def __len__(self) -> int:
        return len(self.vocab) + 2

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict:
        return {"input_ids": [self.vocab[c] for c in text]}

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        out = []
        for i in ids:
            i = int(i)
            if i == self.eos_token_id:
                break
            out.append(self.inv.get(i, ""))
        return "".join(out)


def char_llama(tok: CharTokenizer, hidden_size: int = 96, layers: int = 2, heads: int = 4, seed: int = 0):
    """A randomly initialised Llama over the character vocabulary (hidden 96, 2 layers, untied output head: about
    0.2M parameters). The same seed gives the same weights, so every arm starts from one initialisation."""
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(seed)
    cfg = LlamaConfig(hidden_size=hidden_size, num_hidden_layers=layers, num_attention_heads=heads,
                      num_key_value_heads=heads, intermediate_size=hidden_size * 8 // 3, vocab_size=len(tok),
                      max_position_embeddings=512, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                      bos_token_id=tok.eos_token_id, tie_word_embeddings=False)
    return LlamaForCausalLM(cfg)


@torch.no_grad()
def greedy_chains(model, tok, prompts: list[str], max_new_tokens: int, batch_size: int = 256) -> list[str]:
    """Greedy continuations of `prompts` (left-padded batches), decoded up to the end-of-sequence token."""
    model.eval()
    device = next(model.parameters()).device
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    out = []
    for i in range(0, len(prompts), batch_size):
        enc = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts[i:i + batch_size]]
        n = max(len(e) for e in enc)
        ids = torch.tensor([[pad] * (n - len(e)) + e for e in enc], device=device)
        mask = torch.tensor([[0] * (n - len(e)) + [1] * len(e) for e in enc], device=device)
        g = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=False,
                           pad_token_id=pad, eos_token_id=tok.eos_token_id)
        out += [tok.decode(row[n:].tolist(), skip_special_tokens=True) for row in g]
    return out


def score(outputs: list[str], rows: list[dict], digits: int) -> dict:
    """Exact match of the final answer (the paper's metric) and the share of columns whose generated step equals
    the clean trace's step, over clean test rows."""
    from ftkit.data import arith
    hits = [arith.parse_answer(o) == r["true_answer"] for o, r in zip(outputs, rows)]
    steps = [arith.step_accuracy(o, r["a"], r["b"], digits) for o, r in zip(outputs, rows)]
    per_col = [sum(s[i] for s in steps) / max(1, len(steps)) for i in range(digits)]
    return {"answer_acc": sum(hits) / max(1, len(hits)), "step_acc": sum(per_col) / max(1, digits),
            "step_acc_per_column": per_col, "hits": hits}
