"""Initializers: the spread each rule promises, float32 on every backend, same seed same numbers."""

import math

import numpy as np
import pytest

from gradtutor import backend
from gradtutor.train import init

FAN_IN, FAN_OUT = 400, 200
EXPECTED_STD = {
    "small": 0.01,
    "large": 0.5,
    "xavier": math.sqrt(2 / (FAN_IN + FAN_OUT)),
    "xavier-uniform": math.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he": math.sqrt(2 / FAN_IN),
    "he-uniform": math.sqrt(2 / FAN_IN),
}


@pytest.mark.parametrize("name", list(EXPECTED_STD))
def test_spread_matches_the_rule(xp, name):
    weights = init.get(name)((FAN_IN, FAN_OUT), rng=7)
    assert isinstance(weights, xp.ndarray) and weights.dtype == np.float32
    host = backend.to_host(weights).astype(np.float64)
    assert abs(host.mean()) < 0.01 * EXPECTED_STD[name] * 10
    assert host.std() == pytest.approx(EXPECTED_STD[name], rel=0.02)
    if name.endswith("uniform"):
        limit = math.sqrt(3) * EXPECTED_STD[name]
        assert host.max() <= limit and host.min() >= -limit and host.max() > 0.99 * limit


def test_conv_shapes_count_the_receptive_field():
    assert init.fans((16, 6, 5, 5)) == (150, 400)
    assert init.fans((784, 256)) == (784, 256)
    backend.use("numpy")
    kernel = init.he_normal((64, 8, 3, 3), rng=0)
    assert kernel.shape == (64, 8, 3, 3)
    assert kernel.std() == pytest.approx(math.sqrt(2 / 72), rel=0.03)
    # explicit fans win over the shape
    assert init.xavier_normal((300, 300), fan_in=100, fan_out=100, rng=0).std() == pytest.approx(0.1, rel=0.03)


def test_same_seed_same_numbers_on_every_backend(xp):
    backend.use("numpy")
    reference = init.xavier_uniform((5, 7), rng=42)
    backend.use(xp)
    again = init.xavier_uniform((5, 7), rng=np.random.default_rng(42))
    np.testing.assert_array_equal(backend.to_host(again), reference)
    assert not np.array_equal(backend.to_host(init.xavier_uniform((5, 7), rng=43)), reference)


def test_depth_experiment_from_the_notes():
    """Ten tanh layers of width 500: small weights shrink activations towards 0, large ones pin
    them at ±1, Xavier keeps them spread out."""
    backend.use("numpy")
    rng = np.random.default_rng(0)
    spread = {}
    for name in ("small", "large", "xavier"):
        x = rng.standard_normal((200, 500)).astype(np.float32)
        for _ in range(10):
            x = np.tanh(x @ init.get(name)((500, 500), rng=rng))
        spread[name] = (float(np.abs(x).mean()), float((np.abs(x) > 0.99).mean()))
    assert spread["small"][0] < 1e-6
    assert spread["large"][1] > 0.5
    assert 0.1 < spread["xavier"][0] < 0.7 and spread["xavier"][1] < 0.05


def test_zeros_and_unknown_names(xp):
    bias = init.zeros((3,))
    assert isinstance(bias, xp.ndarray) and bias.dtype == np.float32
    assert backend.to_host(bias).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="unknown initializer 'orthogonal'; choose one of: small, large"):
        init.get("orthogonal")
