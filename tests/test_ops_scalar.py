"""Every scalar op in the table, checked against central differences in float64.

The tests iterate over the op table itself, so an op registered later is checked here without
anyone writing a test for it. Sampling goes through hypothesis (random seeds, shrinking), and
each op's `sample` keeps the point inside its domain and away from kinks.
"""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor import ops
from gradtutor.engine import DomainError, Value


def _is_scalar_op(op):
    try:
        xs, _ = op.sample(random.Random(0))
    except TypeError:
        return False
    return op.arity <= 2 and all(isinstance(x, float) for x in xs)


SCALAR_OPS = [op for op in ops.OPS.values() if _is_scalar_op(op)]


def central_difference(op, xs, p, i, h=1e-6):
    plus = list(xs)
    minus = list(xs)
    plus[i] += h
    minus[i] -= h
    (above, _), (below, _) = op.forward(ops.Scalar, p, *plus), op.forward(ops.Scalar, p, *minus)
    return (above - below) / (2 * h)


def test_the_scalar_ops_are_all_there():
    names = {op.name for op in SCALAR_OPS}
    assert {"add", "sub", "mul", "div", "neg", "pow", "exp", "log", "tanh", "sigmoid", "relu", "max", "min"} <= names


@pytest.mark.parametrize("op", SCALAR_OPS, ids=lambda op: op.name)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), upstream=st.floats(-3, 3))
def test_vjp_matches_central_differences(op, seed, upstream):
    xs, p = op.sample(random.Random(seed))
    out, saved = op.forward(ops.Scalar, p, *xs)
    grads = op.vjp(ops.Scalar, p, upstream, out, saved, (True,) * op.arity, *xs)
    assert len(grads) == op.arity, f"{op.name}: one gradient per input"
    for i, g in enumerate(grads):
        numeric = upstream * central_difference(op, xs, p, i)
        assert math.isclose(float(g), numeric, rel_tol=1e-5, abs_tol=1e-6), (
            f"{op.name} input {i} at {xs} (p={p}): vjp {g} vs numeric {numeric}"
        )


@pytest.mark.parametrize("op", SCALAR_OPS, ids=lambda op: op.name)
def test_every_op_is_described(op):
    assert op.symbol and op.formula and op.gate and op.explain
    assert len(op.local) == op.arity, f"{op.name}: one local-gradient text per input"


@pytest.mark.parametrize("op", [op for op in SCALAR_OPS if op.exact], ids=lambda op: op.name)
def test_exact_ops_stay_rational(op):
    from fractions import Fraction

    xs, p = op.sample(random.Random(3))
    if p is not None and not float(p).is_integer():
        p = 2
    qs = [Fraction(x).limit_denominator(1000) for x in xs]
    out, saved = op.forward(ops.Scalar, p, *qs)
    assert isinstance(out, Fraction)
    assert all(isinstance(g, Fraction) for g in op.vjp(ops.Scalar, p, Fraction(1), out, saved, (True,) * op.arity, *qs))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Value(-2.0).log(), "log is defined only for positive numbers, got log(-2)"),
        (lambda: Value(0.0).log(), "got log(0)"),
        (lambda: Value(3.0) / 0, "division by zero: 3 / 0"),
        (lambda: 1 / Value(0.0), "division by zero: 1 / 0"),
        (lambda: Value(0.0) ** -1, "0 cannot be raised to the negative power -1"),
        (lambda: Value(-8.0) ** 0.5, "a negative number (-8) has no real power 0.5"),
        (lambda: Value(1000.0).exp(), "exp(1000) is too large to represent"),
        (lambda: Value(-4.0).sqrt(), "sqrt is defined only for numbers ≥ 0, got sqrt(-4)"),
        (lambda: Value(0.0).sqrt(), "√x has no finite slope at x = 0"),
    ],
)
def test_domain_errors_say_what_is_wrong(make, message):
    with pytest.raises(DomainError) as info:
        make()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        ops.register(ops.ADD)
