"""`gradtutor dev check`: every lesson against its schema, the engine and the renderers.

The test suite runs exactly this check (parametrized per lesson), so a lesson that passes here
passes there. Problems come back as one line each: file, step, what is wrong.
"""

from __future__ import annotations

import io

from gradtutor.tutor import answers, grading, lessons, networks, training
from gradtutor.tutor.lessons import Lesson, LessonError, Step
from gradtutor.tutor.text import LANGUAGES


def check(names: list[str] | None = None) -> list[str]:
    """Problems in the named lessons (all installed lessons when None)."""
    problems = []
    for name in names or lessons.names():
        try:
            lesson = lessons.load(name)
        except LessonError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(check_lesson(lesson))
    return problems


def check_lesson(lesson: Lesson) -> list[str]:
    problems = []
    for step in lesson.steps:
        where = f"{lesson.where}/{lessons.MANIFEST}: step {step.id}"
        try:
            problems.extend(f"{where}: {p}" for p in check_step(step))
        except Exception as exc:  # an engine or renderer failure is a finding, not a crash
            problems.append(f"{where}: {type(exc).__name__}: {exc}")
    for circuit in lesson.circuits.values():  # also the ones no step uses (yet)
        try:
            answers.build_circuit(circuit)
        except Exception as exc:
            problems.append(f"{lesson.where}/{lessons.MANIFEST}: circuit {circuit.name}: {exc}")
    for run in lesson.trainings.values():  # also the ones no step uses (yet); estimated, not run
        too_slow = training.too_slow(run)
        if too_slow and not any(s.source is not None and s.source.training == run for s in lesson.steps):
            problems.append(f"{lesson.where}/{lessons.MANIFEST}: {too_slow}")
    problems.extend(_check_prose(lesson))
    return problems


def check_step(step: Step) -> list[str]:
    if step.kind in ("show", "quiz") and step.source is not None and step.source.training is not None:
        too_slow = training.too_slow(step.source.training)
        if too_slow:
            return [too_slow]  # not run: the check itself stays fast
    if step.kind == "show":
        trace = answers.solve(step.source)
        return render_view(step, trace)
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
    if step.quiz == "choice" and the_key.value not in [c.id for c in step.choices]:
        problems.append(f"{step.quantity.text} = {the_key.value!r}, which is not a choice id")
    for choice in step.choices:
        if choice.id != step.answer and choice.feedback is None:
            problems.append(f"wrong choice {choice.id!r} needs feedback naming its misconception")
    for mistake in the_key.mistakes[: len(step.mistakes)]:  # the lesson's own, listed first
        if grading.judge(step, mistake.value, the_key).right:
            problems.append(f"a listed mistake ({describe(mistake.value)}) is in fact a right answer")
    if the_key.trace is not None and step.source.family == "trace":
        if step.solution_step is not None and step.solution_step > len(the_key.trace.steps):
            problems.append(
                f"solution_step {step.solution_step} is out of range: the trace has {len(the_key.trace.steps)} steps"
            )
        else:
            for lang in LANGUAGES:
                _render(_solution_table(the_key, lang))
    return problems


def describe(value) -> str:
    from gradtutor.numbers import human
    from gradtutor.tutor.quiz import format_shape

    if isinstance(value, tuple):
        return format_shape(value)
    if isinstance(value, list):
        rows = value if value and isinstance(value[0], list) else [value]
        text = "; ".join(" ".join(human(x) for x in row) for row in rows)
        return f"[{text}]"
    if isinstance(value, str):
        return value
    return human(value)


def view(step: Step, trace, lang: str = "en"):
    """The renderable a show step displays (diagram steps show the table in a terminal).
    `trace` is what answers.solve gave: a Trace, a networks.Report or a training.Outcome."""
    from gradtutor.render import term

    if step.view == "layers":
        return networks.layers_table(trace, lang)
    if step.view == "train":
        return training.view(trace, lang)
    if step.view == "forward":
        return term.forward_table(trace, lang=lang)
    if step.view == "summary":
        return term.summary(trace, lang=lang)
    return term.trace_table(trace, step=step.backward_step if step.view == "step" else None, lang=lang)


def render_view(step: Step, trace) -> list[str]:
    """Render what a show step shows, in every language; every show step's diagram must render
    to DOT as well (teachers export any of them), and a diagram step's must also lay out."""
    from gradtutor.render import dot

    if step.view in ("layers", "train"):
        for lang in LANGUAGES:
            _render(view(step, trace, lang))
        return []
    if step.view == "step" and step.backward_step > len(trace.steps):
        return [f"backward_step {step.backward_step} is out of range: the trace has {len(trace.steps)} steps"]
    problems = []
    for lang in LANGUAGES:
        _render(view(step, trace, lang))
        text = dot.to_dot(trace, step=step.backward_step if step.view == "step" else None, lang=lang)
        if step.view == "diagram":
            problems += [f"{lang}: {problem}" for problem in _check_layout(text)]
    return problems


def _check_layout(text: str) -> list[str]:
    """Draw the diagram as `gradtutor export` would: what Graphviz refuses or remarks on (a label
    too big for its cell, say) is a problem of the lesson. The font library's chatter is not."""
    import warnings

    from gradtutor.render.export import ExportError, render

    try:
        with warnings.catch_warnings(record=True) as remarks:
            warnings.simplefilter("always")
            render(text, "svg")
    except ImportError:  # drawing needs Graphviz; the DOT text itself was produced above
        return []
    except ExportError as exc:  # its message already says the diagram could not be drawn, and why
        return [str(exc)]
    return [str(remark.message) for remark in remarks]


def _solution_table(the_key, lang: str):
    from gradtutor.render import term

    return term.trace_table(the_key.trace, step=the_key.step, lang=lang)


def _render(renderable) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def _check_prose(lesson: Lesson) -> list[str]:
    """Every Markdown text renders in every language (a broken table or fence shows up here)."""
    from rich.markdown import Markdown

    problems = []
    for lang in LANGUAGES:
        texts = [lesson.intro[lang]] + [s.body.get(lang, "") for s in lesson.steps]
        for text in texts:
            try:
                _render(Markdown(text))
            except Exception as exc:
                problems.append(f"{lesson.where}/{lang}.md: Markdown does not render ({exc})")
    return problems
