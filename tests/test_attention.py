"""Attention, traced gate by gate: the four built-in examples (golden tables, Jacobians, JSON,
diagrams through the CLI), the mask's zero gradient, the fused gate's rules, the position table."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gradtutor import examples
from gradtutor.ops.nn import ATTENTION, Attend, sinusoidal_positions
from gradtutor.render.json import dumps
from gradtutor.render.term import forward_table, trace_table
from gradtutor.tensor import Tensor
from render_golden import assert_golden, console_text, traced

ATTENTION_EXAMPLES = ["attention", "masked-attention", "multi-head", "positional-encoding"]


def gradtutor(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, cwd=cwd)


@pytest.mark.parametrize("name", ATTENTION_EXAMPLES)
def test_attention_trace_tables_golden(name):
    assert_golden(f"table-{name}.txt", console_text(trace_table(traced(name, check=True))))


def step_named(trace, output):
    """The backward step whose gate outputs the node called `output`."""
    return next(step for step in trace.steps if trace.nodes[step.node].name == output)


def test_softmax_jacobian_is_block_diagonal_one_block_per_row():
    trace = traced("attention")
    data = json.loads(dumps(trace))
    softmax = next(step for step in data["steps"] if step["op"] == "softmax")
    jacobian = np.array(softmax["inputs"][0]["jacobian"])  # 9×9, rows of P by rows of S
    P = np.array(next(node["value"] for node in data["nodes"] if node["name"] == "P"))
    for row in range(3):
        for other in range(3):
            block = jacobian[3 * row : 3 * row + 3, 3 * other : 3 * other + 3]
            expected = np.diag(P[row]) - np.outer(P[row], P[row]) if row == other else np.zeros((3, 3))
            np.testing.assert_allclose(block, expected, atol=1e-12)


def test_the_examples_run_the_rules_the_attention_gate_names():
    """dV = Pᵀ·dO, dP = dO·Vᵀ, dS row by row, dQ = dS·K/√d, dK = dSᵀ·Q/√d: the step-by-step
    trace of `attention` gives exactly what the fused gate computes."""
    trace = traced("attention")
    node = {n.name: n for n in trace.nodes if n.name}
    X, (W_Q, W_K, W_V) = node["X"].value, (node[name].value for name in ("W_Q", "W_K", "W_V"))
    _, _, upstream = examples._attention_inputs()
    q, k, v = (Tensor(X @ W, dtype="float64") for W in (W_Q, W_K, W_V))
    fused = Tensor.apply(ATTENTION, q, k, v, param=Attend(0.5))
    fused.backward(upstream)
    np.testing.assert_allclose(fused.numpy(), node["O"].value, atol=1e-12)
    P = node["P"].value
    np.testing.assert_allclose(v.grad, P.T @ upstream, atol=1e-12)  # dV = Pᵀ·dO
    np.testing.assert_allclose(node["Q"].grad, q.grad, atol=1e-12)
    np.testing.assert_allclose(node["K"].grad, k.grad, atol=1e-12)
    dP = upstream @ node["V"].value.T
    dS = P * (dP - (dP * P).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(q.grad, dS @ node["K"].value * 0.5, atol=1e-12)  # dQ = dS·K/√d
    np.testing.assert_allclose(k.grad, dS.T @ node["Q"].value * 0.5, atol=1e-12)  # dK = dSᵀ·Q/√d


def test_masked_scores_take_no_weight_and_receive_zero_gradient():
    trace = traced("masked-attention", check=True)
    node = {n.name: n for n in trace.nodes if n.name}
    above = np.triu(np.ones((3, 3), dtype=bool), k=1)
    assert np.all(np.isneginf(node["S_masked"].value[above]))
    assert np.all(node["P"].value[above] == 0) and np.allclose(node["P"].value.sum(axis=1), 1)
    assert np.all(node["S"].grad[above] == 0)
    assert np.all(node["S"].grad[1:][~above[1:]] != 0)  # (row 0 keeps one score: its weight is 1 whatever it is)
    assert np.any(node["P"].grad[above] != 0)  # the upstream does reach the masked weights …
    assert np.all(node["S_masked"].grad[above] == 0)  # … but a weight of 0 passes none on
    assert all(check.ok for check in trace.checks)
    text = " ".join(console_text(trace_table(trace)).split())
    assert "0 where masked" in text and "1 where kept" in text  # the table says why


def test_multi_head_splits_attends_per_head_and_merges():
    trace = traced("multi-head", check=True)
    assert [step.op.name for step in trace.steps].count("attention") == 2
    assert trace.graph.root.value.shape == (3, 4)
    concat = step_named(trace, "H")
    assert concat.input_shapes == ((3, 2), (3, 2)) and concat.output_shape == (3, 4)
    text = " ".join(console_text(trace_table(trace)).split())
    assert "dV = Pᵀ·dO" in text and "dK = dSᵀ·Q1/√d" in text and "dK = dSᵀ·Q2/√d" in text  # in the heads' names
    assert all(check.ok for check in trace.checks)


def test_the_position_table_is_sin_and_cos_of_the_position():
    table = sinusoidal_positions(np, 4, 4)
    positions = np.arange(4)
    np.testing.assert_allclose(table[:, 0], np.sin(positions), atol=1e-6)
    np.testing.assert_allclose(table[:, 1], np.cos(positions), atol=1e-6)
    np.testing.assert_allclose(table[:, 2], np.sin(positions / 100), atol=1e-6)
    np.testing.assert_allclose(table[:, 3], np.cos(positions / 100), atol=1e-6)
    trace = traced("positional-encoding")
    node = {n.name: n for n in trace.nodes if n.name}
    np.testing.assert_allclose(node["X"].grad, node["H"].grad)  # add distributes: X gets H's gradient
    assert "0.8415" in console_text(forward_table(trace))  # sin 1 at position 1


@pytest.mark.parametrize("name", ATTENTION_EXAMPLES)
def test_trace_json_and_export_through_the_command(name, tmp_path):
    result = gradtutor("trace", name, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tensor"] is True and len(data["steps"]) >= 2
    for suffix in ("svg", "png"):
        out = tmp_path / f"{name}.{suffix}"
        result = gradtutor("export", name, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 1000
    assert "<svg" in (tmp_path / f"{name}.svg").read_text(encoding="utf-8")
