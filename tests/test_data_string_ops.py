"""ftkit.data.string_ops: the string-task registry with definitions (a toy Super-NaturalInstructions)."""
import pytest

from ftkit.data import string_ops as so


def test_registry_has_twelve_train_and_four_disjoint_heldout_tasks_with_definitions():
    assert len(so.TASKS) >= 16 and len(so.TRAIN_TASKS) == 12 and len(so.HELDOUT_TASKS) == 4
    assert not set(so.TRAIN_TASKS) & set(so.HELDOUT_TASKS)
    assert set(so.TRAIN_TASKS) | set(so.HELDOUT_TASKS) <= set(so.TASKS)
    for line in so.registry():
        assert line["definition"].endswith(".") and len(line["definition"].split()) >= 4
        assert " -> " in line["example"]
    defs = {t: so.TASKS[t].definition for t in so.TASKS}
    assert len(set(defs.values())) == len(defs)                  # every definition tells its task apart


@pytest.mark.parametrize("task,x,y", [("reverse", "abc", "cba"), ("rotate_left", "abcd", "bcda"),
                                      ("double_letters", "ab", "aabb"), ("remove_vowels", "table", "tbl"),
                                      ("sort_desc", "bca", "cba"), ("swap_ends", "abcd", "dbca"),
                                      ("every_other", "abcde", "ace"), ("count_a", "banana", "3"),
                                      ("length", "abcd", "4"), ("duplicate", "ab", "abab")])
def test_task_functions(task, x, y):
    assert so.TASKS[task].fn(x) == y


def test_rows_are_seeded_formatted_and_correct():
    rows = so.rows("sort_desc", 20, seed=3)
    assert rows == so.rows("sort_desc", 20, seed=3) and rows != so.rows("sort_desc", 20, seed=4)
    assert [r["input"] for r in so.rows("sort_desc", 20, seed=3, split="test")] != [r["input"] for r in rows]
    for r in rows:
        assert 3 <= len(r["input"]) <= 6 and r["answer"] == " " + so.spaced(so.TASKS["sort_desc"].fn(r["input"]))
        lines = r["prompt"].split("\n")
        assert lines[0] == "Definition: " + so.TASKS["sort_desc"].definition
        assert lines[1].startswith("Example: ") and lines[2] == f"Input: {so.spaced(r['input'])} Output:"
        ex_in, ex_out = lines[1][len("Example: "):].split(" -> ")
        assert so.TASKS["sort_desc"].fn(ex_in.replace(" ", "")) == ex_out.replace(" ", "")
    assert all(r["answer"].strip() for r in so.rows("remove_vowels", 200, seed=0))


def test_prompt_modes_and_mixture():
    x = so.rows("copy", 1, seed=0, mode="def")[0]
    assert x["prompt"].startswith("Definition:") and "Example" not in x["prompt"]
    assert so.rows("copy", 1, seed=0, mode="id")[0]["prompt"].startswith("Task 2\nInput:")
    assert so.rows("copy", 1, seed=0, mode="none")[0]["prompt"].startswith("Input:")
    assert so.rows("copy", 1, seed=0, mode="pos")[0]["prompt"].startswith("Example:")
    with pytest.raises(ValueError):
        so.prompt("copy", "abc", mode="bogus")
    mix = so.mixture(so.HELDOUT_TASKS, 5, seed=1)
    assert len(mix) == 20 and {r["task"] for r in mix} == set(so.HELDOUT_TASKS)
    assert mix == so.mixture(so.HELDOUT_TASKS, 5, seed=1)
