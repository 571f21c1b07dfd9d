"""Layers: modules that own parameters and call the engine's ops (most of them one fused op).

A `Module` finds its parameters by looking at its own attributes: every Tensor leaf that takes a
gradient is a parameter, every Module (or list of Modules) is a child, and arrays registered with
`buffer()` (BatchNorm's running statistics) are state that is saved with the parameters but not
trained. `train()` and `eval()` switch the layers whose behaviour differs (Dropout, BatchNorm).

Weights are drawn on the host from a seeded numpy Generator by `gradtutor.train.init`, then moved
to the active backend, so one seed gives the same network on every backend.
"""

from __future__ import annotations

from typing import NamedTuple

from gradtutor import backend
from gradtutor.tensor import Tensor
from gradtutor.train import functional as F
from gradtutor.train import init as initializers


class Cost(NamedTuple):
    """What one forward pass over ONE example costs a layer, worked out from shapes alone.

    multiply_adds: the multiply-adds of the layer's weight products (its matrix work); the
    element-wise work (activations, norms, pooling) is left to a per-step constant by whoever
    estimates time. overhead: extra work in multiply-add equivalents that the layer's op does
    besides that arithmetic (a convolution's im2col unfolding and folding back). time_steps: the
    steps a recurrent layer must take one after another. Shapes have no batch axis.
    """

    multiply_adds: int
    parameters: int
    output_shape: tuple[int, ...]
    time_steps: int = 0
    overhead: int = 0

    @classmethod
    def chain(cls, modules, input_shape) -> "Cost":
        """The cost of modules applied one after another: each takes the previous one's output."""
        total, shape = cls(0, 0, tuple(input_shape)), tuple(input_shape)
        for module in modules:
            part = module.cost(shape)
            shape = part.output_shape
            total = cls(
                total.multiply_adds + part.multiply_adds, total.parameters + part.parameters, shape,
                total.time_steps + part.time_steps, total.overhead + part.overhead,
            )
        return total


# A batch norm's statistics, normalising and backward pass take about as long as this many
# multiply-adds per number it normalises (benchmarks/estimate.py: 7 ns a number on 8×14×14 maps,
# 24 ns on 8×28×28, forward and backward, one thread): the resnet's hidden cost.
NORM_WORK = 60


def _size(shape) -> int:
    count = 1
    for n in shape:
        count *= n
    return count


def _last_axis(layer: str, shape, features: int) -> None:
    if not shape or shape[-1] != features:
        raise ValueError(f"{layer} takes {features} features on its last axis, not an input of shape {tuple(shape)}")


def _pool_cost(pool, input_shape) -> Cost:
    if len(input_shape) != 3:
        raise ValueError(f"{type(pool).__name__} takes (C, H, W) maps, not an input of shape {tuple(input_shape)}")
    return Cost(0, 0, (input_shape[0], *pool.window.output_size(*input_shape[1:])))


def _initializer(init):
    return initializers.get(init) if isinstance(init, str) else init


def _generator(rng):
    """A host numpy Generator from a Generator, a seed or None."""
    if isinstance(rng, backend.host.random.Generator):
        return rng
    return backend.host.random.default_rng(rng)


def _constant(array) -> Tensor:
    """An array as a graph input that takes no gradient (inputs, initial states)."""
    return Tensor(array, dtype=array.dtype, requires_grad=False)


def as_input(x) -> Tensor:
    """A batch as a Tensor: Tensors pass through, arrays become constants of their own dtype."""
    if isinstance(x, Tensor):
        return x
    return _constant(backend.xp().asarray(x))


class Module:
    """The base of every layer and model: parameters, buffers, train/eval, call → forward."""

    # Whether the module is a layer of its own when a network's layers are numbered (a lesson's
    # "layer 2", its layers table); activations and pure reshapes are not (lessons/README.md).
    counted = True

    def __init__(self):
        self.training = True
        self._buffers: dict[str, object] = {}

    def forward(self, *inputs):
        raise NotImplementedError

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def cost(self, input_shape: tuple[int, ...]) -> Cost:
        """Multiply-adds, parameters and output shape for one example of `input_shape` (no
        batch axis). Every layer states its own; a module without one is an error, never 0."""
        raise NotImplementedError(f"{type(self).__name__} does not say what it costs: give it a cost(input_shape) method")

    # -- what the module holds -------------------------------------------------------------------
    def children(self):
        """(name, module) for each direct child, in the order they were assigned."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{index}", item

    def named_parameters(self, prefix: str = ""):
        """(dotted name, Tensor) for every trainable parameter, children included."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
        for name, child in self.children():
            yield from child.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> list[Tensor]:
        return [p for _, p in self.named_parameters()]

    def buffer(self, name: str, array):
        """Register state that is saved and loaded but not trained; returns the array."""
        self._buffers[name] = array
        return array

    def named_buffers(self, prefix: str = ""):
        for name, array in self._buffers.items():
            yield prefix + name, array
        for name, child in self.children():
            yield from child.named_buffers(f"{prefix}{name}.")

    def state_dict(self) -> dict:
        """Every parameter and buffer by dotted name (arrays of the active backend)."""
        state = {name: p.data for name, p in self.named_parameters()}
        state.update(self.named_buffers())
        return state

    def load_state_dict(self, state: dict) -> None:
        """Copy arrays into the parameters and buffers in place; names and shapes must match."""
        own = dict(self.named_parameters())
        buffers = dict(self.named_buffers())
        expected = set(own) | set(buffers)
        missing, unexpected = expected - set(state), set(state) - expected
        if missing or unexpected:
            raise ValueError(
                f"the checkpoint does not fit this model: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
            )
        for name, array in state.items():
            target = own[name].data if name in own else buffers[name]
            if tuple(target.shape) != tuple(array.shape):
                raise ValueError(f"{name}: the checkpoint has shape {tuple(array.shape)}, the model {tuple(target.shape)}")
            target[...] = backend.to_device(array, dtype=target.dtype)

    def parameter_count(self) -> int:
        return sum(p.size for p in self.parameters())

    # -- modes -----------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)


class Sequential(Module):
    """Layers applied one after another."""

    counted = False

    def __init__(self, *layers: Module):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def cost(self, input_shape):
        return Cost.chain(self.layers, input_shape)

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)


# -- activations and reshaping ---------------------------------------------------------------------


class ReLU(Module):
    counted = False

    def forward(self, x):
        return x.relu()

    def cost(self, input_shape):
        return Cost(0, 0, tuple(input_shape))


class Tanh(Module):
    counted = False

    def forward(self, x):
        return x.tanh()

    def cost(self, input_shape):
        return Cost(0, 0, tuple(input_shape))


class Sigmoid(Module):
    counted = False

    def forward(self, x):
        return x.sigmoid()

    def cost(self, input_shape):
        return Cost(0, 0, tuple(input_shape))


ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class Flatten(Module):
    """(N, …) → (N, everything else)."""

    counted = False

    def forward(self, x):
        return x.reshape(x.shape[0], -1)

    def cost(self, input_shape):
        return Cost(0, 0, (_size(input_shape),))


# -- affine and convolution ------------------------------------------------------------------------


class Linear(Module):
    """Y = X·W + b with W of shape (in, out), the notes' layout (dL/dW = Xᵀ·dL/dY)."""

    def __init__(self, in_features: int, out_features: int, init="he", rng=None):
        super().__init__()
        rng = _generator(rng)
        self.weight = Tensor(_initializer(init)((in_features, out_features), rng=rng), "W")
        self.bias = Tensor(initializers.zeros((out_features,)), "b")

    def forward(self, x):
        return Tensor.apply(F.LINEAR, as_input(x), self.weight, self.bias)

    def cost(self, input_shape):
        n_in, n_out = self.weight.shape
        _last_axis("Linear", input_shape, n_in)
        positions = _size(input_shape[:-1])  # a Linear on (T, D) runs at each of T positions
        return Cost(n_in * n_out * positions, self.parameter_count(), (*input_shape[:-1], n_out))


class Conv2d(Module):
    """A 2-D convolution over (N, C, H, W) with a (out, in, k, k) kernel, stride and zero padding."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, init="he", rng=None):
        super().__init__()
        rng = _generator(rng)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Tensor(_initializer(init)(shape, rng=rng), "W")
        self.bias = Tensor(initializers.zeros((out_channels,)), "b")
        self.window = F.Window((kernel_size, kernel_size), stride, padding)

    def forward(self, x):
        return Tensor.apply(F.CONV2D, as_input(x), self.weight, self.bias, param=self.window)

    def cost(self, input_shape):
        out_channels, in_channels, kh, kw = self.weight.shape
        if len(input_shape) != 3 or input_shape[0] != in_channels:
            raise ValueError(f"Conv2d takes ({in_channels}, H, W) maps, not an input of shape {tuple(input_shape)}")
        height, width = self.window.output_size(*input_shape[1:])
        # Each output number is a window of in·kh·kw inputs times the kernel.
        work = out_channels * height * width * in_channels * kh * kw
        # Unfolding the windows (im2col) and folding them back cost about as much again.
        return Cost(work, self.parameter_count(), (out_channels, height, width), overhead=work)


class MaxPool2d(Module):
    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0):
        super().__init__()
        self.window = F.Window((kernel_size, kernel_size), stride or kernel_size, padding)

    def forward(self, x):
        return Tensor.apply(F.MAX_POOL2D, as_input(x), param=self.window)

    def cost(self, input_shape):
        return _pool_cost(self, input_shape)


class AvgPool2d(Module):
    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0):
        super().__init__()
        self.window = F.Window((kernel_size, kernel_size), stride or kernel_size, padding)

    def forward(self, x):
        return Tensor.apply(F.AVG_POOL2D, as_input(x), param=self.window)

    def cost(self, input_shape):
        return _pool_cost(self, input_shape)


# -- regularisation and normalisation --------------------------------------------------------------


class Dropout(Module):
    """Inverted dropout: in training each unit is kept with probability 1 − p and scaled by
    1/(1 − p), so eval mode needs no rescaling and simply passes x through."""

    counted = False

    def __init__(self, p: float = 0.5, seed: int | None = 0):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"the dropout probability must be in [0, 1), got {p}")
        self.p = float(p)
        self.seed = seed
        self._device_rng = None  # made on first use, on whichever backend is active then

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        xp = backend.xp()
        if self._device_rng is None:
            self._device_rng = xp.random.default_rng(self.seed)
        keep = self._device_rng.random(x.shape, dtype=xp.float32) >= self.p
        mask = keep.astype(x.dtype) * (1.0 / (1.0 - self.p))  # 0 or 1/(1 − p), in x's dtype
        return Tensor.apply(F.DROPOUT, x, param=mask)

    def cost(self, input_shape):
        return Cost(0, 0, tuple(input_shape))


class _Norm(Module):
    def __init__(self, features: int, axes: tuple[int, ...], eps: float, momentum: float):
        super().__init__()
        xp = backend.xp()
        self.gamma = Tensor(xp.ones((features,), dtype=xp.float32), "γ")
        self.beta = Tensor(xp.zeros((features,), dtype=xp.float32), "β")
        self.buffer("running_mean", xp.zeros((features,), dtype=xp.float32))
        self.buffer("running_var", xp.ones((features,), dtype=xp.float32))
        self.axes, self.eps, self.momentum = axes, eps, momentum

    @property
    def running_mean(self):
        return self._buffers["running_mean"]

    @property
    def running_var(self):
        return self._buffers["running_var"]

    def forward(self, x):
        norm = F.Norm(self.axes, self.eps, self.training, self.momentum, self.running_mean, self.running_var)
        return Tensor.apply(F.BATCH_NORM, as_input(x), self.gamma, self.beta, param=norm)

    def cost(self, input_shape):
        # The features are on axis 1 of the batch: the first axis of one example.
        if len(input_shape) != len(self.axes) or input_shape[0] != self.gamma.shape[0]:
            raise ValueError(f"{type(self).__name__} over {self.gamma.shape[0]} features does not take an input of shape {tuple(input_shape)}")
        return Cost(0, self.parameter_count(), tuple(input_shape), overhead=NORM_WORK * _size(input_shape))


class BatchNorm1d(_Norm):
    """Batch normalisation of (N, D) features: batch statistics in training, running ones in eval."""

    def __init__(self, features: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__(features, (0,), eps, momentum)


class BatchNorm2d(_Norm):
    """Batch normalisation of (N, C, H, W) maps, one mean and variance per channel."""

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__(channels, (0, 2, 3), eps, momentum)


class LayerNorm(Module):
    """Normalises each example over its last axis (the same in training and eval)."""

    def __init__(self, features: int, eps: float = 1e-5):
        super().__init__()
        xp = backend.xp()
        self.gamma = Tensor(xp.ones((features,), dtype=xp.float32), "γ")
        self.beta = Tensor(xp.zeros((features,), dtype=xp.float32), "β")
        self.eps = eps

    def forward(self, x):
        x = as_input(x)
        return Tensor.apply(F.LAYER_NORM, x, self.gamma, self.beta, param=F.Norm((x.ndim - 1,), self.eps))

    def cost(self, input_shape):
        _last_axis("LayerNorm", input_shape, self.gamma.shape[0])
        return Cost(0, self.parameter_count(), tuple(input_shape))


# -- residual blocks -------------------------------------------------------------------------------


class ResidualBlock(Module):
    """ResNet's basic block: y = ReLU(F(x) + shortcut(x)), F = conv 3×3 → BN → ReLU → conv 3×3 → BN.

    The shortcut is x itself when the shapes match; a 1×1 convolution (with BN) when the block
    changes the channel count or downsamples with `stride`. residual=False drops the shortcut:
    the same block as a plain network has it, y = ReLU(F(x)), for comparing the two.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, residual: bool = True,
                 init="he", rng=None):
        super().__init__()
        rng = _generator(rng)
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride, 1, init=init, rng=rng)
        self.bn1 = BatchNorm2d(out_channels)
        self.conv2 = Conv2d(out_channels, out_channels, 3, 1, 1, init=init, rng=rng)
        self.bn2 = BatchNorm2d(out_channels)
        self.residual = residual
        self.shortcut = None  # the identity, or no shortcut at all when not residual
        if residual and (stride != 1 or in_channels != out_channels):
            self.shortcut = Sequential(Conv2d(in_channels, out_channels, 1, stride, init=init, rng=rng),
                                       BatchNorm2d(out_channels))

    def forward(self, x):
        x = as_input(x)
        out = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
        if self.residual:
            out = out + (x if self.shortcut is None else self.shortcut(x))  # copy adds: x's gradient gets both
        return out.relu()

    def cost(self, input_shape):
        main = Cost.chain((self.conv1, self.bn1, self.conv2, self.bn2), input_shape)
        if self.shortcut is None:
            return main
        side = self.shortcut.cost(input_shape)
        return Cost(main.multiply_adds + side.multiply_adds, main.parameters + side.parameters,
                    main.output_shape, overhead=main.overhead + side.overhead)


# -- sequences -------------------------------------------------------------------------------------


class Embedding(Module):
    """A lookup table: integer ids (any shape) → rows of a (vocabulary, dim) weight."""

    def __init__(self, vocabulary: int, dim: int, rng=None):
        super().__init__()
        self.weight = Tensor(initializers.small_gaussian((vocabulary, dim), rng=_generator(rng), scale=1.0), "E")

    def forward(self, ids):
        ids = ids.data if isinstance(ids, Tensor) else backend.xp().asarray(ids)
        if ids.dtype.kind == "f":
            ids = ids.astype("int64")  # ids carried in a float tensor are whole numbers
        return Tensor.apply(F.EMBEDDING, self.weight, param=ids)

    def cost(self, input_shape):
        return Cost(0, self.parameter_count(), (*input_shape, self.weight.shape[1]))  # a lookup: no arithmetic


class _Recurrent(Module):
    """Shared parts of RNN, LSTM and GRU: weights for G gates, zero initial states.

    forward(x, h0=None) takes (N, T, D) and returns every hidden state, (N, T, H); the first
    state h0 (N, H) is zeros unless given (a decoder starts from its encoder's last state; the
    LSTM's cell state starts at zeros either way).
    """

    gates = 1
    op = F.RNN

    def __init__(self, input_size: int, hidden_size: int, init="xavier", rng=None):
        super().__init__()
        rng = _generator(rng)
        make = _initializer(init)
        width = self.gates * hidden_size
        # Each gate is its own (D, H) map side by side, so the fans are those of one gate.
        self.weight_x = Tensor(make((input_size, width), fan_in=input_size, fan_out=hidden_size, rng=rng), "W_x")
        self.weight_h = Tensor(make((hidden_size, width), fan_in=hidden_size, fan_out=hidden_size, rng=rng), "W_h")
        self.bias = Tensor(initializers.zeros((width,)), "b")
        self.hidden_size = hidden_size

    def _zeros(self, x):
        xp = backend.xp()
        return _constant(xp.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))

    def _first(self, x, h0):
        return self._zeros(x) if h0 is None else h0

    def forward(self, x, h0=None):
        x = as_input(x)
        return Tensor.apply(self.op, x, self._first(x, h0), self.weight_x, self.weight_h, self.bias)

    def cost(self, input_shape):
        """Per time step every gate maps x_t (D) and h_{t−1} (H) to H numbers: G·H·(D + H)."""
        if len(input_shape) != 2:
            raise ValueError(f"{type(self).__name__} takes (T, D) sequences, not an input of shape {tuple(input_shape)}")
        steps, features = input_shape
        _last_axis(type(self).__name__, input_shape, self.weight_x.shape[0])
        per_step = self.gates * self.hidden_size * (features + self.hidden_size)
        return Cost(per_step * steps, self.parameter_count(), (steps, self.hidden_size), time_steps=steps)


class RNN(_Recurrent):
    """Vanilla RNN: h_t = tanh(x_t·W_x + h_{t−1}·W_h + b)."""


class LSTM(_Recurrent):
    """LSTM with gates (i, f, o, g); the forget gate's bias starts at 1 so the cell remembers by
    default at the start of training."""

    gates = 4
    op = F.LSTM

    def __init__(self, input_size: int, hidden_size: int, init="xavier", rng=None):
        super().__init__(input_size, hidden_size, init, rng)
        self.bias.data[hidden_size : 2 * hidden_size] = 1.0

    def forward(self, x, h0=None):
        x = as_input(x)
        zeros = self._zeros(x)
        return Tensor.apply(F.LSTM, x, self._first(x, h0), zeros, self.weight_x, self.weight_h, self.bias)


class GRU(_Recurrent):
    """GRU with gates (r, z, n); b_hn is the hidden-side bias inside the reset product."""

    gates = 3
    op = F.GRU

    def __init__(self, input_size: int, hidden_size: int, init="xavier", rng=None):
        super().__init__(input_size, hidden_size, init, rng)
        self.bias_hn = Tensor(initializers.zeros((hidden_size,)), "b_hn")

    def forward(self, x, h0=None):
        x = as_input(x)
        return Tensor.apply(F.GRU, x, self._first(x, h0), self.weight_x, self.weight_h, self.bias, self.bias_hn)


RECURRENT = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


# -- attention -------------------------------------------------------------------------------------


class MultiHeadAttention(Module):
    """Self-attention with `heads` heads over (N, T, D): one affine layer makes Q, K and V for
    every head at once, each head attends in its own D/heads-wide slice (one fused gate for all
    heads), the heads are merged back to (N, T, D) and mixed by W_O.

    `weights` holds the last forward's attention weights (N, heads, T, T), for the attention map.
    """

    def __init__(self, dim: int, heads: int, causal: bool = True, init="xavier", rng=None):
        super().__init__()
        if dim % heads:
            raise ValueError(f"{heads} heads do not divide a width of {dim}")
        rng = _generator(rng)
        self.heads, self.causal = heads, causal
        self.qkv = Linear(dim, 3 * dim, init=init, rng=rng)  # [W_Q | W_K | W_V]
        self.out = Linear(dim, dim, init=init, rng=rng)  # W_O
        self.weights = None

    def forward(self, x):
        x = as_input(x)
        n, t, d = x.shape
        # split heads: (N, T, 3D) → (N, T, 3, h, D/h) → (3, N, h, T, D/h)
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).transpose(2, 0, 3, 1, 4)
        mixed = F.attention(qkv[0], qkv[1], qkv[2], causal=self.causal)  # (N, h, T, D/h)
        self.weights = mixed._saved  # the gate keeps P for its backward: the map reads it, no copy
        return self.out(mixed.transpose(0, 2, 1, 3).reshape(n, t, d))  # merge heads, then W_O

    def cost(self, input_shape):
        t, d = input_shape[-2:]
        _last_axis("MultiHeadAttention", input_shape, self.out.weight.shape[0])
        return Cost(4 * d * d * t + 2 * t * t * d, self.parameter_count(), tuple(input_shape))


class TransformerBlock(Module):
    """A pre-norm transformer block: x + attention(LN(x)), then x + MLP(LN(x)). The residual
    additions copy the gradient straight past each sub-layer (add distributes). With `dropout`,
    each sub-layer's output is dropped out in training before it is added."""

    def __init__(self, dim: int, heads: int, hidden: int | None = None, causal: bool = True,
                 init="xavier", rng=None, dropout: float = 0.0, seed: int | None = 0):
        super().__init__()
        rng = _generator(rng)
        hidden = hidden or 4 * dim
        self.norm1 = LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, heads, causal=causal, init=init, rng=rng)
        self.norm2 = LayerNorm(dim)
        self.mlp = Sequential(Linear(dim, hidden, init="he", rng=rng), ReLU(), Linear(hidden, dim, init=init, rng=rng))
        self.drops = [Dropout(dropout, seed=None if seed is None else seed + k) for k in range(2)] if dropout else []

    def forward(self, x):
        x = as_input(x)
        attended = self.attention(self.norm1(x))
        x = x + (self.drops[0](attended) if self.drops else attended)
        mixed = self.mlp(self.norm2(x))
        return x + (self.drops[1](mixed) if self.drops else mixed)

    def cost(self, input_shape):
        attention = self.attention.cost(input_shape)
        mlp = self.mlp.cost(input_shape)
        return Cost(attention.multiply_adds + mlp.multiply_adds, self.parameter_count(), tuple(input_shape))
