"""Training's functional API: each fused layer op applied to Tensors, and the op records and
parameter types the layers build them with.

The rules themselves (forward, backward, their words) live in the op table, gradtutor/ops/nn.py
and gradtutor/ops/recurrent.py, so `gradtutor jacobian conv2d` finds them without training
loaded; this module only applies them.
"""

from __future__ import annotations

from gradtutor.ops.nn import (  # noqa: F401 - re-exported for the layers
    ATTENTION, AVG_POOL2D, BATCH_NORM, CONV2D, DROPOUT, EMBEDDING, LAYER_NORM, LINEAR, MAX_POOL2D, Attend, Norm,
    Window, col2im, im2col, sinusoidal_positions,
)
from gradtutor.ops.recurrent import GRU, LSTM, RNN, gru_steps, lstm_steps  # noqa: F401
from gradtutor.tensor import Tensor


def linear(x, weight, bias) -> Tensor:
    """x·W + b as one gate."""
    return Tensor.apply(LINEAR, x, weight, bias)


def conv2d(x, weight, bias, window: Window) -> Tensor:
    """A 2-D convolution of x (N, C, H, W) with weight (F, C, KH, KW) and bias (F,)."""
    return Tensor.apply(CONV2D, x, weight, bias, param=window)


def max_pool2d(x, window: Window) -> Tensor:
    return Tensor.apply(MAX_POOL2D, x, param=window)


def avg_pool2d(x, window: Window) -> Tensor:
    return Tensor.apply(AVG_POOL2D, x, param=window)


def batch_norm(x, gamma, beta, norm: Norm) -> Tensor:
    return Tensor.apply(BATCH_NORM, x, gamma, beta, param=norm)


def layer_norm(x, gamma, beta, norm: Norm) -> Tensor:
    return Tensor.apply(LAYER_NORM, x, gamma, beta, param=norm)


def dropout(x, mask) -> Tensor:
    """x ⊙ mask, the mask (0 or 1/(1 − p)) drawn by the caller."""
    return Tensor.apply(DROPOUT, x, param=mask)


def embedding(weight, indices) -> Tensor:
    """The rows of weight at `indices`."""
    return Tensor.apply(EMBEDDING, weight, param=indices)


def rnn(x, h0, weight_x, weight_h, bias) -> Tensor:
    return Tensor.apply(RNN, x, h0, weight_x, weight_h, bias)


def lstm(x, h0, c0, weight_x, weight_h, bias) -> Tensor:
    return Tensor.apply(LSTM, x, h0, c0, weight_x, weight_h, bias)


def gru(x, h0, weight_x, weight_h, bias, bias_hn) -> Tensor:
    return Tensor.apply(GRU, x, h0, weight_x, weight_h, bias, bias_hn)


def attention(q, k, v, causal: bool = False) -> Tensor:
    """softmax(Q·Kᵀ/√d_k, causal-masked if asked) · V as one gate, over any leading axes (batch, heads)."""
    return Tensor.apply(ATTENTION, q, k, v, param=Attend(1.0 / q.shape[-1] ** 0.5, causal))
