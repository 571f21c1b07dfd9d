"""Datasets: shapes and dtypes, the facts each task promises, seeds, splits and device batches."""

import math

import numpy as np
import pytest

from gradtutor import backend
from gradtutor.train import datasets
from gradtutor.train.datasets.digits import render as render_digits


# -- toy sets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["xor", "spiral", "moons", "circles"])
def test_toy_sets_are_seeded_float32_points_with_int64_labels(name):
    a, b, c = datasets.load(name, seed=1), datasets.load(name, seed=1), datasets.load(name, seed=2)
    assert a.x.dtype == np.float32 and a.x.ndim == 2 and a.x.shape[1] == 2
    assert a.y.dtype == np.int64 and a.y.shape == (len(a.x),)
    assert a.kind == "classes" and set(np.unique(a.y)) == set(range(a.n_classes))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    counts = np.bincount(a.y)
    assert counts.max() - counts.min() <= 1  # balanced


def test_xor_truth_table():
    table = datasets.xor(n=4, noise=0.0)
    assert sorted(zip(map(tuple, table.x.tolist()), table.y.tolist())) == [
        ((0.0, 0.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1), ((1.0, 1.0), 0)]


def test_spiral_arms_grow_from_the_centre():
    spiral = datasets.spiral(per_class=50, classes=4, noise=0.0)
    radius = np.hypot(spiral.x[:, 0], spiral.x[:, 1])
    for arm in range(4):
        np.testing.assert_allclose(radius[spiral.y == arm], np.linspace(0, 1, 50), atol=1e-6)
    assert len(spiral) == 200 and spiral.n_classes == 4


def test_moons_and_circles_geometry():
    circles = datasets.circles(n=400, noise=0.0, factor=0.3)
    radius = np.hypot(*circles.x.T)
    np.testing.assert_allclose(radius[circles.y == 1], 0.3, atol=1e-6)
    np.testing.assert_allclose(radius[circles.y == 0], 1.0, atol=1e-6)
    moons = datasets.moons(n=400, noise=0.0)
    upper, lower = moons.x[moons.y == 0], moons.x[moons.y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    assert upper[:, 1].min() >= -1e-6 and lower[:, 1].max() <= 0.5 + 1e-6


# -- digits -------------------------------------------------------------------------------------
def test_digits_images():
    data = datasets.digits(n=300, seed=3)
    assert data.x.shape == (300, 1, 28, 28) and data.x.dtype == np.float32
    assert data.y.dtype == np.int64 and np.bincount(data.y).tolist() == [30] * 10
    assert 0.0 <= data.x.min() and data.x.max() <= 1.0
    ink = data.x.mean(axis=(1, 2, 3))
    assert ink.min() > 0.04 and ink.max() < 0.5  # every image has a stroke, none is a blot
    np.testing.assert_array_equal(data.x, datasets.digits(n=300, seed=3).x)
    assert not np.array_equal(data.x, datasets.digits(n=300, seed=4).x)


def test_digit_templates_fit_the_canvas_and_differ():
    straight = render_digits(np.arange(10), np.random.default_rng(0), distortion=0.0, noise=0.0)
    border = np.concatenate([straight[:, 0, :2].ravel(), straight[:, 0, -2:].ravel(),
                             straight[:, 0, :, :2].ravel(), straight[:, 0, :, -2:].ravel()])
    assert border.max() < 0.05  # nothing drawn over the edge
    flat = straight.reshape(10, -1)
    distances = np.linalg.norm(flat[:, None] - flat[None, :], axis=2)
    assert distances[~np.eye(10, dtype=bool)].min() > 2.0  # every pair of digits looks different


def test_digits_need_generalisation_but_are_learnable():
    """Nearest class mean: well above chance on new images, far from perfect (the distortions
    matter). A CNN must learn the shapes, not memorise pixels."""
    train, test = datasets.digits(n=1000, seed=1), datasets.digits(n=300, seed=2)
    means = np.stack([train.x[train.y == k].reshape(-1, 784).mean(0) for k in range(10)])
    guess = np.argmin(((test.x.reshape(-1, 1, 784) - means[None]) ** 2).sum(2), axis=1)
    accuracy = (guess == test.y).mean()
    assert 0.4 < accuracy < 0.95


# -- sequence tasks -----------------------------------------------------------------------------
def test_adding_problem():
    task = datasets.adding(n=20000, length=30, seed=0)
    assert task.x.shape == (20000, 30, 2) and task.x.dtype == np.float32
    assert task.y.shape == (20000, 1) and task.y.dtype == np.float32 and task.kind == "regression"
    markers = task.x[:, :, 1]
    assert (markers.sum(1) == 2).all()
    assert (markers[:, :15].sum(1) == 1).all() and (markers[:, 15:].sum(1) == 1).all()
    np.testing.assert_allclose(task.y[:, 0], (task.x[:, :, 0] * markers).sum(1), rtol=1e-6)
    baseline = float(((task.y - task.y.mean()) ** 2).mean())
    assert baseline == pytest.approx(task.info["baseline_mse"], abs=0.01)
    assert task.info["baseline_mse"] == pytest.approx(0.1667, abs=1e-3)


def test_copy_task():
    task = datasets.copy(n=50, length=4, delay=3, symbols=5, seed=0)
    blank, go = 5, 6
    assert task.x.shape == task.y.shape == (50, 11) and task.x.dtype == task.y.dtype == np.int64
    assert (task.x[:, 7] == go).all() and (task.x[:, 4:7] == blank).all() and (task.x[:, 8:] == blank).all()
    assert (task.y[:, :7] == blank).all()
    np.testing.assert_array_equal(task.y[:, 7:], task.x[:, :4])
    assert task.n_classes == 6 and task.info["vocab"] == 7
    hot = datasets.one_hot(task.x, task.info["vocab"])
    assert hot.shape == (50, 11, 7) and hot.dtype == np.float32 and (hot.sum(-1) == 1).all()
    with pytest.raises(ValueError, match="0..6"):
        datasets.one_hot(task.x, 6)


def test_parity():
    task = datasets.parity(n=100, length=7, seed=0)
    bits = task.x[:, :, 0].astype(int)
    assert task.y.tolist() == (bits.sum(1) % 2).tolist() and task.kind == "classes"
    running = datasets.parity(n=100, length=7, seed=0, running=True)
    np.testing.assert_array_equal(running.y, np.cumsum(bits, 1) % 2)
    assert running.kind == "sequence-classes"


# -- the character corpus -----------------------------------------------------------------------
def test_corpus_and_char_windows():
    text = datasets.corpus_text()
    assert 20_000 <= len(text.encode()) <= 40_000 and text.isascii()
    for topic in ("gradient", "graph", "gate", "apple", "tax"):
        assert text.count(topic) >= 10, topic
    data = datasets.char_windows(length=32, stride=16)
    vocab = data.info["vocab"]
    assert vocab.decode(vocab.encode(text)) == text
    assert data.x.dtype == data.y.dtype == np.int64 and data.x.shape[1] == 32
    np.testing.assert_array_equal(data.x[:, 1:], data.y[:, :-1])  # y is x shifted by one character
    np.testing.assert_array_equal(data.x[1, :16], data.x[0, 16:])  # stride 16
    assert vocab.decode(data.x[0]) == text[:32] and vocab.decode(data.y[0]) == text[1:33]
    assert data.info["uniform_loss"] == pytest.approx(math.log(len(vocab))) and data.n_classes == len(vocab)
    with pytest.raises(ValueError, match="'é' is not in the vocabulary"):
        vocab.encode("café")
    with pytest.raises(ValueError, match="too few"):
        datasets.char_windows("abc", length=8)


# -- IDX files ----------------------------------------------------------------------------------
def test_split_is_seeded_and_disjoint():
    data = datasets.spiral(per_class=40)
    data.x[:, 0] = np.arange(len(data))  # tag each example so the parts can be compared
    train, test = datasets.split(data, test_fraction=0.25, seed=5)
    assert len(train) == 90 and len(test) == 30
    assert sorted(train.x[:, 0].tolist() + test.x[:, 0].tolist()) == list(range(120))
    again, _ = datasets.split(data, test_fraction=0.25, seed=5)
    np.testing.assert_array_equal(train.x, again.x)
    with pytest.raises(ValueError, match="test_fraction"):
        datasets.split(data, test_fraction=1.0)


@pytest.mark.parametrize("drop_last", [False, True])
def test_batches_cover_each_example_once_per_epoch(xp, drop_last):
    x = np.arange(10, dtype=np.float32)[:, None] * np.ones((1, 3), dtype=np.float32)
    y = np.arange(10, dtype=np.int64)
    batches = datasets.Batches(x, y, batch_size=4, seed=0, drop_last=drop_last)
    assert len(batches) == (2 if drop_last else 3)
    epochs = []
    for _ in range(2):
        seen = []
        for xb, yb in batches:
            assert isinstance(xb, xp.ndarray) and isinstance(yb, xp.ndarray)
            assert xb.dtype == np.float32 and yb.dtype == np.int64 and xb.shape[1:] == (3,)
            labels = backend.to_host(yb).tolist()
            assert backend.to_host(xb)[:, 0].tolist() == labels  # x and y stay paired
            seen += labels
        assert len(seen) == (8 if drop_last else 10) and len(set(seen)) == len(seen)
        epochs.append(seen)
    assert epochs[0] != epochs[1]  # a new order each epoch
    first = [backend.to_host(yb).tolist() for _, yb in datasets.Batches(x, y, 4, seed=0, drop_last=drop_last)]
    assert sum(first, []) == epochs[0]  # the seed fixes the order
    ordered = [backend.to_host(yb).tolist() for _, yb in datasets.Batches(x, y, 4, shuffle=False)]
    assert ordered == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_unknown_names_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'; choose one of: xor, spiral"):
        datasets.load("mnist")
    with pytest.raises(ValueError, match="batch_size"):
        datasets.Batches(np.zeros(3), np.zeros(3), 0)
    with pytest.raises(ValueError, match="spiral needs classes >= 1"):
        datasets.spiral(classes=0)
    with pytest.raises(ValueError, match="3 inputs but 2 targets"):
        datasets.Dataset("bad", np.zeros(3), np.zeros(2), "classes")
