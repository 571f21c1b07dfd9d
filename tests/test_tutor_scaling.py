"""The scaling source family: the variance of q·k grows as d_k, and what that does to softmax."""

import pytest

from gradtutor.tutor.sources import SOURCES
from gradtutor.tutor.sources.scaling import SCALING, measure, spec

DK = spec("dk", {"widths": [4, 256], "keys": 8, "samples": 1000, "seed": 0})


def test_the_family_is_in_the_table():
    assert SOURCES["scaling"] is SCALING


def test_the_scores_variance_grows_as_d_k_and_the_division_keeps_it_near_one():
    small, wide = measure(DK).rows
    assert 3.0 < small.variance[0] < 5.0 and 200.0 < wide.variance[0] < 320.0
    assert all(0.85 < row.variance[1] < 1.15 for row in (small, wide))


def test_unscaled_wide_scores_saturate_softmax_and_starve_its_gradient():
    small, wide = measure(DK).rows
    assert wide.max_weight[0] > 0.9 > small.max_weight[0]
    assert wide.score_grad[0] < small.score_grad[0] / 3  # the saturated softmax passes little back
    assert abs(wide.score_grad[1] - small.score_grad[1]) < 0.05  # scaled: the same at both widths


def test_quantities_are_read_per_width_raw_or_scaled():
    result = SCALING.solve(DK)
    wide = result.rows[1]
    assert SCALING.quantity(SCALING.parse_quantity("variance", ["256"], "variance:256"), result) == wide.variance[0]
    scaled = SCALING.parse_quantity("score_grad", ["256", "scaled"], "score_grad:256:scaled")
    assert SCALING.quantity(scaled, result) == wide.score_grad[1]
    assert SCALING.parse_quantity("variance", ["256", "raw"], "variance:256:raw") is None
    with pytest.raises(ValueError, match="not 64"):
        SCALING.quantity(SCALING.parse_quantity("variance", ["64"], "variance:64"), result)


def test_the_same_seed_measures_the_same_numbers():
    again = spec("again", {"widths": [4, 256], "keys": 8, "samples": 1000, "seed": 0})
    assert measure(again).rows == measure(DK).rows


@pytest.mark.parametrize(("table", "message"), [
    ({}, "widths must be a list"),
    ({"widths": [4, 4]}, "lists a width twice"),
    ({"widths": [4], "keys": 1}, "keys must be a whole number from 2"),
    ({"widths": [4], "heads": 2}, "unknown key 'heads'"),
])
def test_a_bad_table_is_one_line(table, message):
    with pytest.raises(ValueError, match=message):
        spec("bad", table)


@pytest.mark.parametrize("width", [40, 50, 60, 70, 80, 100])
def test_the_table_shows_every_number_whole_at_any_width(width):
    from gradtutor.numbers import human
    from gradtutor.render.scaling import scaling_table
    from gradtutor.render.term import plain_text

    result = measure(DK)
    text = plain_text(scaling_table(result), width=width)
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= width
    for row in result.rows:
        for figure in (row.variance, row.max_weight, row.score_grad):
            assert all(human(x, 4) in text for x in figure)


def test_the_table_s_title_speaks_the_lesson_s_language():
    from gradtutor.render.scaling import scaling_table
    from gradtutor.render.term import plain_text

    result = measure(DK)
    english, korean = (plain_text(scaling_table(result, lang=lang), width=100) for lang in ("en", "ko"))
    assert "1000 queries × 8 keys" in english
    assert "쿼리 1000개 × 키 8개" in korean and "queries" not in korean
