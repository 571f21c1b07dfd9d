"""The reverse walk every backward pass shares: the scalar engine, the tensor engine, the tracer.

`reverse_walk` orders the graph below a root (an iterative depth-first search, so depth is
limited only by memory) and calls `visit(m, node)` for every gate, each after every gate that
reads its output: reverse topological order. What a visit does with the gate (accumulate `.grad`,
record a step for a person to read) is the caller's business; the order, the resetting of old
gradients and the pruning of nodes that take no gradient happen here, once.

Nodes are anything with `_op` (None for a leaf), `_parents`, `data`, `_param`, `_saved`, `grad`
and `requires_grad`: Value and Tensor alike.
"""

from __future__ import annotations

KEEP = object()  # reverse_walk(reset=KEEP): walk without touching any node's gradient


def reverse_walk(root, visit, m, reset=KEEP, seed=None, prune: bool = False) -> list:
    """Call visit(m, gate) for every gate below `root`, root first; return the leaves met that
    take a gradient (once per use).

    reset: every node met gets `.grad = reset` before any visit, and the root then gets `seed`
    (gradients are recomputed, not accumulated); KEEP leaves gradients alone (the tracer keeps
    its own). prune: do not descend into nodes that take no gradient (`requires_grad` False),
    since nothing above them can take one either.

    The order is an iterative depth-first search, each gate after all of its parents. Leaves stay
    out of the walk: they have no rule to run, and most graphs are half leaves (weights, inputs).
    A leaf met twice is listed twice, which costs nothing later, while a visited test would on
    every edge.
    """
    if reset is KEEP:
        gates, leaves = _gates_keeping(root, prune)
        gates.reverse()
    else:
        gates, leaves = backward_order(root, reset, seed, prune)
    for node in gates:
        visit(m, node)
    return leaves


def backward_order(root, reset, seed, prune: bool = False) -> tuple[list, list]:
    """(gates, leaves): the gates below `root` in the order the walk visits them, root first, with
    every gradient met reset and the root's seeded, as `reverse_walk` does before its visits. For a
    caller that runs the visits in its own loop: the scalar engine, whose gates are so cheap that
    a call per gate is a measurable share of its backward."""
    gates, leaves = _gates_resetting(root, reset, prune)
    root.grad = seed
    gates.reverse()
    return gates, leaves


def _gates_resetting(root, reset, prune: bool) -> tuple[list, list]:
    """The walk's order where every gradient is reset anyway: a gate met is marked in its own
    `.grad` (a fresh object per walk), not in a set of ids, and reset when the order is known.
    The set cost an id() call, a hash and an insert per gate: most of backward() on a graph of
    cheap scalar gates (benchmarks/scalar_engine.py)."""
    mark = object()
    keep_all = not prune
    root.grad = mark
    gates, leaves = [], []
    stack = [(root, iter(root._parents))]
    push, pop, emit = stack.append, stack.pop, gates.append
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent._op is None or not (keep_all or parent.requires_grad):
                parent.grad = reset
                if parent.requires_grad:
                    leaves.append(parent)
                continue
            if parent.grad is mark:
                continue
            parent.grad = mark
            push((parent, iter(parent._parents)))
            break
        else:
            pop()
            emit(node)
    if root._op is None:  # a leaf as the root: nothing to walk
        gates.pop()
    for gate in gates:
        gate.grad = reset
    root.grad = reset
    return gates, leaves


def _gates_keeping(root, prune: bool) -> tuple[list, list]:
    """The same order, gradients untouched: gates met are remembered by id."""
    keep_all = not prune
    gates, leaves = [], []
    visited = {id(root)}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent._op is None or not (parent.requires_grad or keep_all):
                if parent.requires_grad:
                    leaves.append(parent)
                continue
            key = id(parent)
            if key in visited:
                continue
            visited.add(key)
            stack.append((parent, iter(parent._parents)))
            break
        else:
            stack.pop()
            gates.append(node)
    if root._op is None:  # a leaf as the root: nothing to walk
        gates.pop()
    return gates, leaves


def topological_order(root) -> list:
    """Every node the root depends on, leaves included, each after all of its parents, the root
    last (the same depth-first search as the walk, so gates come in the walk's order)."""
    order = []
    visited = {id(root)}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order
