"""A scripted learner drives every lesson through the real `gradtutor lesson` command.

Answers come from the engine (the same keys the tutor judges by), never from this file: right
answers complete each lesson with exit 0; wrong ones get feedback and hints; quitting resumes at
the same step; a process killed with SIGKILL keeps every answered step in a sound file.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from fractions import Fraction

import pytest

from gradtutor.tutor import grading, lessons
from gradtutor.tutor.check import describe
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.quiz import PATTERNS, format_shape

from lesson_catalog import loadable

ALL = loadable()
LESSON_IDS = [lesson.id for lesson in ALL]


def run(args, home, stdin="", env=None, timeout=120):
    environment = {**os.environ, "GRADTUTOR_HOME": str(home), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    environment.pop("NO_COLOR", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gradtutor", *args],
        input=stdin, capture_output=True, text=True, encoding="utf-8", env=environment, timeout=timeout,
    )


def right(step) -> str:
    """What a learner who knows the answer types: the engine's key, written as a person would."""
    key = grading.key(step).value
    if step.quiz == "shape":
        return format_shape(key)
    return describe(key)


def wrong(step) -> str:
    """A plausible wrong answer of the right kind."""
    key = grading.key(step).value
    if step.quiz == "numeric":
        return describe(key * 2 + 1)
    if step.quiz == "shape":
        return format_shape(tuple(n + 1 for n in key) or (2,))
    if step.quiz == "matrix":
        rows = key if isinstance(key[0], list) else [key]
        changed = [[x + 1 if (i, j) == (0, 0) else x for j, x in enumerate(row)] for i, row in enumerate(rows)]
        return describe(changed if isinstance(key[0], list) else changed[0])
    if step.quiz == "pattern":
        return next(p for p in PATTERNS if p != key)
    return next(c.id for c in step.choices if c.id != key)


def statuses(home, lesson_id):
    with Progress.open(home) as progress:
        return progress.lesson(lesson_id).steps


@pytest.mark.parametrize("lesson", ALL, ids=LESSON_IDS)
def test_right_answers_complete_the_lesson(lesson, tmp_path):
    lines = "".join(right(step) + "\n" for step in lesson.quizzes)
    result = run(["lesson", lesson.id, "--lang", "en"], tmp_path, lines)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    count = len(lesson.quizzes)
    assert f"Lesson complete: {count} of {count} quizzes passed." in result.stdout
    assert "\x1b[" not in result.stdout  # plain output in a pipe: no colour, no cursor movement
    steps = statuses(tmp_path, lesson.id)
    assert {s.id: (steps[s.id].status, steps[s.id].attempts) for s in lesson.quizzes} == {
        s.id: ("passed", 1) for s in lesson.quizzes
    }


@pytest.mark.parametrize("lesson", ALL, ids=LESSON_IDS)
def test_wrong_answers_get_feedback_and_hints_in_korean(lesson, tmp_path):
    lines = "".join(f"{wrong(step)}\n{right(step)}\n" for step in lesson.quizzes)
    result = run(["lesson", lesson.id, "--lang", "ko"], tmp_path, lines)
    steps = statuses(tmp_path, lesson.id)
    for step in lesson.quizzes:
        record = steps[step.id]
        if step.tries == 1:  # one wrong try ends such a quiz; its right answer then meets the next quiz
            continue
        assert record.attempts >= 2, step.id
        if step.hint_after == 1:
            assert record.hints >= 1, step.id
    assert result.stdout.count("아쉽지만 틀렸습니다.") >= len(lesson.quizzes)
    assert "힌트 1/" in result.stdout
    if all(step.tries > 1 for step in lesson.quizzes):
        assert result.returncode == 0, result.stdout[-3000:]


def test_giving_up_too_many_wrong_tries_and_the_exit_code(tmp_path):
    lesson = lessons.load("backprop")
    first = lesson.quizzes[0]
    lines = "h\n" + f"{wrong(first)}\n" * first.tries + "q\n"
    result = run(["lesson", "backprop", "--lang", "en"], tmp_path, lines)
    assert result.returncode == 1
    assert f"That was {first.tries} tries; here is the worked solution." in result.stdout
    assert "Worked solution" in result.stdout and f"Answer: {right(first)}" in result.stdout
    record = statuses(tmp_path, "backprop")[first.id]
    assert (record.status, record.attempts) == ("given_up", first.tries)
    assert record.hints >= 1


def test_blank_and_unreadable_input_are_not_wrong_answers(tmp_path):
    lesson = lessons.load("backprop")
    first = next(step for step in lesson.quizzes if step.quiz == "numeric")
    before = lesson.quizzes[: lesson.quizzes.index(first)]
    lines = "".join(right(s) + "\n" for s in before) + "\n\n   \nabc\n1,5\n" + right(first) + "\nq\n"
    result = run(["lesson", "backprop", "--lang", "en"], tmp_path, lines)
    assert "Please type a number" in result.stdout and "without commas" in result.stdout
    record = statuses(tmp_path, "backprop")[first.id]
    assert (record.status, record.attempts) == ("passed", 1)


def test_quit_then_resume_at_the_same_step(tmp_path):
    lesson = lessons.load("backprop")
    quizzes = lesson.quizzes
    half = len(quizzes) // 2
    first_run = "".join(right(s) + "\n" for s in quizzes[:half]) + "q\n"
    result = run(["lesson", "backprop", "--lang", "en"], tmp_path, first_run)
    assert result.returncode == 1
    assert "Progress saved." in result.stdout
    stopped_at = quizzes[half]
    number = lesson.index(stopped_at.id) + 1
    with Progress.open(tmp_path) as progress:
        assert progress.lesson("backprop").position == stopped_at.id

    second_run = "".join(right(s) + "\n" for s in quizzes[half:])
    result = run(["lesson", "backprop", "--lang", "en"], tmp_path, second_run)
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"continuing at step {number}/{len(lesson.steps)}" in result.stdout
    first_heading = next(line for line in result.stdout.splitlines() if line.startswith("Step "))
    assert first_heading.startswith(f"Step {number}/{len(lesson.steps)} · {stopped_at.title['en']}")


def test_end_of_input_stops_and_keeps_the_place(tmp_path):
    lesson = lessons.load("gates")
    result = run(["lesson", "gates"], tmp_path, right(lesson.quizzes[0]) + "\n")
    assert result.returncode == 1
    assert "Input ended at step" in result.stdout
    assert statuses(tmp_path, "gates")[lesson.quizzes[0].id].status == "passed"


def test_back_goes_to_the_previous_step(tmp_path):
    lesson = lessons.load("backprop")
    first = lesson.quizzes[0]
    index = lesson.index(first.id)
    previous = lesson.steps[index - 1]
    result = run(["lesson", "backprop", "--lang", "en"], tmp_path, "b\nq\n")
    headings = [line.split(" · ")[0] for line in result.stdout.splitlines() if line.startswith("Step ")]
    # Scripted, an explain step reads no input: going back shows it again and moves on to the quiz.
    total = len(lesson.steps)
    assert headings[-3:] == [f"Step {index + 1}/{total}", f"Step {index}/{total}", f"Step {index + 1}/{total}"]
    assert previous.title["en"] in result.stdout.split(headings[-2] + " · ")[-1]


def test_killed_mid_lesson_keeps_every_answered_step(tmp_path):
    lesson = lessons.load("backprop")
    answered = lesson.quizzes[:2]
    environment = {**os.environ, "GRADTUTOR_HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gradtutor", "lesson", "backprop", "--lang", "en"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
    )
    try:
        process.stdin.write("".join(right(s) + "\n" for s in answered).encode())
        process.stdin.flush()  # the stream stays open: the tutor now waits for the third answer
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (tmp_path / "progress.db").exists():
                db = sqlite3.connect(f"file:{tmp_path / 'progress.db'}?mode=ro", uri=True)
                try:
                    passed = db.execute("SELECT count(*) FROM steps WHERE status = 'passed'").fetchone()[0]
                except sqlite3.Error:
                    passed = 0
                db.close()
                if passed == len(answered):
                    break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    db = sqlite3.connect(tmp_path / "progress.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    steps = statuses(tmp_path, "backprop")
    assert all(steps[s.id].status == "passed" for s in answered)
    # and the lesson picks up again from where the killed run was
    rest = "".join(right(s) + "\n" for s in lesson.quizzes[2:])
    assert run(["lesson", "backprop"], tmp_path, rest).returncode == 0


def test_an_answers_file_runs_a_lesson_without_a_terminal(tmp_path):
    lesson = lessons.load("gates")
    lines = []
    for step in lesson.quizzes:
        answer = right(step)
        lines.append(f'{step.id} = ["{wrong(step)}", "{answer}"]' if step.tries > 1 else f'{step.id} = "{answer}"')
    answers = tmp_path / "answers.toml"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(["lesson", "gates", "--answers", str(answers), "--home", str(tmp_path / "elsewhere")], tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "elsewhere" / "progress.db").exists()  # --home wins over GRADTUTOR_HOME
    assert not (tmp_path / "progress.db").exists()


def test_an_answers_file_with_unknown_steps_or_bad_toml_is_a_usage_error(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('no-such-step = "1"\n', encoding="utf-8")
    result = run(["lesson", "gates", "--answers", str(answers)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the answers file names steps that are not quizzes of gates: no-such-step"
    ]
    answers.write_text("this is = = not toml", encoding="utf-8")
    result = run(["lesson", "gates", "--answers", str(answers)], tmp_path)
    assert result.returncode == 2 and "not valid TOML" in result.stderr and "Traceback" not in result.stderr


def test_a_foreign_progress_file_stops_the_lesson_untouched(tmp_path):
    path = tmp_path / "progress.db"
    path.write_bytes(b"somebody else's data\n" * 10)
    before = path.read_bytes()
    result = run(["lesson", "gates"], tmp_path, "q\n")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "not a gradtutor progress file" in result.stderr
    assert path.read_bytes() == before


def test_progress_lessons_reset_and_export_commands(tmp_path):
    lesson = lessons.load("gates")
    run(["lesson", "gates"], tmp_path, right(lesson.quizzes[0]) + "\nq\n")
    listing = run(["lessons", "--lang", "en"], tmp_path)
    assert listing.returncode == 0
    row = next(line for line in listing.stdout.splitlines() if line.strip().startswith("gates"))
    assert f"1/{len(lesson.quizzes)}" in row
    report = run(["progress", "--lang", "ko"], tmp_path)
    assert report.returncode == 0 and "맞힘" in report.stdout and lesson.quizzes[0].title["ko"] in report.stdout
    exported = run(["progress", "--export", "json"], tmp_path)
    assert '"format": "gradtutor-progress"' in exported.stdout
    moved = tmp_path / "export.json"
    moved.write_text(exported.stdout, encoding="utf-8")
    imported = run(["progress", "--import", str(moved), "--home", str(tmp_path / "other")], tmp_path)
    assert imported.returncode == 0 and imported.stdout.split() == ["gates"]
    assert run(["progress", "--export", "json", "--home", str(tmp_path / "other")], tmp_path).stdout == exported.stdout
    assert run(["reset", "gates"], tmp_path).stdout.strip() == "Progress of lesson gates cleared."
    assert "gates" not in run(["progress", "--export", "json"], tmp_path).stdout


def test_dev_check_command(tmp_path):
    result = run(["dev", "check"], tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "all lessons check out"
    unknown = run(["dev", "check", "nope"], tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: unknown lesson 'nope'")


def test_right_keys_are_numbers_people_type():
    # The scripted learner types what `describe` prints; it must read back as the same number.
    from gradtutor.tutor.quiz import parse_number

    for lesson in ALL:
        for step in lesson.quizzes:
            if step.quiz == "numeric":
                key = grading.key(step).value
                assert abs(float(parse_number(right(step))) - float(key)) <= 1e-9 * max(1, abs(float(key)))
                assert isinstance(parse_number(right(step)), Fraction)


def test_at_a_terminal_the_tutor_waits_for_enter_and_honours_no_color(tmp_path):
    import re
    import select

    lesson = next(lesson for lesson in ALL if lesson.steps[0].kind != "quiz")
    controller, terminal = os.openpty()
    environment = {**os.environ, "GRADTUTOR_HOME": str(tmp_path), "NO_COLOR": "1", "TERM": "xterm-256color",
                   "COLUMNS": "100", "LANG": "C.UTF-8"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gradtutor", "lesson", lesson.id, "--lang", "en"],
        stdin=terminal, stdout=terminal, stderr=terminal, env=environment, close_fds=True,
    )
    os.close(terminal)
    seen = b""

    def wait_for(text: str):
        nonlocal seen
        deadline = time.monotonic() + 60
        while text.encode() not in seen:
            assert time.monotonic() < deadline, f"no {text!r} in {seen.decode(errors='replace')[-800:]}"
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(controller, 65536)
                except OSError:  # the terminal closed: the process ended
                    break

    try:
        wait_for("Enter: next")
        os.write(controller, b"\r")  # Enter: on to step 2
        wait_for(f"Step 2/{len(lesson.steps)}")
        os.write(controller, b"q\r")
        wait_for("Progress saved.")
        assert process.wait(timeout=30) == 1
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    text = seen.decode(errors="replace")
    colours = re.findall(r"\x1b\[([0-9;]*)m", text)
    assert not [c for c in colours if re.search(r"(^|;)(3[0-8]|9[0-7]|4[0-8])(;|$)", c)], "colour despite NO_COLOR"
    with Progress.open(tmp_path) as progress:
        assert progress.lesson(lesson.id).position == lesson.steps[1].id


@pytest.mark.parametrize(
    "lesson_id, step_id, lang, tries",
    [
        ("gates", "name-copy", "en", ["add", "they are added"]),
        ("gates", "name-copy", "ko", ["더하기"]),
        ("rnn", "shared-weight", "en", ["by adding"]),
        ("rnn", "shared-weight", "ko", ["더해서"]),
    ],
)
def test_gradients_that_are_added_is_the_right_pattern_and_add_alone_asks_which(
    lesson_id, step_id, lang, tries, tmp_path
):
    answers = tmp_path / "answers.toml"
    answers.write_text(f"{step_id} = {tries!r}\n".replace("'", '"'), encoding="utf-8")
    result = run(["lesson", lesson_id, "--lang", lang, "--answers", str(answers)], tmp_path)
    record = statuses(tmp_path, lesson_id)[step_id]
    assert (record.status, record.attempts) == ("passed", 1), result.stdout[-2000:]
    if "add" in tries:  # fits add distributes and copy adds: asked again, not counted
        assert "That fits more than one pattern: which one?" in result.stdout


@pytest.mark.parametrize(
    "lesson_id, step_id, typed, said",
    [
        # The upstream alone: the local gradient was forgotten.
        ("backprop", "apple-grad", "1.1", "1.1 is the upstream gradient alone: multiply it by the local gradient."),
        ("backprop", "mul-node-y", "1.3", "1.3 is the upstream gradient alone: multiply it by the local gradient."),
        # Arrays: both slips are computed from the gate's Jacobian and upstream in the trace.
        ("vectors", "max-vector-grad", "0 1 0 0", "[0 1 0 0] is only the local gradient: multiply it by the upstream"),
        ("vectors", "db-batch", "0.75 -0.5 0.5", "[0.75 -0.5 0.5] is the mean over the batch"),
    ],
)
def test_the_slips_of_backprop_are_named(lesson_id, step_id, typed, said, tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text(f'{step_id} = ["{typed}"]\n', encoding="utf-8")
    result = run(["lesson", lesson_id, "--lang", "en", "--answers", str(answers)], tmp_path)
    assert said in result.stdout, result.stdout[-2000:]


def test_the_worked_solution_shows_the_digits_the_quiz_asks_for(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('one-step = ["g"]\n', encoding="utf-8")
    result = run(["lesson", "rnn", "--lang", "en", "--answers", str(answers)], tmp_path)
    line = "Answer:" + result.stdout.split("Answer:")[1].splitlines()[0]
    # The quiz's three digits first; the engine's value to all its digits after, not instead.
    assert line.startswith("Answer: 0.338 (more precisely 0.3379"), line
