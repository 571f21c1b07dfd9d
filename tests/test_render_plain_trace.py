"""`gradtutor trace` draws its tables without rich where render/plain.py writes what rich writes:
for every built-in example, in every language, to a pipe and on terminals of several widths, the
text must be rich's byte for byte (escape codes included), and whatever the plain lines cannot
draw (a tensor trace, a highlighted step, a table too wide for the terminal) is left to rich."""

import pytest

from gradtutor.examples import EXAMPLES
from gradtutor.lang import LANGUAGES
from gradtutor.render.cells import cell_len
from gradtutor.render.plain import Pieces, PlainTable, plain_lines, styled_lines
from gradtutor.render.term import trace_screen
from gradtutor.targets import traced
from tests.test_render_plain import plain_prints, rich_draws_on_a_terminal, rich_prints, styled_prints

WIDTHS = (60, 80, 100, 200)


def _screens(name: str, lang: str):
    result, _ = traced(name)
    yield trace_screen(result, lang=lang)
    yield trace_screen(result, step=0, lang=lang)  # the forward pass
    yield trace_screen(result, digits=2, lang=lang)
    if result.steps:
        yield trace_screen(result, step=1, lang=lang)  # step 1 highlighted: rich's


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_s_trace_prints_what_rich_prints_to_a_pipe_and_on_a_terminal(name, lang):
    for screen in _screens(name, lang):
        if plain_lines(screen) is not None:
            assert plain_prints(screen) == rich_prints(screen)
        for width in WIDTHS:
            styled = styled_prints(screen, width)
            if styled is not None:
                assert styled == rich_draws_on_a_terminal(screen, width), width


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_scalar_examples_are_drawn_without_rich_where_they_fit(lang):
    # neuron's and gate-patterns' long patterns wrap in the gate column: rich's.
    unwrapped = ("apple", "apple-orange", "mul-node", "add-mul")
    drawn = {name: trace_screen(traced(name)[0], lang=lang) for name in unwrapped}
    assert all(plain_lines(screen) is not None and styled_lines(screen, 200) is not None for screen in drawn.values())
    assert styled_lines(drawn["apple"], 100) is not None
    assert "\x1b[31m" in "".join(styled_lines(drawn["apple"], 100))  # the gradients in red, as rich draws them
    # Too narrow for the wide table (81 columns in Korean, 82 in English): rich draws the narrow layout.
    wide = cell_len(plain_lines(drawn["apple"])[0])
    assert wide in (81, 82)
    assert styled_lines(drawn["apple"], wide - 1) is None and styled_lines(drawn["apple"], wide) is not None


def test_tensor_traces_and_a_highlighted_step_are_left_to_rich():
    tensor = next(name for name, example in EXAMPLES.items() if example.kind == "tensor")
    assert plain_lines(trace_screen(traced(tensor)[0])) is None
    highlighted = trace_screen(traced("apple")[0], step=1)
    assert plain_lines(highlighted) is None and styled_lines(highlighted, 200) is None


def test_without_colour_a_terminal_gets_the_styles_but_not_the_red(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    screen = trace_screen(traced("apple")[0])
    styled = styled_prints(screen, 100)
    assert styled == rich_draws_on_a_terminal(screen, 100)
    assert "\x1b[31m" not in styled and "\x1b[1m" in styled


def test_tables_of_every_column_option_print_what_rich_prints():
    table = PlainTable("A title", [], collapse_padding=True)
    table.columns += [("Step", "right", {"no_wrap": True}), ("Gate\npattern", "left", {"min_width": 15, "max_width": 17}),
                      ("Up", "right", {"style": "red"}), ("Chain", "left", {"min_width": 12})]
    table.add_row("1", Pieces(("× f", None), ("\n", None), ("copies", "italic"), formula=True), "2",
                  Pieces(("2 × 3 = ", None), ("6", "red"), formula=True), end_section=True)
    table.add_row("", Pieces(("한국어", None)), "", Pieces(("x", "bold red")), end_section=True)
    table.add_row("2", "gate", "−1", "", end_section=True)
    table.caption = "a caption under it"
    assert plain_prints(table) == rich_prints(table)
    for width in (41, 80):  # the table is 41 columns wide
        assert styled_prints(table, width) == rich_draws_on_a_terminal(table, width)
    assert styled_lines(table, 40) is None  # rich narrows it


def test_pieces_in_a_coloured_column_and_cells_that_would_wrap_are_left_to_rich():
    coloured = PlainTable(None, [("a", "left", {"style": "red"})], [(Pieces(("x", None), ("y", "bold")),)])
    assert plain_lines(coloured) is None
    capped = PlainTable(None, [("a", "left", {"max_width": 3})], [("four",)])
    assert plain_lines(capped) is None
    unknown_style = PlainTable(None, [("a", "left", {"style": "blue"})], [("x",)])
    assert styled_lines(unknown_style, 80) is None


def test_trace_apple_to_a_pipe_imports_no_rich():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "sys.argv = ['gradtutor', 'trace', 'apple', '--lang', 'en']\n"
        "from gradtutor.cli import main\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code\n"
        "print('rich:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Backward pass from price = 220" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "rich:"  # its signs are counted without rich's width table
