"""The terminal views at 80 and 60 columns: nothing is cut off with "…", words wrap whole, a
matrix is never broken across lines, and a formula stays on one line."""

import pytest

from gradtutor.engine import Value
from gradtutor.render.fit import Block, Formula
from gradtutor.render.term import plain_text, trace_table
from gradtutor.tracer import trace
from printed import printed
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


TENSOR_VIEWS = [
    ("softmax", 80, "en"), ("softmax", 60, "en"), ("softmax", 60, "ko"), ("softmax-loss", 80, "en"),
    ("softmax-loss", 60, "en"), ("affine-batch", 80, "en"), ("affine-batch", 60, "ko"),
]


@pytest.mark.parametrize("name, width, lang", TENSOR_VIEWS)
def test_tensor_tables_at_80_and_60_columns_golden(name, width, lang):
    """A gate whose table is too wide is shown stacked per input: every matrix whole, every word whole."""
    from rich.cells import cell_len

    from render_golden import assert_golden, traced

    text = console_text(trace_table(traced(name), lang=lang), width=width)
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= width
    assert_golden(f"table-{name}-{lang}-{width}.txt", text)


def test_the_softmax_jacobian_keeps_its_third_column_at_80_columns():
    from render_golden import traced

    trace = traced("softmax")
    text = console_text(trace_table(trace), width=80)
    jacobian = trace.steps[0].flows[0].jacobian
    for row in jacobian:  # each row of J on one line, all three entries
        assert any(all(printed(f"{v:.4g}") in line for v in row) for line in text.splitlines())


def test_a_heading_that_fits_is_rich_s_rule_with_its_title():
    from rich.rule import Rule
    from rich.text import Text

    from gradtutor.render.fit import Heading

    for align in ("center", "left"):
        title = Text("Lesson: Backpropagation, one node at a time")
        assert console_text(Heading(title, align), width=60) == console_text(Rule(title, align=align), width=60)


@pytest.mark.parametrize("align", ["center", "left"])
def test_a_heading_too_long_for_its_rule_is_written_whole_over_it(align):
    from rich.text import Text

    from gradtutor.render.fit import Heading

    title = "Lesson: Optimizers: how the update rule moves the weights"
    text = console_text(Heading(Text(title), align), width=50)
    assert "…" not in text
    lines = text.splitlines()
    assert " ".join(line.strip() for line in lines[:-1]) == title
    assert lines[-1] == "─" * 50


SENTENCE = "Every step below is a gate: v₁ = 3, v₂ = 4, v₃ = −2, and x + y = z with w = 0, b = 0 → done."


@pytest.mark.parametrize("width", range(12, 81, 3))
def test_prose_breaks_after_an_operator_never_before_it(width):
    from rich.text import Text

    from gradtutor.render.fit import Prose

    text = console_text(Prose(Text(SENTENCE)), width=width)
    lines = [line.rstrip() for line in text.splitlines()]
    assert all(len(line) <= width for line in lines)
    assert not any(line.lstrip()[:1] in "=+→·×" and line.lstrip()[1:2] == " " for line in lines)
    assert " ".join(lines) == SENTENCE  # every word, in order, none cut


def test_prose_keeps_its_styles_and_measures_its_glued_words():
    from rich.console import Console
    from rich.measure import Measurement
    from rich.text import Text

    from gradtutor.render.fit import Prose

    text = Text("so v₃ = ")
    text.append("4", style="bold")
    console = Console(width=7, force_terminal=True, color_system="standard")
    with console.capture() as captured:
        console.print(Prose(text))
    assert "\x1b[1m4" in captured.get() and "v₃ =" in captured.get()
    assert Measurement.get(console, console.options, Prose(text)).minimum == len("v₃ =")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [60, 80, 100])
def test_the_examples_list_wraps_its_lines_whole(lang, width):
    from gradtutor.examples import EXAMPLES
    from gradtutor.render.cells import cell_len
    from gradtutor.render.term import examples_table

    text = console_text(examples_table(lang), width=width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    own = sum(example.summary_in(lang).count("…") for example in EXAMPLES.values())  # "tokens 0 … i"
    assert text.count("…") == own  # a Korean line rich measured one cell too wide was cut with "…"
    for example in EXAMPLES.values():
        assert " ".join(example.summary_in(lang).split()) in " ".join(text.split())
