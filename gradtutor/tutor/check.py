"""`gradtutor dev check`: every lesson against its schema, the engine and the renderers.

The test suite runs exactly this check (parametrized per lesson), so a lesson that passes here
passes there. Problems come back as one line each: file, step, what is wrong.
"""

from __future__ import annotations

from gradtutor.tutor import answers, giveaways, grading, lessons
from gradtutor.tutor.lessons import Lesson, LessonError, Step
from gradtutor.tutor.quiz_kinds import QUIZ_KINDS, describe
from gradtutor.render.term import plain_text
from gradtutor.tutor.sources import SOURCES, family_of
from gradtutor.tutor.text import LANGUAGES

__all__ = ["check", "check_lesson", "check_step", "describe", "render_view"]


def check(names: list[str] | None = None) -> list[str]:
    """Problems in the named lessons (all installed lessons when None, and installed folders
    that are no lesson); a name with a "/" is a folder: one lesson, or a folder of lessons."""
    problems = [] if names else lessons.unlisted()
    for name in names or lessons.names():
        if lessons.is_path(name):
            problems.extend(check_folder(name))
            continue
        problems.extend(_checked(lambda: lessons.load(name)))
    return problems


def check_folder(path) -> list[str]:
    """Problems in the lesson in `path`, or in every lesson of a folder of lessons."""
    found, problems = lessons.in_folder(path)
    for name, folder in found:
        where = str(folder) if len(found) > 1 or str(path) != str(folder) else str(path).rstrip("/")
        problems.extend(_checked(lambda: lessons.load(name, folder, where=where)))
    return problems


def _checked(load) -> list[str]:
    try:
        lesson = load()
    except LessonError as exc:
        return list(exc.problems)
    return check_lesson(lesson)


def check_lesson(lesson: Lesson) -> list[str]:
    problems = []
    for step in lesson.steps:
        where = f"{lesson.where}/{lessons.MANIFEST}: step {step.id}"
        try:
            problems.extend(f"{where}: {p}" for p in check_step(step))
        except Exception as exc:  # an engine or renderer failure is a finding, not a crash
            problems.append(f"{where}: {type(exc).__name__}: {exc}")
    for family in SOURCES.values():  # each family's table, also the entries no step uses (yet)
        if family.table:
            entries = lesson.tables.get(family.table, {})
            problems.extend(f"{lesson.where}/{lessons.MANIFEST}: {p}" for p in family.check_table(entries, lesson.steps))
    problems.extend(_check_prose(lesson))
    problems.extend(giveaways.check(lesson))  # no quiz's answer on screen before it is asked
    return problems


def check_step(step: Step) -> list[str]:
    family = family_of(step.source) if step.source is not None else None
    if step.kind in ("show", "quiz") and family is not None:
        reason = family.preflight(step.source)
        if reason:
            return [reason]  # not solved: the check itself stays fast
    if step.kind == "show":
        return render_view(step, answers.solve(step.source))
    if step.kind != "quiz":
        return []
    problems = []
    try:
        the_key = grading.key(step)
    except answers.QuantityError as exc:
        return [str(exc)]
    if step.hint_after > step.tries:
        problems.append(f"hint_after {step.hint_after} is more than tries {step.tries}: no hint would ever come by itself")
    verdict = grading.judge(step, step.answer, the_key)
    if not verdict.right:
        problems.append(
            f"answer {step.answer_text} but the engine computes "
            f"{step.quantity.text if step.quantity else 'the key'} = {describe(the_key.value)}"
        )
    problems.extend(QUIZ_KINDS[step.quiz].problems(step, the_key.value))
    for mistake in the_key.mistakes[: len(step.mistakes)]:  # the lesson's own, listed first
        if grading.judge(step, mistake.value, the_key).right:
            problems.append(f"a listed mistake ({describe(mistake.value)}) is in fact a right answer")
    if the_key.trace is not None:
        problems.extend(family.check_solution(step, the_key, LANGUAGES))
    return problems


def render_view(step: Step, result) -> list[str]:
    """Render what a show step shows, in every language, and whatever else its family checks
    (a traced step's diagram must render to DOT, and a diagram step's must also lay out)."""
    return family_of(step.source).check_view(step, result, LANGUAGES)


def _check_prose(lesson: Lesson) -> list[str]:
    """Every Markdown text renders in every language (a broken table or fence shows up here)."""
    from rich.markdown import Markdown

    problems = []
    for lang in LANGUAGES:
        texts = [lesson.intro[lang]] + [s.body.get(lang, "") for s in lesson.steps]
        for text in texts:
            try:
                plain_text(Markdown(text))
            except Exception as exc:
                problems.append(f"{lesson.where}/{lang}.md: Markdown does not render ({exc})")
    return problems
