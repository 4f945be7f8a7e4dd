"""MEND's locality plumbing (ftkit.papers.mend): the token-level KL."""
import torch

from ftkit.papers import mend


def test_token_kl_is_zero_for_equal_models_and_positive_otherwise():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 11)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    base = mend.token_log_probs(logits, mask)
    assert base.shape == (8, 11)
    assert float(mend.token_kl(base, logits, mask)) < 1e-6
    other = logits + torch.randn_like(logits)
    kl = float(mend.token_kl(base, other, mask))
    ref = torch.nn.functional.kl_div(mend.token_log_probs(other, mask), base, log_target=True, reduction="batchmean")
    assert kl > 0 and abs(kl - float(ref)) < 1e-5
    # padded positions do not count: changing them leaves the KL unchanged
    other2 = other.clone(); other2[1, 3:] += 100
    assert abs(float(mend.token_kl(base, other2, mask)) - kl) < 1e-6
