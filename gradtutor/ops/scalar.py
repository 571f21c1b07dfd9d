"""The teaching gates: + − × ÷, powers, exp, log, √ and the activations, on numbers and arrays alike.

Each rule is written against the namespace `m` and ordinary operators, so one rule serves the
scalar engine, the exact (rational) mode and the tensor engine (see table.py for the signatures).
"""

from __future__ import annotations

from gradtutor.ops.samplers import apart, between, elementwise, nonzero, on_grid, power_sample, uniform
from gradtutor.ops.table import Op, register


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


def _sqrt_domain(p, x):
    if x < 0:
        return f"sqrt is defined only for numbers ≥ 0, got sqrt({_short(x)})"
    if x == 0:  # the local gradient 1/(2√x) would divide by zero
        return "√x has no finite slope at x = 0"
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
    forward=lambda m, p, x, y: (x + y, None),
    vjp=lambda m, p, g, z, saved, needs, x, y: (g, g),
    sample=uniform(-5, 5, 2), exact=True,
    tensor_sample=elementwise(between(-5, 5), between(-5, 5)),
))

SUB = register(Op(
    "sub", "−", 2,
    forward=lambda m, p, x, y: (x - y, None),
    vjp=lambda m, p, g, z, saved, needs, x, y: (g, -g),
    sample=uniform(-5, 5, 2), exact=True,
    tensor_sample=elementwise(between(-5, 5), between(-5, 5)),
))

MUL = register(Op(
    "mul", "×", 2,
    forward=lambda m, p, x, y: (x * y, None),
    vjp=lambda m, p, g, z, saved, needs, x, y: (g * y, g * x),
    sample=uniform(-5, 5, 2), exact=True,
    tensor_sample=elementwise(between(-5, 5), between(-5, 5)),
))

DIV = register(Op(
    "div", "÷", 2,
    forward=lambda m, p, x, y: (x / y, None),
    vjp=lambda m, p, g, z, saved, needs, x, y: (g / y, -g * x / (y * y)),
    sample=lambda rng: ((rng.uniform(-5, 5), rng.choice([-1, 1]) * rng.uniform(0.3, 5)), None),
    exact=True, domain=_div_domain,
    tensor_sample=elementwise(between(-5, 5), nonzero(0.3, 5)),
))

NEG = register(Op(
    "neg", "−", 1,
    forward=lambda m, p, x: (-x, None),
    vjp=lambda m, p, g, z, saved, needs, x: (-g,),
    sample=uniform(-5, 5), exact=True, inputs=("x",),
    tensor_sample=elementwise(between(-5, 5)),
))

POW = register(Op(
    "pow", "^", 1,
    forward=lambda m, p, x: (x**p, None),
    vjp=lambda m, p, g, z, saved, needs, x: (g * p * x ** (p - 1),),
    sample=power_sample, exact=True, domain=_pow_domain, inputs=("x",),
    tensor_sample=elementwise(between(0.2, 4), param=lambda rng: float(rng.choice([2, 3, -1, 0.5, 1.5, -2]))),
))

EXP = register(Op(
    "exp", "exp", 1,
    forward=lambda m, p, x: (m.exp(x), None),
    vjp=lambda m, p, g, z, saved, needs, x: (g * z,),
    sample=uniform(-4, 4), domain=_exp_domain, inputs=("x",),
    tensor_sample=elementwise(between(-4, 4)),
))

LOG = register(Op(
    "log", "log", 1,
    forward=lambda m, p, x: (m.log(x), None),
    vjp=lambda m, p, g, z, saved, needs, x: (g / x,),
    sample=uniform(0.2, 8), domain=_log_domain, inputs=("x",),
    tensor_sample=elementwise(between(0.2, 8)),
))

SQRT = register(Op(
    "sqrt", "√", 1,
    forward=lambda m, p, x: (m.sqrt(x), None),
    vjp=lambda m, p, g, z, saved, needs, x: (g * 0.5 / z,),  # 1/(2√x), from the output already at hand
    sample=uniform(0.2, 8), domain=_sqrt_domain, inputs=("x",),
    tensor_sample=elementwise(between(0.2, 8)),
))

TANH = register(Op(
    "tanh", "tanh", 1,
    forward=lambda m, p, x: (m.tanh(x), None),
    vjp=lambda m, p, g, z, saved, needs, x: (g * (1 - z * z),),
    sample=uniform(-3, 3), inputs=("x",),
    tensor_sample=elementwise(between(-3, 3)),
))

SIGMOID = register(Op(
    "sigmoid", "σ", 1,
    # 0.5·(1 + tanh(x/2)) equals 1/(1 + e⁻ˣ) and never overflows, for floats or arrays.
    forward=lambda m, p, x: (0.5 * (1 + m.tanh(0.5 * x)), None),
    vjp=lambda m, p, g, z, saved, needs, x: (g * z * (1 - z),),
    sample=uniform(-5, 5), inputs=("x",),
    tensor_sample=elementwise(between(-5, 5)),
))

RELU = register(Op(
    "relu", "ReLU", 1,
    forward=lambda m, p, x: (m.maximum(x, 0.0), None),
    # At exactly 0 the slope is taken as 0, the usual convention: the gate is "off" there.
    vjp=lambda m, p, g, z, saved, needs, x: (g * (x > 0),),
    sample=uniform(-5, 5, avoid=(0.0,)), inputs=("x",),
    tensor_sample=elementwise(nonzero(0.05, 5)),
))

MAX = register(Op(
    "max", "max", 2,
    forward=lambda m, p, x, y: (m.maximum(x, y), None),
    # A tie routes to x, the first input.
    vjp=lambda m, p, g, z, saved, needs, x, y: (g * (x >= y), g * (x < y)),
    sample=apart,
    tensor_sample=elementwise(on_grid(0.25), on_grid(0.0)),
))

MIN = register(Op(
    "min", "min", 2,
    forward=lambda m, p, x, y: (m.minimum(x, y), None),
    vjp=lambda m, p, g, z, saved, needs, x, y: (g * (x <= y), g * (x > y)),
    sample=apart,
    tensor_sample=elementwise(on_grid(0.25), on_grid(0.0)),
))


