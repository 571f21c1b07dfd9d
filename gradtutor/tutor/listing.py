"""The lesson list and the progress report: `gradtutor lessons` and `gradtutor progress`.

They read each lesson's titles and step ids from tutor/catalog.py, not by loading the lessons, so
that listing them starts as fast as the command line itself (benchmarks/startup.py), and return
render/plain.py's screens, which a pipe or a file gets without importing rich.
"""

from __future__ import annotations

from pathlib import Path

from gradtutor.errors import UserError
from gradtutor.render.plain import Line, PlainTable, Stack
from gradtutor.tutor import catalog
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.text import LANGUAGES, default_language, ui


def entries() -> list[catalog.Entry]:
    """Every installed lesson as the listings show it, in teaching order."""
    found = [catalog.read(name) or _loaded(name) for name in catalog.names()]
    return sorted(found, key=lambda entry: (entry.order, entry.id))


def _loaded(name: str) -> catalog.Entry:
    """The entry of a lesson the full loader reads (and checks, raising LessonError)."""
    from gradtutor.tutor import lessons

    lesson = lessons.load(name)
    steps = tuple(catalog.StepEntry(step.id, step.kind, step.title) for step in lesson.steps)
    return catalog.Entry(lesson.id, lesson.order, lesson.title, steps)


class TutorInputError(UserError, ValueError):
    """Bad input to a tutor command (an unreadable answers file, an unknown language)."""


def language(lang: str | None) -> str:
    if lang is None:
        return default_language()
    if lang not in LANGUAGES:
        raise TutorInputError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return lang


def lessons_table(lang: str | None = None, home: Path | None = None) -> PlainTable:
    """`gradtutor lessons`: each lesson with its title and the learner's place in it."""
    lang = language(lang)
    table = _table(lang, ui(lang, "lessons_title"), ("col_lesson", "col_title", "col_steps", "col_passed", "col_status"),
                   right=("col_steps", "col_passed"))
    with Progress.open(home, unsaved_ok=True) as progress:  # reads only: a read-only store will do
        for lesson in entries():
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
    lang = language(lang)
    parts, listed = [], entries()
    with Progress.open(home, unsaved_ok=True) as progress:  # reads only
        for lesson in listed:
            record = progress.lesson(lesson.id)
            if not record.steps and record.position is None and not record.completed_at:
                continue
            passed = len(record.passed(s.id for s in lesson.quizzes))
            title = ui(lang, "progress_title", title=lesson.title[lang], passed=passed, total=len(lesson.quizzes))
            # The heading is its own line, not the table's title: a title is wrapped to the
            # table's width, which is narrower than the heading for a lesson of short step names.
            if parts:
                parts.append(Line(""))
            parts.append(Line(title, bold=True))
            table = _table(lang, None, ("col_step", "col_status", "col_attempts", "col_hints"),
                           right=("col_attempts", "col_hints"))
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
    if not parts:  # a Line, not a str: rich would look for numbers to colour in a str, which takes its console
        return Line(ui(lang, "no_progress", lesson=listed[0].id))
    return Stack(tuple(parts))


def _table(lang: str, title: str | None, keys: tuple[str, ...], right: tuple[str, ...]) -> PlainTable:
    """A table with a column per key of the UI strings, those in `right` aligned right."""
    return PlainTable(title, [(ui(lang, key), "right" if key in right else "left") for key in keys])
