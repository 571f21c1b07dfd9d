"""Korean text reads as Korean: particles chosen for the word before them, the course's terms."""

import re
import string

import pytest

from gradtutor.lang import with_particles
from gradtutor.tutor.text import strings, ui


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200은(는) 순전파 값", "200은 순전파 값"),  # 이백: ends in ㄱ
        ("2.2은(는) 순전파 값", "2.2는 순전파 값"),  # 이 점 이: no final consonant
        ("1623은(는)", "1623은"),  # 삼
        ("0.5은(는)", "0.5는"),  # 오
        ("(2, 3)은(는) 전치된 형상", "(2, 3)은 전치된 형상"),  # the bracket closes over 삼
        ("(3,)은(는)", "(3,)은"),
        ("사과은(는)", "사과는"),
        ("값이(가)", "값이"),
        ("소비세을(를)", "소비세를"),
        ("x은(는)", "x는"),
        ("L을(를)", "L을"),
        ("13과(와) 6.5", "13과 6.5"),  # 삼
        ("2과(와) 6.5", "2와 6.5"),
    ],
)
def test_a_particle_pair_becomes_the_form_the_word_before_it_takes(text, expected):
    assert with_particles(text) == expected


def _filled(template: str) -> dict:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return {name: "200" for name in names}


def test_no_korean_ui_string_shows_a_particle_pair_or_the_word_모양():
    for key, texts in strings()["ui"].items():
        shown = ui("ko", key, **_filled(texts["ko"]))
        assert not re.search(r"\((는|가|를|와)\)", shown), (key, shown)
        # 형상 is the course's word for an array's shape
        assert "모양" not in shown, (key, shown)


def test_korean_ui_strings_keep_one_register():
    # 합니다체 throughout: a stray 해요체 ending (…어요/…아요/…해요) reads as a different voice.
    for key, texts in strings()["ui"].items():
        assert not re.search(r"(어요|아요|해요|예요|에요)[.?!]?$", texts["ko"].strip()), (key, texts["ko"])
