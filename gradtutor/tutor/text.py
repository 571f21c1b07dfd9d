"""The tutor's own words (the languages themselves are in gradtutor.lang).

Every string the tutor shows (prompts, confirmations, feedback, table headers) lives in
`strings.toml` beside this module, in English and Korean side by side, so a translation is
reviewed next to its original and a missing one is caught by the tests, not by a learner.
"""

from __future__ import annotations

from gradtutor.lang import LANGUAGES, default_language, load_strings, strings_table, with_particles

__all__ = ["LANGUAGES", "default_language", "strings", "ui", "pick", "pattern_synonyms", "pattern_name"]


def strings() -> dict:
    return load_strings("gradtutor.tutor")


def ui(lang: str, key: str, **params) -> str:
    """One UI string in `lang`, with its {placeholders} filled in (and, in Korean, each 은(는)
    pair resolved for the value before it)."""
    text = strings_table("gradtutor.tutor", f"ui.{key}")[lang].format(**params)
    return with_particles(text) if lang == "ko" else text


def pick(localized: dict, lang: str) -> str:
    """A lesson's localized text in `lang` (lessons are validated to have every language)."""
    return localized[lang]


def pattern_synonyms() -> dict[str, list[str]]:
    """Each gate pattern's accepted names, both languages together: a learner may answer in
    either, whatever the lesson's language."""
    return {name: spec["synonyms"] for name, spec in strings()["patterns"].items()}


def pattern_name(pattern: str, lang: str) -> str:
    return strings()["patterns"][pattern]["name"][lang]
