"""Layer arithmetic: the notes' worked numbers, computed by the formulas."""

import pytest

from gradtutor.train import arith


def test_output_size_examples():
    assert arith.conv_output_size(32, 5, P=2, S=1) == 32  # pad 2 keeps a 32×32 input 32×32
    assert arith.conv_output_size(32, 5) == 28
    assert arith.conv_output_size(7, 3, S=2) == 3
    assert arith.conv_output_size(28, 2, S=2) == 14  # 2×2 pooling, stride 2


def test_parameter_counts():
    assert arith.conv_params(K=10, F=5, C=3) == 760  # ten 5×5×3 filters
    assert arith.conv_params(K=6, F=1, C=3) == 24  # 1×1 convolution: 6·(1·1·3 + 1)
    # 50 inputs → 30 hidden → 3 outputs: (50·30) + 30 + (30·3) + 3 = 1623
    assert arith.mlp_params([50, 30, 3]) == 50 * 30 + 30 + 30 * 3 + 3 == 1623
    assert arith.linear_params(784, 256, bias=False) == 784 * 256


def test_lenet_shapes():
    shapes = [shape for shape, _ in arith.layer_shapes((1, 32, 32))]
    assert shapes == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120,), (84,), (10,)]
    params = [count for _, count in arith.layer_shapes((1, 32, 32))]
    assert params == [6 * 26, 0, 16 * (25 * 6 + 1), 0, 400 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10]


def test_sizes_that_do_not_fit():
    with pytest.raises(arith.LayerSizeError, match=r"\(8 − 3 \+ 2·0\) / 2 = 5/2 is not a whole number"):
        arith.conv_output_size(8, 3, S=2)
    with pytest.raises(arith.LayerSizeError, match="wider than the padded input"):
        arith.conv_output_size(3, 5)
    with pytest.raises(arith.LayerSizeError, match="S >= 1"):
        arith.conv_output_size(3, 1, S=0)
