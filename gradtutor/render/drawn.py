"""What a diagram draws of a trace, before any DOT is written: which values appear, as what, and
the wires between them, under a `DiagramStyle`.

- A constant folded into its gate (`constants="inline"`) is not drawn: its gate reads "+1",
  "×−1" or "1/x", as the CS231n notes draw the sigmoid circuit.
- A collapsed value (`collapse=("s",)`) is drawn as one box named s; the gates that make it, and
  the inputs only they read, are hidden.
- A value read by several gates gets a trunk wire up to a branch point and one branch wire per
  use, so the sum at the trunk shows "copy adds"; with `copies=True` an input is drawn once per
  use instead (micrograd's pictures), which keeps shared weights from crossing the whole drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradtutor.errors import UserError
from gradtutor.render.fmt import gate_text, is_array, show
from gradtutor.render.style import DiagramStyle

# The ops a constant operand folds into, and how the gate then reads: {op: (constant first, constant second)}.
# {c} is the constant; a gate with the constant first reads like a function of x (1/x, 1 − x).
FOLDS = {
    "add": ("+{c}", "+{c}"),
    "mul": ("×{c}", "×{c}"),
    "sub": ("{c}−x", "−{c}"),
    "div": ("{c}/x", "÷{c}"),
}
# Gates whose diagram symbol differs from the table's: matmul's "·" is a dot too small to see in a
# circle; the textbook's graphs of the affine layer name the gate "dot".
DIAGRAM_SYMBOLS = {"matmul": "dot"}


class UnknownCollapse(UserError, ValueError):
    """--collapse named a value the graph does not have."""


@dataclass(slots=True)
class Wire:
    """One drawn wire: its node id, where it comes from and goes to, and its numbers."""

    id: str
    tail: str  # DOT node id the wire leaves
    head: str  # DOT node id the wire enters
    value: object
    grad: object  # None: the value takes no gradient (a constant, labels), nothing to show
    ready: int  # first frame in which the gradient is known
    steps: tuple[int, ...]  # the steps whose gate this wire enters or leaves: highlighted then
    arrow: bool = True
    header: str = ""  # the name (and a tensor's shape) of the value the wire carries
    source: int = -1  # the node whose value the wire carries (a worksheet may leave its numbers blank)


@dataclass(slots=True)
class Drawn:
    """The shapes of one diagram: inputs, gates, collapsed boxes, branch points, wires."""

    leaves: list[tuple[str, object]] = field(default_factory=list)  # (DOT id, node)
    gates: list[object] = field(default_factory=list)  # gate nodes drawn as circles or boxes
    boxes: list[object] = field(default_factory=list)  # collapsed values
    branches: list[int] = field(default_factory=list)  # node ids with a branch point j<id>
    wires: list[Wire] = field(default_factory=list)
    symbols: dict[int, str] = field(default_factory=dict)  # gate node id -> what its shape reads
    inputs: dict[int, list] = field(default_factory=dict)  # gate node id -> the drawn nodes it reads
    hidden: set[int] = field(default_factory=set)  # gates not drawn (inside a collapsed value)
    inside: dict[int, str] = field(default_factory=dict)  # hidden gate -> the collapsed value holding it


def drawn(trace, style: DiagramStyle) -> Drawn:
    nodes = trace.nodes
    result = Drawn()
    folded = _folded(nodes, style)  # gate id -> slot of its folded constant
    collapsed = _collapsed(trace, style)
    visible = _visible(nodes, collapsed, folded)
    for node in nodes:
        if node.op is not None and node.id not in visible:
            result.hidden.add(node.id)
    for name_id in collapsed:
        for hidden in _inside(nodes, name_id, visible):
            result.inside[hidden] = nodes[name_id].label
    step_of = {s.node: s.index for s in trace.steps}
    flow_of = {(s.node, slot): f for s in trace.steps for slot, f in enumerate(s.flows)}
    consumers_of: dict[int, list[tuple[int, int]]] = {n.id: [] for n in nodes}
    for gate in nodes:
        if gate.op is None or gate.id not in visible or gate.id in collapsed:
            continue
        result.symbols[gate.id] = _symbol(gate, nodes, folded.get(gate.id))
        result.inputs[gate.id] = [nodes[p] for slot, p in enumerate(gate.parents) if slot != folded.get(gate.id)]
        for slot, parent in enumerate(gate.parents):
            if slot != folded.get(gate.id):
                consumers_of[parent].append((gate.id, slot))
    for node in nodes:
        if node.id not in visible:
            continue
        consumers = consumers_of[node.id]
        is_input = node.op is None or node.id in collapsed
        if node.id in collapsed:
            result.boxes.append(node)
        elif node.op is not None:
            result.gates.append(node)
        header = "" if is_input else _header(node, style)
        made_by = (step_of[node.id],) if node.id in step_of and not is_input else ()
        takes = node.takes_gradient
        if is_input and len(consumers) > 1 and style.copies and node.op is None:
            # one copy of the input per use, each with the gradient its gate sends back
            for k, (gate, slot) in enumerate(consumers):
                copy = f"n{node.id}c{k}"
                result.leaves.append((copy, node))
                grad = flow_of[(gate, slot)].downstream if takes else None
                result.wires.append(Wire(f"w{gate}_{slot}", copy, f"n{gate}", node.value, grad, step_of[gate], (step_of[gate],), source=node.id))
            continue
        if node.op is None:
            result.leaves.append((f"n{node.id}", node))
        source = f"n{node.id}"
        if len(consumers) > 1:
            # copy gate: trunk to a branch point, whose gradient is complete after the last use
            done = max(step_of[gate] for gate, _ in consumers)
            grad = node.grad if takes else None
            result.wires.append(Wire(f"t{node.id}", source, f"j{node.id}", node.value, grad, done, (done, *made_by), False, header, node.id))
            result.branches.append(node.id)
            made_by, header = (), ""  # the branches leave the branch point, not the gate
            source = f"j{node.id}"
        for gate, slot in consumers:
            k = step_of[gate]
            grad = flow_of[(gate, slot)].downstream if takes else None
            result.wires.append(Wire(f"w{gate}_{slot}", source, f"n{gate}", node.value, grad, k, (k, *made_by), header=header, source=node.id))
    root = trace.graph.root
    seeded = (step_of[root.id],) if root.id in step_of and root.id not in collapsed else ()
    result.wires.append(Wire("w_out", f"n{root.id}", "out", root.value, trace.upstream, 1, seeded, source=root.id))
    return result


def _header(node, style: DiagramStyle) -> str:
    """What a gate's outgoing wire says of the value: its name when shown, a tensor's shape."""
    name = node.name if style.names and node.name else ""
    shape = str(tuple(int(n) for n in node.value.shape)) if is_array(node.value) else ""
    return " ".join(part for part in (name, shape) if part)


def _symbol(gate, nodes, folded_slot: int | None) -> str:
    symbol = DIAGRAM_SYMBOLS.get(gate.op.name, gate_text(gate))
    if folded_slot is None:
        return symbol
    constant = show(nodes[gate.parents[folded_slot]].value)
    first, second = FOLDS[gate.op.name]
    return (first if folded_slot == 0 else second).format(c=constant)


def _folded(nodes, style: DiagramStyle) -> dict[int, int]:
    """{gate id: slot} of the scalar constants drawn inside their gate."""
    if style.constants != "inline":
        return {}
    folded = {}
    for gate in nodes:
        if gate.op is None or gate.op.name not in FOLDS or len(gate.parents) != 2:
            continue
        inputs = [nodes[p] for p in gate.parents]
        constant = [slot for slot, x in enumerate(inputs) if x.is_constant and x.uses == 1 and not is_array(x.value)]
        if len(constant) == 1 and not inputs[1 - constant[0]].is_constant:
            folded[gate.id] = constant[0]
    return folded


def _collapsed(trace, style: DiagramStyle) -> set[int]:
    ids = set()
    for name in style.collapse:
        try:
            node = trace.graph.by_name(name)
        except KeyError:
            named = [n.name for n in trace.nodes if n.name and n.op is not None]
            raise UnknownCollapse(
                f"cannot collapse {name!r}: no gate's value has that name; named values are: {', '.join(named) or 'none'}"
            ) from None
        if node.op is None:
            raise UnknownCollapse(f"cannot collapse {name!r}: it is an input, not a value gates compute")
        ids.add(node.id)
    return ids


def _visible(nodes, collapsed: set[int], folded: dict[int, int]) -> set[int]:
    """The nodes reachable from the output without entering a collapsed value or a folded constant."""
    seen: set[int] = set()
    stack = [nodes[-1].id]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if node_id in collapsed:
            continue
        gate = nodes[node_id]
        stack.extend(p for slot, p in enumerate(gate.parents) if slot != folded.get(node_id))
    return seen


def _inside(nodes, top: int, visible: set[int]) -> list[int]:
    """The hidden gates that feed the collapsed value `top`."""
    found, stack = [], list(nodes[top].parents)
    while stack:
        node_id = stack.pop()
        if node_id in visible or node_id in found:
            continue
        found.append(node_id)
        stack.extend(nodes[node_id].parents)
    return [n for n in found if nodes[n].op is not None]


def is_word(symbol: str) -> bool:
    """A gate named by a word (ReLU, softmax) or a long fold (×−0.5): drawn as a rounded box that
    fits it, with the text as large as a circle's symbol. Up to three characters (×, exp, dot, 1/x)
    sit in a circle."""
    return len(symbol) > 3
