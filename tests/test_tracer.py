"""The tracer: its steps obey the chain rule, agree with backward(), and show fan-out sums."""

import math
import random
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gradtutor import Value, examples
from gradtutor.numbers import human
from gradtutor.tracer import NotExact, trace

EXAMPLE_NAMES = [e.name for e in examples.EXAMPLES.values() if e.kind == "scalar"]


def random_graph(seed: int):
    """A random expression over three named leaves, built from the scalar ops."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 2.0), name) for name in "abc"]
    pool = list(leaves)
    for _ in range(rng.randint(1, 12)):
        x, y = rng.choice(pool), rng.choice(pool)
        kind = rng.choice(["add", "sub", "mul", "div", "tanh", "sigmoid", "max", "exp", "pow", "log"])
        if kind == "add":
            z = x + y
        elif kind == "sub":
            z = x - y
        elif kind == "mul":
            z = x * y
        elif kind == "div":
            z = x / (y * y + 1)
        elif kind == "tanh":
            z = x.tanh()
        elif kind == "sigmoid":
            z = x.sigmoid()
        elif kind == "max" and abs(x.data - y.data) > 1e-3:
            z = x.max(y)  # away from a tie, where max has no derivative for the check to match
        elif kind == "max":
            z = x + y
        elif kind == "exp":
            z = (x.tanh()).exp()
        elif kind == "pow":
            z = (x * x + 1) ** 1.5
        else:
            z = (x * x + 1).log()
        pool.append(z)
    return pool[-1], leaves


def check_invariants(t, root, upstream):
    # every step: downstream = upstream × local, and the running sums chain up
    for step in t.steps:
        for flow in step.flows:
            assert flow.downstream == pytest.approx(step.upstream * flow.local, rel=1e-12, abs=1e-12)
            assert flow.after == pytest.approx(flow.before + flow.downstream, rel=1e-12, abs=1e-12)
    # a node's final gradient is the sum of what every gate it feeds sent back
    for node in t.nodes[:-1]:
        received = [f.downstream for s in t.steps for f in s.flows if f.node == node.id]
        assert len(received) == node.uses
        assert node.grad == pytest.approx(math.fsum(received), rel=1e-9, abs=1e-12)
    # the trace agrees with the engine's own backward()
    root.backward(upstream)
    from gradtutor.engine import topological_order

    for node, obj in zip(t.nodes, topological_order(root)):
        assert node.grad == pytest.approx(obj.grad, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_examples_obey_the_chain_rule(name):
    root, upstream = examples.get(name).build()
    t = trace(root, upstream, check=True)
    check_invariants(t, root, upstream)
    assert all(c.ok for c in t.checks), [(c.node, c.autodiff, c.numeric) for c in t.checks]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**9))
@example(seed=1160323)  # max of two equal values: the kink the generator must steer clear of
def test_random_graphs_obey_the_chain_rule(seed):
    root, leaves = random_graph(seed)
    t = trace(root, 1.0, check=True)
    check_invariants(t, root, 1.0)
    assert all(c.ok for c in t.checks)


def test_steps_run_in_reverse_topological_order():
    root, _ = examples.get("apple-orange").build()
    t = trace(root)
    gate_ids = [s.node for s in t.steps]
    assert gate_ids == sorted(gate_ids, reverse=True)
    assert [s.index for s in t.steps] == list(range(1, len(t.steps) + 1))
    assert t.steps[0].upstream == 1.0


TEXTBOOK = {
    "apple": ({"price": "220"}, {"apple": "2.2", "apple_num": "110", "tax": "200"}),
    "apple-orange": (
        {"price": "715"},
        {"apple": "2.2", "apple_num": "110", "orange": "3.3", "orange_num": "165", "tax": "650"},
    ),
    "mul-node": ({"z": "50"}, {"x": "6.5", "y": "13"}),
}


@pytest.mark.parametrize("name", TEXTBOOK)
def test_textbook_numbers_as_people_write_them(name):
    values, grads = TEXTBOOK[name]
    t = trace(*examples.get(name).build())
    for leaf, text in values.items():
        assert human(t.value(leaf)) == text
    for leaf, text in grads.items():
        assert human(t.grad(leaf)) == text


def test_the_float_noise_is_really_there_and_only_hidden_in_display():
    t = trace(*examples.get("apple").build())
    assert t.value("price") != 220  # 220.00000000000003 in binary floating point
    assert human(t.value("price")) == "220"


def test_add_mul_matches_the_hand_computation():
    t = trace(*examples.get("add-mul").build())
    x, y, z = -2, 5, -4
    assert t.value("f") == (x + y) * z
    assert (t.grad("x"), t.grad("y"), t.grad("z")) == (z, z, x + y)


def test_gate_patterns_show_each_pattern():
    t = trace(*examples.get("gate-patterns").build())
    gates = {s.op.name for s in t.steps}
    assert {"add", "mul", "max"} <= gates
    (fanout,) = t.fanouts()
    assert fanout.name == "x" and fanout.uses == 2
    assert t.grad("x") == t.value("y") + 1  # y from the multiply, 1 routed by the max (x > z)
    assert t.grad("z") == 0  # max routes nothing to the smaller input


def test_exact_mode_gives_rationals():
    t = trace(*examples.get("apple-orange").build(), exact=True)
    assert t.grad("apple") == Fraction(11, 5)
    assert t.grad("tax") == 650
    assert t.value("price") == 715
    assert human(t.grad("orange")) == "3.3"


def test_exact_mode_refuses_transcendental_gates():
    with pytest.raises(NotExact, match="uses exp"):
        trace(*examples.get("neuron").build(), exact=True)
    x = Value(2.0, "x")
    with pytest.raises(NotExact, match="exponent 0.5"):
        trace(x**0.5, exact=True)


def test_trace_does_not_change_the_engine_values():
    root, _ = examples.get("apple").build()
    trace(root, exact=True)
    assert isinstance(root.data, float)


@pytest.mark.parametrize(
    "build, gate",
    [
        (lambda: Value(1.0, "x") / Value(1e-170, "y"), "div"),  # −x/y²: y·y underflows to 0
        (lambda: Value(1e-160, "x") ** -1, "pow"),  # −x⁻²: beyond the largest float
        (lambda: Value(1e-320, "x").log(), "log"),  # 1/x: inf
    ],
)
def test_a_gradient_beyond_the_floats_is_a_one_line_domain_error(build, gate):
    from gradtutor.engine import DomainError
    from gradtutor.tracer import GradientOverflow

    root = build()
    assert math.isfinite(root.data)  # the forward pass itself is fine
    with pytest.raises(GradientOverflow, match=f"^the gradient overflows at backward step 1, the {gate} gate"):
        trace(root)
    assert issubclass(GradientOverflow, DomainError)  # the CLI reports domain errors in one line


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x.log(),  # x − 1e-6 would be negative: a math domain error
        lambda x: x ** 0.5,  # ... or a complex root
        lambda x: 1 / x,  # ... or the other side of the pole
        lambda x: (x - 3e-7).log(),  # a domain edge away from 0: h shrinks to fit
    ],
)
def test_numeric_checks_stay_inside_the_domain_near_its_edge(build):
    x = Value(4e-7, "x")
    root = build(x)
    traced = trace(root, check=True)
    (check,) = [c for c in traced.checks if traced.nodes[c.node].name == "x"]
    assert math.isfinite(check.numeric) and check.ok, (check.autodiff, check.numeric)


def test_exact_numbers_far_from_1_are_written_with_an_exponent():
    t = trace(Value(1.0, "x") / Value(1e-170, "y"), exact=True)
    assert t.grad("x") == Fraction(10) ** 170  # exact, and shown as a person writes it:
    assert human(t.grad("x")) == "1e+170" and human(t.value("y")) == "1e-170"
    assert human(Fraction(27) * 10**170) == "2.7e+171" and human(Fraction(-11, 5)) == "-2.2"
    assert human(Fraction(1, 10**15)) == "0.000000000000001" and human(Fraction(1, 10**16)) == human(1e-16)


def test_exact_mode_refuses_numbers_too_long_to_show_before_computing_them():
    from gradtutor.tracer import NotExact

    x = Value(2.0, "x")
    with pytest.raises(NotExact, match="more than 4,300 digits"):
        trace((x / 3) ** 100_000, exact=True)
    with pytest.raises(NotExact, match="more than 4,300 digits"):
        trace((x / 3) ** 1_000_000_000, exact=True)  # would take hours if it were computed
    exact = trace((x / 3) ** 2000, exact=True)  # 2000 · 2 bits: within the limit, shown in full
    assert exact.graph.root.value == Fraction(2, 3) ** 2000
