"""The initialisation study: one batch of random inputs through a deep stack of square linear
layers (no bias), each followed by tanh or ReLU, once per initialiser, on the tensor engine.

For every layer it records the activations' mean, standard deviation, the share of units in a
flat part of the activation (|tanh| > 0.99, or ReLU's exact zeros) and a histogram (for ReLU, of
the positive outputs: the zeros are that share already); then one
backward pass from a random upstream gradient gives each layer's gradient std, so the lesson can
show what happens to the signal on its way forward and back. The weights are drawn by the
engine's own initialisers (gradtutor.train.init): small = 0.01·randn, large = 0.5·randn,
xavier = randn·√(2 / (fan_in + fan_out)), he = randn·√(2 / fan_in).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTIVATIONS = ("tanh", "relu")
INITS = ("small", "large", "xavier", "he")
BINS = 48
SATURATED = 0.99  # |tanh| above this: the slope 1 − tanh² is below 0.02
LIMITS = {"layers": (1, 12), "width": (2, 1000), "samples": (1, 2000)}


class StudyError(ValueError):
    """A study spec that cannot be run (one line)."""


@dataclass(frozen=True)
class Study:
    family = "init_study"
    name: str
    activation: str = "tanh"
    layers: int = 10
    width: int = 500
    samples: int = 1000
    inits: tuple[str, ...] = INITS
    seed: int = 0


@dataclass
class Layer:
    mean: float
    std: float
    saturated: float  # a fraction 0…1
    grad_std: float
    counts: tuple[int, ...]


@dataclass
class Outcome:
    study: Study
    lo: float
    hi: float  # the histograms' range
    runs: dict[str, list[Layer]] = field(default_factory=dict)  # init -> layers, first layer first


def spec(name: str, table) -> Study:
    """A Study from a manifest table [init_study.<name>]."""
    from gradtutor.tutor.spec_table import SpecTable

    read = SpecTable(table, ("activation", "layers", "width", "samples", "inits", "seed"), StudyError)
    activation = read.choice("activation", ACTIVATIONS, "tanh")
    sizes = {key: read.whole(key, getattr(Study, key), lo, hi) for key, (lo, hi) in LIMITS.items()}
    inits = table.get("inits", list(INITS))
    if not isinstance(inits, list) or not inits or any(i not in INITS for i in inits) or len(set(inits)) != len(inits):
        raise StudyError(f"inits must be a list of different initialisers from {', '.join(INITS)}, got {inits!r}")
    return Study(name, activation, inits=tuple(inits), seed=read.whole("seed", 0, 0, 2**31), **sizes)


def run(study: Study) -> Outcome:
    """Every initialiser of the study, forward and back."""
    from gradtutor import backend
    from gradtutor.tensor import Tensor
    from gradtutor.train import init

    host = backend.host
    rng = host.random.default_rng(study.seed)
    inputs = rng.standard_normal((study.samples, study.width))
    upstream = rng.standard_normal((study.samples, study.width))
    lo, hi = (-1.0, 1.0) if study.activation == "tanh" else (0.0, 3.0)
    outcome = Outcome(study, lo, hi)
    for name in study.inits:
        weights = host.random.default_rng(study.seed + 1)  # every init draws from the same stream
        h = Tensor(inputs, "x", dtype="float32", requires_grad=False)
        outputs = []
        for _ in range(study.layers):
            W = Tensor(init.get(name)((study.width, study.width), rng=weights), requires_grad=False)
            z = h @ W
            z.requires_grad = True  # the gradient is read at every layer's output
            h = z.tanh() if study.activation == "tanh" else z.relu()
            outputs.append(h)
        (h * Tensor(upstream, dtype="float32", requires_grad=False)).sum().backward()
        layers = []
        for out in outputs:
            a = backend.to_host(out.data).astype(host.float64)
            flat = host.abs(a) > SATURATED if study.activation == "tanh" else a == 0
            drawn = a if study.activation == "tanh" else a[a > 0]  # ReLU's zeros would dwarf the rest
            counts, _ = host.histogram(host.clip(drawn, lo, hi), bins=BINS, range=(lo, hi))
            grad = backend.to_host(out.grad).astype(host.float64)
            layers.append(Layer(float(a.mean()), float(a.std()), float(flat.mean()), float(grad.std()),
                                tuple(int(c) for c in counts)))
        outcome.runs[name] = layers
    return outcome


def too_slow(study: Study) -> str | None:
    """A study a learner would wait for more than a few seconds on (multiply-adds, forward and back)."""
    work = 3 * study.samples * study.width * study.width * study.layers * len(study.inits)
    if work > 6e10:
        return f"init_study {study.name} is too large to run while a learner waits (about {work:.1e} multiply-adds)"
    return None
