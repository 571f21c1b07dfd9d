"""Fused training ops: each layer's forward and backward as ONE op record in the op table.

A convolution written with the teaching ops would be thousands of tiny gates; here it is one gate
whose vector-Jacobian product is written out by hand (im2col for the forward, col2im for the
backward). The same holds for pooling, normalisation, dropout, embedding lookup and the recurrent
layers, whose forward runs every time step inside one op and whose backward runs backprop through
time in one loop. Fewer Python-level nodes per training step is what makes training fast, and the
records still carry formula and gate text, so the tracer can show them like any other gate.

Every rule is written against the array namespace `m` (numpy, cupy or the strict test stand-in);
this module never imports an array library. Ops that save intermediate results (`saves=True`)
return `(out, saved)` from forward and receive `saved=` in their VJP. Registering the records
below puts them in `ops.OPS`, so the generic op tests gradient-check them with `tensor_sample`.

Layouts: images are (N, C, H, W) by shape (a convolution's output is such a view of (N, OH, OW, F)
memory, the layout its single GEMM writes); sequences are batch-first (N, T, D) at the op
boundary and time-major (T, N, ·) inside the recurrent ops, so that each time step is one
contiguous block.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradtutor.backend import blas_threads
from gradtutor.ops import Op, register

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
    the innermost axis: x is first copied to (C, H, W, N), so that each of the KH·KW slice copies
    below moves runs of OW·N contiguous numbers rather than rows of OW. The loop is over the
    small kernel, never over pixels, and plain slicing behaves the same on every backend.
    """
    n, c, h, w = x.shape
    kh, kw = window.kernel
    out_h, out_w = window.output_size(h, w)
    p = window.padding
    source = m.zeros((c, h + 2 * p, w + 2 * p, n), dtype=x.dtype)  # (C, H + 2P, W + 2P, N)
    source[:, p : p + h, p : p + w] = x.transpose(1, 2, 3, 0)
    rows = c * kh * kw
    cols = m.empty((rows + int(ones_row), out_h * out_w * n), dtype=x.dtype)
    windows = cols[:rows].reshape(c, kh, kw, out_h, out_w, n)
    for (i, j), where in zip(_offsets(window), _window_slices(window, out_h, out_w, batch_last=True)):
        windows[:, i, j] = source[where]
    if ones_row:
        cols[rows:] = 1.0
    return cols


def col2im(m, cols, shape, window: Window):
    """The adjoint of im2col: add every column entry back onto the pixel it was copied from.

    cols (C, KH, KW, OH, OW, N) -> an (N, C, H, W) array (a view of (C, H, W, N) memory).
    """
    n, c, h, w = shape
    p = window.padding
    out_h, out_w = cols.shape[3:5]
    target = m.zeros((c, h + 2 * p, w + 2 * p, n), dtype=cols.dtype)  # (C, H + 2P, W + 2P, N)
    for (i, j), where in zip(_offsets(window), _window_slices(window, out_h, out_w, batch_last=True)):
        target[where] += cols[:, i, j]
    return target[:, p : p + h, p : p + w].transpose(3, 0, 1, 2)  # (N, C, H, W) view


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
    return out


def _linear_vjp(m, p, g, out, x, weight, bias, needs=(True, True, True)):
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
    formula="Y = X·W + b",
    local=("Wᵀ", "Xᵀ", "1"),
    gate="affine layer",
    gate_ko="어파인 계층",
    explain="An affine gate sends dL/dY·Wᵀ to X, Xᵀ·dL/dY to W and the batch sum of dL/dY to b.",
    explain_ko="어파인 노드는 X에 dL/dY·Wᵀ를, W에 Xᵀ·dL/dY를, b에 dL/dY의 배치 합을 보냅니다.",
    sample=None, inputs=("X", "W", "b"), tensor_sample=_linear_sample,
    fused=True,
    jacobian=("Wᵀ blocks, one per row of X", "Xᵀ blocks, one per column of W", "ones, summed over the batch"),
    backward=("dX = dY·Wᵀ", "dW = Xᵀ·dY", "db = Σ_rows dY"),
    partial=True,
    jacobian_ko=("X의 행마다 Wᵀ 블록 하나", "W의 열마다 Xᵀ 블록 하나", "1로 된 행렬, 배치에 걸쳐 합산"),
))


# -- convolution and pooling ---------------------------------------------------------------------


def _conv_forward(m, window, x, weight, bias):
    f = weight.shape[0]
    n, _, h, w = x.shape
    out_h, out_w = window.output_size(h, w)
    cols = im2col(m, x, window, ones_row=True)  # (C·KH·KW + 1, OH·OW·N), the last row ones
    weight_and_bias = m.concatenate((weight.reshape(f, -1), bias.reshape(f, 1)), axis=1)  # (F, C·KH·KW + 1)
    # One GEMM for the whole batch, bias included, written as colsᵀ·Wᵀ: with few filters, a long
    # thin output (OH·OW·N, F) keeps BLAS far busier than a short wide one (F, OH·OW·N).
    out = cols.T @ weight_and_bias.T  # (OH·OW·N, F)
    return out.reshape(out_h, out_w, n, f).transpose(2, 3, 0, 1), cols  # (N, F, OH, OW) view


def _conv_vjp(m, window, g, out, x, weight, bias, saved, needs=(True, True, True)):
    cols = saved  # (C·KH·KW + 1, OH·OW·N)
    f, c, kh, kw = weight.shape
    n, _, out_h, out_w = g.shape
    g = g.transpose(2, 3, 0, 1).reshape(out_h, out_w * n, f)  # (OH, OW·N, F), free if g is laid out like out
    # dW and db together (the ones row gives Σ dY): OH products over OW·N each, then a sum —
    # BLAS splits one product with an OH·OW·N-long inner dimension poorly (30× slower measured).
    per_row = cols.reshape(-1, out_h, out_w * n).transpose(1, 0, 2) @ g  # (OH, C·KH·KW + 1, F)
    both = per_row.sum(axis=0).T  # (F, C·KH·KW + 1)
    dw = both[:, :-1].reshape(weight.shape)
    db = both[:, -1].copy()
    dx = None
    if needs[0]:
        dcols = weight.reshape(f, -1).T @ g.reshape(-1, f).T  # (C·KH·KW, OH·OW·N)
        dx = col2im(m, dcols.reshape(c, kh, kw, out_h, out_w, n), x.shape, window)
    return dx, dw, db


def _conv_sample(rng):
    n, c, f = (int(v) for v in rng.integers(1, 3, size=3))
    k = int(rng.integers(1, 4))
    window = Window((k, k), stride=int(rng.integers(1, 3)), padding=int(rng.integers(0, 2)))
    size = k + int(rng.integers(1, 4))
    x = rng.normal(size=(n, c, size, size + 1))
    return (x, rng.normal(size=(f, c, k, k)), rng.normal(size=(f,))), window


CONV2D = register(Op(
    "conv2d", "conv", 3,
    forward=_conv_forward, vjp=_conv_vjp,
    formula="Y[n,f] = Σ_c W[f,c] ⋆ X[n,c] + b[f]  (im2col: Y = [W b]·[cols(X); 1])",
    local=("col2im(Wᵀ·dY)", "dY·cols(X)ᵀ", "Σ_{n,h,w} dY"),
    gate="convolution: an affine gate over every window",
    gate_ko="합성곱: 모든 윈도우에 적용한 어파인 노드",
    explain=(
        "A convolution is an affine gate applied to every window: im2col lays the windows out as "
        "columns, one matrix product computes them all, and col2im adds each column's gradient "
        "back onto the pixels it came from."
    ),
    explain_ko="합성곱은 모든 윈도우에 적용한 어파인 노드입니다. im2col이 윈도우를 열로 펼치고, 행렬 곱 한 번으로 모두 계산하며, 역전파 때는 col2im이 각 열의 기울기를 원래 픽셀 자리에 더해 돌려놓습니다.",
    sample=None, inputs=("X", "W", "b"), tensor_sample=_conv_sample,
    fused=True,
    jacobian=("a shifted copy of W for every window", "the windows of X", "ones, summed over batch and positions"),
    backward=("dX = col2im(Wᵀ·dY)", "dW = dY·colsᵀ", "db = Σ dY"),
    saves=True, partial=True,
    jacobian_ko=("윈도우마다 W를 그 자리로 옮겨 놓은 사본", "X의 윈도우들", "1로 된 행렬, 배치와 위치에 걸쳐 합산"),
))


def _max_pool_forward(m, window, x):
    out_h, out_w = window.output_size(*x.shape[2:])
    padded = _padded(m, x, window.padding, fill=-float("inf"))
    slices = _window_slices(window, out_h, out_w)
    out = padded[next(slices)].copy(order="K")  # keep the input's memory order (a conv's NHWC-like one)
    for where in slices:
        m.maximum(out, padded[where], out=out)  # (N, C, OH, OW): a running max over offsets
    return out


def _laid_out_like(m, array, like):
    """`array` in the memory order of `like` (same shape): a copy only if the orders differ.

    Gradients reach a layer in whatever order the layer above wrote them (col2im writes the batch
    last, a convolution's output has the channels last); elementwise work that mixes two orders
    strides through one of them (6× slower for LeNet's first pooling, measured), so one copy first.
    """
    if array.strides == like.strides:
        return array
    copy = m.empty_like(like)
    copy[...] = array
    return copy


def _max_pool_vjp(m, window, g, out, x):
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
    open_ = m.ones_like(out, dtype=bool)
    for where in _window_slices(window, out_h, out_w):
        hit = padded[where] == out
        hit &= open_
        if tiled:
            m.multiply(g, hit, out=dx[where])
        else:
            dx[where] += g * hit
        open_ &= ~hit
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
    formula="Y[n,c,i,j] = max over the window of X",
    local=("1 at each window's maximum, 0 elsewhere",),
    gate="max pooling routes",
    gate_ko="최대 풀링은 한쪽으로 보냄",
    explain="Max pooling is a max gate per window: the whole upstream gradient goes to the window's largest input.",
    explain_ko="최대 풀링은 윈도우마다 놓인 max 노드입니다. 상류 기울기 전체가 윈도우에서 가장 큰 입력으로 갑니다.",
    sample=None, inputs=("X",), tensor_sample=_pool_sample,
    fused=True,
    jacobian=("one 1 per output row, at the column of its window's maximum",),
    backward=("dX: dY routed to the first maximum of each window",),
    formula_ko="Y[n,c,i,j] = X의 윈도우 안에서 max",
    local_ko=("윈도우마다 최댓값 자리에서 1, 나머지는 0",),
    jacobian_ko=("출력 행마다 1 하나, 그 윈도우의 최댓값 열에",),
    backward_ko=("dX: dY를 윈도우마다 첫 번째 최댓값 자리로 보냄",),
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
    return out


def _avg_pool_vjp(m, window, g, out, x):
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
    formula="Y[n,c,i,j] = mean over the window of X",
    local=("1/(KH·KW) for every input in the window",),
    gate="average pooling shares",
    gate_ko="평균 풀링은 나눠 줌",
    explain="Average pooling shares the upstream gradient equally among the inputs of each window.",
    explain_ko="평균 풀링은 상류 기울기를 윈도우의 입력들에 똑같이 나눠 줍니다.",
    sample=None, inputs=("X",),
    tensor_sample=lambda rng: ((rng.normal(size=(2, 2, 5, 6)),), _pool_sample(rng)[1]),
    fused=True,
    jacobian=("1/(KH·KW) at every (output, input-in-its-window) pair",),
    backward=("dX: dY / (KH·KW) added to every input of its window",),
    formula_ko="Y[n,c,i,j] = X의 윈도우 안의 평균",
    local_ko=("윈도우 안의 모든 입력에 1/(KH·KW)",),
    jacobian_ko=("(출력, 그 윈도우 안의 입력) 쌍마다 1/(KH·KW)",),
    backward_ko=("dX: 윈도우의 모든 입력에 dY / (KH·KW)를 더함",),
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


def _batch_norm_vjp(m, norm: Norm, g, out, x, gamma, beta, saved):
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
    formula="Y = γ·(X − μ)/√(σ² + ε) + β, μ and σ² per channel over the batch",
    local=("(γ/σ)·(1 − 1/N − x̂·x̂ᵀ/N)", "x̂", "1"),
    gate="batch normalisation",
    gate_ko="배치 정규화",
    explain=(
        "Batch normalisation standardises each channel with the batch's own mean and variance; "
        "because those statistics depend on every input, each input's gradient loses the batch "
        "mean of the gradient and its projection on x̂."
    ),
    explain_ko="배치 정규화는 채널마다 그 배치의 평균과 분산으로 표준화합니다. 이 통계량이 모든 입력에 의존하므로, 각 입력의 기울기에서 기울기의 배치 평균과 x̂ 방향 성분이 빠집니다.",
    sample=None, inputs=("X", "γ", "β"), tensor_sample=_batch_norm_sample,
    fused=True,
    jacobian=("(γ/σ)(I − 11ᵀ/N − x̂x̂ᵀ/N) per channel", "x̂, summed over the batch", "ones, summed over the batch"),
    backward=("dX = (1/σ)(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))", "dγ = Σ dY·x̂", "dβ = Σ dY"),
    saves=True,
    formula_ko="Y = γ·(X − μ)/√(σ² + ε) + β, μ와 σ²는 채널마다 배치에 걸쳐 계산",
    jacobian_ko=("채널마다 (γ/σ)(I − 11ᵀ/N − x̂x̂ᵀ/N)", "x̂, 배치에 걸쳐 합산", "1로 된 행렬, 배치에 걸쳐 합산"),
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


def _layer_norm_vjp(m, norm: Norm, g, out, x, gamma, beta, saved):
    normalised, inv_std = saved
    leading = tuple(range(x.ndim - gamma.ndim))
    dx = _through_statistics(g * gamma, normalised, inv_std, norm.axes)
    return dx, (g * normalised).sum(axis=leading), g.sum(axis=leading)


LAYER_NORM = register(Op(
    "layer_norm", "LN", 3,
    forward=_layer_norm_forward, vjp=_layer_norm_vjp,
    formula="Y = γ·(X − μ)/√(σ² + ε) + β, μ and σ² per example over its features",
    local=("(γ/σ)·(1 − 1/D − x̂·x̂ᵀ/D)", "x̂", "1"),
    gate="layer normalisation",
    gate_ko="계층 정규화",
    explain="Layer normalisation is batch normalisation turned sideways: each example is standardised over its own features.",
    explain_ko="계층 정규화는 배치 정규화를 옆으로 돌린 것입니다. 각 샘플을 그 샘플 자신의 특징들로 표준화합니다.",
    sample=None, inputs=("X", "γ", "β"), tensor_sample=_layer_norm_sample,
    fused=True,
    jacobian=("(γ/σ)(I − 11ᵀ/D − x̂x̂ᵀ/D) per example", "x̂, summed over examples", "ones, summed over examples"),
    backward=("dX = (1/σ)(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))", "dγ = Σ dY·x̂", "dβ = Σ dY"),
    saves=True,
    formula_ko="Y = γ·(X − μ)/√(σ² + ε) + β, μ와 σ²는 샘플마다 그 샘플의 특징들에 걸쳐 계산",
    jacobian_ko=("샘플마다 (γ/σ)(I − 11ᵀ/D − x̂x̂ᵀ/D)", "x̂, 샘플들에 걸쳐 합산", "1로 된 행렬, 샘플들에 걸쳐 합산"),
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
    forward=lambda m, mask, x: x * mask.astype(x.dtype, copy=False),
    vjp=lambda m, mask, g, out, x: (g * mask.astype(g.dtype, copy=False),),
    formula="Y = X ⊙ mask, mask ∈ {0, 1/(1 − p)}",
    local=("mask",),
    gate="dropout gates",
    gate_ko="드롭아웃은 기울기를 막거나 통과시킴",
    explain=(
        "Dropout multiplies by a random mask: a dropped unit passes no gradient, a kept one passes "
        "it scaled by 1/(1 − p), the same scale its output was given."
    ),
    explain_ko="드롭아웃은 무작위 마스크를 곱합니다. 삭제된 뉴런은 기울기를 전혀 전달하지 않고, 남은 뉴런은 출력에 곱했던 것과 같은 1/(1 − p)를 곱해 전달합니다.",
    sample=None, inputs=("X",), tensor_sample=_dropout_sample,
    fused=True,
    jacobian=("diagonal: diag(mask)",),
    backward=("dX = dY ⊙ mask",),
    jacobian_ko=("대각 행렬: diag(mask)",),
))


def _embedding_vjp(m, indices, g, out, weight):
    dw = m.zeros_like(weight)
    # A row looked up twice receives both gradients: add.at accumulates, plain indexing would not.
    m.add.at(dw, indices.reshape(-1), g.reshape(-1, weight.shape[1]))
    return (dw,)


def _embedding_sample(rng):
    table = rng.normal(size=(5, 3))
    return (table,), rng.integers(0, 5, size=(2, 4))


EMBEDDING = register(Op(
    "embedding", "lookup", 1,
    forward=lambda m, indices, weight: weight[indices],  # (...) indices -> (..., E) rows
    vjp=_embedding_vjp,
    formula="Y[i] = W[index_i]",
    local=("1 at the looked-up row",),
    gate="lookup gathers, backward scatters",
    gate_ko="조회는 모으고, 역전파는 흩뿌림",
    explain="An embedding lookup copies rows of W; its backward adds each upstream row back onto the row it came from.",
    explain_ko="임베딩 조회는 W의 행을 복사합니다. 역전파 때는 상류 기울기의 각 행을 그 행을 가져온 W의 행에 더합니다.",
    sample=None, inputs=("W",), tensor_sample=_embedding_sample,
    fused=True,
    jacobian=("one 1 per output element, at its table entry",),
    backward=("dW[index_i] += dY[i]",),
    local_ko=("조회한 행에서 1",),
    jacobian_ko=("출력 원소마다 1 하나, 그 원소를 가져온 표의 자리에",),
))


# -- recurrent layers ------------------------------------------------------------------------------
# Shared shapes: x (N, T, D), h0 and c0 (N, H), weight_x (D, G·H), weight_h (H, G·H), bias (G·H,)
# with G gates. The RNN and GRU project every step's input in one GEMM before the loop and
# compute only h·W_h step by step; the LSTM runs feature-major with one product per step (see
# `lstm_steps`).


def _time_major(x):
    """x (N, T, D) as a contiguous (T·N, D) block, time-major: a copy of the small input, so the
    wide projections below come out time-major without copying them."""
    n, t, d = x.shape
    return x.transpose(1, 0, 2).reshape(t * n, d)  # (T·N, D)


def _project_inputs(x, weight_x, bias):
    """x·W_x + b for every step at once, time-major: (T, N, G·H)."""
    n, t, _ = x.shape
    return (_time_major(x) @ weight_x + bias).reshape(t, n, -1)  # (T, N, G·H)


def _finish_inputs(m, dpre, x, weight_x, needs):
    """Gradients of x, W_x and b from the pre-activation gradients dpre (T, N, G·H)."""
    n, t, d = x.shape
    dpre_flat = dpre.reshape(t * n, -1)  # (T·N, G·H)
    dx = (dpre_flat @ weight_x.T).reshape(t, n, d).transpose(1, 0, 2) if needs[0] else None  # (N, T, D)
    dwx = _time_major(x).T @ dpre_flat
    return dx, dwx, dpre_flat.sum(axis=0)


def _previous_states(m, h0, hs):
    """h_{t−1} for every step: (T, N, H) with h0 first."""
    return m.concatenate((h0[None], hs[:-1]), axis=0)


def _rnn_forward(m, p, x, h0, weight_x, weight_h, bias):
    hs = _project_inputs(x, weight_x, bias)  # (T, N, H): x_t·W_x + b, overwritten by h_t below
    h = h0
    with blas_threads(1):  # small sequential products: see backend.blas_threads
        for step in range(hs.shape[0]):
            h_new = hs[step]
            h_new += h @ weight_h
            m.tanh(h_new, out=h_new)
            h = h_new
    return hs.transpose(1, 0, 2), hs  # (N, T, H) view for the caller, time-major saved


def _rnn_vjp(m, p, g, out, x, h0, weight_x, weight_h, bias, saved, needs=(True,) * 5):
    hs = saved  # (T, N, H)
    g = g.transpose(1, 0, 2)  # (T, N, H)
    dpre = 1.0 - hs * hs  # tanh's local gradient for every step at once, turned into da below
    dh = m.zeros_like(h0)
    weight_h_t = weight_h.T.copy()
    with blas_threads(1):  # small sequential products: see backend.blas_threads
        for step in range(hs.shape[0] - 1, -1, -1):
            da = dpre[step]
            da *= dh + g[step]  # through tanh: the factor that makes gradients vanish
            dh = da @ weight_h_t  # to h_{t−1} through W_hh
    hidden = weight_h.shape[0]
    dwh = _previous_states(m, h0, hs).reshape(-1, hidden).T @ dpre.reshape(-1, hidden)
    dx, dwx, db = _finish_inputs(m, dpre, x, weight_x, needs)
    return dx, dh, dwx, dwh, db


def _recurrent_sample(gates, with_cell=False):
    def draw(rng):
        n, t, d, h = 2, int(rng.integers(2, 5)), 3, 2
        xs = [rng.normal(size=(n, t, d)), rng.normal(size=(n, h)) * 0.5]
        if with_cell:
            xs.append(rng.normal(size=(n, h)) * 0.5)
        xs += [rng.normal(size=(d, gates * h)) * 0.5, rng.normal(size=(h, gates * h)) * 0.5,
               rng.normal(size=(gates * h,)) * 0.5]
        if gates == 3:
            xs.append(rng.normal(size=(h,)) * 0.5)
        return tuple(xs), None

    return draw


RNN = register(Op(
    "rnn", "RNN", 5,
    forward=_rnn_forward, vjp=_rnn_vjp,
    formula="h_t = tanh(x_t·W_xh + h_{t−1}·W_hh + b), all steps in one gate",
    local=("W_xhᵀ per step", "W_hhᵀ·(1 − h₁²)", "Σ_t x_tᵀ·da_t", "Σ_t h_{t−1}ᵀ·da_t", "Σ_t da_t"),
    gate="recurrent: backprop through time",
    gate_ko="순환: 시간 방향 역전파(BPTT)",
    explain=(
        "A vanilla RNN applies the same tanh gate at every step; backprop through time multiplies "
        "the gradient by W_hhᵀ·diag(1 − h²) once per step, so over long sequences it vanishes or explodes."
    ),
    explain_ko="기본 RNN은 매 시각 같은 tanh 노드를 적용합니다. BPTT는 시각마다 기울기에 W_hhᵀ·diag(1 − h²)를 한 번씩 곱하므로, 시퀀스가 길면 기울기가 소실되거나 폭발합니다.",
    sample=None, inputs=("x", "h0", "W_xh", "W_hh", "b"), tensor_sample=_recurrent_sample(1),
    fused=True,
    jacobian=("block lower-triangular in time", "a product of W_hhᵀ·diag(1 − h²) over steps",
              "Σ over steps", "Σ over steps", "Σ over steps"),
    backward=("dx_t = da_t·W_xhᵀ", "dh0 = da_1·W_hhᵀ", "dW_xh = Σ x_tᵀ·da_t", "dW_hh = Σ h_{t−1}ᵀ·da_t", "db = Σ da_t"),
    saves=True, partial=True,
    formula_ko="h_t = tanh(x_t·W_xh + h_{t−1}·W_hh + b), 모든 시각을 노드 하나로",
    local_ko=("시각마다 W_xhᵀ", "W_hhᵀ·(1 − h₁²)", "Σ_t x_tᵀ·da_t", "Σ_t h_{t−1}ᵀ·da_t", "Σ_t da_t"),
    jacobian_ko=("시간 방향으로 블록 하삼각 행렬", "시각마다 W_hhᵀ·diag(1 − h²)를 곱해 나간 것",
                 "시각에 걸친 Σ", "시각에 걸친 Σ", "시각에 걸친 Σ"),
))


def _half_scale(m, hidden, gates, sigmoids, dtype):
    """Column scale (G·H,): 0.5 on the sigmoid gates' columns, 1 on the tanh ones.

    σ(a) = 0.5 + 0.5·tanh(a/2) (which, unlike 1/(1 + e⁻ᵃ), never overflows): scaling those
    pre-activations by 0.5 lets one tanh call per step cover the sigmoid gates too.
    """
    scale = m.ones((gates * hidden,), dtype=dtype)
    scale[: sigmoids * hidden] = 0.5
    return scale


def lstm_steps(m, x, h0, c0, weight_x, weight_h, bias):
    """Run an LSTM over x; returns (xh, gates, cells, cell_tanhs), time-major and feature-major.

    Feature-major: states are stored transposed, one column per sequence of the batch: h_t and
    c_t as (H, N), a step's gates as (4H, N). Each gate is then a contiguous block of rows (numpy
    takes twice as long on the column slices of an (N, 4H) array), and each step's product
    W·[x_t; h_{t−1}; 1] has its 4H rows outermost, which the BLAS shares out between threads far
    better than 32 batch rows (measured at 2 threads: 22 µs against 33 µs a step).

    Gate order in the 4H rows: input i, forget f, output o (sigmoids), then the candidate g
    (tanh); `gates` holds the activated values. xh (T + 1, D + H + 1, N) holds the column block
    [x_t; h_{t−1}; 1] in block t: each step is ONE matrix product of [W_x; W_h; b]ᵀ with its
    block, written straight into the gates, and step t writes h_t into block t + 1, where the
    next step reads it.
    """
    n, steps, d = x.shape
    hidden = h0.shape[1]
    xh = m.empty((steps + 1, d + hidden + 1, n), dtype=x.dtype)  # (T + 1, D + H + 1, N)
    xh[:steps, :d] = x.transpose(1, 2, 0)
    xh[steps, :d] = 0.0  # the block after the last step only carries h_T
    xh[0, d : d + hidden] = h0.T
    xh[:, d + hidden] = 1.0
    # σ(a) = 0.5 + 0.5·tanh(a/2): with the sigmoid rows halved (exactly: a power of two), one
    # tanh call per step covers every gate.
    scale = _half_scale(m, hidden, 4, 3, x.dtype)
    weights = m.concatenate((weight_x, weight_h, bias.reshape(1, -1)), axis=0) * scale  # (D + H + 1, 4H)
    weights_t = weights.T.copy()  # (4H, D + H + 1)
    gates = m.empty((steps, 4 * hidden, n), dtype=x.dtype)  # (T, 4H, N)
    cells = m.empty((steps, hidden, n), dtype=x.dtype)  # (T, H, N)
    cell_tanhs = m.empty_like(cells)
    written = m.empty((hidden, n), dtype=x.dtype)  # i ⊙ g of the current step
    c = c0.T  # (H, N)
    with blas_threads(2):  # small sequential products: see backend.blas_threads
        for step in range(steps):
            gate = gates[step]  # (4H, N)
            m.matmul(weights_t, xh[step], out=gate)
            m.tanh(gate, out=gate)
            sig = gate[: 3 * hidden]
            sig *= 0.5
            sig += 0.5  # σ from tanh of the half-scaled pre-activation
            i, f, o, cand = gate[:hidden], gate[hidden : 2 * hidden], gate[2 * hidden : 3 * hidden], gate[3 * hidden :]
            c_new = cells[step]
            m.multiply(f, c, out=c_new)
            m.multiply(i, cand, out=written)
            c_new += written
            c = c_new
            m.tanh(c, out=cell_tanhs[step])
            m.multiply(o, cell_tanhs[step], out=xh[step + 1, d : d + hidden])
    return xh, gates, cells, cell_tanhs


def _lstm_forward(m, p, x, h0, c0, weight_x, weight_h, bias):
    xh, gates, cells, cell_tanhs = lstm_steps(m, x, h0, c0, weight_x, weight_h, bias)
    d, hidden = x.shape[2], h0.shape[1]
    return xh[1:, d : d + hidden].transpose(2, 0, 1), (xh, gates, cells, cell_tanhs)  # (N, T, H)


CHUNK_STEPS = 8  # time steps whose step-independent factors are computed together (cache-sized)


def _lstm_factors(m, gates, cells, cell_tanhs, c0, start, stop):
    """The factors of LSTM backprop that do not depend on the recurrence, for steps start..stop−1
    (laid out as `lstm_steps` stores them):

        by_d      per gate, what the gradient reaching it multiplies, before the gate's slope:
                  dc·[g, c_{t−1}, ·, i]·slope for i, f and the candidate; in o's slot the
                  factor of dh instead, tanh c · σ′(o)
        dc_by_dh  dc/dh through h = o·tanh c:  o·(1 − tanh² c)

    with slope σ(1 − σ) for i, f, o and 1 − g² for the candidate. Computed a few steps at a time,
    so the arrays stay in cache between here and their use in the loop, and written in place:
    these are most of the backward's elementwise work.
    """
    gate = gates[start:stop]  # (t, 4H, N)
    hidden = gate.shape[1] // 4
    i, o, cand = gate[:, :hidden], gate[:, 2 * hidden : 3 * hidden], gate[:, 3 * hidden :]
    sig = gate[:, : 3 * hidden]
    slope = 1.0 - sig
    slope *= sig  # (t, 3H, N): σ′ = σ(1 − σ) of i, f, o
    by_d = m.empty_like(gate)  # (t, 4H, N)
    m.multiply(cand, slope[:, :hidden], out=by_d[:, :hidden])
    c_prev = cells[start - 1 : stop - 1] if start else _previous_states(m, c0.T, cells[:stop])
    m.multiply(c_prev, slope[:, hidden : 2 * hidden], out=by_d[:, hidden : 2 * hidden])
    tanh_c = cell_tanhs[start:stop]
    m.multiply(tanh_c, slope[:, 2 * hidden :], out=by_d[:, 2 * hidden : 3 * hidden])
    cand_slope = by_d[:, 3 * hidden :]
    m.multiply(cand, cand, out=cand_slope)
    m.subtract(1.0, cand_slope, out=cand_slope)  # 1 − g², the candidate's slope
    cand_slope *= i
    dc_by_dh = tanh_c * tanh_c
    m.subtract(1.0, dc_by_dh, out=dc_by_dh)
    dc_by_dh *= o
    return by_d, dc_by_dh


def _lstm_vjp(m, p, g, out, x, h0, c0, weight_x, weight_h, bias, saved, needs=(True,) * 6):
    xh, gates, cells, cell_tanhs = saved
    steps, width, n = gates.shape
    d, hidden = x.shape[2], h0.shape[1]
    dtype = gates.dtype
    g = m.ascontiguousarray(g.transpose(1, 2, 0))  # (T, H, N), once: a block is read per step
    dpre = m.empty_like(gates)  # (T, 4H, N): da_t, the gradient of step t's pre-activations
    dh = m.zeros((hidden, n), dtype=dtype)  # (H, N)
    dc = m.zeros((hidden, n), dtype=dtype)
    through_h = m.empty_like(dc)
    with blas_threads(2):  # small sequential products: see backend.blas_threads
        for stop in range(steps, 0, -CHUNK_STEPS):
            start = max(0, stop - CHUNK_STEPS)
            by_d, dc_by_dh = _lstm_factors(m, gates, cells, cell_tanhs, c0, start, stop)
            for step in range(stop - 1, start - 1, -1):
                k = step - start
                dh += g[step]
                m.multiply(dh, dc_by_dh[k], out=through_h)
                dc += through_h
                da = dpre[step]  # (4H, N)
                m.multiply(dc, by_d[k].reshape(4, hidden, n), out=da.reshape(4, hidden, n))
                m.multiply(dh, by_d[k, 2 * hidden : 3 * hidden], out=da[2 * hidden : 3 * hidden])  # o takes dh
                dc *= gates[step, hidden : 2 * hidden]  # the cell path: only f scales it, so gradients survive
                m.matmul(weight_h, da, out=dh)  # (H, N): to h_{t−1} through W_h
    # Weights: Σ_t da_t·[x_t; h_{t−1}; 1]ᵀ, one product once the step index sits next to the
    # batch's (two transposing copies, cheaper than gathering da_t into place every step).
    dpre_flat = m.ascontiguousarray(dpre.transpose(1, 0, 2)).reshape(width, steps * n)  # (4H, T·N)
    xh_flat = m.ascontiguousarray(xh[:steps].transpose(1, 0, 2)).reshape(-1, steps * n)  # (D + H + 1, T·N)
    both = (dpre_flat @ xh_flat.T).T  # (D + H + 1, 4H)
    dx = (weight_x @ dpre_flat).reshape(d, steps, n).transpose(2, 1, 0) if needs[0] else None  # (N, T, D)
    return dx, dh.T, dc.T, both[:d], both[d : d + hidden], both[d + hidden]


LSTM = register(Op(
    "lstm", "LSTM", 6,
    forward=_lstm_forward, vjp=_lstm_vjp,
    formula="i,f,o = σ(·), g = tanh(·); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t), all steps in one gate",
    local=("W_xᵀ per step", "through W_hᵀ", "f₁⊙…", "Σ_t x_tᵀ·da_t", "Σ_t h_{t−1}ᵀ·da_t", "Σ_t da_t"),
    gate="LSTM: the cell path carries the gradient",
    gate_ko="LSTM: 기억 셀 경로가 기울기를 나름",
    explain=(
        "An LSTM adds a cell state updated by addition: on the way back the gradient along the "
        "cell is multiplied only by the forget gate, so it can cross many steps without vanishing."
    ),
    explain_ko="LSTM은 덧셈으로 갱신되는 기억 셀을 둡니다. 역전파 때 셀을 따라가는 기울기에는 망각 게이트만 곱해지므로, 소실되지 않고 여러 시각을 건너갈 수 있습니다.",
    sample=None, inputs=("x", "h0", "c0", "W_x", "W_h", "b"), tensor_sample=_recurrent_sample(4, True),
    fused=True,
    jacobian=("block lower-triangular in time",) * 3 + ("Σ over steps",) * 3,
    backward=("dx_t = da_t·W_xᵀ", "dh0 = da_1·W_hᵀ", "dc0 = dc_1⊙f_1", "dW_x = Σ x_tᵀ·da_t",
              "dW_h = Σ h_{t−1}ᵀ·da_t", "db = Σ da_t"),
    saves=True, partial=True,
    formula_ko="i,f,o = σ(·), g = tanh(·); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t), 모든 시각을 노드 하나로",
    local_ko=("시각마다 W_xᵀ", "W_hᵀ를 거쳐", "f₁⊙…", "Σ_t x_tᵀ·da_t", "Σ_t h_{t−1}ᵀ·da_t", "Σ_t da_t"),
    jacobian_ko=("시간 방향으로 블록 하삼각 행렬",) * 3 + ("시각에 걸친 Σ",) * 3,
))


def gru_steps(m, x, h0, weight_x, weight_h, bias, bias_hn):
    """Run a GRU over x; returns (hs, gates, hidden_n), time-major.

    Columns: reset r, update z (sigmoids), candidate n (tanh). As in cuDNN and PyTorch, the reset
    gate multiplies h·W_hn + b_hn, so one GEMM per step covers all three gates.
    """
    hidden = h0.shape[1]
    scale = _half_scale(m, hidden, 3, 2, x.dtype)  # r and z columns halved: σ(a) = 0.5 + 0.5·tanh(a/2)
    gates = _project_inputs(x, weight_x * scale, bias * scale)  # (T, N, 3H), activated in place
    weight_h = weight_h * scale
    steps = gates.shape[0]
    hidden_n = m.empty((steps,) + h0.shape, dtype=gates.dtype)  # h·W_hn + b_hn, needed by dr
    hs = m.empty_like(hidden_n)
    h = h0
    with blas_threads(1):  # small sequential products: see backend.blas_threads
        for step in range(steps):
            hw = h @ weight_h  # (N, 3H)
            gate = gates[step]
            rz = gate[:, : 2 * hidden]
            rz += hw[:, : 2 * hidden]
            m.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            r, z = gate[:, :hidden], gate[:, hidden : 2 * hidden]
            hn = hidden_n[step]
            m.add(hw[:, 2 * hidden :], bias_hn, out=hn)
            n = gate[:, 2 * hidden :]
            n += r * hn
            m.tanh(n, out=n)
            h_new = hs[step]
            m.subtract(h, n, out=h_new)
            h_new *= z
            h_new += n  # (1 − z)·n + z·h
            h = h_new
    return hs, gates, hidden_n


def _gru_forward(m, p, x, h0, weight_x, weight_h, bias, bias_hn):
    hs, gates, hidden_n = gru_steps(m, x, h0, weight_x, weight_h, bias, bias_hn)
    return hs.transpose(1, 0, 2), (hs, gates, hidden_n)


def _gru_factors(m, gates, hs, hidden_n, h0, start, stop):
    """What dh multiplies, per step start..stop−1, to give each pre-activation gradient:

        dn_pre = dh·a          a = (1 − z)(1 − n²)             through the candidate's tanh
        dr_pre = dh·a·hn·σ′(r)                                   hn = h·W_hn + b_hn
        dz_pre = dh·(h_{t−1} − n)·σ′(z)
        dhn    = dh·a·r                                          the h·W_hn part of the candidate

    Returned as by_dh_x (t, N, 3, H) = [r, z, n] for the input projections and by_dh_h for h·W_h
    ([r, z, a·r]). Computed a few steps at a time, so the arrays stay in cache.
    """
    gate = gates[start:stop]
    steps, n, width = gate.shape
    hidden = width // 3
    r, z, cand = gate[:, :, :hidden], gate[:, :, hidden : 2 * hidden], gate[:, :, 2 * hidden :]
    h_prev = hs[start - 1 : stop - 1] if start else _previous_states(m, h0, hs[:stop])
    by_dh_x = m.empty_like(gate).reshape(steps, n, 3, hidden)  # (t, N, 3, H)
    a = (1.0 - z) * (1.0 - cand * cand)
    by_dh_x[:, :, 0] = a * hidden_n[start:stop] * r * (1.0 - r)
    by_dh_x[:, :, 1] = (h_prev - cand) * z * (1.0 - z)
    by_dh_x[:, :, 2] = a
    by_dh_h = by_dh_x.copy()
    by_dh_h[:, :, 2] *= r
    return by_dh_x, by_dh_h


def _gru_vjp(m, p, g, out, x, h0, weight_x, weight_h, bias, bias_hn, saved, needs=(True,) * 6):
    hs, gates, hidden_n = saved
    steps, n, hidden = hs.shape
    g = g.transpose(1, 0, 2)  # (T, N, H)
    dpre = m.empty_like(gates)  # (T, N, 3H): gradients of the input projections
    dhw = m.empty_like(gates)  # (T, N, 3H): gradients of h·W_h
    dh = m.zeros_like(h0)
    weight_h_t = weight_h.T.copy()
    with blas_threads(1):  # small sequential products: see backend.blas_threads
        for stop in range(steps, 0, -CHUNK_STEPS):
            start = max(0, stop - CHUNK_STEPS)
            by_dh_x, by_dh_h = _gru_factors(m, gates, hs, hidden_n, h0, start, stop)
            for step in range(stop - 1, start - 1, -1):
                k = step - start
                dh = dh + g[step]
                m.multiply(dh[:, None, :], by_dh_x[k], out=dpre[step].reshape(n, 3, hidden))
                m.multiply(dh[:, None, :], by_dh_h[k], out=dhw[step].reshape(n, 3, hidden))
                dh *= gates[step, :, hidden : 2 * hidden]  # the direct path z·dh: not squashed
                dh += dhw[step] @ weight_h_t
    dwh = _previous_states(m, h0, hs).reshape(-1, hidden).T @ dhw.reshape(-1, 3 * hidden)
    dbhn = dhw[:, :, 2 * hidden :].sum(axis=(0, 1))
    dx, dwx, db = _finish_inputs(m, dpre, x, weight_x, needs)
    return dx, dh, dwx, dwh, db, dbhn


GRU = register(Op(
    "gru", "GRU", 6,
    forward=_gru_forward, vjp=_gru_vjp,
    formula="r,z = σ(·); n = tanh(x·W_xn + r⊙(h·W_hn + b_hn)); h_t = (1 − z)⊙n + z⊙h_{t−1}, all steps in one gate",
    local=("W_xᵀ per step", "z⊙… + W_hᵀ…", "Σ_t x_tᵀ·da_t", "Σ_t h_{t−1}ᵀ·dhw_t", "Σ_t da_t", "Σ_t r⊙dn"),
    gate="GRU: the update gate interpolates",
    gate_ko="GRU: 업데이트 게이트가 보간함",
    explain=(
        "A GRU mixes the old state and a candidate with the update gate z; on the way back the "
        "gradient to h_{t−1} has a direct term z⊙dh that is not squashed, so it survives many steps."
    ),
    explain_ko="GRU는 업데이트 게이트 z로 이전 상태와 후보 상태를 섞습니다. 역전파 때 h_{t−1}로 가는 기울기에는 찌그러지지 않는 직접 항 z⊙dh가 있어 여러 시각을 지나도 살아남습니다.",
    sample=None, inputs=("x", "h0", "W_x", "W_h", "b", "b_hn"), tensor_sample=_recurrent_sample(3),
    fused=True,
    jacobian=("block lower-triangular in time", "a product over steps") + ("Σ over steps",) * 4,
    backward=("dx_t = da_t·W_xᵀ", "dh0 = z₁⊙dh₁ + dhw_1·W_hᵀ", "dW_x = Σ x_tᵀ·da_t",
              "dW_h = Σ h_{t−1}ᵀ·dhw_t", "db = Σ da_t", "db_hn = Σ r⊙dn"),
    saves=True, partial=True,
    formula_ko="r,z = σ(·); n = tanh(x·W_xn + r⊙(h·W_hn + b_hn)); h_t = (1 − z)⊙n + z⊙h_{t−1}, 모든 시각을 노드 하나로",
    local_ko=("시각마다 W_xᵀ", "z⊙… + W_hᵀ…", "Σ_t x_tᵀ·da_t", "Σ_t h_{t−1}ᵀ·dhw_t", "Σ_t da_t", "Σ_t r⊙dn"),
    jacobian_ko=("시간 방향으로 블록 하삼각 행렬", "시각에 걸친 곱") + ("시각에 걸친 Σ",) * 4,
))
