"""The op table: every gate gradtutor knows, each defined exactly once.

A record holds the forward rule, the vector-Jacobian product (the downstream gradient of each
input given the upstream gradient), the formula text of each local gradient, and the gate pattern
in words. The engine calls `forward` and `vjp`; the tracer calls `vjp` again to show the
arithmetic; the renderers print `symbol`, `formula`, `local` and `gate`; the op tests sample
`sample` and check `vjp` against central differences. Nothing else knows how an op differentiates.

Rules are written against a small array namespace `m` (the `Scalar` namespace below for Python
floats and Fractions, or numpy/cupy for tensors) and ordinary operators, so one rule serves the
scalar engine, the exact (rational) mode and the tensor engine. Broadcasting is not the rules'
business: the engine sums each downstream gradient back to its input's shape in one place.

Signatures:  forward(m, p, *xs) -> out        vjp(m, p, g, out, *xs) -> (gx0, gx1, ...)
where p is the op's parameter (the exponent of `pow`, an axis, ...) or None.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True, slots=True)
class Op:
    name: str  # key in the table and in JSON: "mul"
    symbol: str  # what the gate shows in diagrams: "×"
    arity: int
    forward: Callable
    vjp: Callable
    formula: str  # the forward rule as text: "z = x · y"
    local: tuple[str, ...]  # each input's local gradient ∂z/∂input as text
    gate: str  # the pattern's short name: "multiply swaps"
    explain: str  # the pattern in one sentence, for tables and lessons
    sample: Callable  # sample(rng) -> (xs, p): a point inside the domain, away from kinks
    exact: bool = False  # uses only + − × ÷ and integer powers: can run on Fractions
    domain: Callable | None = None  # domain(p, *xs) -> message when xs are outside it
    inputs: tuple[str, ...] = field(default=("x", "y"))  # input names used in the text

    def input_names(self) -> tuple[str, ...]:
        return self.inputs[: self.arity]


class Scalar:
    """The array namespace for plain Python numbers (floats, ints, Fractions)."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    tanh = staticmethod(math.tanh)

    @staticmethod
    def maximum(x, y):
        return x if x >= y else y

    @staticmethod
    def minimum(x, y):
        return x if x <= y else y


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an op to the table. The op tests parametrize over OPS, so registering is enough
    to get the op gradient-checked."""
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    return op


def _uniform(lo, hi, n=1, avoid=()):
    """n floats in [lo, hi], each at least 0.05 away from every point in `avoid` (kinks)."""

    def draw(rng: random.Random):
        xs = []
        while len(xs) < n:
            x = rng.uniform(lo, hi)
            if all(abs(x - a) > 0.05 for a in avoid):
                xs.append(x)
        return tuple(xs), None

    return draw


def _apart(rng: random.Random):
    """Two floats at least 0.05 apart, so max/min are differentiable there."""
    while True:
        x, y = rng.uniform(-5, 5), rng.uniform(-5, 5)
        if abs(x - y) > 0.05:
            return (x, y), None


def _power_sample(rng: random.Random):
    c = rng.choice([2, 3, -1, 0.5, 1.5, -2])
    return (rng.uniform(0.2, 4.0),), c


def _log_domain(p, x):
    if x <= 0:
        return f"log is defined only for positive numbers, got log({_short(x)})"
    return None


def _div_domain(p, x, y):
    if y == 0:
        return f"division by zero: {_short(x)} / 0"
    return None


def _pow_domain(p, x):
    if x == 0 and p < 0:
        return f"0 cannot be raised to the negative power {_short(p)}"
    if x < 0 and not float(p).is_integer():
        return f"a negative number ({_short(x)}) has no real power {_short(p)}"
    return None


def _exp_domain(p, x):
    if x > 709.0:  # math.exp overflows a float beyond this
        return f"exp({_short(x)}) is too large to represent"
    return None


def _short(x) -> str:
    from gradtutor.numbers import human

    return human(x)


ADD = register(Op(
    "add", "+", 2,
    forward=lambda m, p, x, y: x + y,
    vjp=lambda m, p, g, z, x, y: (g, g),
    formula="z = x + y", local=("1", "1"),
    gate="add distributes",
    explain="An add gate passes the upstream gradient unchanged to every input.",
    sample=_uniform(-5, 5, 2), exact=True,
))

SUB = register(Op(
    "sub", "−", 2,
    forward=lambda m, p, x, y: x - y,
    vjp=lambda m, p, g, z, x, y: (g, -g),
    formula="z = x − y", local=("1", "−1"),
    gate="subtract distributes, flipping the sign",
    explain="A subtract gate passes the upstream gradient to x and its negative to y.",
    sample=_uniform(-5, 5, 2), exact=True,
))

MUL = register(Op(
    "mul", "×", 2,
    forward=lambda m, p, x, y: x * y,
    vjp=lambda m, p, g, z, x, y: (g * y, g * x),
    formula="z = x · y", local=("y", "x"),
    gate="multiply swaps",
    explain="A multiply gate sends each input the upstream gradient times the other input.",
    sample=_uniform(-5, 5, 2), exact=True,
))

DIV = register(Op(
    "div", "÷", 2,
    forward=lambda m, p, x, y: x / y,
    vjp=lambda m, p, g, z, x, y: (g / y, -g * x / (y * y)),
    formula="z = x / y", local=("1/y", "−x/y²"),
    gate="divide scales",
    explain="A divide gate scales the upstream gradient by 1/y for x and by −x/y² for y.",
    sample=lambda rng: ((rng.uniform(-5, 5), rng.choice([-1, 1]) * rng.uniform(0.3, 5)), None),
    exact=True, domain=_div_domain,
))

NEG = register(Op(
    "neg", "−", 1,
    forward=lambda m, p, x: -x,
    vjp=lambda m, p, g, z, x: (-g,),
    formula="z = −x", local=("−1",),
    gate="negate flips the sign",
    explain="A negate gate passes the upstream gradient back with its sign flipped.",
    sample=_uniform(-5, 5), exact=True, inputs=("x",),
))

POW = register(Op(
    "pow", "^", 1,
    forward=lambda m, p, x: x**p,
    vjp=lambda m, p, g, z, x: (g * p * x ** (p - 1),),
    formula="z = xᶜ", local=("c·xᶜ⁻¹",),
    gate="power scales by c·xᶜ⁻¹",
    explain="A power gate multiplies the upstream gradient by c·xᶜ⁻¹, the slope of xᶜ at x.",
    sample=_power_sample, exact=True, domain=_pow_domain, inputs=("x",),
))

EXP = register(Op(
    "exp", "exp", 1,
    forward=lambda m, p, x: m.exp(x),
    vjp=lambda m, p, g, z, x: (g * z,),
    formula="z = eˣ", local=("eˣ",),
    gate="exp scales by its own output",
    explain="An exp gate multiplies the upstream gradient by its own output, since (eˣ)′ = eˣ.",
    sample=_uniform(-4, 4), domain=_exp_domain, inputs=("x",),
))

LOG = register(Op(
    "log", "log", 1,
    forward=lambda m, p, x: m.log(x),
    vjp=lambda m, p, g, z, x: (g / x,),
    formula="z = ln x", local=("1/x",),
    gate="log divides by its input",
    explain="A log gate divides the upstream gradient by its input, since (ln x)′ = 1/x.",
    sample=_uniform(0.2, 8), domain=_log_domain, inputs=("x",),
))

TANH = register(Op(
    "tanh", "tanh", 1,
    forward=lambda m, p, x: m.tanh(x),
    vjp=lambda m, p, g, z, x: (g * (1 - z * z),),
    formula="z = tanh x", local=("1 − z²",),
    gate="tanh scales by 1 − z²",
    explain="A tanh gate scales the upstream gradient by 1 − z², which vanishes as z nears ±1.",
    sample=_uniform(-3, 3), inputs=("x",),
))

SIGMOID = register(Op(
    "sigmoid", "σ", 1,
    # 0.5·(1 + tanh(x/2)) equals 1/(1 + e⁻ˣ) and never overflows, for floats or arrays.
    forward=lambda m, p, x: 0.5 * (1 + m.tanh(0.5 * x)),
    vjp=lambda m, p, g, z, x: (g * z * (1 - z),),
    formula="z = σ(x) = 1/(1 + e⁻ˣ)", local=("z·(1 − z)",),
    gate="sigmoid scales by z(1 − z)",
    explain="A sigmoid gate scales the upstream gradient by z(1 − z), at most 0.25.",
    sample=_uniform(-5, 5), inputs=("x",),
))

RELU = register(Op(
    "relu", "ReLU", 1,
    forward=lambda m, p, x: m.maximum(x, 0.0),
    # At exactly 0 the slope is taken as 0, the usual convention: the gate is "off" there.
    vjp=lambda m, p, g, z, x: (g * (x > 0),),
    formula="z = max(x, 0)", local=("1 if x > 0 else 0",),
    gate="ReLU passes or blocks",
    explain="A ReLU gate passes the upstream gradient where its input was positive and blocks it elsewhere.",
    sample=_uniform(-5, 5, avoid=(0.0,)), inputs=("x",),
))

MAX = register(Op(
    "max", "max", 2,
    forward=lambda m, p, x, y: m.maximum(x, y),
    # A tie routes to x, the first input.
    vjp=lambda m, p, g, z, x, y: (g * (x >= y), g * (x < y)),
    formula="z = max(x, y)", local=("1 if x ≥ y else 0", "1 if y > x else 0"),
    gate="max routes",
    explain="A max gate routes the whole upstream gradient to the larger input; the other gets 0.",
    sample=_apart,
))

MIN = register(Op(
    "min", "min", 2,
    forward=lambda m, p, x, y: m.minimum(x, y),
    vjp=lambda m, p, g, z, x, y: (g * (x <= y), g * (x > y)),
    formula="z = min(x, y)", local=("1 if x ≤ y else 0", "1 if y < x else 0"),
    gate="min routes",
    explain="A min gate routes the whole upstream gradient to the smaller input; the other gets 0.",
    sample=_apart,
))


@dataclass(frozen=True, slots=True)
class Pattern:
    """A gate pattern that is not an op of its own: it comes from the graph's shape."""

    name: str
    explain: str


FANOUT = Pattern(
    "copy adds",
    "A value used in several places receives the sum of the gradients flowing back from each use.",
)
