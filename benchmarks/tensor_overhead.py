"""Per-op overhead of the tensor engine against the bare numpy calls, side by side in one run.

Elementwise ops on (32, 128) float32: the engine's forward + backward (Tensor ops, then
backward() with a given upstream) against the hand-written numpy forward and gradient lines.
Matmul at the sizes of a 784-256-256-10 MLP with batch 128: the engine's x @ W forward +
backward against numpy's matmul and the two transposed products.

Elementwise ops are timed twice: one gate with its own backward() call, and the same gate
eight deep in a chain with one backward() call (the per-gate cost inside a real graph, where
the call's fixed cost is shared).

Goals (issue 3): under 2× for elementwise ops, under 1.1× for matmul at MLP sizes. A whole MLP
forward + backward is measured too, against the same network written out in numpy. This prints
the ratios; it asserts nothing. Run:  python benchmarks/tensor_overhead.py
"""

from __future__ import annotations

import os

# One BLAS thread unless told otherwise: the figure is the engine's overhead on top of the same
# numpy calls, and a single thread keeps both sides steady on a busy machine.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import statistics  # noqa: E402
import timeit  # noqa: E402

from gradtutor import backend  # noqa: E402
from gradtutor.tensor import Tensor  # noqa: E402

np = backend.host


def side_by_side(bare, engine, rounds=15, target=0.03) -> tuple[float, float]:
    """Seconds per call of each, the median of `rounds` loops of about `target` seconds (the best
    loop flattered the engine by up to a fifth on a busy machine). The two are timed in
    alternation, so a busy moment on the machine hits both alike."""
    timers = [timeit.Timer(bare), timeit.Timer(engine)]
    numbers = [max(1, int(t.autorange()[0] * target / 0.2)) for t in timers]
    samples: list[list[float]] = [[], []]
    for _ in range(rounds):
        for i in range(2):
            samples[i].append(timers[i].timeit(numbers[i]) / numbers[i])
    return statistics.median(samples[0]), statistics.median(samples[1])


def elementwise_cases(rng, shape=(32, 128)):
    x = rng.normal(size=shape).astype(np.float32)
    y = (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1, 1], size=shape)).astype(np.float32)
    g = rng.normal(size=shape).astype(np.float32)
    tx, ty = Tensor(x), Tensor(y)

    def engine(build):
        def run():
            build().backward(g)
        return run

    # Each numpy function computes what the engine computes: the output and every input's
    # gradient, and keeps them until the next call as the engine's tensors do (so both see the
    # same memory-allocation pattern).
    keep = {}

    def np_add():
        z = x + y
        keep['out'] = z, g, g

    def np_sub():
        z = x - y
        keep['out'] = z, g, -g

    def np_mul():
        z = x * y
        keep['out'] = z, g * y, g * x

    def np_div():
        z = x / y
        keep['out'] = z, g / y, -g * x / (y * y)

    def np_tanh():
        z = np.tanh(x)
        keep['out'] = z, g * (1 - z * z)

    def np_sigmoid():
        z = 0.5 * (1 + np.tanh(0.5 * x))
        keep['out'] = z, g * z * (1 - z)

    def np_relu():
        z = np.maximum(x, 0.0)
        keep['out'] = z, g * (x > 0)

    def np_exp():
        z = np.exp(x)
        keep['out'] = z, g * z

    return [
        ("add", engine(lambda: tx + ty), np_add),
        ("sub", engine(lambda: tx - ty), np_sub),
        ("mul", engine(lambda: tx * ty), np_mul),
        ("div", engine(lambda: tx / ty), np_div),
        ("tanh", engine(lambda: tx.tanh()), np_tanh),
        ("sigmoid", engine(lambda: tx.sigmoid()), np_sigmoid),
        ("relu", engine(lambda: tx.relu()), np_relu),
        ("exp", engine(lambda: tx.exp()), np_exp),
    ]


CHAIN = 8  # gates per graph in the chained cases


def chained_cases(rng, shape=(32, 128), depth=CHAIN):
    """The same elementwise gates, `depth` of them in a chain with ONE backward() call, as they
    sit inside a real graph: the call's fixed cost (sorting the graph, seeding the upstream) is
    shared by the chain, so this is the engine's cost per gate. Times are per gate.

    The numpy side computes the same chain and its backward by hand: each gate's input gradient,
    and y's gradient accumulated over its `depth` uses (copy adds), as the engine does.
    """
    x = (rng.normal(size=shape) * 0.1).astype(np.float32)
    y = (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1, 1], size=shape)).astype(np.float32)
    g = rng.normal(size=shape).astype(np.float32)
    tx, ty = Tensor(x), Tensor(y)
    # binary gates z ∘ y: (forward, d/dz, d/dy); unary gates f(z): (forward, d/dz from z and f(z))
    binary = {
        "add": (lambda z: z + y, lambda gz, z: gz, lambda gz, z: gz),
        "sub": (lambda z: z - y, lambda gz, z: gz, lambda gz, z: -gz),
        "mul": (lambda z: z * y, lambda gz, z: gz * y, lambda gz, z: gz * z),
        "div": (lambda z: z / y, lambda gz, z: gz / y, lambda gz, z: -gz * z / (y * y)),
    }
    unary = {
        "tanh": (np.tanh, lambda gz, z, f: gz * (1 - f * f), lambda t: t.tanh()),
        "sigmoid": (lambda z: 0.5 * (1 + np.tanh(0.5 * z)), lambda gz, z, f: gz * f * (1 - f), lambda t: t.sigmoid()),
        "relu": (lambda z: np.maximum(z, 0.0), lambda gz, z, f: gz * (z > 0), lambda t: t.relu()),
        "exp": (np.exp, lambda gz, z, f: gz * f, lambda t: t.exp()),
    }
    engine_binary = {"add": lambda a: a + ty, "sub": lambda a: a - ty, "mul": lambda a: a * ty, "div": lambda a: a / ty}
    cases = []
    for name, (forward, dz, dy) in binary.items():
        step = engine_binary[name]

        def engine(step=step):
            z = tx
            for _ in range(depth):
                z = step(z)
            z.backward(g)

        def bare(forward=forward, dz=dz, dy=dy, keep={}):
            zs = [x]
            for _ in range(depth):
                zs.append(forward(zs[-1]))
            gz, gy = g, None
            for k in range(depth, 0, -1):
                d = dy(gz, zs[k - 1])
                gy = d if gy is None else gy + d
                gz = dz(gz, zs[k - 1])
            keep["out"] = zs, gz, gy

        cases.append((f"{name} ×{depth} chained, per gate", engine, bare))
    for name, (forward, dz, method) in unary.items():
        def engine(method=method):
            z = tx
            for _ in range(depth):
                z = method(z)
            z.backward(g)

        def bare(forward=forward, dz=dz, keep={}):
            zs = [x]
            for _ in range(depth):
                zs.append(forward(zs[-1]))
            gz = g
            for k in range(depth, 0, -1):
                gz = dz(gz, zs[k - 1], zs[k])
            keep["out"] = zs, gz

        cases.append((f"{name} ×{depth} chained, per gate", engine, bare))
    return cases


def matmul_cases(rng, batch=128, sizes=(784, 256, 256, 10)):
    cases = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        x = rng.normal(size=(batch, n_in)).astype(np.float32)
        w = (rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
        g = rng.normal(size=(batch, n_out)).astype(np.float32)
        tx, tw = Tensor(x), Tensor(w)

        def engine(tx=tx, tw=tw, g=g):
            (tx @ tw).backward(g)

        def bare(x=x, w=w, g=g, keep={}):
            keep["out"] = x @ w, g @ w.T, x.T @ g  # kept until the next call, as the engine does

        cases.append((f"matmul {batch}×{n_in} · {n_in}×{n_out}", engine, bare))
    return cases


def mlp_case(rng, batch=128, sizes=(784, 256, 256, 10)):
    """A whole 784-256-256-10 MLP forward + backward: affine, ReLU, softmax-with-loss."""
    from gradtutor.tensor import softmax_cross_entropy

    x = rng.normal(size=(batch, sizes[0])).astype(np.float32)
    labels = rng.integers(0, sizes[-1], size=batch)
    weights = [(rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    biases = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
    params = [Tensor(w) for w in weights] + [Tensor(b) for b in biases]
    one_hot = np.eye(sizes[-1], dtype=np.float32)[labels]

    def engine():
        h = x  # the batch is plain data: no gradient is computed for it
        for i in range(3):
            h = h @ params[i] + params[3 + i]
            if i < 2:
                h = h.relu()
        softmax_cross_entropy(h, labels).backward()

    def bare(keep={}):
        acts, pres = [x], []
        for i in range(3):
            pre = acts[-1] @ weights[i] + biases[i]
            pres.append(pre)
            acts.append(np.maximum(pre, 0.0) if i < 2 else pre)
        s = acts[-1] - acts[-1].max(axis=1, keepdims=True)
        y = np.exp(s)
        y /= y.sum(axis=1, keepdims=True)
        loss = -np.log(y[np.arange(batch), labels]).mean()
        g = (y - one_hot) / batch
        grads = []
        for i in (2, 1, 0):
            if i < 2:
                g = g * (pres[i] > 0)
            grads.append((acts[i].T @ g, g.sum(axis=0)))
            if i > 0:
                g = g @ weights[i].T
        keep["out"] = loss, grads

    return [("MLP 784-256-256-10, batch 128", engine, bare)]


def main() -> None:
    rng = np.random.default_rng(0)
    # Eight exps in a row overflow to inf on both sides alike; that is part of the workload.
    np.seterr(over="ignore", invalid="ignore")
    print(f"backend {backend.name()}, numpy {np.__version__}, float32, "
          f"{os.environ['OMP_NUM_THREADS']} BLAS thread(s)")
    print(f"{'op (forward + backward)':38} {'numpy µs':>10} {'engine µs':>10} {'extra µs':>9} {'ratio':>7}  goal")
    for title, cases, goal, per in (
        ("elementwise on 32×128, one gate and its own backward() call", elementwise_cases(rng), 2.0, 1),
        (f"elementwise on 32×128, {CHAIN} gates in a chain, one backward(): cost per gate",
         chained_cases(rng), 2.0, CHAIN),
        ("matmul at MLP 784-256-256-10, batch 128", matmul_cases(rng), 1.1, 1),
        ("a whole training step's forward + backward (no goal of its own)", mlp_case(rng), 1.1, 1),
    ):
        print(f"-- {title}")
        for name, engine, bare in cases:
            t_bare, t_engine = (t / per for t in side_by_side(bare, engine))
            ratio = t_engine / t_bare
            mark = "ok" if ratio < goal else "over"
            extra = (t_engine - t_bare) * 1e6
            print(f"{name:38} {t_bare * 1e6:10.1f} {t_engine * 1e6:10.1f} {extra:9.1f} {ratio:7.2f}  < {goal} {mark}")
    print(
        "extra µs is the engine's own cost per gate (building the node, the backward walk, summing\n"
        "and storing gradients). A backward() call costs about 1.6 µs of Python before and around\n"
        "its gates (checking the upstream, walking the graph, dispatching each rule); in the\n"
        "single-gate rows it all falls on one gate. For add and sub the hand-written backward is\n"
        "free (the gradient passes through unchanged), so their ratio is that fixed cost over one\n"
        "small numpy call.\n"
        f"In the chained rows one backward() call serves {CHAIN} gates, as in a real graph, and the\n"
        "numpy side accumulates y's gradient over its uses as the engine must."
    )


if __name__ == "__main__":
    main()
