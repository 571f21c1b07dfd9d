"""Ops that exist only on arrays: matmul, reshaping and indexing, reductions, softmax, losses.

`m` is the active array module (numpy or cupy). Rules keep the dtype of their inputs: constants
are Python numbers (weak in NumPy 2's promotion rules) and masks are cast to the input's dtype
before any division.
"""

from __future__ import annotations

from gradtutor.ops.samplers import elementwise, nonzero, random_shape
from gradtutor.ops.table import Op, register


def _matmul_vjp(m, p, g, z, saved, needs, x, y):
    want_x, want_y = needs
    if x.ndim == 2 and y.ndim == 2:  # the common case first: a layer's (N, in) · (in, out)
        return (m.matmul(g, y.T) if want_x else None), (m.matmul(x.T, g) if want_y else None)
    gx = gy = None
    if x.ndim == 1 and y.ndim == 1:  # inner product: z and g are numbers
        return (g * y if want_x else None), (g * x if want_y else None)
    if x.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
        if want_x:
            gx = m.matmul(y, g[..., None])[..., 0]  # (..., k)
        if want_y:
            gy = x[:, None] * g[..., None, :]  # (..., k, n)
    elif y.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
        if want_x:
            gx = g[..., None] * y  # (..., n, k)
        if want_y:
            gy = m.matmul(m.swapaxes(x, -1, -2), g[..., None])[..., 0]  # (..., k)
    else:
        if want_x:
            gx = m.matmul(g, m.swapaxes(y, -1, -2))  # dL/dX = dL/dY · Wᵀ
        if want_y:
            gy = m.matmul(m.swapaxes(x, -1, -2), g)  # dL/dW = Xᵀ · dL/dY
    return gx, gy


def _matmul_sample(rng):
    n, k, j = (int(v) for v in rng.integers(1, 5, size=3))
    shapes = [
        ((n, k), (k, j)), ((k,), (k, j)), ((n, k), (k,)), ((k,), (k,)),
        ((2, n, k), (k, j)), ((2, n, k), (2, k, j)),
    ][int(rng.integers(0, 6))]
    return tuple(rng.normal(size=s) for s in shapes), None


def _matmul_shapes(input_shapes, output_shape, lang: str = "en") -> tuple[str, str]:
    """The shapes in dL/dX = dL/dY · Wᵀ and dL/dW = Xᵀ · dL/dY, a vector written as the notes
    write it: x of shape (k,) is a row, so xᵀ is (k, 1) and dL/dy is (1, n) beside it."""
    x, w = (tuple(s) for s in input_shapes)
    y = tuple(output_shape)
    if len(x) == 1 and len(w) == 1:  # an inner product: dL/dz is one number
        return f"{x} = () · {w}", f"{w} = {x} · ()"
    if len(w) == 1:  # X · w with w a vector: dL/dX = dL/dy (as a column) · wᵀ (a row)
        w_t, y_col = (1,) + w, y + (1,)
        return f"{x} = {y_col} · {w_t}", f"{w} = {x[-1:] + x[-2:-1] if len(x) > 1 else x} · {y}"
    w_t = w[:-2] + (w[-1], w[-2])
    x_t = x[:-2] + (x[-1], x[-2]) if len(x) > 1 else (x[0], 1)
    y_row = y if len(x) > 1 else (1,) + y
    summed = MATMUL.text("summed_over_batch", lang) if len(x) > len(w) else ""
    return f"{x} = {y} · {w_t}", f"{w} = {x_t} · {y_row}{summed}"


MATMUL = register(Op(
    "matmul", "·", 2,
    forward=lambda m, p, x, y: (m.matmul(x, y), None),
    vjp=_matmul_vjp,
    sample=None, tensor_sample=_matmul_sample, inputs=("X", "W"),
    backward_shapes=_matmul_shapes,
))


def _inverse_axes(axes):
    return tuple(sorted(range(len(axes)), key=axes.__getitem__))


def _transpose_sample(rng):
    shape = random_shape(rng, 1, 3)
    axes = None if rng.random() < 0.3 else tuple(int(a) for a in rng.permutation(len(shape)))
    return (rng.normal(size=shape),), axes


TRANSPOSE = register(Op(
    "transpose", "ᵀ", 1,
    forward=lambda m, p, x: (m.transpose(x, p), None),
    # p is None (reverse the axes, whose inverse is itself) or a permutation of the axes.
    vjp=lambda m, p, g, z, saved, needs, x: (m.transpose(g, None if p is None else _inverse_axes(p)),),
    sample=None, tensor_sample=_transpose_sample, inputs=("x",),
))


def _reshape_sample(rng):
    shape = random_shape(rng, 0, 3)
    size = 1
    for n in shape:
        size *= n
    choices = [(size,), (-1,), (1, size), (size, 1), shape[::-1]]
    return (rng.normal(size=shape),), choices[int(rng.integers(0, len(choices)))]


RESHAPE = register(Op(
    "reshape", "reshape", 1,
    forward=lambda m, p, x: (m.reshape(x, p), None),
    vjp=lambda m, p, g, z, saved, needs, x: (m.reshape(g, x.shape),),
    sample=None, tensor_sample=_reshape_sample, inputs=("x",),
))


def _has_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(hasattr(part, "shape") or isinstance(part, list) for part in parts)


def _getitem_vjp(m, p, g, z, saved, needs, x):
    gx = m.zeros_like(x)
    if _has_array(p):
        m.add.at(gx, p, g)  # an index array may repeat an element: its gradients add up
    else:
        gx[p] = g  # ints and slices never repeat an element
    return (gx,)


def _getitem_sample(rng):
    a, b = (int(v) for v in rng.integers(2, 5, size=2))
    choices = [
        int(rng.integers(-a, a)),
        slice(1, None),
        slice(None, None, -1),
        (slice(None), int(rng.integers(0, b))),
        rng.integers(0, a, size=5),  # repeats on purpose
        (rng.integers(0, a, size=3), slice(0, 2)),
        (rng.integers(0, a, size=4), rng.integers(0, b, size=4)),
    ]
    return (rng.normal(size=(a, b)),), choices[int(rng.integers(0, len(choices)))]


GETITEM = register(Op(
    "getitem", "[ ]", 1,
    forward=lambda m, p, x: (x[p], None),
    vjp=_getitem_vjp,
    sample=None, tensor_sample=_getitem_sample, inputs=("x",),
))


def _concatenate_vjp(m, p, g, z, saved, needs, *xs):
    cuts, total = [], 0
    for x in xs[:-1]:
        total += x.shape[p]
        cuts.append(total)
    return tuple(m.split(g, cuts, axis=p))


def _concatenate_sample(rng):
    shape = list(random_shape(rng, 1, 3))
    axis = int(rng.integers(0, len(shape)))
    xs = []
    for _ in range(int(rng.integers(2, 4))):
        shape[axis] = int(rng.integers(1, 4))
        xs.append(rng.normal(size=tuple(shape)))
    return tuple(xs), axis


CONCATENATE = register(Op(
    "concatenate", "concat", -1,
    forward=lambda m, p, *xs: (m.concatenate(xs, axis=p), None),
    vjp=_concatenate_vjp,
    sample=None, tensor_sample=_concatenate_sample, inputs=("x",),
))


def _stack_vjp(m, p, g, z, saved, needs, *xs):
    moved = m.moveaxis(g, p, 0)  # the stacked axis first: moved[k] belongs to input k
    return tuple(moved[k] for k in range(len(xs)))


def _stack_sample(rng):
    shape = random_shape(rng, 0, 2)
    xs = tuple(rng.normal(size=shape) for _ in range(int(rng.integers(2, 4))))
    return xs, int(rng.integers(0, len(shape) + 1))


STACK = register(Op(
    "stack", "stack", -1,
    forward=lambda m, p, *xs: (m.stack(xs, axis=p), None),
    vjp=_stack_vjp,
    sample=None, tensor_sample=_stack_sample, inputs=("x",),
))


def _spread(m, p, g, x):
    """Undo a reduction's shape: put the reduced axes back and broadcast g to x's shape.
    p is (axis, keepdims) as given to sum/mean/max."""
    axis, keepdims = p
    if axis is not None and not keepdims:
        g = m.expand_dims(g, axis)
    return m.broadcast_to(g, x.shape)


def _reduction_sample(distinct=False):
    def sample(rng):
        shape = random_shape(rng, 0, 3)
        ndim = len(shape)
        size = 1
        for n in shape:
            size *= n
        if distinct:  # values at least 0.4 apart, so the maximum is unique
            x = rng.permutation(size).reshape(shape) * 0.5 + rng.uniform(0, 0.1, size=shape)
        else:
            x = rng.normal(size=shape)
        kind = int(rng.integers(0, 3)) if ndim else 0
        if kind == 0:
            axis = None
        elif kind == 1:
            axis = int(rng.integers(-ndim, ndim))
        else:
            axis = tuple(sorted(int(a) for a in rng.choice(ndim, size=int(rng.integers(1, ndim + 1)), replace=False)))
        return (x,), (axis, bool(rng.random() < 0.5))

    return sample


SUM = register(Op(
    "sum", "Σ", 1,
    forward=lambda m, p, x: (m.sum(x, axis=p[0], keepdims=p[1]), None),
    vjp=lambda m, p, g, z, saved, needs, x: (_spread(m, p, g, x),),
    sample=None, tensor_sample=_reduction_sample(), inputs=("x",),
))

MEAN = register(Op(
    "mean", "mean", 1,
    forward=lambda m, p, x: (m.mean(x, axis=p[0], keepdims=p[1]), None),
    vjp=lambda m, p, g, z, saved, needs, x: (_spread(m, p, g * (z.size / x.size), x),),
    sample=None, tensor_sample=_reduction_sample(), inputs=("x",),
))


def _amax_vjp(m, p, g, z, saved, needs, x):
    winners = (x == _spread(m, p, z, x)).astype(x.dtype)
    # Ties share the gradient equally: still a valid (sub)gradient, and never counted twice.
    winners = winners / m.sum(winners, axis=p[0], keepdims=True)
    return (winners * _spread(m, p, g, x),)


AMAX = register(Op(
    "amax", "max", 1,
    forward=lambda m, p, x: (m.max(x, axis=p[0], keepdims=p[1]), None),
    vjp=_amax_vjp,
    sample=None, tensor_sample=_reduction_sample(distinct=True), inputs=("x",),
))


def _alpha(lo, hi):
    return lambda rng: float(rng.uniform(lo, hi))


LEAKY_RELU = register(Op(
    "leaky_relu", "LReLU", 1,
    forward=lambda m, p, x: (m.where(x > 0, x, p * x), None),
    vjp=lambda m, p, g, z, saved, needs, x: (m.where(x > 0, g, p * g),),
    sample=None, tensor_sample=elementwise(nonzero(0.05, 5), param=_alpha(0.01, 0.5)), inputs=("x",),
))

ELU = register(Op(
    "elu", "ELU", 1,
    # exp of min(x, 0): the branch not taken must not overflow either.
    forward=lambda m, p, x: (m.where(x > 0, x, p * (m.exp(m.minimum(x, 0.0)) - 1)), None),
    vjp=lambda m, p, g, z, saved, needs, x: (m.where(x > 0, g, g * (z + p)),),
    sample=None, tensor_sample=elementwise(nonzero(0.05, 4), param=_alpha(0.5, 2)), inputs=("x",),
))


def _softmax(m, p, x):
    e = m.exp(x - m.max(x, axis=p, keepdims=True))  # shifted: exp never overflows
    return e / m.sum(e, axis=p, keepdims=True)


def _log_softmax(m, p, x):
    shifted = x - m.max(x, axis=p, keepdims=True)
    return shifted - m.log(m.sum(m.exp(shifted), axis=p, keepdims=True))


def _axis_sample(rng):
    shape = random_shape(rng, 1, 3)
    axis = int(rng.integers(-len(shape), len(shape)))
    return (rng.normal(size=shape) * 2,), axis


SOFTMAX = register(Op(
    "softmax", "softmax", 1,
    forward=lambda m, p, x: (_softmax(m, p, x), None),
    # (diag(y) − y yᵀ) g, without building the matrix: y ⊙ (g − Σ g ⊙ y)
    vjp=lambda m, p, g, y, saved, needs, x: (y * (g - m.sum(g * y, axis=p, keepdims=True)),),
    sample=None, tensor_sample=_axis_sample, inputs=("x",),
))

LOG_SOFTMAX = register(Op(
    "log_softmax", "log softmax", 1,
    forward=lambda m, p, x: (_log_softmax(m, p, x), None),
    vjp=lambda m, p, g, z, saved, needs, x: (g - m.exp(z) * m.sum(g, axis=p, keepdims=True),),
    sample=None, tensor_sample=_axis_sample, inputs=("x",),
))


def _targets(m, y, t):
    """Targets shaped like y: t as given (one-hot or soft labels) or class indices made one-hot."""
    if t.shape == y.shape:
        return t
    return t.astype("int64")[..., None] == m.arange(y.shape[-1])  # (..., C) of bools


def _softmax_cross_entropy(m, p, x, t):
    log_y = _log_softmax(m, -1, x)
    rows = log_y.size // log_y.shape[-1]  # N: the loss is the mean over rows
    loss = -m.sum(log_y * _targets(m, log_y, t)) / rows
    return loss, m.exp(log_y)  # saved: the probabilities y, reused by the backward


def _softmax_cross_entropy_vjp(m, p, g, loss, saved, needs, x, t):
    y = saved  # the probabilities forward computed
    rows = y.size // y.shape[-1]
    return (y - _targets(m, y, t)) * (g / rows), None  # labels take no gradient


def _classification_sample(rng):
    rows, classes = int(rng.integers(1, 5)), int(rng.integers(2, 6))
    shape = (rows, classes) if rng.random() < 0.8 else (classes,)
    labels = rng.integers(0, classes, size=shape[:-1]) * 1.0
    if rng.random() < 0.5:  # one-hot instead of class indices
        labels = (labels[..., None] == list(range(classes))) * 1.0
    return (rng.normal(size=shape) * 2, labels), None


SOFTMAX_CROSS_ENTROPY = register(Op(
    "softmax_cross_entropy", "softmax+CE", 2,
    forward=_softmax_cross_entropy, vjp=_softmax_cross_entropy_vjp,
    sample=None, tensor_sample=_classification_sample, inputs=("x", "t"),
))


def _mse_vjp(m, p, g, loss, saved, needs, y, t):
    d = y - t
    gy = d * (g * 2 / d.size)
    return gy, -gy


def _mse_sample(rng):
    shape = random_shape(rng, 0, 3)
    return (rng.normal(size=shape), rng.normal(size=shape)), None


MSE = register(Op(
    "mse", "MSE", 2,
    forward=lambda m, p, y, t: (m.mean((y - t) ** 2), None),
    vjp=_mse_vjp,
    sample=None, tensor_sample=_mse_sample, inputs=("y", "t"),
))


class Mask:
    """Where a mask op keeps its input: `keep` (bools, broadcast against the input) is True where
    x passes, and every other entry becomes `fill` (−∞ before a softmax: its weight is exp(−∞) = 0)."""

    __slots__ = ("keep", "fill")

    def __init__(self, keep, fill: float = -float("inf")):
        self.keep = keep
        self.fill = float(fill)

    def __str__(self) -> str:
        kept = int(self.keep.sum())
        return f"{kept} of {self.keep.size} kept, the rest {self.fill:g}"


def causal_keep(m, length: int):
    """(T, T) bools, True on and below the diagonal: position i may look at positions 0 … i only."""
    return m.tril(m.ones((length, length), dtype=bool))


def _mask_sample(rng):
    shape = random_shape(rng, 1, 3)
    keep = rng.random(size=shape[int(rng.integers(0, len(shape))):]) < 0.6  # broadcast over leading axes
    # A small finite fill: the check sums weights ⊙ output, which −∞ would turn into nan (and a huge
    # fill into rounding noise against the tiny differences); the rule is the same.
    return (rng.normal(size=shape),), Mask(keep, -5.0)


MASK = register(Op(
    "mask", "mask", 1,
    forward=lambda m, p, x: (m.where(p.keep, x, p.fill), None),
    # A masked entry is a constant: it does not depend on x, so no gradient reaches x there.
    vjp=lambda m, p, g, z, saved, needs, x: (m.where(p.keep, g, 0.0),),
    sample=None, tensor_sample=_mask_sample, inputs=("x",),
))
