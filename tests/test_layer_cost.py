"""Each layer's own cost (multiply-adds, parameters, output shape), against counts made here.

The multiply-adds are counted from each layer's definition (one multiply-add per weight use per
output number), the output shapes by running the real layer on zeros, the parameters by the
layer's own parameter list. The tutor estimates a lesson's training time from these counts, so a
layer that cannot say what it costs must stop the estimate, not count as free.
"""

import inspect

import numpy as np
import pytest

from gradtutor.train import layers as L
from gradtutor.train import models


def ran(module, shape):
    """The output shape of one example, by running the module on a batch of one."""
    module.eval()
    if isinstance(module, L.Embedding):
        return tuple(module(np.zeros((1, *shape), dtype=np.int64)).shape[1:])
    return tuple(module(L.as_input(np.zeros((1, *shape), dtype=np.float32))).shape[1:])


def check(module, shape, multiply_adds):
    cost = module.cost(shape)
    assert cost.output_shape == ran(module, shape)
    assert cost.parameters == sum(p.size for p in module.parameters())
    assert cost.multiply_adds == multiply_adds
    return cost


def test_linear_counts_one_multiply_add_per_weight_at_each_position():
    check(L.Linear(4, 3, rng=0), (4,), 4 * 3)
    check(L.Linear(4, 3, rng=0), (5, 4), 5 * 4 * 3)  # a (T, D) input: every one of T positions
    with pytest.raises(ValueError, match="4 features"):
        L.Linear(4, 3).cost((5,))


@pytest.mark.parametrize("channels, out, kernel, stride, pad, size", [(3, 10, 5, 1, 2, 32), (2, 4, 3, 2, 1, 7), (1, 6, 5, 1, 0, 12)])
def test_conv2d_counts_every_kernel_entry_at_every_output_position(channels, out, kernel, stride, pad, size):
    layer = L.Conv2d(channels, out, kernel, stride=stride, padding=pad, rng=0)
    # Slide the window over the padded input by hand and count the products it takes.
    products = 0
    for _ in range(out):
        for top in range(0, size + 2 * pad - kernel + 1, stride):
            for left in range(0, size + 2 * pad - kernel + 1, stride):
                products += channels * kernel * kernel
    cost = check(layer, (channels, size, size), products)
    assert cost.overhead == products  # im2col: unfolding and folding back, about as much again
    with pytest.raises(ValueError):
        layer.cost((channels + 1, size, size))


@pytest.mark.parametrize("name, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_recurrent_layers_count_each_time_step(name, gates):
    features, hidden, steps = 3, 5, 7
    layer = L.RECURRENT[name](features, hidden, rng=0)
    # Each step, each gate maps x_t (features) and h_{t-1} (hidden) to hidden numbers.
    per_step = gates * (features * hidden + hidden * hidden)
    cost = check(layer, (steps, features), per_step * steps)
    assert cost.time_steps == steps
    assert layer.cost((1, features)).multiply_adds == per_step


@pytest.mark.parametrize(
    "module, shape",
    [
        (L.ReLU(), (3, 4)), (L.Tanh(), (6,)), (L.Sigmoid(), (2, 2, 2)), (L.Flatten(), (3, 4, 5)),
        (L.MaxPool2d(2), (3, 8, 8)), (L.AvgPool2d(3, stride=2, padding=1), (2, 7, 7)), (L.Dropout(0.3), (4,)),
        (L.BatchNorm1d(4), (4,)), (L.BatchNorm2d(3), (3, 5, 5)), (L.LayerNorm(6), (2, 6)), (L.Embedding(10, 4, rng=0), (7,)),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, L.Module) else str(v),
)
def test_layers_without_weight_products_have_no_multiply_adds(module, shape):
    check(module, shape, 0)


def test_models_add_up_their_layers():
    lenet = models.LeNet(in_channels=1, image_size=28)
    convs = [m for m in list(lenet.features) if isinstance(m, L.Conv2d)]
    dense = [m for m in lenet.classifier if isinstance(m, L.Linear)]
    # LeNet's shapes: 6 maps of 28×28 from 5×5×1 windows, 16 of 10×10 from 5×5×6, then 400→120→84→10.
    expected = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 25 * 6 + 400 * 120 + 120 * 84 + 84 * 10
    assert len(convs) == 2 and len(dense) == 3
    check(lenet, (1, 28, 28), expected)
    check(models.MLP([2, 8, 8, 3], seed=0), (2,), 2 * 8 + 8 * 8 + 8 * 3)
    one = models.SequenceToOne("gru", 2, 4, 1)
    assert check(one, (6, 2), 6 * 3 * (2 * 4 + 4 * 4) + 4 * 1).time_steps == 6
    chars = models.SequenceToSequence("lstm", 8, 11, vocabulary=11, embedding_dim=5)
    check(chars, (9,), 9 * 4 * (5 * 8 + 8 * 8) + 9 * 8 * 11)


def test_every_layer_and_model_states_its_cost():
    for module in (L, models):
        for name, cls in vars(module).items():
            if inspect.isclass(cls) and issubclass(cls, L.Module) and cls is not L.Module:
                assert cls.cost is not L.Module.cost, f"{name} has no cost()"


def test_a_module_that_cannot_say_what_it_costs_is_an_error_not_zero():
    class Doubling(L.Module):
        def forward(self, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="Doubling does not say what it costs"):
        L.Sequential(L.Linear(2, 2), Doubling()).cost((2,))


@pytest.mark.parametrize("module, shape", [(L.BatchNorm1d(4), (4,)), (L.BatchNorm2d(3), (3, 5, 5))],
                         ids=["BatchNorm1d", "BatchNorm2d"])
def test_a_batch_norm_costs_time_for_every_number_it_normalises(module, shape):
    # No weight products, but its statistics and backward pass are what a resnet's step spends
    # most beside its convolutions: counted as overhead per number, so the estimate sees them.
    assert module.cost(shape).overhead == L.NORM_WORK * int(np.prod(shape)) > 0
