"""Built-in examples: the textbook's circuits with the textbook's numbers.

Each example is a function that builds its graph and returns (output, upstream gradient).
Leaves are named as in the course's code, and intermediate results are named where the book
names them, so tables and diagrams read like the book. Builders import their engine lazily:
listing examples must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Example:
    name: str
    summary: str  # one line, shown by `gradtutor examples`
    build: Callable[[], tuple]  # () -> (output node, upstream gradient)
    kind: str = "scalar"  # "scalar" or "tensor"


EXAMPLES: dict[str, Example] = {}


def example(name: str, summary: str, kind: str = "scalar"):
    def register(build):
        EXAMPLES[name] = Example(name, summary, build, kind)
        return build

    return register


class UnknownExample(KeyError):
    def __str__(self) -> str:
        return self.args[0]


def get(name: str) -> Example:
    try:
        return EXAMPLES[name]
    except KeyError:
        raise UnknownExample(
            f"unknown example {name!r}; built-in examples are: {', '.join(EXAMPLES)}"
        ) from None


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
