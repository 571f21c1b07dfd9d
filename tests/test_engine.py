"""The scalar engine: micrograd-style exercises, gradient accumulation, deep graphs."""

import gc
import math

import pytest

import gradtutor
from gradtutor import Value
from gradtutor.engine import maximum, minimum, topological_order


def numeric_grad(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def micrograd_sanity(x, relu):
    """The sanity-check expression of micrograd's test suite, written over any number type."""
    z = 2 * x + 2 + x
    q = relu(z) + z * x
    h = relu(z * z)
    return h + q + q * x


def micrograd_more(a, b, relu):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + relu(b + a)
    d += 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def test_micrograd_exercises_run_unchanged():
    x = Value(-4.0)
    y = micrograd_sanity(x, lambda v: v.relu())
    y.backward()
    plain = lambda t: micrograd_sanity(t, lambda v: max(v, 0.0))
    assert y.data == pytest.approx(plain(-4.0))
    assert x.grad == pytest.approx(numeric_grad(plain, -4.0), rel=1e-6)


def test_micrograd_more_ops():
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_more(a, b, lambda v: v.relu())
    g.backward()
    plain = lambda s, t: micrograd_more(s, t, lambda v: max(v, 0.0))
    assert g.data == pytest.approx(plain(-4.0, 2.0))
    assert a.grad == pytest.approx(numeric_grad(lambda s: plain(s, 2.0), -4.0), rel=1e-5)
    assert b.grad == pytest.approx(numeric_grad(lambda t: plain(-4.0, t), 2.0), rel=1e-5)


def test_value_is_importable_from_the_package():
    assert gradtutor.Value is Value


def test_a_plus_a_records_both_edges():
    a = Value(3.0, name="a")
    b = a + a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 2


def test_backward_twice_recomputes_instead_of_doubling():
    x, y = Value(3.0), Value(-2.0)
    f = x * y + x
    f.backward()
    first = (x.grad, y.grad)
    f.backward()
    assert (x.grad, y.grad) == first == (-1.0, 3.0)


def test_backward_with_an_upstream_gradient_scales_every_gradient():
    x, y = Value(10, "x"), Value(5, "y")
    z = x * y
    z.backward(1.3)
    assert (x.grad, y.grad) == (pytest.approx(6.5), pytest.approx(13.0))


def test_a_100000_node_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert y.data == 100_001.0
    assert x.grad == 1.0


def test_graphs_are_freed_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        x = Value(2.0)
        y = (x * 3 + 1).tanh() + x
        y.backward()
        del x, y
        assert gc.collect() == 0, "a dropped graph should leave no cycles behind"
    finally:
        gc.enable()


def test_plain_numbers_on_either_side():
    x = Value(2.0)
    cases = {
        "x + 3": (x + 3, 5.0), "3 + x": (3 + x, 5.0), "x - 3": (x - 3, -1.0), "3 - x": (3 - x, 1.0),
        "x * 3": (x * 3, 6.0), "3 * x": (3 * x, 6.0), "x / 4": (x / 4, 0.5), "4 / x": (4 / x, 2.0),
        "x ** 3": (x**3, 8.0), "2 ** x": (2**x, 4.0), "-x": (-x, -2.0), "x ** x": (x**x, 4.0),
    }
    for text, (v, expected) in cases.items():
        assert v.data == pytest.approx(expected), text


@pytest.mark.parametrize(
    "build, plain",
    [
        (lambda v: v.exp(), math.exp),
        (lambda v: v.log(), math.log),
        (lambda v: v.tanh(), math.tanh),
        (lambda v: v.sigmoid(), lambda t: 1 / (1 + math.exp(-t))),
        (lambda v: v.relu(), lambda t: max(t, 0.0)),
        (lambda v: 2**v, lambda t: 2**t),
        (lambda v: v**v, lambda t: t**t),
        (lambda v: maximum(v, 1.0), lambda t: max(t, 1.0)),
        (lambda v: minimum(v, 1.0), lambda t: min(t, 1.0)),
        (lambda v: v.max(0.5) * v.min(3.0), lambda t: max(t, 0.5) * min(t, 3.0)),
    ],
)
def test_methods_match_plain_math(build, plain):
    x = Value(1.7)
    y = build(x)
    y.backward()
    assert y.data == pytest.approx(plain(1.7))
    assert x.grad == pytest.approx(numeric_grad(plain, 1.7), rel=1e-5)


def test_names_and_labels():
    assert Value(100, name="apple").name == "apple"
    assert Value(100, label="apple").name == "apple"
    assert repr(Value(1.1, "tax") * 2) == "Value(data=2.2, grad=0)"
    assert repr(Value(2.5, "w")) == "Value(w: data=2.5, grad=0)"


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert len(order) == 4
