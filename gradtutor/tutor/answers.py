"""Answer keys computed with the engine: a lesson states its answer, this module computes it.

A step's *source* is solved by its family (sources.SOURCES: traced, run, trained), and a
*quantity* ("grad:tax", "params:layer:2", "above:0.9:accuracy" …, see lessons/README.md) is read
off the result by the family that parsed it. `sign:`, `above:` and `below:` wrap a one-number
quantity of any family. The runner checks learners against these computed keys, and the lesson
check compares them with what the author wrote, so a lesson cannot teach a wrong number.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.sources import SOURCES, family_of

__all__ = ["Quantity", "QuantityError", "parse_quantity", "solve", "compute", "solution_step", "known_mistakes"]

_THRESHOLD = r"-?\d+(\.\d+)?(e-?\d+)?"
_WRAPPERS = "sign:<quantity>, above:X:<quantity>, below:X:<quantity>"


def parse_quantity(text: str) -> Quantity:
    kind, _, rest = text.strip().partition(":")
    parts = rest.split(":") if rest else []
    for family in SOURCES.values():
        quantity = family.parse_quantity(kind, parts, text)
        if quantity is not None:
            return quantity
    if kind in ("above", "below") and len(parts) >= 2 and re.fullmatch(_THRESHOLD, parts[0]):
        inner = parse_quantity(":".join(parts[1:]))
        if inner.number:
            return Quantity(kind, text, inner=inner, threshold=float(parts[0]), family=inner.family)
    if kind == "sign" and rest:
        inner = parse_quantity(rest)
        if inner.number:
            return Quantity(kind, text, inner=inner, family=inner.family)
    forms = "; ".join(f"for a {family.description} {family.quantity_forms}" for family in SOURCES.values())
    raise QuantityError(f"cannot read the quantity {text!r}; forms are {forms}; of any one number {_WRAPPERS}")


def solve(source):
    """What the source's family computes: a Trace, a networks.Report, a training.Outcome …
    (cached: a lesson asks about the same source many times)."""
    return _solve(source)


@lru_cache(maxsize=64)
def _solve(source):
    return family_of(source).solve(source)


def compute(quantity: Quantity, result):
    """The quantity's value: a number, a shape tuple, a nested list, a pattern, a node name,
    or yes/no. `result` is what `solve` gave for the step's source."""
    if quantity.kind in ("above", "below"):
        value = compute(quantity.inner, result)
        if isinstance(value, (list, tuple, str)):
            raise QuantityError(f"{quantity.text}: {quantity.inner.text} is not one number")
        beyond = value > quantity.threshold if quantity.kind == "above" else value < quantity.threshold
        return "yes" if beyond else "no"
    if quantity.kind == "sign":
        value = compute(quantity.inner, result)
        if isinstance(value, list):
            raise QuantityError(f"{quantity.text}: the sign of an array is not one word")
        return "positive" if value > 0 else "negative" if value < 0 else "zero"
    return SOURCES[quantity.family].quantity(quantity, result)


def solution_step(quantity: Quantity, result) -> int | None:
    """The backward step a worked solution should show: the one that completes the quantity."""
    if quantity.kind == "sign":
        return solution_step(quantity.inner, result)
    if quantity.inner is not None:
        return None
    return SOURCES[quantity.family].solution_step(quantity, result)


def known_mistakes(quantity: Quantity, result) -> list[tuple[object, str]]:
    """Wrong answers a learner is likely to give for this quantity, each with the UI message
    that names the slip (the forward value for a gradient, the weights without the biases …)."""
    if quantity.inner is not None:
        return []
    return SOURCES[quantity.family].known_mistakes(quantity, result)
