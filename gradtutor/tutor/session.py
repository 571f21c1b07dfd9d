"""The runner: explains, shows, asks — at a terminal, or from scripted input.

A `Session` walks a lesson from the learner's saved position. Output goes to a rich Console the
caller provides (plain, colourless text when scripted); input comes from an `Input`: the
keyboard, piped lines, or an answers file. Every answer, hint and move is written to progress
as it happens, so quitting, Ctrl-C or a killed process resumes at the same step (or, once a
quiz's worked solution has been shown, at the step after it).

Scripted input (lessons/README.md, "Running a lesson without a terminal"): explain and show
steps read nothing; each quiz reads lines as tries; blank lines are skipped; after `tries` wrong
tries the worked solution is printed and the lesson moves on; the end of input stops the run.
"""

from __future__ import annotations

import random
import sys
import unicodedata

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from gradtutor.render.fit import Heading
from gradtutor.tutor import answers, grading, quiz
from gradtutor.tutor.lessons import Lesson, Step
from gradtutor.tutor.markdown import Markdown, choice
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.quiz_kinds import QUIZ_KINDS, describe
from gradtutor.tutor.sources import family_of
from gradtutor.tutor.text import pick, ui

# Exit codes (documented in lessons/README.md).
PASSED, NOT_PASSED, USAGE = 0, 1, 2

# What a learner may type instead of an answer. The one-letter keys also work with a Korean
# keyboard left in Hangul mode, where h types ㅗ, g ㅎ, n ㅜ, b ㅠ and q ㅂ.
COMMANDS = {
    "hint": ("h", "ㅗ", "hint", "힌트"),
    "give_up": ("g", "ㅎ", "give up", "giveup", "포기"),
    "next": ("n", "ㅜ", "next", "skip", "다음", "건너뛰기"),
    "back": ("b", "ㅠ", "back", "이전", "뒤로"),
    "quit": ("q", "ㅂ", "quit", "exit", "그만", "종료"),
}


def _key(text: str) -> str:
    # NFKC on both sides: it maps full-width letters to ASCII, and the Hangul compatibility
    # jamo a keyboard types (ㅗ) to their conjoining forms.
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


_COMMAND_OF = {_key(word): command for command, words in COMMANDS.items() for word in words}


def command(text: str) -> str | None:
    return _COMMAND_OF.get(_key(text))


class End(Exception):
    """The input has ended: stop where we are (progress is saved)."""


class Input:
    """Where answers come from. `read(step, prompt)` returns one line, "" for nothing more
    for this step (answers files), or raises End."""

    scripted = True

    def read(self, step: Step, prompt: str) -> str:
        raise NotImplementedError


class Keyboard(Input):
    scripted = False

    def __init__(self, console: Console):
        self.console = console

    def read(self, step: Step, prompt: str) -> str:
        try:
            return self.console.input(f"[bold]{prompt}[/bold] › ")
        except EOFError:
            raise End from None


class Lines(Input):
    """Piped input, one answer or command per line. Each line is echoed after the prompt, so
    the transcript reads as a conversation."""

    def __init__(self, stream, console: Console):
        self.stream = stream
        self.console = console

    def read(self, step: Step, prompt: str) -> str:
        line = self.stream.readline()
        if not line:
            raise End
        line = line.rstrip("\r\n")
        self.console.print(Text(f"{prompt} › {line}"))
        return line


class AnswerFile(Input):
    """An answers file: {step id: answer or list of tries}. A quiz with no (more) answers is
    left open and the lesson moves on."""

    def __init__(self, answers: dict, console: Console):
        self.pending = {step: list(tries) for step, tries in answers.items()}
        self.console = console

    def read(self, step: Step, prompt: str) -> str:
        tries = self.pending.get(step.id)
        if not tries:
            return "n"
        line = tries.pop(0)
        self.console.print(Text(f"{prompt} › {line}"))
        return line


def answers_from_toml(data: dict) -> dict[str, list[str]]:
    """Normalise an answers file: each value becomes a list of typed lines.

    A list of strings is a list of tries; any other value (a number, a vector or matrix given
    as a TOML array) is one answer.
    """
    normalised = {}
    for step, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            normalised[step] = list(value)
        else:
            normalised[step] = [_typed(value)]
    return normalised


def _typed(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_typed(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Session:
    """One run through a lesson. `again` is the command line that continues it (with every
    option the learner gave, so the hints say what to type); `only_open` walks just the quizzes
    still open, leaving the lesson's saved place alone; `start` is a step to begin at."""

    def __init__(
        self, lesson: Lesson, lang: str, progress: Progress, console: Console, source: Input,
        again: str | None = None, only_open: bool = False, start: str | None = None,
    ):
        self.lesson = lesson
        self.lang = lang
        self.progress = progress
        self.console = console
        self.input = source
        self.again = again or f"gradtutor lesson {lesson.id}"
        self.only_open = only_open
        self.start = start
        self.steps = self.open_quizzes() if only_open else lesson.steps
        # The quiz whose worked solution has been shown: the learner is done with it, so
        # stopping at its continue prompt saves the place after it, not on it.
        self.finished: str | None = None

    # -- output helpers ---------------------------------------------------------------------
    def say(self, key: str, **params) -> None:
        self.console.print(Markdown(ui(self.lang, key, **params)))

    def say_stopped(self) -> None:
        """How to go on, and whether that will find this run's answers (not on a read-only store)."""
        self.say("quit_unsaved" if self.progress.unsaved else "quit", command=self.again)

    def text(self, localized: dict) -> None:
        self.console.print(Markdown(pick(localized, self.lang)))

    def ask(self, step: Step, prompt_key: str) -> str:
        return self.input.read(step, ui(self.lang, prompt_key))

    # -- the lesson ---------------------------------------------------------------------------
    def run(self) -> int:
        lesson, lang = self.lesson, self.lang
        record = self.progress.lesson(lesson.id)
        self.console.print(Heading(Text(ui(lang, "lesson_heading", title=lesson.title[lang]), style="bold")))
        if self.only_open:
            index = 0
            if not self.steps:
                self.say("open_none")
                return self.exit_code()
            self.say("open_walk", count=len(self.steps))
        elif self.start is not None:
            index = lesson.index(self.start)
        else:
            index = lesson.index(record.position)
            if record.position is None and record.completed_at:
                still_open = len(self.open_quizzes())
                self.say("restart" if still_open else "restart_all_passed", command=self.again, open=still_open)
            if index > 0:
                self.say("resume", number=index + 1, total=len(lesson.steps))
        if index == 0 and not self.only_open and lesson.intro[lang]:
            self.text(lesson.intro)
        try:
            while index < len(self.steps):
                step = self.steps[index]
                self.keep_place(step.id)
                self.finished = None
                move = self.step(step, index)
                if move == "quit":
                    self.save_place_after_finished(index)
                    self.say_stopped()
                    return self.exit_code()
                if move == "back":
                    if index == 0:
                        self.say("first_step")
                    index = max(0, index - 1)
                else:
                    index += 1
        except End:
            self.console.print()
            self.save_place_after_finished(index)
            self.say("input_ended_unsaved" if self.progress.unsaved else "input_ended", number=index + 1, total=len(self.steps))
            return self.exit_code()
        except KeyboardInterrupt:
            self.console.print()
            self.save_place_after_finished(index)
            self.say_stopped()
            return self.exit_code()
        if not self.only_open:
            self.progress.set_position(lesson.id, None, completed=True)
        self.finish()
        return self.exit_code()

    def keep_place(self, step: str | None, completed: bool = False) -> None:
        """Save where the lesson continues; a walk through the open quizzes leaves it alone."""
        if not self.only_open:
            self.progress.set_position(self.lesson.id, step, completed=completed)

    def save_place_after_finished(self, index: int) -> None:
        """Stopping after a quiz's worked solution: the next run starts at the step after it
        (or, after the last step, the lesson counts as reached to its end)."""
        steps = self.steps
        if self.finished is None or self.finished != steps[index].id:
            return
        if index + 1 < len(steps):
            self.keep_place(steps[index + 1].id)
        else:
            self.keep_place(None, completed=True)

    def open_quizzes(self) -> list[Step]:
        record = self.progress.lesson(self.lesson.id)
        passed = set(record.passed(step.id for step in self.lesson.quizzes))
        return [step for step in self.lesson.quizzes if step.id not in passed]

    def exit_code(self) -> int:
        return NOT_PASSED if self.open_quizzes() else PASSED

    def finish(self) -> None:
        total = len(self.lesson.quizzes)
        still_open = self.open_quizzes()
        self.console.print(Rule())
        self.say("lesson_done", passed=total - len(still_open), total=total)
        if still_open:
            # By the heading the learner saw, with the option that goes straight back to it.
            steps = "\n".join(f"- {step.title[self.lang]} (`--step {step.id}`)" for step in still_open)
            self.say("lesson_open", count=len(still_open), steps=steps, command=self.again)

    def step(self, step: Step, index: int) -> str:
        lang = self.lang
        self.console.print()
        heading = ui(lang, "step_heading", number=index + 1, total=len(self.steps), title=step.title[lang])
        self.console.print(Heading(Text(heading, style="bold"), align="left"))
        if step.body.get(lang):
            self.text(step.body)
        if step.kind == "show":
            self.show(step)
        if step.kind == "quiz":
            return self.quiz(step)
        return self.pause(step)

    def pause(self, step: Step) -> str:
        """After an explanation or a table: wait for Enter (or b, q) at a terminal only. One
        prompt; anything else typed there is not taken for "go on"."""
        if self.input.scripted:
            return "next"
        while True:
            typed = self.ask(step, "continue")
            move = "next" if not typed.strip() else command(typed)
            if move in ("next", "back", "quit"):
                return move
            self.say("continue_help")

    def show(self, step: Step) -> None:
        family = family_of(step.source)
        family.prepare(step.source, self.console, self.lang, live=not self.input.scripted)
        for renderable in family.show(step, answers.solve(step.source), self.lang):
            self.console.print(renderable)

    # -- quizzes ------------------------------------------------------------------------------
    def quiz(self, step: Step) -> str:
        lesson_id, lang = self.lesson.id, self.lang
        if step.source is not None:
            # A training run, at a terminal: trained with its progress bar, not a silent wait.
            family_of(step.source).prepare(step.source, self.console, lang, live=not self.input.scripted)
        the_key = grading.key(step)
        record = self.progress.step(lesson_id, step.id)
        self.text(step.prompt)
        order = None
        options = QUIZ_KINDS[step.quiz].options(step)
        if options is not None:  # picked from a list: shuffled once per learner, by a seed kept in progress
            seed = record.seed if record.seed is not None else self.progress.seed(
                lesson_id, step.id, random.SystemRandom().randrange(2**31)
            )
            order = quiz.shuffled([option_id for option_id, _ in options], seed)
            texts = dict(options)
            for number, option_id in enumerate(order, 1):
                self.console.print(choice(number, pick(texts[option_id], lang)))
            self.console.print(Text(ui(lang, "choose"), style="dim"))
        if record.status == "passed":
            right = [a["answer"] for a in self.progress.lesson(lesson_id).steps[step.id].answers if a["right"]]
            self.say("already_passed", answer=right[-1] if right else describe(the_key.value))
            self.finished = step.id
            return self.pause(step)
        if not self.input.scripted:
            self.console.print(Text(ui(lang, "quiz_help"), style="dim"))
        hints_shown = record.hints
        wrong = 0
        while True:
            typed = self.ask(step, "your_answer")
            if not typed.strip():
                continue  # blank input is not an answer: ask again
            move = command(typed)
            if move == "hint":
                hints_shown = self.hint(step, hints_shown, asked=True)
                continue
            if move == "give_up":
                self.progress.give_up(lesson_id, step.id)
                self.say("gave_up")
                self.solution(step, the_key, order)
                return self.pause(step)
            if move == "next":
                self.say("skipped")
                return "next"
            if move in ("back", "quit"):
                return move
            try:
                answer = grading.read(step, typed, order)
            except quiz.Unreadable as exc:
                self.say(exc.key, **exc.params)
                continue
            verdict = grading.judge(step, answer, the_key)
            self.progress.record_answer(lesson_id, step.id, typed.strip(), verdict.right)
            if verdict.right:
                self.console.print(Text("✓ " + ui(lang, "correct"), style="bold green"))
                self.solution(step, the_key, order)
                return self.pause(step)
            wrong += 1
            self.console.print(Text("✗ " + ui(lang, "wrong"), style="bold red"))
            self.feedback(verdict)
            if wrong >= step.tries:
                self.progress.give_up(lesson_id, step.id)
                self.say("out_of_tries", tries=wrong)
                self.solution(step, the_key, order)
                return self.pause(step)
            if wrong >= step.hint_after and hints_shown < len(step.hints):
                hints_shown = self.hint(step, hints_shown)

    def feedback(self, verdict: quiz.Verdict) -> None:
        if verdict.text is not None:
            self.text(verdict.text)
        elif verdict.key is not None:
            self.say(verdict.key, **verdict.params)

    def hint(self, step: Step, shown: int, asked: bool = False) -> int:
        """Show the next hint; `asked`: the learner typed h (a hint after a wrong try is not)."""
        if shown >= len(step.hints):
            self.say("no_more_hints")
            return shown
        text = pick(step.hints[shown], self.lang)
        self.say("hint", number=shown + 1, total=len(step.hints), text=text)
        return self.progress.record_hint(self.lesson.id, step.id, asked=asked)

    def solution(self, step: Step, the_key: grading.Key, order) -> None:
        lang = self.lang
        self.finished = step.id
        self.console.print(Rule(Text(ui(lang, "solution")), align="left", characters="·"))
        self.say("answer_is", answer=self.answer_text(step, the_key.value))
        self.text(step.why)
        if the_key.trace is None:
            return
        for renderable in family_of(step.source).solution(step, the_key, lang):
            self.console.print(renderable)

    def answer_text(self, step: Step, value) -> str:
        return QUIZ_KINDS[step.quiz].describe(value, step, self.lang)


def console_for(scripted: bool, width: int | None = None, file=None) -> Console:
    """Plain output for scripts (no colour, no cursor movement, no padding spaces at line
    ends); rich output at a terminal, where rich itself honours NO_COLOR."""
    if scripted:
        return Console(
            file=PlainLines(file or sys.stdout), color_system=None, force_terminal=False,
            highlight=False, emoji=False, width=width or 100,
        )
    return Console(file=file, highlight=False, emoji=False, width=width)


class PlainLines:
    """A text stream that drops the spaces rich pads each line with, so transcripts and
    golden files hold only what was said."""

    def __init__(self, stream):
        self.stream = stream
        self.partial = ""

    def write(self, text: str) -> int:
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        for line in lines:
            self.stream.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        if self.partial:
            self.stream.write(self.partial)
            self.partial = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return False
