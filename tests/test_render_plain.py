"""render/plain.py writes small screens of plain text without rich where rich would write the same
characters: the text must be rich's, character for character, for every installed lesson in
every language, and anything it is not sure of is left to rich."""

import contextlib
import io

import pytest
from rich.console import Console

from gradtutor import cli
from gradtutor.lang import LANGUAGES
from gradtutor.render.plain import Line, PlainTable, Stack, plain_lines, writes_plain
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
