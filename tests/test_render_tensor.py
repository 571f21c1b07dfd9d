"""Renderers on tensor traces: matrix tables (golden text), shapes in every view, JSON with
Jacobians as nested lists, Graphviz nodes with shapes."""

import json

import numpy as np
import pytest

from gradtutor.render.dot import to_dot
from gradtutor.render.fmt import block, shaped, show
from gradtutor.render.jacobian import jacobian_view
from gradtutor.render.json import dumps, to_dict
from gradtutor.render.term import forward_table, summary, trace_table
from render_golden import assert_golden, console_text, traced


@pytest.mark.parametrize("name", ["affine", "affine-batch", "softmax", "softmax-loss", "max-vector", "l2-penalty"])
def test_tensor_trace_table_golden(name):
    assert_golden(f"table-{name}.txt", console_text(trace_table(traced(name))))


def test_affine_table_shows_both_rules_with_shapes_and_the_jacobian():
    text = " ".join(console_text(trace_table(traced("affine"))).split())  # wrapping aside
    assert "dL/dx = dL/dxW · Wᵀ" in text and "dL/dW = xᵀ · dL/dxW" in text  # in the inputs' own names
    assert "x (2,), W (2, 3) → xW (3,)" in text
    assert "⎡1 4⎤" in text and "⎣3 6⎦" in text  # ∂y/∂x = Wᵀ, laid out as a matrix
    assert "row-major (C) order" in text
    assert text.count("✓ = upstream · J") == 4


def test_step_view_and_summary_and_forward_pass_golden():
    trace = traced("affine-batch", check=True)
    text = console_text(trace_table(trace, step=1))
    assert "▶ Step 1" in text and "Step 2" not in text
    assert_golden("summary-affine-batch.txt", console_text(summary(trace)))
    assert_golden("forward-affine-batch.txt", console_text(forward_table(trace)))


def test_large_gates_are_described_in_words():
    text = " ".join(console_text(trace_table(traced("two-layer-net"))).split())
    assert "12×9: Hᵀ blocks" in text  # a 108-entry Jacobian: its structure (in the inputs' names), not its entries
    assert "12×12: diagonal, 1 where A1 > 0 else" in text
    assert "⎡1 0 0⎤" in text  # b1's 12×3 copy-gate Jacobian is small enough to show


def test_one_gate_view():
    trace = traced("softmax")
    assert_golden("jacobian-softmax.txt", console_text(jacobian_view(trace.steps[0], trace.nodes)))


def test_values_format_as_numbers_rows_matrices_or_shapes():
    assert show(np.float64(2.2)) == "2.2"
    assert show(np.array([1.0, -0.5])) == "[1, −0.5]"
    assert show(np.ones((4, 4))) == "array (4, 4)"
    assert block(np.array([[1.0, 20.0], [-3.0, 4.0]])) == "⎡ 1  20⎤\n⎣−3   4⎦"
    assert shaped(np.array([1.0, 2.0])) == "(2,) = [1  2]"
    assert shaped(np.ones((2, 2))).startswith("(2, 2)\n⎡")


def test_json_has_shapes_and_jacobians_as_nested_lists():
    trace = traced("affine", check=True)
    data = json.loads(dumps(trace))
    assert data["tensor"] is True and data["jacobian_order"] == "row-major"
    by_name = {node["name"]: node for node in data["nodes"] if node["name"]}
    assert by_name["W"]["shape"] == [2, 3] and by_name["W"]["value"] == [[1, 2, 3], [4, 5, 6]]
    matmul = next(step for step in data["steps"] if step["op"] == "matmul")
    assert matmul["input_shapes"] == [[2], [2, 3]] and matmul["output_shape"] == [3]
    x_input, w_input = matmul["inputs"]
    W = np.array(by_name["W"]["value"])
    assert x_input["jacobian"] == W.T.tolist()
    assert x_input["rule"] == "dL/dX = dL/dY · Wᵀ" and x_input["agrees"] is True
    assert np.array(w_input["jacobian"]).shape == (3, 6)
    assert data["checks"][0]["ok"] is True
    assert "tensor" not in to_dict(traced("apple"))  # scalar JSON is unchanged


def test_dot_nodes_carry_shapes_and_small_values():
    text = to_dot(traced("affine"))
    assert 'label="W\\n(2, 3)"' in text
    assert "<I>xW (3,)</I>" in text  # a gate's output: its name and shape above its wire
    assert "[1, 2, 3]<BR/>[4, 5, 6]" in text  # six values: written on the wire, a row a line
    assert "[1.16, −2.46, −0.92]<BR/>" in to_dot(traced("two-layer-net"))  # twelve: row by row too
    from gradtutor import Tensor
    from gradtutor.tracer import trace

    assert "array (5, 4)" in to_dot(trace(Tensor(np.ones((5, 4)), "A").sum()))  # twenty: the shape instead


def test_a_wide_jacobian_is_shown_whole_when_the_table_has_room():
    from gradtutor import Tensor
    from gradtutor.tracer import trace

    x = Tensor(np.arange(1.0, 9.0), "x", dtype="float64")
    traced_softmax = trace(x.softmax())
    table = trace_table(traced_softmax)
    last = show(traced_softmax.steps[0].flows[0].jacobian[-1, -1], 4)
    wide = console_text(table, width=200)
    assert "…" not in wide and last in wide  # every column of the 8×8 matrix
    # A narrower terminal gets the same cells stacked per input: the whole matrix, nothing cut.
    narrower = console_text(table, width=100)
    assert "…" not in narrower and last in narrower
    assert max(len(line) for line in narrower.splitlines()) <= 100


def test_a_broadcast_input_s_rule_sums_over_the_broadcast_axes():
    """b (3,) added to a (2, 3) batch: its rule is the upstream summed over axis 0, in the table
    and in JSON, and that sum is what the engine computed."""
    from gradtutor.render.jacobian import broadcast_axes
    from gradtutor.tensor import Tensor

    trace = traced("affine-batch")
    add = trace.steps[0]
    b_flow = add.flows[1]
    assert broadcast_axes(add, 0) == () and broadcast_axes(add, 1) == (0,)
    assert np.allclose(b_flow.downstream, np.asarray(add.upstream).sum(axis=0))
    text = console_text(trace_table(trace))  # the rule column wraps it after "summed"
    assert "dL/db = dL/dY, summed" in text and "over axis 0 to (3,)" in text  # in the circuit's own names
    b_rule = json.loads(dumps(trace))["steps"][0]["inputs"][1]
    assert b_rule["rule"] == "dL/dy = dL/dz, summed over axis 0 to (3,)"
    assert b_rule["rule_text"]["ko"] == "dL/dy = dL/dz, 축 0에 대해 합산해 (3,)로"
    assert json.loads(dumps(trace))["steps"][0]["inputs"][0]["rule"] == "dL/dx = dL/dz"  # not broadcast
    # A kept axis of size 1 is a broadcast axis too: c (2, 1) times a (2, 3) sums over axis 1.
    from gradtutor.tracer import trace as trace_of

    a, c = Tensor(np.ones((2, 3)), name="a"), Tensor(np.array([[2.0], [3.0]]), name="c")
    product = trace_of(a * c, np.ones((2, 3)))
    assert broadcast_axes(product.steps[0], 1) == (1,)
    assert "summed over axis 1 to" in console_text(trace_table(product))
