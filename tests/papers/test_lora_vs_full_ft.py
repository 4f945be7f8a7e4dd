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


def test_intervention_control_is_same_count_and_disjoint():
    torch.manual_seed(0)
    w0 = torch.randn(64, 64)
    u, v = torch.randn(64, 2), torch.randn(2, 64)
    big = w0 + 40 * torch.linalg.qr(u)[0] @ torch.linalg.qr(v.T)[0].T
    intr, ctrl = lora_vs_full_ft.intruder_and_control_indices(w0, big, k=10)
    assert len(intr) >= 1 and len(ctrl) == len(intr) and not set(intr) & set(ctrl)
    assert torch.allclose(lora_vs_full_ft.rescale_directions(big, intr, 1.0), big, atol=1e-4)
    assert lora_vs_full_ft.intruder_dimensions(w0, lora_vs_full_ft.rescale_directions(big, intr, 0.0))[0] < len(intr)


def _tiny():
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                      num_key_value_heads=2, max_position_embeddings=32)
    return LlamaForCausalLM(cfg).eval()


def test_stacked_arms_equal_separate_models():
    """A arms trained together on cached features give each arm's own ΔW the same loss as that ΔW merged into a
    separate copy of the model (the batching is exact), and a zero ΔW is the pre-trained model."""
    import copy
    L = lora_vs_full_ft
    model = _tiny()
    ref = copy.deepcopy(model)
    targets = ["q_proj", "v_proj", "down_proj"]
    lin = L.stack_linears(model, targets, blocks=[1])
    top = L.CachedTop(model, 1)
    ids = torch.randint(3, 50, (6, 7)); mask = torch.ones_like(ids); mask[0, 5:] = 0
    labels = ids.clone(); labels[mask == 0] = L.IGNORE
    data = dict(h=top.cache(ids, mask), mask=mask, labels=labels)
    bank = L.ArmBank({n: tuple(m.weight.shape) for n, m in lin.items()},
                     [({"kind": "full"}, 1), ({"kind": "lora", "r": 2, "scale": 2.0}, 2)], seed=0)
    assert all(float(d.abs().max()) == 0 for d in bank.deltas().values())
    L.train_arms(top, lin, bank, data, steps=3, batch_size=4, lrs=[1e-2, 1e-2, 3e-2])
    deltas = bank.deltas()
    got = L.score_arms(top, lin, L.dense_parts(deltas), data, 3)["loss"]
    got_factored = L.score_arms(top, lin, bank.parts(), data, 3)["loss"]
    assert torch.allclose(got, got_factored, atol=1e-5)
    assert len(set(round(float(x), 4) for x in got)) == 3          # the arms differ
    for a in range(3):
        m = copy.deepcopy(ref)
        with torch.no_grad():
            for n, p in m.named_parameters():
                if n in deltas:
                    p += deltas[n][a]
        logits = m(input_ids=ids, attention_mask=mask).logits
        nll = torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=L.IGNORE)
        assert torch.allclose(nll, got[a], atol=1e-4)
    base_loss = L.score_arms(top, lin, None, data, 1)["loss"]
    assert torch.allclose(base_loss, torch.nn.functional.cross_entropy(ref(input_ids=ids, attention_mask=mask).logits[:, :-1].flatten(0, 1),
                                                                        labels[:, 1:].flatten(), ignore_index=L.IGNORE).unsqueeze(0), atol=1e-4)
