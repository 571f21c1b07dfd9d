"""The letters a step table calls a gate's inputs by ("apple_price (x)", local "y = 1.1").

They are the op's own x and y unless one of them also names another node of the graph; then the
step takes fresh letters (u, v …), in the input column and the local-gradient formula alike.
"""

import re

import pytest

from gradtutor import expr, ops
from gradtutor.render.fmt import local_text, slot_letters
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
def test_a_slot_letter_never_names_a_different_node(source, at):
    result = traced_expression(source, at)
    labels = {node.label for node in result.nodes}
    for step in result.steps:
        for letter, flow in zip(slot_letters(step, result.nodes), step.flows):
            assert letter not in labels or result.nodes[flow.node].label == letter, (source, step.index, letter)


def test_x_to_the_y_reads_without_clashing_names():
    text = console_text(trace_table(traced_expression("x**y", "x=2,y=3")))
    assert "y (x)" not in text and "y = 0.693147" not in text
    assert "y (u)" in text and "log1 (v)" in text
    assert "v = 0.693147" in text and "u = 3" in text  # ∂(u·v)/∂u = v, the log gate's value
    assert "mul1 (u)" in text and "eᵘ = 8" in text
    assert "x (x)" in text and "1/x = 0.5" in text  # the log gate's input is the user's x: no clash


def test_tables_without_a_clash_keep_x_and_y():
    text = console_text(trace_table(traced("apple")))
    assert "apple_price (x)" in text and "tax (y)" in text and "y = 1.1" in text
    for name in ("apple", "apple-orange", "mul-node", "neuron"):
        result = traced(name)
        for step in result.steps:
            assert slot_letters(step, result.nodes) == step.op.input_names(len(step.flows)), (name, step.index)


def test_formulas_take_the_letters_in_every_language():
    letters = ("u", "v")
    assert local_text(ops.OPS["div"], 1, -0.5, lang="en", letters=letters) == "−u/v² = -0.5"
    assert local_text(ops.OPS["max"], 0, 1, lang="ko", letters=letters) == "(u ≥ v이면 1, 아니면 0) = 1"
    assert local_text(ops.OPS["pow"], 0, 4, letters=("a",)) == "c·aᶜ⁻¹ = 4"
    assert local_text(ops.OPS["mul"], 0, 2) == "y = 2"  # no letters given: the op's own


SCALAR_OPS = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "tanh", "sigmoid", "relu", "max", "min"]


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_every_scalar_formula_is_rewritten_with_no_x_or_y_left(name):
    op = ops.OPS[name]
    for slot in range(op.arity):
        for lang in ("en", "ko"):
            text = local_text(op, slot, 0.25, lang=lang, letters=("u", "v")[: op.arity])
            assert not re.search(r"(?<![A-Za-z])[xyˣ](?![A-Za-z])", text), (op.name, slot, lang, text)
