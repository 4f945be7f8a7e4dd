"""GOT-D: Get more for less: Principled Data Selection for Warming Up Fine-Tuning in LLMs (arXiv 2405.02774).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import math
import random
from collections import Counter

import torch
import torch.nn.functional as F

from ftkit import train

PROFILE = Profile(
    claim='Selecting pre-fine-tuning data by the gradient of the optimal-transport distance (the Sinkhorn dual potential) favours what pretraining lacked and lowers target perplexity more than random selection at a small budget.',
    smoke_seconds=41,
    dry_run_seconds=16,
    gpu=dict(
        model_id='openai-community/gpt2',
        embed_model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='Skylion007/openwebtext+google/civil_comments',
        n_pool=200000,
        n_target=2000,
        n_test=1000,
        pretrain_steps=0,
        prefinetune_steps=600,
        batch_size=32,
        max_len=128,
        lr=5e-05,
        budgets=[2000, 20000],
        epsilon=0.1,
        sinkhorn_iters=300,
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=2400,
    dry_run=dict(
        model_id='ftkit/tiny-llama',
        embed_model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='domains',
        n_pool=64,
        n_target=16,
        n_test=16,
        pretrain_steps=2,
        prefinetune_steps=2,
        batch_size=4,
        max_len=32,
        budgets=[8, 16],
        sinkhorn_iters=20,
    ),
    ranges=dict(
        n_pool=(16, 100000000),
        n_target=(4, 1000000),
        n_test=(4, 1000000),
        pretrain_steps=(0, 1000000),
        prefinetune_steps=(1, 1000000),
        batch_size=(1, 4096),
        max_len=(8, 8192),
        lr=(0, 1),
        pretrain_lr=(0, 1),
        epsilon=(0.001, 10),
        sinkhorn_iters=(1, 100000),
        lsa_dims=(2, 4096),
    ),
    choices=dict(
        dataset=['domains', 'Skylion007/openwebtext+google/civil_comments'],
        embed_model_id=['tfidf-lsa', 'sentence-transformers/all-MiniLM-L6-v2'],
    ),
)


# ---- code: text embeddings, log-domain Sinkhorn, GOT-D ranking and the baseline selectors -------------------
def tfidf_lsa(texts: list[str], dims: int = 32, seed: int = 0) -> torch.Tensor:
    """L2-normalised LSA sentence vectors: TF-IDF bag of words, projected on its top `dims` singular directions.
    A cheap stand-in for a sentence encoder (the paper: a DistilBERT fine-tuned on the target task)."""
    vocab = {w: i for i, w in enumerate(sorted({w for t in texts for w in t.split()}))}
    X = torch.zeros(len(texts), len(vocab))
    for n, t in enumerate(texts):
        for w, c in Counter(t.split()).items():
            X[n, vocab[w]] = c
    idf = torch.log(len(texts) / (1 + (X > 0).sum(0).float()))
    X = F.normalize(X * idf, dim=-1)
    dims = min(dims, min(X.shape))
    torch.manual_seed(seed)
    U, S, _ = torch.svd_lowrank(X, q=dims, niter=6)
    return F.normalize(U * S, dim=-1)


def sinkhorn(x_target: torch.Tensor, x_pool: torch.Tensor, epsilon: float = 0.1, iters: int = 300):
    """Entropic OT between uniform measures on the target and pool points, cost C_ij = ||t_i - s_j||^2.

    Log-domain Sinkhorn: f_i = -eps log sum_j b_j exp((g_j - C_ij)/eps), g_j = -eps log sum_i a_i exp((f_i - C_ij)/eps).
    Returns (f, g, plan, cost, marginal_error) in float64; g is the pool-side dual potential."""
    C = torch.cdist(x_target.double(), x_pool.double()) ** 2
    M, N = C.shape
    kw = dict(dtype=torch.float64, device=C.device)
    la = torch.full((M,), -math.log(M), **kw)
    lb = torch.full((N,), -math.log(N), **kw)
    f = torch.zeros(M, **kw)
    g = torch.zeros(N, **kw)
    for _ in range(iters):
        f = -epsilon * torch.logsumexp((g[None] - C) / epsilon + lb[None], 1)
        g = -epsilon * torch.logsumexp((f[:, None] - C) / epsilon + la[:, None], 0)
    plan = torch.exp((f[:, None] + g[None] - C) / epsilon + la[:, None] + lb[None])
    err = float((plan.sum(1) - la.exp()).abs().sum() + (plan.sum(0) - lb.exp()).abs().sum())
    return f, g, plan, C, err


def calibrated_gradient(g: torch.Tensor) -> torch.Tensor:
    """LAVA's calibrated gradient of OT w.r.t. candidate j's mass: g_j - (1/(N-1)) sum_{l != j} g_l."""
    n = g.numel()
    return g - (g.sum() - g) / (n - 1)


def select_got_d(grad: torch.Tensor, k: int) -> list[int]:
    """GOT-D: the k candidates with the most negative gradient (adding their mass lowers OT(pool, target) most)."""
    return torch.argsort(grad)[:k].tolist()


def select_random(n: int, k: int, seed: int) -> list[int]:
    return random.Random(f"random:{seed}:{n}:{k}").sample(range(n), k)


def select_knn(x_target: torch.Tensor, x_pool: torch.Tensor, k: int) -> list[int]:
    """Distribution matching, curated-TAPT style: target points take turns picking their nearest unused candidate
    (cosine), so the selection mirrors the target distribution."""
    sim = x_target @ x_pool.T
    width = min(x_pool.shape[0], 2 * math.ceil(k / len(x_target)) + 16)      # enough neighbours for most rows
    order = torch.topk(sim, width, dim=1).indices
    ptr = [0] * len(x_target)
    used, chosen, i = set(), [], 0
    while len(chosen) < min(k, x_pool.shape[0]):
        t = i % len(x_target)
        while ptr[t] < order.shape[1] and order[t, ptr[t]].item() in used:
            ptr[t] += 1
        if ptr[t] == order.shape[1]:                     # this row ran out: rank all candidates (rare)
            full = torch.argsort(-sim[t])
            j = next(int(c) for c in full if int(c) not in used)
            used.add(j)
            chosen.append(j)
            i += 1
            continue
        j = order[t, ptr[t]].item()
        used.add(j)
        chosen.append(j)
        i += 1
    return chosen


def select_dsir(pool_texts: list[str], target_texts: list[str], k: int, seed: int) -> list[int]:
    """DSIR-lite: importance resampling without replacement (Gumbel top-k) with unigram bag-of-words models,
    log w(x) = sum_w [log p_target(w) - log p_pool(w)] (add-one smoothing)."""
    ct, cp = Counter(w for t in target_texts for w in t.split()), Counter(w for t in pool_texts for w in t.split())
    V = len(set(ct) | set(cp))
    nt, npl = sum(ct.values()) + V, sum(cp.values()) + V
    lw = torch.tensor([sum(math.log((ct[w] + 1) / nt) - math.log((cp[w] + 1) / npl) for w in t.split())
                       for t in pool_texts])
    u = torch.rand(len(pool_texts), generator=torch.Generator().manual_seed(seed)).clamp(1e-12, 1 - 1e-12)
    return torch.argsort(-(lw - torch.log(-torch.log(u))))[:k].tolist()


def text_stream(tokenizer, texts: list[str], batch_size: int, max_len: int, seed: int = 0):
    """An endless stream of shuffled causal-LM batches of plain texts (reshuffled every epoch)."""
    rng = random.Random(f"stream:{seed}")
    order: list[int] = []
    while True:
        while len(order) < batch_size:
            fresh = list(range(len(texts)))
            rng.shuffle(fresh)
            order += fresh
        idx, order = order[:batch_size], order[batch_size:]
        yield train.text_batch(tokenizer, [texts[i] for i in idx], max_len)
