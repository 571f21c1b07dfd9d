"""What a quiz asks, as data: a `Quantity` ("grad:tax", "params:layer:2", "above:0.9:accuracy").

Each source family reads the quantities of its own (`parse_quantity` in sources/), and records
itself in `Quantity.family`, so a step can be told when it asks a layer for a gradient. The
wrappers `sign:`, `above:` and `below:` take any one-number quantity of any family (answers.py).
"""

from __future__ import annotations

from dataclasses import dataclass


class QuantityError(ValueError):
    """A quantity that cannot be read, or cannot be computed on its source."""


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: str  # grad, params, accuracy …; sign, above, below for the wrappers
    text: str  # as written in the lesson
    node: str | None = None  # trace: the node asked about
    input: str | None = None  # trace, local / downstream: the gate's input
    of: str | None = None  # trace shape: value|grad; largest/smallest: value|grad; network: output|layer
    nodes: tuple[str, ...] = ()  # largest / smallest: the candidates
    inner: "Quantity | None" = None  # sign, above, below: what it is taken of
    index: int | None = None  # layer:<i> (1-based), gradnorm:<steps>
    threshold: float | None = None  # above, below
    family: str = ""  # the source family that answers it (sources.SOURCES)
    number: bool = False  # its value is one number (so sign/above/below may wrap it)


def plain(x):
    """Scalars stay numbers (floats or Fractions); arrays become nested lists of floats. A single
    image, (1, 1, H, W), is its H × W grid, as the tables lay it out and a learner writes it."""
    if hasattr(x, "shape") and getattr(x, "shape", ()) != ():
        from gradtutor.backend import to_host

        x = to_host(x)
        if x.ndim > 2 and all(n == 1 for n in x.shape[:-2]):
            x = x.reshape(x.shape[-2:])
        return x.tolist()
    if hasattr(x, "item"):
        return x.item()
    return x
