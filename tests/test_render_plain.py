"""render/plain.py writes small screens of plain text without rich where rich would write the same
characters: the text must be rich's, character for character, for every installed lesson in
every language, and anything it is not sure of is left to rich."""

import contextlib
import io
import re

import pytest
from rich.console import Console

from gradtutor import cli
from gradtutor.lang import LANGUAGES
from gradtutor.render.plain import Line, PlainTable, Stack, plain_lines, styled_lines, terminal_width, writes_plain
from gradtutor.tutor import listing
from gradtutor.tutor.progress import Progress


def rich_prints(renderable) -> str:
    """What `gradtutor` prints of the renderable through rich, to a pipe."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli._print_with_rich(renderable)
    return out.getvalue()


def plain_prints(renderable) -> str:
    lines = plain_lines(renderable)
    assert lines is not None, "left to rich"
    return "".join(line + "\n" for line in lines)


@pytest.fixture
def home_with_progress(tmp_path):
    """A learner part-way through several lessons: passed, given up, tried, finished, untouched."""
    entries = listing.entries()
    with Progress.open(tmp_path) as progress:
        for number, lesson in enumerate(entries[:5]):
            quizzes = lesson.quizzes
            if not quizzes:
                continue
            progress.record_answer(lesson.id, quizzes[0].id, "42", right=number % 2 == 0)
            progress.record_hint(lesson.id, quizzes[0].id, asked=True)
            if len(quizzes) > 1:
                progress.record_answer(lesson.id, quizzes[1].id, "wrong", right=False)
                progress.give_up(lesson.id, quizzes[1].id)
            progress.set_position(lesson.id, lesson.steps[1].id, completed=number == 3)
        progress.set_position(entries[-1].id, None, completed=True)
    return tmp_path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_lesson_list_and_progress_print_what_rich_prints(home_with_progress, tmp_path_factory, lang):
    fresh = tmp_path_factory.mktemp("fresh")
    for screen in (
        listing.lessons_table(lang, home_with_progress),
        listing.progress_report(lang, home_with_progress),
        listing.lessons_table(lang, fresh),
        listing.progress_report(lang, fresh),  # no progress yet: one line
    ):
        assert plain_prints(screen) == rich_prints(screen)


def test_tables_of_every_alignment_and_width_print_what_rich_prints():
    table = PlainTable("A title", [("left", "left"), ("오른쪽", "right"), ("", "left")])
    table.add_row("x", "1", "")
    table.add_row("긴 한국어 문장", "12345", "last")
    table.add_row("", "", "")
    untitled = PlainTable(None, [("only", "right")], [("wider than its header",)])
    screens = [table, untitled, Stack((Line("Heading", bold=True), table, Line(""), untitled)), "one line (3/4)"]
    for screen in screens:
        assert plain_prints(screen) == rich_prints(screen)


@pytest.mark.parametrize("cell", ["[bold]markup[/bold]", "an :apple: emoji", "a\ttab", "two\nlines", " padded", "bell\x07"])
def test_what_rich_would_read_otherwise_is_left_to_rich(cell):
    table = PlainTable(None, [("header", "left")], [(cell,)])
    assert plain_lines(table) is None
    assert plain_lines(Stack((Line("fine"), table))) is None
    assert plain_lines(cell) is None


def test_a_title_wider_than_its_table_and_an_empty_table_are_left_to_rich():
    assert plain_lines(PlainTable("a title wider than the table", [("a", "left")], [("b",)])) is None
    assert plain_lines(PlainTable("title", [("a", "left")])) is None
    assert plain_lines(PlainTable(None, [("a", "left"), ("b", "left")], [("short row",)])) is None


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("environment", [{}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "1"},
                                         {"TTY_COMPATIBLE": "0"}, {"NO_COLOR": "1"}, {"TERM": "dumb"}])
@pytest.mark.parametrize("file", [io.StringIO, _Terminal])
def test_plain_text_is_written_only_where_rich_would_write_no_colour(monkeypatch, environment, file):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    out = file()
    console = Console(file=out)
    if writes_plain(out):
        assert console.color_system is None and not console.is_terminal and not console.options.ascii_only
    assert writes_plain(out) == (file is io.StringIO and not environment.keys() & {"FORCE_COLOR", "TTY_COMPATIBLE"})


def rich_draws_on_a_terminal(renderable, width: int) -> str:
    """What rich's Console draws of the renderable on a terminal `width` columns wide."""
    out = _Terminal()
    Console(file=out, force_terminal=True, width=width).print(renderable)
    return out.getvalue()


def styled_prints(renderable, width: int) -> str | None:
    lines = styled_lines(renderable, width)
    return None if lines is None else "".join(line + "\n" for line in lines)


def same_as_rich_or_uncut(styled: str, rich: str, width: int) -> None:
    """The lines rich draws; where rich cut a line of wide characters with "…" because only its
    break's space overflowed (rich counts that space in characters, not cells), that line whole:
    what rich kept of it, then what rich cut, and no "…"."""
    if "…" not in rich:
        assert styled == rich, width
        return
    ours, theirs = styled.splitlines(), rich.splitlines()
    assert len(ours) == len(theirs), width
    for our_line, their_line in zip(ours, theirs):
        if "…" not in their_line:
            assert our_line == their_line, width
        else:
            kept = re.sub(r"\x1b\[[0-9;]*m", "", their_line).split("…")[0].rstrip()
            assert "…" not in our_line and re.sub(r"\x1b\[[0-9;]*m", "", our_line).startswith(kept), width


@pytest.mark.parametrize("width", [60, 80, 120, 200])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_terminal_the_screens_that_fit_print_what_rich_draws(home_with_progress, lang, width):
    drawn = 0
    for screen in (listing.lessons_table(lang, home_with_progress), listing.progress_report(lang, home_with_progress)):
        styled = styled_prints(screen, width)
        if styled is not None:
            drawn += 1
            same_as_rich_or_uncut(styled, rich_draws_on_a_terminal(screen, width), width)
            assert "\x1b[1m" in styled  # bold headers, as rich draws them
    if width == 200:
        assert drawn == 2  # both fit on a wide terminal: neither is left to rich


def test_on_a_terminal_tables_of_every_alignment_print_what_rich_draws():
    table = PlainTable("A title", [("left", "left"), ("오른쪽", "right"), ("", "left")])
    table.add_row("x", "1", "")
    table.add_row("긴 한국어 문장", "12345", "last")
    untitled = PlainTable(None, [("only", "right")], [("wider than its header",)])
    for screen in (table, untitled, Stack((Line("Heading", bold=True), table, Line(""), Line("", bold=True), untitled))):
        assert styled_prints(screen, 100) == rich_draws_on_a_terminal(screen, 100)


def test_on_a_terminal_a_table_wider_than_it_and_a_bare_string_are_left_to_rich():
    table = PlainTable(None, [("header", "left")], [("x" * 30,)])
    assert styled_lines(table, 40) is not None
    assert styled_lines(table, 31) is None  # 32 columns with its padding: rich would wrap the cell
    assert styled_lines("3 of 4", 100) is None  # rich colours the numbers in a string
    assert styled_lines(Line("a heading of thirty characters", bold=True), 29) is None  # rich would wrap it


@pytest.mark.parametrize("environment", [{}, {"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}, {"NO_COLOR": "1"},
                                         {"TERM": "dumb"}, {"TERM": "xterm-256color"}, {"COLUMNS": "123"},
                                         {"COLUMNS": "wide"}])
@pytest.mark.parametrize("file", [io.StringIO, _Terminal])
def test_the_terminal_width_is_rich_s_where_rich_would_draw_styles(monkeypatch, environment, file):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TERM", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    out = file()
    console = Console(file=out)
    width = terminal_width(out)
    if width is not None:
        assert console.is_terminal and console.color_system is not None and not console.options.ascii_only
        assert width == console.width
    expected = file is _Terminal and not environment.keys() & {"FORCE_COLOR", "TTY_COMPATIBLE"} \
        and environment.get("TERM") != "dumb"
    assert (width is not None) == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_terminal_narrower_than_the_lesson_list_it_wraps_as_rich_does(home_with_progress, lang):
    """rich narrows the widest columns to the terminal and wraps their words: the same lines, for
    every width from 60 to 200 columns, except that no Hangul title is cut with "…"."""
    drawn, uncut = [], []
    for width in range(60, 201):
        for screen in (listing.lessons_table(lang, home_with_progress), listing.progress_report(lang, home_with_progress)):
            styled = styled_prints(screen, width)
            if styled is not None:
                rich = rich_draws_on_a_terminal(screen, width)
                same_as_rich_or_uncut(styled, rich, width)
                drawn.append(width)
                uncut.append("…" in rich)
    if lang == "en":  # the titles wrap at 80 and 100 columns, and are drawn here
        assert {80, 100} <= set(drawn)
    else:  # rich cuts a title at some widths (80 among them); they are drawn here, whole
        assert any(uncut) and 80 in drawn and set(range(67, 201)) <= set(drawn)
    assert len(drawn) > 200


def test_a_line_of_hangul_is_not_cut_where_only_its_break_s_space_overflows():
    title = "합성곱 신경망: 출력 크기, 매개변수 수, LeNet"
    table = PlainTable(None, [("수업", "left"), ("제목", "left"), ("단계", "right")])
    table.add_row("cnn", title, "16")
    widths = [width for width in range(24, 60) if "…" in rich_draws_on_a_terminal(table, width)]
    assert widths, "rich no longer cuts: this difference can go"
    for width in widths:
        styled = styled_prints(table, width)
        assert styled is not None and "…" not in styled, width
        words = " ".join(line[6:-6] for line in re.sub(r"\x1b\[[0-9;]*m", "", styled).splitlines()[2:]).split()
        assert words == title.split(), width


def test_narrowed_tables_of_both_alignments_print_what_rich_draws():
    table = PlainTable("Words", [("a long header", "left"), ("right", "right"), ("short", "left")])
    table.add_row("one two three four five six", "1 22 333", "x")
    table.add_row("한국어 문장을 여러 줄로 나눈다", "", "seven eight nine")
    for width in range(24, 60):
        styled = styled_prints(table, width)
        if styled is not None:
            same_as_rich_or_uncut(styled, rich_draws_on_a_terminal(table, width), width)
    assert styled_prints(table, 40) is not None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_on_a_terminal_the_progress_of_a_new_learner_prints_what_rich_draws(tmp_path, lang):
    screen = listing.progress_report(lang, tmp_path)
    for width in (80, 100):
        assert styled_prints(screen, width) == rich_draws_on_a_terminal(screen, width)


def test_lines_break_where_rich_breaks_them():
    import random

    from rich._wrap import divide_line

    from gradtutor.render.plain import _breaks

    rng = random.Random(0)
    words = ["a", "bb", "word", "longerword", "한국어", "문장을", "x" * 15, "(2,", "3)", "−0.5"]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        width = rng.randint(1, 30)
        assert _breaks(text, width) == divide_line(text, width, fold=False), (text, width)
