"""No answer on screen before its question: part of `gradtutor dev check`.

A quiz teaches only if the learner works its answer out. So a quiz's key, written the ways the
screen writes it, must not appear in anything the lesson shows before the learner answers: the
lesson's introduction, the text and titles of earlier steps, earlier show steps' views, earlier quizzes' prompts, choices,
hints, answers, "why" texts and worked solutions, and the quiz's own text, prompt, choices and
hints — in every language.

How a key is written on screen (`forms`):
- a number as `numbers.human` writes it, also at the tables' 6, the matrices' 4 and the training
  summary's 3 significant digits (0.337909 is the 6-digit form of 0.33790899…); an exact
  fraction also as p/q; a negative one with either minus sign;
- an accuracy (a fraction of 1) as the percentages the training views print (100.0%);
- a choice that asks whether a number is above or below a line, or its sign: that number;
- a shape as "(1, 28, 28)" and "1×28×28" (or 1x28x28);
- a matrix: it is given away when every one of its entries is shown in one view.
Numbers match as whole tokens only: 13 is not in 130, 1.3, 13.5, −13 or h13. A one-digit whole
number (0, 1, −2 …) is in every paragraph for other reasons, so it counts only where it is
the result of a working-out (after an "=" that follows a number or a parenthesis) or in a view, worked solution or answer of
the very source the quiz asks about (the circuit's table that lists the gradient asked for);
another source's table, full of one-digit results, does not count.

What is legitimately on screen is listed in the manifest (see lessons/README.md): per lesson,
`given` values any step may show (the inputs of the examples); per quiz, `given_in` the steps
that may show its answer (an earlier quiz whose answer it re-uses, its own prompt when the
question is to apply a rule to a value it states). An exception that no longer excuses anything
is reported too, so the lists stay reviewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from gradtutor.tutor import answers, grading
from gradtutor.tutor.lessons import MANIFEST, Lesson, Step
from gradtutor.tutor.sources import family_of
from gradtutor.tutor.text import LANGUAGES, pick, ui

# Significant digits the renderers write numbers with: numbers.human's default, the trace
# tables' (render.fmt.TABLE_DIGITS), the Jacobian matrices' and the training summary's.
DIGITS = (12, 6, 4, 3)
_BEFORE = r"(?<![0-9A-Za-z_.\-−])"  # no digit, letter, point or minus sign right before
_AFTER = r"(?![0-9A-Za-z_]|[.,][0-9])"  # no digit, letter or further decimals right after
_WRAPPERS = ("sign", "above", "below")


@dataclass(frozen=True, slots=True)
class Screen:
    """One thing the learner sees: which step shows it, what it is, in which language."""

    step: str
    what: str
    lang: str
    text: str
    source: object = None  # the source a rendered view or an answer is about (None: prose)


def check(lesson: Lesson) -> list[str]:
    """One line per quiz and earlier screen that shows the quiz's answer, and per unneeded `given`."""
    problems = []
    # everything shown so far, in lesson order, from the introduction (step "") on
    seen = [Screen("", "introduction", lang, lesson.intro.get(lang, "")) for lang in LANGUAGES]
    used_lesson_given = set()
    for step in lesson.steps:
        if step.kind == "quiz":
            own = list(_before_answer(step))
            found, used = _findings(lesson, step, seen + own)
            problems.extend(found)
            used_lesson_given |= used
        seen.extend(_screens(step))
    where = f"{lesson.where}/{MANIFEST}"
    for value in lesson.given:
        if value not in used_lesson_given:
            problems.append(f"{where}: given {_text(value)} excuses nothing: no quiz's answer {_text(value)} is shown early")
    return problems


def _findings(lesson: Lesson, step: Step, screens: list[Screen]) -> tuple[list[str], set]:
    """The lines for one quiz, and the lesson-wide `given` values it needed."""
    where = f"{lesson.where}/{MANIFEST}: step {step.id}"
    try:
        family = family_of(step.source) if step.source is not None else None
        if family is not None and family.preflight(step.source):
            return [], set()  # not solved in the check (too slow): nothing to compare
        the_key = grading.key(step)
        number, percent = _asked_number(step, the_key)
    except Exception:  # a key that cannot be computed is reported by the rest of the check
        return [], set()
    if number is not None:
        value = number
    elif step.quiz in ("numeric", "shape", "matrix"):
        value = the_key.value
    else:
        return [], set()  # a word (a pattern, a node's name) is no give-away in itself
    excused = set(lesson.given)
    shown_in: dict[tuple[str, str], list[str]] = {}  # (step, what) -> languages
    needed = set()
    ids = [s.id for s in lesson.steps]
    excusing = set()  # the given_in steps that do show the answer
    for screen in screens:
        hit = _shows(value, percent, _visible(value, step, screen), excused)
        if hit is None:
            continue
        if screen.step in step.given_in:
            excusing.add(screen.step)
        elif hit:  # shown, but only through values the lesson gives
            needed |= hit
        else:
            shown_in.setdefault((screen.step, screen.what), []).append(screen.lang)
    lines = []
    answer = _text(value, percent)
    for (earlier, what), langs in shown_in.items():
        place = "its own " if earlier == step.id else f"step {earlier}'s " if earlier else "the lesson's "
        lines.append(f"{where}: the answer {answer} is shown before it is asked, in {place}{what} ({', '.join(langs)})")
    for earlier in step.given_in:
        if earlier not in ids[: ids.index(step.id) + 1]:
            lines.append(f"{where}: given_in {earlier!r} is not a step before this quiz (or the quiz itself)")
        elif earlier not in excusing:
            lines.append(f"{where}: given_in {earlier!r} excuses nothing: that step does not show the answer")
    return lines, needed & set(lesson.given)


def _visible(value, step: Step, screen: Screen) -> str:
    """The part of a screen where the value would count as the answer (see the module docstring)."""
    if not _small(value) or screen.source == step.source:
        return screen.text
    if isinstance(value, list) or screen.source is not None:
        return ""  # another source's table is full of one-digit results; a matrix of them: only its own
    # Only worked-out results, "−3 + 5 = 2", "(7 − 3)/2 + 1 = 3": not an input's value, "c = 2", "h2 = 0".
    return " ".join(re.findall(r"(?:(?<![^\s(])[0-9.]+|\))\s*=\s*(\S+)", screen.text))


def _asked_number(step: Step, the_key) -> tuple[object, bool]:
    """The one number a quiz is about (a numeric key; the number a sign/above/below choice
    judges), and whether it is an accuracy (shown as a percentage)."""
    quantity = step.quantity
    if quantity is None:
        return None, False
    if quantity.kind in _WRAPPERS:
        inner = quantity.inner
        return answers.compute(inner, the_key.trace), "accuracy" in inner.kind
    if step.quiz == "numeric":
        return the_key.value, "accuracy" in quantity.kind
    return None, False


def _shows(value, percent: bool, text: str, excused: set) -> set | None:
    """None: the text does not show the value. An empty set: it shows it. A non-empty set: it
    shows it only through excused values (those values)."""
    if isinstance(value, list):
        entries = {x for row in value for x in (row if isinstance(row, list) else [row])}
        open_entries = {x for x in entries if not _excused(x, excused)}
        if not all(_found(x, False, text) for x in entries):
            return None
        return {x for x in excused if any(_same(x, e) for e in entries)} if not open_entries else set()
    if not _found(value, percent, text):
        return None
    if _excused(value, excused):
        return {x for x in excused if _same(x, value)}
    return set()


def _small(value) -> bool:
    """A one-digit whole number (or a matrix of them): too common in prose to count wherever it appears."""
    if isinstance(value, list):
        return all(_small(x) for x in value)
    if isinstance(value, tuple):
        return False
    try:
        return float(value) == int(value) and abs(int(value)) < 10
    except (TypeError, ValueError, OverflowError):
        return False


def _found(value, percent: bool, text: str) -> bool:
    return any(re.search(pattern, text) for pattern in forms(value, percent))


def forms(value, percent: bool = False) -> list[str]:
    """Regular expressions for the ways the screen writes a key (see the module's docstring)."""
    from gradtutor.numbers import human

    if isinstance(value, tuple):
        if not value:
            return []
        shapes = [re.escape(str(tuple(value)))] if len(value) > 1 else [re.escape(f"({value[0]},)")]
        if len(value) > 1:
            shapes.append(r"\s*[×x]\s*".join(str(n) for n in value))
        return [rf"(?<![0-9]){shape}(?![0-9])" for shape in shapes]
    if percent:
        written = {f"{float(value):.{decimals}%}" for decimals in (0, 1, 2)}
        return [_BEFORE + re.escape(text) for text in sorted(written)]
    written = {human(value, digits) for digits in DIGITS}
    if isinstance(value, Fraction) and value.denominator != 1:
        written.add(f"{value.numerator}/{value.denominator}")
    patterns = []
    for text in sorted(written):
        body = re.escape(text.lstrip("-")).replace(re.escape("-"), "[-−]")  # 1e-08 is printed 1e−08
        sign = "[-−]" if text.startswith("-") else ""
        patterns.append(f"{_BEFORE}{sign}{body}{_AFTER}")
    return patterns


def _same(a, b) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and tuple(a) == tuple(b)
    try:
        return abs(float(a) - float(b)) <= 1e-9 + 1e-6 * abs(float(b))
    except (TypeError, ValueError):
        return False


def _excused(value, excused: set) -> bool:
    return any(_same(x, value) for x in excused)


def _text(value, percent: bool = False) -> str:
    from gradtutor.tutor.quiz_kinds import describe

    if percent:
        return f"{float(value):.1%}"
    return describe(value)


# -- what the learner sees ------------------------------------------------------------------------
def _before_answer(step: Step):
    """A quiz's own screens before the learner answers: its title and text, prompt, choices, hints."""
    for lang in LANGUAGES:
        yield Screen(step.id, "title", lang, step.title.get(lang, ""))
        yield Screen(step.id, "text", lang, step.body.get(lang, ""))
        yield Screen(step.id, "prompt", lang, pick(step.prompt, lang))
        for choice in step.choices:
            yield Screen(step.id, f"choice {choice.id}", lang, pick(choice.text, lang))
        for number, hint in enumerate(step.hints, 1):
            yield Screen(step.id, f"hint {number}", lang, pick(hint, lang))


def _screens(step: Step):
    """Everything a step shows, in every language (a quiz: also its answer, why and worked solution)."""
    from gradtutor.render.term import plain_text

    if step.kind == "quiz":
        yield from _before_answer(step)
    else:
        for lang in LANGUAGES:
            yield Screen(step.id, "title", lang, step.title.get(lang, ""))
            yield Screen(step.id, "text", lang, step.body.get(lang, ""))
    if step.source is None:
        if step.kind == "quiz":
            yield from _solution_text(step, None)
        return
    family = family_of(step.source)
    if family.preflight(step.source):
        return  # too slow to solve in the check: reported as such by the rest of the check
    try:
        if step.kind == "show":
            result = answers.solve(step.source)
            for lang in LANGUAGES:
                text = "\n".join(plain_text(r) for r in family.show(step, result, lang))
                yield Screen(step.id, "view", lang, text, step.source)
            return
        if step.kind == "quiz":
            the_key = grading.key(step)
    except Exception:  # reported by the rest of the check
        return
    yield from _solution_text(step, the_key)
    for lang in LANGUAGES:
        text = "\n".join(plain_text(r) for r in family.solution(step, the_key, lang))
        yield Screen(step.id, "worked solution", lang, text, step.source)


def _solution_text(step: Step, the_key):
    from gradtutor.tutor.quiz_kinds import QUIZ_KINDS

    for lang in LANGUAGES:
        value = step.answer if the_key is None else the_key.value
        shown = QUIZ_KINDS[step.quiz].describe(value, step, lang)
        yield Screen(step.id, "answer", lang, ui(lang, "answer_is", answer=shown), step.source)
        yield Screen(step.id, "why", lang, pick(step.why, lang))
