"""The recorded graph as plain data, and as a networkx MultiDiGraph for analysis.

`record(root)` snapshots what the engine built: one `Node` per value, numbered in topological
order (inputs first, the output last). Everything downstream (tracer, renderers) reads these
records, never the engine's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradtutor.engine import topological_order
from gradtutor.numbers import human
from gradtutor.ops import Op


@dataclass(slots=True)
class Node:
    id: int  # position in topological order
    name: str | None  # the user's name for a leaf ("apple"); None for constants and gates
    op: Op | None  # None for leaves
    value: Any  # forward value: a float, a Fraction (exact mode) or an array
    parents: tuple[int, ...]  # ids of the inputs, in the op's argument order
    param: Any = None  # the op's parameter (pow's exponent, an axis ...)
    grad: Any = None  # filled in by the tracer
    uses: int = 0  # how many gate inputs read this node: above 1 is a fan-out
    number: int = 0  # an unnamed gate's place among the unnamed gates of its op, in forward order (1, 2 …)
    requires_grad: bool = True  # False for a tensor the user marked as taking no gradient (labels)

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    @property
    def is_constant(self) -> bool:
        """An unnamed leaf, such as the 2 in `x * 2`."""
        return self.op is None and self.name is None

    @property
    def takes_gradient(self) -> bool:
        """False for a constant or an input marked as taking none: its wire has no gradient to show."""
        return self.requires_grad and not self.is_constant

    @property
    def label(self) -> str:
        """How people refer to the node: its name, a constant's value, or the gate and its
        number among the unnamed gates of its op (add1, add2, exp1), counted as the forward pass
        meets them. The id would count every node, inputs and constants too (add8, add13)."""
        if self.name:
            return self.name
        if self.op is None:
            return human(self.value) if _is_number(self.value) else f"n{self.id}"
        return f"{self.op.name}{self.number}"


def _is_number(x) -> bool:
    return getattr(x, "shape", ()) == ()


@dataclass(slots=True)
class Graph:
    nodes: list[Node]  # topological order; the last node is the output

    @property
    def root(self) -> Node:
        return self.nodes[-1]

    def by_name(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node named {name!r}; names are {self.names()}")

    def names(self) -> list[str]:
        return [n.name for n in self.nodes if n.name]

    def leaves(self) -> list[Node]:
        return [n for n in self.nodes if n.is_leaf]


def record(root) -> tuple[Graph, list]:
    """Snapshot the graph behind `root`. Returns the Graph and the engine objects in the
    same order (the tracer needs those only to read parameters and values)."""
    order = topological_order(root)
    ids = {id(obj): i for i, obj in enumerate(order)}
    nodes = []
    names = {obj.name for obj in order if obj.name}
    last_number: dict[str, int] = {}  # op name -> the number its last unnamed gate got
    for i, obj in enumerate(order):
        parents = tuple(ids[id(p)] for p in obj._parents)
        node = Node(i, obj.name, obj._op, obj.data, parents, obj._param, requires_grad=obj.requires_grad)
        if node.op is not None and not node.name:
            number = last_number.get(node.op.name, 0) + 1
            while f"{node.op.name}{number}" in names:  # a user's own "mul1" keeps its name to itself
                number += 1
            node.number = last_number[node.op.name] = number
        nodes.append(node)
        for p in parents:
            nodes[p].uses += 1
    return Graph(nodes), order


def to_networkx(graph: Graph):
    """The graph as a networkx MultiDiGraph: one edge per gate input (so `a + a` has two
    parallel edges), node attributes name, op, value, grad, label; edge attribute `slot`
    (which argument of the gate the edge feeds)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for node in graph.nodes:
        g.add_node(
            node.id,
            name=node.name,
            op=node.op.name if node.op else None,
            value=node.value,
            grad=node.grad,
            label=node.label,
        )
    for node in graph.nodes:
        for slot, parent in enumerate(node.parents):
            g.add_edge(parent, node.id, slot=slot)
    return g
