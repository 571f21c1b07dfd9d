"""Answer keys computed with the engine: a lesson states its answer, this module computes it.

A *source* (a built-in example, or a circuit written in the lesson) is built and traced; a
*quantity* ("grad:tax", "local:price:tax", "shape:grad:W", "gate:m" …, see lessons/README.md)
is read off the trace. The runner checks learners against these computed keys, and the lesson
check compares them with what the author wrote, so a lesson cannot teach a wrong number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Which gate pattern each op shows when a learner is asked to name it.
PATTERN_OF_OP = {"add": "distribute", "mul": "swap", "max": "route", "min": "route"}
_NUMERIC = ("value", "grad", "upstream", "local", "downstream")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class QuantityError(ValueError):
    """A quantity that cannot be read, or cannot be computed on its source."""


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: str  # value grad upstream local downstream shape gate largest smallest sign
    text: str  # as written in the lesson
    node: str | None = None
    input: str | None = None  # local / downstream: the gate's input
    of: str | None = None  # shape: value|grad; largest/smallest: value|grad
    nodes: tuple[str, ...] = ()  # largest / smallest: the candidates
    inner: "Quantity | None" = None  # sign, above, below: what it is taken of
    index: int | None = None  # layer:<i> (1-based), gradnorm:<steps>
    threshold: float | None = None  # above, below

    @property
    def family(self) -> str:
        """Which kind of source answers it: "trace" (example, circuit), "network" (layer,
        model) or "training"."""
        if self.inner is not None:
            return self.inner.family
        if self.kind in NETWORK_KINDS and (self.of in ("output", "layer") or self.kind in ("params", "gradnorm")):
            return "network"
        if self.kind in TRAINING_KINDS:
            return "training"
        return "trace"


# Quantities of layers and models (gradtutor.tutor.networks) and of training runs (training.py).
NETWORK_KINDS = ("shape", "width", "height", "channels", "size", "params", "gradnorm")
TRAINING_KINDS = ("loss", "accuracy", "test_loss", "test_accuracy", "baseline")
_NUMBERS = _NUMERIC + NETWORK_KINDS[1:] + TRAINING_KINDS  # kinds whose value is one number
_NUMBER = r"-?\d+(\.\d+)?(e-?\d+)?"


def parse_quantity(text: str) -> Quantity:
    kind, _, rest = text.strip().partition(":")
    parts = rest.split(":") if rest else []
    network = _network_quantity(kind, parts, text)
    if network is not None:
        return network
    if kind in TRAINING_KINDS and not parts:
        return Quantity(kind, text)
    if kind in ("above", "below") and len(parts) >= 2 and re.fullmatch(_NUMBER, parts[0]):
        inner = parse_quantity(":".join(parts[1:]))
        if inner.kind in _NUMBERS:
            return Quantity(kind, text, inner=inner, threshold=float(parts[0]))
    if kind in ("value", "grad", "upstream", "gate") and len(parts) == 1 and re.fullmatch(_NAME, parts[0]):
        return Quantity(kind, text, node=parts[0])
    if kind in ("local", "downstream") and len(parts) == 2 and all(re.fullmatch(_NAME, p) for p in parts):
        return Quantity(kind, text, node=parts[0], input=parts[1])
    if kind == "shape" and len(parts) == 2 and parts[0] in ("value", "grad") and re.fullmatch(_NAME, parts[1]):
        return Quantity(kind, text, node=parts[1], of=parts[0])
    if kind in ("largest", "smallest") and len(parts) == 2 and parts[0] in ("value", "grad"):
        names = tuple(name.strip() for name in parts[1].split(","))
        if len(names) >= 2 and all(re.fullmatch(_NAME, name) for name in names):
            return Quantity(kind, text, of=parts[0], nodes=names)
    if kind == "sign" and rest:
        inner = parse_quantity(rest)
        if inner.kind in _NUMBERS:
            return Quantity(kind, text, inner=inner)
    raise QuantityError(
        f"cannot read the quantity {text!r}; forms are value:N, grad:N, upstream:N, local:G:I, "
        "downstream:G:I, shape:value:N, shape:grad:N, gate:N, largest:grad:A,B, smallest:grad:A,B, sign:<quantity>; "
        "for a layer or model shape:output, shape:layer:I, width/height/channels/size:output or :layer:I, "
        "params, params:layer:I, gradnorm:T; for a training run loss, accuracy, test_loss, test_accuracy, "
        "baseline; above:X:<quantity>, below:X:<quantity>"
    )


def _network_quantity(kind: str, parts: list[str], text: str) -> Quantity | None:
    """shape:output, shape:layer:2, width:output, params, params:layer:1, gradnorm:50 …"""
    if kind not in NETWORK_KINDS:
        return None
    if kind == "params" and not parts:
        return Quantity(kind, text)
    if kind == "gradnorm":
        if len(parts) == 1 and parts[0].isdigit() and int(parts[0]) >= 1:
            return Quantity(kind, text, index=int(parts[0]))
        return None
    if parts == ["output"] and kind != "params":
        return Quantity(kind, text, of="output")
    if len(parts) == 2 and parts[0] == "layer" and parts[1].isdigit() and int(parts[1]) >= 1:
        return Quantity(kind, text, of="layer", index=int(parts[1]))
    return None


# -- sources -------------------------------------------------------------------------------------
def solve(source):
    """The trace of a lesson source (cached: a lesson asks about the same example many times)."""
    return _solve(source)


@lru_cache(maxsize=64)
def _solve(source):
    """A Trace for an example or circuit; a networks.Report for a layer or model; a
    training.Outcome for a training run."""
    if getattr(source, "network", None) is not None:
        from gradtutor.tutor import networks

        return networks.inspect(source.network)
    if getattr(source, "training", None) is not None:
        from gradtutor.tutor import training

        return training.run(source.training)
    from gradtutor.tracer import trace

    if source.example is not None:
        from gradtutor import examples

        root, upstream = examples.get(source.example).build()
    else:
        root, upstream = build_circuit(source.circuit), source.circuit.upstream
    return trace(root, upstream, exact=source.exact)


_ASSIGNMENT = re.compile(rf"^\s*(?P<name>{_NAME})\s*=(?!=)(?P<expression>.*)$")


def build_circuit(circuit):
    """Build a lesson circuit: lines `name = expression`, each using the names above it; the
    last line is the output. A single bare expression is a circuit too."""
    from gradtutor import expr
    from gradtutor.engine import Value

    lines = [line for line in circuit.expression.splitlines() if line.strip()]
    at = dict(circuit.at)
    nodes: dict[str, Value] = {}
    used = set()
    output = None
    for number, line in enumerate(lines, 1):
        match = _ASSIGNMENT.match(line)
        if match is None and number < len(lines):
            raise QuantityError(f"circuit {circuit.name}: line {number} needs a name: `name = expression`")
        text = match["expression"] if match else line
        parsed = expr.parse(text)
        for variable in parsed.variables:
            if variable not in nodes:
                if variable not in at:
                    raise QuantityError(
                        f"circuit {circuit.name}: line {number} uses {variable}, which has no value in `at` and no line above"
                    )
                # One leaf per input variable across all lines: a variable used on two lines
                # is one node that fans out.
                nodes[variable] = Value(float(at[variable]), variable)
            used.add(variable)
        output = parsed.build({variable: nodes[variable] for variable in parsed.variables})
        if match:
            if output.is_leaf:
                raise QuantityError(f"circuit {circuit.name}: line {number} computes nothing (it only renames a value)")
            output.name = match["name"]
            nodes[match["name"]] = output
    unused = sorted(set(at) - used)
    if unused:
        raise QuantityError(f"circuit {circuit.name}: `at` gives {', '.join(unused)}, which no line uses")
    return output


# -- reading a quantity off a trace ------------------------------------------------------------
def _node(trace, name: str):
    for node in trace.nodes:
        if node.name == name:
            return node
    for node in trace.nodes:  # an unnamed gate, by its label (mul3)
        if node.label == name:
            return node
    names = ", ".join(trace.graph.names())
    raise QuantityError(f"no node named {name!r} (names: {names})")


def _step_of(trace, gate):
    for step in trace.steps:
        if step.node == gate.id:
            return step
    raise QuantityError(f"{gate.label} is not computed by a gate")


def _flow(trace, gate_name: str, input_name: str):
    gate, source = _node(trace, gate_name), _node(trace, input_name)
    step = _step_of(trace, gate)
    for flow in step.flows:  # the first slot when an input appears twice (a * a)
        if flow.node == source.id:
            return step, flow
    raise QuantityError(f"{input_name} is not an input of {gate_name}")


def compute(quantity: Quantity, trace):
    """The quantity's value: a number, a shape tuple, a nested list, a pattern, a node name,
    or yes/no. `trace` is what `solve` gave for the step's source."""
    kind = quantity.kind
    if kind in ("above", "below"):
        value = compute(quantity.inner, trace)
        if isinstance(value, (list, tuple, str)):
            raise QuantityError(f"{quantity.text}: {quantity.inner.text} is not one number")
        beyond = value > quantity.threshold if kind == "above" else value < quantity.threshold
        return "yes" if beyond else "no"
    if quantity.inner is None and quantity.family == "network":
        from gradtutor.tutor import networks

        return networks.quantity(quantity, trace)
    if quantity.inner is None and quantity.family == "training":
        from gradtutor.tutor import training

        return training.quantity(quantity, trace)
    if kind == "value":
        return plain(_node(trace, quantity.node).value)
    if kind == "grad":
        return plain(_node(trace, quantity.node).grad)
    if kind == "upstream":
        return plain(_step_of(trace, _node(trace, quantity.node)).upstream)
    if kind in ("local", "downstream"):
        _, flow = _flow(trace, quantity.node, quantity.input)
        return plain(flow.local if kind == "local" else flow.downstream)
    if kind == "shape":
        node = _node(trace, quantity.node)
        return tuple(getattr(node.value if quantity.of == "value" else node.grad, "shape", ()))
    if kind == "gate":
        return pattern(trace, _node(trace, quantity.node))
    if kind in ("largest", "smallest"):
        scored = [(float(compute(Quantity(quantity.of, "", node=name), trace)), name) for name in quantity.nodes]
        best = max(score for score, _ in scored) if kind == "largest" else min(score for score, _ in scored)
        winners = [name for score, name in scored if score == best]
        if len(winners) > 1:
            raise QuantityError(f"{quantity.text}: {', '.join(winners)} tie, so there is no single answer")
        return winners[0]
    if kind == "sign":
        value = compute(quantity.inner, trace)
        if isinstance(value, list):
            raise QuantityError(f"{quantity.text}: the sign of an array is not one word")
        return "positive" if value > 0 else "negative" if value < 0 else "zero"
    raise QuantityError(f"unknown quantity kind {kind!r}")


def pattern(trace, node) -> str:
    if node.op is not None:
        name = PATTERN_OF_OP.get(node.op.name)
        if name is None:
            raise QuantityError(f"{node.label} is a {node.op.name} gate, which has no pattern name (add, mul, max and min do)")
        return name
    if node.uses > 1:
        return "copy"
    raise QuantityError(f"{node.label} is an input used once: it has no pattern (a gate, or an input used twice, does)")


def plain(x):
    """Scalars stay numbers (floats or Fractions); arrays become nested lists of floats."""
    if hasattr(x, "shape") and getattr(x, "shape", ()) != ():
        from gradtutor.backend import to_host

        return to_host(x).tolist()
    if hasattr(x, "item"):
        return x.item()
    return x


def solution_step(quantity: Quantity, trace) -> int | None:
    """The backward step a worked solution should show: the one that completes the quantity."""
    kind = quantity.kind
    if quantity.family != "trace":
        return None
    if kind == "sign":
        return solution_step(quantity.inner, trace)
    if kind in ("upstream", "local", "downstream"):
        return _step_of(trace, _node(trace, quantity.node)).index
    if kind == "gate":
        node = _node(trace, quantity.node)
        if node.op is not None:
            return _step_of(trace, node).index
        return _last_flow_into(trace, node)
    if kind == "grad" or (kind == "shape" and quantity.of == "grad"):
        return _last_flow_into(trace, _node(trace, quantity.node))
    return None


def _last_flow_into(trace, node) -> int | None:
    last = None
    for step in trace.steps:
        if any(flow.node == node.id for flow in step.flows):
            last = step.index
    return last


def known_mistakes(quantity: Quantity, trace) -> list[tuple[object, str]]:
    """Wrong numbers a learner is likely to give for this quantity, each with the UI message
    that names the slip: the forward value for a gradient, the local gradient without the
    upstream factor, one use's share of a fanned-out gradient."""
    if quantity.family == "network" and quantity.inner is None:
        from gradtutor.tutor import networks

        return networks.known_mistakes(quantity, trace)
    if quantity.family != "trace" or quantity.kind not in _NUMERIC or quantity.kind == "value":
        return []
    answer = compute(quantity, trace)
    if isinstance(answer, list):
        return []
    mistakes = []
    if quantity.kind in ("grad", "upstream"):
        node = _node(trace, quantity.node)
        mistakes.append((plain(node.value), "forward_value"))
        if quantity.kind == "grad":
            flows = [(s, f) for s in trace.steps for f in s.flows if f.node == node.id]
            if len(flows) == 1 and flows[0][0].upstream != 1:
                mistakes.append((plain(flows[0][1].local), "no_upstream"))
            if len(flows) > 1:
                mistakes.extend((plain(f.downstream), "one_use_only") for _, f in flows)
    if quantity.kind == "downstream":
        _, flow = _flow(trace, quantity.node, quantity.input)
        mistakes.append((plain(flow.local), "no_upstream"))
    return [(value, key) for value, key in mistakes if not isinstance(value, list) and value != answer]
