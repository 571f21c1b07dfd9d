"""Text shared by every renderer: values, gate symbols, local gradients, and which backward
step a view stops at.

`show` is the one place a value becomes text. Today values are scalars (floats, ints, Fractions
in exact mode); when tensors reach the renderers, this is the function that learns to print a
shape or a small matrix, and every table and diagram follows.
"""

from __future__ import annotations

from gradtutor import ops
from gradtutor.numbers import human

TABLE_DIGITS = 6  # significant digits in tables and diagrams: enough for every textbook number


def show(x, digits: int = TABLE_DIGITS) -> str:
    """A value as a person writes it: 220, 2.2, -0.5, 1/3."""
    return human(x, digits)


def operand(text: str) -> str:
    """Parenthesise a negative number used inside arithmetic: 1 × (-4), not 1 × -4."""
    return f"({text})" if text.startswith("-") else text


def gate_text(node) -> str:
    """The gate's symbol as diagrams and tables draw it: ×, +, max; a power shows its
    exponent (^2), since x² and x⁻¹ are different gates to a reader."""
    if node.op is ops.POW:
        return f"{node.op.symbol}{show(node.param)}"
    return node.op.symbol


def local_formula(op: ops.Op, slot: int) -> str:
    """The local-gradient text of one input; a variadic op (concatenate) has one text for all."""
    return op.local[min(slot, len(op.local) - 1)] if op.local else ""


def local_text(op: ops.Op, slot: int, local, digits: int = TABLE_DIGITS) -> str:
    """The local gradient as formula and value: "y = 5"; a bare constant stays "1"."""
    formula = local_formula(op, slot)
    value = show(local, digits)
    if formula.replace("−", "-") == value:  # a constant local gradient: "1", not "1 = 1"
        return value
    if " if " in formula:
        formula = f"({formula})"
    return f"{formula} = {value}"


class StepOutOfRange(ValueError):
    """A view was asked for a backward step the trace does not have."""


def check_step(trace, step: int | None) -> int | None:
    """Accept None (the whole pass), 0 (forward values only) or 1..N; else a one-line error."""
    if step is None:
        return None
    count = len(trace.steps)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= count:
        has = f"steps 1 to {count}" if count else "no backward steps"
        raise StepOutOfRange(f"step {step} is out of range: this trace has {has} (0 = forward pass only)")
    return step
