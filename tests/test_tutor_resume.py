"""Where the next run starts after the learner stops at a terminal.

A quiz that was answered (or given up) and whose worked solution was shown is finished: stopping
at its "Enter to continue" prompt resumes at the step after it. Stopping while the quiz is still
being asked resumes at the quiz itself.
"""

import io

import pytest

from gradtutor.tutor import commands, grading, lessons
from gradtutor.tutor.check import describe
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.quiz import format_shape
from gradtutor.tutor.session import End, Input, Lines, Session, console_for


class AtATerminal(Lines):
    """Typed lines, read the way the keyboard is: explain steps and solutions wait for Enter."""

    scripted = False


class StopsAtContinue(Input):
    """A learner who answers, then presses Ctrl-C (or Ctrl-D) at "Enter to continue"."""

    scripted = False

    def __init__(self, answer: str, stop: type[BaseException]):
        self.answers = [answer]
        self.stop = stop

    def read(self, step, prompt):
        if self.answers:
            return self.answers.pop(0)
        raise self.stop


def right(step) -> str:
    key = grading.key(step).value
    return format_shape(key) if step.quiz == "shape" else describe(key)


def run_from(lesson, step_id, source, home):
    """Run `lesson` at a terminal starting at `step_id`; returns (exit code, saved position, transcript)."""
    out = io.StringIO()
    console = console_for(scripted=True, width=100, file=out)
    if isinstance(source, str):
        source = AtATerminal(io.StringIO(source), console)
    with Progress.open(home) as progress:
        progress.set_position(lesson.id, step_id)
        code = Session(lesson, "en", progress, console, source).run()
        record = progress.lesson(lesson.id)
    return code, record, out.getvalue()


@pytest.fixture(scope="module")
def backprop():
    return lessons.load("backprop")


def a_middle_quiz(lesson):
    quiz = lesson.quizzes[0]
    index = lesson.index(quiz.id)
    assert index + 1 < len(lesson.steps)
    return quiz, index


@pytest.mark.parametrize("finish", ["right", "give up"])
def test_quitting_after_the_solution_resumes_at_the_next_step(backprop, finish, tmp_path):
    quiz, index = a_middle_quiz(backprop)
    typed = (right(quiz) if finish == "right" else "g") + "\nq\n"
    _, record, transcript = run_from(backprop, quiz.id, typed, tmp_path)
    assert "Progress saved." in transcript
    assert record.position == backprop.steps[index + 1].id
    assert record.steps[quiz.id].status == ("passed" if finish == "right" else "given_up")
    listing = _render(commands.lessons_table("en", tmp_path))
    assert f"at step {index + 2}/{len(backprop.steps)}" in listing


@pytest.mark.parametrize("stop", [KeyboardInterrupt, End])
def test_ctrl_c_or_ctrl_d_after_the_solution_also_moves_on(backprop, stop, tmp_path):
    quiz, index = a_middle_quiz(backprop)
    _, record, _ = run_from(backprop, quiz.id, StopsAtContinue(right(quiz), stop), tmp_path)
    assert record.position == backprop.steps[index + 1].id


def test_quitting_mid_quiz_resumes_at_the_same_quiz(backprop, tmp_path):
    quiz, _ = a_middle_quiz(backprop)
    _, record, _ = run_from(backprop, quiz.id, "h\nq\n", tmp_path)
    assert record.position == quiz.id
    assert record.steps[quiz.id].status == "open"


def test_finishing_the_last_quiz_then_quitting_completes_the_lesson(backprop, tmp_path):
    last = backprop.steps[-1]
    assert last.kind == "quiz"
    _, record, _ = run_from(backprop, last.id, right(last) + "\nq\n", tmp_path)
    assert record.position is None and record.completed_at is not None


def test_the_next_run_opens_at_the_step_after_the_finished_quiz(backprop, tmp_path):
    quiz, index = a_middle_quiz(backprop)
    run_from(backprop, quiz.id, right(quiz) + "\nq\n", tmp_path)
    out = io.StringIO()
    console = console_for(scripted=True, width=100, file=out)
    with Progress.open(tmp_path) as progress:
        Session(backprop, "en", progress, console, AtATerminal(io.StringIO("q\n"), console)).run()
    headings = [line for line in out.getvalue().splitlines() if line.startswith("Step ")]
    assert headings[0].startswith(f"Step {index + 2}/{len(backprop.steps)}")


def _render(table) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(table)
    return console.file.getvalue()
