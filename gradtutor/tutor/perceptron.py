"""A single neuron trained one example at a time: Rosenblatt's perceptron or the delta rule.

Both rules make the same move, w ← w + η·(t − f)·x and b ← b + η·(t − f), and differ in f:

    perceptron  f = the class the neuron gives x   (only a misclassified point moves w)
    delta       f = w·x + b                   (Widrow–Hoff: every point moves w by its error;
                                               the step down the gradient of ½(t − f)²)

The perceptron's move is Rosenblatt's four cases: a point of the positive class (t = 1) with
w·x + b ≤ 0 is added to w, a point of the negative class (t = 0) with w·x + b ≥ 0 is
subtracted, every other point leaves w alone. A point on the line (w·x + b = 0) counts as
misclassified for both classes, so the rule cannot stop with a point on its line. The data sets: the corners of the unit square
labelled by `and`, `or` or `xor`; `separable`, seeded points on either side of a line with a
margin; `line`, seeded points t = 2x + 1 + noise for regression. Points are visited in the same
order every epoch, so a run is the same every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DATA = ("and", "or", "xor", "separable", "line")
RULES = ("perceptron", "delta")
CORNERS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "xor": (0, 1, 1, 0)}


class NeuronError(ValueError):
    """A perceptron spec that cannot be run (one line)."""


@dataclass(frozen=True)
class Neuron:
    family = "perceptron"
    name: str
    data: str
    rule: str = "perceptron"
    epochs: int = 10
    lr: float = 1.0
    samples: int = 20
    seed: int = 0

    @property
    def regression(self) -> bool:
        return self.data == "line"


@dataclass
class Epoch:
    number: int
    updates: int  # points that moved w (perceptron: the misclassified ones met during the epoch)
    misclassified: int  # after the epoch (classification data)
    mse: float  # after the epoch: mean of (t − (w·x + b))²
    weights: tuple[float, ...]
    bias: float


@dataclass
class Outcome:
    neuron: Neuron
    points: list
    targets: list
    epochs: list[Epoch] = field(default_factory=list)

    @property
    def last(self) -> Epoch:
        return self.epochs[-1]

    def converged_epoch(self) -> int | None:
        """The first epoch after which every point is classified right (and stays so: no update)."""
        return next((e.number for e in self.epochs if e.misclassified == 0), None)


def spec(name: str, table) -> Neuron:
    """A Neuron from a manifest table [perceptron.<name>]."""
    from gradtutor.tutor.spec_table import SpecTable

    read = SpecTable(table, ("data", "rule", "epochs", "lr", "samples", "seed"), NeuronError)
    data, rule = read.choice("data", DATA), read.choice("rule", RULES, "perceptron")
    if data == "line" and rule != "delta":
        raise NeuronError("the line data set is a regression: it needs rule = \"delta\"")
    return Neuron(name, data, rule, epochs=read.whole("epochs", 10, 1, 500), lr=read.positive("lr", 1.0),
                  samples=read.whole("samples", 20, 2, 200), seed=read.whole("seed", 0, 0, 2**31))


def dataset(neuron: Neuron) -> tuple[list, list]:
    """(points, targets): tuples of inputs and 0/1 classes (or real targets for `line`)."""
    if neuron.data in GATES:
        return [list(p) for p in CORNERS], [float(t) for t in GATES[neuron.data]]
    rng = random.Random(neuron.seed)
    points, targets = [], []
    while len(points) < neuron.samples:
        if neuron.regression:
            x = round(rng.uniform(-1, 1), 2)
            points.append([x])
            targets.append(round(2 * x + 1 + rng.gauss(0, 0.1), 2))
            continue
        x1, x2 = round(rng.uniform(-1, 1), 2), round(rng.uniform(-1, 1), 2)
        side = x2 - (0.5 * x1 + 0.1)  # the true line x₂ = 0.5·x₁ + 0.1
        if abs(side) > 0.15:  # a margin, so the perceptron is sure to converge
            points.append([x1, x2])
            targets.append(1.0 if side > 0 else 0.0)
    return points, targets


def misclassified(u: float, t: float) -> bool:
    """Rosenblatt's test: a positive point needs w·x + b > 0, a negative one w·x + b < 0."""
    return u <= 0 if t > 0.5 else u >= 0


def error(neuron: Neuron, weights, bias, x, t) -> float:
    """t − f: how far the neuron's output f is from the target (0 where the rule leaves w alone)."""
    u = sum(w * xi for w, xi in zip(weights, x)) + bias
    if neuron.rule == "delta":
        return t - u
    return (1.0 if t > 0.5 else -1.0) if misclassified(u, t) else 0.0


def run(neuron: Neuron) -> Outcome:
    """Train from w = 0, b = 0, recording every epoch."""
    points, targets = dataset(neuron)
    outcome = Outcome(neuron, points, targets)
    weights, bias = [0.0] * len(points[0]), 0.0
    for number in range(1, neuron.epochs + 1):
        updates = 0
        for x, t in zip(points, targets):
            step = error(neuron, weights, bias, x, t)
            if step != 0:
                updates += 1
                weights = [w + neuron.lr * step * xi for w, xi in zip(weights, x)]
                bias += neuron.lr * step
        raw = [sum(w * xi for w, xi in zip(weights, x)) + bias for x in points]
        mse = sum((t - u) ** 2 for t, u in zip(targets, raw)) / len(points)
        if neuron.regression:
            wrong = 0
        elif neuron.rule == "perceptron":
            wrong = sum(misclassified(u, t) for u, t in zip(raw, targets))
        else:  # the delta rule's output aims at 0 and 1: the class is the nearer one
            wrong = sum((u > 0.5) != (t > 0.5) for u, t in zip(raw, targets))
        outcome.epochs.append(Epoch(number, updates, wrong, mse, tuple(weights), bias))
    return outcome
