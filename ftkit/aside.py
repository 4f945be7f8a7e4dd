"""A connected side pathway of bottleneck modules beside a frozen encoder ("aside" modules, after Ma et al. 2022).

Scattered adapters (Houlsby) sit *between* frozen layers, so the gradient that reaches the module of layer l has
passed through the Jacobians of every frozen layer above it. The aside pathway links one module per layer into a
chain that runs beside the backbone, so every module also has a short, trainable/identity route to the output:

    o_l = f_l(x_{l-1})                    frozen layer l (x_0 = embeddings)
    δ_l = A_l(o_l + s_{l-1})              aside bottleneck: reads the backbone state plus the running side state
    s_l = s_{l-1} + δ_l                   side state (s_0 = 0): the connected pathway
    x_l = o_l + δ_l                       the new increment re-enters the backbone ("reenter")
    output = o_L + s_L                    the whole side state joins the final hidden state

The stream gets only the new increment δ_l, not all of s_l, because s_{l-1} is already carried up through the
frozen layer's residual connection; adding it again would count earlier increments twice.

    connected=False  gives the *same* modules as layer-level scattered adapters (δ_l = A_l(o_l), output o_L + δ_L):
                     the control that differs only in the connections.
    reenter=False    leaves the backbone untouched (x_l = o_l) and adds s_L at the top only, ladder-side-tuning
                     style: the backward pass then never enters the frozen model.

The architecture details of the paper's IAA modules are not verified (see the method card); this is our reading.
"""
from __future__ import annotations

import torch.nn as nn

from .adapters import Bottleneck, _backbone


class AsidePathway(nn.ModuleList):
    """One Bottleneck per encoder layer, wired by forward hooks on the layers (the frozen model is not replaced)."""

    def __init__(self, model, r: int = 16, scale: float = 1.0, act: str = "relu", connected: bool = True,
                 reenter: bool = True):
        blocks, _ = _backbone(model)
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
