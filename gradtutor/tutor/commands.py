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

from gradtutor.tutor import lessons
from gradtutor.tutor.answers import QuantityError
from gradtutor.tutor.listing import TutorInputError, language, lessons_table, progress_report  # noqa: F401: callers import them from here too
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.text import ui


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
