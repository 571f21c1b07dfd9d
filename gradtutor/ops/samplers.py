"""Random points inside each op's domain, for the gradient checks (tests/test_ops_*.py).

Scalar samplers take a `random.Random`; tensor samplers take a numpy Generator, so this module
still imports no array library: the arrays come from the generator itself (float64, on the host).
"""

from __future__ import annotations

import random

def uniform(lo, hi, n=1, avoid=()):
    """n floats in [lo, hi], each at least 0.05 away from every point in `avoid` (kinks)."""

    def draw(rng: random.Random):
        xs = []
        while len(xs) < n:
            x = rng.uniform(lo, hi)
            if all(abs(x - a) > 0.05 for a in avoid):
                xs.append(x)
        return tuple(xs), None

    return draw


def apart(rng: random.Random):
    """Two floats at least 0.05 apart, so max/min are differentiable there."""
    while True:
        x, y = rng.uniform(-5, 5), rng.uniform(-5, 5)
        if abs(x - y) > 0.05:
            return (x, y), None


def power_sample(rng: random.Random):
    c = rng.choice([2, 3, -1, 0.5, 1.5, -2])
    return (rng.uniform(0.2, 4.0),), c



# -- tensor samplers: random shapes for the tensor gradient checks ---------------------------
# rng is a numpy Generator, so this module still imports no array library: the arrays come from
# the generator itself (float64, on the host).


def random_shape(rng, min_ndim=0, max_ndim=3) -> tuple[int, ...]:
    ndim = int(rng.integers(min_ndim, max_ndim + 1))
    return tuple(int(n) for n in rng.integers(1, 5, size=ndim))


def broadcast_pair(rng):
    """Two shapes that broadcast together: a full shape, and one with leading axes dropped and
    some axes set to 1. Which input gets the smaller shape is random."""
    full = random_shape(rng)
    small = full[int(rng.integers(0, len(full) + 1)):]
    small = tuple(1 if rng.random() < 0.4 else n for n in small)
    return (full, small) if rng.random() < 0.5 else (small, full)


def elementwise(*fills, param=None):
    """A tensor sampler for an elementwise op: fills[i](rng, shape) makes input i; binary ops
    get a broadcasting pair of shapes. `param(rng)` draws the op's parameter, if it has one."""

    def sample(rng):
        shapes = (random_shape(rng),) if len(fills) == 1 else broadcast_pair(rng)
        xs = tuple(fill(rng, shape) for fill, shape in zip(fills, shapes))
        return xs, (param(rng) if param else None)

    return sample


def between(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, size=shape)


def nonzero(lo, hi):
    """Magnitudes in [lo, hi] with random signs: away from the kink or pole at 0."""
    return lambda rng, shape: rng.choice([-1.0, 1.0], size=shape) * rng.uniform(lo, hi, size=shape)


def on_grid(offset):
    """Integers + offset. max and min sample x on the integers + 0.25 and y on the integers,
    so no pair ties even after broadcasting."""
    return lambda rng, shape: rng.integers(-4, 5, size=shape) + offset

