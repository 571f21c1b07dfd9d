"""One quiz step's key, reader and judge, shared by the runner and the lesson check.

The key is what the engine computes for the step's quantity (the stated answer only for a
choice that is a matter of words). Learners are judged against that key; `dev check` judges the
author's stated answer against it with the very same function, so "the lesson says 650" and
"the tutor accepts 650" cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradtutor.tutor import answers, quiz
from gradtutor.tutor.lessons import Step
from gradtutor.tutor.text import pattern_synonyms


@dataclass(slots=True)
class Key:
    value: object  # the right answer: number, shape tuple, nested list, pattern, choice id
    trace: object = None  # the trace it was read from (None for a worded choice)
    step: int | None = None  # the backward step a worked solution shows
    mistakes: list[quiz.Mistake] = field(default_factory=list)


def key(step: Step) -> Key:
    """Compute the step's key with the engine. Raises QuantityError or engine errors."""
    if step.quantity is None:
        return Key(step.answer)
    trace = answers.solve(step.source)
    value = answers.compute(step.quantity, trace)
    solution = step.solution_step or answers.solution_step(step.quantity, trace)
    mistakes = []
    for spec in step.mistakes:
        wrong = spec.answer if spec.quantity is None else answers.compute(spec.quantity, trace)
        mistakes.append(quiz.Mistake(wrong, text=spec.feedback))
    mistakes += [quiz.Mistake(v, key=k) for v, k in answers.known_mistakes(step.quantity, trace)]
    return Key(value, trace, solution, mistakes)


def read(step: Step, text: str, order: list[str] | None = None):
    """Parse typed text as an answer of the step's quiz kind; raises quiz.Unreadable."""
    if step.quiz == "numeric":
        return quiz.parse_number(text)
    if step.quiz == "shape":
        return quiz.parse_shape(text)
    if step.quiz == "matrix":
        return quiz.parse_matrix(text)
    if step.quiz == "pattern":
        return quiz.parse_pattern(text, pattern_synonyms())
    if step.quiz == "choice":
        return quiz.parse_choice(text, order or [c.id for c in step.choices])
    raise ValueError(f"unknown quiz kind {step.quiz!r}")


def judge(step: Step, answer, the_key: Key) -> quiz.Verdict:
    expected = the_key.value
    if step.quiz == "numeric":
        return quiz.check_number(answer, expected, step.atol, step.rtol, the_key.mistakes)
    if step.quiz == "shape":
        return quiz.check_shape(tuple(answer), tuple(expected), the_key.mistakes)
    if step.quiz == "matrix":
        if not isinstance(expected, list):
            raise answers.QuantityError(f"{step.quantity.text} is a single number, not a vector or matrix")
        return quiz.check_matrix(answer, expected, step.atol, step.rtol)
    if step.quiz == "pattern":
        return quiz.check_pattern(answer, expected)
    if step.quiz == "choice":
        if answer == expected:
            return quiz.Verdict(True)
        choice = next(c for c in step.choices if c.id == answer)
        return quiz.Verdict(False, "choice_wrong", text=choice.feedback)
    raise ValueError(f"unknown quiz kind {step.quiz!r}")
