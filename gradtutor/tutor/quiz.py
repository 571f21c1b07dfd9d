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

from gradtutor.numbers import human

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


def check_matrix(matrix: list, expected: list, atol: float, rtol: float) -> Verdict:
    """Diagnosed in stages: shape, then the transpose, then the first wrong entry."""
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


def format_shape(shape) -> str:
    """(2, 3), (3,), () — the way numpy prints shapes."""
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(n) for n in shape) + ")"


# -- gate patterns --------------------------------------------------------------------------
PATTERNS = ("distribute", "swap", "copy", "route")


def parse_pattern(text: str, synonyms: dict[str, list[str]]) -> str:
    """The pattern a learner names, in either language: 'add distributes', '분배', 'swap' …

    `synonyms` maps each pattern to its phrases. Every phrase found in the text counts, except
    one lying inside a longer phrase found there ("add" inside "copy adds" is not a vote for
    add distributes). Phrases of two different patterns make the answer ambiguous, and an
    ambiguous or unknown answer is not counted as a try.
    """
    s = _words(text)
    if not s:
        raise Unreadable("need_pattern")
    found = []  # (start, end, pattern)
    for pattern, phrases in synonyms.items():
        for phrase in map(_words, phrases):
            start = s.find(phrase) if phrase else -1
            while start != -1:
                found.append((start, start + len(phrase), pattern))
                start = s.find(phrase, start + 1)
    named = {
        pattern for start, end, pattern in found
        if not any(a <= start and end <= b and (b - a) > (end - start) for a, b, _ in found)
    }
    if len(named) != 1:
        raise Unreadable("need_pattern")
    return named.pop()


def _words(text: str) -> str:
    s = normalize(text).lower()
    s = re.sub(r"[^\w\s]", " ", s)
    return " ".join(s.split())


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

