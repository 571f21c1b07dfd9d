"""The transformer: its layers' gradients, the reverse task, the greedy read-back, the
attention map (terminal and file) and `gradtutor train transformer` end to end."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gradtutor.render.attention import map_dot, terminal_map
from gradtutor.tensor import Tensor
from gradtutor.train import command as C
from gradtutor.train import datasets, layers, models
from render_golden import console_text


def test_reverse_data_asks_for_the_string_backwards():
    """The transformer reads the reverse task as one prompted stream: question, "=", answer."""
    data = datasets.prompted(datasets.reverse(n=5, length=4, seed=2))
    assert data.x.shape == data.y.shape == (5, 8) and data.n_classes == 11
    for x, y in zip(data.x, data.y):
        digits = x[:4]
        assert x[4] == 10 and list(y[:4]) == [10] * 4  # the separator; blanks while digits come
        assert list(y[4:]) == list(digits[::-1])  # then the digits backwards
        assert list(x[5:]) == list(digits[::-1][:-1])  # fed back one step late
    assert np.array_equal(datasets.prompted(datasets.reverse(n=5, length=4, seed=2)).x, data.x)


def test_a_block_is_gradient_checked_through_the_engine():
    """The block's layers (affine, split heads, fused attention, merge, layer norm, residuals)
    against central differences in float64."""
    block = layers.TransformerBlock(4, 2, hidden=6, rng=0)
    for p in block.parameters():
        p.data = p.data.astype(np.float64) + np.random.default_rng(1).normal(size=p.shape) * 0.1
    x0 = np.random.default_rng(2).normal(size=(2, 3, 4))
    weights = np.random.default_rng(3).normal(size=(2, 3, 4))

    def loss(x):
        return float((block(Tensor(x, dtype="float64")).numpy() * weights).sum())

    x = Tensor(x0, dtype="float64")
    out = block(x)
    out.backward(weights)
    numeric = np.zeros_like(x0)
    for index in np.ndindex(x0.shape):
        plus, minus = x0.copy(), x0.copy()
        plus[index] += 1e-6
        minus[index] -= 1e-6
        numeric[index] = (loss(plus) - loss(minus)) / 2e-6
    np.testing.assert_allclose(x.grad, numeric, rtol=1e-5, atol=1e-7)
    assert all(p.grad is not None and np.any(p.grad != 0) for p in block.parameters())


def test_causal_attention_never_looks_ahead():
    model = models.Transformer(11, 11, dim=8, heads=2, blocks=1, context=16, seed=0)
    ids = np.array([[1, 2, 3, 4, 5, 6]])
    first = model(ids).numpy()
    changed = ids.copy()
    changed[0, 4:] = 9  # a later token changes …
    second = model(changed).numpy()
    np.testing.assert_allclose(first[0, :4], second[0, :4], atol=1e-6)  # … the earlier outputs do not
    (weights,) = model.attention_maps()
    assert weights.shape == (1, 2, 6, 6) and np.all(np.triu(weights[0, 0], k=1) == 0)


def test_reverse_trains_and_reads_its_answers_back():
    run = C.prepare(C.TrainConfig(model="transformer", data="reverse", samples=1200, length=4, epochs=6))
    result = C.train(run)
    assert result.sequence_accuracy is not None and result.sequence_accuracy > 0.9
    assert result.metrics()["sequence_accuracy"] == result.sequence_accuracy
    assert C.sequence_accuracy(run) == result.sequence_accuracy
    tokens, weights = C.attention_map(run)
    assert len(tokens) == 8 and tokens[4] == "=" and weights.shape == (2, 4, 8, 8)
    np.testing.assert_allclose(weights.sum(axis=-1), 1, rtol=1e-5)
    text = console_text(terminal_map(tokens, weights, "reverse"), width=200)
    assert "block 2, head 4" in text and "█" in text
    dot = map_dot(tokens, weights, "reverse")
    assert dot.count("<TABLE") == 8 and 'BGCOLOR="#' in dot


def gradtutor(*args):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def test_train_transformer_command_with_the_attention_map(tmp_path):
    out = tmp_path / "map.svg"
    result = gradtutor("train", "transformer", "--samples", "100", "--length", "3", "--epochs", "1", "--hidden", "8",
                       "--attention-map", "--attention-plot", str(out))
    assert result.returncode == 0, result.stderr
    assert "row = query position" in result.stdout and "block 1, head 1" in result.stdout
    assert "whole sequences right (greedy decoding)" in result.stdout
    assert out.exists() and "<svg" in out.read_text(encoding="utf-8")
    result = gradtutor("train", "transformer", "--data", "chars", "--length", "16", "--epochs", "1", "--hidden", "8",
                       "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["test_loss"] > 0 and "sequence_accuracy" not in figures


@pytest.mark.parametrize("args, message", [
    (["lstm", "--data", "chars", "--attention-map"], "the lstm model has none"),
    (["transformer", "--attention-plot", "map.txt"], "use a .svg or .png file name"),
    (["transformer", "--data", "adding"], "does not train on 'adding'"),
])
def test_bad_requests_are_one_line(args, message):
    result = gradtutor("train", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_the_recipes_a_model_brings_and_what_the_user_sets_wins():
    chars = C.resolve(C.TrainConfig(model="transformer", data="chars"))
    assert chars.schedule == "cosine" and chars.settings["dropout"] == 0.1 and chars.settings["hidden"] == 64
    assert C.resolve(C.TrainConfig(model="transformer", data="chars", schedule="constant")).schedule == "constant"
    assert C.resolve(C.TrainConfig(model="lstm", data="chars")).schedule == "constant"  # other models: unchanged
    assert C.resolve(C.TrainConfig(model="lstm", data="chars")).settings["hidden"] == 128
    reverse = C.resolve(C.TrainConfig(model="transformer"))
    assert reverse.data == "reverse" and reverse.settings["length"] == 8 and reverse.settings["dropout"] == 0.0
