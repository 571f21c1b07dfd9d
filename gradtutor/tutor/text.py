"""Languages and the tutor's own words.

Every string the tutor shows (prompts, confirmations, feedback, table headers) lives in
`strings.toml` beside this module, in English and Korean side by side, so a translation is
reviewed next to its original and a missing one is caught by the tests, not by a learner.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources

LANGUAGES = ("en", "ko")


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


@cache
def strings() -> dict:
    text = resources.files("gradtutor.tutor").joinpath("strings.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def ui(lang: str, key: str, **params) -> str:
    """One UI string in `lang`, with its {placeholders} filled in."""
    return strings()["ui"][key][lang].format(**params)


def pick(localized: dict, lang: str) -> str:
    """A lesson's localized text in `lang` (lessons are validated to have every language)."""
    return localized[lang]


def pattern_synonyms() -> dict[str, list[str]]:
    """Each gate pattern's accepted names, both languages together: a learner may answer in
    either, whatever the lesson's language."""
    return {name: spec["synonyms"] for name, spec in strings()["patterns"].items()}


def pattern_name(pattern: str, lang: str) -> str:
    return strings()["patterns"][pattern]["name"][lang]
