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
