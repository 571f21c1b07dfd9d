"""`gradtutor dev check PATH` and `gradtutor lesson PATH`: lessons being written, on disk, checked
and taken before they are installed; a folder that is no lesson is reported, not skipped."""

import shutil
import subprocess
import sys

import pytest

from gradtutor.tutor import check, commands, lessons

PROBE = """format_version = 1
id = "probe"

[[step]]
id = "ask"
kind = "quiz"
quiz = "numeric"
example = "apple"
quantity = "{quantity}"
answer = "{answer}"
prompt = {{ en = "What is it?", ko = "What is it?" }}
hints = [ {{ en = "Think.", ko = "Think." }} ]
why = {{ en = "Because.", ko = "Because." }}
"""
PROSE = "# Probe\n\nIntro.\n\n## Ask {#ask}\n\nWhat is it?\n"


def probe(folder, quantity="grad:apple", answer="2.2"):
    folder.mkdir(parents=True)
    (folder / "lesson.toml").write_text(PROBE.format(quantity=quantity, answer=answer), encoding="utf-8")
    for lang in ("en", "ko"):
        (folder / f"{lang}.md").write_text(PROSE, encoding="utf-8")
    return folder


def test_an_installed_lesson_copied_elsewhere_checks_out_from_its_folder(tmp_path):
    shutil.copytree(lessons.root().joinpath("gates"), tmp_path / "gates")
    assert check.check_folder(tmp_path / "gates") == []
    assert check.check_folder(tmp_path) == []  # a folder of lessons


def test_a_folder_of_lessons_reports_each_lesson_and_each_folder_that_is_none(tmp_path):
    probe(tmp_path / "probe", quantity="value:nonexistent")
    (tmp_path / "draft").mkdir()
    (tmp_path / "odd" / "lesson.toml").mkdir(parents=True)
    problems = check.check_folder(tmp_path)
    assert len(problems) == 3
    assert problems[0] == f"{tmp_path / 'draft'}: no lesson.toml, so it is not a lesson (see lessons/README.md)"
    assert problems[1].startswith(f"{tmp_path / 'odd' / 'lesson.toml'}: is a folder")
    assert problems[2].startswith(f"{tmp_path / 'probe'}/lesson.toml: step ask: no node named 'nonexistent'")


def test_an_answer_beyond_the_float_range_is_a_finding_not_an_overflow(tmp_path):
    problems = check.check_folder(probe(tmp_path / "probe", answer="1e400"))
    assert problems == [f"{tmp_path / 'probe'}/lesson.toml: step ask: answer 1e400 but the engine computes grad:apple = 2.2"]


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(lessons.LessonError, match="no such folder of lessons"):
        commands.dev_check([str(tmp_path / "nothing") + "/"])


def test_a_lesson_folder_runs_and_a_quantity_it_cannot_compute_is_one_error(tmp_path):
    folder = probe(tmp_path / "probe", quantity="value:nonexistent")
    with pytest.raises(lessons.LessonError) as raised:
        commands.run_lesson(str(folder), "en", home=tmp_path / "home", stdin=_Lines("1\n"))
    (problem,) = raised.value.problems
    assert problem.startswith(f"{folder}/lesson.toml: step ask: no node named 'nonexistent'")


def test_dev_check_of_a_path_through_the_command(tmp_path):
    probe(tmp_path / "lessons" / "probe")
    done = subprocess.run([sys.executable, "-m", "gradtutor", "dev", "check", "lessons"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "lessons: checks out", "")


class _Lines:
    def __init__(self, text):
        self.lines = text.splitlines(keepends=True)

    def isatty(self):
        return False

    def readline(self):
        return self.lines.pop(0) if self.lines else ""

    def __iter__(self):
        return iter(self.lines)
