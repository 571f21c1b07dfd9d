"""How much memory one request may ask for, and the one-line refusal above it.

Sizes are estimated from shapes before anything is allocated: a broadcast of a 60,000-vector
against a 30,000-row column, or a 100,000-wide network, would otherwise spend minutes in numpy
before failing with a memory traceback (or take the machine's memory away from everything else).
Imports nothing heavy: shapes are plain tuples.
"""

from __future__ import annotations

import math

from gradtutor.errors import UserError

LIMIT_BYTES = 2 * 10**9
FLOAT_BYTES = 8  # the tensor engine computes in float64


class MemoryLimitError(UserError, MemoryError):
    """A request whose arrays would take more memory than LIMIT_BYTES."""


def gigabytes(size: float) -> str:
    return f"{size / 1e9:,.3g} GB" if size < 1e12 else f"{size / 1e9:,.0f} GB"


def result_shape(shapes: list[tuple[int, ...]], matmul: bool = False) -> tuple[int, ...] | None:
    """The shape an elementwise op (broadcasting) or a matrix product gives its inputs' shapes;
    None when they do not fit together (the op itself then says why)."""
    if matmul:
        left, right = shapes
        if not left or not right:
            return None
        try:
            batch = _broadcast([left[:-2], right[:-2]])
        except ValueError:
            return None
        return batch + left[-2:-1] + right[-1:] if len(right) > 1 else batch + left[-2:-1]
    try:
        return _broadcast(shapes)
    except ValueError:
        return None


def _broadcast(shapes) -> tuple[int, ...]:
    ndim = max((len(shape) for shape in shapes), default=0)
    out = []
    for axis in range(-ndim, 0):
        sizes = {shape[axis] for shape in shapes if len(shape) >= -axis} - {1}
        if len(sizes) > 1:
            raise ValueError("shapes do not broadcast")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def check_result(shapes: list[tuple[int, ...]], matmul: bool = False) -> None:
    """Refuse a gate whose result (with its gradient, as large) would not fit in LIMIT_BYTES."""
    shape = result_shape(shapes, matmul)
    if shape is None:
        return
    count = math.prod(shape)
    needed = 2 * count * FLOAT_BYTES
    if needed > LIMIT_BYTES:
        raise MemoryLimitError(
            f"the result would have shape {shape}, {count:,} numbers: about {gigabytes(needed)} of memory "
            f"with its gradient, more than the {gigabytes(LIMIT_BYTES)} gradtutor allows"
        )
