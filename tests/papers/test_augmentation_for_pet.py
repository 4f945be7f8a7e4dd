"""DA-for-PET (ftkit.papers.augmentation_for_pet): hand-written deep prompts, the supervised contrastive loss and
the class-separation measure."""
import math

import pytest
import torch
from transformers import BertConfig, BertModel

from ftkit import arch
from ftkit.papers.augmentation_for_pet import DeepPrompts, class_separation, supcon_loss


def tiny_bert(attn="eager"):
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    cfg._attn_implementation = attn
    return BertModel(cfg).eval()


def batch():
    ids = torch.tensor([[1, 5, 7, 9, 2], [1, 4, 2, 0, 0]])
    return ids, (ids != 0).long()


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_zero_length_prefix_leaves_outputs_unchanged(attn):
    m = tiny_bert(attn)
    ids, mask = batch()
    ref = m(input_ids=ids, attention_mask=mask).last_hidden_state
    p = DeepPrompts(m, length=0)
    out = m(input_ids=ids, attention_mask=mask).last_hidden_state
    real = mask.bool()
    assert torch.allclose(out[real], ref[real], atol=1e-5)       # padded positions may differ, real tokens not
    p.remove()


def test_prefix_changes_outputs_and_remove_restores():
    m = tiny_bert()
    ids, mask = batch()
    ref = m(input_ids=ids, attention_mask=mask).last_hidden_state
    p = DeepPrompts(m, length=3, init_std=1.0)
    out = m(input_ids=ids, attention_mask=mask).last_hidden_state
    assert out.shape == ref.shape and not torch.allclose(out, ref, atol=1e-3)
    p.enabled = False
    assert torch.allclose(m(input_ids=ids, attention_mask=mask).last_hidden_state[mask.bool()], ref[mask.bool()], atol=1e-5)
    p.enabled = True
    p.remove()
    assert torch.allclose(m(input_ids=ids, attention_mask=mask).last_hidden_state, ref, atol=1e-6)


def test_prefix_equals_prepended_keys_values():
    """A prefix whose keys/values are those a real extra token would produce acts like that token (layer 0)."""
    m = tiny_bert()
    p = DeepPrompts(m, length=1)
    attn = p.attns[0]
    x = torch.randn(1, 4, 32)
    extra = torch.randn(1, 1, 32)
    with torch.no_grad():
        k = attn.key(extra).view(1, 1, 4, 8).transpose(1, 2)[0]
        v = attn.value(extra).view(1, 1, 4, 8).transpose(1, 2)[0]
        p.key[0] = k; p.value[0] = v
        out, _ = attn(x)
        p.enabled = False
        full, _ = attn(torch.cat([extra, x], 1))
    assert torch.allclose(out, full[:, 1:], atol=1e-5)
    p.remove()


@pytest.mark.parametrize("reparam", [0, 16])
def test_only_prefix_params_train(reparam):
    m = tiny_bert()
    p = DeepPrompts(m, length=2, reparam_hidden=reparam)
    before = {n: t.detach().clone() for n, t in m.named_parameters()}
    trainable = arch.train_only(m, p)
    assert {id(t) for t in trainable} == {id(t) for t in p.parameters()}
    opt = torch.optim.SGD(trainable, lr=0.1)
    ids, mask = batch()
    m(input_ids=ids, attention_mask=mask).last_hidden_state.pow(2).mean().backward()
    assert all(t.grad is not None and t.grad.abs().sum() > 0 for t in trainable)
    opt.step()
    assert all(torch.equal(t, before[n]) for n, t in m.named_parameters())
    k, v = p.kv()
    assert k.shape == v.shape == (2, 4, 2, 8)
    p.remove()


def test_supcon_loss():
    z = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    y = torch.tensor([0, 0, 1, 1])
    good = supcon_loss(z, y, 0.1)
    bad = supcon_loss(z, torch.tensor([0, 1, 0, 1]), 0.1)
    assert good < bad and good >= 0
    # two points, one positive each: loss = -log(1) = 0 when there is no other candidate
    assert math.isclose(float(supcon_loss(z[:2], y[:2])), 0.0, abs_tol=1e-6)
    # anchors without positives are skipped
    assert float(supcon_loss(z[:3], torch.tensor([0, 1, 2]))) == 0.0
    z2 = z.clone().requires_grad_(True)
    supcon_loss(z2, y).backward()
    assert z2.grad is not None


def test_deep_prompts_need_a_bert_style_encoder():
    from transformers import LlamaConfig, LlamaForCausalLM
    m = LlamaForCausalLM(LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                     num_attention_heads=4))
    with pytest.raises(ValueError, match="BERT-style"):
        DeepPrompts(m, length=2)


def test_random_labels_give_about_one_and_clusters_give_more():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(400, 16, generator=g)
    y = torch.arange(400) % 2
    assert abs(class_separation(z, y) - 1.0) < 0.05            # labels unrelated to z: no separation
    centres = torch.randn(2, 16, generator=g) * 3
    zc = centres[y] + torch.randn(400, 16, generator=g)
    assert class_separation(zc, y) > 2.0                        # tight clusters: far more between than within


def test_scale_invariant_and_exact_value():
    z = torch.tensor([[1.0, 0.0], [1.0, 0.5], [0.0, 1.0], [0.5, 1.0]])
    y = [0, 0, 1, 1]
    assert class_separation(z, y) == pytest.approx(class_separation(5 * z, y), rel=1e-6)
    zn = torch.nn.functional.normalize(z, dim=-1)
    d = 1 - zn @ zn.T
    inter = (d[0, 2] + d[0, 3] + d[1, 2] + d[1, 3]) / 4
    intra = (d[0, 1] + d[2, 3]) / 2
    assert class_separation(z, y) == pytest.approx(float(inter / intra), rel=1e-4)


def test_needs_two_classes():
    with pytest.raises(ValueError):
        class_separation(torch.randn(4, 3), [0, 0, 0, 0])


def test_centred_separation_ignores_a_shared_offset():
    """center=True measures the examples relative to their mean: adding one vector to all of them changes the
    uncentred cosines but not the centred score."""
    g = torch.Generator().manual_seed(0)
    y = torch.arange(200) % 2
    centres = torch.randn(2, 16, generator=g) * 3
    zc = centres[y] + torch.randn(200, 16, generator=g)
    shifted = zc + 20 * torch.randn(16, generator=g)
    assert class_separation(shifted, y, center=True) == pytest.approx(class_separation(zc, y, center=True), rel=1e-4)
    assert class_separation(shifted, y) != pytest.approx(class_separation(zc, y), rel=1e-2)
    assert class_separation(shifted, y, center=True) > 2.0
    assert class_separation(zc, y) == class_separation(zc, y, center=False)      # the default is unchanged
