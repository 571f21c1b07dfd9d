"""The scalar engine: `Value`, a number that records how it was computed.

Every operation creates a new Value that remembers its op record (from `ops`), its parents and
the op's parameter. `backward()` walks that record in reverse topological order (the order of
autodiff.py's walk, shared with the tensor engine and the tracer), asking each op's `vjp` for the
downstream gradients. There are no closures and no recursion: nodes hold plain
tuples, so a finished graph is freed by reference counting alone and a 100,000-node chain is fine.

backward() semantics: gradients are *recomputed*, not accumulated across calls. Each call first
sets `.grad` to 0 on every node of the graph, then seeds the output with the upstream gradient
(1 by default). Calling it twice gives the same gradients, never doubled ones. Within one call,
a value used twice (`a + a`) receives the sum over its uses, as the chain rule says.
"""

from __future__ import annotations

from gradtutor import ops
from gradtutor.errors import UserError
from gradtutor.autodiff import backward_order, topological_order  # noqa: F401 - topological_order re-exported
from gradtutor.numbers import human

_M = ops.Scalar
_ADD, _SUB, _MUL, _DIV = ops.ADD, ops.SUB, ops.MUL, ops.DIV
_NEEDS_ONE, _NEEDS_TWO = (True,), (True, True)  # a Value always takes a gradient


class DomainError(UserError, ValueError):
    """An op was applied outside the inputs it is defined for (log of a negative, x / 0)."""


class Recorded:
    """Reading what an op recorded on a node: shared by Value and the tensor engine's Tensor,
    whose slots hold `_op`, `_parents` and `_param`."""

    __slots__ = ()

    @property
    def op(self) -> ops.Op | None:
        return self._op

    @property
    def parents(self) -> tuple:
        return self._parents

    @property
    def param(self):
        return self._param

    @property
    def is_leaf(self) -> bool:
        return self._op is None


class Value(Recorded):
    """A scalar in a computational graph.

    >>> a = Value(-4.0); b = (a * 2 + 1).relu() + a ** 2
    >>> b.backward(); a.grad
    -8.0
    """

    __slots__ = ("data", "grad", "name", "_op", "_parents", "_param")
    requires_grad = True  # every Value takes part in gradients
    _saved = None  # and no scalar op keeps anything for its backward

    @staticmethod
    def namespace():
        """The namespace the ops compute Values' numbers with."""
        return _M

    def __init__(self, data, name: str | None = None, *, label: str | None = None):
        self.data = float(data)
        self.grad = 0.0
        self.name = name if name is not None else label
        self._op = None  # a leaf: made by the user, not by an op
        self._parents = ()
        self._param = None

    # -- building the graph ------------------------------------------------------------------
    @staticmethod
    def _node(data, op, parents, param=None) -> "Value":
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.name = None
        out._op = op
        out._parents = parents
        out._param = param
        return out

    @staticmethod
    def apply(op: ops.Op, *inputs, param=None) -> "Value":
        """Apply any op from the table to Values or plain numbers."""
        if len(inputs) == 1 and isinstance(inputs[0], Value):  # exp, tanh, relu …: the common case
            parents, xs = inputs, (inputs[0].data,)
        else:
            parents = tuple(x if isinstance(x, Value) else Value(x) for x in inputs)
            xs = [x.data for x in parents]
        if op.domain is not None:
            problem = op.domain(param, *xs)
            if problem:
                raise DomainError(problem)
        out, _ = op.forward(_M, param, *xs)
        return Value._node(float(out), op, parents, param)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data + other.data, _ADD, (self, other))

    def __radd__(self, other):
        return Value(other) + self

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data * other.data, _MUL, (self, other))

    def __rmul__(self, other):
        return Value(other) * self

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data - other.data, _SUB, (self, other))

    def __rsub__(self, other):
        return Value(other) - self

    def __truediv__(self, other):
        return Value.apply(_DIV, self, other)

    def __rtruediv__(self, other):
        return Value.apply(_DIV, other, self)

    def __neg__(self):
        return Value._node(-self.data, ops.NEG, (self,))

    def __pos__(self):
        return self

    def __pow__(self, other):
        if isinstance(other, Value):
            # x ** y with both in the graph: written as exp(y · ln x), so each gate stays simple.
            return (other * self.log()).exp()
        if not isinstance(other, (int, float)):
            return NotImplemented
        return Value.apply(ops.POW, self, param=other)

    def __rpow__(self, other):
        # c ** x = exp(x · ln c), for a constant base c > 0.
        if other <= 0:
            raise DomainError(f"a constant base must be positive to raise it to a variable power, got {human(other)}")
        return (self * Value(other).log()).exp()

    def exp(self):
        return Value.apply(ops.EXP, self)

    def log(self):
        return Value.apply(ops.LOG, self)

    def sqrt(self):
        return Value.apply(ops.SQRT, self)

    def tanh(self):
        return Value.apply(ops.TANH, self)

    def sigmoid(self):
        return Value.apply(ops.SIGMOID, self)

    def relu(self):
        return Value.apply(ops.RELU, self)

    def max(self, other):
        return Value.apply(ops.MAX, self, other)

    def min(self, other):
        return Value.apply(ops.MIN, self, other)

    def backward(self, upstream=1.0) -> None:
        """Compute d(self)/d(node) × upstream for every node of the graph (see module doc)."""
        m = _M
        # The walk's order, every gradient reset to 0 and this one seeded; then each gate adds its
        # inputs' downstream gradients to their `.grad` (reverse_walk's visits, without a call each).
        for node in backward_order(self, 0.0, float(upstream))[0]:
            parents = node._parents
            if len(parents) == 2:
                a, b = parents
                ga, gb = node._op.vjp(m, node._param, node.grad, node.data, None, _NEEDS_TWO, a.data, b.data)
                a.grad += ga
                b.grad += gb
            else:
                (a,) = parents
                (ga,) = node._op.vjp(m, node._param, node.grad, node.data, None, _NEEDS_ONE, a.data)
                a.grad += ga

    def __repr__(self) -> str:
        name = f"{self.name}: " if self.name else ""
        return f"Value({name}data={human(self.data)}, grad={human(self.grad)})"


def maximum(x, y) -> Value:
    """max(x, y) as a gate; either argument may be a plain number."""
    return Value.apply(ops.MAX, x, y)


def minimum(x, y) -> Value:
    """min(x, y) as a gate; either argument may be a plain number."""
    return Value.apply(ops.MIN, x, y)
