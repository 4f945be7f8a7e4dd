from ftkit import tasks


def test_same_seed_same_data_and_families_differ():
    a, b = tasks.task("sort", 20, seed=3), tasks.task("sort", 20, seed=3)
    assert list(a) == list(b)
    assert list(tasks.task("sort", 20, seed=4)) != list(a)
    for row in a:
        items = row["prompt"].removeprefix("sort: ").removesuffix(" ->").split()
        assert row["answer"].split() == sorted(items)


def test_every_family_makes_prompt_answer_pairs():
    for fam in tasks.PRETRAIN_FAMILIES[:2] + tasks.NEW_FAMILIES:
        row = tasks.task(fam, 1, seed=0)[0]
        assert row["answer"].startswith(" ") and row["prompt"] and row["family"] == fam
    assert tasks.make_example("mod10", __import__("random").Random(0))["answer"].strip().isdigit()


def test_fact_world_is_seeded_and_templated():
    w1, w2 = tasks.fact_world(30, seed=1), tasks.fact_world(30, seed=1)
    assert w1.facts == w2.facts and len(w1.subjects) == 30
    q = w1.queries(templates=(2,))
    assert len(q) == 30 * len(tasks.RELATIONS) and all(r["template"] == 2 for r in q)
    assert tasks.fact_world(30, seed=2).facts != w1.facts


def test_wiki_split_is_disjoint_and_chunks_are_deterministic():
    train, held = tasks.wiki_pages("train"), tasks.wiki_pages("heldout")
    assert train and held and not set(train) & set(held)
    assert tasks.wiki_chunks(n=5, seed=0) == tasks.wiki_chunks(n=5, seed=0)


def test_images_and_shift():
    x, y = tasks.load_images("mnist5k", 50, seed=0)
    assert x.shape == (50, 28, 28) and 0 <= x.min() and x.max() <= 1 and len(set(y.tolist())) > 3
    s = tasks.shift_images(x[:5], seed=0)
    assert s.shape == x[:5].shape and (s != x[:5]).any()


def test_load_pairs_rejects_unknown_dataset():
    import pytest
    with pytest.raises(ValueError, match="unknown dataset"):
        tasks.load_pairs("no/such-dataset", 3)
