"""One matplotlib style for every notebook, and the few plot kinds they share."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

PALETTE = ["#3b6ea8", "#d1603d", "#5a9e6f", "#8e6bb3", "#c9a227", "#5f6b73", "#c45c9a", "#2aa1a8"]


def style() -> None:
    matplotlib.rcParams.update({
        "figure.figsize": (6.4, 3.8), "figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3,
        "axes.spines.top": False, "axes.spines.right": False, "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "font.size": 10, "axes.titlesize": 11, "legend.frameon": False,
    })


def _finish(ax, title, xlabel, ylabel):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def curves(series: dict, title: str, xlabel: str = "step", ylabel: str = "loss", ax=None):
    """Several lines: series = {label: (xs, ys)}."""
    ax = ax or plt.subplots()[1]
    for label, (xs, ys) in series.items():
        ax.plot(xs, ys, label=label)
    ax.legend()
    return _finish(ax, title, xlabel, ylabel)


def bars(values: dict, title: str, ylabel: str, errors: dict | None = None, ax=None, highlight=None):
    """Bar chart of {label: value} with optional error bars and highlighted labels."""
    ax = ax or plt.subplots()[1]
    labels = list(values)
    colors = [PALETTE[1] if highlight and lab in highlight else PALETTE[0] for lab in labels]
    ax.bar(labels, [values[k] for k in labels], yerr=[errors[k] for k in labels] if errors else None,
           color=colors, capsize=3)
    ax.tick_params(axis="x", rotation=30)
    return _finish(ax, title, "", ylabel)


def heatmap(matrix, title: str, xlabel: str, ylabel: str, ax=None, vmin=None, vmax=None, cmap="viridis", colorbar=True):
    ax = ax or plt.subplots()[1]
    im = ax.imshow(matrix, aspect="auto", vmin=vmin, vmax=vmax, cmap=cmap)
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(im, ax=ax)
    return _finish(ax, title, xlabel, ylabel)
