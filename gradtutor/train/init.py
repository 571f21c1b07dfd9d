"""Weight initializers: how large the starting weights are decides whether signals survive depth.

Every initializer has the signature `init(shape, fan_in=None, fan_out=None, rng=None)` and
returns a float32 array of the active backend. Numbers are drawn on the host from a seeded
`numpy.random.Generator` (or an int seed) and then moved to the device, so the same seed gives
the same weights on numpy, CuPy and the test stand-in.

fan_in / fan_out default to what `fans(shape)` reads from the shape:
    (in, out)                      a Linear weight used as x @ W
    (out_ch, in_ch, kh, kw)        a Conv2d weight: fan_in = in_ch·kh·kw, fan_out = out_ch·kh·kw

The rules (std = standard deviation):
    small    std = 0.01                      fine for shallow nets; deep tanh nets collapse to 0
    large    std = 0.5 (`scale`)             deep tanh nets saturate at ±1
    xavier   std = √(2 / (fan_in + fan_out)) keeps activation variance for tanh / sigmoid
    xavier-uniform  U(−a, a), a = √(6 / (fan_in + fan_out)), the same variance
    he       std = √(2 / fan_in)             ReLU zeroes half the signal, so twice the variance
    he-uniform      U(−a, a), a = √(6 / fan_in)
"""

from __future__ import annotations

import math

from gradtutor import backend


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape (see the module doc for the layouts)."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[2:])  # kh·kw for a conv kernel
    return shape[1] * receptive, shape[0] * receptive


def generator(rng):
    """A host numpy Generator from a Generator (returned as is), an int seed, or None."""
    if isinstance(rng, backend.host.random.Generator):
        return rng
    return backend.host.random.default_rng(rng)


def _resolve(shape, fan_in, fan_out):
    default_in, default_out = fans(shape)
    return (default_in if fan_in is None else fan_in), (default_out if fan_out is None else fan_out)


def _normal(shape, std, rng):
    values = generator(rng).standard_normal(tuple(shape)) * std
    return backend.to_device(values.astype(backend.host.float32))


def _uniform(shape, limit, rng):
    values = generator(rng).uniform(-limit, limit, size=tuple(shape))
    return backend.to_device(values.astype(backend.host.float32))


def small_gaussian(shape, fan_in=None, fan_out=None, rng=None, scale: float = 0.01):
    """N(0, scale²) with scale 0.01."""
    return _normal(shape, scale, rng)


def large_gaussian(shape, fan_in=None, fan_out=None, rng=None, scale: float = 0.5):
    """N(0, scale²) with scale 0.5."""
    return _normal(shape, scale, rng)


def xavier_normal(shape, fan_in=None, fan_out=None, rng=None):
    """N(0, 2 / (fan_in + fan_out)) — Glorot and Bengio."""
    fan_in, fan_out = _resolve(shape, fan_in, fan_out)
    return _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng)


def xavier_uniform(shape, fan_in=None, fan_out=None, rng=None):
    """U(−a, a) with a = √(6 / (fan_in + fan_out)): variance 2 / (fan_in + fan_out)."""
    fan_in, fan_out = _resolve(shape, fan_in, fan_out)
    return _uniform(shape, math.sqrt(6.0 / (fan_in + fan_out)), rng)


def he_normal(shape, fan_in=None, fan_out=None, rng=None):
    """N(0, 2 / fan_in) — He et al. (Kaiming), for ReLU layers."""
    fan_in, _ = _resolve(shape, fan_in, fan_out)
    return _normal(shape, math.sqrt(2.0 / fan_in), rng)


def he_uniform(shape, fan_in=None, fan_out=None, rng=None):
    """U(−a, a) with a = √(6 / fan_in): variance 2 / fan_in."""
    fan_in, _ = _resolve(shape, fan_in, fan_out)
    return _uniform(shape, math.sqrt(6.0 / fan_in), rng)


def zeros(shape, fan_in=None, fan_out=None, rng=None):
    """All zeros (biases)."""
    return backend.xp().zeros(tuple(shape), dtype=backend.xp().float32)


INITIALIZERS = {
    "small": small_gaussian,
    "large": large_gaussian,
    "xavier": xavier_normal,
    "xavier-uniform": xavier_uniform,
    "he": he_normal,
    "he-uniform": he_uniform,
    "zeros": zeros,
}


def get(name: str):
    """An initializer by its CLI name."""
    try:
        return INITIALIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; choose one of: {', '.join(INITIALIZERS)}") from None
