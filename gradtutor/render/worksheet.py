"""Worksheets: a diagram with chosen numbers left as boxes to fill in, beside its answer sheet.

`choose_blanks(trace, "grads")` names what a worksheet leaves blank: every gradient ("grads"),
every computed value ("values": the gates' outputs; the inputs are what the exercise gives), or
the numbers of named nodes ("apple_price,tax": a named gate's value and gradient, a named input's
gradient). The seed gradient on the output wire is the exercise's starting point and is never
blank. Diagrams draw a blank as an empty box of the answer's size (dot.to_dot's `blanks`), so
the worksheet and its answer sheet have the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gradtutor.errors import UserError

KINDS = ("grads", "values")


class BadBlanks(UserError, ValueError):
    """A --blank choice that names nothing in the trace."""


@dataclass(frozen=True, slots=True)
class Blanks:
    values: frozenset[int]  # ids of the nodes whose value wires show a box
    grads: frozenset[int]  # ids of the nodes whose gradients show a box
    output: int  # the output node's id: its value is also in the caption

    def hides_value(self, wire) -> bool:
        return wire.source in self.values

    def hides_grad(self, wire) -> bool:
        return wire.source in self.grads and wire.id != "w_out"  # the seed is given

    @property
    def hides_output(self) -> bool:
        return self.output in self.values


def choose_blanks(trace, spec: str) -> Blanks:
    """The numbers `spec` leaves blank: comma-separated "grads", "values" or node names (labels
    as tables write them: apple_price, mul1). An unknown name is a one-line error."""
    nodes = trace.nodes
    by_label = {node.label: node for node in nodes}
    values: set[int] = set()
    grads: set[int] = set()
    choices = [part.strip() for part in str(spec).split(",") if part.strip()]
    if not choices:
        raise BadBlanks("--blank needs grads, values or node names (comma-separated)")
    for choice in choices:
        if choice == "grads":
            grads.update(node.id for node in nodes)  # a constant's too: it would give its neighbour's away
        elif choice == "values":
            values.update(node.id for node in nodes if node.op is not None)
        elif choice in by_label:
            node = by_label[choice]
            grads.add(node.id)
            if node.op is not None:  # an input's value is what the exercise gives
                values.add(node.id)
        else:
            names = ", ".join(node.label for node in nodes if not node.is_constant)
            raise BadBlanks(f"--blank: {choice!r} is neither grads, values nor a node of this trace ({names})")
    return Blanks(frozenset(values), frozenset(grads), trace.graph.root.id)


def answers_path(out: Path) -> Path:
    """Where the answer sheet goes by default: beside the worksheet, out-answers.svg."""
    return out.with_name(f"{out.stem}-answers{out.suffix}")
