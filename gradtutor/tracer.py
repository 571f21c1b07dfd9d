"""Backward as a list of steps a person can follow.

`trace(root)` records the graph and replays backpropagation one gate at a time, in reverse
topological order. Each `Step` names the gate, its upstream gradient, and for every input the
local gradient and the downstream gradient = upstream × local. When a value feeds several gates
(a fan-out) each step also shows the input's running sum before and after, which is the
"copy adds" pattern made visible. The gates come in the order of the engines' own reverse walk
(autodiff.py); values come from the recorded graph and rules from the op table.

Tensor graphs (from `gradtutor.tensor`) are traced the same way, and each flow also carries the
gate's local Jacobian ∂(output)/∂(input) when both have at most `JACOBIAN_LIMIT` elements: a
matrix with one row per output element and one column per input element, both flattened in
row-major (C) order. It is built by asking the op's VJP for one basis vector at a time, so the
matrix shown is exactly the rule the engine runs. `via_jacobian` = upstream · J (reshaped to the
input) is then compared with the efficient downstream the VJP gives directly (`agrees`), and
entries of either that are rounding residue of terms cancelling are written as 0.
Bigger gates are described in words instead (the op record's `jacobian` text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gradtutor import ops
from gradtutor.autodiff import reverse_walk
from gradtutor.engine import DomainError
from gradtutor.errors import UserError
from gradtutor.graph import Graph, Node, record
from gradtutor.numbers import as_fraction, human


@dataclass(slots=True)
class Flow:
    """What one input of a gate receives in one step."""

    node: int  # the input's node id
    local: Any  # ∂(gate output)/∂(input), evaluated at the forward values
    downstream: Any  # upstream × local: this gate's contribution to the input's gradient
    before: Any  # the input's gradient before this step (sum of contributions so far)
    after: Any  # before + downstream: the running sum
    # -- tensor gates only (None on scalar traces) ---------------------------------------------
    jacobian: Any = None  # (output size, input size) matrix, row-major flattening; None if large
    via_jacobian: Any = None  # upstream · J, reshaped to the input's shape
    agrees: bool | None = None  # via_jacobian equals the VJP's downstream


@dataclass(slots=True)
class Step:
    index: int  # 1-based position in the backward pass
    node: int  # the gate's output node
    op: ops.Op
    upstream: Any  # ∂L/∂(gate output), complete by the time this gate runs
    flows: list[Flow]
    output_shape: tuple[int, ...] | None = None  # tensor gates only
    input_shapes: tuple[tuple[int, ...], ...] | None = None  # tensor gates only

    @property
    def gate(self) -> str:
        return self.op.gate_in()

    @property
    def is_tensor(self) -> bool:
        return self.output_shape is not None


@dataclass(slots=True)
class Check:
    """Autodiff against central differences for one leaf."""

    node: int
    autodiff: float
    numeric: float

    @property
    def ok(self) -> bool:
        close = abs(self.autodiff - self.numeric) <= 1e-5 + 1e-4 * abs(self.numeric)
        return bool(close.all()) if hasattr(close, "all") else close  # arrays: every element


@dataclass(slots=True)
class Trace:
    graph: Graph
    steps: list[Step]
    upstream: Any
    exact: bool = False
    checks: list[Check] | None = None
    is_tensor: bool = False  # a tensor graph: values are arrays, steps carry shapes and Jacobians

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

    def __repr__(self) -> str:
        """One line: a trace echoed in a notebook or a debugger must not list every node."""
        root = self.graph.root
        output = f"{root.label} {tuple(root.value.shape)}" if self.is_tensor else f"{root.label} = {human(root.value)}"
        kind = "tensor" if self.is_tensor else "exact" if self.exact else "scalar"
        return f"<Trace {output}: {len(self.nodes)} nodes, {len(self.steps)} backward steps, {kind}>"


class NotExact(UserError, ValueError):
    """Exact mode was asked for a graph with an op that leaves the rationals (exp, tanh ...)."""


class GradientOverflow(DomainError):
    """A gradient left the floats on the way back (1/x² at x = 1e-170): the forward pass was
    fine, so this is reported like the forward pass's own overflows, in one line."""


def trace(root, upstream=1.0, *, exact: bool = False, check: bool = False) -> Trace:
    """Trace backpropagation from `root`, seeded with `upstream` (∂L/∂root).

    exact: replay the graph in rational arithmetic (1.1 is taken as 11/10), so the apple
    example's 2.2 is exactly 11/5. Only graphs of + − × ÷ and integer powers qualify.
    check: add a central-difference estimate for every leaf beside its autodiff gradient.

    A Tensor root is traced with shapes and Jacobians (see the module doc); its upstream may be
    an array of the root's shape or one number for every element (the default: ones).
    """
    m = root.namespace()  # the node type's numbers: ops.Scalar for Values, the backend for Tensors
    arrays = m is not ops.Scalar
    graph, order = record(root)
    nodes = graph.nodes
    if exact:
        if arrays:
            raise NotExact("exact mode works on scalar graphs only; this graph is made of tensors")
        _make_exact(graph)
        upstream = as_fraction(upstream)
    seed = _seed(m, upstream, nodes[-1].value) if arrays else upstream
    gate_flows = _tensor_flows if arrays else _scalar_flows
    position = {id(obj): i for i, obj in enumerate(order)}
    grads = [None] * len(nodes)  # None: no contribution yet (a zero of the node's kind)
    grads[-1] = seed
    steps: list[Step] = []

    def visit(m, obj) -> None:
        node = nodes[position[id(obj)]]
        g = _gradient(m, grads, node)
        xs = [nodes[p].value for p in node.parents]
        flows = []
        for parent, (d, local, *tensor_only) in zip(node.parents, gate_flows(m, node, obj._saved, g, xs, len(steps) + 1)):
            before = _gradient(m, grads, nodes[parent])
            grads[parent] = before + d  # the running sum: a fan-out's copies add up
            flows.append(Flow(parent, local, d, before, grads[parent], *tensor_only))
        shapes = {"output_shape": tuple(node.value.shape), "input_shapes": tuple(tuple(x.shape) for x in xs)} if arrays else {}
        steps.append(Step(len(steps) + 1, node.id, node.op, g, flows, **shapes))

    reverse_walk(root, visit, m)
    for node in nodes:
        node.grad = _gradient(m, grads, node)
    result = Trace(graph, steps, seed, exact, is_tensor=arrays)
    if check:
        result.checks = numeric_checks(graph, seed, m, lambda node: order[node.id].requires_grad)  # labels: none
    return result


def _gradient(m, grads, node):
    """The node's gradient so far: zero of its kind (0, Fraction 0, zeros of its shape) if none."""
    g = grads[node.id]
    return g if g is not None else m.zeros_like(node.value)


def _seed(m, upstream, value):
    from gradtutor.tensor import seed_gradient

    return seed_gradient(m, upstream, value)


def _scalar_flows(m, node, saved, g, xs, step: int):
    """(downstream, local) per input of a scalar gate; local is ∂(output)/∂(input), a number."""
    vjp = node.op.vjp
    needs = (True,) * len(xs)
    try:
        downstream = vjp(m, node.param, g, node.value, saved, needs, *xs)
        local = vjp(m, node.param, 1, node.value, saved, needs, *xs)
    except (ZeroDivisionError, OverflowError):  # y·y or x^(c−1) beyond the floats
        downstream = local = (math.inf,)
    # Exact mode's Fractions are always finite (and may be too large to turn into floats).
    if any(isinstance(x, float) and not math.isfinite(x) for x in (*downstream, *local)):
        raise GradientOverflow(
            f"the gradient overflows at backward step {step}, the {node.op.name} gate "
            f"{node.label}: it is too large for a float"
        )
    return [(_plain(d), _plain(loc)) for d, loc in zip(downstream, local)]


def _tensor_flows(m, node, saved, g, xs, step: int):
    """(downstream, jacobian, jacobian, via_jacobian, agrees) per input of a tensor gate."""
    from gradtutor.tensor import sum_to

    needs = (True,) * len(xs)
    downstream = node.op.vjp(m, node.param, g, node.value, saved, needs, *xs)
    jacobians = _jacobians(m, node, saved, xs, sum_to)
    flows = []
    for slot, (x, d) in enumerate(zip(xs, downstream)):
        jacobian = via = agrees = None
        if d is None:  # takes no gradient (class labels): shown as zeros
            d = m.zeros_like(x)
        else:
            d = sum_to(d, x.shape)
            if jacobians is not None and x.size <= JACOBIAN_LIMIT:
                jacobian = jacobians[slot]
                via = (g.reshape(-1) @ jacobian).reshape(x.shape)
                agrees = _agree(m, via, d)
                d, via = _without_rounding_noise(m, g, jacobian, d, via)
        flows.append((d, jacobian, jacobian, via, agrees))
    return flows


def _plain(x):
    """Booleans come out of comparison-based rules (relu, max); show them as numbers."""
    return float(x) if isinstance(x, bool) else x


EXACT_DIGITS = 4300  # Python's own limit on printing an integer (sys.get_int_max_str_digits)
EXACT_BITS = int(EXACT_DIGITS * 3.3219)  # log2(10) bits a digit


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
        # A product of n inputs has at most n times the largest one's bits, a power c times; past
        # Python's 4300-digit limit for printing an integer the fraction could not even be shown
        # (and 10**9 as an exponent would take hours to compute), so refuse before computing.
        bits = max((max(x.numerator.bit_length(), x.denominator.bit_length()) for x in xs), default=0)
        if bits * max(abs(node.param or 1), len(xs)) > EXACT_BITS:
            raise NotExact(
                f"exact mode would need numbers of more than {EXACT_DIGITS:,} digits at node {node.label}; "
                "run without --exact"
            )
        node.value, _ = node.op.forward(ops.Scalar, node.param, *xs)


def evaluate(graph: Graph, leaf_values: dict | None = None, m=ops.Scalar):
    """Re-run the forward pass of a recorded graph, optionally with some leaves changed: in
    floats for scalar graphs (m = ops.Scalar), in float64 arrays for tensor graphs (m the backend)."""
    leaf_values = leaf_values or {}
    values = []
    for node in graph.nodes:
        if node.op is None:
            values.append(m.asarray(leaf_values.get(node.id, node.value), dtype="float64"))
        else:
            out, _ = node.op.forward(m, node.param, *[values[p] for p in node.parents])
            values.append(out)
    return values[-1]


def numeric_checks(graph: Graph, upstream=1.0, m=ops.Scalar, takes_gradient=None, budget: int = 4096) -> list[Check]:
    """Central differences Σ upstream ⊙ (f(x + h) − f(x − h)) / 2h for every element of every
    leaf that takes a gradient (up to `budget` elements in all), beside its autodiff gradient.

    h is 1e-6·max(1, |x|), and at most |x|/1000, so x ± h stays well on x's side of 0 (log,
    1/x, roots). Where x ± h still leaves the function's domain, h shrinks a thousandfold, a
    few times; an element with no usable h gets nan, which fails its check instead of stopping
    the trace.
    """
    weights = m.asarray(upstream, dtype="float64")
    checks, spent = [], 0
    for node in graph.leaves():
        if takes_gradient is not None and not takes_gradient(node):
            continue
        base = m.array(node.value, dtype="float64")  # a copy: its elements are moved below
        shape = m.shape(base)
        flat = m.reshape(base, -1)  # arrays: a view of base; a number: a one-element list
        spent += len(flat)
        if spent > budget:
            break
        numeric = m.reshape(m.array(base, dtype="float64"), -1)  # one estimate per element, same layout
        for i in range(len(flat)):
            x = float(flat[i])

            def f(value, i=i):
                flat[i] = value
                return m.sum(evaluate(graph, {node.id: m.reshape(flat, shape)}, m) * weights)

            numeric[i] = _central_difference(f, x)
            flat[i] = x
        checks.append(Check(node.id, m.asarray(node.grad), m.reshape(numeric, shape)))
    return checks


def _central_difference(f, x: float) -> float:
    h = 1e-6 * max(1.0, abs(x))
    if x != 0:
        h = min(h, abs(x) / 1000)
    for _ in range(3):
        try:
            plus, minus = f(x + h), f(x - h)
        except (ArithmeticError, ValueError):  # math domain error, overflow, x / 0
            plus = minus = complex(math.nan)
        if not isinstance(plus, complex) and not isinstance(minus, complex):  # a root of a negative
            return float(plus - minus) / (2 * h)
        h /= 1000
    return math.nan


# -- tensor graphs -----------------------------------------------------------------------------
JACOBIAN_LIMIT = 64  # full Jacobians for gates whose input and output have at most this many elements


def _jacobians(m, node, saved, xs, sum_to):
    """Each input's Jacobian (rows: output elements, columns: input elements, row-major), one
    VJP per basis vector of the output; None when the output is too large or no input is small."""
    out = node.value
    if out.size > JACOBIAN_LIMIT or all(x.size > JACOBIAN_LIMIT for x in xs):
        return None
    rows = [[] for _ in xs]
    needs = (True,) * len(xs)
    for i in range(out.size):
        basis = m.zeros(out.size, dtype=out.dtype)  # a fresh one each time: a VJP may return it
        basis[i] = 1
        grads = node.op.vjp(m, node.param, basis.reshape(out.shape), out, saved, needs, *xs)
        for slot, (x, d) in enumerate(zip(xs, grads)):
            if d is None or x.size > JACOBIAN_LIMIT:
                continue
            d = sum_to(d, x.shape)
            rows[slot].append(m.array(d, dtype=out.dtype).reshape(-1))  # a copy, never a view
    return [m.stack(r) if len(r) == out.size else None for r in rows]


def _without_rounding_noise(m, g, jacobian, *gradients):
    """The gradients with entries that are rounding noise set to 0.

    An entry is Σ_k g_k·J_kj; when those terms cancel (the gradient of Σ softmax(x) is exactly 0)
    the float sum leaves a residue near 1e-17 that a learner would read as a real number. An
    entry no bigger than 64 ulps of Σ_k |g_k·J_kj|, the size of the terms that cancelled, is that
    residue. Only gates small enough to have their Jacobian built are judged.
    """
    scale = (m.abs(g.reshape(-1)) @ m.abs(jacobian)).reshape(gradients[0].shape)
    tolerance = 64 * m.finfo(jacobian.dtype).eps * scale
    return tuple(m.where(m.abs(grad) <= tolerance, 0.0, grad).astype(grad.dtype, copy=False) for grad in gradients)


def _agree(m, a, b) -> bool:
    loose = a.dtype.itemsize < 8  # float32 sums in another order differ in the last digits
    return bool(m.allclose(a, b, rtol=1e-4 if loose else 1e-9, atol=1e-6 if loose else 1e-12))
