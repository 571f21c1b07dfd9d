"""One quiz step's key, reader and judge, shared by the runner and the lesson check.

The key is what the engine computes for the step's quantity (the stated answer only for a
choice that is a matter of words). Learners are judged against that key; `dev check` judges the
author's stated answer against it with the very same function, so "the lesson says 650" and
"the tutor accepts 650" cannot drift apart. What reading and judging mean for each quiz kind is
in quiz_kinds.QUIZ_KINDS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradtutor.tutor import answers, quiz
from gradtutor.tutor.lessons import Step
from gradtutor.tutor.quiz_kinds import QUIZ_KINDS


@dataclass(slots=True)
class Key:
    value: object  # the right answer: number, shape tuple, nested list, pattern, choice id
    trace: object = None  # what the source's family solved: a Trace, a Report, an Outcome (None for a worded choice)
    step: int | None = None  # the backward step a worked solution shows
    mistakes: list[quiz.Mistake] = field(default_factory=list)


def key(step: Step) -> Key:
    """Compute the step's key with the engine. Raises QuantityError or engine errors."""
    if step.quantity is None:
        return Key(step.answer)
    result = answers.solve(step.source)
    value = answers.compute(step.quantity, result)
    solution = step.solution_step or answers.solution_step(step.quantity, result)
    mistakes = []
    for spec in step.mistakes:
        wrong = spec.answer if spec.quantity is None else answers.compute(spec.quantity, result)
        mistakes.append(quiz.Mistake(wrong, text=spec.feedback))
    mistakes += [quiz.Mistake(v, key=k) for v, k in answers.known_mistakes(step.quantity, result)]
    return Key(value, result, solution, mistakes)


def read(step: Step, text: str, order: list[str] | None = None):
    """Parse typed text as an answer of the step's quiz kind; raises quiz.Unreadable."""
    return QUIZ_KINDS[step.quiz].parse(text, step, order)


def judge(step: Step, answer, the_key: Key) -> quiz.Verdict:
    return QUIZ_KINDS[step.quiz].judge(step, answer, the_key)
