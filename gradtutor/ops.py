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
    sample: Callable | None  # sample(rng) -> (xs, p): a point inside the domain, away from kinks;
    # None for ops that exist only on tensors
    exact: bool = False  # uses only + − × ÷ and integer powers: can run on Fractions
    domain: Callable | None = None  # domain(p, *xs) -> message when xs are outside it
    inputs: tuple[str, ...] = field(default=("x", "y"))  # input names used in the text
    # The pattern's name and sentence in Korean, for Korean lessons and `--lang ko`; every op
    # gradtutor ships has both (tests/test_render_lang.py). Read them through gate_in/explain_in.
    gate_ko: str = ""
    explain_ko: str = ""
    # -- tensor side (see the "Tensor ops" section below) -----------------------------------
    # tensor_sample(rng) -> (xs, p): float64 host arrays of random shapes (broadcasting pairs
    # included) inside the domain, rng a numpy Generator; None for scalar-only ops.
    tensor_sample: Callable | None = None
    jacobian: tuple[str, ...] = ()  # each input's Jacobian structure in words ("diagonal: diag(y)")
    backward: tuple[str, ...] = ()  # each input's efficient rule as the engine runs it
    saves: bool = False  # forward returns (out, saved); vjp receives saved=saved
    partial: bool = False  # vjp accepts needs=(bool per input) and skips the unneeded inputs
    fused: bool = False  # a whole training layer's forward and backward in one record (train/functional.py)
    # backward_shapes(input_shapes, output_shape, lang) -> each input's rule with the terms' shapes,
    # "(2,) = (3,) · (3, 2)", for ops whose rule mixes shapes (matmul); None elsewhere
    backward_shapes: Callable | None = None
    # Korean versions of the worded texts above (formula, local, jacobian, backward), one per
    # input like the English; left empty where the English is formulas only. Every text a Korean
    # table shows is checked for English words (tests/test_render_lang.py). Read them through
    # formula_in/local_in/jacobian_in/backward_in.
    formula_ko: str = ""
    local_ko: tuple[str, ...] = ()
    jacobian_ko: tuple[str, ...] = ()
    backward_ko: tuple[str, ...] = ()

    def input_names(self, count: int | None = None) -> tuple[str, ...]:
        """The inputs' names; a variadic op (arity -1, e.g. concatenate) numbers them x1, x2, …"""
        if self.arity >= 0:
            return self.inputs[: self.arity]
        return tuple(f"{self.inputs[0]}{i + 1}" for i in range(count or 0))

    def gate_in(self, lang: str = "en") -> str:
        """The gate pattern's short name in `lang` ("en" or "ko")."""
        return _localized(lang, self.gate, self.gate_ko)

    def explain_in(self, lang: str = "en") -> str:
        """The gate pattern in one sentence, in `lang`."""
        return _localized(lang, self.explain, self.explain_ko)

    def formula_in(self, lang: str = "en") -> str:
        """The forward rule as text, in `lang`."""
        return _localized(lang, self.formula, self.formula_ko)

    def local_in(self, slot: int, lang: str = "en") -> str:
        """Input `slot`'s local-gradient text in `lang` ("" when the op has none); a variadic op
        (concatenate) has one text for all its inputs."""
        return _slot_text(lang, self.local, self.local_ko, slot)

    def jacobian_in(self, slot: int, lang: str = "en") -> str | None:
        """Input `slot`'s Jacobian structure in words, in `lang`; None when the op has none."""
        return _slot_text(lang, self.jacobian, self.jacobian_ko, slot) or None

    def backward_in(self, slot: int, lang: str = "en") -> str:
        """Input `slot`'s efficient backward rule as the engine runs it, in `lang`."""
        return _slot_text(lang, self.backward, self.backward_ko, slot)

    def backward_shapes_in(self, input_shapes, output_shape, lang: str = "en") -> tuple[str, ...] | None:
        """Each input's backward rule with the terms' shapes, in `lang`; None for ops without."""
        if self.backward_shapes is None:
            return None
        return self.backward_shapes(input_shapes, output_shape, lang)


def _slot_text(lang: str, english: tuple[str, ...], korean: tuple[str, ...], slot: int) -> str:
    texts = (korean or english) if lang == "ko" else english
    return texts[min(slot, len(texts) - 1)] if texts else ""


def _localized(lang: str, english: str, korean: str) -> str:
    # An op registered outside gradtutor may have no Korean yet: it shows its English text
    # rather than nothing. (Every op gradtutor ships has both; the tests make sure.)
    return (korean or english) if lang == "ko" else english


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
    if x == 0 and p < 1:  # the local gradient c·xᶜ⁻¹ would divide by zero
        return f"x^{_short(p)} has no finite slope at x = 0"
    return None


def _exp_domain(p, x):
    if x > 709.0:  # math.exp overflows a float beyond this
        return f"exp({_short(x)}) is too large to represent"
    return None


def _short(x) -> str:
    from gradtutor.numbers import human

    return human(x)


# -- tensor samplers: random shapes for the tensor gradient checks ---------------------------
# rng is a numpy Generator, so this module still imports no array library: the arrays come from
# the generator itself (float64, on the host).


def _shape(rng, min_ndim=0, max_ndim=3) -> tuple[int, ...]:
    ndim = int(rng.integers(min_ndim, max_ndim + 1))
    return tuple(int(n) for n in rng.integers(1, 5, size=ndim))


def _broadcast_pair(rng):
    """Two shapes that broadcast together: a full shape, and one with leading axes dropped and
    some axes set to 1. Which input gets the smaller shape is random."""
    full = _shape(rng)
    small = full[int(rng.integers(0, len(full) + 1)):]
    small = tuple(1 if rng.random() < 0.4 else n for n in small)
    return (full, small) if rng.random() < 0.5 else (small, full)


def _elementwise(*fills, param=None):
    """A tensor sampler for an elementwise op: fills[i](rng, shape) makes input i; binary ops
    get a broadcasting pair of shapes. `param(rng)` draws the op's parameter, if it has one."""

    def sample(rng):
        shapes = (_shape(rng),) if len(fills) == 1 else _broadcast_pair(rng)
        xs = tuple(fill(rng, shape) for fill, shape in zip(fills, shapes))
        return xs, (param(rng) if param else None)

    return sample


def _between(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, size=shape)


def _nonzero(lo, hi):
    """Magnitudes in [lo, hi] with random signs: away from the kink or pole at 0."""
    return lambda rng, shape: rng.choice([-1.0, 1.0], size=shape) * rng.uniform(lo, hi, size=shape)


def _on_grid(offset):
    """Integers + offset. max and min sample x on the integers + 0.25 and y on the integers,
    so no pair ties even after broadcasting."""
    return lambda rng, shape: rng.integers(-4, 5, size=shape) + offset


ADD = register(Op(
    "add", "+", 2,
    forward=lambda m, p, x, y: x + y,
    vjp=lambda m, p, g, z, x, y: (g, g),
    formula="z = x + y", local=("1", "1"),
    gate="add distributes",
    gate_ko="덧셈 노드는 분배",
    explain="An add gate passes the upstream gradient unchanged to every input.",
    explain_ko="덧셈 노드는 상류 기울기를 모든 입력에 그대로 흘려보냅니다.",
    sample=_uniform(-5, 5, 2), exact=True,
    tensor_sample=_elementwise(_between(-5, 5), _between(-5, 5)),
    jacobian=("identity I", "identity I"),
    backward=("dL/dx = dL/dz", "dL/dy = dL/dz"),
    jacobian_ko=("항등 행렬 I", "항등 행렬 I"),
))

SUB = register(Op(
    "sub", "−", 2,
    forward=lambda m, p, x, y: x - y,
    vjp=lambda m, p, g, z, x, y: (g, -g),
    formula="z = x − y", local=("1", "−1"),
    gate="subtract distributes, flipping the sign",
    gate_ko="뺄셈 노드는 분배, 부호 반전",
    explain="A subtract gate passes the upstream gradient to x and its negative to y.",
    explain_ko="뺄셈 노드는 x에는 상류 기울기를, y에는 부호를 바꾼 상류 기울기를 보냅니다.",
    sample=_uniform(-5, 5, 2), exact=True,
    tensor_sample=_elementwise(_between(-5, 5), _between(-5, 5)),
    jacobian=("identity I", "−I"),
    backward=("dL/dx = dL/dz", "dL/dy = −dL/dz"),
    jacobian_ko=("항등 행렬 I", "−I"),
))

MUL = register(Op(
    "mul", "×", 2,
    forward=lambda m, p, x, y: x * y,
    vjp=lambda m, p, g, z, x, y: (g * y, g * x),
    formula="z = x · y", local=("y", "x"),
    gate="multiply swaps",
    gate_ko="곱셈 노드는 교환",
    explain="A multiply gate sends each input the upstream gradient times the other input.",
    explain_ko="곱셈 노드는 각 입력에 상류 기울기 × 상대편 입력값을 보냅니다.",
    sample=_uniform(-5, 5, 2), exact=True,
    tensor_sample=_elementwise(_between(-5, 5), _between(-5, 5)),
    jacobian=("diagonal, diag(y)", "diagonal, diag(x)"),
    backward=("dL/dx = dL/dz ⊙ y", "dL/dy = dL/dz ⊙ x"),
    jacobian_ko=("대각 행렬, diag(y)", "대각 행렬, diag(x)"),
))

DIV = register(Op(
    "div", "÷", 2,
    forward=lambda m, p, x, y: x / y,
    vjp=lambda m, p, g, z, x, y: (g / y, -g * x / (y * y)),
    formula="z = x / y", local=("1/y", "−x/y²"),
    gate="divide scales",
    gate_ko="나눗셈 노드는 비율을 곱함",
    explain="A divide gate scales the upstream gradient by 1/y for x and by −x/y² for y.",
    explain_ko="나눗셈 노드는 상류 기울기에 x 쪽으로는 1/y를, y 쪽으로는 −x/y²를 곱해 보냅니다.",
    sample=lambda rng: ((rng.uniform(-5, 5), rng.choice([-1, 1]) * rng.uniform(0.3, 5)), None),
    exact=True, domain=_div_domain,
    tensor_sample=_elementwise(_between(-5, 5), _nonzero(0.3, 5)),
    jacobian=("diagonal, diag(1/y)", "diagonal, diag(−x/y²)"),
    backward=("dL/dx = dL/dz ⊘ y", "dL/dy = −dL/dz ⊙ x ⊘ y²"),
    jacobian_ko=("대각 행렬, diag(1/y)", "대각 행렬, diag(−x/y²)"),
))

NEG = register(Op(
    "neg", "−", 1,
    forward=lambda m, p, x: -x,
    vjp=lambda m, p, g, z, x: (-g,),
    formula="z = −x", local=("−1",),
    gate="negate flips the sign",
    gate_ko="부호 반전 노드는 부호를 뒤집음",
    explain="A negate gate passes the upstream gradient back with its sign flipped.",
    explain_ko="부호 반전 노드는 상류 기울기의 부호만 뒤집어 돌려보냅니다.",
    sample=_uniform(-5, 5), exact=True, inputs=("x",),
    tensor_sample=_elementwise(_between(-5, 5)),
    jacobian=("−I",),
    backward=("dL/dx = −dL/dz",),
))

POW = register(Op(
    "pow", "^", 1,
    forward=lambda m, p, x: x**p,
    vjp=lambda m, p, g, z, x: (g * p * x ** (p - 1),),
    formula="z = xᶜ", local=("c·xᶜ⁻¹",),
    gate="power scales by c·xᶜ⁻¹",
    gate_ko="거듭제곱 노드는 c·xᶜ⁻¹을 곱함",
    explain="A power gate multiplies the upstream gradient by c·xᶜ⁻¹, the slope of xᶜ at x.",
    explain_ko="거듭제곱 노드는 상류 기울기에 x에서의 xᶜ의 기울기인 c·xᶜ⁻¹을 곱합니다.",
    sample=_power_sample, exact=True, domain=_pow_domain, inputs=("x",),
    tensor_sample=_elementwise(_between(0.2, 4), param=lambda rng: float(rng.choice([2, 3, -1, 0.5, 1.5, -2]))),
    jacobian=("diagonal, diag(c·xᶜ⁻¹)",),
    backward=("dL/dx = dL/dz ⊙ c·xᶜ⁻¹",),
    jacobian_ko=("대각 행렬, diag(c·xᶜ⁻¹)",),
))

EXP = register(Op(
    "exp", "exp", 1,
    forward=lambda m, p, x: m.exp(x),
    vjp=lambda m, p, g, z, x: (g * z,),
    formula="z = eˣ", local=("eˣ",),
    gate="exp scales by its own output",
    gate_ko="exp 노드는 자기 출력을 곱함",
    explain="An exp gate multiplies the upstream gradient by its own output, since (eˣ)′ = eˣ.",
    explain_ko="(eˣ)′ = eˣ이므로 exp 노드는 상류 기울기에 자기 출력값을 곱합니다.",
    sample=_uniform(-4, 4), domain=_exp_domain, inputs=("x",),
    tensor_sample=_elementwise(_between(-4, 4)),
    jacobian=("diagonal, diag(z)",),
    backward=("dL/dx = dL/dz ⊙ z",),
    jacobian_ko=("대각 행렬, diag(z)",),
))

LOG = register(Op(
    "log", "log", 1,
    forward=lambda m, p, x: m.log(x),
    vjp=lambda m, p, g, z, x: (g / x,),
    formula="z = ln x", local=("1/x",),
    gate="log divides by its input",
    gate_ko="log 노드는 입력으로 나눔",
    explain="A log gate divides the upstream gradient by its input, since (ln x)′ = 1/x.",
    explain_ko="(ln x)′ = 1/x이므로 log 노드는 상류 기울기를 입력값으로 나눕니다.",
    sample=_uniform(0.2, 8), domain=_log_domain, inputs=("x",),
    tensor_sample=_elementwise(_between(0.2, 8)),
    jacobian=("diagonal, diag(1/x)",),
    backward=("dL/dx = dL/dz ⊘ x",),
    jacobian_ko=("대각 행렬, diag(1/x)",),
))

TANH = register(Op(
    "tanh", "tanh", 1,
    forward=lambda m, p, x: m.tanh(x),
    vjp=lambda m, p, g, z, x: (g * (1 - z * z),),
    formula="z = tanh x", local=("1 − z²",),
    gate="tanh scales by 1 − z²",
    gate_ko="tanh 노드는 1 − z²를 곱함",
    explain="A tanh gate scales the upstream gradient by 1 − z², which vanishes as z nears ±1.",
    explain_ko="tanh 노드는 상류 기울기에 1 − z²를 곱합니다. z가 ±1에 가까워질수록 이 값은 0에 가까워집니다.",
    sample=_uniform(-3, 3), inputs=("x",),
    tensor_sample=_elementwise(_between(-3, 3)),
    jacobian=("diagonal, diag(1 − z²)",),
    backward=("dL/dx = dL/dz ⊙ (1 − z²)",),
    jacobian_ko=("대각 행렬, diag(1 − z²)",),
))

SIGMOID = register(Op(
    "sigmoid", "σ", 1,
    # 0.5·(1 + tanh(x/2)) equals 1/(1 + e⁻ˣ) and never overflows, for floats or arrays.
    forward=lambda m, p, x: 0.5 * (1 + m.tanh(0.5 * x)),
    vjp=lambda m, p, g, z, x: (g * z * (1 - z),),
    formula="z = σ(x) = 1/(1 + e⁻ˣ)", local=("z·(1 − z)",),
    gate="sigmoid scales by z(1 − z)",
    gate_ko="시그모이드 노드는 z(1 − z)를 곱함",
    explain="A sigmoid gate scales the upstream gradient by z(1 − z), at most 0.25.",
    explain_ko="시그모이드 노드는 상류 기울기에 z(1 − z)를 곱합니다. 이 값은 최대 0.25입니다.",
    sample=_uniform(-5, 5), inputs=("x",),
    tensor_sample=_elementwise(_between(-5, 5)),
    jacobian=("diagonal, diag(z ⊙ (1 − z))",),
    backward=("dL/dx = dL/dz ⊙ z ⊙ (1 − z)",),
    jacobian_ko=("대각 행렬, diag(z ⊙ (1 − z))",),
))

RELU = register(Op(
    "relu", "ReLU", 1,
    forward=lambda m, p, x: m.maximum(x, 0.0),
    # At exactly 0 the slope is taken as 0, the usual convention: the gate is "off" there.
    vjp=lambda m, p, g, z, x: (g * (x > 0),),
    formula="z = max(x, 0)", local=("1 if x > 0 else 0",),
    gate="ReLU passes or blocks",
    gate_ko="ReLU 노드는 통과 또는 차단",
    explain="A ReLU gate passes the upstream gradient where its input was positive and blocks it elsewhere.",
    explain_ko="ReLU 노드는 입력이 양수였던 곳에서는 상류 기울기를 그대로 통과시키고, 나머지에서는 막습니다.",
    sample=_uniform(-5, 5, avoid=(0.0,)), inputs=("x",),
    tensor_sample=_elementwise(_nonzero(0.05, 5)),
    jacobian=("diagonal, 1 where x > 0 else 0",),
    backward=("dL/dx = dL/dz ⊙ [x > 0]",),
    local_ko=("x > 0이면 1, 아니면 0",),
    jacobian_ko=("대각 행렬, x > 0이면 1, 아니면 0",),
))

MAX = register(Op(
    "max", "max", 2,
    forward=lambda m, p, x, y: m.maximum(x, y),
    # A tie routes to x, the first input.
    vjp=lambda m, p, g, z, x, y: (g * (x >= y), g * (x < y)),
    formula="z = max(x, y)", local=("1 if x ≥ y else 0", "1 if y > x else 0"),
    gate="max routes",
    gate_ko="max 노드는 한쪽으로 보냄",
    explain="A max gate routes the whole upstream gradient to the larger input; the other gets 0.",
    explain_ko="max 노드는 상류 기울기 전체를 더 큰 입력 쪽으로 보내고, 다른 입력은 0을 받습니다.",
    sample=_apart,
    tensor_sample=_elementwise(_on_grid(0.25), _on_grid(0.0)),
    jacobian=("diagonal, 1 where x ≥ y else 0", "diagonal, 1 where y > x else 0"),
    backward=("dL/dx = dL/dz ⊙ [x ≥ y]", "dL/dy = dL/dz ⊙ [y > x]"),
    local_ko=("x ≥ y이면 1, 아니면 0", "y > x이면 1, 아니면 0"),
    jacobian_ko=("대각 행렬, x ≥ y이면 1, 아니면 0", "대각 행렬, y > x이면 1, 아니면 0"),
))

MIN = register(Op(
    "min", "min", 2,
    forward=lambda m, p, x, y: m.minimum(x, y),
    vjp=lambda m, p, g, z, x, y: (g * (x <= y), g * (x > y)),
    formula="z = min(x, y)", local=("1 if x ≤ y else 0", "1 if y < x else 0"),
    gate="min routes",
    gate_ko="min 노드는 한쪽으로 보냄",
    explain="A min gate routes the whole upstream gradient to the smaller input; the other gets 0.",
    explain_ko="min 노드는 상류 기울기 전체를 더 작은 입력 쪽으로 보내고, 다른 입력은 0을 받습니다.",
    sample=_apart,
    tensor_sample=_elementwise(_on_grid(0.25), _on_grid(0.0)),
    jacobian=("diagonal, 1 where x ≤ y else 0", "diagonal, 1 where y < x else 0"),
    backward=("dL/dx = dL/dz ⊙ [x ≤ y]", "dL/dy = dL/dz ⊙ [y < x]"),
    local_ko=("x ≤ y이면 1, 아니면 0", "y < x이면 1, 아니면 0"),
    jacobian_ko=("대각 행렬, x ≤ y이면 1, 아니면 0", "대각 행렬, y < x이면 1, 아니면 0"),
))


@dataclass(frozen=True, slots=True)
class Pattern:
    """A gate pattern that is not an op of its own: it comes from the graph's shape."""

    name: str
    explain: str
    name_ko: str = ""
    explain_ko: str = ""

    def gate_in(self, lang: str = "en") -> str:
        return _localized(lang, self.name, self.name_ko)

    def explain_in(self, lang: str = "en") -> str:
        return _localized(lang, self.explain, self.explain_ko)


FANOUT = Pattern(
    "copy adds",
    "A value used in several places receives the sum of the gradients flowing back from each use.",
    name_ko="복사(분기)는 더함",
    explain_ko="여러 곳에 쓰인 값은 각 사용처에서 돌아온 기울기를 모두 더한 값을 받습니다.",
)


# == Tensor ops ===============================================================================
# Ops that exist only on arrays. `m` is the active array module (numpy or cupy). Rules keep the
# dtype of their inputs: constants are Python numbers (weak in NumPy 2's promotion rules) and
# masks are cast to the input's dtype before any division.


def _matmul_vjp(m, p, g, z, x, y, needs=None):
    want_x = needs is None or needs[0]
    want_y = needs is None or needs[1]
    if x.ndim == 2 and y.ndim == 2:  # the common case first: a layer's (N, in) · (in, out)
        return (m.matmul(g, y.T) if want_x else None), (m.matmul(x.T, g) if want_y else None)
    gx = gy = None
    if x.ndim == 1 and y.ndim == 1:  # inner product: z and g are numbers
        return (g * y if want_x else None), (g * x if want_y else None)
    if x.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
        if want_x:
            gx = m.matmul(y, g[..., None])[..., 0]  # (..., k)
        if want_y:
            gy = x[:, None] * g[..., None, :]  # (..., k, n)
    elif y.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
        if want_x:
            gx = g[..., None] * y  # (..., n, k)
        if want_y:
            gy = m.matmul(m.swapaxes(x, -1, -2), g[..., None])[..., 0]  # (..., k)
    else:
        if want_x:
            gx = m.matmul(g, m.swapaxes(y, -1, -2))  # dL/dX = dL/dY · Wᵀ
        if want_y:
            gy = m.matmul(m.swapaxes(x, -1, -2), g)  # dL/dW = Xᵀ · dL/dY
    return gx, gy


def _matmul_sample(rng):
    n, k, j = (int(v) for v in rng.integers(1, 5, size=3))
    shapes = [
        ((n, k), (k, j)), ((k,), (k, j)), ((n, k), (k,)), ((k,), (k,)),
        ((2, n, k), (k, j)), ((2, n, k), (2, k, j)),
    ][int(rng.integers(0, 6))]
    return tuple(rng.normal(size=s) for s in shapes), None


def _matmul_shapes(input_shapes, output_shape, lang: str = "en") -> tuple[str, str]:
    """The shapes in dL/dX = dL/dY · Wᵀ and dL/dW = Xᵀ · dL/dY, a vector written as the notes
    write it: x of shape (k,) is a row, so xᵀ is (k, 1) and dL/dy is (1, n) beside it."""
    x, w = (tuple(s) for s in input_shapes)
    y = tuple(output_shape)
    if len(x) == 1 and len(w) == 1:  # an inner product: dL/dz is one number
        return f"{x} = () · {w}", f"{w} = {x} · ()"
    if len(w) == 1:  # X · w with w a vector: dL/dX = dL/dy (as a column) · wᵀ (a row)
        w_t, y_col = (1,) + w, y + (1,)
        return f"{x} = {y_col} · {w_t}", f"{w} = {x[-1:] + x[-2:-1] if len(x) > 1 else x} · {y}"
    w_t = w[:-2] + (w[-1], w[-2])
    x_t = x[:-2] + (x[-1], x[-2]) if len(x) > 1 else (x[0], 1)
    y_row = y if len(x) > 1 else (1,) + y
    summed = (", 배치에 걸쳐 합산" if lang == "ko" else ", summed over the batch") if len(x) > len(w) else ""
    return f"{x} = {y} · {w_t}", f"{w} = {x_t} · {y_row}{summed}"


MATMUL = register(Op(
    "matmul", "·", 2,
    forward=lambda m, p, x, y: m.matmul(x, y),
    vjp=_matmul_vjp, partial=True,
    formula="Y = X · W", local=("Wᵀ", "Xᵀ"),
    gate="matmul multiplies by the other input, transposed",
    gate_ko="행렬 곱 노드는 상대편 입력의 전치를 곱함",
    explain="A matrix-multiply gate sends X the upstream times Wᵀ and W the Xᵀ times the upstream.",
    explain_ko="행렬 곱 노드는 X에는 상류 기울기 · Wᵀ를, W에는 Xᵀ · 상류 기울기를 보냅니다.",
    sample=None, tensor_sample=_matmul_sample, inputs=("X", "W"),
    jacobian=(
        "block diagonal: one Wᵀ block per row of X (∂Yᵢⱼ/∂Xᵢₖ = Wₖⱼ)",
        "Xᵀ blocks: ∂Yᵢⱼ/∂Wₖⱼ = Xᵢₖ, zero across different output columns",
    ),
    backward=("dL/dX = dL/dY · Wᵀ", "dL/dW = Xᵀ · dL/dY"),
    backward_shapes=_matmul_shapes,
    jacobian_ko=(
        "블록 대각 행렬: X의 행마다 Wᵀ 블록 하나 (∂Yᵢⱼ/∂Xᵢₖ = Wₖⱼ)",
        "Xᵀ 블록: ∂Yᵢⱼ/∂Wₖⱼ = Xᵢₖ, 서로 다른 출력 열 사이는 0",
    ),
))


def _inverse_axes(axes):
    return tuple(sorted(range(len(axes)), key=axes.__getitem__))


def _transpose_sample(rng):
    shape = _shape(rng, 1, 3)
    axes = None if rng.random() < 0.3 else tuple(int(a) for a in rng.permutation(len(shape)))
    return (rng.normal(size=shape),), axes


TRANSPOSE = register(Op(
    "transpose", "ᵀ", 1,
    forward=lambda m, p, x: m.transpose(x, p),
    # p is None (reverse the axes, whose inverse is itself) or a permutation of the axes.
    vjp=lambda m, p, g, z, x: (m.transpose(g, None if p is None else _inverse_axes(p)),),
    formula="z = xᵀ", local=("a permutation",),
    gate="transpose puts each gradient back in its place",
    gate_ko="전치 노드는 기울기를 제자리로 돌려놓음",
    explain="A transpose gate moves each upstream element back to where its input element came from.",
    explain_ko="전치 노드는 상류 기울기의 각 원소를 입력 원소가 원래 있던 자리로 옮깁니다.",
    sample=None, tensor_sample=_transpose_sample, inputs=("x",),
    jacobian=("a permutation matrix: each output element is one input element",),
    backward=("dL/dx = (dL/dz)ᵀ, the inverse permutation",),
    local_ko=("순열",),
    jacobian_ko=("순열 행렬: 출력 원소 하나하나가 입력 원소 하나",),
    backward_ko=("dL/dx = (dL/dz)ᵀ, 역순열로 축을 되돌림",),
))


def _reshape_sample(rng):
    shape = _shape(rng, 0, 3)
    size = 1
    for n in shape:
        size *= n
    choices = [(size,), (-1,), (1, size), (size, 1), shape[::-1]]
    return (rng.normal(size=shape),), choices[int(rng.integers(0, len(choices)))]


RESHAPE = register(Op(
    "reshape", "reshape", 1,
    forward=lambda m, p, x: m.reshape(x, p),
    vjp=lambda m, p, g, z, x: (m.reshape(g, x.shape),),
    formula="z = reshape(x)", local=("1",),
    gate="reshape passes the gradient, reshaped back",
    gate_ko="reshape 노드는 기울기를 원래 형상으로 되돌림",
    explain="A reshape gate passes the upstream gradient unchanged, laid out in the input's shape.",
    explain_ko="reshape 노드는 상류 기울기의 값은 그대로 두고 입력의 형상으로 다시 배열합니다.",
    sample=None, tensor_sample=_reshape_sample, inputs=("x",),
    jacobian=("identity I (row-major order is the same before and after)",),
    backward=("dL/dx = dL/dz reshaped to x's shape",),
    jacobian_ko=("항등 행렬 I (행 우선 순서가 전후로 같음)",),
    backward_ko=("dL/dx = dL/dz를 x의 형상으로 되돌림",),
))


def _has_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(hasattr(part, "shape") or isinstance(part, list) for part in parts)


def _getitem_vjp(m, p, g, z, x):
    gx = m.zeros_like(x)
    if _has_array(p):
        m.add.at(gx, p, g)  # an index array may repeat an element: its gradients add up
    else:
        gx[p] = g  # ints and slices never repeat an element
    return (gx,)


def _getitem_sample(rng):
    a, b = (int(v) for v in rng.integers(2, 5, size=2))
    choices = [
        int(rng.integers(-a, a)),
        slice(1, None),
        slice(None, None, -1),
        (slice(None), int(rng.integers(0, b))),
        rng.integers(0, a, size=5),  # repeats on purpose
        (rng.integers(0, a, size=3), slice(0, 2)),
        (rng.integers(0, a, size=4), rng.integers(0, b, size=4)),
    ]
    return (rng.normal(size=(a, b)),), choices[int(rng.integers(0, len(choices)))]


GETITEM = register(Op(
    "getitem", "[ ]", 1,
    forward=lambda m, p, x: x[p],
    vjp=_getitem_vjp,
    formula="z = x[i]", local=("1 at the picked elements",),
    gate="indexing routes the gradient back to the picked elements",
    gate_ko="인덱싱 노드는 고른 원소로 기울기를 보냄",
    explain="An indexing gate sends each upstream element to the input element it read; elements read twice add up.",
    explain_ko="인덱싱 노드는 상류 기울기의 각 원소를 그 값을 읽어 온 입력 원소로 보냅니다. 두 번 읽힌 원소에는 기울기가 더해집니다.",
    sample=None, tensor_sample=_getitem_sample, inputs=("x",),
    jacobian=("a selection matrix: in each row a single 1, at the element that output reads",),
    backward=("dL/dx = zeros with dL/dz added at the index (repeats add up)",),
    local_ko=("고른 원소에서 1",),
    jacobian_ko=("선택 행렬: 행마다 1이 하나, 그 출력이 읽은 원소 자리에",),
    backward_ko=("dL/dx = 0으로 채운 배열의 인덱스 자리에 dL/dz를 더함 (같은 자리가 반복되면 합산)",),
))


def _concatenate_vjp(m, p, g, z, *xs):
    cuts, total = [], 0
    for x in xs[:-1]:
        total += x.shape[p]
        cuts.append(total)
    return tuple(m.split(g, cuts, axis=p))


def _concatenate_sample(rng):
    shape = list(_shape(rng, 1, 3))
    axis = int(rng.integers(0, len(shape)))
    xs = []
    for _ in range(int(rng.integers(2, 4))):
        shape[axis] = int(rng.integers(1, 4))
        xs.append(rng.normal(size=tuple(shape)))
    return tuple(xs), axis


CONCATENATE = register(Op(
    "concatenate", "concat", -1,
    forward=lambda m, p, *xs: m.concatenate(xs, axis=p),
    vjp=_concatenate_vjp,
    formula="z = [x1, x2, …] along an axis", local=("1 on its own block",),
    gate="concatenate hands each input its slice of the gradient",
    gate_ko="연결 노드는 각 입력에 제 몫의 기울기를 줌",
    explain="A concatenate gate cuts the upstream gradient into the pieces its inputs filled.",
    explain_ko="연결(concatenate) 노드는 상류 기울기를 각 입력이 채웠던 조각대로 잘라서 돌려줍니다.",
    sample=None, tensor_sample=_concatenate_sample, inputs=("x",),
    jacobian=("[0 … I … 0]: identity on the block this input fills, zero elsewhere",),
    backward=("dL/dxₖ = the block of dL/dz that xₖ filled",),
    formula_ko="z = [x1, x2, …], 한 축을 따라 이어 붙임",
    local_ko=("자기 블록에서 1",),
    jacobian_ko=("[0 … I … 0]: 이 입력이 채운 블록에서는 항등 행렬, 나머지는 0",),
    backward_ko=("dL/dxₖ = dL/dz에서 xₖ가 채웠던 블록",),
))


def _stack_vjp(m, p, g, z, *xs):
    moved = m.moveaxis(g, p, 0)  # the stacked axis first: moved[k] belongs to input k
    return tuple(moved[k] for k in range(len(xs)))


def _stack_sample(rng):
    shape = _shape(rng, 0, 2)
    xs = tuple(rng.normal(size=shape) for _ in range(int(rng.integers(2, 4))))
    return xs, int(rng.integers(0, len(shape) + 1))


STACK = register(Op(
    "stack", "stack", -1,
    forward=lambda m, p, *xs: m.stack(xs, axis=p),
    vjp=_stack_vjp,
    formula="z = stack(x1, x2, …) on a new axis", local=("1 on its own slice",),
    gate="stack hands each input its slice of the gradient",
    gate_ko="stack 노드는 각 입력에 제 몫의 기울기를 줌",
    explain="A stack gate gives each input the slice of the upstream gradient at its position.",
    explain_ko="stack 노드는 각 입력에 그 입력이 놓였던 위치의 상류 기울기 조각을 줍니다.",
    sample=None, tensor_sample=_stack_sample, inputs=("x",),
    jacobian=("[0 … I … 0]: identity on the slice this input fills, zero elsewhere",),
    backward=("dL/dxₖ = dL/dz[k] along the new axis",),
    formula_ko="z = stack(x1, x2, …), 새 축을 만들어 쌓음",
    local_ko=("자기 조각에서 1",),
    jacobian_ko=("[0 … I … 0]: 이 입력이 채운 조각에서는 항등 행렬, 나머지는 0",),
    backward_ko=("dL/dxₖ = 새 축을 따라 자른 dL/dz[k]",),
))


def _spread(m, p, g, x):
    """Undo a reduction's shape: put the reduced axes back and broadcast g to x's shape.
    p is (axis, keepdims) as given to sum/mean/max."""
    axis, keepdims = p
    if axis is not None and not keepdims:
        g = m.expand_dims(g, axis)
    return m.broadcast_to(g, x.shape)


def _reduction_sample(distinct=False):
    def sample(rng):
        shape = _shape(rng, 0, 3)
        ndim = len(shape)
        size = 1
        for n in shape:
            size *= n
        if distinct:  # values at least 0.4 apart, so the maximum is unique
            x = rng.permutation(size).reshape(shape) * 0.5 + rng.uniform(0, 0.1, size=shape)
        else:
            x = rng.normal(size=shape)
        kind = int(rng.integers(0, 3)) if ndim else 0
        if kind == 0:
            axis = None
        elif kind == 1:
            axis = int(rng.integers(-ndim, ndim))
        else:
            axis = tuple(sorted(int(a) for a in rng.choice(ndim, size=int(rng.integers(1, ndim + 1)), replace=False)))
        return (x,), (axis, bool(rng.random() < 0.5))

    return sample


SUM = register(Op(
    "sum", "Σ", 1,
    forward=lambda m, p, x: m.sum(x, axis=p[0], keepdims=p[1]),
    vjp=lambda m, p, g, z, x: (_spread(m, p, g, x),),
    formula="z = Σ x", local=("1",),
    gate="sum copies the gradient to every summed element",
    gate_ko="합 노드는 더해진 모든 원소에 기울기를 복사",
    explain="A sum gate hands the same upstream gradient to every element it added up.",
    explain_ko="합(sum) 노드는 더해진 모든 원소에 같은 상류 기울기를 나눠 줍니다.",
    sample=None, tensor_sample=_reduction_sample(), inputs=("x",),
    jacobian=("a row of ones per output element, over the elements it sums",),
    backward=("dL/dx = dL/dz broadcast back to x's shape",),
    jacobian_ko=("출력 원소마다 1로 된 행 하나, 그 원소가 더한 원소들 자리에",),
    backward_ko=("dL/dx = dL/dz를 x의 형상으로 브로드캐스트",),
))

MEAN = register(Op(
    "mean", "mean", 1,
    forward=lambda m, p, x: m.mean(x, axis=p[0], keepdims=p[1]),
    vjp=lambda m, p, g, z, x: (_spread(m, p, g * (z.size / x.size), x),),
    formula="z = (1/n) Σ x", local=("1/n",),
    gate="mean copies the gradient, divided by n",
    gate_ko="평균 노드는 기울기를 n으로 나눠 복사",
    explain="A mean gate hands every averaged element the upstream gradient divided by their count n.",
    explain_ko="평균(mean) 노드는 평균에 들어간 모든 원소에 상류 기울기를 원소 개수 n으로 나눈 값을 줍니다.",
    sample=None, tensor_sample=_reduction_sample(), inputs=("x",),
    jacobian=("a row of 1/n per output element, over the n elements it averages",),
    backward=("dL/dx = dL/dz / n broadcast back to x's shape",),
    jacobian_ko=("출력 원소마다 1/n로 된 행 하나, 그 원소가 평균한 n개 원소 자리에",),
    backward_ko=("dL/dx = dL/dz / n을 x의 형상으로 브로드캐스트",),
))


def _amax_vjp(m, p, g, z, x):
    winners = (x == _spread(m, p, z, x)).astype(x.dtype)
    # Ties share the gradient equally: still a valid (sub)gradient, and never counted twice.
    winners = winners / m.sum(winners, axis=p[0], keepdims=True)
    return (winners * _spread(m, p, g, x),)


AMAX = register(Op(
    "amax", "max", 1,
    forward=lambda m, p, x: m.max(x, axis=p[0], keepdims=p[1]),
    vjp=_amax_vjp,
    formula="z = max x", local=("1 at the maximum, 0 elsewhere",),
    gate="max routes",
    gate_ko="max 노드는 한쪽으로 보냄",
    explain="A max-over-elements gate routes the upstream gradient to the largest element; the rest get 0.",
    explain_ko="원소 중 최댓값을 고르는 max 노드는 상류 기울기를 가장 큰 원소로 보내고, 나머지 원소는 0을 받습니다.",
    sample=None, tensor_sample=_reduction_sample(distinct=True), inputs=("x",),
    jacobian=("one 1 per row, at the maximum (ties share it equally); zero elsewhere",),
    backward=("dL/dx = dL/dz at the maxima, 0 elsewhere",),
    local_ko=("최댓값 자리에서 1, 나머지는 0",),
    jacobian_ko=("행마다 최댓값 자리에 1 하나 (최댓값이 여럿이면 똑같이 나눔), 나머지는 0",),
    backward_ko=("dL/dx = 최댓값 자리에는 dL/dz, 나머지는 0",),
))


def _alpha(lo, hi):
    return lambda rng: float(rng.uniform(lo, hi))


LEAKY_RELU = register(Op(
    "leaky_relu", "LReLU", 1,
    forward=lambda m, p, x: m.where(x > 0, x, p * x),
    vjp=lambda m, p, g, z, x: (m.where(x > 0, g, p * g),),
    formula="z = x if x > 0 else α·x", local=("1 if x > 0 else α",),
    gate="leaky ReLU passes or shrinks",
    gate_ko="Leaky ReLU 노드는 통과 또는 축소",
    explain="A leaky ReLU gate passes the upstream gradient where x > 0 and scales it by α elsewhere.",
    explain_ko="Leaky ReLU 노드는 x > 0인 곳에서는 상류 기울기를 그대로 통과시키고, 나머지에서는 α를 곱해 줄입니다.",
    sample=None, tensor_sample=_elementwise(_nonzero(0.05, 5), param=_alpha(0.01, 0.5)), inputs=("x",),
    jacobian=("diagonal, 1 where x > 0 else α",),
    backward=("dL/dx = dL/dz ⊙ (1 where x > 0 else α)",),
    formula_ko="z = x > 0이면 x, 아니면 α·x",
    local_ko=("x > 0이면 1, 아니면 α",),
    jacobian_ko=("대각 행렬, x > 0이면 1, 아니면 α",),
    backward_ko=("dL/dx = dL/dz ⊙ (x > 0이면 1, 아니면 α)",),
))

ELU = register(Op(
    "elu", "ELU", 1,
    # exp of min(x, 0): the branch not taken must not overflow either.
    forward=lambda m, p, x: m.where(x > 0, x, p * (m.exp(m.minimum(x, 0.0)) - 1)),
    vjp=lambda m, p, g, z, x: (m.where(x > 0, g, g * (z + p)),),
    formula="z = x if x > 0 else α(eˣ − 1)", local=("1 if x > 0 else z + α",),
    gate="ELU passes or scales by z + α",
    gate_ko="ELU 노드는 통과 또는 z + α를 곱함",
    explain="An ELU gate passes the upstream gradient where x > 0 and scales it by z + α = αeˣ elsewhere.",
    explain_ko="ELU 노드는 x > 0인 곳에서는 상류 기울기를 그대로 통과시키고, 나머지에서는 z + α = αeˣ를 곱합니다.",
    sample=None, tensor_sample=_elementwise(_nonzero(0.05, 4), param=_alpha(0.5, 2)), inputs=("x",),
    jacobian=("diagonal, 1 where x > 0 else z + α",),
    backward=("dL/dx = dL/dz ⊙ (1 where x > 0 else z + α)",),
    formula_ko="z = x > 0이면 x, 아니면 α(eˣ − 1)",
    local_ko=("x > 0이면 1, 아니면 z + α",),
    jacobian_ko=("대각 행렬, x > 0이면 1, 아니면 z + α",),
    backward_ko=("dL/dx = dL/dz ⊙ (x > 0이면 1, 아니면 z + α)",),
))


def _softmax(m, p, x):
    e = m.exp(x - m.max(x, axis=p, keepdims=True))  # shifted: exp never overflows
    return e / m.sum(e, axis=p, keepdims=True)


def _log_softmax(m, p, x):
    shifted = x - m.max(x, axis=p, keepdims=True)
    return shifted - m.log(m.sum(m.exp(shifted), axis=p, keepdims=True))


def _axis_sample(rng):
    shape = _shape(rng, 1, 3)
    axis = int(rng.integers(-len(shape), len(shape)))
    return (rng.normal(size=shape) * 2,), axis


SOFTMAX = register(Op(
    "softmax", "softmax", 1,
    forward=_softmax,
    # (diag(y) − y yᵀ) g, without building the matrix: y ⊙ (g − Σ g ⊙ y)
    vjp=lambda m, p, g, y, x: (y * (g - m.sum(g * y, axis=p, keepdims=True)),),
    formula="yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ)", local=("diag(y) − y yᵀ",),
    gate="softmax mixes: every output depends on every input",
    gate_ko="소프트맥스 노드는 섞음: 모든 출력이 모든 입력에 의존",
    explain="A softmax gate's Jacobian is diag(y) − y yᵀ: each input gets yᵢ times its upstream minus the y-weighted average upstream.",
    explain_ko="소프트맥스 노드의 야코비 행렬은 diag(y) − y yᵀ입니다. 입력 i는 yᵢ × (자기 상류 기울기 − y로 가중 평균한 상류 기울기)를 받습니다.",
    sample=None, tensor_sample=_axis_sample, inputs=("x",),
    jacobian=("diag(y) − y yᵀ along the softmax axis: one full block per row, zero across rows",),
    backward=("dL/dx = y ⊙ (dL/dy − Σ(dL/dy ⊙ y))",),
    jacobian_ko=("소프트맥스 축을 따라 diag(y) − y yᵀ: 행마다 꽉 찬 블록 하나, 행 사이는 0",),
))

LOG_SOFTMAX = register(Op(
    "log_softmax", "log softmax", 1,
    forward=_log_softmax,
    vjp=lambda m, p, g, z, x: (g - m.exp(z) * m.sum(g, axis=p, keepdims=True),),
    formula="zᵢ = xᵢ − log Σⱼ exp(xⱼ)", local=("I − 1 softmax(x)ᵀ",),
    gate="log-softmax subtracts the softmax-weighted total",
    gate_ko="로그 소프트맥스 노드는 소프트맥스 가중 합을 뺌",
    explain="A log-softmax gate passes the upstream gradient minus softmax(x) times its total.",
    explain_ko="로그 소프트맥스 노드는 상류 기울기에서 softmax(x) × (상류 기울기의 합)을 빼서 보냅니다.",
    sample=None, tensor_sample=_axis_sample, inputs=("x",),
    jacobian=("I − 1 softmax(x)ᵀ along the axis: one full block per row, zero across rows",),
    backward=("dL/dx = dL/dz − softmax(x) · Σ dL/dz",),
    jacobian_ko=("축을 따라 I − 1 softmax(x)ᵀ: 행마다 꽉 찬 블록 하나, 행 사이는 0",),
))


def _targets(m, y, t):
    """Targets shaped like y: t as given (one-hot or soft labels) or class indices made one-hot."""
    if t.shape == y.shape:
        return t
    return t.astype("int64")[..., None] == m.arange(y.shape[-1])  # (..., C) of bools


def _softmax_cross_entropy(m, p, x, t):
    log_y = _log_softmax(m, -1, x)
    rows = log_y.size // log_y.shape[-1]  # N: the loss is the mean over rows
    loss = -m.sum(log_y * _targets(m, log_y, t)) / rows
    return loss, m.exp(log_y)  # saved: the probabilities y, reused by the backward


def _softmax_cross_entropy_vjp(m, p, g, loss, x, t, saved=None):
    y = saved if saved is not None else _softmax(m, -1, x)
    rows = y.size // y.shape[-1]
    return (y - _targets(m, y, t)) * (g / rows), None  # labels take no gradient


def _classification_sample(rng):
    rows, classes = int(rng.integers(1, 5)), int(rng.integers(2, 6))
    shape = (rows, classes) if rng.random() < 0.8 else (classes,)
    labels = rng.integers(0, classes, size=shape[:-1]) * 1.0
    if rng.random() < 0.5:  # one-hot instead of class indices
        labels = (labels[..., None] == list(range(classes))) * 1.0
    return (rng.normal(size=shape) * 2, labels), None


SOFTMAX_CROSS_ENTROPY = register(Op(
    "softmax_cross_entropy", "softmax+CE", 2,
    forward=_softmax_cross_entropy, vjp=_softmax_cross_entropy_vjp, saves=True,
    formula="L = −(1/N) Σ t · log softmax(x)", local=("(y − t)/N", "none: labels take no gradient"),
    gate="softmax with cross-entropy sends back (y − t)/N",
    gate_ko="소프트맥스와 교차 엔트로피는 (y − t)/N을 돌려보냄",
    explain="Softmax and cross-entropy together have the simplest backward there is: prediction minus target, over N.",
    explain_ko="소프트맥스와 교차 엔트로피 오차를 함께 쓰면 역전파가 가장 단순해집니다: (예측 − 정답) / N.",
    sample=None, tensor_sample=_classification_sample, inputs=("x", "t"),
    jacobian=("a single row (the loss is one number): (y − t)ᵀ/N", "none: labels take no gradient"),
    backward=("dL/dx = (y − t) / N · upstream", "none"),
    local_ko=("(y − t)/N", "없음: 정답 레이블은 기울기를 받지 않음"),
    jacobian_ko=("한 행 (손실이 숫자 하나이므로): (y − t)ᵀ/N", "없음: 정답 레이블은 기울기를 받지 않음"),
    backward_ko=("dL/dx = (y − t) / N · 상류 기울기", "없음"),
))


def _mse_vjp(m, p, g, loss, y, t):
    d = y - t
    gy = d * (g * 2 / d.size)
    return gy, -gy


def _mse_sample(rng):
    shape = _shape(rng, 0, 3)
    return (rng.normal(size=shape), rng.normal(size=shape)), None


MSE = register(Op(
    "mse", "MSE", 2,
    forward=lambda m, p, y, t: m.mean((y - t) ** 2),
    vjp=_mse_vjp,
    formula="L = (1/n) Σ (y − t)²", local=("2(y − t)/n", "−2(y − t)/n"),
    gate="squared error sends back 2(y − t)/n",
    gate_ko="제곱 오차는 2(y − t)/n을 돌려보냄",
    explain="A mean-squared-error gate sends the prediction 2(y − t)/n and the target its negative.",
    explain_ko="평균 제곱 오차 노드는 예측에는 2(y − t)/n을, 정답에는 그 음수를 보냅니다.",
    sample=None, tensor_sample=_mse_sample, inputs=("y", "t"),
    jacobian=("a single row (the loss is one number): 2(y − t)ᵀ/n", "a single row: −2(y − t)ᵀ/n"),
    backward=("dL/dy = 2(y − t)/n · upstream", "dL/dt = −dL/dy"),
    jacobian_ko=("한 행 (손실이 숫자 하나이므로): 2(y − t)ᵀ/n", "한 행: −2(y − t)ᵀ/n"),
    backward_ko=("dL/dy = 2(y − t)/n · 상류 기울기", "dL/dt = −dL/dy"),
))
