"""Synthetic handwritten-style digits, drawn by our own code: a stand-in for MNIST that needs no
download.

Each digit 0–9 is a few pen strokes (lines and elliptic arcs) in a unit box, with two or three
styles per digit (a 7 with or without a bar, a 4 open or closed, a 1 with or without a flag and
base). An image is made in four vectorized steps:

1. points are spaced evenly along the strokes, then bent by a gentle random wave (the wobble of a
   hand) and moved by a random affine map: rotation, shear, separate x/y scale, translation;
2. each point drops its ink onto the 28×28 canvas with bilinear weights (one `bincount` for the
   whole batch);
3. a Gaussian blur of random width is the pen; `1 − exp(−ink)` saturates overlapping ink the way
   a felt pen does;
4. Gaussian pixel noise of random strength, clipped to [0, 1].

All of it runs on the host with a seeded numpy Generator, so a seed gives the same images on
every backend. Images are float32 (N, 1, 28, 28) in [0, 1]; labels are int64.
"""

from __future__ import annotations

import math
from functools import lru_cache

from gradtutor.backend import host as np
from gradtutor.train.datasets.core import Dataset

SIZE = 28
POINTS_PER_DIGIT = 128  # samples along all strokes of one digit; spacing ≈ 0.5 px at full size
HEIGHT_PX = 19.0  # a digit's height in pixels before the random scale (MNIST digits are ~20 px)
BLUR_RADIUS = 4  # pixels on each side of the pen's Gaussian kernel


# -- strokes ----------------------------------------------------------------------------------------
def _arc(cx, cy, rx, ry, start_deg, end_deg):
    """Points on an elliptic arc; angles in degrees, y pointing down (90° is the bottom)."""
    count = max(2, int(abs(end_deg - start_deg) / 5) + 1)
    angles = np.radians(np.linspace(start_deg, end_deg, count))
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def _path(*pieces):
    """One stroke from arcs (arrays of points) and single (x, y) corner points, in order."""
    parts = [np.asarray(piece, dtype=float).reshape(-1, 2) for piece in pieces]
    return np.concatenate(parts, axis=0)


# Each digit: a list of styles; each style: a list of strokes (polylines in the unit box).
STYLES = {
    0: [
        [_arc(0.5, 0.5, 0.28, 0.48, -90, 270)],
        [_arc(0.5, 0.5, 0.22, 0.47, -100, 265)],
    ],
    1: [
        [_path((0.5, 0.0), (0.5, 1.0))],
        [_path((0.3, 0.22), (0.52, 0.0), (0.52, 1.0))],
        [_path((0.32, 0.2), (0.52, 0.0), (0.52, 1.0)), _path((0.32, 1.0), (0.72, 1.0))],
    ],
    2: [
        [_path(_arc(0.5, 0.3, 0.28, 0.28, 200, 395), (0.2, 1.0), (0.82, 1.0))],
        [_path(_arc(0.5, 0.28, 0.3, 0.26, 190, 380), (0.18, 0.98), (0.85, 0.96))],
    ],
    3: [
        [_path(_arc(0.48, 0.27, 0.26, 0.24, 200, 450), _arc(0.48, 0.74, 0.3, 0.25, 270, 520))],
        [_path((0.2, 0.02), (0.78, 0.02), (0.45, 0.42), _arc(0.48, 0.7, 0.3, 0.28, 250, 520))],
    ],
    4: [
        [_path((0.62, 1.0), (0.62, 0.0), (0.15, 0.65), (0.85, 0.65))],
        [_path((0.25, 0.0), (0.2, 0.6), (0.82, 0.6)), _path((0.66, 0.05), (0.66, 1.0))],
    ],
    5: [
        [_path((0.78, 0.02), (0.3, 0.02), (0.26, 0.42), _arc(0.48, 0.68, 0.3, 0.3, 225, 510))],
        [_path((0.3, 0.02), (0.26, 0.42), _arc(0.48, 0.68, 0.3, 0.3, 225, 510)), _path((0.3, 0.02), (0.8, 0.02))],
    ],
    6: [
        [_path(_arc(0.62, 0.62, 0.4, 0.6, 280, 160), _arc(0.5, 0.74, 0.27, 0.24, 165, -195))],
        [_path(_arc(0.7, 0.66, 0.45, 0.64, 265, 165), _arc(0.48, 0.76, 0.24, 0.22, 170, -190))],
    ],
    7: [
        [_path((0.15, 0.02), (0.85, 0.02), (0.4, 1.0))],
        [_path((0.15, 0.02), (0.85, 0.02), (0.4, 1.0)), _path((0.35, 0.52), (0.72, 0.52))],
        [_path((0.15, 0.14), (0.15, 0.02), (0.85, 0.02), (0.45, 1.0))],
    ],
    8: [
        [_arc(0.5, 0.26, 0.22, 0.24, -90, 270), _arc(0.5, 0.74, 0.28, 0.26, -90, 270)],
        [_arc(0.5, 0.27, 0.19, 0.22, -90, 270), _arc(0.5, 0.73, 0.26, 0.27, -90, 270)],
    ],
    9: [
        [_arc(0.48, 0.28, 0.27, 0.26, 0, 360), _path((0.75, 0.28), (0.7, 1.0))],
        [_arc(0.46, 0.28, 0.27, 0.26, 0, 360), _arc(0.4, 0.3, 0.33, 0.7, 0, 110)],
    ],
}


def _resample(strokes, count):
    """`count` points spaced evenly (by arc length) along the strokes; and that spacing."""
    lengths = [np.linalg.norm(np.diff(s, axis=0), axis=1) for s in strokes]
    totals = np.array([seg.sum() for seg in lengths])
    # points per stroke in proportion to its length, at least 2, summing to `count`
    shares = np.maximum(2, np.floor(count * totals / totals.sum()).astype(int))
    shares[np.argmax(totals)] += count - shares.sum()
    points = []
    for stroke, seg, share in zip(strokes, lengths, shares):
        along = np.concatenate([[0.0], np.cumsum(seg)])
        where = np.linspace(0.0, along[-1], share)
        points.append(np.stack([np.interp(where, along, stroke[:, 0]), np.interp(where, along, stroke[:, 1])], axis=1))
    return np.concatenate(points), totals.sum() / count


@lru_cache(maxsize=1)
def _templates():
    """Every style resampled: points (S, P, 2), spacing (S,), digit (S,), first style of each digit."""
    points, spacing, digit = [], [], []
    for label in range(10):
        for strokes in STYLES[label]:
            resampled, step = _resample(strokes, POINTS_PER_DIGIT)
            points.append(resampled)
            spacing.append(step)
            digit.append(label)
    return np.stack(points), np.array(spacing), np.array(digit)


# -- rendering ------------------------------------------------------------------------------------
def _affine(rng, n, distortion):
    """(n, 2, 2) maps: rotation · shear · scale; `distortion` scales every random range."""
    angle = np.radians(rng.uniform(-20, 20, n) * distortion)
    shear = rng.uniform(-0.4, 0.4, n) * distortion
    scale_y = 1.0 + rng.uniform(-0.2, 0.14, n) * distortion
    scale_x = scale_y * (1.0 + rng.uniform(-0.28, 0.2, n) * distortion)
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)  # (n, 2, 2)
    shearing = np.zeros((n, 2, 2))
    shearing[:, 0, 0] = shearing[:, 1, 1] = 1.0
    shearing[:, 0, 1] = shear  # x moves with y: slanted handwriting
    scaling = np.zeros((n, 2, 2))
    scaling[:, 0, 0], scaling[:, 1, 1] = scale_x, scale_y
    return rotation @ shearing @ scaling


def _wobble(rng, points, distortion):
    """A smooth random wave through each digit, different per image: (n, P, 2) -> same."""
    n = points.shape[0]
    amplitude = rng.uniform(0.0, 0.05, (n, 1, 2)) * distortion
    frequency = rng.uniform(0.5, 1.6, (n, 1, 2))
    phase = rng.uniform(0.0, 2 * math.pi, (n, 1, 2))
    # x bends with y and y with x
    crossed = points[:, :, ::-1]
    return points + amplitude * np.sin(2 * math.pi * frequency * crossed + phase)


def _splat(xy, weight, n):
    """Bilinear ink deposit of points (n, P, 2) in pixel coordinates -> (n, 28, 28) ink."""
    x, y = xy[..., 0], xy[..., 1]
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = x - x0, y - y0
    image = np.repeat(np.arange(n), xy.shape[1]).reshape(n, -1)  # (n, P): which image each point is in
    ink = np.zeros(n * SIZE * SIZE)
    for dx, dy, share in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        col, row = x0 + dx, y0 + dy
        inside = (col >= 0) & (col < SIZE) & (row >= 0) & (row < SIZE)
        flat = (image * SIZE + row) * SIZE + col
        ink += np.bincount(flat[inside], weights=(share * weight)[inside], minlength=n * SIZE * SIZE)
    return ink.reshape(n, SIZE, SIZE)


def _blur(ink, sigma):
    """Separable Gaussian blur with a different width per image: (n, 28, 28), (n,) -> (n, 28, 28)."""
    offsets = np.arange(-BLUR_RADIUS, BLUR_RADIUS + 1)
    kernel = np.exp(-0.5 * (offsets[None, :] / sigma[:, None]) ** 2)
    kernel = (kernel / kernel.sum(axis=1, keepdims=True)).astype(np.float32)  # (n, K)
    r = BLUR_RADIUS
    padded = np.pad(ink.astype(np.float32), ((0, 0), (r, r), (r, r)))  # (n, 36, 36)
    rows = sum(kernel[:, k, None, None] * padded[:, :, k : k + SIZE] for k in range(2 * r + 1))  # (n, 36, 28)
    return sum(kernel[:, k, None, None] * rows[:, k : k + SIZE, :] for k in range(2 * r + 1))  # (n, 28, 28)


def render(labels, rng, distortion: float = 1.0, noise: float = 0.08):
    """Draw one image per label: int array (n,) -> float32 (n, 1, 28, 28) in [0, 1].

    `distortion` scales all random geometry (0 draws each template straight and centred);
    `noise` is the largest per-image standard deviation of the pixel noise.
    """
    labels = np.asarray(labels, dtype=np.int64)
    n = labels.shape[0]
    templates, spacing, style_digit = _templates()
    # a random style of each image's digit
    counts = np.bincount(style_digit, minlength=10)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    style = first[labels] + np.floor(rng.random(n) * counts[labels]).astype(np.int64)

    points = _wobble(rng, templates[style], distortion) - 0.5  # (n, P, 2), centred on the origin
    maps = _affine(rng, n, distortion) * HEIGHT_PX
    shift = SIZE / 2 - 0.5 + rng.uniform(-2.0, 2.0, (n, 1, 2)) * distortion
    xy = points @ maps.transpose(0, 2, 1) + shift  # (n, P, 2) in pixels
    # a digit pushed past the border is nudged back inside, as a writer keeps to the box
    margin = 1.5
    xy += (np.maximum(0.0, margin - xy.min(axis=1)) - np.maximum(0.0, xy.max(axis=1) - (SIZE - 1 - margin)))[:, None, :]
    step_px = spacing[style] * np.sqrt(np.abs(np.linalg.det(maps)))  # ink per point ∝ stroke length it stands for

    sigma = rng.uniform(0.75, 1.25, n) if distortion else np.full(n, 1.0)
    ink = _blur(_splat(xy, step_px[:, None], n), sigma)
    # a line's peak ink is ≈ 1 / (√(2π)·σ); scaling by √(2π)·σ makes thin and thick pens equally dark
    darkness = rng.uniform(2.0, 3.5, (n, 1, 1)) if distortion else 2.5
    image = 1.0 - np.exp(-darkness * math.sqrt(2 * math.pi) * sigma[:, None, None] * ink)
    image += rng.standard_normal((n, SIZE, SIZE)) * rng.uniform(0.0, noise, (n, 1, 1))
    return np.clip(image, 0.0, 1.0).astype(np.float32)[:, None, :, :]  # (n, 1, 28, 28)


CHUNK = 1024  # images rendered together: large enough to vectorize, small enough to stay in cache


def digits(n: int = 6000, seed: int = 0, distortion: float = 1.0, noise: float = 0.08) -> Dataset:
    """n images with balanced, shuffled labels: x float32 (n, 1, 28, 28), y int64 (n,).

    Use different seeds for training and held-out sets: every image is new either way."""
    if n < 1:
        raise ValueError(f"digits needs n >= 1, got {n}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    images = [render(labels[i : i + CHUNK], rng, distortion=distortion, noise=noise) for i in range(0, n, CHUNK)]
    return Dataset("digits", np.concatenate(images), labels, "classes", 10)
