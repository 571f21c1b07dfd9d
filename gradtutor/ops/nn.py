"""Fused layer ops: a layer's forward and backward as ONE op record (linear, convolution,
pooling, normalisation, dropout, embedding lookup).

A convolution written with the teaching ops would be thousands of tiny gates; here it is one gate
whose vector-Jacobian product is written out by hand (im2col for the forward, col2im for the
backward). Fewer Python-level nodes per training step is what makes training fast, and the
records still have their words, so the tracer shows them like any other gate.

Layout: images are (N, C, H, W) by shape; a convolution's output is such a view of (F, OH, OW, N)
memory, the batch innermost: the layout its single GEMM writes and the next im2col reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradtutor.ops.table import Op, register

# -- parameters carried by the ops ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A sliding window: kernel size, stride and zero padding on every side."""

    kernel: tuple[int, int]
    stride: int = 1
    padding: int = 0

    def __str__(self) -> str:
        return f"kernel {self.kernel[0]}×{self.kernel[1]}, stride {self.stride}, padding {self.padding}"

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """(W − F + 2P)/S + 1 along each axis."""
        kh, kw = self.kernel
        out_h = (height + 2 * self.padding - kh) // self.stride + 1
        out_w = (width + 2 * self.padding - kw) // self.stride + 1
        if out_h < 1 or out_w < 1:
            raise ValueError(
                f"a {kh}×{kw} window with padding {self.padding} does not fit a {height}×{width} input"
            )
        return out_h, out_w


@dataclass(frozen=True, slots=True)
class Norm:
    """How a normalisation op runs.

    axes: the axes the statistics are taken over; eps keeps the division finite.
    training: batch statistics (True) or the running statistics (False).
    running_mean / running_var: arrays updated in place during training (None: not tracked);
    momentum is the weight of the new batch in that running average.
    """

    axes: tuple[int, ...]
    eps: float = 1e-5
    training: bool = True
    momentum: float = 0.1
    running_mean: object = None
    running_var: object = None

    def __str__(self) -> str:
        mode = "batch statistics" if self.training else "running statistics"
        return f"over axes {self.axes}, {mode}, eps {self.eps:g}"


# -- im2col / col2im ---------------------------------------------------------------------------


def _padded(m, x, padding: int, fill: float = 0.0):
    """x (N, C, H, W) with `padding` rows and columns of `fill` on every side."""
    if padding == 0:
        return x
    n, c, h, w = x.shape
    out = m.full((n, c, h + 2 * padding, w + 2 * padding), fill, dtype=x.dtype)
    out[:, :, padding : padding + h, padding : padding + w] = x
    return out


def im2col(m, x, window: Window, ones_row: bool = False):
    """Every window position of x as columns: (C·KH·KW, OH·OW·N), read as (C, KH, KW, OH, OW, N).

    The batch sits inside the columns, so a convolution over the whole batch is ONE matrix
    product; `ones_row` appends a row of ones, so that product adds the bias too. The batch is
    the innermost axis, the memory order a convolution writes its output in (see _conv_forward):
    the windows are then a strided view of x itself, gathered by ONE copy that moves runs of
    OW·N contiguous numbers, with no pass over x first unless it needs padding or lies otherwise.
    """
    n, c, h, w = x.shape
    kh, kw = window.kernel
    out_h, out_w = window.output_size(h, w)
    rows = c * kh * kw
    cols = m.empty((rows + int(ones_row), out_h * out_w * n), dtype=x.dtype)
    source = _batch_last(m, x, window.padding)
    cols[:rows].reshape(c, kh, kw, out_h, out_w, n)[...] = _windows(m, source, window, out_h, out_w)
    if ones_row:
        cols[rows:] = 1.0
    return cols


def col2im(m, cols, shape, window: Window):
    """The adjoint of im2col: add every column entry back onto the pixel it was copied from.

    cols (C, KH, KW, OH, OW, N) -> an (N, C, H, W) array (a view of (C, H, W, N) memory). One
    strided add per kernel offset: the windows overlap, so they cannot be added in one go.
    """
    n, c, h, w = shape
    p = window.padding
    out_h, out_w = cols.shape[3:5]
    target = m.zeros((c, h + 2 * p, w + 2 * p, n), dtype=cols.dtype)  # (C, H + 2P, W + 2P, N)
    for (i, j), where in zip(_offsets(window), _window_slices(window, out_h, out_w, batch_last=True)):
        target[where] += cols[:, i, j]
    return target[:, p : p + h, p : p + w].transpose(3, 0, 1, 2)  # (N, C, H, W) view


def _batch_last(m, x, padding: int):
    """x (N, C, H, W) as (C, H + 2P, W + 2P, N) memory with the batch innermost: a view of x
    when it already lies so (a convolution's output, pooled or not) and needs no padding, else
    one copy into a zeroed array."""
    source = x.transpose(1, 2, 3, 0)
    if padding == 0 and source.strides[-1] == source.itemsize:
        return source
    n, c, h, w = x.shape
    p = padding
    padded = m.zeros((c, h + 2 * p, w + 2 * p, n), dtype=x.dtype)
    padded[:, p : p + h, p : p + w] = source
    return padded


def _windows(m, source, window: Window, out_h: int, out_w: int):
    """All windows of a (C, H, W, N) array as a (C, KH, KW, OH, OW, N) view, copying nothing:
    entry [c, i, j, y, x, n] is source[c, y·S + i, x·S + j, n]."""
    c, _, _, n = source.shape
    kh, kw = window.kernel
    s = window.stride
    step_c, step_h, step_w, step_n = source.strides
    return m.lib.stride_tricks.as_strided(
        source, shape=(c, kh, kw, out_h, out_w, n),
        strides=(step_c, step_h, step_w, step_h * s, step_w * s, step_n),
    )


def _offsets(window: Window):
    kh, kw = window.kernel
    return [(i, j) for i in range(kh) for j in range(kw)]


def _window_slices(window: Window, out_h: int, out_w: int, batch_last: bool = False):
    """For each kernel offset (row-major), the strided slices of a padded (N, C, H, W) array, or
    of a (C, H, W, N) one with batch_last, that the windows read at that offset."""
    s = window.stride
    for i, j in _offsets(window):
        rows, columns = slice(i, i + s * out_h, s), slice(j, j + s * out_w, s)
        yield (slice(None), rows, columns) if batch_last else (slice(None), slice(None), rows, columns)


# -- linear ----------------------------------------------------------------------------------------


def _linear_forward(m, p, x, weight, bias):
    out = x @ weight  # (..., D) @ (D, H) -> (..., H)
    out += bias
    return out, None


def _linear_vjp(m, p, g, out, saved, needs, x, weight, bias):
    d_in, d_out = weight.shape
    g2 = g.reshape(-1, d_out)  # (B, H), B = all leading axes
    dx = (g @ weight.T) if needs[0] else None
    dw = (x.reshape(-1, d_in).T @ g2) if needs[1] else None
    db = g2.sum(axis=0) if needs[2] else None
    return dx, dw, db


def _linear_sample(rng):
    n, d, h = rng.integers(1, 5, size=3)
    return (rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=(h,))), None


LINEAR = register(Op(
    "linear", "affine", 3,
    forward=_linear_forward, vjp=_linear_vjp,
    sample=None, fused=True, inputs=("X", "W", "b"), tensor_sample=_linear_sample,
))


# -- convolution and pooling ---------------------------------------------------------------------


def _conv_forward(m, window, x, weight, bias):
    f = weight.shape[0]
    n, _, h, w = x.shape
    out_h, out_w = window.output_size(h, w)
    cols = im2col(m, x, window, ones_row=True)  # (C·KH·KW + 1, OH·OW·N), the last row ones
    weight_and_bias = m.concatenate((weight.reshape(f, -1), bias.reshape(f, 1)), axis=1)  # (F, C·KH·KW + 1)
    # One GEMM for the whole batch, bias included. Its (F, OH·OW·N) output keeps the batch
    # innermost, the order im2col reads: the next convolution (after ReLU and pooling, which
    # keep memory order) takes its windows straight from this memory, and col2im writes its
    # gradient in the same order, so no layer in between has to transpose.
    out = weight_and_bias @ cols  # (F, OH·OW·N)
    return out.reshape(f, out_h, out_w, n).transpose(3, 0, 1, 2), cols  # (N, F, OH, OW) view


def _conv_vjp(m, window, g, out, saved, needs, x, weight, bias):
    cols = saved  # (C·KH·KW + 1, OH·OW·N)
    f, c, kh, kw = weight.shape
    n, _, out_h, out_w = g.shape
    g = g.transpose(1, 2, 3, 0).reshape(f, -1)  # (F, OH·OW·N), free if g is laid out like out
    # dW and db together (the ones row gives Σ dY): (F, C·KH·KW + 1). Its output is too small for
    # the BLAS to share out, so extra threads split the long OH·OW·N sum in rounds that wait on
    # each other: 64 ms against 0.9 ms alone for LeNet's first layer with another process busy.
    with _one_blas_thread():
        both = g @ cols.T
    dw = both[:, :-1].reshape(weight.shape)
    db = both[:, -1].copy()
    dx = None
    if needs[0]:
        dcols = weight.reshape(f, -1).T @ g  # (C·KH·KW, OH·OW·N)
        dx = col2im(m, dcols.reshape(c, kh, kw, out_h, out_w, n), x.shape, window)
    return dx, dw, db


def _one_blas_thread():
    """backend.blas_threads(1), imported at the first training step: the ops import no numpy."""
    from gradtutor.backend import blas_threads

    return blas_threads(1)


def _conv_sample(rng):
    n, c, f = (int(v) for v in rng.integers(1, 3, size=3))
    k = int(rng.integers(1, 4))
    window = Window((k, k), stride=int(rng.integers(1, 3)), padding=int(rng.integers(0, 2)))
    size = k + int(rng.integers(1, 4))
    x = rng.normal(size=(n, c, size, size + 1))
    return (x, rng.normal(size=(f, c, k, k)), rng.normal(size=(f,))), window


def _conv_shapes(input_shapes, output_shape, lang: str = "en") -> tuple[str, str, str]:
    """The shapes in dX = dY ∗ rot180(W) (full), dW = X ⋆ dY and db = Σ dY."""
    x, w, b = (tuple(s) for s in input_shapes)
    y = tuple(output_shape)
    return f"{x} = {y} ∗ {w}", f"{w} = {x} ⋆ {y}", f"{b} = Σ {y}"


CONV2D = register(Op(
    "conv2d", "conv", 3,
    forward=_conv_forward, vjp=_conv_vjp,
    sample=None, fused=True, inputs=("X", "W", "b"), tensor_sample=_conv_sample,
    backward_shapes=_conv_shapes,
))


def _max_pool_forward(m, window, x):
    out_h, out_w = window.output_size(*x.shape[2:])
    padded = _padded(m, x, window.padding, fill=-float("inf"))
    views = [padded[where] for where in _window_slices(window, out_h, out_w)]
    if len(views) == 1:
        return views[0].copy(order="K"), None  # keep the input's memory order (a conv's batch-last one)
    out = m.maximum(views[0], views[1])  # (N, C, OH, OW), in the inputs' memory order
    for view in views[2:]:
        m.maximum(out, view, out=out)  # a running max over the kernel offsets
    return out, None


def _laid_out_like(m, array, like):
    """`array` in the memory order of `like` (same shape): a copy only if the orders differ.

    Gradients reach a layer in whatever order the layer above wrote them (a flattened map's gradient
    comes back as rows of C·H·W numbers, while the pooled map lies batch-last like the convolution
    before it); elementwise work that mixes two orders
    strides through one of them (6× slower for LeNet's first pooling, measured), so one copy first.
    """
    if array.strides == like.strides:
        return array
    copy = m.empty_like(like)
    copy[...] = array
    return copy


def _max_pool_vjp(m, window, g, out, saved, needs, x):
    # Route each output's gradient to the first input in its window that equals the maximum;
    # `open_` marks the outputs not yet routed, so a tie sends the gradient to one input only.
    n, c, out_h, out_w = g.shape
    kh, kw = window.kernel
    p, s = window.padding, window.stride
    g = _laid_out_like(m, g, out)
    padded = _padded(m, x, p, fill=-float("inf"))
    # Windows that tile the input exactly (2×2, stride 2 on an even size) write every input
    # once: the gradient can be stored, not added, into an array that needs no zeroing.
    tiled = kh == kw == s and p == 0 and out_h * s == x.shape[2] and out_w * s == x.shape[3]
    dx = m.empty_like(padded, dtype=g.dtype) if tiled else m.zeros_like(padded, dtype=g.dtype)
    open_ = None  # None while every output is open
    slices = list(_window_slices(window, out_h, out_w))
    for k, where in enumerate(slices):
        hit = padded[where] == out
        if open_ is not None:
            hit &= open_
        if tiled:
            m.multiply(g, hit, out=dx[where])
        else:
            dx[where] += g * hit
        if k + 1 < len(slices):
            if open_ is None:
                open_ = ~hit
            else:
                open_ ^= hit  # the hits are all open: this closes exactly them
    return (dx[:, :, p : p + x.shape[2], p : p + x.shape[3]] if p else dx,)


def _distinct_image(rng, shape):
    """Values at least 0.05 apart, so max pooling has no ties to straddle in finite differences."""
    count = 1
    for size in shape:
        count *= int(size)
    values = rng.permutation(count) * 0.1 + rng.uniform(0, 0.02)
    return values.reshape(shape)


def _pool_sample(rng):
    k = int(rng.integers(1, 4))
    window = Window((k, k), stride=int(rng.integers(1, 3)), padding=int(rng.integers(0, min(k, 2))))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 3)), k + int(rng.integers(1, 4)), k + 2)
    return (_distinct_image(rng, shape),), window


MAX_POOL2D = register(Op(
    "max_pool2d", "maxpool", 1,
    forward=_max_pool_forward, vjp=_max_pool_vjp,
    sample=None, fused=True, inputs=("X",), tensor_sample=_pool_sample,
))


def _avg_pool_forward(m, window, x):
    out_h, out_w = window.output_size(*x.shape[2:])
    padded = _padded(m, x, window.padding)  # zero padding counts towards the mean
    slices = _window_slices(window, out_h, out_w)
    out = padded[next(slices)].copy(order="K")
    for where in slices:
        out += padded[where]
    kh, kw = window.kernel
    out *= 1.0 / (kh * kw)
    return out, None


def _avg_pool_vjp(m, window, g, out, saved, needs, x):
    kh, kw = window.kernel
    n, c, out_h, out_w = g.shape
    p = window.padding
    share = g * (1.0 / (kh * kw))
    dx = m.zeros_like(_padded(m, x, p), dtype=g.dtype)
    for where in _window_slices(window, out_h, out_w):
        dx[where] += share
    return (dx[:, :, p : p + x.shape[2], p : p + x.shape[3]] if p else dx,)


AVG_POOL2D = register(Op(
    "avg_pool2d", "avgpool", 1,
    forward=_avg_pool_forward, vjp=_avg_pool_vjp,
    sample=None, fused=True, inputs=("X",),
    tensor_sample=lambda rng: ((rng.normal(size=(2, 2, 5, 6)),), _pool_sample(rng)[1]),
))


# -- normalisation ---------------------------------------------------------------------------------


def _broadcast_shape(x, axes):
    """The shape gamma/beta take to broadcast over x: 1 along each normalised-over axis."""
    return tuple(1 if axis in axes else size for axis, size in enumerate(x.shape))


def _through_statistics(dnormalised, normalised, inv_std, axes):
    """dL/dx from dL/dx̂ when x̂ = (x − μ)/σ with μ and σ taken over `axes` of x itself.

    The statistics depend on every x too; their gradients fold into two mean corrections.
    """
    return inv_std * (
        dnormalised
        - dnormalised.mean(axis=axes, keepdims=True)
        - normalised * (dnormalised * normalised).mean(axis=axes, keepdims=True)
    )


def _batch_norm_forward(m, norm: Norm, x, gamma, beta):
    shape = _broadcast_shape(x, norm.axes)
    if norm.training:
        mean = x.mean(axis=norm.axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=norm.axes, keepdims=True)
        running_mean, running_var = norm.running_mean, norm.running_var
        if running_mean is not None:  # updated in place: the layer holds the same arrays
            count = x.size // mean.size
            unbiased = var * (count / max(count - 1, 1))  # the running variance estimates the population's
            running_mean *= 1 - norm.momentum
            running_mean += norm.momentum * mean.reshape(running_mean.shape)
            running_var *= 1 - norm.momentum
            running_var += norm.momentum * unbiased.reshape(running_var.shape)
    else:
        centred = x - norm.running_mean.reshape(shape)
        var = norm.running_var.reshape(shape)
    inv_std = 1.0 / m.sqrt(var + norm.eps)
    normalised = centred * inv_std
    return normalised * gamma.reshape(shape) + beta.reshape(shape), (normalised, inv_std)


def _batch_norm_vjp(m, norm: Norm, g, out, saved, needs, x, gamma, beta):
    normalised, inv_std = saved
    shape = _broadcast_shape(x, norm.axes)
    dbeta = g.sum(axis=norm.axes)
    dgamma = (g * normalised).sum(axis=norm.axes)
    dnormalised = g * gamma.reshape(shape)
    if not norm.training:  # the statistics are constants: a per-channel scale
        return dnormalised * inv_std, dgamma, dbeta
    return _through_statistics(dnormalised, normalised, inv_std, norm.axes), dgamma, dbeta


def _batch_norm_sample(rng):
    if rng.integers(0, 2):
        x = rng.normal(size=(int(rng.integers(3, 6)), 3)) * 2 + 1
        axes = (0,)
    else:
        x = rng.normal(size=(int(rng.integers(2, 4)), 2, 3, 2)) * 2 + 1
        axes = (0, 2, 3)
    channels = x.shape[1]
    return (x, rng.normal(size=(channels,)), rng.normal(size=(channels,))), Norm(axes)


BATCH_NORM = register(Op(
    "batch_norm", "BN", 3,
    forward=_batch_norm_forward, vjp=_batch_norm_vjp,
    sample=None, fused=True, inputs=("X", "γ", "β"), tensor_sample=_batch_norm_sample,
))


def _layer_norm_sample(rng):
    x = rng.normal(size=(int(rng.integers(1, 4)), int(rng.integers(2, 5)))) * 2 + 1
    features = x.shape[1]
    return (x, rng.normal(size=(features,)), rng.normal(size=(features,))), Norm((x.ndim - 1,))


def _layer_norm_forward(m, norm: Norm, x, gamma, beta):
    mean = x.mean(axis=norm.axes, keepdims=True)
    centred = x - mean
    inv_std = 1.0 / m.sqrt((centred * centred).mean(axis=norm.axes, keepdims=True) + norm.eps)
    normalised = centred * inv_std
    return normalised * gamma + beta, (normalised, inv_std)


def _layer_norm_vjp(m, norm: Norm, g, out, saved, needs, x, gamma, beta):
    normalised, inv_std = saved
    leading = tuple(range(x.ndim - gamma.ndim))
    dx = _through_statistics(g * gamma, normalised, inv_std, norm.axes)
    return dx, (g * normalised).sum(axis=leading), g.sum(axis=leading)


LAYER_NORM = register(Op(
    "layer_norm", "LN", 3,
    forward=_layer_norm_forward, vjp=_layer_norm_vjp,
    sample=None, fused=True, inputs=("X", "γ", "β"), tensor_sample=_layer_norm_sample,
))


# -- dropout and embedding -------------------------------------------------------------------------


def _dropout_sample(rng):
    x = rng.normal(size=(3, 4))
    keep = 0.6
    mask = (rng.uniform(size=x.shape) < keep) / keep
    return (x,), mask


DROPOUT = register(Op(
    "dropout", "drop", 1,
    # The mask (0 or 1/(1 − p), drawn by the layer) is the parameter, so forward is deterministic.
    forward=lambda m, mask, x: (x * mask.astype(x.dtype, copy=False), None),
    vjp=lambda m, mask, g, out, saved, needs, x: (g * mask.astype(g.dtype, copy=False),),
    sample=None, fused=True, inputs=("X",), tensor_sample=_dropout_sample,
))


def _embedding_vjp(m, indices, g, out, saved, needs, weight):
    dw = m.zeros_like(weight)
    # A row looked up twice receives both gradients: add.at accumulates, plain indexing would not.
    m.add.at(dw, indices.reshape(-1), g.reshape(-1, weight.shape[1]))
    return (dw,)


def _embedding_sample(rng):
    table = rng.normal(size=(5, 3))
    return (table,), rng.integers(0, 5, size=(2, 4))


EMBEDDING = register(Op(
    "embedding", "lookup", 1,
    forward=lambda m, indices, weight: (weight[indices], None),  # (...) indices -> (..., E) rows
    vjp=_embedding_vjp,
    sample=None, fused=True, inputs=("W",), tensor_sample=_embedding_sample,
))




# -- attention -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attend:
    """How an attention op runs: scores are Q·Kᵀ times `scale` (1/√d_k); with `causal`, position i
    attends to positions 0 … i only (the scores above the diagonal become −∞ before the softmax)."""

    scale: float
    causal: bool = False

    def __str__(self) -> str:
        return f"scale {self.scale:.4g}" + (", causal mask" if self.causal else "")


def sinusoidal_positions(m, length: int, dim: int):
    """The sinusoidal position table (length, dim), float32: PE[p, 2i] = sin(p / 10000^(2i/d)),
    PE[p, 2i + 1] = cos(p / 10000^(2i/d)). Fixed, not trained: each position gets its own pattern."""
    positions = m.arange(length, dtype=m.float64)[:, None]
    rates = 1.0 / 10000.0 ** (m.arange(0, dim, 2, dtype=m.float64) / dim)
    table = m.zeros((length, dim), dtype=m.float64)
    table[:, 0::2] = m.sin(positions * rates)
    table[:, 1::2] = m.cos(positions * rates[: dim // 2])
    return table.astype(m.float32)


def _attention_forward(m, p: Attend, q, k, v):
    scores = q @ m.swapaxes(k, -1, -2)  # (..., Tq, Tk)
    scores *= p.scale
    if p.causal:
        tq, tk = scores.shape[-2:]
        above = ~m.tril(m.ones((tq, tk), dtype=bool))
        scores[..., above] = -m.inf  # exp(−∞) = 0: no weight on a later position
    scores -= scores.max(axis=-1, keepdims=True)  # softmax in place, shifted so exp never overflows
    m.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores @ v, scores  # saved: the attention weights P


def _attention_vjp(m, p: Attend, g, out, saved, needs, q, k, v):
    weights = saved  # P (..., Tq, Tk)
    dv = m.swapaxes(weights, -1, -2) @ g if needs[2] else None  # dV = Pᵀ·dO
    dscores = g @ m.swapaxes(v, -1, -2)  # dP = dO·Vᵀ
    # softmax row by row: dS = P ⊙ (dP − Σ_row dP ⊙ P); a masked entry has P = 0, so dS = 0 there
    dscores -= (dscores * weights).sum(axis=-1, keepdims=True)
    dscores *= weights
    dscores *= p.scale
    dq = dscores @ k if needs[0] else None  # dQ = dS·K/√d
    dk = m.swapaxes(dscores, -1, -2) @ q if needs[1] else None  # dK = dSᵀ·Q/√d
    return dq, dk, dv


def _attention_sample(rng):
    lead = tuple(int(n) for n in rng.integers(1, 3, size=int(rng.integers(0, 3))))
    causal = bool(rng.random() < 0.5)
    tq, d, dv = (int(n) for n in rng.integers(1, 5, size=3))
    tk = tq if causal else int(rng.integers(1, 5))
    q, k, v = rng.normal(size=(*lead, tq, d)), rng.normal(size=(*lead, tk, d)), rng.normal(size=(*lead, tk, dv))
    return (q, k, v), Attend(1.0 / d**0.5, causal)


ATTENTION = register(Op(
    "attention", "attn", 3,
    forward=_attention_forward, vjp=_attention_vjp,
    sample=None, fused=True, inputs=("Q", "K", "V"), tensor_sample=_attention_sample,
))
