"""The scaling family: why attention divides its scores by √d_k, measured.

`scaling = "<name>"` names a `[scaling.<name>]` table:

    [scaling.dk]
    widths = [4, 64, 256]   # the key widths d_k measured
    keys = 8                # the keys each query's softmax spreads over
    samples = 2000          # query rows drawn per width
    seed = 0

For each width, `samples` queries q and `samples`·`keys` keys k are drawn with independent
N(0, 1) entries. The engine computes the scores q·k (a batched matmul), their softmax over the
keys, and the gradient that reaches the scores when a random upstream (N(0, 1) entries) arrives
at the weights — once for the raw scores and once for the scores divided by √d_k.

Quantities (D: one of the widths; `:scaled` after it: the scores divided by √d_k):
`variance:D` the variance of the scores, `max_weight:D` the mean over queries of the largest
softmax weight, `score_grad:D` the mean over queries of the length of ∂L/∂scores. View: scaling.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from gradtutor.render.scaling import scaling_table
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import NamedEntryFamily

KINDS = ("variance", "max_weight", "score_grad")
_LIMITS = {"keys": (2, 64), "samples": (10, 20000), "seed": (0, 2**31)}
_MAX_WIDTH = 4096


@dataclass(frozen=True, slots=True)
class Scaling:
    family: ClassVar[str] = "scaling"  # a lesson source, answered by sources.scaling
    name: str
    widths: tuple[int, ...]
    keys: int = 8
    samples: int = 2000
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Measured:
    """One width's figures, raw and scaled: (raw, divided by √d_k) for each kind."""

    width: int
    variance: tuple[float, float]
    max_weight: tuple[float, float]
    score_grad: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Measurements:
    source: Scaling
    rows: tuple[Measured, ...]

    def row(self, width: int) -> Measured:
        for row in self.rows:
            if row.width == width:
                return row
        raise QuantityError(f"{self.source.name} measures d_k = {', '.join(str(r.width) for r in self.rows)}, not {width}")


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def spec(name: str, table) -> Scaling:
    """A checked `[scaling.<name>]` table; ValueError names the first problem."""
    if not isinstance(table, dict):
        raise ValueError("must be a table with widths = [4, 64, …]")
    for key in table:
        if key not in ("widths", *_LIMITS):
            raise ValueError(f"unknown key {key!r} (keys: widths, {', '.join(_LIMITS)})")
    widths = table.get("widths")
    if not isinstance(widths, list) or not widths or not all(_whole(w, 1, _MAX_WIDTH) for w in widths):
        raise ValueError(f"widths must be a list of whole numbers from 1 to {_MAX_WIDTH}, got {widths!r}")
    if len(set(widths)) != len(widths):
        raise ValueError(f"widths lists a width twice: {widths!r}")
    values = {}
    for key, (low, high) in _LIMITS.items():
        if key in table:
            if not _whole(table[key], low, high):
                raise ValueError(f"{key} must be a whole number from {low} to {high}, got {table[key]!r}")
            values[key] = table[key]
    return Scaling(name, tuple(widths), **values)


@lru_cache(maxsize=16)
def measure(source: Scaling) -> Measurements:
    """Scores, softmax and the gradient through it, by the engine, at every width."""
    from gradtutor import backend
    from gradtutor.tensor import Tensor

    xp, host = backend.xp(), backend.host
    rng = host.random.default_rng(source.seed)
    rows = []
    for width in source.widths:
        queries = rng.normal(size=(source.samples, 1, width))
        keys = rng.normal(size=(source.samples, source.keys, width))
        upstream = rng.normal(size=(source.samples, 1, source.keys))
        q = Tensor(backend.to_device(queries), "q", dtype=xp.float64, requires_grad=False)
        k = Tensor(backend.to_device(keys), "k", dtype=xp.float64, requires_grad=False)
        raw = (q @ k.transpose(0, 2, 1)).data  # (samples, 1, keys): every q·k
        figures = []
        for scores in (raw, raw / width**0.5):
            leaf = Tensor(scores, "S", dtype=xp.float64)
            weights = leaf.softmax(axis=-1)
            (weights * Tensor(backend.to_device(upstream), dtype=xp.float64, requires_grad=False)).sum().backward()
            grad_lengths = xp.sqrt((leaf.grad**2).sum(axis=-1))
            figures.append((float(scores.var()), float(weights.data.max(axis=-1).mean()), float(grad_lengths.mean())))
        (variance, top, grad), (scaled_variance, scaled_top, scaled_grad) = figures
        rows.append(Measured(width, (variance, scaled_variance), (top, scaled_top), (grad, scaled_grad)))
    return Measurements(source, tuple(rows))


class ScalingFamily(NamedEntryFamily):
    name = "scaling"
    description = "measurement of dot-product scaling"
    keys = ("scaling",)
    table = "scaling"
    views = ("scaling",)
    default_view = "scaling"
    quantity_forms = "variance:D, max_weight:D, score_grad:D (each also :D:scaled)"

    def spec(self, name, table) -> Scaling:
        return spec(name, table)

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        """variance:64, max_weight:64:scaled …"""
        if kind not in KINDS or not parts or not parts[0].isdigit() or parts[1:] not in ([], ["scaled"]):
            return None
        return Quantity(kind, text, index=int(parts[0]), of=parts[1] if parts[1:] else None,
                        family=self.name, number=True)

    def solve(self, source: Scaling) -> Measurements:
        return measure(source)

    def quantity(self, q, result: Measurements) -> float:
        raw, scaled = getattr(result.row(q.index), q.kind)
        return scaled if q.of == "scaled" else raw

    def view(self, step, result, lang):
        return scaling_table(result, lang=lang)

    def solution(self, step, key, lang) -> list:
        """Only the width and the figure asked about (inside any sign:, above:, below:)."""
        asked = step.quantity
        while asked.inner is not None:
            asked = asked.inner
        return [scaling_table(key.trace, asked.index, asked.kind)]


SCALING = ScalingFamily()
