"""Every op in the table that runs on tensors, checked through the tensor engine.

The tests iterate over the op table itself (each record's `tensor_sample` draws random shapes,
broadcasting pairs included), with the whole package imported first (op_registry.py), so an op
registered anywhere — training's fused conv, pooling or LSTM ops — is gradient-checked here
without anyone writing a test for it. The scalar side of the
table is checked in test_ops_scalar.py.

Checked for every op: the VJP against float64 central differences, one gradient per input with
the input's shape, and float32 in → float32 out for the forward and every gradient.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.tensor import Tensor
from op_registry import TENSOR_OPS

SEEDS = st.integers(0, 2**32 - 1)


def sampled(op, seed, dtype):
    """A random point from the op's sampler, as leaves of `dtype`, and the op applied to them."""
    rng = np.random.default_rng(seed)
    xs, p = op.tensor_sample(rng)
    leaves = [Tensor(x, f"x{i}", dtype=dtype) for i, x in enumerate(xs)]
    return rng, xs, p, leaves, Tensor.apply(op, *leaves, param=p)


def weighted_output(op, xs, p, weights):
    """Σ weights ⊙ op(xs): a scalar whose gradient is the VJP with upstream = weights."""
    out = Tensor.apply(op, *[Tensor(x, dtype="float64") for x in xs], param=p)
    return float(np.sum(out.numpy() * weights))


def numeric_gradient(op, xs, p, weights, i, h=1e-6):
    x = np.array(xs[i], dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = weighted_output(op, [*xs[:i], x, *xs[i + 1:]], p, weights)
        x[index] = saved - h
        minus = weighted_output(op, [*xs[:i], x, *xs[i + 1:]], p, weights)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def inputs_without_gradient(op, xs, p):
    """Inputs whose VJP is None by design (class labels): they are not differentiated."""
    out, saved = op.forward(np, p, *xs)
    grads = op.vjp(np, p, np.ones_like(out), out, saved, (True,) * len(xs), *xs)
    return {i for i, g in enumerate(grads) if g is None}


def test_the_tensor_ops_are_all_there():
    names = {op.name for op in TENSOR_OPS}
    assert {
        "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "tanh", "sigmoid", "relu", "max", "min",
        "matmul", "transpose", "reshape", "getitem", "concatenate", "stack", "sum", "mean", "amax",
        "leaky_relu", "elu", "softmax", "log_softmax", "softmax_cross_entropy", "mse",
    } <= names


@pytest.mark.parametrize("op", TENSOR_OPS, ids=lambda op: op.name)
@settings(max_examples=25, deadline=None)
@given(seed=SEEDS)
def test_vjp_matches_central_differences(op, seed):
    rng, xs, p, leaves, out = sampled(op, seed, "float64")
    weights = rng.normal(size=out.shape)
    out.backward(weights)
    skipped = inputs_without_gradient(op, xs, p)
    for i, leaf in enumerate(leaves):
        assert leaf.grad.shape == np.shape(xs[i]), f"{op.name} input {i}: gradient shape"
        if i in skipped:
            continue
        numeric = numeric_gradient(op, xs, p, weights, i)
        np.testing.assert_allclose(
            leaf.grad, numeric, rtol=1e-5, atol=1e-6,
            err_msg=f"{op.name} input {i}, shapes {[np.shape(x) for x in xs]}, param {p!r}",
        )


@pytest.mark.parametrize("op", TENSOR_OPS, ids=lambda op: op.name)
@settings(max_examples=10, deadline=None)
@given(seed=SEEDS)
def test_float32_survives_forward_and_backward(op, seed):
    _, _, _, leaves, out = sampled(op, seed, "float32")
    assert out.dtype == np.float32, f"{op.name} forward gave {out.dtype}"
    out.backward()
    for i, leaf in enumerate(leaves):
        assert leaf.grad.dtype == np.float32, f"{op.name} input {i} gradient is {leaf.grad.dtype}"
        assert leaf.grad.shape == leaf.shape


@pytest.mark.parametrize("op", TENSOR_OPS, ids=lambda op: op.name)
def test_every_tensor_op_is_described(op):
    count = op.arity if op.arity >= 0 else 1
    assert op.symbol and op.formula and op.gate and op.explain
    assert len(op.jacobian) == count, f"{op.name}: one Jacobian text per input"
    assert len(op.backward) == count, f"{op.name}: one backward-rule text per input"
