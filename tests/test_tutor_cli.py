"""The tutor's commands through typer's CliRunner (the subprocess runs are in test_tutor_session)."""

from typer.testing import CliRunner

from gradtutor.cli import app
from gradtutor.tutor import grading, lessons
from gradtutor.tutor.check import describe
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.quiz import format_shape

runner = CliRunner()


def typed(step) -> str:
    key = grading.key(step).value
    return format_shape(key) if step.quiz == "shape" else describe(key)


def test_lesson_reads_answers_from_input_and_sets_the_exit_code(tmp_path):
    lesson = lessons.load("gates")
    answers = "".join(typed(step) + "\n" for step in lesson.quizzes)
    result = runner.invoke(app, ["lesson", "gates", "--lang", "en", "--home", str(tmp_path)], input=answers)
    assert result.exit_code == 0, result.output[-2000:]
    assert "Lesson complete" in result.output
    half = runner.invoke(app, ["lesson", "backprop", "--home", str(tmp_path)], input="q\n")
    assert half.exit_code == 1


def test_language_is_an_enum_option_and_defaults_to_the_locale(tmp_path, monkeypatch):
    bad = runner.invoke(app, ["lesson", "gates", "--lang", "fr", "--home", str(tmp_path)], input="q\n")
    assert bad.exit_code == 2 and "fr" in bad.output
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    korean = runner.invoke(app, ["lesson", "gates", "--home", str(tmp_path)], input="q\n")
    assert "수업:" in korean.output and "진행 상황을 저장했습니다." in korean.output


def test_lessons_progress_and_reset(tmp_path):
    home = ["--home", str(tmp_path)]
    empty = runner.invoke(app, ["progress", "--lang", "en", *home])
    assert empty.exit_code == 0 and "No progress yet" in empty.output
    first = lessons.load("backprop").quizzes[0]
    with Progress.open(tmp_path) as progress:
        progress.record_answer("backprop", first.id, typed(first), right=True)
    listing = runner.invoke(app, ["lessons", "--lang", "en", *home])
    assert listing.exit_code == 0
    assert all(lesson.id in listing.output for lesson in lessons.load_all())
    report = runner.invoke(app, ["progress", "--lang", "en", *home])
    assert first.title["en"] in report.output and "passed" in report.output
    assert runner.invoke(app, ["reset", "backprop", *home]).output.strip() == "Progress of lesson backprop cleared."
    assert runner.invoke(app, ["reset", "backprop", *home]).output.strip() == "Lesson backprop has no progress to clear."
    unknown = runner.invoke(app, ["reset", "nope", *home])
    assert unknown.exit_code == 2 and unknown.output.startswith("error: unknown lesson 'nope'")


def test_export_and_import_exclude_each_other(tmp_path):
    result = runner.invoke(app, ["progress", "--export", "json", "--import", "x.json", "--home", str(tmp_path)])
    assert result.exit_code == 2 and "separate runs" in result.output


def test_dev_check(tmp_path):
    result = runner.invoke(app, ["dev", "check"])
    assert result.exit_code == 0 and result.output.strip() == "all lessons check out"
    one = runner.invoke(app, ["dev", "check", "gates"])
    assert one.exit_code == 0 and one.output.strip() == "gates: checks out"


def test_a_misspelt_lesson_gets_a_suggestion(tmp_path):
    result = runner.invoke(app, ["lesson", "backprp", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith("error: unknown lesson 'backprp'; did you mean 'backprop'? (lessons: ")
    assert len(result.output.strip().splitlines()) == 1


def test_progress_headings_are_one_line_when_they_fit(tmp_path):
    import io

    from rich.console import Console

    from gradtutor.tutor import commands
    from gradtutor.tutor.text import ui

    first = lessons.load("backprop").quizzes[0]
    with Progress.open(tmp_path) as progress:
        progress.record_answer("backprop", first.id, typed(first), right=True)
        progress.set_position("gates", lessons.load("gates").steps[0].id)
    for lang in ("en", "ko"):
        out = io.StringIO()
        Console(file=out, width=110, color_system=None).print(commands.progress_report(lang, tmp_path))
        lines = out.getvalue().splitlines()
        for lesson in (lessons.load("backprop"), lessons.load("gates")):
            heading = ui(lang, "progress_title", title=lesson.title[lang], passed=int(lesson.id == "backprop"),
                                  total=len(lesson.quizzes))
            assert len(heading) < 110
            assert heading in [line.rstrip() for line in lines], out.getvalue()
