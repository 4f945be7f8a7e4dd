"""Intruder dimensions (ftkit.papers.lora_vs_full_ft)."""
import torch

from ftkit.papers import lora_vs_full_ft


def test_intruder_dimensions():
    torch.manual_seed(0)
    w0 = torch.randn(64, 64)
    assert lora_vs_full_ft.intruder_dimensions(w0, w0)[0] == 0
    assert lora_vs_full_ft.intruder_dimensions(w0, w0 + 1e-3 * torch.randn(64, 64))[0] == 0
    u, v = torch.randn(64, 1), torch.randn(1, 64)
    big = w0 + 40 * (u / u.norm()) @ (v / v.norm())       # a rank-1 update larger than any singular value
    n, sims = lora_vs_full_ft.intruder_dimensions(w0, big, k=10)
    assert n >= 1 and sims.shape == (10,)
    assert torch.allclose(lora_vs_full_ft.scale_intruders(w0, big, 1.0), big, atol=1e-4)
    assert lora_vs_full_ft.intruder_dimensions(w0, lora_vs_full_ft.scale_intruders(w0, big, 0.0))[0] < n
