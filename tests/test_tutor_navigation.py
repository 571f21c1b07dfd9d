"""Finding one's way back: the hints to continue repeat the options given, the end of a lesson
names the open quizzes by their headings with a way straight to them (`--step`, `--open`), a
finished lesson says how to jump, a continue prompt takes only Enter, b or q, and the progress
report counts the hints a learner asked for, not those that came after a wrong try.

The CLI behaviour runs through the real `gradtutor lesson` command in a subprocess.
"""

import io
import re
import shlex

from gradtutor.tutor import lessons
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.session import Lines, Session, console_for

from test_tutor_session import right, run, statuses


def test_the_resume_hint_keeps_lang_and_home(tmp_path):
    home = tmp_path / "elsewhere"
    result = run(["lesson", "backprop", "--lang", "ko", "--home", str(home)], tmp_path / "unused", "q\n")
    assert result.returncode == 1
    hint = re.search(r"진행 상황을 저장했습니다\. (.+?) 명령으로", " ".join(result.stdout.split())).group(1)
    words = shlex.split(hint)
    assert words[:3] == ["gradtutor", "lesson", "backprop"]
    assert words[3:] == ["--lang", "ko", "--home", str(home)]
    again = run(words[1:], tmp_path / "unused", "q\n")  # what the learner is told to type
    assert "다시 오셨군요" in again.stdout or "수업:" in again.stdout
    assert "Lesson:" not in again.stdout  # still Korean
    with Progress.open(home) as progress:
        assert progress.lesson("backprop").position is not None


def test_the_end_names_open_quizzes_by_heading_and_leads_back_to_them(tmp_path):
    lesson = lessons.load("gates")
    answers = tmp_path / "answers.toml"
    answers.write_text("", encoding="utf-8")  # every quiz skipped: all of them stay open
    result = run(["lesson", "gates", "--lang", "en", "--answers", str(answers)], tmp_path)
    assert result.returncode == 1
    text = " ".join(result.stdout.split())
    assert f"Still open ({len(lesson.quizzes)}):" in text
    for step in lesson.quizzes:
        assert f"{step.title['en']} (--step {step.id})" in text
    assert "Still open: " not in text and "--open goes through them" in text

    # --open walks only the open quizzes and leaves the lesson's place alone.
    walked = run(["lesson", "gates", "--lang", "en", "--open"], tmp_path,
                 "".join(right(step) + "\n" for step in lesson.quizzes))
    assert walked.returncode == 0, walked.stdout[-2000:]
    headings = [line for line in walked.stdout.splitlines() if line.startswith("Step ")]
    assert [h.split(" · ")[1].rstrip(" ─") for h in headings] == [s.title["en"] for s in lesson.quizzes]
    assert all(statuses(tmp_path, "gates")[s.id].status == "passed" for s in lesson.quizzes)
    nothing_left = run(["lesson", "gates", "--lang", "en", "--open"], tmp_path, "")
    assert nothing_left.returncode == 0 and "No quiz of this lesson is open" in nothing_left.stdout
    assert "Step " not in nothing_left.stdout


def test_step_starts_at_that_step_and_an_unknown_one_is_one_line(tmp_path):
    lesson = lessons.load("gates")
    last = lesson.quizzes[-1]
    result = run(["lesson", "gates", "--lang", "en", "--step", last.id], tmp_path, right(last) + "\n")
    first = next(line for line in result.stdout.splitlines() if line.startswith("Step "))
    assert last.title["en"] in first and "Welcome back" not in result.stdout
    assert statuses(tmp_path, "gates")[last.id].status == "passed"
    bad = run(["lesson", "gates", "--step", "nope"], tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "lesson gates has no step 'nope'" in bad.stderr + bad.stdout


def test_a_finished_lesson_offers_review_or_a_jump_without_blocking(tmp_path):
    lesson = lessons.load("gates")
    skipped = tmp_path / "answers.toml"
    skipped.write_text("", encoding="utf-8")
    run(["lesson", "gates", "--lang", "en", "--answers", str(skipped)], tmp_path)  # reached the end
    again = run(["lesson", "gates", "--lang", "en"], tmp_path, "")
    text = " ".join(again.stdout.split())
    assert "You finished this lesson before: reviewing it from the start." in text
    assert f"gradtutor lesson gates --lang en --open walks the {len(lesson.quizzes)} open quizzes" in text
    assert "--step ID starts at a step" in text
    assert "Step 1/" in again.stdout  # scripted: the review simply starts, nothing waits


class AtATerminal(Lines):
    scripted = False


def test_a_continue_prompt_is_one_prompt_and_does_not_take_text_for_enter(tmp_path):
    lesson = lessons.load("backprop")
    assert lesson.steps[0].kind == "explain"
    out = io.StringIO()
    console = console_for(scripted=True, width=100, file=out)
    with Progress.open(tmp_path) as progress:
        session = Session(lesson, "en", progress, console, AtATerminal(io.StringIO("220\n\nq\n"), console))
        session.run()
        position = progress.lesson("backprop").position
    transcript = out.getvalue()
    step_one = transcript.split("Step 2/")[0]
    assert step_one.count("Enter: next · b: back · q: quit") == 2  # one prompt, asked twice
    assert "Enter to continue" not in transcript
    assert "Press Enter to go on (b back, q quit)." in step_one  # "220" typed too early: not Enter
    assert position == lesson.steps[1].id


def test_the_hints_column_counts_only_hints_asked_for(tmp_path):
    from test_tutor_session import wrong

    lesson = lessons.load("backprop")
    first = lesson.quizzes[0]
    assert first.hint_after == 1 and len(first.hints) >= 2
    # A wrong try brings hint 1 by itself; h asks for hint 2.
    run(["lesson", "backprop", "--lang", "en"], tmp_path, f"{wrong(first)}\nh\n{right(first)}\nq\n")
    record = statuses(tmp_path, "backprop")[first.id]
    assert (record.hints, record.hints_asked) == (2, 1)
    report = run(["progress", "--lang", "en"], tmp_path)
    row = next(line for line in report.stdout.splitlines() if line.strip().startswith(first.title["en"]))
    assert row.split()[-2:] == ["2", "1"]  # attempts 2, hints asked for 1 (shown: 2)
