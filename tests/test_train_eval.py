import torch
from transformers import LlamaConfig, LlamaForCausalLM

from ftkit import evaluate, models, train
from ftkit.data import synthetic, text


def _model(seed=0):
    torch.manual_seed(seed)
    tok = models.load_tokenizer("ftkit/tiny-llama")
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                      num_key_value_heads=2, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
    return LlamaForCausalLM(cfg), tok


def test_encode_pairs_masks_the_prompt():
    _, tok = _model()
    enc = train.encode_pairs(tok, [{"prompt": "sort: b a ->", "answer": " a b"}])[0]
    n_prompt = len(tok("sort: b a ->", add_special_tokens=False)["input_ids"])
    assert enc["labels"][:n_prompt] == [train.IGNORE] * n_prompt
    assert enc["labels"][n_prompt:] == enc["input_ids"][n_prompt:] and enc["input_ids"][-1] == tok.eos_token_id


def test_fit_lowers_loss_and_reports_throughput():
    model, tok = _model()
    rows = list(synthetic.task("copy", 64, seed=0))
    h = train.sft(model, tok, rows, steps=30, lr=3e-3, batch_size=8)
    assert h.loss[-1] < h.loss[0] and h.tokens > 0 and h.tokens_per_s > 0 and h.peak_mem_mb > 0


def test_fit_only_touches_given_params():
    model, tok = _model()
    frozen = model.model.layers[0].self_attn.q_proj.weight
    before = frozen.detach().clone()
    params = [p for n, p in model.named_parameters() if "layers.0.self_attn.q_proj" not in n]
    train.sft(model, tok, list(synthetic.task("copy", 16)), steps=3, lr=1e-2, params=params, weight_decay=0.1)
    assert torch.equal(frozen, before)


def test_checkpoint_resume_matches_uninterrupted(tmp_path):
    rows = list(synthetic.task("copy", 32, seed=1))
    straight, tok = _model()
    train.sft(straight, tok, rows, steps=6, lr=3e-3, batch_size=4, seed=0)

    class Crash(Exception):
        pass

    def crash_at_4(model, step):
        if step == 3:
            raise Crash()

    interrupted, _ = _model()
    try:
        train.sft(interrupted, tok, rows, steps=6, lr=3e-3, batch_size=4, seed=0, ckpt_dir=tmp_path, ckpt_every=1,
                  after_step=crash_at_4)
    except Crash:
        pass
    resumed, _ = _model(seed=99)                       # a different init, overwritten by the checkpoint
    h = train.sft(resumed, tok, rows, steps=6, lr=3e-3, batch_size=4, seed=0, ckpt_dir=tmp_path, ckpt_every=1)
    assert h.resumed_from == 3
    for a, b in zip(straight.parameters(), resumed.parameters()):
        assert torch.allclose(a, b, atol=1e-6)


def test_answer_accuracy_equals_greedy_generation():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    model = models.load_model("ftkit/tiny-llama")
    rows = list(synthetic.task("copy", 12, seed=5)) + list(synthetic.task("reverse", 12, seed=5))
    acc, hits = evaluate.answer_accuracy(model, tok, rows, per_example=True)
    gen = evaluate.generate_answers(model, tok, [r["prompt"] for r in rows], max_new_tokens=12)
    by_generation = [g.startswith(r["answer"]) for g, r in zip(gen, rows)]
    assert hits == by_generation
    assert acc == sum(hits) / len(hits)


def test_lm_loss_is_lower_for_the_pretrained_model():
    tok = models.load_tokenizer("ftkit/tiny-llama")
    texts = text.wiki_chunks("heldout", n=8, seed=0)
    random_model, _ = _model()
    assert evaluate.lm_loss(models.load_model("ftkit/tiny-llama"), tok, texts) < evaluate.lm_loss(random_model, tok, texts) - 1


def test_answer_nll_is_the_per_example_mean_of_answer_tokens():
    model, tok = _model()
    rows = [{"prompt": "copy: a ->", "answer": " a"}, {"prompt": "copy: a b c d ->", "answer": " a b c d"}]
    b = train.collate(train.encode_pairs(tok, rows), tok.pad_token_id)
    logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits
    per = train.answer_nll(logits, b["labels"])
    for i in range(2):
        one = train.collate([train.encode_pairs(tok, rows[i:i + 1])[0]], tok.pad_token_id)
        assert torch.allclose(per[i], model(**one).loss, atol=1e-5)     # HF's token mean for a single example


def test_left_padded_generation_matches_one_prompt_at_a_time(llama):
    model, tok = llama
    prompts = ["copy: a b c ->", "7 + 5 =", "The capital of Lozu is"]
    side = tok.padding_side
    batched = evaluate.sample_answers(model, tok, prompts, max_new_tokens=5)
    assert evaluate.generate_answers(model, tok, prompts, max_new_tokens=5) == [b[0] for b in batched]
    single = [evaluate.sample_answers(model, tok, [p], max_new_tokens=5)[0] for p in prompts]
    assert batched == single and all(len(x) == 1 for x in batched)
    assert tok.padding_side == side                                       # restored
    sampled = evaluate.sample_answers(model, tok, prompts[:2], max_new_tokens=4, samples=3, temperature=1.0, seed=0)
    assert [len(x) for x in sampled] == [3, 3]
    assert sampled == evaluate.sample_answers(model, tok, prompts[:2], max_new_tokens=4, samples=3, temperature=1.0, seed=0)


class _CharTok:
    pad_token_id = 0

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [3 + (ord(c) % 20) for c in text]}


def test_text_batch_truncates_pads_and_ignores_padding():
    b = train.text_batch(_CharTok(), ["abcdef", "xy"], max_len=4)
    assert b["input_ids"].shape == (2, 4)
    assert b["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]
    assert (b["labels"][1, 2:] == train.IGNORE).all() and (b["labels"][0] == b["input_ids"][0]).all()


def test_trl_device_args_keep_a_cpu_run_in_fp32(tmp_path):
    """TRL 1.16's configs default to bf16 autocast and gradient checkpointing even with use_cpu=True; ours do not."""
    from trl import DPOConfig
    assert train.trl_device_args("cpu") == dict(use_cpu=True, bf16=False, gradient_checkpointing=False)
    assert train.trl_device_args("cuda:0") == dict(use_cpu=False, bf16=True, gradient_checkpointing=True)
    args = DPOConfig(output_dir=str(tmp_path), **train.trl_device_args("cpu"))
    assert not args.bf16 and not args.gradient_checkpointing and args.use_cpu
