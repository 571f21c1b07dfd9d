"""Layers: gradients against float64 central differences, forwards against plain loops, modes.

The fused ops (conv2d, pooling, norms, dropout, embedding, rnn/lstm/gru) are in the op table
(gradtutor/ops/nn.py and recurrent.py), so test_ops_gradcheck.py checks each op on its own at
random shapes too; here each layer is checked as users call it, parameters included.
"""

import numpy as np
import pytest

from gradtutor import ops
from gradtutor.tensor import Tensor
from gradtutor.train import layers as L

FUSED = ("linear", "conv2d", "max_pool2d", "avg_pool2d", "batch_norm", "layer_norm", "dropout",
         "embedding", "rnn", "lstm", "gru")


def to_float64(layer):
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    for name, array in list(layer._buffers.items()):
        layer._buffers[name] = array.astype(np.float64)
    return layer


def weighted_sum(layer, x, weights):
    out = layer(Tensor(x, dtype="float64", requires_grad=False) if x.dtype.kind == "f" else x)
    return float(np.sum(out.data * weights)), out


def numeric(f, array, h=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + h
        plus = f()
        array[index] = saved - h
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def check_layer(layer, x, seed=0, check_input=True):
    """Every parameter's gradient (and the input's) against central differences in float64."""
    rng = np.random.default_rng(seed)
    to_float64(layer)
    x_tensor = Tensor(x, dtype="float64") if x.dtype.kind == "f" else x
    out = layer(x_tensor)
    weights = rng.normal(size=out.shape)
    out.backward(weights)

    def value():
        return weighted_sum(layer, x, weights)[0]

    for name, p in layer.named_parameters():
        expected = numeric(value, p.data)
        np.testing.assert_allclose(p.grad, expected, rtol=1e-5, atol=1e-7,
                                   err_msg=f"{type(layer).__name__}.{name}, shape {p.shape}")
    if check_input and x.dtype.kind == "f":
        np.testing.assert_allclose(x_tensor.grad, numeric(value, x), rtol=1e-5, atol=1e-7,
                                   err_msg=f"{type(layer).__name__} input, shape {x.shape}")


def test_fused_ops_are_in_the_op_table_with_tensor_samples():
    for name in FUSED:
        op = ops.OPS[name]
        assert op.tensor_sample is not None and len(op.backward) == op.arity, name


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_linear_gradients(rng):
    check_layer(L.Linear(4, 3, rng=1), rng.normal(size=(5, 4)))


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, 2), (3, 1)])
def test_conv2d_gradients_with_stride_and_padding(rng, stride, padding):
    layer = L.Conv2d(2, 3, 3, stride=stride, padding=padding, rng=1)
    check_layer(layer, rng.normal(size=(2, 2, 7, 6)))


def test_max_pool_gradients_overlapping_and_padded(rng):
    x = rng.permutation(2 * 2 * 7 * 7).reshape(2, 2, 7, 7) * 0.1  # distinct: no ties
    check_layer(L.MaxPool2d(3, stride=2, padding=1), x)
    check_layer(L.MaxPool2d(2), x[:, :, :6, :6].copy())


def test_avg_pool_gradients(rng):
    check_layer(L.AvgPool2d(2), rng.normal(size=(2, 3, 6, 6)))
    check_layer(L.AvgPool2d(3, stride=2, padding=1), rng.normal(size=(1, 2, 7, 5)))


def test_batch_norm_gradients_in_training_mode(rng):
    check_layer(L.BatchNorm1d(3), rng.normal(size=(6, 3)) * 2 + 1)
    check_layer(L.BatchNorm2d(2), rng.normal(size=(3, 2, 4, 3)) * 2 - 1)


def test_batch_norm_gradients_in_eval_mode(rng):
    layer = L.BatchNorm2d(2)
    layer(Tensor(rng.normal(size=(4, 2, 3, 3)) * 3 + 2))  # move the running statistics
    layer.eval()
    check_layer(layer, rng.normal(size=(3, 2, 3, 3)))


def test_layer_norm_gradients(rng):
    check_layer(L.LayerNorm(5), rng.normal(size=(4, 5)) * 2)
    check_layer(L.LayerNorm(4), rng.normal(size=(2, 3, 4)))


def test_embedding_gradient_adds_repeated_rows(rng):
    layer = L.Embedding(6, 3, rng=1)
    ids = np.array([[0, 2, 2], [5, 0, 2]])
    check_layer(layer, ids)
    to_float64(layer)
    layer(ids).sum().backward()
    assert layer.weight.grad[2].tolist() == [3.0, 3.0, 3.0]  # looked up three times
    assert layer.weight.grad[1].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_recurrent_gradients_over_several_steps(rng, kind):
    layer = L.RECURRENT[kind](3, 4, rng=1)
    for p in layer.parameters():
        p.data *= 1.5  # larger weights: the gates leave their linear range
    check_layer(layer, rng.normal(size=(2, 6, 3)))


def naive_conv(x, w, b, stride, padding):
    n, c, h, width = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - k) // stride + 1, (width + 2 * padding - k) // stride + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (2, 2)])
def test_conv2d_forward_matches_a_plain_loop(rng, stride, padding):
    layer = to_float64(L.Conv2d(3, 4, 3, stride=stride, padding=padding, rng=2))
    layer.bias.data[:] = rng.normal(size=4)
    x = rng.normal(size=(2, 3, 8, 7))
    expected = naive_conv(x, layer.weight.data, layer.bias.data, stride, padding)
    np.testing.assert_allclose(layer(Tensor(x, dtype="float64")).data, expected, rtol=1e-10, atol=1e-12)


def test_pooling_forward_matches_a_plain_loop(rng):
    x = rng.normal(size=(2, 3, 7, 7))
    out_max = L.MaxPool2d(3, stride=2)(Tensor(x, dtype="float64")).data
    out_avg = L.AvgPool2d(3, stride=2)(Tensor(x, dtype="float64")).data
    for i in range(3):
        for j in range(3):
            window = x[:, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3]
            np.testing.assert_allclose(out_max[:, :, i, j], window.max(axis=(2, 3)))
            np.testing.assert_allclose(out_avg[:, :, i, j], window.mean(axis=(2, 3)))


def test_max_pool_routes_a_tie_to_one_input_only():
    x = Tensor(np.ones((1, 1, 2, 2)), dtype="float64")
    L.MaxPool2d(2)(x).sum().backward()
    assert x.grad.sum() == 1.0 and x.grad[0, 0, 0, 0] == 1.0


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def test_lstm_forward_matches_the_equations(rng):
    layer = to_float64(L.LSTM(3, 4, rng=3))
    x = rng.normal(size=(2, 5, 3))
    out = layer(Tensor(x, dtype="float64")).data
    wx, wh, b = layer.weight_x.data, layer.weight_h.data, layer.bias.data
    h = c = np.zeros((2, 4))
    for t in range(5):
        a = x[:, t] @ wx + h @ wh + b
        i, f, o, g = sigmoid(a[:, :4]), sigmoid(a[:, 4:8]), sigmoid(a[:, 8:12]), np.tanh(a[:, 12:])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(out[:, t], h, rtol=1e-12)


def test_gru_forward_matches_the_equations(rng):
    layer = to_float64(L.GRU(3, 4, rng=3))
    layer.bias_hn.data[:] = rng.normal(size=4)
    x = rng.normal(size=(2, 5, 3))
    out = layer(Tensor(x, dtype="float64")).data
    wx, wh, b, bhn = layer.weight_x.data, layer.weight_h.data, layer.bias.data, layer.bias_hn.data
    h = np.zeros((2, 4))
    for t in range(5):
        ax, ah = x[:, t] @ wx + b, h @ wh
        r, z = sigmoid(ax[:, :4] + ah[:, :4]), sigmoid(ax[:, 4:8] + ah[:, 4:8])
        n = np.tanh(ax[:, 8:] + r * (ah[:, 8:] + bhn))
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(out[:, t], h, rtol=1e-12)


def test_conv_output_size_and_parameter_count_from_the_notes():
    # Ten 5×5×3 filters have 10·(75 + 1) = 760 parameters; a 32×32×3 input with pad 2 stays 32×32.
    layer = L.Conv2d(3, 10, 5, padding=2)
    assert layer.parameter_count() == 760
    assert layer(Tensor(np.zeros((1, 3, 32, 32)))).shape == (1, 10, 32, 32)
    assert L.Conv2d(3, 10, 5, stride=3, padding=1)(Tensor(np.zeros((1, 3, 32, 32)))).shape == (1, 10, 10, 10)


def test_a_window_that_does_not_fit_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        L.Conv2d(1, 1, 5)(Tensor(np.zeros((1, 1, 3, 3))))


def test_dropout_scales_kept_units_and_is_off_in_eval():
    layer = L.Dropout(0.25, seed=1)
    x = Tensor(np.ones((200, 100)))
    out = layer(x).data
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    assert out.dtype == np.float32
    layer.eval()
    assert layer(x) is x
    assert not np.array_equal(L.Dropout(0.25, seed=1)(x).data, L.Dropout(0.25, seed=2)(x).data)


def test_batch_norm_uses_running_statistics_in_eval(rng):
    layer = L.BatchNorm1d(3, momentum=0.5)
    x = rng.normal(size=(64, 3)) * 3 + 5
    out = layer(Tensor(x)).data
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)  # batch statistics
    np.testing.assert_allclose(layer.running_mean, 0.5 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1), rtol=1e-4)
    layer.eval()
    before = layer.running_mean.copy()
    expected = (x - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-4)
    np.testing.assert_array_equal(layer.running_mean, before)  # eval leaves them alone


def test_train_and_eval_reach_every_sublayer():
    net = L.Sequential(L.Linear(2, 3), L.Sequential(L.Dropout(0.5), L.BatchNorm1d(3)))
    net.eval()
    assert not any(layer.training for layer in [net.layers[1], *net.layers[1].layers])
    net.train()
    assert all(layer.training for layer in net.layers[1].layers)


def test_state_dict_round_trip_includes_buffers(rng):
    a = L.Sequential(L.Linear(3, 4, rng=1), L.BatchNorm1d(4))
    a(Tensor(rng.normal(size=(8, 3))))
    b = L.Sequential(L.Linear(3, 4, rng=2), L.BatchNorm1d(4))
    b.load_state_dict(a.state_dict())
    assert sorted(a.state_dict()) == ["layers.0.bias", "layers.0.weight", "layers.1.beta", "layers.1.gamma",
                                      "layers.1.running_mean", "layers.1.running_var"]
    for name, array in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[name], array)
    with pytest.raises(ValueError, match="missing"):
        b.load_state_dict({"layers.0.weight": a.state_dict()["layers.0.weight"]})


def test_layers_keep_float32(rng):
    x = Tensor(rng.normal(size=(2, 1, 8, 8)))
    net = L.Sequential(L.Conv2d(1, 2, 3, padding=1), L.BatchNorm2d(2), L.ReLU(), L.MaxPool2d(2),
                       L.AvgPool2d(2), L.Flatten(), L.Linear(8, 3), L.LayerNorm(3), L.Dropout(0.5))
    out = net(x)
    out.sum().backward()
    assert out.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters())
