"""`gradtutor figure`: save the picture a lesson step draws (histograms, curves, optimizer paths)
as SVG or PNG, for slides and handouts.

A step draws a picture when it is a show step whose source family lists its view in
`picture_views` (tutor/source_family.py). Its source is solved exactly as the lesson solves it
(answers.solve), and the family's `picture(step, result, lang)` gives the render layer's
Picture, titled in the language asked for. Nothing here prints: the CLI prints what these return.
"""

from __future__ import annotations

from pathlib import Path

from gradtutor.errors import UserError
from gradtutor.tutor import lessons
from gradtutor.tutor.listing import language
from gradtutor.tutor.sources import family_of
from gradtutor.tutor.text import pick, ui

SUFFIXES = (".svg", ".png")


class FigureError(UserError, ValueError):
    """A figure that cannot be saved as asked: no such step, a step without a picture, no file."""


def _lesson(name: str) -> lessons.Lesson:
    return lessons.load_folder(name) if lessons.is_path(name) else lessons.load(name)


def picture_steps(lesson: lessons.Lesson) -> list[lessons.Step]:
    """The lesson's show steps that draw a picture, in the lesson's order."""
    return [step for step in lesson.steps
            if step.kind == "show" and step.source is not None and step.view in family_of(step.source).picture_views]


def _none_drawn(name: str) -> FigureError:
    others = []
    for lesson in lessons.load_all():
        if picture_steps(lesson):
            others.append(lesson.id)
    return FigureError(f"lesson {name} has no step that draws a picture (lessons that do: {', '.join(others)})")


def steps_table(name: str, lang: str | None = None):
    """A rich Table of the steps of lesson `name` that draw a picture: id, what it draws, title."""
    from rich import box
    from rich.table import Table

    lang = language(lang)
    lesson = _lesson(name)
    steps = picture_steps(lesson)
    if not steps:
        raise _none_drawn(name)
    table = Table(title=ui(lang, "figure_steps", lesson=lesson.id), title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False, caption=ui(lang, "figure_usage", lesson=lesson.id),
                  caption_justify="left")
    for key in ("col_step", "figure_col_draws", "col_title"):
        table.add_column(ui(lang, key))
    for step in steps:
        table.add_row(step.id, ui(lang, f"figure_draws_{step.view}"), pick(step.title, lang))
    return table


def save_figure(name: str, step_id: str, out: Path | None, lang: str | None = None) -> Path:
    """Solve step `step_id` of lesson `name` as the lesson does and save its picture to `out`
    (.svg or .png); the path written. FigureError, LessonError or PlotError (all UserErrors)
    say in one line what is wrong."""
    lang = language(lang)
    lesson = _lesson(name)
    steps = picture_steps(lesson)
    if not steps:
        raise _none_drawn(name)
    step = next((s for s in steps if s.id == step_id), None)
    if step is None:
        wrong = (f"lesson {lesson.id} has no step {step_id!r}" if step_id not in {s.id for s in lesson.steps}
                 else f"step {step_id!r} of lesson {lesson.id} draws no picture")
        raise FigureError(f"{wrong}; the steps that draw one: {', '.join(s.id for s in steps)}")
    if out is None:
        raise FigureError(f"give --out FILE.svg or --out FILE.png: where to save the picture of step {step_id}")
    if Path(out).suffix.lower() not in SUFFIXES:  # before the engine runs, not after
        raise FigureError(f"cannot save a picture as {Path(out).name!r}: use a .svg or .png file name")
    if Path(out).suffix.lower() == ".png":  # a missing matplotlib is said before the engine runs too
        from gradtutor.render.picture import pyplot_for

        pyplot_for(Path(out))
    from gradtutor.tutor import answers

    family = family_of(step.source)
    return family.picture(step, answers.solve(step.source), lang).save(out)
