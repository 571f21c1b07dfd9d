"""Models: LeNet's shapes and parameter counts from the notes, whole-model gradient checks in
float64, many-to-one and many-to-many outputs, seeding."""

import numpy as np
import pytest
from test_layers import check_layer, to_float64

from gradtutor.tensor import Tensor
from gradtutor.train import layers as L
from gradtutor.train import models


def test_lenet_shapes_follow_the_notes():
    net = models.LeNet()
    x = Tensor(np.zeros((2, 1, 28, 28)))
    shapes = []
    for layer in net.features:
        x = layer(x)
        shapes.append(x.shape[1:])
    # 28×28 padded by 2 is LeNet's 32×32: 6×28×28 → 6×14×14 → 16×10×10 → 16×5×5 → 400
    assert shapes == [(6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5), (400,)]
    assert net(Tensor(np.zeros((2, 1, 28, 28)))).shape == (2, 10)
    assert models.LeNet(image_size=32)(Tensor(np.zeros((1, 1, 32, 32)))).shape == (1, 10)


def test_lenet_parameter_count():
    # conv 6·(25 + 1) + conv 16·(150 + 1) + 400·120 + 120 + 120·84 + 84 + 84·10 + 10
    assert models.LeNet().parameter_count() == 156 + 2416 + 48120 + 10164 + 850


def test_mlp_layers_and_parameter_count():
    net = models.MLP([50, 30, 3])
    assert net.parameter_count() == 50 * 30 + 30 + 30 * 3 + 3
    assert [type(layer).__name__ for layer in net.net] == ["Linear", "ReLU", "Linear"]
    with_extras = models.MLP([4, 8, 8, 2], activation="tanh", dropout=0.1, batch_norm=True)
    assert [type(layer).__name__ for layer in with_extras.net] == [
        "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]
    with pytest.raises(ValueError, match="at least an input and an output"):
        models.MLP([3])


def test_a_seed_fixes_the_weights():
    a, b, c = models.LeNet(seed=1), models.LeNet(seed=1), models.LeNet(seed=2)
    for (name, p), q, r in zip(a.named_parameters(), b.parameters(), c.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert not np.array_equal(a.features.layers[0].weight.data, c.features.layers[0].weight.data)


def test_small_cnn_gradients_end_to_end():
    net = L.Sequential(L.Conv2d(1, 2, 3, stride=2, padding=1, rng=0), L.BatchNorm2d(2), L.Tanh(),
                       L.MaxPool2d(2), L.Flatten(), L.Linear(8, 3, rng=1))
    x = np.random.default_rng(0).normal(size=(3, 1, 8, 8))
    check_layer(net, x)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_many_to_one_gradients(cell):
    net = models.SequenceToOne(cell, 2, 3, 2, task="classification", seed=1)
    check_layer(net, np.random.default_rng(1).normal(size=(2, 5, 2)))
    assert net(Tensor(np.zeros((4, 5, 2)))).shape == (4, 2)


def test_many_to_many_with_an_embedding_gradients():
    net = models.SequenceToSequence("lstm", hidden_size=3, outputs=4, vocabulary=5, embedding_dim=2, seed=1)
    ids = np.array([[0, 1, 4, 1], [3, 3, 2, 0]])
    check_layer(net, ids)
    assert net(ids).shape == (2, 4, 4)


def test_many_to_many_on_features():
    net = models.SequenceToSequence("gru", hidden_size=3, outputs=2, input_size=1, seed=0)
    assert net(Tensor(np.zeros((2, 7, 1)))).shape == (2, 7, 2)
    with pytest.raises(ValueError, match="either input_size"):
        models.SequenceToSequence("gru", hidden_size=3, outputs=2)


def test_generate_is_seeded_and_sharpened_by_temperature():
    net = to_float64(models.SequenceToSequence("rnn", hidden_size=4, outputs=5, vocabulary=5, seed=0))
    first = models.generate(net, [1, 2], 20, seed=3)
    assert first == models.generate(net, [1, 2], 20, seed=3)
    assert len(first) == 20 and set(first) <= set(range(5))
    assert net.training, "generation leaves the model in the mode it found it"
    greedy = models.generate(net, [1, 2], 20, seed=4, temperature=1e-3)
    assert greedy == models.generate(net, [1, 2], 20, seed=5, temperature=1e-3)
