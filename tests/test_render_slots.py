"""What a step table calls a gate's inputs and output: their own names ("apple_price", local
"tax = 1.1"), never the op's letters x, y, z, which would clash with a circuit's own x, y and z
and change from step to step."""

import re

import pytest

from gradtutor import expr, ops
from gradtutor.render.fmt import local_text, named
from gradtutor.render.term import trace_table
from gradtutor.tracer import trace
from render_golden import console_text, traced

EXPRESSIONS = [
    ("x**y", "x=2,y=3"),
    ("log(y) * x", "x=2,y=3"),
    ("y * x + max(y, x)", "x=2,y=3"),
    ("exp(x) * u + v / x", "x=1,u=2,v=3"),
    ("(x + y) * z", "x=-2,y=5,z=-4"),
]


def traced_expression(source: str, at: str):
    return trace(expr.build(source, at), 1.0)


@pytest.mark.parametrize("source, at", EXPRESSIONS)
def test_every_input_row_is_the_input_s_own_name(source, at):
    result = traced_expression(source, at)
    lines = console_text(trace_table(result), width=200).splitlines()
    for step in result.steps:
        for flow in step.flows:
            label = result.nodes[flow.node].label
            assert any(re.search(rf"\s{re.escape(label)}\s", f" {line} ") for line in lines), (source, label)
    assert not any(re.search(r"\s\((?:x|y|u|v)\)", line) for line in lines)  # no port letters


def test_x_plus_y_times_z_reads_in_the_circuit_s_own_names():
    text = console_text(trace_table(traced_expression("(x + y) * z", "x=-2,y=5,z=-4")))
    assert "add1 = 3" in text  # ∂f/∂z is the other input, add1, not "x = 3"
    assert re.search(r"\bz = −4\b", text)  # ∂f/∂add1 is z itself


def test_x_to_the_y_reads_without_clashing_names():
    text = console_text(trace_table(traced_expression("x**y", "x=2,y=3")), width=120)
    assert "log1 = 0.693147" in text and "y = 3" in text  # ∂(y·log1)/∂y = log1; ∂/∂log1 = y
    assert "exp(mul1) = 8" in text
    assert "1/x = 0.5" in text  # the log gate's input is the user's x


def test_the_apple_table_names_the_inputs():
    text = console_text(trace_table(traced("apple")))
    assert "tax = 1.1" in text and "apple_price = 100" in text or "apple_price = 200" in text


def test_formulas_take_the_names_in_every_language():
    names = (["u", "v"], "w")
    assert local_text(ops.OPS["div"], 1, -0.5, lang="en", inputs=names[0], output="w") == "−u/v² = −0.5"
    assert local_text(ops.OPS["max"], 0, 1, lang="ko", inputs=names[0], output="w") == "(u ≥ v이면 1, 아니면 0) = 1"
    assert local_text(ops.OPS["pow"], 0, 4, inputs=["a"], output="p") == "c·aᶜ⁻¹ = 4"
    assert local_text(ops.OPS["tanh"], 0, 0.75, inputs=["a"], output="h") == "1 − h² = 0.75"
    assert local_text(ops.OPS["mul"], 0, 2) == "y = 2"  # no names given: the op's own letters
    assert named("dL/dX = dL/dY · Wᵀ", ops.OPS["matmul"], ["x", "W"], "xW") == "dL/dx = dL/dxW · Wᵀ"


SCALAR_OPS = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "tanh", "sigmoid", "relu", "max", "min"]


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_every_scalar_formula_is_rewritten_with_no_x_y_or_z_left(name):
    op = ops.OPS[name]
    for slot in range(op.arity):
        for lang in ("en", "ko"):
            text = local_text(op, slot, 0.25, lang=lang, inputs=["u", "v"][: op.arity], output="w")
            assert not re.search(r"(?<![A-Za-z])[xyzˣ](?![A-Za-z])", text), (op.name, slot, lang, text)
            pattern = named(op.gate_in(lang), op, ["u", "v"][: op.arity], "w")
            assert not re.search(r"(?<![A-Za-z])[xyzˣ](?![A-Za-z])", pattern), (op.name, lang, pattern)
