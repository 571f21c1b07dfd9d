"""The convolution examples: the course's 5×5 image ∗ 3×3 filter traced gate by gate, its
backward pass checked against the textbook's reading (dW = X correlated with dY, dX = dY fully
convolved with the filter turned 180°, written here with plain loops), stride and padding,
max pooling routing to the arg-max, the diagrams, and `gradtutor jacobian conv2d` on its own."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gradtutor import examples
from gradtutor.render.dot import to_dot
from gradtutor.render.export import render
from gradtutor.render.term import summary, trace_table
from gradtutor.tracer import trace
from render_golden import assert_golden, console_text, traced

IMAGE, FILTER = np.array(examples.IMAGE, float), np.array(examples.FILTER, float)
UPSTREAM = np.array(examples.CONV_UPSTREAM, float)


def correlate(image, kernel, stride=1):
    """Slide `kernel` over `image` (no flip), one dot product per position."""
    k = kernel.shape[0]
    size = (image.shape[0] - k) // stride + 1
    return np.array([[np.sum(image[i * stride:i * stride + k, j * stride:j * stride + k] * kernel)
                      for j in range(size)] for i in range(size)])


def leaves(name):
    root, upstream = examples.get(name).build()
    t = trace(root, upstream, check=True)
    grads = {node.name: node.grad for node in t.nodes if node.name}
    values = {node.name: node.value for node in t.nodes if node.name}
    return t, values, grads


def test_the_course_image_and_filter_give_the_course_output():
    _, values, _ = leaves("conv")
    assert values["Y"].shape == (1, 1, 3, 3)
    # the notes show the first convolved feature, 4; the rest follows from the same windows
    np.testing.assert_array_equal(values["Y"][0, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    np.testing.assert_array_equal(values["Y"][0, 0], correlate(IMAGE, FILTER))


def test_conv_backward_is_correlation_and_full_convolution_with_the_flipped_filter():
    t, _, grads = leaves("conv")
    assert all(check.ok for check in t.checks)
    np.testing.assert_array_equal(grads["W"][0, 0], correlate(IMAGE, UPSTREAM))  # X ⋆ dY
    padded = np.pad(UPSTREAM, 2)  # a full convolution: every overlap of dY and W
    np.testing.assert_array_equal(grads["X"][0, 0], correlate(padded, np.rot90(FILTER, 2)))
    assert grads["b"].tolist() == [UPSTREAM.sum()]
    (step,) = t.steps
    x, w, b = step.flows
    assert x.jacobian.shape == (9, 25) and w.jacobian.shape == (9, 9) and b.jacobian.shape == (9, 1)
    assert all(flow.agrees for flow in step.flows)
    # each row of ∂Y/∂X is W laid over the window of that output: 9 weights per row, the same 3×3
    assert (x.jacobian != 0).sum(axis=1).tolist() == [5] * 9  # the filter's five ones
    np.testing.assert_array_equal(x.jacobian[0].reshape(5, 5)[:3, :3], FILTER)


def test_stride_two_with_padding_one_reads_every_other_window():
    t, values, grads = leaves("conv-stride")
    assert all(check.ok for check in t.checks)
    padded = np.pad(IMAGE, 1)
    np.testing.assert_array_equal(values["Y"][0, 0], correlate(padded, FILTER, stride=2))
    spread = np.zeros((5, 5))  # dY placed at the window corners the stride visits
    spread[::2, ::2] = UPSTREAM
    np.testing.assert_array_equal(grads["W"][0, 0], correlate(padded, spread))
    full = correlate(np.pad(spread, 2), np.rot90(FILTER, 2))  # 7×7: the padded input's gradient
    np.testing.assert_array_equal(grads["X"][0, 0], full[1:-1, 1:-1])


def test_max_pool_routes_each_window_to_its_maximum():
    t, values, grads = leaves("max-pool")
    np.testing.assert_array_equal(values["Y"][0, 0], [[4, 2], [3, 6]])
    expected = np.zeros((4, 4))
    expected[1, 0], expected[0, 2], expected[2, 0], expected[3, 2] = 1, 2, 3, 4
    np.testing.assert_array_equal(grads["X"][0, 0], expected)
    (step,) = t.steps
    assert step.op.gate == "max pooling routes" and step.flows[0].jacobian.shape == (4, 16)
    assert (step.flows[0].jacobian.sum(axis=1) == 1).all()  # one 1 per output: max routes


@pytest.mark.parametrize("name", ["conv", "conv-stride", "max-pool"])
def test_conv_trace_tables_golden(name):
    assert_golden(f"table-{name}.txt", console_text(trace_table(traced(name))))


def test_the_conv_table_shows_the_grids_and_the_rules_with_shapes():
    text = console_text(trace_table(traced("conv")), width=200)
    assert "⎡1  2   1  2   0⎤" in text  # dX, laid out as the 5×5 grid it is
    assert all(word in text for word in ("correlated", "convolved", "turned", "180°"))  # the rule column, wrapped
    (step,) = traced("conv").steps
    assert step.op.backward_shapes_in(step.input_shapes, step.output_shape) == (
        "(1, 1, 5, 5) = (1, 1, 3, 3) ∗ (1, 1, 3, 3)", "(1, 1, 3, 3) = (1, 1, 5, 5) ⋆ (1, 1, 3, 3)", "(1,) = Σ (1, 1, 3, 3)")
    assert "⎡1  1  1  0  0⎤" in console_text(summary(traced("conv")))  # the image itself
    korean = console_text(trace_table(traced("conv"), lang="ko"), width=200)
    assert "상관" in korean and "180° 돌린 W" in korean and "correlated" not in korean


@pytest.mark.parametrize("name", ["conv", "conv-stride", "max-pool"])
def test_the_examples_draw(name):
    svg = render(to_dot(traced(name)), "svg").decode()
    assert svg.startswith("<?xml") and ("conv" in svg or "maxpool" in svg)


def test_jacobian_conv2d_needs_no_inputs_and_prints_the_whole_matrix():
    result = subprocess.run([sys.executable, "-m", "gradtutor", "jacobian", "conv2d", "-f", "json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (step,) = data["steps"]
    x, w, b = step["inputs"]
    assert np.array(x["jacobian"]).shape == (4, 9) and x["agrees"] is True
    assert np.array(w["jacobian"]).shape == (4, 4)
    table = subprocess.run([sys.executable, "-m", "gradtutor", "jacobian", "conv2d"],
                           capture_output=True, text=True, timeout=120)
    assert table.returncode == 0 and "4×9" in table.stdout and "⎡1  2  0  0  −1   0  0   0   0⎤" in table.stdout


def test_the_notes_weight_counts_25_13_3_are_the_engines():
    """Five inputs in a row, five outputs, windows of three with a zero at each end: in the
    Jacobian ∂Y/∂X of a convolution, the entries are the connections. All of them: fully
    connected (25); the ones that are not 0: locally connected (13, the notes' 2 + 3 + 3 + 2
    is one 3 short); the distinct values: the convolution's shared weights (3)."""
    from gradtutor import ops
    from gradtutor.ops.nn import Window
    from gradtutor.tensor import Tensor

    row = Tensor(np.arange(1.0, 6.0).reshape(1, 1, 1, 5), "x", dtype="float64")
    kernel = np.zeros((1, 1, 3, 3))
    kernel[0, 0, 1] = [2.0, 3.0, 5.0]  # only the middle row meets the one-pixel-high input
    out = Tensor.apply(ops.CONV2D, row, Tensor(kernel, "W", dtype="float64"), Tensor([0.0], "b", dtype="float64"),
                       param=Window((3, 3), 1, 1))
    assert out.shape == (1, 1, 1, 5)
    jacobian = trace(out).steps[0].flows[0].jacobian
    assert jacobian.size == 25
    assert np.count_nonzero(jacobian) == 2 + 3 + 3 + 3 + 2 == 13
    assert sorted(set(jacobian[jacobian != 0].tolist())) == [2.0, 3.0, 5.0]
