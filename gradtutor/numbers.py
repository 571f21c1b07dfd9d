"""Numbers as a person writes them.

Floating point turns 2 × 1.1 into 2.2000000000000002. A learner comparing the screen with the
textbook should see 2.2, so every renderer formats through `human`. Exact values are never
rounded where they are stored: JSON keeps the float itself (see `exact`). What a person reads
goes through `typeset` too, so tables and diagrams write −4 as the lessons' prose does.
"""

from __future__ import annotations

import math
from fractions import Fraction

# 12 significant digits hide binary noise (which sits near the 16th digit) while keeping every
# digit a textbook example actually has.
SIGNIFICANT = 12
# An exact decimal whose point sits further than this from its first digit is written with an
# exponent, as floats are (Python's repr switches at 1e16 and 1e-5; a person writes 0.000001).
LONG_EXPONENT = 15
MINUS = "\u2212"  # the minus sign of print (−4); "-" is a hyphen, too short beside a digit


def typeset(text: str) -> str:
    """A number `human` wrote, as it is printed: −4, −1/3, 1.5e−08, −inf. `human` itself keeps
    ASCII "-" for text that is read back (float(), quiz keys); every hyphen in its output is a
    minus sign, of the number or of its exponent."""
    return text.replace("-", MINUS)


class Places(int):
    """A count of decimal places where `digits` usually counts significant digits: human(0.7311,
    Places(2)) is 0.73 and 220.0 is 220.00, every number to the same places, as CS231n's figures
    write them (`--digits 2`). Significant digits would write 220 as 2.2e+02."""

    __slots__ = ()


def human(x, digits: int = SIGNIFICANT) -> str:
    """Format one number for people: 220, 2.2, -0.5, 1/3, 1.5e-08, inf, nan.

    `digits` caps the significant digits; tables pass fewer to stay narrow. `Places(n)` writes
    floats with n decimal places instead (exact fractions stay exact).
    """
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, Fraction):
        return _fraction(x)
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if isinstance(digits, Places):
        text = f"{x:.{int(digits)}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no −0.00
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fraction(q: Fraction) -> str:
    """A terminating decimal when there is one (11/5 -> 2.2), else p/q (1/3)."""
    den = q.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{q.numerator}/{q.denominator}"
    places = max(twos, fives)
    scaled = q * 10**places
    digits = str(abs(scaled.numerator))
    sign = "-" if q < 0 else ""
    significant = digits.rstrip("0")
    exponent = len(digits) - 1 - places
    if abs(exponent) > LONG_EXPONENT:  # 1e-170 exactly, not a line of 170 zeros
        mantissa = significant[0] + ("." + significant[1:] if len(significant) > 1 else "")
        return f"{sign}{mantissa}e{exponent:+03d}"
    if places == 0:
        return sign + digits
    digits = digits.rjust(places + 1, "0")
    whole, frac = digits[:-places], digits[-places:].rstrip("0")
    return sign + whole + ("." + frac if frac else "")


def exact(x):
    """The value JSON stores: a float as it is (no rounding), a Fraction as "p/q" text."""
    if isinstance(x, Fraction):
        return str(x) if x.denominator != 1 else x.numerator
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    return float(x)


def as_fraction(x) -> Fraction:
    """The rational a person meant by a float literal: 1.1 -> 11/10, not the binary neighbour."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(repr(float(x)))
