"""Learning-rate schedules: start with a large step, take smaller ones as training settles.

Each schedule is a small object with `lr_at(epoch)` (epoch counts from 0) and is callable the
same way. A training loop sets `optimizer.lr = schedule(epoch)` at the start of each epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class Schedule:
    """The shared call: schedule(epoch) is schedule.lr_at(epoch)."""

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def __call__(self, epoch: int) -> float:
        return self.lr_at(epoch)


@dataclass(frozen=True)
class Constant(Schedule):
    """η_e = η₀"""

    lr: float

    def lr_at(self, epoch: int) -> float:
        return self.lr


@dataclass(frozen=True)
class StepDecay(Schedule):
    """η_e = η₀ · drop^⌊e / every⌋ — e.g. halve the rate every 10 epochs."""

    lr: float
    drop: float = 0.5
    every: int = 10

    def __post_init__(self):
        if self.every < 1:
            raise ValueError(f"StepDecay needs every >= 1, got {self.every}")

    def lr_at(self, epoch: int) -> float:
        return self.lr * self.drop ** (epoch // self.every)


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """η_e = η₀ · e^(−k·e)"""

    lr: float
    k: float = 0.1

    def lr_at(self, epoch: int) -> float:
        return self.lr * math.exp(-self.k * epoch)


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """η_e = η₀ / (1 + k·e) — the 1/t schedule."""

    lr: float
    k: float = 0.1

    def lr_at(self, epoch: int) -> float:
        return self.lr / (1.0 + self.k * epoch)


@dataclass(frozen=True)
class CosineDecay(Schedule):
    """η_e = η_min + ½·(η₀ − η_min)·(1 + cos(π·e / total)), held at η_min after `total` epochs."""

    lr: float
    total: int
    min_lr: float = 0.0

    def __post_init__(self):
        if self.total < 1:
            raise ValueError(f"CosineDecay needs total >= 1 epochs, got {self.total}")

    def lr_at(self, epoch: int) -> float:
        progress = min(epoch, self.total) / self.total
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + math.cos(math.pi * progress))


SCHEDULES = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "inverse-time": InverseTimeDecay,
    "cosine": CosineDecay,
}


def make(name: str, lr: float, epochs: int):
    """A schedule by its CLI name, with defaults scaled to a run of `epochs` epochs."""
    key = name.lower()
    if key == "constant":
        return Constant(lr)
    if key == "step":
        return StepDecay(lr, drop=0.5, every=max(1, epochs // 3))
    if key == "exponential":
        return ExponentialDecay(lr, k=3.0 / max(1, epochs))  # ends near η₀·e⁻³ ≈ η₀/20
    if key == "inverse-time":
        return InverseTimeDecay(lr, k=9.0 / max(1, epochs))  # ends near η₀/10
    if key == "cosine":
        return CosineDecay(lr, total=max(1, epochs))
    raise ValueError(f"unknown schedule {name!r}; choose one of: {', '.join(SCHEDULES)}")
