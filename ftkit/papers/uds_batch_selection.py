"""UDS: Utility-Diversity Aware Online Batch Selection for LLM Supervised Fine-tuning (arXiv 2510.16882).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import math
import random
import time

import torch

from ftkit import train

PROFILE = Profile(
    claim='Scoring each candidate of a batch by the nuclear norm of its logits (utility) plus its distance to the recently selected samples (diversity), and back-propagating only the top-K, avoids duplicate and unlearnable samples and beats random and max-loss selection at the same number of steps.',
    smoke_seconds=38,
    dry_run_seconds=11,
    gpu=dict(
        model_id='Qwen/Qwen2.5-1.5B',
        dataset='cais/mmlu',
        n_pool=5000,
        n_test=1000,
        n_src=100,
        steps=300,
        cand_batch=16,
        k_select=4,
        lr=1e-05,
        max_len=512,
        proj_t=8,
        proj_v=128,
        queue_size=1024,
        arms=['random', 'maxloss', 'uds', 'uds_intra', 'uds_inter', 'full'],
    ),
    gpu_hardware='1 GPU, 80 GB',
    gpu_seconds=3600,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        dataset='upper_first+copy',
        n_pool=200,
        n_test=8,
        n_src=8,
        steps=2,
        cand_batch=8,
        k_select=2,
        max_len=48,
        arms=['random', 'maxloss', 'uds', 'uds_intra', 'uds_inter', 'full'],
    ),
    ranges=dict(
        n_pool=(20, 10000000),
        n_test=(1, 1000000),
        dup_frac=(0, 0.95),
        noise_frac=(0, 0.9),
        n_src=(1, 1000000),
        steps=(1, 1000000),
        cand_batch=(1, 4096),
        k_select=(1, 4096),
        lr=(0, 1),
        max_len=(8, 8192),
        proj_t=(1, 8192),
        proj_v=(1, 1000000),
        queue_size=(1, 1000000),
        alpha_scale=(0, 1000),
    ),
    choices=dict(
        dataset=['upper_first+copy', 'upper_first', 'copy', 'kv+copy', 'cais/mmlu'],
        space=['logits', 'probs'],
    ),
)

ARMS = ("random", "maxloss", "uds", "uds_intra", "uds_inter", "full")


# ---- code: the pool (clean / near-duplicate / unlearnable rows), the UDS scores, the selective training stream ---
# - `build_pool`: clean diverse rows, near-duplicates of a few source rows (ftkit.data.noise.near_duplicates with
#   answer-preserving edits) and rows whose target is another row's answer (noise.corrupt_targets, kind "content"),
#   each tagged `pool` = "diverse" | "duplicate" | "noise".
# - `nuclear_norm`: ||L||_* of each (T x V) matrix of a batch, exactly, from the eigenvalues of the T x T Gram L L^T
#   (cheap when V >> T, as for an LLM vocabulary).
# - `SRFTProjector`: the paper's bilinear random projection (random signs, FFT, keep r random frequencies) on both
#   the time and the vocabulary axis, (T x V) -> (r_t x r_v).
# - `SelectionStream`: an iterator of training batches for `train.fit`; each step draws `cand_batch` candidates,
#   scores them with the current model (no-grad forward) and yields the top `k_select` (or a random K, or all).


def build_pool(clean: list[dict], dup_src: list[dict], n_pool: int, dup_frac: float, noise_frac: float,
               seed: int = 0) -> list[dict]:
    """A training pool of `n_pool` rows: round(dup_frac * n_pool) near-duplicates of the rows of `dup_src` (each
    source kept once, the rest copies with a light, answer-preserving prompt edit), round(noise_frac * n_pool) rows
    of `clean` whose answer is replaced by the answer of another row (well formed but not learnable from the
    prompt), and clean rows for the rest. Rows get `pool` in {"diverse", "duplicate", "noise"}; shuffled."""
    from ftkit.data import noise
    n_dup, n_noise = round(dup_frac * n_pool), round(noise_frac * n_pool)
    n_clean = n_pool - n_dup - n_noise
    if n_clean + n_noise > len(clean):
        raise ValueError(f"need {n_clean + n_noise} clean rows, got {len(clean)}")
    body = noise.corrupt_targets(clean[:n_clean + n_noise], n_noise / max(1, n_clean + n_noise), kinds=("content",),
                                 seed=seed) if n_clean + n_noise else []
    for r in body:
        r["pool"] = "noise" if r["noisy"] else "diverse"
    dups = []
    if n_dup:
        src = dup_src[:min(len(dup_src), n_dup)]
        dups = noise.near_duplicates(src, (n_dup - len(src)) / len(src), seed=seed, edits=("space", "punct"))
        for r in dups:
            r["pool"] = "duplicate"
    keep = ("prompt", "answer", "family", "pool")
    out = [{k: r[k] for k in keep if k in r} for r in body + dups]
    random.Random(f"uds-pool-{seed}").shuffle(out)
    return out


def nuclear_norm(L: torch.Tensor) -> torch.Tensor:
    """||L_i||_* = sum_j sigma_j(L_i) for each L_i of a (B, T, V) batch: sigma_j^2 are the eigenvalues of L_i L_i^T."""
    G = (L.float() @ L.float().transpose(-1, -2)).double()          # T x T per sample: small even for V = 152k
    ev = torch.linalg.eigvalsh(G).clamp(min=0)
    return ev.sqrt().sum(-1).float()


class SRFTProjector:
    """Bilinear subsampled randomized Fourier transform (a fast Johnson-Lindenstrauss map), as in UDS's code:
    right:  X = Re(FFT_V(L diag(d_v)))[:, idx_v] * sqrt(V / r_v)   (random signs d_v, r_v random frequencies)
    left:   P = Re(FFT_T(diag(d_t) pad_T(X)))[idx_t] * sqrt(T_max / r_t)
    so P in R^{r_t x r_v}, flattened to one vector per sample. Fixed at construction (seeded). The FFTs are unitary
    (norm="ortho"), so the map keeps norms and distances on average; the official code's scale differs by a constant,
    which only rescales the inter-sample term (and so the alpha that balances it)."""

    def __init__(self, vocab: int, t_max: int, r_t: int, r_v: int, seed: int = 0):
        g = torch.Generator().manual_seed(seed)
        self.d_v = torch.randint(0, 2, (vocab,), generator=g).float() * 2 - 1
        self.i_v = torch.randperm(vocab, generator=g)[:r_v]
        self.d_t = torch.randint(0, 2, (t_max,), generator=g).float() * 2 - 1
        self.i_t = torch.randperm(t_max, generator=g)[:r_t]
        self.vocab, self.t_max = vocab, t_max
        self.r_t, self.r_v = len(self.i_t), len(self.i_v)

    def __call__(self, L: torch.Tensor) -> torch.Tensor:
        if L.shape[0] > 1 and L.shape[-1] > 65536:                    # LLM vocabularies: one sample at a time (memory)
            return torch.cat([self(L[i:i + 1]) for i in range(L.shape[0])])
        B, T, V = L.shape
        dev = L.device
        L = L[:, : self.t_max].float()
        X = torch.fft.fft(L * self.d_v.to(dev), dim=-1, norm="ortho").real[..., self.i_v.to(dev)] * math.sqrt(self.vocab / self.r_v)
        X = torch.nn.functional.pad(X, (0, 0, 0, self.t_max - X.shape[1]))
        P = torch.fft.fft(X * self.d_t.to(dev)[None, :, None], dim=1, norm="ortho").real[:, self.i_t.to(dev)] * math.sqrt(self.t_max / self.r_t)
        return P.reshape(B, -1)


def answer_mask(labels: torch.Tensor) -> torch.Tensor:
    """(B, T) bool: the positions whose logits predict an answer token (or EOS), i.e. labels[:, t + 1] is not IGNORE."""
    m = torch.zeros_like(labels, dtype=torch.bool)
    m[:, :-1] = labels[:, 1:] != train.IGNORE
    return m


class SelectionStream:
    """Batches for `train.fit(model, stream, ...)`, chosen online from a stream of candidate batches.

    arm: "random" (the first K candidates: a uniform random subset), "maxloss" (top-K answer NLL), "uds"
    (top-K of ||L_i||_* + alpha * mean_m ||P_i - m||, m over a FIFO queue of projections of selected samples),
    "uds_intra" (alpha = 0), "uds_inter" (diversity only) or "full" (all `cand_batch` candidates).
    space: "logits" (the paper's) or "probs" (softmax rows). alpha: None = calibrated on the first scored batch as
    alpha_scale * std(intra) / std(inter), then fixed. The log keeps every step's picks (pool indices), the scores
    of the candidates and the seconds spent scoring.
    """

    def __init__(self, model, encoded: list[dict], pad_id: int, arm: str, steps: int, cand_batch: int, k_select: int,
                 seed: int = 0, projector: SRFTProjector | None = None, queue_size: int = 256, alpha: float | None = None,
                 alpha_scale: float = 1.0, space: str = "logits"):
        if arm not in ARMS:
            raise ValueError(f"arm must be one of {ARMS}, got {arm!r}")
        self.model, self.enc, self.pad_id, self.arm = model, encoded, pad_id, arm
        self.steps, self.b, self.k = steps, cand_batch, (cand_batch if arm == "full" else min(k_select, cand_batch))
        self.rng = random.Random(f"uds-stream-{seed}")
        self.proj, self.queue_size, self.alpha, self.alpha_scale, self.space = projector, queue_size, alpha, alpha_scale, space
        self.queue: list[torch.Tensor] = []
        self.order: list[int] = []
        self.picks: list[list[int]] = []
        self.scored: list[dict] = []
        self.score_s = 0.0

    def _candidates(self) -> list[int]:
        if len(self.order) < self.b:
            fresh = list(range(len(self.enc)))
            self.rng.shuffle(fresh)
            self.order += fresh
        idx, self.order = self.order[: self.b], self.order[self.b:]
        return idx

    @torch.no_grad()
    def scores(self, idx: list[int]) -> dict:
        """Per-candidate scores with the current model: nll, intra (= ||L||_*), inter, and the projections P."""
        device = next(self.model.parameters()).device
        batch = train.collate([self.enc[i] for i in idx], self.pad_id)
        was_training = self.model.training
        self.model.eval()
        logits = self.model(input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device)).logits.float()
        self.model.train(was_training)
        labels = batch["labels"].to(device)
        out = {"nll": train.answer_nll(logits, labels).cpu()}
        if self.arm.startswith("uds"):
            m = answer_mask(labels)
            Z = torch.softmax(logits, -1) if self.space == "probs" else logits
            L = Z * m[..., None]
            P = self.proj(L)
            out["P"] = P
            out["intra"] = nuclear_norm(L).cpu()
            ref = torch.stack(self.queue) if self.queue else P           # empty queue: spread among the candidates
            out["inter"] = torch.cdist(P, ref.to(P.device)).mean(1).cpu() if self.queue or len(idx) > 1 else torch.zeros(len(idx))
        return out

    def __iter__(self):
        for _ in range(self.steps):
            idx = self._candidates()
            if self.arm in ("random", "full"):
                sel = list(range(self.k))
            else:
                t0 = time.perf_counter()
                s = self.scores(idx)
                if self.arm == "maxloss":
                    score = s["nll"]
                else:
                    if self.alpha is None:
                        self.alpha = self.alpha_scale * float(s["intra"].std() / s["inter"].std().clamp(min=1e-8)) \
                            if len(idx) > 1 else 0.0
                    a = {"uds": self.alpha, "uds_intra": 0.0, "uds_inter": 1.0}[self.arm]
                    score = (0.0 if self.arm == "uds_inter" else s["intra"]) + a * s["inter"]
                sel = torch.topk(score, self.k).indices.tolist()
                if self.arm.startswith("uds"):
                    self.queue.extend(s["P"][j] for j in sel)
                    del self.queue[: max(0, len(self.queue) - self.queue_size)]
                self.scored.append({"idx": idx, **{k: v.tolist() for k, v in s.items() if k != "P"}})
                self.score_s += time.perf_counter() - t0
            self.picks.append([idx[j] for j in sel])
            yield train.collate([self.enc[idx[j]] for j in sel], self.pad_id)
