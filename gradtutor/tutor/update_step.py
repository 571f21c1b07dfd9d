"""One gradient-descent step on one parameter of a built-in tensor example, and the gradient check.

`run` builds the example (float64), takes ∂L/∂param by the engine's backward pass, computes the
update param − lr·∂L/∂param and replays the same graph with the new value to read the loss after
it. The gradient check sets each entry of the parameter a little up and down, replays the graph
and takes the central difference (L(w + h) − L(w − h)) / 2h beside the backward pass's number.

`bug` swaps the engine's backward pass for one written by hand for an affine → ReLU → affine →
softmax-with-loss network (the `two-layer-net` example's layers, read by their names X, W1, b1,
W2, b2, t) with one classic slip: `no-mean` forgets the 1/N of the batch mean, `no-relu-mask`
passes the gradient through ReLU where its input was negative. The check catches both.
"""

from __future__ import annotations

from dataclasses import dataclass

BUGS = ("no-mean", "no-relu-mask")
STEP = 1e-5  # central differences in float64: truncation and rounding both near 1e-10
NET_LEAVES = ("X", "W1", "b1", "W2", "b2", "t")


class UpdateError(ValueError):
    """An update spec that cannot be run (one line)."""


@dataclass(frozen=True)
class Update:
    family = "update"
    name: str
    example: str
    param: str
    lr: float = 0.1
    bug: str | None = None


@dataclass
class Outcome:
    update: Update
    value: object  # the parameter before the step (a float64 host array)
    engine_grad: object  # ∂L/∂param from the engine's backward pass: the step uses it
    grad: object  # ∂L/∂param from the backward pass (the engine's, or the hand-written one with its bug)
    numeric: object  # the same by central differences
    updated: object  # value − lr·(the engine's gradient)
    loss_before: float
    loss_after: float

    @property
    def relative_errors(self):
        from gradtutor.backend import host as numpy

        scale = numpy.maximum(numpy.maximum(abs(self.grad), abs(self.numeric)), 1e-12)
        return abs(self.grad - self.numeric) / scale


def spec(name: str, table) -> Update:
    """An Update from a manifest table [update.<name>]."""
    from gradtutor import examples
    from gradtutor.tutor.spec_table import SpecTable

    read = SpecTable(table, ("example", "param", "lr", "bug"), UpdateError)
    example, param, lr = table.get("example"), table.get("param"), read.positive("lr", 0.1)
    if example not in examples.EXAMPLES or examples.EXAMPLES[example].kind != "tensor":
        raise UpdateError(f"example must be a tensor example with a scalar loss, got {example!r}")
    bug = read.choice("bug", BUGS) if table.get("bug") is not None else None
    leaves = _leaves(examples.get(example).build()[0])
    if param not in leaves or not leaves[param].requires_grad:
        raise UpdateError(f"param must name a parameter of {example} ({', '.join(n for n, t in leaves.items() if t.requires_grad)}), got {param!r}")
    if bug is not None and not set(NET_LEAVES) <= set(leaves):
        raise UpdateError(f"bug needs a two-layer network with leaves {', '.join(NET_LEAVES)}; {example} has {', '.join(leaves)}")
    return Update(name, example, param, lr, bug)


def _leaves(root) -> dict:
    from gradtutor.autodiff import topological_order

    return {node.name: node for node in topological_order(root) if node._op is None and node.name}


def replay(root, replaced: dict):
    """The root's value with some leaves' data replaced: the recorded ops, run forward again."""
    from gradtutor import backend
    from gradtutor.autodiff import topological_order

    xp, data = backend.xp(), {}
    for node in topological_order(root):
        if node._op is None:
            data[id(node)] = replaced.get(node.name, node.data)
        else:
            data[id(node)] = node._op.forward(xp, node._param, *(data[id(p)] for p in node._parents))[0]
    return data[id(root)]


def run(update: Update) -> Outcome:
    """The gradient, its central differences, the step and the loss after it."""
    from gradtutor import backend, examples

    root, upstream = examples.get(update.example).build()
    root.backward(upstream)
    leaves = _leaves(root)
    param = leaves[update.param]
    value = backend.to_host(param.data).astype("float64")
    grad = backend.to_host(param.grad).astype("float64")
    numeric = value * 0
    for index in numeric_indices(value):
        up, down = value.copy(), value.copy()
        up[index] += STEP
        down[index] -= STEP
        numeric[index] = (_loss(root, update.param, up) - _loss(root, update.param, down)) / (2 * STEP)
    updated = value - update.lr * grad
    shown = grad if update.bug is None else hand_written(leaves, update.bug)[update.param]
    return Outcome(update, value, grad, shown, numeric, updated, float(root.data), _loss(root, update.param, updated))


def numeric_indices(value):
    from gradtutor.backend import host as numpy

    return list(numpy.ndindex(value.shape))


def _loss(root, name: str, value) -> float:
    from gradtutor import backend

    return float(replay(root, {name: backend.xp().asarray(value)}))


def hand_written(leaves: dict, bug: str | None) -> dict:
    """∂L/∂(each parameter) of affine → ReLU → affine → softmax-with-loss, written out by hand as
    a learner would, with the slip `bug` in it."""
    from gradtutor import backend

    numpy = backend.host

    X, W1, b1, W2, b2 = (backend.to_host(leaves[n].data).astype("float64") for n in NET_LEAVES[:5])
    labels = backend.to_host(leaves["t"].data).astype(int)
    A1 = X @ W1 + b1
    H = numpy.maximum(A1, 0)
    S = H @ W2 + b2
    Y = numpy.exp(S - S.max(axis=1, keepdims=True))
    Y /= Y.sum(axis=1, keepdims=True)
    T = numpy.eye(S.shape[1])[labels]
    dS = Y - T if bug == "no-mean" else (Y - T) / len(X)
    dH = dS @ W2.T
    dA1 = dH if bug == "no-relu-mask" else dH * (A1 > 0)
    return {"W2": H.T @ dS, "b2": dS.sum(axis=0), "W1": X.T @ dA1, "b1": dA1.sum(axis=0), "X": dA1 @ W1.T}
