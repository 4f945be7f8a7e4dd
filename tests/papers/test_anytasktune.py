"""AnyTaskTune's scoring protocol (ftkit.papers.anytasktune) on the zoo's tiny Llama."""
import pytest
import torch

from ftkit import evaluate, models
from ftkit.data import subtasks
from ftkit.papers import anytasktune as att


@pytest.fixture(scope="module")
def lm():
    torch.manual_seed(0)
    return models.load_model("ftkit/tiny-llama", device="cpu"), models.load_tokenizer("ftkit/tiny-llama")


def test_exact_match_equals_answer_accuracy_and_the_cached_prefix_equals_the_joined_prompt(lm):
    m, tok = lm
    rows = subtasks.subtask_rows("finance", "next_step", 12, "test") + [{"prompt": "12 + 5 =", "answer": " 17"},
                                                                       {"prompt": "copy: a b c ->", "answer": " a b c"}]
    _, ref = evaluate.answer_accuracy(m, tok, rows, per_example=True)
    assert att.score_rows(m, tok, rows, batch_size=5) == [float(h) for h in ref]
    prefix = "copy: x y z -> x y z\n7 + 1 = 8\n"
    joined = [dict(r, prompt=prefix + r["prompt"]) for r in rows]
    assert att.score_rows(m, tok, rows, prefix=prefix) == att.score_rows(m, tok, joined)


def test_rank_classification_picks_the_most_likely_first_label_token(lm):
    m, tok = lm
    labels = subtasks.SPECS["clause_type"]["labels"]
    rows = subtasks.subtask_rows("legal", "clause_type", 10, "test")
    got = att.score_rows(m, tok, rows, labels=labels, batch_size=4)
    first = [tok(" " + lab, add_special_tokens=False)["input_ids"][0] for lab in labels]
    for r, g in zip(rows, got):
        ids = tok(r["prompt"], add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = m(input_ids=torch.tensor([ids])).logits[0, -1]
        assert g == float(labels[int(logits[first].argmax())] == r["answer"].strip())
    # labels that share a first token fall back to the full-sequence log-probability
    same = ("pay now", "pay later")
    rows2 = [{"prompt": "when ->", "answer": " pay later"}, {"prompt": "when ->", "answer": " pay now"}]
    s = att.score_rows(m, tok, rows2, labels=same)
    assert sorted(s) == [0.0, 1.0]


def test_demos_and_domain_score():
    rows = [{"prompt": "a ->", "answer": " 1"}, {"prompt": "b ->", "answer": " 2"}, {"prompt": "c ->", "answer": " 3"}]
    assert att.demos(rows, 2) == "a -> 1\nb -> 2\n" and att.demos(rows, 0) == ""
    assert att.domain_score({"x": [1, 0], "y": [1, 1, 1, 1]}, ["x", "y"]) == pytest.approx(0.75)


def test_answer_loss_equals_the_model_loss_and_its_gradient(lm):
    m, tok = lm
    from ftkit import train
    rows = subtasks.explicit_dataset("legal", 3, seed=0)
    b = train.collate(train.encode_pairs(tok, rows), tok.pad_token_id)
    ref = m(**b).loss
    got = att.answer_loss(m, b)
    assert torch.allclose(got, ref, atol=1e-5)
    g_ref = torch.autograd.grad(ref, m.model.layers[0].mlp.up_proj.weight)[0]
    g = torch.autograd.grad(att.answer_loss(m, b), m.model.layers[0].mlp.up_proj.weight)[0]
    assert torch.allclose(g, g_ref, atol=1e-6)
