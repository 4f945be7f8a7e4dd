"""DeconfoundLM: Aligning Language Models with Observational Data: Opportunities and Risks from a Causal
Perspective (arXiv 2506.00152).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses: four
closed-form ridge reward models on frozen text features phi(T) (naive, confounder-as-input, DeconfoundLM,
invariance), matched counterfactual attribute effects and best-of-n selection. The simulator is ftkit.data.headlines.
"""
from ftkit.catalog import Profile

from dataclasses import dataclass

import torch

PROFILE = Profile(
    claim='A reward model fitted on confounded observational logs learns the confounder-driven feature and best-of-n selection with it exploits that feature; removing the measured confounder from the reward (DeconfoundLM) recovers the causal effects and selects texts of higher interventional value, but only when the confounder is measured.',
    smoke_seconds=22,
    dry_run_seconds=15,
    gpu=dict(
        encoder_id='sentence-transformers/all-MiniLM-L6-v2',
        n_logged=20000,
        n_pool=20000,
        n_test=2000,
        n_draws=2000,
        max_len=48,
    ),
    gpu_hardware='1 GPU, 16 GB',
    gpu_seconds=300,
    dry_run=dict(
        encoder_id='sentence-transformers/all-MiniLM-L6-v2',
        n_logged=200,
        n_pool=200,
        n_test=40,
        n_draws=20,
    ),
    ranges=dict(
        n_logged=(50, 10000000),
        n_pool=(16, 10000000),
        n_test=(10, 1000000),
        impressions=(0, 1000000),
        best_of=(1, 1024),
        n_draws=(1, 1000000),
        ridge_lambda=(0, 1000000),
        bang_effect=(-5, 5),
        max_len=(8, 512),
    ),
    choices=dict(
        encoder_id=['sentence-transformers/all-MiniLM-L6-v2'],
    ),
)


# ---- reward models: linear in frozen text features, fitted in closed form ----------------------------------
# Observed log {(phi_n, c_n, y_n)}, additive model  y = w . phi(T) + g(C) + eps.  Every reward model is
# r(T) = w . (phi(T) - mean phi); the confounder-as-input model also keeps gamma . (c - mean c).


@dataclass
class RewardModel:
    w: torch.Tensor                      # (p,) weights on centred text features
    mu: torch.Tensor                     # (p,) feature mean of the log
    gamma: torch.Tensor | None = None    # (k,) confounder weights (only the confounder-as-input model uses them)
    c_mu: torch.Tensor | None = None

    def score(self, phi: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        """r(T) = w . (phi - mu) [+ gamma . (c - c_mu) when the model takes the confounder as input]."""
        r = (phi.to(self.w) - self.mu) @ self.w
        if self.gamma is not None:
            r = r + (_as2d(c).to(self.w) - self.c_mu) @ self.gamma
        return r


def _as2d(c: torch.Tensor) -> torch.Tensor:
    return c[:, None] if c.dim() == 1 else c


def ridge(X: torch.Tensor, y: torch.Tensor, lam: float) -> torch.Tensor:
    """argmin_w ||y - X w||^2 + lam ||w||^2 = (X'X + lam I)^{-1} X'y (X, y already centred), in float64."""
    X, y = X.double(), y.double()
    return torch.linalg.solve(X.T @ X + lam * torch.eye(X.shape[1], dtype=X.dtype), X.T @ y)


def _centre(phi, y):
    phi, y = phi.double(), y.double()
    mu = phi.mean(0)
    return phi - mu, y - y.mean(), mu


def fit_naive(phi: torch.Tensor, y: torch.Tensor, lam: float) -> RewardModel:
    """Ignore the confounder: ridge of the outcome on the text features only."""
    X, yc, mu = _centre(phi, y)
    return RewardModel(ridge(X, yc, lam), mu)


def fit_joint(phi: torch.Tensor, c: torch.Tensor, y: torch.Tensor, lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """min_{w, gamma} ||y - X w - C gamma||^2 + lam ||w||^2 (gamma unpenalised), solved as one linear system.
    Returns (w, gamma). By Frisch-Waugh-Lovell, w equals `fit_deconfounded`'s partialling-out solution."""
    X, yc, _ = _centre(phi, y)
    C = _as2d(c).double()
    C = C - C.mean(0)
    Z = torch.cat([X, C], 1)
    pen = torch.cat([torch.full((X.shape[1],), float(lam)), torch.zeros(C.shape[1])]).double()
    sol = torch.linalg.solve(Z.T @ Z + torch.diag(pen) + 1e-10 * torch.eye(Z.shape[1], dtype=Z.dtype), Z.T @ yc)
    return sol[:X.shape[1]], sol[X.shape[1]:]


def fit_c_input(phi: torch.Tensor, c: torch.Tensor, y: torch.Tensor, lam: float) -> RewardModel:
    """Feed the confounder in as an input: r(T, C) = w . phi + gamma . C, scored at a text's (observed) C."""
    w, gamma = fit_joint(phi, c, y, lam)
    return RewardModel(w, phi.double().mean(0), gamma, _as2d(c).double().mean(0))


def residualise(M: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """M minus its least-squares projection on [1, C]: the part of M that the measured confounders do not explain."""
    C = _as2d(c).double()
    D = torch.cat([torch.ones(len(C), 1, dtype=C.dtype), C], 1)
    M = M.double()
    return M - D @ torch.linalg.lstsq(D, M).solution


def fit_deconfounded(phi: torch.Tensor, c: torch.Tensor, y: torch.Tensor, lam: float) -> RewardModel:
    """DeconfoundLM (our reading): Robinson partialling-out. Residualise y and phi(T) on the measured confounders,
    ridge the residual on the residual, and keep only the text part r_DC(T) = w . phi(T) (g(C) is dropped)."""
    w = ridge(residualise(phi, c), residualise(y[:, None], c)[:, 0], lam)
    return RewardModel(w, phi.double().mean(0))


def fit_invariant(phi: torch.Tensor, c: torch.Tensor, y: torch.Tensor, lam: float) -> RewardModel:
    """Invariance baseline (ODIN-like decorrelation): ridge subject to Cov(r(T), C) = 0 on the log, i.e. w . s = 0
    with s = Cov(phi, C). Closed form: w = w0 - A^{-1} S (S' A^{-1} S)^{-1} S' w0, A = X'X + lam I."""
    X, yc, mu = _centre(phi, y)
    C = _as2d(c).double()
    S = X.T @ (C - C.mean(0)) / len(C)                                   # (p, k)
    A = X.T @ X + lam * torch.eye(X.shape[1], dtype=X.dtype)
    w0 = torch.linalg.solve(A, X.T @ yc)
    AiS = torch.linalg.solve(A, S)
    w = w0 - AiS @ torch.linalg.solve(S.T @ AiS, S.T @ w0)
    return RewardModel(w, mu)


# ---- evaluation -----------------------------------------------------------------------------------------

def attribute_effect(scores_on: torch.Tensor, scores_off: torch.Tensor) -> float:
    """A reward model's implied effect of an attribute: mean r(T with it) - r(T without it) over matched pairs."""
    return float((scores_on.double() - scores_off.double()).mean())


def draws(n_items: int, n: int, n_draws: int, seed: int) -> torch.Tensor:
    """(n_draws, n) indices: each row n distinct candidates drawn from a pool of n_items (seeded)."""
    g = torch.Generator().manual_seed(seed)
    return torch.stack([torch.randperm(n_items, generator=g)[:n] for _ in range(n_draws)])


def best_of_n(scores: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """For each draw (row of idx) the index of the candidate with the highest reward: best-of-n selection."""
    return idx.gather(1, scores[idx].argmax(1, keepdim=True))[:, 0]
