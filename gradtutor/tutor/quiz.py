"""Reading and judging a learner's answer, one function per quiz kind.

Parsers turn typed text into a value or raise `Unreadable` (the input is not an answer of this
kind: not counted as a try, the learner is told what was expected). Checkers compare a parsed
answer with the key and return a `Verdict` whose feedback is a message key of the UI strings plus
its parameters, or a lesson's own localized text. Nothing here knows about the engine: keys come
in as plain numbers, tuples and nested lists.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from gradtutor.numbers import SIGNIFICANT, human

# Minus-like characters a keyboard or a copied formula may produce; NFKC maps the full-width
# hyphen-minus but leaves these alone.
_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\u2010\u2011\ufe63"), "-")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.ASCII)
# An answer is an ordinary number: read exactly, 10**exponent costs time and memory that grow
# with the exponent (1e99999999 took minutes), and Python refuses to read an integer of more than
# 4300 digits. Anything beyond these bounds is no answer to a quiz.
_MAX_NUMBER_CHARS = 100
_MAX_EXPONENT = 400
_MAX_COUNT_DIGITS = 9  # a shape's size or a choice's number


class Unreadable(ValueError):
    """The text is not an answer of the expected kind; `key` names the UI message to show."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def normalize(text: str) -> str:
    """Full-width forms to ASCII (１１／５ -> 11/5), minus signs to '-', outer spaces gone."""
    return unicodedata.normalize("NFKC", text).translate(_MINUS).strip()


def parse_number(text: str) -> Fraction:
    """A number as people type it: 2.2, 2.20, -4, −4, 11/5, １１／５, 1e-3, +3, .5.

    Returned as an exact Fraction (2.2 -> 11/5), so nothing is lost before the comparison.
    A comma is refused rather than guessed: "1,000" and "2,5" mean different things to different
    people.
    """
    s = re.sub(r"\s*/\s*", "/", normalize(text)).lower()  # "11 / 5" is 11/5 …
    s = re.sub(r"^([+-])\s+", r"\1", s)
    if not s or re.search(r"\s", s):  # … but "2 2" is not 22
        raise Unreadable("need_number")
    if "," in s:
        raise Unreadable("no_comma")
    parts = s.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        raise Unreadable("need_number")
    if any(len(p) > _MAX_NUMBER_CHARS or abs(_exponent(p)) > _MAX_EXPONENT for p in parts):
        raise Unreadable("number_out_of_range")
    value = Fraction(parts[0])
    if len(parts) == 2:
        denominator = Fraction(parts[1])
        if denominator == 0:
            raise Unreadable("zero_denominator")
        value /= denominator
    return value


def _exponent(number: str) -> int:
    mantissa, _, exponent = number.partition("e")
    return int(exponent) if exponent else 0


def _count(text: str) -> bool:
    """Whether the text is a whole number of 0-9 digits (not any Unicode digit int() refuses)."""
    return text.isascii() and text.isdigit() and len(text) <= _MAX_COUNT_DIGITS


def parse_shape(text: str) -> tuple[int, ...]:
    """A shape: (2, 3), 2x3, 2×3, 2,3, [2, 3], 2 3; (3,) or 3 for a vector; () for a scalar."""
    s = normalize(text).lower()
    s = re.sub(r"[()\[\]]", " ", s)
    s = re.sub(r"[x×*,]", " ", s)
    parts = s.split()
    if not all(_count(p) for p in parts):
        raise Unreadable("need_shape")
    if not parts and not re.search(r"[(\[]", normalize(text)):
        raise Unreadable("need_shape")
    return tuple(int(p) for p in parts)


def parse_matrix(text: str) -> list:
    """A vector (1 2 3, [1, 2, 3]) or a matrix ([[1, 2], [3, 4]], 1 2; 3 4) of numbers.

    Returns a list of Fractions, or a list of equal-length rows.
    """
    s = normalize(text)
    s = re.sub(r"\]\s*[,;]?\s*\[", ";", s)  # a row boundary "], [" becomes ";"
    nested = ";" in s or "[[" in normalize(text).replace(" ", "")
    s = s.replace("[", " ").replace("]", " ")
    rows = [row for row in s.split(";")]
    if rows and not rows[-1].strip():  # a trailing ";" ends the last row, it is not a new one
        rows.pop()
    parsed = []
    for row in rows:
        items = [item for item in re.split(r"[,\s]+", row.strip()) if item]
        if not items:
            raise Unreadable("need_matrix")
        try:
            parsed.append([parse_number(item) for item in items])
        except Unreadable:
            raise Unreadable("need_matrix") from None
    if not parsed:
        raise Unreadable("need_matrix")
    if not nested:
        return parsed[0]
    if len({len(row) for row in parsed}) != 1:
        raise Unreadable("ragged_matrix")
    return parsed


def shape_of(matrix: list) -> tuple[int, ...]:
    if matrix and isinstance(matrix[0], list):
        return (len(matrix), len(matrix[0]))
    return (len(matrix),)


def transpose(matrix: list) -> list:
    if not matrix or not isinstance(matrix[0], list):
        return [[x] for x in matrix]  # a vector read as a column, transposed to a row
    return [list(column) for column in zip(*matrix)]


# -- verdicts -----------------------------------------------------------------------------------
@dataclass(slots=True)
class Verdict:
    right: bool
    key: str | None = None  # a UI message key for the feedback …
    params: dict = field(default_factory=dict)
    text: dict | None = None  # … or the lesson's own localized feedback {"en": …, "ko": …}


def close(x, expected, atol: float, rtol: float) -> bool:
    """|x − x*| ≤ atol + rtol·|x*|."""
    x, expected = as_float(x), as_float(expected)
    return abs(x - expected) <= atol + rtol * abs(expected)


def precise_enough(x, atol: float, rtol: float) -> str:
    """x with the significant digits its tolerance asks for (rtol 0.01: three, 0.1666… → 0.167),
    and more only where fewer would not be accepted as the answer."""
    value = float(x)
    digits = max(2, math.ceil(-math.log10(rtol)) + 1) if rtol > 0 else 2
    while digits < SIGNIFICANT and not close(float(human(value, digits)), value, atol, rtol):
        digits += 1
    return human(value, digits)


def exact_fraction(x) -> Fraction | None:
    """x as a fraction of small terms (1/6, 13/10), if it is one."""
    fraction = Fraction(x).limit_denominator(1000)
    return fraction if float(fraction) == float(x) else None


def as_float(x) -> float:
    """A number as a float; an exact one beyond the float range (1e400) as ±inf, not an error."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


@dataclass(slots=True)
class Mistake:
    """A known wrong answer and what it reveals (from the lesson or found automatically)."""

    value: object  # the wrong answer this mistake produces
    text: dict | None = None  # the lesson's localized feedback
    key: str | None = None  # or a UI message key


def check_number(x: Fraction, expected, atol: float, rtol: float, mistakes=()) -> Verdict:
    if close(x, expected, atol, rtol):
        return Verdict(True)
    for mistake in mistakes:
        if _is_number(mistake.value) and close(x, mistake.value, atol, rtol):
            return Verdict(False, mistake.key, {"value": human(mistake.value)}, mistake.text)
    if as_float(expected) != 0 and close(-x, expected, atol, rtol):
        return Verdict(False, "sign_flipped")
    direction = "too_high" if as_float(x) > as_float(expected) else "too_low"
    return Verdict(False, direction)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, Fraction)) and not isinstance(x, bool)


def check_shape(shape: tuple[int, ...], expected: tuple[int, ...], mistakes=()) -> Verdict:
    expected = tuple(expected)
    if shape == expected:
        return Verdict(True)
    for mistake in mistakes:
        if isinstance(mistake.value, tuple) and tuple(shape) == mistake.value:
            return Verdict(False, mistake.key, {"value": format_shape(mistake.value)}, mistake.text)
    if len(shape) == len(expected) == 2 and shape == expected[::-1]:
        return Verdict(False, "shape_transposed", {"got": format_shape(shape)})
    if len(shape) != len(expected):
        return Verdict(False, "shape_wrong_rank", {"got": len(shape)})
    return Verdict(False, "shape_wrong")


def check_matrix(matrix: list, expected: list, atol: float, rtol: float, mistakes=()) -> Verdict:
    """Diagnosed in stages: shape, then a known mistake, the transpose, the first wrong entry."""
    got_shape, want_shape = shape_of(matrix), shape_of(expected)
    if got_shape == (want_shape[-1],) and want_shape[0] == 1 and len(want_shape) == 2:
        matrix, got_shape = [matrix], want_shape  # a one-row matrix typed as a flat list
    if got_shape != want_shape:
        if len(want_shape) == 2 and got_shape == want_shape[::-1] and _all_close(
            transpose(matrix), expected, atol, rtol
        ):
            return Verdict(False, "matrix_transposed")
        return Verdict(
            False, "matrix_shape", {"got": format_shape(got_shape), "want": format_shape(want_shape)}
        )
    if _all_close(matrix, expected, atol, rtol):
        return Verdict(True)
    for mistake in mistakes:
        if isinstance(mistake.value, list) and _all_close(matrix, mistake.value, atol, rtol):
            return Verdict(False, mistake.key, {"value": format_matrix(mistake.value)}, mistake.text)
    if len(want_shape) == 2 and want_shape[0] == want_shape[1] and _all_close(
        transpose(matrix), expected, atol, rtol
    ):
        return Verdict(False, "matrix_transposed")
    for index, (x, want) in enumerate(zip(_flat(matrix), _flat(expected))):
        if not close(x, want, atol, rtol):
            if len(want_shape) == 2:
                row, column = divmod(index, want_shape[1])
                return Verdict(False, "matrix_entry", {"row": row + 1, "column": column + 1})
            return Verdict(False, "vector_entry", {"index": index + 1})
    raise AssertionError("unreachable: some entry differs")


def _flat(matrix: list) -> list:
    if matrix and isinstance(matrix[0], list):
        return [x for row in matrix for x in row]
    return list(matrix)


def _all_close(a: list, b: list, atol: float, rtol: float) -> bool:
    if shape_of(a) != shape_of(b):
        return False
    return all(close(x, y, atol, rtol) for x, y in zip(_flat(a), _flat(b)))


def format_matrix(value: list, digits: int | None = None) -> str:
    """[1 2 3] for a vector, [1 2; 3 4] for a matrix, each entry as `human` writes it."""
    rows = value if value and isinstance(value[0], list) else [value]
    number = human if digits is None else (lambda x: human(x, digits))
    return "[" + "; ".join(" ".join(number(x) for x in row) for row in rows) + "]"


def format_shape(shape) -> str:
    """(2, 3), (3,), () — the way numpy prints shapes."""
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(n) for n in shape) + ")"


# -- gate patterns --------------------------------------------------------------------------
PATTERNS = ("distribute", "swap", "copy", "route")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_VOWELS = "aeiou"


def parse_pattern(text: str, synonyms: dict[str, list[str]]) -> str:
    """The pattern a learner names, in either language: 'add distributes', 'they are added', '분배' …

    `synonyms` maps each pattern to its words and phrases, matched word by word, each word in its
    inflected forms too: an English word with its endings (sum: sums, summed, summing), a Korean
    one with whatever follows it (더하: 더하기, 더한다, 더함; 복사: 복사는). A phrase written "=add"
    counts only as written ("add" alone may name the add gate; "added" is a sum). A phrase lying inside
    a longer phrase found there is not a vote ("add" inside "copy adds"). Phrases of two patterns
    make the answer ambiguous; an ambiguous or unknown answer is not counted as a try.
    """
    words = _tokens(text)
    if not words:
        raise Unreadable("need_pattern")
    found = []  # (first word, past the last word, pattern)
    for pattern in synonyms:
        for phrase, inflected in ((_tokens(p), not p.startswith("=")) for p in synonyms[pattern]):
            for start in range(len(words) - len(phrase) + 1):
                if phrase and all(_same_word(words[start + i], w, inflected) for i, w in enumerate(phrase)):
                    found.append((start, start + len(phrase), pattern))
    named = {
        pattern for start, end, pattern in found
        if not any(a <= start and end <= b and (b - a) > (end - start) for a, b, _ in found)
    }
    if len(named) > 1:
        raise Unreadable("pattern_ambiguous")
    if not named:
        raise Unreadable("need_pattern")
    return named.pop()


def _tokens(text: str) -> list[str]:
    """Words, lower case, with Latin and Hangul runs split apart ("max는" is "max", "는")."""
    s = normalize(text).lower()
    tokens = []
    for word in _TOKEN.findall(s):
        tokens += re.findall(r"[\uac00-\ud7a3]+|[^\uac00-\ud7a3]+", word)
    return tokens


def _same_word(typed: str, word: str, inflected: bool) -> bool:
    if typed == word:
        return True
    if not inflected:
        return False
    if _HANGUL.match(word):
        return any(typed.startswith(stem) for stem in _korean_stems(word))
    return typed in _english_forms(word)


def _korean_stems(word: str) -> tuple[str, ...]:
    """A Korean word followed by any ending or particle; a last syllable without a final
    consonant may also take one (더하 → 더한다, 더함, 더합니다)."""
    last = ord(word[-1]) - 0xAC00
    if last % 28:
        return (word,)
    return (word, *(word[:-1] + chr(0xAC00 + last + final) for final in range(1, 28)))


def _english_forms(word: str) -> set[str]:
    """A word's inflections: add adds added adding, sum summed, route routed routing, copy copies."""
    forms = {word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in _VOWELS + "wxy" and word[-2] in _VOWELS and word[-3] not in _VOWELS:
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def check_pattern(pattern: str, expected: str) -> Verdict:
    if pattern == expected:
        return Verdict(True)
    return Verdict(False, f"pattern_not_{pattern}")


# -- multiple choice ----------------------------------------------------------------------------
def shuffled(ids: list[str], seed: int) -> list[str]:
    """The order a learner sees the choices in: fixed by a seed kept in their progress."""
    order = list(ids)
    random.Random(seed).shuffle(order)
    return order


def parse_choice(text: str, order: list[str]) -> str:
    """A choice by its shown number (1, 2 …) or by its id."""
    s = normalize(text).lower().rstrip(").")
    if _count(s) and 1 <= int(s) <= len(order):
        return order[int(s) - 1]
    for choice_id in order:
        if s == choice_id.lower():
            return choice_id
    raise Unreadable("need_choice", count=len(order))

