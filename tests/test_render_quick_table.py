"""render/quick_table.py draws the terminal tables without rich's per-cell machinery: its text must
be rich's own, character for character, for every table the views make, at every width."""

import io

import pytest
from rich.console import Console, Group
from rich.text import Text

from gradtutor import examples
from gradtutor.engine import Value
from gradtutor.render.fit import Formula
from gradtutor.render.quick_table import Quick
from gradtutor.render.term import _table, checks_table, forward_table, summary, trace_table
from gradtutor.tracer import trace
from render_golden import traced

SCALAR = [name for name, example in examples.EXAMPLES.items() if example.kind == "scalar"]


def printed(renderable, width: int, measure_first: bool = False) -> str:
    """What a colourless console of `width` columns writes; `measure_first` sizes the console to the
    renderable's natural width first, as the CLI does for a pipe."""
    if measure_first:
        probe = Console(file=io.StringIO(), width=width, color_system=None)
        width = max(width, probe.measure(renderable, options=probe.options.update_width(10_000)).maximum)
    sink = io.StringIO()
    Console(file=sink, width=width, color_system=None).print(renderable)
    return sink.getvalue()


def unwrapped(renderable):
    """The same renderable with every Quick replaced by the rich table it wraps."""
    if isinstance(renderable, Quick):
        return renderable.table
    if isinstance(renderable, Group):
        return Group(*(unwrapped(part) for part in renderable.renderables))
    if hasattr(renderable, "table") and hasattr(renderable, "_fallback"):  # FitWidth
        fallback = renderable._fallback
        fit = type(renderable)(unwrapped(renderable.table), lambda: unwrapped(fallback() if callable(fallback) else fallback))
        return fit
    return renderable


VIEWS = {
    "table": lambda t, lang: trace_table(t, lang=lang),
    "step 2": lambda t, lang: trace_table(t, step=min(2, len(t.steps)), lang=lang),
    "summary": lambda t, lang: summary(t, lang=lang),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("name", SCALAR)
def test_quick_tables_print_what_rich_prints(name, view, lang):
    result = traced(name)
    for width in (40, 60, 80, 100, 200):
        for measure_first in (False, True):
            quick = printed(VIEWS[view](result, lang), width, measure_first)
            assert quick == printed(unwrapped(VIEWS[view](result, lang)), width, measure_first), (width, measure_first)


def test_quick_table_of_a_chain_with_fanout_prints_what_rich_prints():
    x = Value(0.5, "x")
    h = x
    for i in range(40):
        h = (h * Value(1.01, f"w{i}") + x).tanh()
    result = trace(h)
    for width in (80, 300):
        assert printed(trace_table(result), width, True) == printed(unwrapped(trace_table(result)), width, True)


def test_quick_table_with_every_justification_and_multiline_cells_prints_what_rich_prints():
    table = _table("a title that is longer than the table is wide, so that it wraps")
    table.add_column("left\nheader")
    table.add_column("right", justify="right", min_width=9)
    table.add_column("centre", justify="center", max_width=12)
    table.add_row("a", Text("1.5"), Formula("x = 2"), end_section=True)
    table.add_row("", "two\nlines", Formula(Text("tanh h\n1 − h²")))
    table.add_row("한국어", "", "")
    table.caption = "a caption"
    for width in (20, 30, 80):
        assert printed(Quick(table), width) == printed(table, width)


def test_a_table_quick_cannot_draw_is_left_to_rich():
    table = _table("markup")
    table.add_column("cell")
    table.add_row("[bold]x[/bold]")  # markup: rich's own reading decides the text
    assert printed(Quick(table), 40) == printed(table, 40)
    coloured = io.StringIO()
    Console(file=coloured, width=40, color_system="truecolor", force_terminal=True).print(Quick(table))
    assert "\x1b[1m" in coloured.getvalue()


def test_forward_and_checks_tables_stay_rich_tables():
    result = traced("neuron", check=True)
    assert printed(Quick(forward_table(result)), 100) == printed(forward_table(result), 100)
    assert printed(Quick(checks_table(result)), 100) == printed(checks_table(result), 100)


def test_its_cell_count_is_rich_s_for_any_text():
    """quick_table counts a string's cells once per distinct character; rich, per character."""
    import random

    from rich.cells import cell_len as rich_cell_len

    from gradtutor.render.cells import cell_len

    characters = "ab1 −×·⊙σ→∂역전파\x07\t\u0301\u200b😀\ufe0f\u200dé"
    rng = random.Random(0)
    for _ in range(5000):
        text = "".join(rng.choice(characters) for _ in range(rng.randint(0, 12)))
        assert cell_len(text) == rich_cell_len(text), repr(text)


def test_the_signs_counted_without_rich_s_table_are_one_column_wide_in_it():
    from rich.cells import cell_len as rich_cell_len

    from gradtutor.render.cells import ONE_COLUMN

    assert all(rich_cell_len(sign) == 1 for sign in ONE_COLUMN)
