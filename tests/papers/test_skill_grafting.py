"""Calibration (ECE, reliability bins) as the skill-grafting notebook measures it (ftkit.papers.skill_grafting)."""
import torch

from ftkit.papers import skill_grafting


def test_ece_zero_when_confidence_matches_accuracy_and_large_when_overconfident():
    # 10 predictions at confidence 0.8, 8 of them right: perfectly calibrated
    probs = torch.tensor([[0.8, 0.2]] * 10)
    labels = torch.tensor([0] * 8 + [1] * 2)
    assert abs(skill_grafting.ece(probs, labels)) < 1e-6
    # confidence 0.99 but only half right: ECE = 0.49
    probs = torch.tensor([[0.99, 0.01]] * 10)
    labels = torch.tensor([0] * 5 + [1] * 5)
    assert abs(skill_grafting.ece(probs, labels) - 0.49) < 1e-5


def test_reliability_bins_cover_all_examples():
    torch.manual_seed(0)
    probs = torch.softmax(torch.randn(200, 3) * 3, -1)
    labels = torch.randint(0, 3, (200,))
    bins = skill_grafting.reliability(probs, labels, n_bins=10)
    assert sum(b["count"] for b in bins) == 200
    assert all(b["lo"] < b["conf"] <= b["hi"] for b in bins)
