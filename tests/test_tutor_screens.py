"""Golden screens of the tutor in both languages, the UI strings, and Hangul-aligned tables.

The screens come from a small fixed lesson (tests/data/lessons/mini), so they change only when
the tutor's own screens do, not when the shipped lessons are rewritten.
"""

import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from gradtutor.tutor import commands, lessons
from gradtutor.tutor.progress import Progress
from gradtutor.tutor.session import Lines, Session, command, console_for
from gradtutor.tutor.text import LANGUAGES, default_language, strings, ui
from render_golden import assert_golden

MINI = Path(__file__).resolve().parent / "data" / "lessons" / "mini"


def transcript(lang: str, typed: str, home: Path) -> tuple[str, int]:
    lesson = lessons.load("mini", MINI)
    out = io.StringIO()
    console = console_for(scripted=True, width=80, file=out)
    with Progress.open(home) as progress:
        progress.seed("mini", "pick", 3)  # a fixed shuffle, so the screen is the same every run
        code = Session(lesson, lang, progress, console, Lines(io.StringIO(typed), console)).run()
    return out.getvalue(), code


# Wrong, then a hint asked for, then right; a wrong pattern; a wrong choice, then the right one.
TYPED = "4\nh\n3\nmultiply swaps\nadd distributes\nc\na\n"
TYPED_KO = "4\n힌트\n3\n교환\n분배\nc\na\n"


@pytest.mark.parametrize("lang, typed", [("en", TYPED), ("ko", TYPED_KO)])
def test_golden_lesson_screens(lang, typed, tmp_path):
    text, code = transcript(lang, typed, tmp_path)
    assert code == 0
    assert_golden(f"tutor-mini-{lang}.txt", text)


def test_resume_screen(tmp_path):
    first, code = transcript("en", "3\nq\n", tmp_path)
    assert code == 1 and first.rstrip().endswith("`gradtutor lesson mini` continues from here.".replace("`", ""))
    second, code = transcript("ko", "분배\n1\n", tmp_path)
    assert "다시 오셨군요. 4/5단계부터 이어서 합니다." in second


def test_finished_lesson_starts_again_from_the_top(tmp_path):
    transcript("en", TYPED, tmp_path)
    again, code = transcript("en", "", tmp_path)
    assert "You finished this lesson before" in again
    assert code == 0  # every quiz stays passed; nothing is asked again
    assert "Already answered ✓ (3)" in again


# -- UI strings --------------------------------------------------------------------------------------
def test_every_ui_string_has_every_language_and_the_same_placeholders():
    import string

    for key, texts in strings()["ui"].items():
        assert set(texts) == set(LANGUAGES), key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGUAGES}
        assert fields["en"] == fields["ko"], key
    for name, spec in strings()["patterns"].items():
        assert set(spec["name"]) == set(LANGUAGES) and spec["synonyms"], name


def test_every_feedback_key_the_tutor_can_give_has_a_string():
    from gradtutor.tutor import quiz

    keys = ["sign_flipped", "too_high", "too_low", "forward_value", "no_upstream", "one_use_only",
            "shape_transposed", "shape_wrong_rank", "shape_wrong", "matrix_shape", "matrix_transposed",
            "matrix_entry", "vector_entry", "choice_wrong", "need_number", "no_comma", "zero_denominator",
            "need_shape", "need_matrix", "ragged_matrix", "need_pattern", "need_choice",
            "no_local", "batch_mean", "pattern_ambiguous", "continue_help"]
    keys += [f"pattern_not_{p}" for p in quiz.PATTERNS]
    assert set(keys) <= set(strings()["ui"])


def test_language_from_the_locale():
    assert default_language({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert default_language({"LANG": "en_US.UTF-8"}) == "en"
    assert default_language({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}) == "ko"
    assert default_language({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}) == "en"
    assert default_language({}) == "en"
    assert ui("ko", "hint", number=1, total=2, text="보세요") == "힌트 1/2: 보세요"


def test_commands_work_in_hangul_keyboard_mode():
    assert [command(t) for t in ("h", "ㅗ", "힌트", "G", "ㅎ", "give  up", "ㅂ", "q", "ㅠ", "2.2")] == [
        "hint", "hint", "hint", "give_up", "give_up", "give_up", "quit", "quit", "back", None,
    ]


# -- Hangul stays aligned ------------------------------------------------------------------------------
def _lines(renderable, width=60) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False, record=True)
    console.print(renderable)
    return console.export_text().splitlines()


def _column_starts(line: str, cells: list[str]) -> list[int]:
    """The screen column (in terminal cells) where each cell's text starts in the line."""
    starts, position = [], 0
    for cell in cells:
        index = line.index(cell, position)
        starts.append(cell_len(line[:index]))
        position = index + len(cell)
    return starts


def test_korean_tables_stay_aligned_in_a_fixed_width_terminal():
    table = Table("수업", "제목", "상태")
    rows = [("backprop", "역전파, 노드 하나씩", "완료"), ("gates", "게이트 패턴", "3/16단계 진행 중"), ("x", "ab", "시작 전")]
    for row in rows:
        table.add_row(*row)
    lines = _lines(table)
    body = [line for line in lines if any(row[0] in line for row in rows)]
    starts = [_column_starts(line, list(row)) for line, row in zip(body, rows)]
    assert starts[0] == starts[1] == starts[2]
    widths = {cell_len(line) for line in lines}
    assert len(widths) == 1  # every line of the table fills the same number of cells


def test_the_korean_lessons_table_is_aligned(tmp_path):
    lines = _lines(commands.lessons_table("ko", tmp_path), width=100)
    all_lessons = lessons.load_all()
    body = [next(line for line in lines if line.strip().startswith(lesson.id + " ")) for lesson in all_lessons]
    title_starts = {_column_starts(line, [lesson.title["ko"]])[0] for line, lesson in zip(body, all_lessons)}
    status_ends = {cell_len(line.rstrip()) for line in body}
    assert len(title_starts) == 1 and len(status_ends) == 1
