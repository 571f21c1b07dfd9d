"""Small 2-D classification sets: XOR, spiral, moons, circles. Seeded, float32 points, int64 labels."""

from __future__ import annotations

import math

from gradtutor.backend import host as np
from gradtutor.train.datasets.core import Dataset, check_counts


def xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Points around the four corners of the unit square; label = x₁ XOR x₂.

    n=4 and noise=0 give the truth table itself: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0.
    No straight line separates the classes, so a network without a non-linearity cannot.
    """
    check_counts("xor", n=n)
    rng = np.random.default_rng(seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.int64)
    which = np.arange(n) % 4
    if n > 4:
        which = rng.permutation(which)
    bits = corners[which]
    x = bits + rng.normal(0.0, noise, (n, 2)) if noise else bits.astype(float)
    return Dataset("xor", x.astype(np.float32), (bits[:, 0] ^ bits[:, 1]).astype(np.int64), "classes", 2)


def spiral(per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Dataset:
    """`classes` arms of a spiral, `per_class` points each: radius grows 0 → 1 while the angle
    turns 4 radians, with Gaussian noise on the angle. Not linearly separable."""
    check_counts("spiral", per_class=per_class, classes=classes)
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, per_class), classes)
    arm = np.repeat(np.arange(classes), per_class)
    angle = np.linspace(0.0, 4.0, per_class)[None, :] + 4.0 * np.arange(classes)[:, None]
    angle = angle.reshape(-1) + rng.normal(0.0, noise, classes * per_class)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return Dataset("spiral", x.astype(np.float32), arm.astype(np.int64), "classes", classes)


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaved half circles: the upper one (class 0) and a lower one shifted right (class 1)."""
    check_counts("moons", n=n)
    rng = np.random.default_rng(seed)
    label = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.0, math.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(label[:, None] == 0, upper, lower) + rng.normal(0.0, noise, (n, 2))
    return Dataset("moons", x.astype(np.float32), label.astype(np.int64), "classes", 2)


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A small circle (class 1, radius `factor`) inside a unit circle (class 0)."""
    check_counts("circles", n=n)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles needs 0 < factor < 1, got {factor}")
    rng = np.random.default_rng(seed)
    label = rng.permutation(np.arange(n) % 2)
    t = rng.uniform(0.0, 2 * math.pi, n)
    radius = np.where(label == 1, factor, 1.0)
    x = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1) + rng.normal(0.0, noise, (n, 2))
    return Dataset("circles", x.astype(np.float32), label.astype(np.int64), "classes", 2)
