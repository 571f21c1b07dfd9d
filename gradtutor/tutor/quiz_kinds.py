"""Quiz kinds as a table: what a learner types for each kind, and how it is judged and shown.

    numeric  a number: 2.2, 11/5, −4, １１／５           (quiz.parse_number, quiz.check_number)
    choice   a shown number or a choice id               (quiz.parse_choice)
    shape    (2, 3), 2x3, (3,)                            (quiz.parse_shape, quiz.check_shape)
    matrix   [[1, 2], [3, 4]], 1 2; 3 4                   (quiz.parse_matrix, quiz.check_matrix)
    pattern  a gate pattern's name in either language     (quiz.parse_pattern, quiz.check_pattern)

A kind implements `QuizKind`: `stated` reads the author's answer from the manifest, `parse` the
learner's text (raising quiz.Unreadable: not counted as a try), `judge` compares with the key
(right, or wrong with a diagnosis), `describe` shows the key to the learner. Adding a kind is one
class here and one entry in QUIZ_KINDS; the loader, the grader, the check and the runner find it
there. Keys come in as plain numbers, tuples, nested lists and words: nothing here runs the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from gradtutor.tutor import quiz
from gradtutor.tutor.quantities import QuantityError
from gradtutor.tutor.text import pattern_name, pattern_synonyms, pick, ui

_CHOICE_ID = re.compile(r"[a-z0-9_-]+")


class StatedAnswerError(ValueError):
    """An author's answer that is readable but not allowed; the message follows `answer 'x' …`."""


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: dict
    feedback: dict | None = None


def describe(value) -> str:
    """A key as plain text, whatever its kind: 200, 11/5 → 2.2, (2, 3), [1 2; 3 4], swap."""
    from gradtutor.numbers import human

    if isinstance(value, tuple):
        return quiz.format_shape(value)
    if isinstance(value, list):
        return quiz.format_matrix(value)
    if isinstance(value, str):
        return value
    return human(value)


class QuizKind:
    name: str = ""
    keys: tuple[str, ...] = ()  # step keys of its own (choices = […])
    tolerant: bool = False  # atol and rtol apply
    worded: bool = False  # may be asked without a quantity: the stated answer is then the key

    def parse_step(self, step, raw: dict, report) -> None:
        """Read the kind's own step keys into the step (report: the loader's, see source_family)."""

    def stated(self, value, step):
        """The author's `answer` (or a mistake's), read with the learner's reader. Raises
        quiz.Unreadable, TypeError or ValueError if unreadable, StatedAnswerError if not allowed."""
        raise NotImplementedError

    def options(self, step) -> list[tuple[str, dict]] | None:
        """(id, localized text) of what the learner picks from, shown shuffled; None: typed."""
        return None

    def parse(self, text: str, step, order: list[str] | None = None):
        """The learner's text as an answer; raises quiz.Unreadable. `order`: the shown options."""
        raise NotImplementedError

    def judge(self, step, answer, key) -> quiz.Verdict:
        """`key` is grading.Key: the value and the known mistakes."""
        raise NotImplementedError

    def describe(self, value, step, lang: str) -> str:
        """The right answer as the worked solution says it."""
        return describe(value)

    def problems(self, step, value) -> list[str]:
        """What `dev check` finds wrong with a step of this kind, given the computed key."""
        return []


REQUIRED = ("stated", "parse", "judge")


class Numeric(QuizKind):
    name = "numeric"
    keys = ("atol", "rtol")
    tolerant = True

    def stated(self, value, step):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise quiz.Unreadable("need_number")
        return quiz.parse_number(value) if isinstance(value, str) else value

    def parse(self, text, step, order=None):
        return quiz.parse_number(text)

    def judge(self, step, answer, key):
        return quiz.check_number(answer, key.value, step.atol, step.rtol, key.mistakes)

    def describe(self, value, step, lang):
        """To the quiz's precision (0.167 when 0.1666… is asked with rtol 0.01), with the exact
        fraction beside it when the shown digits are not all of it, or else the value to all the
        digits the engine keeps (0.338, more precisely 0.337908651501)."""
        shown = quiz.precise_enough(value, step.atol, step.rtol)
        exact = quiz.exact_fraction(value)
        if exact is not None:
            return shown if Fraction(shown) == exact else ui(lang, "exactly", shown=shown, exact=describe(exact))
        full = describe(value)
        return shown if full == shown else ui(lang, "more_precisely", shown=shown, full=full)


class Choices(QuizKind):
    name = "choice"
    keys = ("choices",)
    worded = True

    def parse_step(self, step, raw, report) -> None:
        spec_list = raw.get("choices")
        if not isinstance(spec_list, list) or len(spec_list) < 2:
            report.problem("a choice quiz needs choices = [ {id, text, feedback}, … ] (at least two)")
            return
        for what, spec in report.tables_in(spec_list, "choices", {"id", "text", "feedback"}):
            choice_id = spec.get("id")
            if not isinstance(choice_id, str) or not _CHOICE_ID.fullmatch(choice_id):
                report.problem(f"{what}: id {choice_id!r} must be made of a-z, 0-9, _ and -")
                continue
            text = report.text(spec.get("text"), f"choice {choice_id}: text")
            feedback = report.text(spec["feedback"], f"choice {choice_id}: feedback") if "feedback" in spec else None
            step.choices.append(Choice(choice_id, text or {}, feedback))
        ids = [c.id for c in step.choices]
        for choice_id in sorted({c for c in ids if ids.count(c) > 1}):
            report.problem(f"choice id {choice_id!r} is used twice")

    def stated(self, value, step):
        ids = [c.id for c in step.choices]
        if value not in ids:
            raise StatedAnswerError(f"is not a choice id ({', '.join(ids)})")
        return value

    def options(self, step):
        return [(c.id, c.text) for c in step.choices]

    def parse(self, text, step, order=None):
        return quiz.parse_choice(text, order or [c.id for c in step.choices])

    def judge(self, step, answer, key):
        if answer == key.value:
            return quiz.Verdict(True)
        choice = next(c for c in step.choices if c.id == answer)
        return quiz.Verdict(False, "choice_wrong", text=choice.feedback)

    def describe(self, value, step, lang):
        return pick(next(c for c in step.choices if c.id == value).text, lang)

    def problems(self, step, value) -> list[str]:
        problems = []
        if value not in [c.id for c in step.choices]:
            problems.append(f"{step.quantity.text} = {value!r}, which is not a choice id")
        for choice in step.choices:
            if choice.id != step.answer and choice.feedback is None:
                problems.append(f"wrong choice {choice.id!r} needs feedback naming its misconception")
        return problems


class Shape(QuizKind):
    name = "shape"

    def stated(self, value, step):
        if not isinstance(value, str):
            raise quiz.Unreadable("need_shape")
        return quiz.parse_shape(value)

    def parse(self, text, step, order=None):
        return quiz.parse_shape(text)

    def judge(self, step, answer, key):
        return quiz.check_shape(tuple(answer), tuple(key.value), key.mistakes)


class Matrix(QuizKind):
    name = "matrix"
    keys = ("atol", "rtol")
    tolerant = True

    def stated(self, value, step):
        return _matrix(value) if isinstance(value, list) else quiz.parse_matrix(str(value))

    def parse(self, text, step, order=None):
        return quiz.parse_matrix(text)

    def judge(self, step, answer, key):
        if not isinstance(key.value, list):
            raise QuantityError(f"{step.quantity.text} is a single number, not a vector or matrix")
        return quiz.check_matrix(answer, key.value, step.atol, step.rtol, key.mistakes)

    def describe(self, value, step, lang):
        rows = value if value and isinstance(value[0], list) else [value]
        text = "; ".join(" ".join(quiz.precise_enough(x, step.atol, step.rtol) for x in row) for row in rows)
        return f"[{text}]"


class Pattern(QuizKind):
    name = "pattern"

    def stated(self, value, step):
        if value not in quiz.PATTERNS:
            raise StatedAnswerError(f"must be one of {', '.join(quiz.PATTERNS)}")
        return value

    def parse(self, text, step, order=None):
        return quiz.parse_pattern(text, pattern_synonyms())

    def judge(self, step, answer, key):
        return quiz.check_pattern(answer, key.value)

    def describe(self, value, step, lang):
        return pattern_name(value, lang)


# The order is the order they are listed in messages.
QUIZ_KINDS: dict[str, QuizKind] = {kind.name: kind for kind in (Numeric(), Choices(), Shape(), Matrix(), Pattern())}


def _matrix(value: list):
    """A TOML array answer: numbers or number strings, 1-D or 2-D (rows of equal length)."""

    def entry(x):
        if isinstance(x, bool):
            raise ValueError("a boolean is not a number")
        if isinstance(x, (int, float)):
            return Fraction(x) if isinstance(x, int) else x
        if isinstance(x, str):
            return quiz.parse_number(x)
        raise ValueError(f"{x!r} is not a number")

    if value and all(isinstance(row, list) for row in value):
        rows = [[entry(x) for x in row] for row in value]
        if len({len(row) for row in rows}) != 1 or not rows[0]:
            raise ValueError("rows of different lengths")
        return rows
    if not value:
        raise ValueError("empty")
    return [entry(x) for x in value]
