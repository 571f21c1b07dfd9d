"""One training step (forward + backward + SGD update), gradtutor against PyTorch CPU, side by side.

Same models, float32, 2 threads:
  mlp   784-256-256-10 MLP, batch 128                          goal ≤ 1.0× PyTorch
  cnn   LeNet-style CNN on 1×28×28, batch 64                   goal ≤ 1.0× PyTorch
  rnn   tanh RNN, input 32, hidden 128, length 50, batch 32    goal ≤ 1.0× PyTorch nn.RNN
  lstm  LSTM, the same sizes                                   goal ≤ 1.2× PyTorch nn.LSTM
  gru   GRU, the same sizes                                    goal ≤ 1.0× PyTorch nn.GRU
The recurrent models read the last hidden state through a linear head with an MSE loss.

Times are the median of about `--repeat` calls, the two sides taking turns (see `timed`): the
fastest call flattered by up to a fifth on a busy machine. Each step is also reported as a
fraction of the float32 GEMM rate measured in the same run, also a median (a 512×512 matmul):
the step's matmul FLOPs at that rate, divided by the step's time, is the share of the step
spent at the BLAS's typical speed.
Without torch installed the PyTorch column is skipped.

    python benchmarks/train_step.py [--repeat 30] [--only mlp,cnn] [--threads 2]
"""

from __future__ import annotations

import os
import sys

# Threads must be fixed before numpy or torch load their BLAS, so --threads is read here.
THREADS = next((word.split("=", 1)[1] for word in sys.argv if word.startswith("--threads=")),
               sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv[:-1] else "2")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from gradtutor.tensor import mse, softmax_cross_entropy  # noqa: E402
from gradtutor.train import models, optim  # noqa: E402

GOALS = {"mlp": 1.0, "cnn": 1.0, "rnn": 1.0, "lstm": 1.2, "gru": 1.0}  # at 1 and at 2 threads
SEQ = dict(input_size=32, hidden=128, length=50, batch=32)


BLOCK = 5  # calls of one step in a row before the other side's turn
PAUSE = 0.15  # seconds between two libraries' turns: longer than OpenBLAS's idle spin (~0.1 s)


def timed(*steps, repeat: int, pause: float = PAUSE) -> list[float]:
    """Median seconds of each step over about `repeat` calls, after warm-up.

    The steps take turns in blocks of BLOCK calls, so both sides meet the same load on a shared
    machine; the median is the typical call, as a learner's run meets it. Between turns the
    benchmark sleeps `pause` seconds, so the side that just ran has no threads left spinning:
    after a call, OpenBLAS's workers spin about 0.1 s and PyTorch's OpenMP workers spin too,
    waiting for more work. Alternating call by call, each library's idle spinning workers took a
    core from the other's at 2 threads (measured: gradtutor's MLP step 1.1 ms on its own,
    1.7–1.9 ms alternating with PyTorch; PyTorch's LSTM step 4.5 ms on its own, 5.1–9.7 ms).
    """
    for step in steps:
        for _ in range(3):
            step()
    samples: list[list[float]] = [[] for _ in steps]
    for _ in range(max(1, repeat // BLOCK)):
        for index, step in enumerate(steps):
            if len(steps) > 1 and pause:
                time.sleep(pause)
            for _ in range(BLOCK):
                start = time.perf_counter()
                step()
                samples[index].append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def gemm_rate(repeat: int) -> float:
    """float32 FLOP/s of a 512×512×512 matmul with the same BLAS and threads."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 512), dtype=np.float32)
    b = rng.standard_normal((512, 512), dtype=np.float32)
    return 2 * 512**3 / timed(lambda: a @ b, repeat=repeat * 3)[0]


def matmul_flops(name: str) -> float:
    """FLOPs of the matrix products in one step (forward, and backward's two per weight)."""
    if name == "mlp":
        forward = 128 * (784 * 256 + 256 * 256 + 256 * 10)
        return 2 * forward * 3 - 2 * 128 * 784 * 256  # no gradient for the input batch
    if name == "cnn":
        conv1 = 64 * 28 * 28 * 6 * 25
        conv2 = 64 * 10 * 10 * 16 * 150
        dense = 64 * (400 * 120 + 120 * 84 + 84 * 10)
        return 2 * (conv1 * 2 + conv2 * 3 + dense * 3)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[name]
    n, t, d, h = SEQ["batch"], SEQ["length"], SEQ["input_size"], SEQ["hidden"]
    per_step = n * (d + h) * gates * h
    return 2 * per_step * t * 2 + 2 * n * t * h * h * gates  # x and h products, their weight grads


def mlp_matmuls(module):
    """Only the eight matrix products of one MLP step (forward 3, backward 5), with `module`
    numpy or torch: the floor under any MLP step built on that library's BLAS."""
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    xs = [rng.standard_normal((128, n), dtype=np.float32) for n in sizes]
    ws = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    if module != "numpy":
        xs, ws = [module.from_numpy(a) for a in xs], [module.from_numpy(a) for a in ws]

    def step():
        for layer in range(3):
            xs[layer] @ ws[layer]  # forward
            xs[layer].T @ xs[layer + 1]  # dW
            if layer:
                xs[layer + 1] @ ws[layer].T  # dX (none for the input batch)

    return step


# -- gradtutor --------------------------------------------------------------------------------------


def gradtutor_step(name: str):
    rng = np.random.default_rng(0)
    if name == "mlp":
        model = models.MLP([784, 256, 256, 10], seed=0)
        x = rng.standard_normal((128, 784), dtype=np.float32)
        labels = rng.integers(0, 10, 128)
        loss_of = softmax_cross_entropy
    elif name == "cnn":
        model = models.LeNet(seed=0)
        x = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
        labels = rng.integers(0, 10, 64)
        loss_of = softmax_cross_entropy
    else:
        model = models.SequenceToOne(name, SEQ["input_size"], SEQ["hidden"], 1, seed=0)
        x = rng.standard_normal((SEQ["batch"], SEQ["length"], SEQ["input_size"]), dtype=np.float32)
        labels = rng.standard_normal((SEQ["batch"], 1), dtype=np.float32)
        loss_of = mse
    optimizer = optim.SGD(model.parameters(), lr=0.01)

    def step():
        loss = loss_of(model(x), labels)
        loss.backward()
        optimizer.step()

    return step


# -- PyTorch ----------------------------------------------------------------------------------------


def torch_step(name: str):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
        x, target = torch.randn(128, 784), torch.randint(0, 10, (128,))
        loss_of = nn.functional.cross_entropy
    elif name == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )
        x, target = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        loss_of = nn.functional.cross_entropy
    else:
        cell = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[name]

        class Last(nn.Module):
            def __init__(self):
                super().__init__()
                self.recurrent = cell(SEQ["input_size"], SEQ["hidden"], batch_first=True)
                self.head = nn.Linear(SEQ["hidden"], 1)

            def forward(self, x):
                hs, _ = self.recurrent(x)
                return self.head(hs[:, -1])

        model = Last()
        x = torch.randn(SEQ["batch"], SEQ["length"], SEQ["input_size"])
        target = torch.randn(SEQ["batch"], 1)
        loss_of = nn.functional.mse_loss
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        loss_of(model(x), target).backward()
        optimizer.step()

    return step


def cnn_breakdown(repeat: int) -> None:
    """Where a LeNet step's time goes besides its matmuls: the im2col/col2im copies and pooling."""
    from gradtutor.ops import nn as fused

    rng = np.random.default_rng(0)

    def batch_last(shape):  # (N, C, H, W) in the memory order a convolution writes: (C, H, W, N)
        n, c, h, w = shape
        return rng.standard_normal((c, h, w, n), dtype=np.float32).transpose(3, 0, 1, 2)

    x1 = rng.standard_normal((64, 1, 28, 28), dtype=np.float32)
    x2 = batch_last((64, 6, 14, 14))
    conv1, conv2, pool = fused.Window((5, 5), 1, 2), fused.Window((5, 5), 1, 0), fused.Window((2, 2), 2, 0)
    dcols2 = rng.standard_normal((6, 5, 5, 10, 10, 64), dtype=np.float32)  # (C, KH, KW, OH, OW, N)
    relu1 = batch_last((64, 6, 28, 28))
    pooled, _ = fused._max_pool_forward(np, pool, relu1)
    parts = {
        "im2col conv1": lambda: fused.im2col(np, x1, conv1),
        "im2col conv2": lambda: fused.im2col(np, x2, conv2),
        "col2im conv2": lambda: fused.col2im(np, dcols2, x2.shape, conv2),
        "max-pool 1 forward": lambda: fused._max_pool_forward(np, pool, relu1),
        "max-pool 1 backward": lambda: fused._max_pool_vjp(np, pool, pooled, pooled, None, (True,), relu1),
    }
    times = timed(*parts.values(), repeat=repeat, pause=0.0)  # numpy only: no other library's threads
    print("cnn data movement: " + ", ".join(f"{name} {t * 1e3:.2f} ms" for name, t in zip(parts, times))
          + f"; total {sum(times) * 1e3:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="mlp,cnn,rnn,lstm,gru")
    parser.add_argument("--threads", default="2", help="BLAS/OpenMP threads on both sides (default 2)")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    try:
        import torch

        torch.set_num_threads(int(THREADS))
    except ImportError:
        torch = None
    rate = gemm_rate(args.repeat)
    print(f"float32 GEMM rate (512³, {THREADS} threads, median): {rate / 1e9:.1f} GFLOP/s")
    print(f"torch: {torch.__version__ if torch else 'not installed, column skipped'}")
    if torch:
        ours, theirs = timed(mlp_matmuls("numpy"), mlp_matmuls(torch), repeat=args.repeat * 3)
        print(f"the MLP step's 8 matmuls alone: numpy {ours * 1e3:.2f} ms, PyTorch {theirs * 1e3:.2f} ms "
              f"({ours / theirs:.2f}×: the BLAS floor under the mlp ratio)")
    header = f"{'model':<6}{'gradtutor ms':>14}{'of GEMM rate':>14}"
    if torch:
        header += f"{'PyTorch ms':>12}{'of GEMM rate':>14}{'ratio':>8}{'goal':>7}  met"
    print(header)
    for name in names:
        ideal = matmul_flops(name) / rate  # the step's matmuls at the measured BLAS rate
        if torch:
            ours, theirs = timed(gradtutor_step(name), torch_step(name), repeat=args.repeat)
        else:
            (ours,) = timed(gradtutor_step(name), repeat=args.repeat)
        row = f"{name:<6}{ours * 1e3:>14.2f}{ideal / ours:>14.1%}"
        if torch:
            ratio = ours / theirs
            met = "yes" if ratio <= GOALS[name] else "no"
            row += f"{theirs * 1e3:>12.2f}{ideal / theirs:>14.1%}{ratio:>7.2f}×{GOALS[name]:>6.1f}×  {met}"
        print(row)
    if "cnn" in names:
        cnn_breakdown(args.repeat)


if __name__ == "__main__":
    main()
