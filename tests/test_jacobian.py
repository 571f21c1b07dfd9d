"""Jacobians in the tracer: built from the VJP one basis vector at a time, they must agree with
the VJP's downstream, with central differences, and with the closed forms the notes give."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor import Tensor, examples, ops
from gradtutor.engine import topological_order
from gradtutor.tensor import ShapeError
from gradtutor.tracer import JACOBIAN_LIMIT, trace
from op_registry import TENSOR_OPS

TENSOR_EXAMPLES = [e.name for e in examples.EXAMPLES.values() if e.kind == "tensor"]


def numeric_jacobian(op, xs, p, slot, h=1e-6):
    """∂ op(xs) / ∂ xs[slot] by central differences, rows = output elements (row-major)."""
    def run(x):
        args = [Tensor(v, dtype="float64") for v in xs]
        args[slot] = Tensor(x, dtype="float64")
        return Tensor.apply(op, *args, param=p).numpy().reshape(-1)

    x = np.array(xs[slot], dtype=np.float64)
    columns = []
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        columns.append((run(plus) - run(minus)) / (2 * h))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("name", TENSOR_EXAMPLES)
def test_examples_jacobians_agree_with_the_vjp_and_the_engine(name):
    root, upstream = examples.get(name).build()
    t = trace(root, upstream, check=True)
    assert t.is_tensor
    assert all(check.ok for check in t.checks), name
    for step in t.steps:
        assert step.upstream.shape == step.output_shape
        for flow, shape in zip(step.flows, step.input_shapes):
            assert flow.downstream.shape == shape
            assert np.array_equal(flow.after, flow.before + flow.downstream)
            if flow.jacobian is not None:
                out_size, in_size = int(np.prod(step.output_shape)), int(np.prod(shape))
                assert flow.jacobian.shape == (out_size, in_size)
                assert flow.agrees is True
                np.testing.assert_allclose(flow.via_jacobian, flow.downstream, rtol=1e-9, atol=1e-12)
    root.backward(upstream)
    for node, obj in zip(t.nodes, topological_order(root)):
        if obj.grad is not None:
            np.testing.assert_allclose(node.grad, obj.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", TENSOR_OPS, ids=lambda op: op.name)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_op_jacobian_matches_central_differences(op, seed):
    rng = np.random.default_rng(seed)
    xs, p = op.tensor_sample(rng)
    leaves = [Tensor(x, f"x{i}", dtype="float64") for i, x in enumerate(xs)]
    out = Tensor.apply(op, *leaves, param=p)
    t = trace(out, rng.normal(size=out.shape))
    (step,) = t.steps
    for slot, flow in enumerate(step.flows):
        if flow.jacobian is None:
            continue
        assert flow.agrees is True, f"{op.name} input {slot}: upstream · J differs from the VJP"
        np.testing.assert_allclose(
            flow.jacobian, numeric_jacobian(op, xs, p, slot), rtol=1e-5, atol=1e-6,
            err_msg=f"{op.name} input {slot}, shapes {[np.shape(x) for x in xs]}, param {p!r}",
        )


def test_affine_jacobians_are_the_notes_formulas():
    root, upstream = examples.get("affine").build()
    t = trace(root, upstream)
    matmul = next(s for s in t.steps if s.op is ops.MATMUL)
    x, W = (t.nodes[f.node].value for f in matmul.flows)
    dx, dW = matmul.flows
    assert matmul.input_shapes == ((2,), (2, 3)) and matmul.output_shape == (3,)
    np.testing.assert_array_equal(dx.jacobian, W.T)  # ∂y/∂x = Wᵀ
    np.testing.assert_array_equal(dx.downstream, matmul.upstream @ W.T)  # dL/dx = dL/dy · Wᵀ
    np.testing.assert_array_equal(dW.downstream, np.outer(x, matmul.upstream))  # xᵀ · dL/dy
    assert ops.MATMUL.backward == ("dL/dX = dL/dY · Wᵀ", "dL/dW = Xᵀ · dL/dY")


def test_softmax_jacobian_is_diag_y_minus_y_y_transposed():
    root, upstream = examples.get("softmax").build()
    (step,) = trace(root, upstream).steps
    y = root.numpy()
    np.testing.assert_allclose(step.flows[0].jacobian, np.diag(y) - np.outer(y, y), rtol=1e-12)


@pytest.mark.parametrize("name", ["relu-vector", "sigmoid-vector"])
def test_elementwise_jacobians_are_diagonal(name):
    root, upstream = examples.get(name).build()
    (step,) = trace(root, upstream).steps
    jacobian = step.flows[0].jacobian
    np.testing.assert_array_equal(jacobian, np.diag(np.diag(jacobian)))


def test_max_routes_the_whole_gradient_to_the_largest():
    root, upstream = examples.get("max-vector").build()
    (step,) = trace(root, upstream).steps
    x = step.flows[0]
    assert x.downstream.tolist() == [0, upstream, 0, 0]


def test_large_gates_are_described_not_expanded():
    x = Tensor(np.ones((10, 8)), "x", dtype="float64")  # 80 elements: above the limit
    t = trace((x.tanh() * 2).sum())
    assert 10 * 8 > JACOBIAN_LIMIT
    sum_step, mul_step, tanh_step = t.steps
    assert sum_step.flows[0].jacobian is None and sum_step.flows[0].agrees is None
    assert tanh_step.flows[0].jacobian is None
    assert tanh_step.op.jacobian[0].startswith("diagonal")
    assert tanh_step.input_shapes == ((10, 8),)


def test_scalar_traces_are_unchanged():
    root, upstream = examples.get("apple").build()
    t = trace(root, upstream)
    assert not t.is_tensor
    for step in t.steps:
        assert step.output_shape is None and step.input_shapes is None
        for flow in step.flows:
            assert isinstance(flow.local, float) and flow.jacobian is None and flow.agrees is None


def test_upstream_of_the_wrong_shape_is_refused():
    root, _ = examples.get("affine").build()
    with pytest.raises(ShapeError, match=r"upstream gradient has shape \(2,\) but the output has shape \(3,\)"):
        trace(root, np.ones(2))


@pytest.mark.parametrize("name", ["affine-batch", "two-layer-net", "softmax-loss"])
def test_tensor_traces_run_on_every_array_module(xp, name):
    """The tracer's Jacobians and checks use only the active array module: no host round trip."""
    from gradtutor import backend

    root, upstream = examples.get(name).build()
    t = trace(root, upstream, check=True)
    assert all(check.ok for check in t.checks)
    assert all(f.agrees in (True, None) for s in t.steps for f in s.flows)
    assert backend.to_host(t.graph.root.value).shape == root.shape


def test_matmul_rules_carry_the_shapes_of_their_terms():
    shapes = ops.MATMUL.backward_shapes
    # the notes' affine layer: dL/dx (2,) = dL/dy (3,) · Wᵀ (3, 2); dL/dW (2, 3) = xᵀ (2, 1) · dL/dy (1, 3)
    assert shapes(((2,), (2, 3)), (3,)) == ("(2,) = (3,) · (3, 2)", "(2, 3) = (2, 1) · (1, 3)")
    assert shapes(((4, 2), (2, 3)), (4, 3)) == ("(4, 2) = (4, 3) · (3, 2)", "(2, 3) = (2, 4) · (4, 3)")
    assert shapes(((5, 4, 2), (2, 3)), (5, 4, 3))[1].endswith("summed over the batch")
    for x_shape, w_shape in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 2, 3), (2, 3, 4))]:
        x, w = Tensor(np.ones(x_shape)), Tensor(np.ones(w_shape))
        out = x @ w
        out.backward()
        # the left side of each rule is the shape of the gradient the engine computed
        for text, leaf in zip(shapes((x_shape, w_shape), out.shape), (x, w)):
            assert text.split(" = ")[0] == str(leaf.grad.shape)


def test_gradients_that_cancel_to_zero_are_traced_as_zero_not_as_rounding_residue():
    x = Tensor([1.0, 2.0, 3.0], "x", dtype="float64")
    raw = x.softmax()
    raw.backward()  # the engine's own sum leaves a residue: softmax's outputs sum to 1 - 1e-16
    assert np.any(x.grad != 0) and np.all(np.abs(x.grad) < 1e-15)
    (flow,) = trace(x.softmax()).steps[0].flows
    np.testing.assert_array_equal(flow.downstream, 0)
    np.testing.assert_array_equal(flow.via_jacobian, 0)
    np.testing.assert_array_equal(flow.after, 0)
    # A gradient that is merely small, with nothing cancelling, is kept as it is.
    tiny = Tensor([1e-20, -3e-25], "tiny", dtype="float64")
    (flow,) = trace(tiny * 1e-20).steps[0].flows[:1]
    np.testing.assert_array_equal(flow.downstream, [1e-20, 1e-20])
