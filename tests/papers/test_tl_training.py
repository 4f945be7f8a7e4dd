"""TL-Training (ftkit.papers.tl_training): PKT key tokens and weights, the weighted loss, scoring, the RL loop."""
import torch

from ftkit import models, train
from ftkit.data import tool_calls as TC
from ftkit.papers import tl_training as tl


def test_pkt_key_positions_and_weights():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    toolset = {"get_weather": ["city", "day"], "get_weather_alert": ["city"], "set_lock": ["room"]}
    answer = "get_weather(city='rome', day='mon')"
    keys = tl.key_positions(tok, answer, "get_weather", toolset)
    ids = tok(answer, add_special_tokens=False)["input_ids"]
    n_name = len(tok("get_weather(", add_special_tokens=False)["input_ids"])
    assert keys[0] == 0 and len(keys) == 2 and all(k < n_name for k in keys)     # the call start + the `(` vs `_alert` split
    w = tl.pkt_weights(len(ids) + 1, keys, 9.0)
    assert [i for i, x in enumerate(w) if x > 1] == keys
    assert w[0] == min((len(w) - 2) / 2, 9.0) and tl.pkt_weights(40, [0], 9.0)[0] == 9.0
    assert tl.key_positions(tok, answer, "get_weather", {"get_weather": ["city", "day"]}) == [0]


def test_weighted_loss_reduces_to_mean_token_loss_and_sft_runs():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    rows = TC.tool_calls(12, noisy_frac=0.5, seed=0, show_keys=False)
    samples = [s for r in rows for s in TC.turn_samples(r, mae=True)]
    enc = tl.encode(tok, samples, 128, pkt=False)
    batch = tl.collate(enc[:4], tok.pad_token_id)
    m = models.load_model("ftkit/tiny-llama")
    with torch.no_grad():
        ours = tl.weighted_loss(m, batch)
        logits = m(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        ref = train.answer_nll(logits, batch["labels"]).mean()
    assert torch.allclose(ours, ref, atol=1e-5)
    enc_pkt = tl.encode(tok, samples, 128, pkt=True)
    assert all(max(e["weights"]) > 1 for e in enc_pkt)
    assert all(w == 0 for e in enc_pkt for w, l in zip(e["weights"], e["labels"]) if l == tl.IGNORE)
    h = train.fit(m, tl.batches(enc_pkt, 4, tok.pad_token_id), steps=2, lr=1e-3, loss_fn=tl.weighted_loss)
    assert len(h.loss) == 2


def test_score_and_rl_loop():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    rows = TC.tool_calls(6, noisy_frac=0.0, seed=1, show_keys=False)
    perfect = tl.score([r["call"] for r in rows], rows)
    assert perfect["CF"] == 1.0 and perfect["reward"] == 1.0 and perfect["categories"] == {"exact": 6}
    bad = tl.score(["nope(", *[r["call"] for r in rows[1:]]], rows)
    assert bad["categories"]["invalid"] == 1 and abs(bad["error_rate"] - 1 / 6) < 1e-9
    m = models.load_model("ftkit/tiny-llama")
    calls, gen = tl.generate_calls(m, tok, [TC.prompt(r) for r in rows[:2]], 6, sample=True, num_return=2)
    assert len(calls) == 4 and len(gen) == 4
    before = [p.detach().clone() for p in m.parameters()]
    h = tl.rloo_irm(m, tok, rows, steps=2, prompts_per_step=2, group=2, lr=1e-3, kl_coef=0.1, max_new_tokens=6)
    assert len(h["reward"]) == 2 and all(-2 <= r <= 1 for r in h["reward"])
    assert any(not torch.equal(a, b) for a, b in zip(before, m.parameters()))


def test_prompt_answer_boundary_and_key_tokens_with_leading_space():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    row = TC.tool_calls(1, noisy_frac=0.0, seed=3, families=[3, 4, 8], quote_values=True, show_keys=False)[0]
    s = tl.sft_sample(TC.turn_samples(row, mae=True)[-1])
    assert s["prompt"].endswith("Assistant:") and s["answer"] == " " + row["call"]
    assert tl.test_prompt(row) == s["prompt"]
    # the split tokenisation equals the joint one: the target starts with the ` name` token seen in the context
    joint = tok(s["prompt"] + s["answer"], add_special_tokens=False)["input_ids"]
    split = tok(s["prompt"], add_special_tokens=False)["input_ids"] + tok(s["answer"], add_special_tokens=False)["input_ids"]
    assert joint == split
    toolset = {"set_light": ["room", "level"], "set_light_off": ["room"], "set_lock": ["room"]}
    keys = tl.key_positions(tok, " set_light_off(room='hall')", "set_light_off", toolset)
    n_name = len(tok(" set_light_off(", add_special_tokens=False)["input_ids"])
    assert keys[0] == 0 and len(keys) == 3 and all(k < n_name for k in keys)   # start, `_off` vs `(`, `light` vs `lock`


def test_trl_reward_fn_matches_irm():
    from ftkit.verifiers import tools as V
    rows = TC.tool_calls(5, noisy_frac=0.0, seed=2, families=[3, 4, 8], quote_values=True)
    recs = tl.trl_records(rows)
    assert [r["prompt"] for r in recs] == [tl.test_prompt(r) for r in rows]
    comps = [" " + rows[0]["call"] + "\nUser: x", "nope(", *[r["call"] for r in rows[2:]]]
    got = tl.irm_reward_fn([r["prompt"] for r in recs], comps, [r["gold"] for r in recs], [r["toolset"] for r in recs])
    assert got == [1.0, -2.0] + [V.irm_reward(r["call"], r["gold"], r["toolset"]) for r in rows[2:]]
