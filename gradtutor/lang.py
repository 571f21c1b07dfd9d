"""The languages gradtutor speaks, and which one the locale asks for.

Upstream of everything that shows words (renderers, tutor, CLI), so each of them asks the same
question the same way. Each of those keeps its own words in a `strings.toml` beside it, read
with `load_strings`: English and Korean side by side, every key in every language.

A command shows a few of those words, and parsing a whole file of them took a tenth of its
start-up (benchmarks/startup.py): `strings_table` (a `WordsFile`, which ops/table.py uses for the
ops' words too) reads the one table a command asks for from its own lines, with `plain_table`,
where it is written plainly (`key = "text"` or a one-line list
of such texts), and parses the whole file otherwise. tests/test_words_tables.py checks that both
readings agree on every table of every words file.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import cache
from pathlib import Path

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


class WordsFile:
    """A TOML file of words, read once: each table taken from its own lines where it is written
    plainly (`plain_table`), the whole file parsed only where one is not."""

    _MISSING = object()

    def __init__(self, text: str):
        self.text = text
        self._parsed = None
        self._tables: dict[str, object] = {}

    def parsed(self) -> dict:
        """The whole file, parsed on first use."""
        if self._parsed is None:
            import tomllib  # only where a table is not plain: `gradtutor --help` and traces stay fast

            self._parsed = tomllib.loads(self.text)
        return self._parsed

    def table(self, name: str) -> dict:
        """One table by its dotted name ("ui.lessons_title"), as the parsed file holds it; a
        table not there raises KeyError."""
        found = self._tables.get(name)
        if found is None:
            found = plain_table(self.text, name)
            if found is None:
                found = self.parsed()
                try:
                    for key in name.split("."):
                        found = found[key]
                except KeyError:
                    found = self._MISSING
            self._tables[name] = found
        if found is self._MISSING:
            raise KeyError(name)
        return found


def load_strings(package: str) -> dict:
    """The `strings.toml` shipped in `package` (e.g. "gradtutor.render"), parsed once."""
    return _strings_file(package).parsed()


def strings_table(package: str, name: str) -> dict:
    """One table of the package's `strings.toml` by its dotted name ("ui.lessons_title"), as
    `load_strings` gives it; a table not there raises KeyError."""
    return _strings_file(package).table(name)


@cache
def _strings_file(package: str) -> WordsFile:
    # The package's own folder: importlib.resources took longer to import than the reading takes.
    folder = Path(importlib.import_module(package).__path__[0])
    return WordsFile(folder.joinpath("strings.toml").read_text(encoding="utf-8"))


_BASIC = r'"(?:[^"\\\x00-\x1f]|\\[btnfr"\\])*"'  # a one-line TOML string; \u escapes are left to tomllib
_PLAIN_LINE = re.compile(
    rf"(?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*(?P<value>{_BASIC}|\[[ \t]*(?:{_BASIC}[ \t]*,[ \t]*)*(?:{_BASIC}[ \t]*)?\])"
    r"[ \t]*(?:#.*)?"
)
_QUOTED = re.compile(_BASIC)
_ESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unquoted(quoted: str) -> str:
    text = quoted[1:-1]
    return _ESCAPE.sub(lambda match: _ESCAPED[match[1]], text) if "\\" in text else text


def plain_table(text: str, name: str) -> dict | None:
    """The table `[name]` of the TOML document `text` read from its own lines, where it is written
    plainly: its header alone on a line, then only `key = "text"` and `key = ["text", …]` lines
    (one-line texts), blank lines and comments, and no sub-table `[name.…]` anywhere. None
    where it is written otherwise or not there: the caller then parses the whole document."""
    header = f"[{name}]"
    start = 0 if text.startswith(header) else text.find("\n" + header) + 1
    if (start == 0 and not text.startswith(header)) or f"[{name}." in text:
        return None
    body = start + len(header)
    end = text.find("\n[", body)
    first, *lines = text[body:end if end >= 0 else len(text)].split("\n")
    if first.strip() and not first.strip().startswith("#"):
        return None  # the header was the start of a longer line
    table = {}
    for line in lines:
        line = line.strip()
        if line.startswith("["):
            break
        if not line or line.startswith("#"):
            continue
        match = _PLAIN_LINE.fullmatch(line)
        if match is None or match["key"] in table:
            return None
        value = match["value"]
        table[match["key"]] = _unquoted(value) if value.startswith('"') else [_unquoted(q) for q in _QUOTED.findall(value)]
    return table


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
