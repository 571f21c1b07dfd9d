"""The languages gradtutor speaks, and which one the locale asks for.

Upstream of everything that shows words (renderers, tutor, CLI), so each of them asks the same
question the same way. Each of those keeps its own words in a `strings.toml` beside it, read
with `load_strings`: English and Korean side by side, every key in every language.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources

from gradtutor.errors import UserError

LANGUAGES = ("en", "ko")


class UnknownLanguage(UserError, ValueError):
    """A language code gradtutor has no words for."""


def default_language(environ=None) -> str:
    """The language the locale asks for: ko when it starts with "ko" (ko_KR.UTF-8), else en.

    The variables are read in the order POSIX gives them priority; the first one set decides.
    """
    environ = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def check_language(lang) -> str:
    """`lang` as a code from LANGUAGES (an Enum member from the CLI gives its value)."""
    lang = getattr(lang, "value", lang)
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return lang


@cache
def load_strings(package: str) -> dict:
    """The `strings.toml` shipped in `package` (e.g. "gradtutor.render"), parsed once."""
    text = resources.files(package).joinpath("strings.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


# -- Korean particles -------------------------------------------------------------------------
# A Korean template cannot know whether the value it is given ends in a consonant: "200은" but
# "2.2는". Templates write both forms, 은(는), and `with_particles` keeps the one that fits the
# word before it, read aloud: a Hangul syllable by its final consonant, a digit by its Korean
# name (영 일 이 삼 사 오 육 칠 팔 구), a closing bracket by what it closes over.
_PARTICLES = {"은(는)": ("은", "는"), "이(가)": ("이", "가"), "을(를)": ("을", "를"), "과(와)": ("과", "와")}
_DIGIT_HAS_FINAL = dict(zip("0123456789", (True, True, False, True, False, False, True, True, True, False)))
_LETTER_HAS_FINAL = set("lmnrLMNR")  # el, em, en, ar: the English letters read with a final consonant


def _ends_in_consonant(word: str) -> bool:
    for char in reversed(word):
        if char in ")]}'\"`’”, ":
            continue
        if "가" <= char <= "힣":
            return (ord(char) - ord("가")) % 28 != 0
        if char in _DIGIT_HAS_FINAL:
            return _DIGIT_HAS_FINAL[char]
        return char in _LETTER_HAS_FINAL
    return False


def with_particles(text: str) -> str:
    """`text` with each 은(는)-style pair resolved for the word before it: '200은(는)' -> '200은'."""
    for pair, (after_consonant, after_vowel) in _PARTICLES.items():
        while pair in text:
            at = text.index(pair)
            chosen = after_consonant if _ends_in_consonant(text[:at]) else after_vowel
            text = text[:at] + chosen + text[at + len(pair):]
    return text
