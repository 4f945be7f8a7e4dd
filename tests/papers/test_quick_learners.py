"""quick_learners plumbing: ROUGE-L, data fractions, epoch steps, and the causal / seq2seq training paths."""
import torch

from ftkit import train
from ftkit.data import string_ops
from ftkit.papers import quick_learners as ql


def test_rouge_l_matches_hand_computed_values():
    assert ql.rouge_l("a b c", "a b c") == 1.0
    assert ql.rouge_l("a b c d", "a c d e") == 0.75                    # LCS "a c d": P = R = 3/4
    assert ql.rouge_l("x y", "a b") == 0.0 and ql.rouge_l("", "a") == 0.0
    p, r = "the cat sat on the mat", "the cat is on the mat"          # LCS 5 of 6 and 6
    assert abs(ql.rouge_l(p, r) - 5 / 6) < 1e-12
    assert ql.lcs_length(list("ABCBDAB"), list("BDCABA")) == 4        # the textbook example
    assert ql.tokens("Hello, World 42!") == ["hello", ",", "world", "42", "!"]


def test_score_cuts_at_newline_and_reports_0_to_100():
    s = ql.score([" a b c\nInput: x", "a b"], [" a b c", " a b d"])
    assert s["exact"] == 50.0 and abs(s["rouge_l"] - 100 * (1 + 0.8) / 2) < 1e-9


def test_fraction_subsets_are_nested_per_task_and_epoch_steps():
    rows = string_ops.mixture(string_ops.HELDOUT_TASKS, 100, seed=0)
    small, mid, full = (ql.fraction_subset(rows, f) for f in (0.06, 0.25, 1.0))
    assert len(small) == 24 and len(mid) == 100 and len(full) == 400
    assert {id(r) for r in small} <= {id(r) for r in mid} <= {id(r) for r in full}
    assert all(sum(r["task"] == t for r in small) == 6 for t in string_ops.HELDOUT_TASKS)
    assert len(ql.fraction_subset(rows, 0.001)) == 4                  # at least one row per task
    assert ql.epoch_steps(400, 2, 8) == 100 and ql.epoch_steps(24, 2, 8) == 6 and ql.epoch_steps(3, 1, 8) == 1


def test_copy_baseline_scores_the_input_itself():
    rows = string_ops.rows("copy", 5, seed=0)
    assert ql.copy_baseline(rows) == {"rouge_l": 100.0, "exact": 100.0}
    assert ql.copy_baseline(string_ops.rows("sort_desc", 50, seed=0))["exact"] < 100


def _tok():
    from transformers import AutoTokenizer
    from ftkit.zoo import model_dir
    return AutoTokenizer.from_pretrained(model_dir("ftkit/tiny-llama"))


def test_causal_and_seq2seq_paths_train_and_generate():
    from transformers import LlamaConfig, LlamaForCausalLM, T5Config, T5ForConditionalGeneration
    tok = _tok()
    rows = string_ops.rows("double_letters", 8, seed=0)
    torch.manual_seed(0)
    causal = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                          num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                                          pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id))
    t5 = T5ForConditionalGeneration(T5Config(vocab_size=len(tok), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=2,
                                             pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                                             decoder_start_token_id=tok.pad_token_id))
    assert not ql.is_seq2seq(causal) and ql.is_seq2seq(t5)
    b = next(ql.train_stream(t5, tok, rows, 4, 64))
    assert b["input_ids"].shape[0] == 4 and (b["labels"] != train.IGNORE).sum() > 0
    for m in (causal, t5):
        h = train.fit(m, ql.train_stream(m, tok, rows, 4, 64), steps=2, lr=1e-3)
        assert len(h.loss) == 2
        out = ql.generate(m, tok, [r["prompt"] for r in rows[:3]], max_new_tokens=3)
        assert len(out) == 3 and all(isinstance(o, str) for o in out)


def test_instruct_zoo_model_matches_its_recipe_and_never_saw_the_heldout_tasks():
    import json
    from ftkit import zoo
    d = zoo.model_dir("ftkit/tiny-llama-instruct")
    m = json.loads((d / "manifest.json").read_text())
    for name, digest in m["files"].items():
        assert zoo.sha256(d / name) == digest, f"{name} differs from its manifest"
    assert m["recipe"] == zoo.RECIPES["tiny-llama-instruct"], "the committed model was built from another recipe: rebuild it"
    assert m["tasks"] == string_ops.TRAIN_TASKS and m["heldout_tasks"] == string_ops.HELDOUT_TASKS
    rows = zoo.instruction_rows(zoo.RECIPES["tiny-llama-instruct"])
    assert {r["task"] for r in rows} == set(string_ops.TRAIN_TASKS) and len(rows) == 12 * 400
    em = m["exact_match_def_prompts"]
    assert sum(em[t] for t in m["tasks"]) / 12 > sum(m["exact_match_def_prompts_of_base_model"][t] for t in m["tasks"]) / 12 + 0.5
