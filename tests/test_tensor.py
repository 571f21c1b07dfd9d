"""The tensor engine: dtypes, backward semantics, broadcasting as a copy gate, fan-out, errors.

Per-op gradients are checked against finite differences in test_ops_gradcheck.py; this file
checks the engine around the ops.
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor import Tensor, backend
from gradtutor.tensor import ShapeError, concatenate, mse, softmax_cross_entropy, stack, sum_to


def test_import_gradtutor_does_not_import_numpy():
    code = "import sys, gradtutor; gradtutor.Value(1); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_float32_by_default_float64_on_request():
    assert Tensor([1, 2, 3]).dtype == np.float32
    assert Tensor([1, 2, 3], dtype="float64").dtype == np.float64
    assert Tensor(np.arange(3.0)).dtype == np.float32  # a float64 array is cast, as documented
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "other",
    [2, 2.5, np.float64(2.5), np.int64(3), np.arange(1, 5, dtype=np.int64), np.ones(4, dtype=np.float64)],
    ids=["int", "float", "np.float64", "np.int64", "int64 array", "float64 array"],
)
def test_nothing_promotes_float32(other):
    x = Tensor([1.0, 2.0, 3.0, 4.0], "x")
    results = [x + other, other + x, x * other, other * x, x - other, other - x, x / other,
               x.maximum(other), x ** 2, (x * other).sum(), (x @ np.ones((4, 2))).mean()]
    total = results[0]
    for r in results:
        assert r.dtype == np.float32, r.op.name
        total = total + r.sum()
    total.backward()
    assert x.grad.dtype == np.float32


def test_labels_as_int64_indices_or_one_hot_keep_float32():
    logits = Tensor(np.random.default_rng(0).normal(size=(4, 3)), "logits")
    indices = np.array([0, 2, 1, 2], dtype=np.int64)
    one_hot = np.eye(3, dtype=np.int64)[indices]
    by_index = softmax_cross_entropy(logits, indices)
    by_one_hot = softmax_cross_entropy(logits, one_hot)
    assert by_index.dtype == by_one_hot.dtype == np.float32
    assert float(by_index.data) == pytest.approx(float(by_one_hot.data), rel=1e-6)
    by_index.backward()
    assert logits.grad.dtype == np.float32
    # backward of the fused op is (softmax − one-hot) / N
    probabilities = np.exp(logits.numpy()) / np.exp(logits.numpy()).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad, (probabilities - one_hot) / 4, rtol=1e-5, atol=1e-7)


def test_backward_twice_recomputes_never_doubles():
    w = Tensor([[1.0, -2.0], [0.5, 3.0]], "w")
    loss = ((w @ Tensor([1.0, 2.0])).tanh() * w.sum()).sum()
    loss.backward()
    first = w.grad.copy()
    loss.backward()
    np.testing.assert_array_equal(w.grad, first)


def test_upstream_defaults_to_ones_and_must_match_the_shape():
    x = Tensor([1.0, 2.0, 3.0])
    y = x * 3
    y.backward()
    np.testing.assert_array_equal(x.grad, [3, 3, 3])
    y.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [3, 0, -3])
    with pytest.raises(ShapeError, match=r"upstream gradient has shape \(2,\) but the output has shape \(3,\)"):
        y.backward(np.ones(2))


def test_fan_out_adds_the_gradients_of_every_use():
    x = Tensor([1.0, -2.0, 3.0], "x")
    y = x * x + x.exp() + x  # x feeds four gate inputs
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.numpy() + np.exp(x.numpy()) + 1, rtol=1e-6)


def test_a_leaf_twice_in_one_gate_gets_both_uses_in_an_array_of_its_own():
    x, y = Tensor([1.0, -2.0]), Tensor([4.0, 5.0])
    upstream = np.array([0.5, 3.0], dtype=np.float32)
    (x + x).backward(upstream)
    np.testing.assert_array_equal(x.grad, 2 * upstream)
    (x - y).backward(upstream)  # x takes the upstream itself: it must not share the caller's array
    x.grad *= 10
    np.testing.assert_array_equal(upstream, [0.5, 3.0])
    np.testing.assert_array_equal(y.grad, -upstream)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_broadcasting_is_a_copy_gate_summed_back_in_one_place(seed):
    rng = np.random.default_rng(seed)
    big = rng.normal(size=(2, 3, 4))
    small_shape = [(4,), (1, 4), (3, 1), (1, 1, 1), (), (2, 1, 4)][int(rng.integers(0, 6))]
    small = rng.normal(size=small_shape)
    a, b = Tensor(big, dtype="float64"), Tensor(small, dtype="float64")
    upstream = rng.normal(size=(2, 3, 4))
    (a * b).backward(upstream)
    # b was copied to every position of a's shape; its gradient sums the copies' gradients
    copies = upstream * big
    expected = copies.sum(axis=tuple(range(3 - len(small_shape)))) if len(small_shape) < 3 else copies
    for axis, n in enumerate(small_shape):
        if n == 1:
            expected = expected.sum(axis=axis, keepdims=True)
    assert b.grad.shape == small_shape
    np.testing.assert_allclose(b.grad, expected.reshape(small_shape), rtol=1e-10)
    np.testing.assert_allclose(sum_to(copies, small_shape), b.grad, rtol=1e-12)


def test_repeated_indices_add_up():
    x = Tensor([10.0, 20.0, 30.0], "x")
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3, 0, 1])
    x[1:].sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 1])


def test_leaf_gradients_are_their_own_arrays():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    upstream = np.array([1.0, 1.0], dtype=np.float32)
    (a + b).backward(upstream)
    assert a.grad is not b.grad and a.grad is not upstream
    a.grad *= 10  # an in-place clipping step must not reach b or the caller's array
    np.testing.assert_array_equal(b.grad, [1, 1])
    np.testing.assert_array_equal(upstream, [1, 1])


def test_constants_and_their_descendants_take_no_gradient_work():
    w = Tensor([[1.0, 2.0], [3.0, 4.0]], "w")
    batch = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # plain data: a constant
    scaled = Tensor(batch) * 1  # a Tensor the user marks as data
    scaled.requires_grad = False
    out = (batch @ w).sum() + (scaled.detach() @ w).sum()
    out.backward()
    assert out.parents[0].parents[0].parents[0].grad is None  # the constant batch got nothing
    np.testing.assert_array_equal(w.grad, 2 * batch.sum(axis=0)[:, None] * np.ones((1, 2)))


def test_unused_leaf_gets_zeros():
    x, unused = Tensor([1.0, 2.0]), Tensor([5.0, 6.0])
    y = x * 2
    y.sum().backward()
    assert unused.grad is None  # not part of the graph at all
    z = x.maximum(unused) * 0 + x
    z.sum().backward()
    assert unused.grad.shape == (2,)


def test_shape_mismatch_is_one_line_naming_both_shapes():
    with pytest.raises(ShapeError) as info:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    message = str(info.value)
    assert message == "matmul needs the inner sizes to match: (2, 3) · (2, 3) (3 ≠ 2)"
    with pytest.raises(ShapeError, match=r"add cannot combine shapes \(2,\) and \(3,\)"):
        Tensor([1.0, 2.0]) + Tensor([1.0, 2.0, 3.0])


def test_powers_with_tensor_exponents_and_constant_bases():
    x = Tensor([1.5, 2.0], "x", dtype="float64")
    y = Tensor([2.0, 3.0], "y", dtype="float64")
    (x**y + 2**x).sum().backward()
    np.testing.assert_allclose(x.grad, y.numpy() * x.numpy() ** (y.numpy() - 1) + np.log(2) * 2 ** x.numpy())
    np.testing.assert_allclose(y.grad, np.log(x.numpy()) * x.numpy() ** y.numpy())


def test_concatenate_stack_and_transpose_route_gradients_back():
    a, b = Tensor(np.ones((2, 3)), "a"), Tensor(np.ones((1, 3)), "b")
    weights = np.arange(9.0).reshape(3, 3)
    (concatenate([a, b]) * weights).sum().backward()
    np.testing.assert_array_equal(a.grad, weights[:2])
    np.testing.assert_array_equal(b.grad, weights[2:])
    (stack([a, a], axis=1).transpose(2, 0, 1) * 2).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 4))


def test_mse_is_the_mean_of_squares():
    pred, target = Tensor([1.0, 2.0, 4.0], "y"), np.array([1.0, 0.0, 1.0])
    loss = mse(pred, target)
    assert float(loss.data) == pytest.approx((0 + 4 + 9) / 3)
    loss.backward()
    np.testing.assert_allclose(pred.grad, 2 * (pred.numpy() - target) / 3)


def test_a_long_chain_needs_no_recursion():
    x = Tensor([0.5], "x")
    y = x
    for _ in range(20_000):
        y = y * 1.0
    y.backward()
    assert float(x.grad[0]) == 1.0


def test_the_engine_runs_on_every_array_module(xp):
    """A small classifier step on numpy, the strict CuPy stand-in, and cupy when present: no
    stray numpy call, no host round trip, same numbers as numpy."""
    rng = np.random.default_rng(3)
    host = {"X": rng.normal(size=(5, 4)), "W": rng.normal(size=(4, 3)), "b": rng.normal(size=(3,))}
    X = Tensor(backend.to_device(host["X"]), "X", requires_grad=False)
    W, b = Tensor(backend.to_device(host["W"]), "W"), Tensor(backend.to_device(host["b"]), "b")
    labels = backend.to_device(np.array([0, 2, 1, 1, 0]))
    hidden = (X @ W + b).leaky_relu(0.1)
    picked = hidden[backend.to_device(np.array([0, 1, 1, 4])), 1:]  # an int-array index, repeats
    loss = softmax_cross_entropy(hidden, labels) + picked.mean() + hidden.softmax().max() * 0.5
    loss.backward()
    assert W.grad.dtype == np.float32 and W.grad.shape == (4, 3)
    results = [backend.to_host(t) for t in (loss.data, W.grad, b.grad)]

    backend.use("numpy")
    Xn, Wn, bn = Tensor(host["X"], requires_grad=False), Tensor(host["W"]), Tensor(host["b"])
    hidden = (Xn @ Wn + bn).leaky_relu(0.1)
    picked = hidden[np.array([0, 1, 1, 4]), 1:]
    expected = softmax_cross_entropy(hidden, np.array([0, 2, 1, 1, 0])) + picked.mean() + hidden.softmax().max() * 0.5
    expected.backward()
    for got, want in zip(results, (expected.data, Wn.grad, bn.grad)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_a_reshape_that_does_not_fit_names_the_shape():
    with pytest.raises(ShapeError, match=r"^reshape cannot take shape \(2, 3\): cannot reshape array of size 6"):
        Tensor(np.ones((2, 3))).reshape(4)
    with pytest.raises(ShapeError, match="not a permutation of the axes of shape"):
        Tensor(np.ones((2, 3))).transpose(0, 0)
