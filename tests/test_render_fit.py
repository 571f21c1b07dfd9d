"""The terminal views at 80 and 60 columns: nothing is cut off with "…", words wrap whole, a
matrix is never broken across lines, and a formula stays on one line."""

import pytest
from rich.console import Console

from gradtutor.engine import Value
from gradtutor.render.fit import Block, Formula
from gradtutor.render.term import plain_text, trace_table
from gradtutor.tracer import trace
from render_golden import console_text


def test_a_formula_wraps_before_itself_not_inside():
    assert plain_text(Formula("tanh scales by 1 − z²"), width=17) == "tanh scales by\n1 − z²\n"
    assert plain_text(Formula("(1 if x > 0 else 0) = 1"), width=20) == "(1 if x > 0 else\n0) = 1\n"
    # A rule wider than the width breaks after its "=" before it breaks anywhere else.
    assert plain_text(Formula("dL/dx = dL/dz ⊙ [x > 0]"), width=16) == "dL/dx =\ndL/dz ⊙ [x > 0]\n"


def test_a_block_is_never_wrapped_and_says_what_it_is_where_it_does_not_fit():
    matrix = Block("⎡1  20⎤\n⎣3   4⎦", instead="a (2, 2) matrix")
    assert plain_text(matrix, width=7) == "⎡1  20⎤\n⎣3   4⎦\n"
    assert plain_text(matrix, width=6) == "a (2,\n2)\nmatrix\n"


@pytest.mark.parametrize("width", [80, 60])
def test_a_tanh_gate_s_pattern_keeps_its_formula_whole(width):
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    h = (x * w).tanh()
    h.name = "h"
    text = console_text(trace_table(trace(h, 1.0)), width=width)
    assert "1 − z²" in text.replace("1 − h²", "1 − z²") and "…" not in text
    assert not any(line.rstrip().endswith(("by 1", "− ")) for line in text.splitlines())
