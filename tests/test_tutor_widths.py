"""The tutor's screens at 80 and 60 columns: lesson code blocks keep their lines, a multiple-choice
option's wrapped lines hang under its text, and whole lessons print with nothing cut off."""

import io
from pathlib import Path

import pytest
from rich.cells import cell_len

from gradtutor.render.term import plain_text
from gradtutor.tutor import lessons
from gradtutor.tutor.markdown import Markdown, choice
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.session import AnswerFile, Session, console_for
from lesson_catalog import loadable

LESSONS = Path(lessons.__file__).resolve().parents[2] / "lessons"
CODE_WIDTH = 58  # a 60-column terminal less the code block's padding on each side


def _code_lines(text: str):
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            yield line


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*/*.md")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lesson_code_blocks_fit_60_columns(path):
    too_wide = [line for line in _code_lines(path.read_text(encoding="utf-8")) if cell_len(line) > CODE_WIDTH]
    assert too_wide == []


def test_a_code_block_wider_than_the_terminal_is_cropped_not_wrapped():
    text = plain_text(Markdown("```\nh1 = tanh(w·h0),  h2 = tanh(w·h1)\nw = 0.5,  h0 = 0\n```"), width=24)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines == ["h1 = tanh(w·h0),  h2 =", "w = 0.5,  h0 = 0"]  # no second line made of the first's end


def test_a_wrapped_choice_hangs_under_its_text():
    text = plain_text(choice(1, "Every output is divided by the same sum over all inputs."), width=30)
    first, *rest = text.splitlines()
    assert first.startswith("  1) Every")
    assert rest and all(line.startswith(" " * 5) and line[5] != " " for line in rest)


def _lesson_screens(name: str, lang: str, width: int, home: Path) -> str:
    lesson = lessons.load(name)
    out = io.StringIO()
    console = console_for(scripted=True, width=width, file=out)
    give_up = {step.id: ["g"] for step in lesson.steps if step.kind == "quiz"}  # every worked solution too
    with Progress.open(home) as progress:
        Session(lesson, lang, progress, console, AnswerFile(give_up, console)).run()
    return out.getvalue()


_OWN_ELLIPSES = {}  # (lesson, language) -> the "…" the lesson writes itself (at 200 columns)


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", [lesson.id for lesson in loadable()])
def test_whole_lessons_print_within_the_width_with_nothing_cut(name, lang, width, tmp_path):
    text = _lesson_screens(name, lang, width, tmp_path)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    if (name, lang) not in _OWN_ELLIPSES:  # "1 … i", "t = 1, 2…", rows left out of a long table
        _OWN_ELLIPSES[name, lang] = _lesson_screens(name, lang, 200, tmp_path / "wide").count("…")
    assert text.count("…") == _OWN_ELLIPSES[name, lang]  # any other "…" is something cut short


@pytest.mark.parametrize("width", [60, 70, 78, 79, 80, 90, 100])
def test_a_lesson_table_of_korean_prose_wraps_without_cutting_a_syllable(width):
    table = """| 게이트 | 돌려보내는 것 |
| --- | --- |
| O = P · V | ∂L/∂V = Pᵀ · ∂L/∂O, ∂L/∂P = ∂L/∂O · Vᵀ (행렬 곱은 다른 입력의 전치를 곱함) |
| P = softmax(S) | 행마다 ∂L/∂S = P ⊙ (∂L/∂P − Σ ∂L/∂P ⊙ P): 블록 대각 야코비안을 한 행씩 적용 |"""
    text = plain_text(Markdown(table), width=width)
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= width
    words = " ".join(text.split())
    for word in ("입력의", "곱함)", "야코비안을", "적용"):
        assert word in words


@pytest.mark.parametrize("width", [30, 40, 50, 60])
def test_a_lesson_sentence_and_a_table_cell_never_wrap_before_an_equals_sign(width):
    sentence = "The engine traces a small circuit with v₁ = 3, v₂ = 4 and v₃ = −2, so f = v₁·v₂ + v₃ = 10."
    table = f"| gate | rule |\n| --- | --- |\n| f | {sentence} |"
    for text in (plain_text(Markdown(sentence), width=width), plain_text(Markdown(table), width=width)):
        assert not any(line.strip().startswith(("= ", "+ ")) for line in text.splitlines())
        assert "v₃ = −2," in " ".join(text.split())


@pytest.mark.parametrize("width", [40, 50, 60])
def test_inline_code_is_never_split_across_lines(width):
    text = plain_text(Markdown("A larger batch gives a smoother gradient, a smaller one more updates per "
                               "epoch: `gradtutor train --batch-size 16` sets it."), width=width)
    assert any("gradtutor train --batch-size 16" in line for line in text.splitlines())
    assert "\ue000" not in text  # the private character that holds the command together never shows


def test_inline_code_wider_than_the_line_breaks_at_its_spaces_not_inside_a_word():
    command = "gradtutor lesson backprop --home /a/rather/long/folder/of/progress/files"
    lines = plain_text(Markdown(f"To go on later: `{command}`."), width=40).splitlines()
    assert " ".join(" ".join(lines).split()) == f"To go on later: {command}."
    assert any("/a/rather/long/folder/of/progress/files" in line for line in lines)  # the path whole