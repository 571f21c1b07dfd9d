"""Layer arithmetic a learner does on paper: output sizes and parameter counts.

Used by the `cnn` lesson's quizzes and by the models to explain themselves. Pure integers; a
size that does not come out whole is an error, since such a layer cannot be built as stated.
"""

from __future__ import annotations

from dataclasses import dataclass


class LayerSizeError(ValueError):
    """Sizes that do not fit together; the message shows the formula with the numbers."""


def conv_output_size(W: int, F: int, P: int = 0, S: int = 1) -> int:
    """(W − F + 2P) / S + 1: the width (or height) after a convolution or pooling window.

    W input width, F filter width, P zero padding on each side, S stride.
    """
    if min(W, F, S) < 1 or P < 0:
        raise LayerSizeError(f"need W, F, S >= 1 and P >= 0, got W={W}, F={F}, P={P}, S={S}")
    span = W - F + 2 * P
    if span < 0:
        raise LayerSizeError(f"the filter ({F}) is wider than the padded input ({W} + 2·{P})")
    if span % S:
        raise LayerSizeError(f"(W − F + 2P) / S = ({W} − {F} + 2·{P}) / {S} = {span}/{S} is not a whole number")
    return span // S + 1


def conv_params(K: int, F: int, C: int, bias: bool = True) -> int:
    """K filters of size F×F over C input channels: K·(F·F·C + 1) weights and biases."""
    return K * (F * F * C + (1 if bias else 0))


def linear_params(inputs: int, outputs: int, bias: bool = True) -> int:
    """A fully connected layer: inputs·outputs weights plus one bias per output."""
    return inputs * outputs + (outputs if bias else 0)


def mlp_params(sizes) -> int:
    """An MLP with layer widths `sizes` (input first): the sum over its Linear layers."""
    sizes = list(sizes)
    return sum(linear_params(a, b) for a, b in zip(sizes, sizes[1:]))


@dataclass(frozen=True)
class Conv:
    filters: int
    size: int
    padding: int = 0
    stride: int = 1


@dataclass(frozen=True)
class Pool:
    size: int = 2
    stride: int = 2


@dataclass(frozen=True)
class Dense:
    outputs: int


# LeNet-5 as the notes draw it, on a 32×32 single-channel image.
LENET = (Conv(6, 5), Pool(), Conv(16, 5), Pool(), Dense(120), Dense(84), Dense(10))


def layer_shapes(input_shape, layers=LENET) -> list[tuple[tuple[int, ...], int]]:
    """[(output shape, parameter count)] after each layer, from (C, H, W).

    A Dense layer flattens what comes in. Shapes are (C, H, W) for images, (n,) after Dense.
    """
    shape = tuple(input_shape)
    result = []
    for layer in layers:
        if isinstance(layer, Conv):
            C, H, W = shape
            shape = (layer.filters, conv_output_size(H, layer.size, layer.padding, layer.stride),
                     conv_output_size(W, layer.size, layer.padding, layer.stride))
            params = conv_params(layer.filters, layer.size, C)
        elif isinstance(layer, Pool):
            C, H, W = shape
            shape = (C, conv_output_size(H, layer.size, 0, layer.stride), conv_output_size(W, layer.size, 0, layer.stride))
            params = 0
        elif isinstance(layer, Dense):
            inputs = 1
            for n in shape:
                inputs *= n
            shape = (layer.outputs,)
            params = linear_params(inputs, layer.outputs)
        else:
            raise TypeError(f"unknown layer {layer!r}")
        result.append((shape, params))
    return result
