"""Intruder dimensions: LoRA vs Full Fine-tuning: An Illusion of Equivalence (arXiv 2410.21228).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile
from ftkit.train import IGNORE

import math

import torch

PROFILE = Profile(
    claim='Low-rank LoRA adds intruder dimensions that full fine-tuning does not; scaling them down reduces forgetting.',
    smoke_seconds=48,
    dry_run_seconds=19,
    gpu=dict(
        model_id='Qwen/Qwen2.5-0.5B',
        dataset='meta-math/MetaMathQA',
        forget_source='Salesforce/wikitext',
        n_train=20000,
        n_eval=500,
        max_steps=2000,
        batch_size=16,
        max_len=512,
        lr_full=2e-05,
        lr_lora=0.0005,
        lora_ranks=[1, 8, 64],
        adapt_blocks=8,
        n_val=500,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='upper_first',
        forget_source='wiki-sample',
        n_train=64,
        n_val=32,
        n_eval=32,
        max_steps=2,
        max_len=48,
        lora_ranks=[1, 2],
        adapt_blocks=1,
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_eval=(10, 10000000),
        max_steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr_full=(0, 1),
        lr_lora=(0, 1),
        n_val=(10, 10000000),
        adapt_blocks=(1, 128),
        top_k=(1, 4096),
        eps=(0, 1),
    ),
    choices={},
)


# ---- code: intruder dimensions of a fine-tuned weight matrix -----------------------------------------------


def intruder_dimensions(w0: torch.Tensor, w: torch.Tensor, k: int = 10, eps: float = 0.5):
    """Intruder dimensions of a fine-tuned matrix (Shuttleworth et al. 2024).

    For each of the top-k left singular vectors u_j of W, sim_j = max_i |<u_j, u0_i>| over all left
    singular vectors u0_i of W0; u_j is an intruder if sim_j < eps.
    Returns (count, sims: tensor of k max-similarities).
    """
    u0 = torch.linalg.svd(w0.float(), full_matrices=False)[0]
    u = torch.linalg.svd(w.float(), full_matrices=False)[0][:, :k]
    sims = (u.T @ u0).abs().max(dim=1).values
    return int((sims < eps).sum()), sims


def scale_intruders(w0: torch.Tensor, w: torch.Tensor, lam: float, k: int = 10, eps: float = 0.5) -> torch.Tensor:
    """Rebuild W with each intruder singular value sigma_j scaled to lam * sigma_j (the paper's intervention)."""
    u, s, vh = torch.linalg.svd(w.float(), full_matrices=False)
    _, sims = intruder_dimensions(w0, w, k, eps)
    s = s.clone()
    s[:k][sims < eps] *= lam
    return (u * s) @ vh


# ---- plumbing: train and score several arms at once, on cached features ------------------------------------
# Every arm is the same frozen model plus its own ΔW on each adapted matrix. A batch of B rows is repeated once per
# arm (A·B rows); each adapted nn.Linear is swapped for `StackedLinear`, which applies W0 + ΔW_a to arm a's rows.
# One forward/backward then trains A small models: the per-op overhead that dominates tiny models on a CPU is paid
# once. Arms are independent (disjoint parameters, per-arm mean loss), so this equals training them one by one.
# Only the top blocks are adapted, so the hidden states entering them are computed once and cached.



class StackedLinear(torch.nn.Module):
    """A frozen linear layer whose input rows are split into A equal, consecutive arm blocks.
    `parts` is a list, in arm order, of ("dense", D (n, out, in)) or ("lora", A (n, r, in), B (n, out, r), scale);
    arm a's rows get W0 x + ΔW_a x, computed through the factors for LoRA (no dense gradient)."""

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        self.weight = linear.weight
        self.weight.requires_grad_(False)
        self.parts = None

    def forward(self, x):
        y = torch.nn.functional.linear(x, self.weight)
        if not self.parts:
            return y
        n_arms = sum(p[1].shape[0] for p in self.parts)
        xs = x.reshape(n_arms, -1, x.shape[-1])
        out, a0 = [], 0
        for p in self.parts:
            n = p[1].shape[0]
            xa = xs[a0:a0 + n]
            out.append(xa @ p[1].transpose(1, 2) if p[0] == "dense" else p[3] * ((xa @ p[1].transpose(1, 2)) @ p[2].transpose(1, 2)))
            a0 += n
        return y + torch.cat(out).reshape(y.shape)


def stack_linears(model, targets, blocks) -> dict:
    """Freeze `model`; in the given block indices replace each nn.Linear named in `targets` by a StackedLinear.
    Returns {parameter name as in the original model ('model.layers.4.self_attn.q_proj.weight'): module}."""
    for p in model.parameters():
        p.requires_grad_(False)
    out = {}
    for name, mod in list(model.named_modules()):
        parts = name.split(".")
        if isinstance(mod, torch.nn.Linear) and parts[-1] in targets and int(parts[2]) in blocks:
            parent = model.get_submodule(name.rsplit(".", 1)[0])
            setattr(parent, parts[-1], StackedLinear(mod))
            out[name + ".weight"] = parent.get_submodule(parts[-1])
    return out


def set_parts(linears: dict, parts: dict | None) -> None:
    """Give every stacked layer its list of arm parts (None: back to the pre-trained layer)."""
    for n, m in linears.items():
        m.parts = None if parts is None else parts[n]


def dense_parts(deltas: dict) -> dict:
    """{name: (A, out, in) ΔW stack} -> the parts StackedLinear reads (any set of dense updates, e.g. merged arms)."""
    return {n: [("dense", d)] for n, d in deltas.items()}


class ArmBank(torch.nn.Module):
    """The trainable parameters of A arms, given as consecutive groups: [(spec, n_arms), ...] with spec
    {"kind": "full"} (ΔW = D, initialised 0) or {"kind": "lora", "r": r, "scale": s} (ΔW = s·B A, A Kaiming-uniform
    and B = 0, as peft initialises LoRA). Each group holds one stacked tensor per matrix."""

    def __init__(self, shapes: dict, groups: list, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.groups, self.names = groups, list(shapes)
        self.arm_group = [gi for gi, (_, n) in enumerate(groups) for _ in range(n)]
        self.params = torch.nn.ParameterDict()
        for gi, (spec, n) in enumerate(groups):
            for j, name in enumerate(self.names):
                out_f, in_f = shapes[name]
                if spec["kind"] == "full":
                    self.params[f"D{gi}_{j}"] = torch.nn.Parameter(torch.zeros(n, out_f, in_f))
                else:
                    bound = 1 / math.sqrt(in_f)                           # kaiming_uniform_(a=√5), as peft
                    self.params[f"A{gi}_{j}"] = torch.nn.Parameter((torch.rand(n, spec["r"], in_f, generator=g) * 2 - 1) * bound)
                    self.params[f"B{gi}_{j}"] = torch.nn.Parameter(torch.zeros(n, out_f, spec["r"]))

    @property
    def n_arms(self) -> int:
        return len(self.arm_group)

    def arms_of(self, key: str) -> torch.Tensor:
        gi = int(key[1:].split("_")[0])
        a0 = sum(n for _, n in self.groups[:gi])
        return torch.arange(a0, a0 + self.groups[gi][1])

    def parts(self) -> dict:
        out = {}
        for j, name in enumerate(self.names):
            out[name] = [("dense", self.params[f"D{gi}_{j}"]) if spec["kind"] == "full" else
                         ("lora", self.params[f"A{gi}_{j}"], self.params[f"B{gi}_{j}"], spec["scale"])
                         for gi, (spec, _) in enumerate(self.groups)]
        return out

    @torch.no_grad()
    def deltas(self) -> dict:
        """{matrix name: (A, out, in) merged ΔW of every arm}."""
        return {name: torch.cat([p[1] if p[0] == "dense" else p[3] * (p[2] @ p[1]) for p in parts])
                for name, parts in self.parts().items()}


class CachedTop:
    """The model from block `k` up, run on cached hidden states: h_k = blocks 0..k-1 of the frozen model (computed
    once), then blocks k.., the final norm and the LM head. Exact, because the blocks below k are not adapted."""

    def __init__(self, model, k: int):
        import copy
        self.model, self.k = model, k
        self.top = copy.copy(model.model)
        self.top._modules = dict(model.model._modules)          # own module dict, so the full model is untouched
        self.top.layers = torch.nn.ModuleList(model.model.layers[k:])

    @torch.no_grad()
    def cache(self, ids, mask, batch_size: int = 256) -> torch.Tensor:
        dev = next(self.model.parameters()).device
        ids, mask = ids.to(dev), mask.to(dev)
        return torch.cat([self.model.model(input_ids=ids[i:i + batch_size], attention_mask=mask[i:i + batch_size],
                                           output_hidden_states=True).hidden_states[self.k]
                          for i in range(0, len(ids), batch_size)])

    def hidden(self, h_k, mask):
        return self.top(inputs_embeds=h_k, attention_mask=mask).last_hidden_state


def encode(tokenizer, rows=None, texts=None, max_len: int = 48) -> dict:
    """Pad prompt/answer rows (labels on the answer) or plain texts (labels on every token) into tensors."""
    from ftkit.train import collate, encode_pairs, text_batch
    if rows is not None:
        return collate(encode_pairs(tokenizer, rows, max_len=max_len, add_eos=True), tokenizer.pad_token_id)
    return text_batch(tokenizer, texts, max_len)


def per_arm_nll(top: CachedTop, h_k, mask, labels, n_arms: int):
    """Token NLLs (n_arms, tokens) of A arms on the same rows (the LM head runs on labelled positions only)."""
    rep = lambda t: t.repeat(n_arms, *[1] * (t.dim() - 1))
    h = top.hidden(rep(h_k), rep(mask))
    tgt = rep(labels)[:, 1:]
    keep = tgt != IGNORE
    logits = top.model.lm_head(h[:, :-1][keep])
    return torch.nn.functional.cross_entropy(logits.float(), tgt[keep], reduction="none").view(n_arms, -1), logits


def train_arms(top: CachedTop, linears, bank: ArmBank, data: dict, *, steps: int, batch_size: int, lrs, seed: int = 0,
               warmup: float = 0.05, betas=(0.9, 0.95), eps: float = 1e-8, grad_clip: float = 1.0):
    """AdamW without weight decay, one learning rate per arm (`lrs`), linear warm-up then cosine decay, gradient-norm
    clipping per arm; every arm sees the same batches (data: cached h_k, mask, labels of the training rows).
    Returns the per-arm training loss, (steps, A)."""
    dev = data["h"].device
    lrs = torch.as_tensor(lrs, dtype=torch.float32, device=dev)
    n_arms, n = bank.n_arms, len(data["h"])
    gen = torch.Generator().manual_seed(seed)
    order = torch.cat([torch.randperm(n, generator=gen) for _ in range(steps * batch_size // n + 1)])
    state = {k: (torch.zeros_like(p), torch.zeros_like(p)) for k, p in bank.params.items()}
    idx = {k: bank.arms_of(k).to(dev) for k in bank.params}
    view = lambda v, p: v.view(-1, *[1] * (p.dim() - 1))
    w, curve = max(1, int(warmup * steps)), []
    for step in range(steps):
        b = order[step * batch_size:(step + 1) * batch_size].to(dev)
        mask, labels = data["mask"][b], data["labels"][b]
        t = int(mask.sum(1).max())                               # trim the padding this batch does not need
        set_parts(linears, bank.parts())
        nll, _ = per_arm_nll(top, data["h"][b, :t], mask[:, :t], labels[:, :t], n_arms)
        loss = nll.mean(1)                                       # same rows for every arm: equal token counts
        for p in bank.params.values():
            p.grad = None
        loss.sum().backward()
        curve.append(loss.detach())
        sched = (step + 1) / w if step < w else 0.5 * (1 + math.cos(math.pi * (step - w) / max(1, steps - w)))
        with torch.no_grad():
            sq = torch.zeros(n_arms, device=dev)
            for k, p in bank.params.items():
                sq.index_add_(0, idx[k], p.grad.pow(2).flatten(1).sum(1))
            clip = (grad_clip / (sq.sqrt() + 1e-6)).clamp(max=1.0)
            for k, p in bank.params.items():
                g = p.grad * view(clip[idx[k]], p)
                m, v = state[k]
                m.mul_(betas[0]).add_(g, alpha=1 - betas[0])
                v.mul_(betas[1]).addcmul_(g, g, value=1 - betas[1])
                upd = (m / (1 - betas[0] ** (step + 1))) / ((v / (1 - betas[1] ** (step + 1))).sqrt() + eps)
                p.sub_(view(lrs[idx[k]] * sched, p) * upd)
    set_parts(linears, None)
    return torch.stack(curve)


@torch.no_grad()
def score_arms(top: CachedTop, linears, parts: dict | None, data: dict, n_arms: int, batch_size: int = 128) -> dict:
    """Teacher-forced scores of A arms on cached rows. `accuracy`: exact match of the answer (greedy decoding
    reproduces it iff every answer token is the argmax given the correct prefix; the end-of-text token is not
    scored); `loss`: mean NLL per labelled token (for plain texts: the LM loss, nats/token)."""
    set_parts(linears, parts)
    try:
        hits, tot, cnt = [], torch.zeros(n_arms, device=data["h"].device), 0
        for i in range(0, len(data["h"]), batch_size):
            sl = slice(i, i + batch_size)
            mask, labels = data["mask"][sl], data["labels"][sl]
            t = int(mask.sum(1).max())
            nll, logits = per_arm_nll(top, data["h"][sl, :t], mask[:, :t], labels[:, :t], n_arms)
            tot += nll.sum(1)
            cnt += nll.shape[1]
            tgt = labels[:, 1:t].repeat(n_arms, 1)
            keep = tgt != IGNORE
            ok = torch.ones_like(tgt, dtype=torch.bool)
            scored = tgt[keep] != data.get("eos", -1)
            ok[keep] = (logits.argmax(-1) == tgt[keep]) | ~scored
            hits.append(ok.all(1).view(n_arms, -1))
        return {"accuracy": torch.cat(hits, 1).float().mean(1), "loss": tot / cnt}
    finally:
        set_parts(linears, None)


# ---- the intervention and its control ------------------------------------------------------------------------


def rescale_directions(w: torch.Tensor, idx, lam: float) -> torch.Tensor:
    """W = U Σ Vᵀ rebuilt with σ_j -> λ·σ_j for every singular direction j in `idx`."""
    u, s, vh = torch.linalg.svd(w.float(), full_matrices=False)
    s = s.clone()
    s[list(idx)] *= lam
    return (u * s) @ vh


def intruder_and_control_indices(w0: torch.Tensor, w: torch.Tensor, k: int = 10, eps: float = 0.5):
    """(intruders, control): the indices of W's intruder singular directions in its top-k, and as many
    non-intruder directions of W, each the nearest in rank (so nearest in σ) to one intruder and not an intruder
    itself: the control scales the same number of directions of about the same size."""
    u0 = torch.linalg.svd(w0.float(), full_matrices=False)[0]
    u = torch.linalg.svd(w.float(), full_matrices=False)[0]
    sims = (u.T @ u0).abs().max(dim=1).values
    intr = [j for j in range(k) if sims[j] < eps]
    free = [j for j in range(len(sims)) if sims[j] >= eps or j >= k]
    ctrl = []
    for j in intr:
        c = min((f for f in free if f not in ctrl), key=lambda f: (abs(f - j), f))
        ctrl.append(c)
    return intr, ctrl
