"""Fused recurrent ops: an RNN, LSTM or GRU layer over a whole sequence as ONE op record.

The forward runs every time step inside the op and the backward runs backprop through time in
one loop. Sequences are batch-first (N, T, D) at the op boundary and time-major (T, N, ·) inside,
so that each time step is one contiguous block.

Shared shapes: x (N, T, D), h0 and c0 (N, H), weight_x (D, G·H), weight_h (H, G·H), bias (G·H,)
with G gates. The RNN and GRU project every step's input in one GEMM before the loop and compute
only h·W_h step by step; the LSTM runs feature-major with one product per step (see `lstm_steps`).
"""

from __future__ import annotations

from gradtutor.ops.table import Op, register


def blas_threads(count: int):
    """backend.blas_threads, imported when a sequence first runs: this package imports no numpy."""
    from gradtutor.backend import blas_threads as limit

    return limit(count)



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


def _rnn_vjp(m, p, g, out, saved, needs, x, h0, weight_x, weight_h, bias):
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
    sample=None, fused=True, inputs=("x", "h0", "W_xh", "W_hh", "b"), tensor_sample=_recurrent_sample(1),
))


def _half_scale(m, hidden, gates, sigmoids, dtype):
    """Column scale (G·H,): 0.5 on the sigmoid gates' columns, 1 on the tanh ones.

    σ(a) = 0.5 + 0.5·tanh(a/2) (which, unlike 1/(1 + e⁻ᵃ), never overflows): scaling those
    pre-activations by 0.5 lets one tanh call per step cover the sigmoid gates too.
    """
    scale = m.ones((gates * hidden,), dtype=dtype)
    scale[: sigmoids * hidden] = 0.5
    return scale


# The exponent's cap: σ(−30) ≈ 9.4e-14 stands for every smaller value. e^88.7 would overflow
# float32; a cap near it lets saturated gates reach 1e-35, and their products in the backward
# then fall below float32's smallest normal number, which many CPUs handle far more slowly
# (this 2-core AMD machine: a multiply 1.5× as long; on many Intel cores, tens of times).
EXP_CEILING = 30.0


def _sigmoid_of_negated(m, z, ceiling):
    """In place: z ← σ(−z) = 1/(1 + eᶻ), through one exp (numpy's float32 exp takes half the time
    of its tanh). z is capped first at `ceiling` (an array of EXP_CEILING at least z's shape: numpy
    takes four times as long to compare with a scalar)."""
    m.minimum(z, ceiling[: len(z)], out=z)
    m.exp(z, out=z)
    z += 1.0
    m.divide(1.0, z, out=z)


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
    # Every gate through one exp: σ(a) = 1/(1 + e⁻ᵃ) and tanh a = 2σ(2a) − 1. With the weights
    # scaled by −1 on the sigmoid rows and −2 on the candidate's (exactly: powers of two), each
    # step's product is the exponent itself.
    scale = m.full((4 * hidden,), -1.0, dtype=x.dtype)
    scale[3 * hidden :] = -2.0
    weights = m.concatenate((weight_x, weight_h, bias.reshape(1, -1)), axis=0) * scale  # (D + H + 1, 4H)
    weights_t = weights.T.copy()  # (4H, D + H + 1)
    gates = m.empty((steps, 4 * hidden, n), dtype=x.dtype)  # (T, 4H, N)
    cells = m.empty((steps, hidden, n), dtype=x.dtype)  # (T, H, N)
    cell_tanhs = m.empty_like(cells)
    written = m.empty((hidden, n), dtype=x.dtype)  # i ⊙ g of the current step
    ceiling = m.full((4 * hidden, n), EXP_CEILING, dtype=x.dtype)
    c = c0.T  # (H, N)
    with blas_threads(2):  # small sequential products: see backend.blas_threads
        for step in range(steps):
            gate = gates[step]  # (4H, N)
            m.matmul(weights_t, xh[step], out=gate)
            _sigmoid_of_negated(m, gate, ceiling)
            i, f, o, cand = gate[:hidden], gate[hidden : 2 * hidden], gate[2 * hidden : 3 * hidden], gate[3 * hidden :]
            cand *= 2.0
            cand -= 1.0  # tanh from σ(2a)
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


def _lstm_vjp(m, p, g, out, saved, needs, x, h0, c0, weight_x, weight_h, bias):
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
    sample=None, fused=True, inputs=("x", "h0", "c0", "W_x", "W_h", "b"), tensor_sample=_recurrent_sample(4, True),
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


def _gru_vjp(m, p, g, out, saved, needs, x, h0, weight_x, weight_h, bias, bias_hn):
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
    sample=None, fused=True, inputs=("x", "h0", "W_x", "W_h", "b", "b_hn"), tensor_sample=_recurrent_sample(3),
))
