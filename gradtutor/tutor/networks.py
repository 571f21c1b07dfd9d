"""Layer and model questions: a lesson names a real layer or model, the engine answers.

A lesson writes `layer = "conv2d(in=3, out=10, kernel=5, padding=2)"` or `model = "lenet"` with
`input_shape = [3, 32, 32]` (one example, no batch axis). `parse_spec` reads that text with a
small grammar of its own (a name and `key=value` arguments: whole numbers, decimals, names, lists
of whole numbers; nothing is evaluated); the names and their arguments are gradtutor.names'
"layer" and "network" families. `inspect` builds the real layer or model from
`gradtutor.train`, runs it forward on a batch of one example of zeros and records the output
shape of every layer it calls and the parameters it counts. Quantities (`shape:output`,
`params:layer:2`, `gradnorm:50` …) are read off that record, so a lesson's "760 parameters" or
"(6, 28, 28)" is what the training code really builds, never a formula typed twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from gradtutor import names

# what -> the registry family its names come from
_FAMILIES = {"layer": "layer", "model": "network"}
# A name-valued argument (activation, cell) -> the names it takes.
_NAME_VALUES = {
    arg.name: arg.values
    for family in _FAMILIES.values() for entry in names.FAMILIES[family].values() for arg in entry.args if arg.values
}
RECURRENT = names.RECURRENT
MAX_ELEMENTS = 2_000_000  # a lesson's layer stays small: this many numbers per output at most

_TOKEN = re.compile(r"\s*(?:(?P<number>-?\d+(?:\.\d+)?(?:e-?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(),=\[\]]))")


IMAGE_MODELS = ("lenet", "vgg", "resnet", "plainnet")  # input_shape defaults to [in, size, size]
RESIDUAL_TWINS = ("resnet", "plainnet")  # the same layers with and without shortcuts


class SpecError(ValueError):
    """A layer or model text that cannot be read or built; the message is one line."""


@dataclass(frozen=True, slots=True)
class Network:
    """A lesson source: one layer or one model, with the shape of one input example."""

    family: ClassVar[str] = "network"  # answered by sources.network
    what: str  # "layer" or "model"
    text: str  # as written in the lesson
    kind: str  # conv2d, lenet …
    args: tuple  # ((argument, value), …) with defaults filled in
    input_shape: tuple[int, ...]

    def arg(self, name: str):
        return dict(self.args)[name]


def parse_spec(text: str, what: str) -> tuple[str, tuple]:
    """`name(key=value, …)` -> (name, ((key, value), …)) with defaults filled; SpecError if not."""
    family = _FAMILIES[what]
    tokens = _tokens(text)
    if not tokens or tokens[0][0] != "name":
        raise SpecError(f"{what} {text!r} must start with a {what} name ({', '.join(names.names(family))})")
    kind = tokens[0][1].lower()
    if problem := names.check(family, kind):
        raise SpecError(problem)
    given = _arguments(tokens[1:], text)
    if problem := names.check_args(family, kind, given):
        raise SpecError(problem)
    args = {}
    for name, default in names.get(family, kind).defaults().items():
        value = given.get(name, default)
        if value is None:
            raise SpecError(f"{kind} needs {name}=… ({text!r})")
        args[name] = _checked(kind, name, value, default)
    return kind, tuple(args.items())


def _tokens(text: str) -> list[tuple[str, object]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SpecError(f"cannot read {text!r} at column {position + 1}")
        position = match.end()
        if match["number"] is not None:
            number = match["number"]
            tokens.append(("number", float(number) if re.search(r"[.e]", number) else int(number)))
        elif match["name"] is not None:
            tokens.append(("name", match["name"]))
        elif match["punct"] is not None:
            tokens.append(("punct", match["punct"]))
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


def _arguments(tokens, text: str) -> dict:
    """The `(key=value, …)` part; no part at all is no arguments."""
    if not tokens:
        return {}
    if tokens[0] != ("punct", "(") or tokens[-1] != ("punct", ")"):
        raise SpecError(f"{text!r}: arguments go in parentheses, like conv2d(in=3, out=6, kernel=5)")
    inner, args, i = tokens[1:-1], {}, 0
    while i < len(inner):
        key, equals = inner[i], inner[i + 1] if i + 1 < len(inner) else None
        if key[0] != "name" or equals != ("punct", "="):
            raise SpecError(f"{text!r}: arguments are written key=value, separated by commas")
        i += 2
        if i < len(inner) and inner[i] == ("punct", "["):
            close = next((j for j in range(i, len(inner)) if inner[j] == ("punct", "]")), None)
            if close is None:
                raise SpecError(f"{text!r}: a list needs its closing ]")
            items = [t for t in inner[i + 1 : close] if t != ("punct", ",")]
            if not items or any(t[0] != "number" or not isinstance(t[1], int) for t in items):
                raise SpecError(f"{text!r}: a list holds whole numbers, like [2, 8, 2]")
            value, i = tuple(t[1] for t in items), close + 1
        elif i < len(inner) and inner[i][0] in ("number", "name"):
            value, i = inner[i][1], i + 1
        else:
            raise SpecError(f"{text!r}: {key[1]}= needs a value")
        if key[1] in args:
            raise SpecError(f"{text!r}: {key[1]} is given twice")
        args[key[1]] = value
        if i < len(inner):
            if inner[i] != ("punct", ","):
                raise SpecError(f"{text!r}: arguments are separated by commas")
            i += 1
    return args


def _checked(kind: str, name: str, value, default):
    if name in _NAME_VALUES:
        if value not in _NAME_VALUES[name]:
            raise SpecError(f"{kind}: {name} must be one of {', '.join(_NAME_VALUES[name])}, got {value!r}")
        return value
    if name == "sizes":
        if not isinstance(value, tuple) or len(value) < 2 or min(value) < 1:
            raise SpecError(f"{kind}: sizes is a list of at least two widths ≥ 1, like [2, 8, 2]")
        return value
    if name == "scale":
        if isinstance(value, str) or value < 0:
            raise SpecError(f"{kind}: scale must be a number ≥ 0, got {value!r}")
        return float(value)
    if not isinstance(value, int):
        raise SpecError(f"{kind}: {name} must be a whole number, got {value!r}")
    smallest = 0 if name in ("padding", "seed") or default == 0 else 1
    if value < smallest:
        raise SpecError(f"{kind}: {name} must be ≥ {smallest}, got {value}")
    return value


def network(what: str, text: str, input_shape=None) -> Network:
    """A checked Network source; input_shape may be left out for lenet and mlp."""
    kind, args = parse_spec(text, what)
    if input_shape is None:
        given = dict(args)
        if kind in IMAGE_MODELS:
            input_shape = (given["in"], given["size"], given["size"])
        elif kind == "mlp":
            input_shape = (given["sizes"][0],)
        else:
            raise SpecError(f"{kind} needs input_shape = [...] (one example's shape, without the batch axis)")
    shape = tuple(input_shape)
    if not shape or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in shape):
        raise SpecError(f"input_shape must be a list of whole numbers ≥ 1, got {list(input_shape)}")
    count = 1
    for n in shape:
        count *= n
    if count > MAX_ELEMENTS:
        raise SpecError(f"input_shape {list(shape)} holds {count} numbers; a lesson's example stays under {MAX_ELEMENTS}")
    return Network(what, text, kind, args, shape)


# -- building and running --------------------------------------------------------------------------
def build(source: Network):
    """The real layer or model from gradtutor.train, seeded."""
    from gradtutor.train import layers as L
    from gradtutor.train import models

    a = dict(source.args)
    kind = source.kind
    if kind == "linear":
        return L.Linear(a["in"], a["out"], rng=0)
    if kind == "conv2d":
        return L.Conv2d(a["in"], a["out"], a["kernel"], stride=a["stride"], padding=a["padding"], rng=0)
    if kind in ("maxpool2d", "avgpool2d"):
        pool = L.MaxPool2d if kind == "maxpool2d" else L.AvgPool2d
        return pool(a["kernel"], stride=a["stride"] or None, padding=a["padding"])
    if kind in ("relu", "tanh", "sigmoid"):
        return L.ACTIVATIONS[kind]()
    if kind == "flatten":
        return L.Flatten()
    if kind == "batchnorm1d":
        return L.BatchNorm1d(a["features"])
    if kind == "batchnorm2d":
        return L.BatchNorm2d(a["channels"])
    if kind == "layernorm":
        return L.LayerNorm(a["features"])
    if kind == "embedding":
        return L.Embedding(a["vocabulary"], a["dim"], rng=a["seed"])
    if kind == "attention":
        if a["dim"] % a["heads"]:
            raise SpecError(f"attention: {a['heads']} heads do not divide dim={a['dim']}")
        return L.MultiHeadAttention(a["dim"], a["heads"], rng=0)
    if kind in RECURRENT:
        layer = L.RECURRENT[kind](a["in"], a["hidden"], rng=a["seed"])
        if a["scale"]:
            _orthogonal_recurrence(layer, a["hidden"], a["scale"], a["seed"])
        return layer
    if kind == "residual":
        return L.ResidualBlock(a["in"], a["out"], a["stride"], rng=0)
    if kind == "lenet":
        return models.LeNet(in_channels=a["in"], image_size=a["size"], classes=a["classes"], seed=a["seed"])
    if kind == "vgg":
        return models.VGG(in_channels=a["in"], image_size=a["size"], classes=a["classes"], seed=a["seed"])
    if kind in RESIDUAL_TWINS:
        model = models.ResNet if kind == "resnet" else models.PlainNet
        return model(in_channels=a["in"], image_size=a["size"], classes=a["classes"], blocks=a["blocks"], seed=a["seed"])
    if kind == "mlp":
        return models.MLP(list(a["sizes"]), activation=a["activation"], seed=a["seed"])
    if kind == "seq2one":
        return models.SequenceToOne(a["cell"], a["in"], a["hidden"], a["out"], seed=a["seed"])
    raise SpecError(f"cannot build {kind!r}")


def _orthogonal_recurrence(layer, hidden: int, scale: float, seed: int) -> None:
    from gradtutor import backend

    weight = orthogonal_recurrence(hidden, layer.gates, scale, seed)
    layer.weight_h.data[...] = backend.to_device(weight, dtype=layer.weight_h.data.dtype)


def orthogonal_recurrence(hidden: int, gates: int, scale: float, seed: int):
    """W_h = scale · Q for each gate (host float64, (H, G·H)), Q a seeded random orthogonal
    matrix: every step then multiplies a gradient's length by exactly `scale` where tanh has
    slope 1."""
    from gradtutor import backend

    host = backend.host
    rng = host.random.default_rng(seed)
    blocks = []
    for _ in range(gates):
        q, r = host.linalg.qr(rng.normal(size=(hidden, hidden)))
        blocks.append(q * host.sign(host.diag(r)))  # (H, H), orthogonal
    return scale * host.concatenate(blocks, axis=1)  # (H, G·H)


@dataclass(frozen=True, slots=True)
class LayerRecord:
    name: str  # the layer's class name: Conv2d, MaxPool2d, Linear …
    shape: tuple[int, ...]  # its output for one example (no batch axis)
    params: int


@dataclass(frozen=True, slots=True)
class Report:
    """What running the network once tells: its layers, output and parameter count."""

    source: Network
    layers: tuple[LayerRecord, ...]
    output: tuple[int, ...]
    params: int


def inspect(source: Network) -> Report:
    return _inspect(source)


@lru_cache(maxsize=64)
def _inspect(source: Network) -> Report:
    from gradtutor import backend

    module = build(source)
    module.eval()  # batch norm uses its running statistics on one example
    records = []
    for leaf in _leaves(module):
        if leaf.counted:
            _record_calls(leaf, records)
    xp = backend.xp()
    example = xp.zeros((1, *source.input_shape), dtype=xp.float32)
    try:
        output = module(example)
    except (ValueError, IndexError) as exc:
        raise SpecError(f"{source.text} does not take an input of shape {list(source.input_shape)}: {exc}") from None
    finally:
        for leaf in _leaves(module):
            leaf.__dict__.pop("forward", None)
    layers = tuple(records)
    return Report(source, layers, tuple(output.shape[1:]), module.parameter_count())


def _leaves(module):
    """The modules without children, in the order they were assigned (the order they run)."""
    children = [child for _, child in module.children()]
    if not children:
        return [module]
    return [leaf for child in children for leaf in _leaves(child)]


def _record_calls(leaf, records: list) -> None:
    """Wrap this one module's forward so each call appends its output shape (one example)."""
    forward = type(leaf).forward

    def recorded(*inputs):
        out = forward(leaf, *inputs)
        records.append(LayerRecord(type(leaf).__name__, tuple(out.shape[1:]), leaf.parameter_count()))
        return out

    leaf.forward = recorded


def gradnorm(source: Network, steps: int) -> float:
    """|∂(u·h_t)/∂h_0| for a unit vector u: how much of a gradient of length 1 entering the
    hidden state at step t reaches the first state, through the real recurrent op, with zero
    inputs and starting state (where tanh has its steepest slope, 1)."""
    return _gradnorm(source, steps)


@lru_cache(maxsize=64)
def _gradnorm(source: Network, steps: int) -> float:
    from gradtutor import backend
    from gradtutor.tensor import Tensor
    from gradtutor.train import functional as F

    if source.kind not in RECURRENT:
        raise SpecError(f"gradnorm needs a recurrent layer (rnn, lstm, gru), not {source.kind}")
    length = source.input_shape[0]
    if len(source.input_shape) != 2:
        raise SpecError(f"a recurrent layer's input_shape is [steps, features], got {list(source.input_shape)}")
    if not 1 <= steps <= length:
        raise SpecError(f"gradnorm:{steps} is out of range: input_shape has {length} steps")
    layer = build(source)
    xp = backend.xp()
    x = Tensor(xp.zeros((1, steps, source.input_shape[1])), dtype=xp.float64, requires_grad=False)
    hidden = layer.hidden_size
    h0 = Tensor(xp.zeros((1, hidden)), "h0", dtype=xp.float64)
    weights = [Tensor(p.data, p.name, dtype=xp.float64) for p in layer.parameters()]
    if source.arg("scale"):  # the exact scaled orthogonal matrix, not its float32 copy
        exact = orthogonal_recurrence(hidden, layer.gates, source.arg("scale"), source.arg("seed"))
        weights[1] = Tensor(backend.to_device(exact, dtype=xp.float64), "W_h", dtype=xp.float64)
    if source.kind == "lstm":
        c0 = Tensor(xp.zeros((1, hidden)), dtype=xp.float64, requires_grad=False)
        hs = Tensor.apply(F.LSTM, x, h0, c0, *weights)
    else:
        hs = Tensor.apply(layer.op, x, h0, *weights)
    upstream = xp.zeros(hs.shape, dtype=xp.float64)  # (1, t, H): a unit vector at the last step
    upstream[0, -1, :] = 1.0 / hidden**0.5
    hs.backward(upstream)
    return float(xp.sqrt((h0.grad**2).sum()))


def gradient_norms(source: Network):
    """The model and its twin (resnet and plainnet), one backward pass each on the same seeded
    digits: gradtutor.train.gradnorms.Comparison."""
    return _gradient_norms(source)


@lru_cache(maxsize=16)
def _gradient_norms(source: Network):
    from gradtutor.train import gradnorms

    if source.kind not in RESIDUAL_TWINS:
        raise SpecError(f"gradient norms compare resnet with plainnet; {source.kind} is neither")
    if source.arg("in") != 1 or source.arg("size") != 28 or source.arg("classes") != 10:
        raise SpecError("gradient norms run on the synthetic digits: in=1, size=28, classes=10")
    return gradnorms.compare(blocks=source.arg("blocks"), seed=source.arg("seed"))


def gradient_spread(source: Network) -> float:
    """This model's largest layer gradient norm over its smallest (see gradient_norms)."""
    from gradtutor.train import gradnorms

    comparison = gradient_norms(source)
    return gradnorms.spread(comparison.residual if source.kind == "resnet" else comparison.plain)


# -- what the layers hold ---------------------------------------------------------------------------
def layer_weights(module, index: int) -> int:
    """The weights (no biases) of counted layer `index` (from 1); 0 if there is no such layer."""
    counted = [leaf for leaf in _leaves(module) if leaf.counted]
    if not 1 <= index <= len(counted):
        return 0
    return sum(p.size for p in counted[index - 1].parameters() if p.ndim > 1)
