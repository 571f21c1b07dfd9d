"""Vectors and matrices on the command line: expressions with bound arrays, `gradtutor trace`
on the tensor examples, and `gradtutor jacobian OP --at …` (CliRunner and a real subprocess)."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor import expr
from gradtutor.cli import app
from gradtutor.tensor import Tensor
from gradtutor.tracer import trace

runner = CliRunner()


def ok(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def refused(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_bound_vectors_and_matrices_build_a_tensor_graph():
    root = expr.build("sum(softmax(x @ W + b))", ["x=[1,2]", "W=[[1,2,3],[4,5,6]]", "b=[0.5, -1, 0]"])
    assert isinstance(root, Tensor) and root.dtype == np.float64 and root.name == "f"
    root.backward()
    W = [p for p in _leaves(root) if p.name == "W"][0]
    x = np.array([1.0, 2.0])
    logits = x @ W.numpy() + np.array([0.5, -1, 0])
    # The sum of a softmax is 1 whatever its input: every gradient is (numerically) 0.
    assert float(root.data) == pytest.approx(1.0)
    assert np.allclose(W.grad, 0, atol=1e-12) and logits.shape == (3,)


def _leaves(root):
    from gradtutor.engine import topological_order

    return [node for node in topological_order(root) if node.is_leaf]


def test_tensor_expression_gradients_match_numpy():
    root = expr.build("mean((x @ W - t) ** 2) + 0.5 * sum(W * W)", ["x=[[1,2],[3,-1]]", "W=[[1,-1],[0.5,2]]", "t=[[1,0],[0,1]]"])
    root.backward()
    x, W, t = (np.array(v) for v in ([[1, 2], [3, -1]], [[1, -1], [0.5, 2]], [[1, 0], [0, 1]]))
    expected = x.T @ (2 * (x @ W - t) / 4) + W
    leaf = {node.name: node for node in _leaves(root)}
    np.testing.assert_allclose(leaf["W"].grad, expected, rtol=1e-12)


def test_scalar_expressions_stay_scalar():
    from gradtutor.engine import Value

    assert isinstance(expr.build("max(x, y) * 2", "x=1,y=3"), Value)


@pytest.mark.parametrize(
    "text, at, message",
    [
        ("x @ W", ["x=[1,2,3]", "W=[[1,2,3],[4,5,6]]"], "matmul needs the inner sizes to match: (3,) · (2, 3) (3 ≠ 2)"),
        ("x + y", ["x=[1,2]", "y=[1,2,3]"], "add cannot combine shapes (2,) and (3,)"),
        ("x @ y", ["x=1,y=2"], "@ multiplies vectors and matrices"),
        ("sum(x)", ["x=2"], "sum() works on vectors and matrices"),
        ("log(x)", ["x=[1,-2]"], "log is defined only for positive numbers, got log(-2)"),  # as for one number
        ("exp(x) * exp(x)", ["x=[400,1]"], "the result has values that are not finite numbers"),
    ],
)
def test_tensor_mistakes_are_one_line_errors_with_a_position(text, at, message):
    with pytest.raises(expr.ExprError) as caught:
        expr.build(text, at)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert caught.value.column is not None


def test_trace_affine_shows_both_rules_with_shapes_and_the_jacobian():
    raw = ok("trace", "affine")
    out = " ".join(raw.split())
    assert "dL/dx = dL/dxW · Wᵀ" in out and "dL/dW = xᵀ · dL/dxW" in out
    assert "x (2,), W (2, 3) → xW (3,)" in out
    assert "⎡1  4⎤" in raw and "⎢2  5⎥" in raw and "⎣3  6⎦" in raw  # the Jacobian ∂xW/∂x = Wᵀ
    assert "row-major (C) order" in out


def test_trace_two_layer_net_traces_a_full_network_step():
    out = ok("trace", "two-layer-net", "--check")
    for step in range(1, 7):
        assert f"Step {step}:" in out
    assert "✗" not in out and out.count("✓") >= 10


def test_trace_json_of_an_expression_with_matrices():
    data = json.loads(ok("trace", "x @ W", "--at", "x=[1,2]", "--at", "W=[[1,2,3],[4,5,6]]", "-f", "json"))
    assert data["tensor"] is True
    (step,) = data["steps"]
    assert step["inputs"][0]["jacobian"] == [[1, 4], [2, 5], [3, 6]]


def test_jacobian_command_prints_one_gate():
    out = ok("jacobian", "softmax", "--at", "x=[1,2,3]", "--upstream", "[1,0,0]")
    y = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    first_row = np.diag(y)[0] - y[0] * y
    assert "3×3" in out and f"{first_row[0]:.4g}" in out
    data = json.loads(ok("jacobian", "matmul", "--at", "X=[1,2]", "--at", "W=[[1,2,3],[4,5,6]]", "-f", "json"))
    x_input, w_input = data["steps"][0]["inputs"]
    assert x_input["jacobian"] == [[1, 4], [2, 5], [3, 6]] and x_input["agrees"] is True
    assert np.array(w_input["jacobian"]).shape == (3, 6)


def test_jacobian_command_parameters_and_variadic_inputs():
    out = ok("jacobian", "pow", "--at", "x=[1,2]", "--param", "3")
    assert "⎡3 0⎤" in " ".join(out.split()) or "⎡3   0⎤" in out
    out = ok("jacobian", "concatenate", "--at", "x1=[1,2]", "--at", "x2=[3]")
    assert re.search(r"^ x1 ", out, re.M) and re.search(r"^ x2 ", out, re.M)  # each input by its own name


@pytest.mark.parametrize(
    "args, message",
    [
        (["softmx", "--at", "x=[1,2]"], "unknown op 'softmx' (did you mean softmax?)"),
        (["matmul", "--at", "X=[1,2]"], "matmul needs values for its inputs: --at W=…"),
        (["matmul", "--at", "X=[1,2,3]", "--at", "W=[[1,2,3],[4,5,6]]"], "matmul needs the inner sizes to match"),
        (["softmax", "--at", "y=[1,2]"], "softmax needs values for its inputs: --at x=…"),
        (["mul", "--at", "x=[1],y=[2]", "--param", "2"], "mul takes no parameter"),
        (["softmax", "--at", "x=[1,2]", "--upstream", "[1,2,3]"], "upstream gradient has shape (3,) but the output has shape (2,)"),
    ],
)
def test_jacobian_command_refuses_bad_input_in_one_line(args, message):
    assert message in refused("jacobian", *args)


def test_a_real_process_prints_the_jacobian_and_exits_2_on_shape_errors():
    command = [sys.executable, "-m", "gradtutor", "jacobian", "sigmoid", "--at", "x=[0,1]"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "diag" not in done.stderr and "2×2" in done.stdout
    bad = [sys.executable, "-m", "gradtutor", "trace", "x @ W", "--at", "x=[1,2,3]", "--at", "W=[[1,2],[3,4]]"]
    done = subprocess.run(bad, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == 'error: matmul needs the inner sizes to match: (3,) · (2, 2) (3 ≠ 2) in "x @ W" at column 3'


def test_the_traced_expression_agrees_with_the_engine():
    root = expr.build("cross_entropy(x @ W, t)", ["x=[[1,2],[0,1]]", "W=[[1,2,3],[4,5,6]]", "t=[2,0]"])
    t = trace(root, check=True)
    assert all(check.ok for check in t.checks)
    assert all(f.agrees in (True, None) for s in t.steps for f in s.flows)
