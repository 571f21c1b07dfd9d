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
