"""Built-in examples: the textbook's circuits with the textbook's numbers.

Each example is a function that builds its graph and returns (output, upstream gradient).
Leaves are named as in the course's code, and intermediate results are named where the book
names them, so tables and diagrams read like the book. Builders import their engine lazily:
listing examples must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable

from gradtutor.errors import UserError


@dataclass(frozen=True)
class Example:
    name: str
    summary: str  # one line in English, shown by `gradtutor examples`
    build: Callable[[], tuple]  # () -> (output node, upstream gradient)
    kind: str = "scalar"  # "scalar" or "tensor"

    def summary_in(self, lang: str = "en") -> str:
        """The one line in `lang` (data/example_summaries.toml holds the other languages')."""
        return self.summary if lang == "en" else _summaries().get(lang, {}).get(self.name, self.summary)


@cache
def _summaries() -> dict:
    import tomllib
    from importlib.resources import files

    return tomllib.loads(files("gradtutor").joinpath("data/example_summaries.toml").read_text(encoding="utf-8"))


EXAMPLES: dict[str, Example] = {}


def example(name: str, summary: str, kind: str = "scalar"):
    def register(build):
        EXAMPLES[name] = Example(name, summary, build, kind)
        return build

    return register


class UnknownExample(UserError, KeyError):
    def __str__(self) -> str:
        return self.args[0]


def get(name: str) -> Example:
    try:
        return EXAMPLES[name]
    except KeyError:
        raise UnknownExample(
            f"unknown example {name!r}; built-in examples are: {', '.join(EXAMPLES)}"
        ) from None


def localised(trace, lang: str):
    """The traced example with its values named as the textbook's edition in `lang` names them
    (data/example_names.toml: 사과, 귤 in Korean). Names the file does not list stay as they are."""
    import tomllib
    from importlib.resources import files

    table = tomllib.loads(files("gradtutor").joinpath("data/example_names.toml").read_text(encoding="utf-8"))
    names = table.get(lang, {})
    for node in trace.nodes:
        if node.name in names:
            node.name = names[node.name]
    return trace


def _named(value, name):
    value.name = name
    return value


@example("apple", "2 apples at 100 each with 10% tax: 220; gradients 2.2, 110, 200")
def apple():
    from gradtutor.engine import Value

    apple, apple_num, tax = Value(100, "apple"), Value(2, "apple_num"), Value(1.1, "tax")
    apple_price = _named(apple * apple_num, "apple_price")
    price = _named(apple_price * tax, "price")
    return price, 1.0


@example("apple-orange", "2 apples at 100 and 3 oranges at 150 with 10% tax: 715")
def apple_orange():
    from gradtutor.engine import Value

    apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
    orange, orange_num = Value(150, "orange"), Value(3, "orange_num")
    tax = Value(1.1, "tax")
    apple_price = _named(apple * apple_num, "apple_price")
    orange_price = _named(orange * orange_num, "orange_price")
    all_price = _named(apple_price + orange_price, "all_price")
    price = _named(all_price * tax, "price")
    return price, 1.0


@example("mul-node", "one multiply node: 10 × 5 = 50, upstream 1.3 sends back 6.5 and 13")
def mul_node():
    from gradtutor.engine import Value

    x, y = Value(10, "x"), Value(5, "y")
    return _named(x * y, "z"), 1.3


@example("add-mul", "f = (x + y)·z at x = -2, y = 5, z = -4")
def add_mul():
    from gradtutor.engine import Value

    x, y, z = Value(-2, "x"), Value(5, "y"), Value(-4, "z")
    q = _named(x + y, "q")
    return _named(q * z, "f"), 1.0


@example("gate-patterns", "f = x·y + max(x, z): add distributes, multiply swaps, max routes, copy adds")
def gate_patterns():
    from gradtutor.engine import Value

    x, y, z = Value(3, "x"), Value(-4, "y"), Value(2, "z")
    xy = _named(x * y, "xy")
    m = _named(x.max(z), "m")
    return _named(xy + m, "f"), 1.0


@example("neuron", "a two-input sigmoid neuron σ(w0·x0 + w1·x1 + w2), gate by gate")
def neuron():
    from gradtutor.engine import Value

    w0, x0 = Value(2, "w0"), Value(-1, "x0")
    w1, x1 = Value(-3, "w1"), Value(-2, "x1")
    w2 = Value(-3, "w2")
    s = _named(w0 * x0 + w1 * x1 + w2, "s")
    # σ(s) = 1 / (1 + e^(−s)), written with elementary gates as in the circuit diagrams.
    f = _named(1 / (1 + (-s).exp()), "f")
    return f, 1.0


# -- vectors and matrices -------------------------------------------------------------------------
# Tensor examples run in float64, so the numbers on screen are the ones written here.


def _tensor(values, name, **options):
    from gradtutor.tensor import Tensor

    return Tensor(values, name, dtype="float64", **options)


def _array(values):
    from gradtutor import backend

    return backend.xp().asarray(values, dtype="float64")


@example("affine", "affine layer y = x·W + b with x (2,), W (2, 3), b (3,): dL/dx = dL/dy·Wᵀ, dL/dW = xᵀ·dL/dy", "tensor")
def affine():
    x = _tensor([1, 2], "x")
    W = _tensor([[1, 2, 3], [4, 5, 6]], "W")
    b = _tensor([1, -1, 0.5], "b")
    xW = _named(x @ W, "xW")
    return _named(xW + b, "y"), _array([1, -1, 2])


@example("affine-batch", "affine layer on a batch: X (2, 2) · W (2, 3) + b (3,); b's gradient sums over the batch", "tensor")
def affine_batch():
    X = _tensor([[1, 2], [-1, 0.5]], "X")
    W = _tensor([[1, 2, 3], [4, 5, 6]], "W")
    b = _tensor([1, -1, 0.5], "b")
    XW = _named(X @ W, "XW")
    return _named(XW + b, "Y"), _array([[1, -1, 2], [0.5, 0, -1]])


@example("relu-vector", "ReLU on a vector: the Jacobian is diagonal, 1 where x > 0", "tensor")
def relu_vector():
    x = _tensor([-2, -0.5, 1.5, 3], "x")
    return _named(x.relu(), "y"), _array([1, 2, 3, 4])


@example("sigmoid-vector", "sigmoid on a vector: diagonal Jacobian σ(x)(1 − σ(x)), at most 0.25", "tensor")
def sigmoid_vector():
    x = _tensor([-2, 0, 2], "x")
    return _named(x.sigmoid(), "y"), _array([1, 1, 1])


@example("softmax", "softmax of (2, 1, 0.1): its full Jacobian diag(y) − y yᵀ", "tensor")
def softmax():
    x = _tensor([2, 1, 0.1], "x")
    return _named(x.softmax(), "y"), _array([1, 0, 0])


@example("softmax-loss", "softmax with cross-entropy on 2 samples of 3 classes: backward (y − t)/N", "tensor")
def softmax_loss():
    from gradtutor.tensor import softmax_cross_entropy

    scores = _tensor([[2, 1, 0.1], [0.5, 2.5, -1]], "x")
    labels = _tensor([0, 2], "t", requires_grad=False)
    return _named(softmax_cross_entropy(scores, labels), "L"), 1.0


@example("two-layer-net", "affine → ReLU → affine → softmax-with-loss on a batch of 4 (seeded weights)", "tensor")
def two_layer_net():
    from gradtutor import backend
    from gradtutor.tensor import softmax_cross_entropy

    rng = backend.host.random.default_rng(15)  # a seed whose numbers sit clear of ReLU's kink
    # One decimal place, so every number on screen is short; seeded, so every run is the same.
    # The seed is one where no weight or input is 0 and no pre-activation sits near 0.
    X = _tensor(rng.normal(size=(4, 2)).round(1), "X")
    W1 = _tensor((rng.normal(size=(2, 3)) * 0.8).round(1), "W1")
    b1 = _tensor([0.1, 0.1, 0.1], "b1")
    W2 = _tensor((rng.normal(size=(3, 3)) * 0.8).round(1), "W2")
    b2 = _tensor([0, 0, 0], "b2")
    labels = _tensor([0, 1, 2, 1], "t", requires_grad=False)
    A1 = _named(_named(X @ W1, "XW1") + b1, "A1")
    H = _named(A1.relu(), "H")
    S = _named(_named(H @ W2, "HW2") + b2, "S")
    return _named(softmax_cross_entropy(S, labels), "L"), 1.0


@example("l2-penalty", "loss = MSE(x·W, t) + (λ/2)·ΣW²: W gets the data gradient plus λW (copy adds)", "tensor")
def l2_penalty():
    from gradtutor.tensor import mse

    x = _tensor([[1, 2]], "x")
    W = _tensor([[1, -2], [0.5, 3]], "W")
    t = _tensor([[1, 0]], "t", requires_grad=False)
    data_loss = _named(mse(_named(x @ W, "y"), t), "data_loss")
    penalty = _named((W**2).sum() * 0.05, "penalty")  # λ = 0.1, so λ/2 = 0.05
    return _named(data_loss + penalty, "L"), 1.0


@example("max-vector", "max of a vector: the whole gradient goes to the largest element (max routes)", "tensor")
def max_vector():
    x = _tensor([1, 5, 3, 2], "x")
    return _named(x.max(), "m"), 2.0


# -- attention --------------------------------------------------------------------------------------
# Three tokens of width d = 4 with seeded one-decimal weights, so every number on screen is short.


def _attention_inputs(seed: int = 3):
    """X (3, 4) and W_Q, W_K, W_V (4, 4), one decimal place each; the upstream dL/dO (3, 4)."""
    from gradtutor import backend

    rng = backend.host.random.default_rng(seed)
    X = _tensor(rng.normal(size=(3, 4)).round(1), "X")
    weights = [_tensor((rng.normal(size=(4, 4)) * 0.5).round(1), name) for name in ("W_Q", "W_K", "W_V")]
    upstream = _array(rng.normal(size=(3, 4)).round(1))
    return X, weights, upstream


def _scaled_scores(X, W_Q, W_K, W_V):
    """Q, K, V and the scores S = Q·Kᵀ/√d, each step a gate of its own."""
    Q, K, V = _named(X @ W_Q, "Q"), _named(X @ W_K, "K"), _named(X @ W_V, "V")
    scores = _named(Q @ _named(K.T, "Kᵀ"), "QKᵀ")
    scale = _tensor(0.5, "1/√d", requires_grad=False)  # 1/√4: a constant, named as the formula names it
    return _named(scores * scale, "S"), V


@example("attention", "self-attention on 3 tokens, d = 4: S = Q·Kᵀ/√d, P = softmax(S) row by row, O = P·V; "
                      "dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K/√d, dK = dSᵀ·Q/√d", "tensor")
def attention():
    X, (W_Q, W_K, W_V), upstream = _attention_inputs()
    S, V = _scaled_scores(X, W_Q, W_K, W_V)
    P = _named(S.softmax(axis=-1), "P")  # its Jacobian: one 3×3 block per row, zero across rows
    return _named(P @ V, "O"), upstream


@example("masked-attention", "causal self-attention: −∞ above the diagonal before softmax, so token i sees tokens "
                             "0 … i; masked scores receive zero gradient", "tensor")
def masked_attention():
    from gradtutor.tensor import causal_mask

    X, (W_Q, W_K, W_V), upstream = _attention_inputs()
    S, V = _scaled_scores(X, W_Q, W_K, W_V)
    masked = _named(causal_mask(S), "S_masked")
    P = _named(masked.softmax(axis=-1), "P")  # exp(−∞) = 0: no weight on a later token
    return _named(P @ V, "O"), upstream


@example("multi-head", "two heads of width 2 on 3 tokens: split Q, K, V, one attention gate per head, "
                       "concatenate, then W_O", "tensor")
def multi_head():
    from gradtutor.ops.nn import ATTENTION, Attend
    from gradtutor.tensor import Tensor, concatenate

    X, (W_Q, W_K, W_V), upstream = _attention_inputs()
    W_O = _tensor([[0.5, 0, -0.3, 0.2], [0.1, 0.4, 0, -0.5], [-0.2, 0.3, 0.6, 0], [0, -0.4, 0.1, 0.3]], "W_O")
    Q, K, V = _named(X @ W_Q, "Q"), _named(X @ W_K, "K"), _named(X @ W_V, "V")
    heads = []
    for head, columns in enumerate((slice(0, 2), slice(2, 4)), start=1):
        parts = [_named(M[:, columns], f"{M.name}{head}") for M in (Q, K, V)]  # split: this head's 2 columns
        heads.append(_named(Tensor.apply(ATTENTION, *parts, param=Attend(1 / 2**0.5)), f"H{head}"))  # 1/√d_k
    merged = _named(concatenate(heads, axis=1), "H")  # merge: (3, 2) and (3, 2) side by side
    return _named(merged @ W_O, "Y"), upstream


@example("positional-encoding", "X + PE: the sinusoidal table PE(p) = (sin p, cos p, sin p/100, cos p/100) at "
                                "positions 0-3 is a constant; the gradient passes the add to X unchanged", "tensor")
def positional_encoding():
    from gradtutor import backend
    from gradtutor.ops.nn import sinusoidal_positions

    # Tokens a, b, a, c: the two a's share an embedding row, the table tells their positions apart.
    a, b, c = [0.5, -0.2, 0.1, 0.3], [-0.4, 0.6, 0.2, -0.1], [0.2, 0.1, -0.5, 0.4]
    X = _tensor([a, b, a, c], "X")
    table = backend.to_host(sinusoidal_positions(backend.xp(), 4, 4)).astype("float64").round(4)
    PE = _tensor(table, "PE", requires_grad=False)
    H = _named(X + PE, "H")
    W = _tensor([[1, -0.5], [0.5, 1], [-1, 0.5], [0.2, 0.3]], "W")
    return _named(H @ W, "Y"), _array([[1, 0], [0, 1], [1, 1], [0.5, -0.5]])


# -- convolution and pooling ----------------------------------------------------------------------
# The course's 5×5 binary image and its 3×3 filter, as (N, C, H, W) = (1, 1, 5, 5) and
# (F, C, KH, KW) = (1, 1, 3, 3): small enough that every gate's full Jacobian is shown.

IMAGE = [[1, 1, 1, 0, 0],
         [0, 1, 1, 1, 0],
         [0, 0, 1, 1, 1],
         [0, 0, 1, 1, 0],
         [0, 1, 1, 0, 0]]
FILTER = [[1, 0, 1],
          [0, 1, 0],
          [1, 0, 1]]
# An upstream with no symmetry, so that which entry goes where shows in every gradient.
CONV_UPSTREAM = [[1, 2, 0],
                 [0, 1, -1],
                 [1, 0, 1]]


def _convolution(stride: int, padding: int):
    from gradtutor import ops
    from gradtutor.ops.nn import Window
    from gradtutor.tensor import Tensor

    X = _tensor([[IMAGE]], "X")
    W = _tensor([[FILTER]], "W")
    b = _tensor([0], "b")
    Y = Tensor.apply(ops.CONV2D, X, W, b, param=Window((3, 3), stride, padding))
    return _named(Y, "Y"), _array([[CONV_UPSTREAM]])


@example("conv", "the course's 5×5 binary image ∗ a 3×3 filter (stride 1): dW = X ⋆ dY, dX = dY ∗ W turned 180°", "tensor")
def conv():
    return _convolution(stride=1, padding=0)


@example("conv-stride", "the same image and filter with stride 2 and padding 1: a 3×3 output from every other window", "tensor")
def conv_stride():
    return _convolution(stride=2, padding=1)


@example("max-pool", "2×2 max pooling of a 4×4 map: each window's gradient goes to its maximum (max routes)", "tensor")
def max_pool():
    from gradtutor import ops
    from gradtutor.ops.nn import Window
    from gradtutor.tensor import Tensor

    X = _tensor([[[[1, 3, 2, 1],
                   [4, 2, 0, 1],
                   [3, 1, 1, 5],
                   [0, 2, 6, 2]]]], "X")
    Y = Tensor.apply(ops.MAX_POOL2D, X, param=Window((2, 2), 2))
    return _named(Y, "Y"), _array([[[[1, 2], [3, 4]]]])
