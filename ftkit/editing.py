"""Model-editing metrics, as the editing literature defines them (Yao et al. 2023; Mitchell et al. 2022).

- reliability: the edited model gives the new answer on the edit prompt itself;
- generalization: it gives the new answer on paraphrases of the edit prompt;
- locality: facts the edits should not touch keep the answer the model gave before the edits;
- general ability: language-model loss on held-out text (its increase is the "drawdown").
All answer checks are greedy exact match of the answer tokens (ftkit.evaluate.answer_accuracy).
"""
from __future__ import annotations

from .evaluate import answer_accuracy, lm_loss


def locality_reference(model, tokenizer, locality_rows: list[dict]) -> list[dict]:
    """The locality rows the unedited model answers correctly: locality is measured on these."""
    _, hits = answer_accuracy(model, tokenizer, locality_rows, per_example=True)
    return [r for r, h in zip(locality_rows, hits) if h]


def edit_metrics(model, tokenizer, edits: list[dict], locality_rows: list[dict], heldout_text: list[str] | None = None) -> dict:
    """Reliability, generalization and locality in %, plus held-out loss if text is given."""
    out = {
        "reliability %": 100 * answer_accuracy(model, tokenizer, edits),
        "generalization %": 100 * answer_accuracy(model, tokenizer, [p for e in edits for p in e["paraphrases"]]),
        "locality %": 100 * answer_accuracy(model, tokenizer, locality_rows) if locality_rows else float("nan"),
    }
    if heldout_text is not None:
        out["held-out loss"] = lm_loss(model, tokenizer, heldout_text)
    return out
