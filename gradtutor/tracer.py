"""Backward as a list of steps a person can follow.

`trace(root)` records the graph and replays backpropagation one gate at a time, in reverse
topological order. Each `Step` names the gate, its upstream gradient, and for every input the
local gradient and the downstream gradient = upstream × local. When a value feeds several gates
(a fan-out) each step also shows the input's running sum before and after, which is the
"copy adds" pattern made visible. The tracer reads only the recorded graph and the op table.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from gradtutor import ops
from gradtutor.graph import Graph, Node, record
from gradtutor.numbers import as_fraction


@dataclass(slots=True)
class Flow:
    """What one input of a gate receives in one step."""

    node: int  # the input's node id
    local: Any  # ∂(gate output)/∂(input), evaluated at the forward values
    downstream: Any  # upstream × local: this gate's contribution to the input's gradient
    before: Any  # the input's gradient before this step (sum of contributions so far)
    after: Any  # before + downstream: the running sum


@dataclass(slots=True)
class Step:
    index: int  # 1-based position in the backward pass
    node: int  # the gate's output node
    op: ops.Op
    upstream: Any  # ∂L/∂(gate output), complete by the time this gate runs
    flows: list[Flow]

    @property
    def gate(self) -> str:
        return self.op.gate


@dataclass(slots=True)
class Check:
    """Autodiff against central differences for one leaf."""

    node: int
    autodiff: float
    numeric: float

    @property
    def ok(self) -> bool:
        return abs(self.autodiff - self.numeric) <= 1e-5 + 1e-4 * abs(self.numeric)


@dataclass(slots=True)
class Trace:
    graph: Graph
    steps: list[Step]
    upstream: Any
    exact: bool = False
    checks: list[Check] | None = None

    @property
    def nodes(self) -> list[Node]:
        return self.graph.nodes

    def grad(self, name: str):
        """The gradient of the named node, e.g. trace.grad("tax")."""
        return self.graph.by_name(name).grad

    def value(self, name: str):
        return self.graph.by_name(name).value

    def fanouts(self) -> list[Node]:
        return [n for n in self.graph.nodes if n.uses > 1]


class NotExact(ValueError):
    """Exact mode was asked for a graph with an op that leaves the rationals (exp, tanh ...)."""


def trace(root, upstream=1.0, *, exact: bool = False, check: bool = False) -> Trace:
    """Trace backpropagation from `root`, seeded with `upstream` (∂L/∂root).

    exact: replay the graph in rational arithmetic (1.1 is taken as 11/10), so the apple
    example's 2.2 is exactly 11/5. Only graphs of + − × ÷ and integer powers qualify.
    check: add a central-difference estimate for every leaf beside its autodiff gradient.
    """
    graph, _ = record(root)
    if exact:
        _make_exact(graph)
        upstream = as_fraction(upstream)
    zero = Fraction(0) if exact else 0.0
    m = ops.Scalar
    grads = [zero] * len(graph.nodes)
    grads[-1] = upstream
    steps = []
    for node in reversed(graph.nodes):
        if node.op is None:
            continue
        g = grads[node.id]
        xs = [graph.nodes[p].value for p in node.parents]
        downstream = node.op.vjp(m, node.param, g, node.value, *xs)
        local = node.op.vjp(m, node.param, 1, node.value, *xs)
        flows = []
        for parent, d, loc in zip(node.parents, downstream, local):
            d = _plain(d)
            before = grads[parent]
            grads[parent] = before + d
            flows.append(Flow(parent, _plain(loc), d, before, grads[parent]))
        steps.append(Step(len(steps) + 1, node.id, node.op, g, flows))
    for node, g in zip(graph.nodes, grads):
        node.grad = g
    result = Trace(graph, steps, upstream, exact)
    if check:
        result.checks = numeric_checks(graph, float(upstream))
    return result


def _plain(x):
    """Booleans come out of comparison-based rules (relu, max); show them as numbers."""
    return float(x) if isinstance(x, bool) else x


def _make_exact(graph: Graph) -> None:
    for node in graph.nodes:
        if node.op is None:
            node.value = as_fraction(node.value)
            continue
        param = node.param
        if not node.op.exact or (param is not None and not float(param).is_integer()):
            raise NotExact(
                f"exact mode needs a graph of + − × ÷ and integer powers; "
                f"node {node.label} uses {node.op.name}"
                + (f" with exponent {param}" if node.op.name == "pow" else "")
            )
        if param is not None:
            node.param = int(param)
        xs = [graph.nodes[p].value for p in node.parents]
        node.value = node.op.forward(ops.Scalar, node.param, *xs)


def evaluate(graph: Graph, leaf_values: dict[int, float] | None = None) -> float:
    """Re-run the forward pass of a recorded scalar graph, optionally with some leaves changed."""
    leaf_values = leaf_values or {}
    values = []
    for node in graph.nodes:
        if node.op is None:
            values.append(float(leaf_values.get(node.id, node.value)))
        else:
            xs = [values[p] for p in node.parents]
            values.append(node.op.forward(ops.Scalar, node.param, *xs))
    return values[-1]


def numeric_checks(graph: Graph, upstream: float = 1.0) -> list[Check]:
    """Central differences (f(x + h) − f(x − h)) / 2h for every leaf, times the upstream."""
    checks = []
    for node in graph.leaves():
        x = float(node.value)
        h = 1e-6 * max(1.0, abs(x))
        plus = evaluate(graph, {node.id: x + h})
        minus = evaluate(graph, {node.id: x - h})
        checks.append(Check(node.id, float(node.grad), upstream * (plus - minus) / (2 * h)))
    return checks
