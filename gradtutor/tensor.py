"""The tensor engine: `Tensor`, an array that records how it was computed.

The same design as the scalar `Value` (engine.py) over arrays of the active backend (numpy now,
cupy by the same switch in `backend.py`): every op is a record from the op table, a node holds
plain tuples (no closures), and backward walks the graph in reverse topological order asking
each op's `vjp` for the downstream gradients. Teaching and training use this one engine.

dtype: float32 unless asked otherwise (dtype="float64"). Anything that is not a Tensor — Python
numbers, NumPy scalars, int64 labels or one-hots — is cast to the dtype of the op's tensor
inputs before the op runs, so nothing silently promotes float32 to float64 (NumPy 2 would).

Broadcasting is a copy gate: `x + b` with b of shape (3,) and x of shape (2, 3) copies b to both
rows. Its backward sums the copies' gradients, and that happens in exactly one place, `sum_to`
in `backward`; no op's rule deals with it.

backward() semantics are those of `Value.backward`: gradients are *recomputed*, not accumulated
across calls. Each call resets `.grad` on every node it reaches (it stops at nodes that take no
gradient, since nothing above them can take one), then seeds the output with the upstream
gradient (ones of the output's shape by default: 1 for a scalar loss). Calling it twice gives
the same gradients, never doubled. Within one call a tensor used twice receives the sum.

A Tensor made by the user takes part in gradients (`requires_grad=True`); constants made from
plain numbers and arrays inside ops do not, and neither does anything computed only from them.
backward() skips those nodes altogether, and every op is told which inputs need a gradient, so
matmul skips the unneeded half of its rule: a batch passed as a plain array costs no gradient work.
The walk itself is autodiff.reverse_walk, shared with the scalar engine and the tracer.
"""

from __future__ import annotations

from gradtutor import backend, ops
from gradtutor.autodiff import reverse_walk, topological_order
from gradtutor.engine import DomainError, Recorded

_DEFAULT_DTYPE = "float32"
_ADD, _SUB, _MUL, _DIV, _NEG, _POW = ops.ADD, ops.SUB, ops.MUL, ops.DIV, ops.NEG, ops.POW


class ShapeError(DomainError):
    """Operands whose shapes do not fit together; the message names both shapes. A kind of
    DomainError: the op was applied outside the inputs it is defined for."""


class Tensor(Recorded):
    """An array in a computational graph.

    >>> x = Tensor([1.0, -2.0, 3.0]); loss = (x * x).sum()
    >>> loss.backward(); x.grad.tolist()
    [2.0, -4.0, 6.0]
    """

    __slots__ = ("data", "grad", "name", "requires_grad", "_op", "_parents", "_param", "_saved")
    __array_ufunc__ = None  # numpy_array * tensor must call Tensor.__rmul__, not loop over it

    @staticmethod
    def namespace():
        """The namespace the ops compute Tensors' arrays with: the active backend."""
        return backend.xp()

    def __init__(self, data, name: str | None = None, dtype=None, *, requires_grad: bool = True):
        if isinstance(data, Tensor):
            data = data.data
        self.data = backend.xp().asarray(data, dtype=dtype or _DEFAULT_DTYPE)
        self.grad = None
        self.name = name
        self.requires_grad = requires_grad
        self._op = None  # a leaf: made by the user, not by an op
        self._parents = ()
        self._param = None
        self._saved = None

    # -- building the graph ------------------------------------------------------------------
    @staticmethod
    def _node(data, op, parents, param=None, saved=None) -> "Tensor":
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.name = None
        requires_grad = False
        for parent in parents:  # a plain loop: a generator costs more than the test
            if parent.requires_grad:
                requires_grad = True
                break
        out.requires_grad = requires_grad
        out._op = op
        out._parents = parents
        out._param = param
        out._saved = saved
        return out

    @staticmethod
    def _constant(x, dtype) -> "Tensor":
        """A leaf for a plain number or array, in the dtype of the tensors it meets."""
        out = Tensor.__new__(Tensor)
        out.data = backend.xp().asarray(x, dtype=dtype)
        out.grad = None
        out.name = None
        out.requires_grad = False
        out._op = None
        out._parents = ()
        out._param = None
        out._saved = None
        return out

    @staticmethod
    def apply(op: ops.Op, *inputs, param=None) -> "Tensor":
        """Apply any op from the table to Tensors, arrays or plain numbers."""
        dtype = None
        for x in inputs:
            if isinstance(x, Tensor):
                dtype = x.data.dtype
                break
        if dtype is None:
            dtype = _DEFAULT_DTYPE
        parents = tuple(x if isinstance(x, Tensor) else Tensor._constant(x, dtype) for x in inputs)
        xs = [x.data for x in parents]
        try:
            out, saved = op.forward(backend.xp(), param, *xs)
        except ValueError as error:
            raise _shape_error(op, xs, error) from None
        return Tensor._node(out, op, parents, param, saved)

    def _unary(self, op, param=None) -> "Tensor":
        """apply() for one Tensor input and an op that keeps nothing: the common case, short."""
        out = Tensor.__new__(Tensor)
        out.data, _ = op.forward(backend.xp(), param, self.data)
        out.grad = None
        out.name = None
        out.requires_grad = self.requires_grad
        out._op = op
        out._parents = (self,)
        out._param = param
        out._saved = None
        return out

    def _binary(self, op, other, reverse=False) -> "Tensor":
        if not isinstance(other, Tensor):
            other = Tensor._constant(other, self.data.dtype)
        x, y = (other, self) if reverse else (self, other)
        try:
            data, _ = op.forward(backend.xp(), None, x.data, y.data)
        except ValueError as error:
            raise _shape_error(op, (x.data, y.data), error) from None
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.name = None
        out.requires_grad = x.requires_grad or y.requires_grad
        out._op = op
        out._parents = (x, y)
        out._param = None
        out._saved = None
        return out

    def __add__(self, other):
        return self._binary(_ADD, other)

    def __radd__(self, other):
        return self._binary(_ADD, other, reverse=True)

    def __sub__(self, other):
        return self._binary(_SUB, other)

    def __rsub__(self, other):
        return self._binary(_SUB, other, reverse=True)

    def __mul__(self, other):
        return self._binary(_MUL, other)

    def __rmul__(self, other):
        return self._binary(_MUL, other, reverse=True)

    def __truediv__(self, other):
        return self._binary(_DIV, other)

    def __rtruediv__(self, other):
        return self._binary(_DIV, other, reverse=True)

    def __matmul__(self, other):
        return self._binary(ops.MATMUL, other)

    def __rmatmul__(self, other):
        return self._binary(ops.MATMUL, other, reverse=True)

    def __neg__(self):
        return self._unary(_NEG)

    def __pos__(self):
        return self

    def __pow__(self, other):
        if isinstance(other, Tensor):
            # x ** y with both in the graph: exp(y · ln x), so each gate stays simple.
            return (other * self.log()).exp()
        if hasattr(other, "shape") and getattr(other, "shape", ()) != ():
            return (Tensor._constant(other, self.data.dtype) * self.log()).exp()
        # A Python number as pow's parameter: a NumPy float64 exponent would promote float32.
        exponent = float(other)
        return self._unary(_POW, int(exponent) if exponent.is_integer() else exponent)

    def __rpow__(self, other):
        # c ** x = exp(x · ln c), for a constant base c > 0.
        return (self * Tensor._constant(other, self.data.dtype).log()).exp()

    def __getitem__(self, index):
        return Tensor.apply(ops.GETITEM, self, param=_backend_index(index))

    def exp(self):
        return self._unary(ops.EXP)

    def log(self):
        return self._unary(ops.LOG)

    def sqrt(self):
        return self._unary(ops.SQRT)

    def tanh(self):
        return self._unary(ops.TANH)

    def sigmoid(self):
        return self._unary(ops.SIGMOID)

    def relu(self):
        return self._unary(ops.RELU)

    def leaky_relu(self, alpha: float = 0.01):
        return self._unary(ops.LEAKY_RELU, float(alpha))

    def elu(self, alpha: float = 1.0):
        return self._unary(ops.ELU, float(alpha))

    def softmax(self, axis: int = -1):
        return self._unary(ops.SOFTMAX, _axis(axis, self.ndim))

    def log_softmax(self, axis: int = -1):
        return self._unary(ops.LOG_SOFTMAX, _axis(axis, self.ndim))

    def maximum(self, other):
        return Tensor.apply(ops.MAX, self, other)

    def minimum(self, other):
        return Tensor.apply(ops.MIN, self, other)

    def sum(self, axis=None, keepdims: bool = False):
        return self._unary(ops.SUM, (_axes(axis, self.ndim), bool(keepdims)))

    def mean(self, axis=None, keepdims: bool = False):
        return self._unary(ops.MEAN, (_axes(axis, self.ndim), bool(keepdims)))

    def max(self, axis=None, keepdims: bool = False):
        return self._unary(ops.AMAX, (_axes(axis, self.ndim), bool(keepdims)))

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return Tensor.apply(ops.RESHAPE, self, param=tuple(int(n) for n in shape))

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        if not axes:
            return Tensor.apply(ops.TRANSPOSE, self, param=None)
        if sorted(_axis(a, self.ndim) for a in axes) != list(range(self.ndim)):
            raise ShapeError(f"transpose axes {tuple(axes)} are not a permutation of the axes of shape {self.shape}")
        return Tensor.apply(ops.TRANSPOSE, self, param=tuple(_axis(a, self.ndim) for a in axes))

    @property
    def T(self):
        return Tensor.apply(ops.TRANSPOSE, self, param=None)

    def detach(self) -> "Tensor":
        """The same data as a new leaf that takes no gradient."""
        return Tensor._constant(self.data, self.data.dtype)

    # -- reading -------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self):
        """The values as a numpy array on the host."""
        return backend.to_host(self.data)

    def item(self) -> float:
        return float(self.data)

    def backward(self, upstream=None) -> None:
        """Compute d(self)/d(node) · upstream for every node that takes a gradient (see the
        module doc). Nodes that take none keep grad None."""
        m = backend.xp()
        seed = seed_gradient(m, upstream, self.data)
        if not self.requires_grad:  # nothing in the graph takes a gradient but the output
            for node in topological_order(self):
                node.grad = None
            self.grad = seed
            return
        leaves = reverse_walk(self, _send_back, m, None, seed, True)  # reset to None, seed, prune
        for leaf in leaves:
            if leaf.grad is None:  # in the graph, but only through a path that carries nothing
                leaf.grad = m.zeros_like(leaf.data)

    def __repr__(self) -> str:
        name = f"{self.name}: " if self.name else ""
        return f"Tensor({name}shape={self.shape}, dtype={self.dtype})"


def _send_back(m, node) -> None:
    """One gate of backward(): each input that takes a gradient gets its downstream gradient,
    summed back to its shape (broadcasting copied it: copies add), added to its `.grad`."""
    g = node.grad
    if g is None:  # the output does not depend on it (a skipped half of a rule)
        return
    parents = node._parents
    if len(parents) == 2:  # the hot case first: a binary op
        a, b = parents
        grads = node._op.vjp(m, node._param, g, node.data, node._saved, (a.requires_grad, b.requires_grad),
                             a.data, b.data)
    elif len(parents) == 1:
        a = parents[0]
        grads = node._op.vjp(m, node._param, g, node.data, node._saved, (a.requires_grad,), a.data)
    else:
        grads = node._op.vjp(m, node._param, g, node.data, node._saved, tuple(p.requires_grad for p in parents),
                             *[p.data for p in parents])
    for parent, grad in zip(parents, grads):
        if grad is None or not parent.requires_grad:
            continue
        # Inline rather than a function call: this runs once per edge of the graph.
        shape = parent.data.shape
        if grad.shape != shape:
            grad = sum_to(grad, shape)  # broadcasting copied the input: copies add
        if parent.grad is None:
            if parent._op is None and (grad is g or grad.base is not None):
                # A leaf keeps a gradient of its own, not another node's array or a view of
                # one: an optimizer or a clipping step may change it in place.
                grad = grad.copy()
            parent.grad = grad
        else:
            parent.grad = parent.grad + grad


def seed_gradient(m, upstream, data):
    """The upstream gradient ∂L/∂output as an array of the output's shape and dtype: ones when
    none is given, one number spread over every element, or an array (or Tensor) of that shape."""
    if upstream is None:
        return m.ones_like(data)
    if type(upstream) is type(data) and upstream.shape == data.shape and upstream.dtype == data.dtype:
        return upstream  # already right: the common case in training, checked first
    seed = upstream.data if isinstance(upstream, Tensor) else upstream
    dtype = getattr(seed, "dtype", None)  # (a dtype compares equal to None: test `is`)
    if dtype is None or dtype != data.dtype:
        seed = m.asarray(seed, dtype=data.dtype)
    if seed.shape == () and data.shape != ():  # one number for every element
        seed = m.full(data.shape, seed, dtype=data.dtype)
    if seed.shape != data.shape:
        raise ShapeError(
            f"the upstream gradient has shape {tuple(seed.shape)} but the output has shape {tuple(data.shape)}"
        )
    return seed


def sum_to(grad, shape):
    """Sum a gradient over the axes broadcasting added or stretched, giving it `shape`.

    Broadcasting copied the input along those axes; the copies' gradients add up (copy adds).
    """
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    return summed.reshape(shape) if lead else summed


def _axis(axis: int, ndim: int) -> int:
    """One axis, negative counted from the end, checked against ndim."""
    axis = int(axis)
    if not -ndim <= axis < (ndim or 1):  # (the builtin max is shadowed below)
        raise ShapeError(f"axis {axis} is out of range for a tensor with {ndim} axes")
    return axis % ndim if ndim else 0


def _axes(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(_axis(a, ndim) for a in axis)
    return _axis(axis, ndim)


def _backend_index(index):
    """An index with Tensors and lists turned into arrays of the active backend (cupy cannot
    index with numpy arrays or nested lists)."""
    parts = index if isinstance(index, tuple) else (index,)
    converted = tuple(_index_part(part) for part in parts)
    return converted if isinstance(index, tuple) else converted[0]


def _index_part(part):
    if isinstance(part, Tensor):
        part = part.data
    if isinstance(part, list) or hasattr(part, "shape"):
        array = backend.xp().asarray(part)
        if array.dtype.kind == "f":  # labels stored as floats: indices are whole numbers
            array = array.astype("int64")
        return array
    return part


def _shape_error(op: ops.Op, xs, error: ValueError) -> ShapeError:
    shapes = [tuple(int(n) for n in x.shape) for x in xs]
    if op is ops.MATMUL and len(shapes) == 2 and shapes[0] and shapes[1]:
        inner = shapes[1][-2] if len(shapes[1]) > 1 else shapes[1][0]
        return ShapeError(
            f"matmul needs the inner sizes to match: {shapes[0]} · {shapes[1]} ({shapes[0][-1]} ≠ {inner})"
        )
    reason = str(error).splitlines()[0]
    if len(shapes) == 1:
        return ShapeError(f"{op.name} cannot take shape {shapes[0]}: {reason}")
    listed = " and ".join(str(shape) for shape in shapes)
    if "broadcast" in reason:
        reason = "they do not broadcast together (sizes must match or be 1, counted from the right)"
    return ShapeError(f"{op.name} cannot combine shapes {listed}: {reason}")


# -- the ops as functions: relu(x), softmax(x, axis) … for Tensors and plain arrays -----------------
def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x):
    return _tensor(x).exp()


def log(x):
    return _tensor(x).log()


def tanh(x):
    return _tensor(x).tanh()


def sigmoid(x):
    return _tensor(x).sigmoid()


def relu(x):
    return _tensor(x).relu()


def leaky_relu(x, alpha: float = 0.01):
    return _tensor(x).leaky_relu(alpha)


def elu(x, alpha: float = 1.0):
    return _tensor(x).elu(alpha)


def softmax(x, axis: int = -1):
    return _tensor(x).softmax(axis)


def log_softmax(x, axis: int = -1):
    return _tensor(x).log_softmax(axis)


def mask(x, keep, fill: float = -float("inf")):
    """x where `keep` is True (bools broadcast against x), `fill` elsewhere; no gradient reaches a
    filled entry. causal_mask(x) keeps what is on and below the diagonal of x's last two axes."""
    from gradtutor.ops.tensor import Mask

    return Tensor.apply(ops.MASK, x, param=Mask(backend.xp().asarray(keep, dtype=bool), fill))


def causal_mask(x, fill: float = -float("inf")):
    from gradtutor.ops.tensor import causal_keep

    x = _tensor(x)
    rows, columns = x.shape[-2:]
    keep = causal_keep(backend.xp(), rows if rows > columns else columns)  # (this module's max is the op's)
    return mask(x, keep[:rows, :columns], fill)


def maximum(x, y):
    return Tensor.apply(ops.MAX, x, y)


def minimum(x, y):
    return Tensor.apply(ops.MIN, x, y)


def matmul(x, y):
    return Tensor.apply(ops.MATMUL, x, y)


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 - the op's name
    return _tensor(x).sum(axis, keepdims)


def mean(x, axis=None, keepdims: bool = False):
    return _tensor(x).mean(axis, keepdims)


def max(x, axis=None, keepdims: bool = False):  # noqa: A001 - the op's name
    return _tensor(x).max(axis, keepdims)


def reshape(x, *shape):
    return _tensor(x).reshape(*shape)


def transpose(x, *axes):
    return _tensor(x).transpose(*axes)


def concatenate(tensors, axis: int = 0) -> Tensor:
    tensors = list(tensors)
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    ndim = (first.ndim if first is not None else backend.xp().ndim(tensors[0]))
    return Tensor.apply(ops.CONCATENATE, *tensors, param=_axis(axis, ndim))


def stack(tensors, axis: int = 0) -> Tensor:
    tensors = list(tensors)
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    ndim = (first.ndim if first is not None else backend.xp().ndim(tensors[0])) + 1
    return Tensor.apply(ops.STACK, *tensors, param=_axis(axis, ndim))


def softmax_cross_entropy(logits, labels) -> Tensor:
    """Mean cross-entropy of softmax(logits) against labels: class indices of shape
    logits.shape[:-1], or one-hot (or soft) targets of logits' shape. Backward: (y − t)/N;
    the labels take no gradient (a labels leaf is marked so: requires_grad = False)."""
    if isinstance(labels, Tensor) and labels.is_leaf:
        labels.requires_grad = False
    return Tensor.apply(ops.SOFTMAX_CROSS_ENTROPY, logits, labels)


def mse(pred, target) -> Tensor:
    """Mean squared error (1/n) Σ (pred − target)²."""
    return Tensor.apply(ops.MSE, pred, target)
