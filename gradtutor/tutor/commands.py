"""What `gradtutor lesson`, `lessons`, `progress`, `reset` and `dev check` do, as functions.

The CLI is a thin layer over these; tests call them directly too. Everything that can go wrong
with the user's input raises one of the project's errors (LessonError, ProgressError,
TutorInputError), which the CLI turns into a one-line message and exit code 2.
"""

from __future__ import annotations

import json
import sys
import tomllib
import warnings
from pathlib import Path

from rich import box
from rich.table import Table
from rich.text import Text

from gradtutor.errors import UserError
from gradtutor.tutor import lessons
from gradtutor.tutor.answers import QuantityError
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.text import LANGUAGES, default_language, ui


class TutorInputError(UserError, ValueError):
    """Bad input to a tutor command (an unreadable answers file, an unknown language)."""


def language(lang: str | None) -> str:
    if lang is None:
        return default_language()
    if lang not in LANGUAGES:
        raise TutorInputError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return lang


def read_answers(path: Path) -> dict[str, list[str]]:
    from gradtutor.tutor.session import answers_from_toml

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TutorInputError(f"cannot read the answers file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TutorInputError(f"the answers file {path} is not valid TOML: {exc}") from None
    return answers_from_toml(data)


def run_lesson(
    name: str,
    lang: str | None = None,
    answers: Path | None = None,
    home: Path | None = None,
    stdin=None,
    console=None,
    step: str | None = None,
    only_open: bool = False,
) -> int:
    """Teach one lesson; returns the exit code (0: every quiz passed, 1: not every quiz).

    `step` starts at that step (then goes on from there); `only_open` walks just the quizzes not
    yet passed. The hints the tutor prints to continue repeat the options given here."""
    from gradtutor.tutor.session import AnswerFile, Keyboard, Lines, Session, console_for

    stdin = sys.stdin if stdin is None else stdin
    again = resume_command(name, lang, answers, home, only_open)
    lang = language(lang)
    lesson = lessons.load_folder(name) if lessons.is_path(name) else lessons.load(name)
    if step is not None and only_open:
        raise TutorInputError("choose one of --step and --open")
    if step is not None and step not in {s.id for s in lesson.steps}:
        raise TutorInputError(f"lesson {name} has no step {step!r}; its steps are: {', '.join(s.id for s in lesson.steps)}")
    answer_lines = read_answers(answers) if answers is not None else None
    scripted = answer_lines is not None or not _is_tty(stdin)
    console = console or console_for(scripted)
    if answer_lines is not None:
        unknown = sorted(set(answer_lines) - {step.id for step in lesson.quizzes})
        if unknown:
            raise TutorInputError(f"the answers file names steps that are not quizzes of {name}: {', '.join(unknown)}")
        source = AnswerFile(answer_lines, console)
    elif scripted:
        source = Lines(stdin, console)
    else:
        source = Keyboard(console)
    # A read-only store still teaches the lesson: the learner is told, once, that it is not kept.
    with Progress.open(home, unsaved_ok=True) as progress:
        if progress.unsaved:
            warnings.warn(f"{progress.unsaved}; progress in this lesson will not be saved", stacklevel=1)
        try:
            return Session(lesson, lang, progress, console, source, again, only_open, step).run()
        except QuantityError as exc:  # a quantity the loader read but the engine cannot compute
            raise lessons.LessonError([_quantity_problem(lesson, exc)]) from None


def resume_command(name: str, lang: str | None, answers: Path | None, home: Path | None, only_open: bool) -> str:
    """`gradtutor lesson NAME` with the options that were given (a step to start at is not
    repeated: the next run continues where this one stopped)."""
    import shlex

    words = ["gradtutor", "lesson", name]
    for option, value in (("--lang", lang), ("--answers", answers), ("--home", home)):
        if value is not None:
            words += [option, str(value)]
    if only_open:
        words.append("--open")
    return shlex.join(words)


def _quantity_problem(lesson, error: QuantityError) -> str:
    """One line for a quiz whose key cannot be computed: the first such step, as dev check says it."""
    from gradtutor.tutor.grading import key

    for step in lesson.quizzes:
        try:
            key(step)
        except QuantityError as exc:
            return f"{lesson.where}/{lessons.MANIFEST}: step {step.id}: {exc} (`gradtutor dev check` lists every problem)"
        except Exception:  # another step's own failure is not the one being reported
            continue
    return f"{lesson.where}/{lessons.MANIFEST}: {error}"


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def lessons_table(lang: str | None = None, home: Path | None = None) -> Table:
    """`gradtutor lessons`: each lesson with its title and the learner's place in it."""
    lang = language(lang)
    table = _table(ui(lang, "lessons_title"))
    for key in ("col_lesson", "col_title", "col_steps", "col_passed", "col_status"):
        table.add_column(ui(lang, key), justify="right" if key in ("col_steps", "col_passed") else "left")
    with Progress.open(home, unsaved_ok=True) as progress:  # reads only: a read-only store will do
        for lesson in lessons.load_all():
            record = progress.lesson(lesson.id)
            passed = len(record.passed(s.id for s in lesson.quizzes))
            table.add_row(
                lesson.id,
                lesson.title[lang],
                str(len(lesson.steps)),
                f"{passed}/{len(lesson.quizzes)}",
                _status(lesson, record, lang),
            )
    return table


def _status(lesson, record, lang: str) -> str:
    if record.completed_at and record.position is None:
        return ui(lang, "status_done")
    if record.position is None and not record.steps:
        return ui(lang, "status_new")
    return ui(lang, "status_at", number=lesson.index(record.position) + 1, total=len(lesson.steps))


def progress_report(lang: str | None = None, home: Path | None = None):
    """`gradtutor progress`: per lesson, every quiz's status, attempts and hints asked for."""
    from rich.console import Group

    lang = language(lang)
    parts = []
    with Progress.open(home, unsaved_ok=True) as progress:  # reads only
        for lesson in lessons.load_all():
            record = progress.lesson(lesson.id)
            if not record.steps and record.position is None and not record.completed_at:
                continue
            passed = len(record.passed(s.id for s in lesson.quizzes))
            title = ui(lang, "progress_title", title=lesson.title[lang], passed=passed, total=len(lesson.quizzes))
            # The heading is its own line, not the table's title: a title is wrapped to the
            # table's width, which is narrower than the heading for a lesson of short step names.
            if parts:
                parts.append(Text(""))
            parts.append(Text(title, style="bold"))
            table = _table(None)
            for key in ("col_step", "col_status", "col_attempts", "col_hints"):
                table.add_column(ui(lang, key), justify="right" if key in ("col_attempts", "col_hints") else "left")
            for step in lesson.quizzes:
                done = record.steps.get(step.id)
                status = done.status if done else "open"
                table.add_row(
                    step.title[lang],
                    ui(lang, f"status_{status}"),
                    str(done.attempts if done else 0),
                    str(done.hints_asked if done else 0),  # asked for: not those given after a wrong try
                )
            parts.append(table)
    if not parts:
        first = lessons.load_all()[0].id
        return ui(lang, "no_progress", lesson=first)
    return Group(*parts)


def export_progress(home: Path | None = None) -> str:
    """`gradtutor progress --export json`: everything, for moving to another machine."""
    with Progress.open(home, unsaved_ok=True) as progress:  # reads only
        return progress.export_json()


def import_progress(path: Path, home: Path | None = None) -> list[str]:
    """`gradtutor progress --import FILE`: load an export; returns the lessons it replaced."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TutorInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TutorInputError(f"{path} is not JSON: {exc}") from None
    except RecursionError:
        raise TutorInputError(f"{path} is nested too deeply to be a progress export") from None
    except ValueError as exc:  # a number of more than 4,300 digits, say
        raise TutorInputError(f"{path} cannot be read as JSON: {str(exc).split(';')[0]}") from None
    with Progress.open(home) as progress:
        return progress.import_export(data)


def reset(name: str, lang: str | None = None, home: Path | None = None) -> str:
    """`gradtutor reset LESSON`: forget the learner's progress in one lesson."""
    lang = language(lang)
    if name not in lessons.names():
        lessons.load(name)  # raises the "unknown lesson …; lessons are: …" error
    with Progress.open(home) as progress:
        cleared = progress.reset(name)
    return ui(lang, "reset_done" if cleared else "reset_nothing", lesson=name)


def dev_check(names: list[str] | None = None) -> list[str]:
    """`gradtutor dev check`: every problem in the lessons, one line each (none: all good)."""
    from gradtutor.tutor.check import check

    for name in names or []:
        if lessons.is_path(name):
            lessons.in_folder(name)  # raises the no-such-folder error
        elif name not in lessons.names():
            lessons.load(name)  # raises the unknown-lesson error
    return check(names)


def _table(title: str | None) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
