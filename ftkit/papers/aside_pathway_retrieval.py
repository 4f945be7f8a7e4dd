"""IAA (Scattered or Connected?): Scattered or Connected? An Optimized Parameter-efficient Tuning Approach for Information Retrieval (arXiv 2208.09847).

The notebook's profiles (the smoke defaults are its parameters cell) and the code only this paper uses.
"""
from ftkit.catalog import Profile

import torch
import torch.nn as nn

from ftkit import arch
from ftkit.adapters import Bottleneck

PROFILE = Profile(
    claim='A connected side pathway of bottleneck modules gives every module a direct gradient route to the output (checked exactly at step 0); with the learning rate chosen per arm on validation from the same grid, its test MRR@10 is compared with the same modules scattered (reported: not ahead at 6 layers).',
    smoke_seconds=40,
    dry_run_seconds=29,
    gpu=dict(
        model_id='google-bert/bert-base-uncased',
        dataset='Tevatron/msmarco-passage',
        n_train=20000,
        n_test=1000,
        two_tower=True,
        max_len=128,
        batch_size=32,
        group_size=8,
        steps=2000,
        tau=0.05,
        r_houlsby=64,
        r_lora=64,
        r_aside=128,
        lrs_peft=[0.0001, 0.0003, 0.001],
        baselines=True,
        lrs_full=[2e-06, 5e-06, 2e-05],
    ),
    gpu_hardware='1 GPU, 24 GB',
    gpu_seconds=5900,
    dry_run=dict(
        model_id='sentence-transformers/all-MiniLM-L6-v2',
        dataset='alias',
        n_train=48,
        n_test=16,
        two_tower=True,
        steps=2,
        batch_size=8,
        lrs_peft=[0.001],
        baselines=True,
        lrs_full=[0.0001],
    ),
    ranges=dict(
        n_train=(10, 10000000),
        n_test=(10, 10000000),
        max_len=(8, 512),
        batch_size=(2, 4096),
        group_size=(1, 64),
        steps=(1, 1000000),
        tau=(0.0001, 100),
        r_houlsby=(1, 1024),
        r_lora=(1, 1024),
        r_aside=(1, 2048),
    ),
    choices=dict(
        dataset=['alias', 'Tevatron/msmarco-passage'],
    ),
)


# ---- code: the aside pathway, and the retrieval loss and metrics -------------------------------------
# A connected side pathway of bottleneck modules beside a frozen encoder ("aside" modules, after Ma et al. 2022).
#
# Scattered adapters (Houlsby) sit *between* frozen layers, so the gradient that reaches the module of layer l has
# passed through the Jacobians of every frozen layer above it. The aside pathway links one module per layer into a
# chain that runs beside the backbone, so every module also has a short, trainable/identity route to the output:
#
#     o_l = f_l(x_{l-1})                    frozen layer l (x_0 = embeddings)
#     δ_l = A_l(o_l + s_{l-1})              aside bottleneck: reads the backbone state plus the running side state
#     s_l = s_{l-1} + δ_l                   side state (s_0 = 0): the connected pathway
#     x_l = o_l + δ_l                       the new increment re-enters the backbone ("reenter")
#     output = o_L + s_L                    the whole side state joins the final hidden state
#
# The stream gets only the new increment δ_l, not all of s_l: s_{l-1} was written into the stream already, and
# writing it again at every layer would feed each increment in once per layer above it. In a post-LayerNorm encoder
# (BERT, MiniLM: x <- LN(x + F(x))) the stream does not carry an increment up unchanged; every LayerNorm re-centres
# and rescales it. So δ_l reaches the output twice: exactly through s_L, and transformed through the frozen stream.
#
#     connected=False  gives the *same* modules as layer-level scattered adapters (δ_l = A_l(o_l), output o_L + δ_L):
#                      the control that differs only in the connections.
#     reenter=False    leaves the backbone untouched (x_l = o_l) and adds s_L at the top only, ladder-side-tuning
#                      style: the backward pass then never enters the frozen model.
#
# The architecture details of the paper's IAA modules could not be verified against the paper; this is our reading.


class AsidePathway(nn.ModuleList):
    """One Bottleneck per encoder layer, wired by forward hooks on the layers (the frozen model is not replaced)."""

    def __init__(self, model, r: int = 16, scale: float = 1.0, act: str = "relu", connected: bool = True,
                 reenter: bool = True):
        blocks = arch.layers(model)
        ref = next(model.parameters())
        super().__init__([Bottleneck(model.config.hidden_size, r, scale, act).to(ref.device) for _ in blocks])
        if not connected and not reenter:
            raise ValueError("AsidePathway: connected=False needs reenter=True (else the modules would not be used)")
        self.connected, self.reenter = connected, reenter
        self._s = None
        last = len(blocks) - 1
        self.handles = [blocks[0].register_forward_pre_hook(self._reset)]
        for l, block in enumerate(blocks):
            self.handles.append(block.register_forward_hook(lambda m, a, out, l=l: self._step(l, out, l == last)))
        model.add_module("ftkit_aside", self)

    def _reset(self, module, args):
        self._s = None

    def _step(self, l: int, out, is_last: bool):
        o = out[0] if isinstance(out, tuple) else out
        s = self._s
        if self.connected:
            delta = self[l](o if s is None else o + s)            # δ_l = A_l(o_l + s_{l-1})
            s = delta if s is None else s + delta                  # s_l = s_{l-1} + δ_l
        else:
            delta = self[l](o)                                     # scattered: δ_l = A_l(o_l)
            s = delta
        self._s = s
        if is_last:
            new = o + s                                            # output = o_L + s_L (scattered: o_L + δ_L)
            self._s = None                                         # do not keep the graph alive between calls
        elif self.reenter:
            new = o + delta                                        # x_l = o_l + δ_l
        else:
            new = o                                                # ladder: backbone untouched
        return (new,) + tuple(out[1:]) if isinstance(out, tuple) else new

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles.clear()


def rank_metrics(q_emb: torch.Tensor, d_emb: torch.Tensor, gold, ks=(1, 10)) -> dict:
    """MRR@max(ks) and recall@k for one relevant document per query (dot-product scores, exact search).

    gold: the relevant document index of each query.
    """
    scores = q_emb.float() @ d_emb.float().T
    gold = torch.as_tensor(list(gold))
    rank = (scores > scores[torch.arange(len(gold)), gold][:, None]).sum(1) + 1      # 1 = best
    kmax = max(ks)
    out = {f"mrr@{kmax}": float(torch.where(rank <= kmax, 1.0 / rank, torch.zeros_like(rank, dtype=torch.float)).mean())}
    out.update({f"recall@{k}": float((rank <= k).float().mean()) for k in ks})
    return out


def info_nce(q: torch.Tensor, d: torch.Tensor, gold: torch.Tensor, tau: float = 0.05) -> torch.Tensor:
    """InfoNCE: −log softmax(q·d / τ) at the relevant document, over the candidate documents `d`."""
    return torch.nn.functional.cross_entropy(q @ d.T / tau, gold)
