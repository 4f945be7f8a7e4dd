"""The matched-reliability pick of ftkit.papers.locft_bf."""
import pytest

from ftkit.papers.locft_bf import pick_at_floor


def _p(rel, loc, tag):
    return {"reliability %": rel, "locality val %": loc, "tag": tag}


def test_best_locality_among_points_at_the_floor():
    pts = [_p(100, 20, "a"), _p(95, 50, "b"), _p(60, 90, "c"), _p(90, 40, "d")]
    assert pick_at_floor(pts, 90)["tag"] == "b"         # c has more locality but misses the floor
    assert pick_at_floor(pts, 99)["tag"] == "a"
    assert pick_at_floor(pts, 50)["tag"] == "c"


def test_ties_prefer_reliability_then_order():
    pts = [_p(92, 50, "a"), _p(97, 50, "b"), _p(97, 50, "c")]
    assert pick_at_floor(pts, 90)["tag"] == "b"


def test_no_point_at_the_floor_returns_the_most_reliable():
    pts = [_p(40, 90, "a"), _p(70, 10, "b"), _p(70, 30, "c")]
    assert pick_at_floor(pts, 90)["tag"] == "c"
    with pytest.raises(ValueError):
        pick_at_floor([], 90)
