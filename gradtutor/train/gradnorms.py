"""How large the gradient is at each layer after one backward pass: the residual path as a
gradient highway, measured.

`gradient_norms(model, x, y)` runs one forward and backward pass (training mode, the classifier's
loss) and returns, for every weight layer on the main path from input to output, the length of
the loss's gradient with respect to that layer's weights. Shortcut projections (1×1
convolutions beside a block) are not on that path and are left out, so a ResNet and its plain
twin list the same layers. `compare(...)` does it for both twins on one seeded batch of the
synthetic digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gradtutor import backend


@dataclass(frozen=True, slots=True)
class LayerGradient:
    name: str  # the weight's dotted name in the model: "blocks.layers.0.conv1.weight"
    shape: tuple[int, ...]
    norm: float  # ‖∂L/∂W‖, the square root of the sum of squares
    where: tuple  # for a screen: ("stem",), ("block", 3, 1) for block 3's conv1, ("affine",)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The same layers of two networks, gradient norm by gradient norm."""

    plain: tuple[LayerGradient, ...]
    residual: tuple[LayerGradient, ...]
    batch: int  # examples in the batch the backward pass ran on
    seed: int


def main_path_weights(model) -> list[tuple[str, object]]:
    """(dotted name, weight) of each convolution and affine layer outside the shortcuts, input first."""
    return [(name, p) for name, p in model.named_parameters()
            if p.ndim >= 2 and "shortcut" not in name.split(".")]


def gradient_norms(model, x, y) -> list[LayerGradient]:
    """One forward and backward pass of a classifier on images x and labels y (host arrays), in
    training mode, with the loss it trains on (softmax cross-entropy); each main-path layer's
    ‖∂L/∂W‖."""
    from gradtutor.tensor import softmax_cross_entropy
    from gradtutor.train.layers import as_input

    model.train()
    loss = softmax_cross_entropy(model(as_input(backend.to_device(x))), backend.to_device(y))
    loss.backward()
    return [LayerGradient(name, tuple(p.shape), math.sqrt(float((p.grad * p.grad).sum())), _where(name, p))
            for name, p in main_path_weights(model)]


def _where(name: str, weight) -> tuple:
    """Where a weight sits, in words a screen can translate: a block's convolutions by number."""
    parts = name.split(".")
    if "conv1" in parts or "conv2" in parts:  # blocks.layers.<i>.conv<j>.weight
        block = next(int(part) for part in parts if part.isdigit())
        return ("block", block + 1, 1 if "conv1" in parts else 2)
    if weight.ndim == 2:
        return ("affine",)
    return ("stem",)  # the one convolution before the blocks


# Residual blocks per stage for the comparison: 6 gives 26 weight layers on the main path, deep
# enough that the plain net's norms spread over more than a factor of ten (seed 0: about 50).
DEPTH_BLOCKS = 6
BATCH = 32


def compare(blocks: int = DEPTH_BLOCKS, batch: int = BATCH, seed: int = 0) -> Comparison:
    """A ResNet and its plain twin (same seed, so the same weights wherever both have the
    layer), one backward pass each on the same `batch` synthetic digits drawn with `seed`."""
    from gradtutor.train.datasets import digits
    from gradtutor.train.models import ResNet

    data = digits(n=batch, seed=seed)
    plain = gradient_norms(ResNet(blocks=blocks, residual=False, seed=seed), data.x, data.y)
    residual = gradient_norms(ResNet(blocks=blocks, residual=True, seed=seed), data.x, data.y)
    return Comparison(tuple(plain), tuple(residual), batch, seed)


def spread(gradients) -> float:
    """The largest ‖∂L/∂W‖ over the smallest: 1 when every layer gets the same."""
    norms = [g.norm for g in gradients]
    return max(norms) / min(norms)


def rows(comparison: Comparison) -> list[tuple[tuple, float, float]]:
    """(where, plain norm, residual norm) per layer: what gradtutor.render.gradnorms shows."""
    return [(plain.where, plain.norm, residual.norm) for plain, residual in zip(comparison.plain, comparison.residual)]
