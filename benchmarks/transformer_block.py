"""One training step of one transformer block, gradtutor against PyTorch CPU, side by side.

The block: pre-norm, x + MultiHeadAttention(LN(x)) with a causal mask, then x + MLP(LN(x)) with
a 4× ReLU MLP; d = 64, 4 heads, batch 32, T = 32, float32, an MSE loss and an SGD update.
PyTorch runs the same block as nn.TransformerEncoderLayer(norm_first=True, dropout=0).
Goal: ≤ 1.5× PyTorch.

Both sides take turns in blocks of calls (train_step.timed's reasoning: the same load on a
shared machine, no spinning threads left over from the other side); the figures are the
medians of all timed calls, with the fastest call beside them. "of GEMM rate" is the step's
matmul FLOPs at the float32 GEMM rate measured in the same run (a 512×512 matmul), divided by
the step's time. Without torch installed the PyTorch columns are skipped.

    python benchmarks/transformer_block.py [--repeat 40] [--threads 2]
"""

from __future__ import annotations

import os
import sys

# Threads must be fixed before numpy or torch load their BLAS, so --threads is read here.
THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv[:-1] else "2"
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from gradtutor.tensor import mse  # noqa: E402
from gradtutor.train import layers, optim  # noqa: E402

GOAL = 1.5
BATCH, LENGTH, DIM, HEADS = 32, 32, 64, 4
BLOCK = 5  # calls of one step in a row before the other side's turn
PAUSE = 0.15  # seconds between turns: longer than OpenBLAS's and OpenMP's idle spin


def timed(*steps, repeat: int) -> list[tuple[float, float]]:
    """(median, fastest) seconds of each step over about `repeat` calls, after warm-up; the
    steps take turns in blocks of BLOCK calls with a pause between turns."""
    for step in steps:
        for _ in range(3):
            step()
    times = [[] for _ in steps]
    for _ in range(max(1, repeat // BLOCK)):
        for index, step in enumerate(steps):
            if len(steps) > 1:
                time.sleep(PAUSE)
            for _ in range(BLOCK):
                start = time.perf_counter()
                step()
                times[index].append(time.perf_counter() - start)
    return [(statistics.median(t), min(t)) for t in times]


def gemm_rate(repeat: int) -> float:
    """float32 FLOP/s of a 512×512×512 matmul with the same BLAS and threads (the median call)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 512), dtype=np.float32)
    b = rng.standard_normal((512, 512), dtype=np.float32)
    return 2 * 512**3 / timed(lambda: a @ b, repeat=repeat)[0][0]


def matmul_flops() -> float:
    """FLOPs of the step's matrix products: forward (Q, K, V and W_O, the MLP's two layers,
    Q·Kᵀ and P·V), and twice that backward (each product's two gradients)."""
    tokens = BATCH * LENGTH
    forward = 2 * tokens * (3 * DIM * DIM + DIM * DIM + 2 * 4 * DIM * DIM) + 2 * 2 * BATCH * LENGTH * LENGTH * DIM
    return 3 * forward


def inputs():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((BATCH, LENGTH, DIM), dtype=np.float32),
            rng.standard_normal((BATCH, LENGTH, DIM), dtype=np.float32))


def gradtutor_step():
    block = layers.TransformerBlock(DIM, HEADS, hidden=4 * DIM, causal=True, rng=0)
    x, target = inputs()
    optimizer = optim.SGD(block.parameters(), lr=0.01)

    def step():
        loss = mse(block(x), target)
        loss.backward()
        optimizer.step()

    return step


def torch_step():
    import torch
    from torch import nn

    torch.manual_seed(0)
    block = nn.TransformerEncoderLayer(DIM, HEADS, dim_feedforward=4 * DIM, dropout=0.0, activation="relu",
                                       batch_first=True, norm_first=True)
    x, target = (torch.from_numpy(a) for a in inputs())
    mask = nn.Transformer.generate_square_subsequent_mask(LENGTH)
    optimizer = torch.optim.SGD(block.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        nn.functional.mse_loss(block(x, src_mask=mask, is_causal=True), target).backward()
        optimizer.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--threads", default="2", help="BLAS/OpenMP threads on both sides (default 2)")
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(int(THREADS))
    except ImportError:
        torch = None
    rate = gemm_rate(args.repeat * 3)
    print(f"float32 GEMM rate (512³, {THREADS} threads): {rate / 1e9:.1f} GFLOP/s")
    print(f"torch: {torch.__version__ if torch else 'not installed, column skipped'}")
    print(f"one step of one block: batch {BATCH}, T {LENGTH}, d {DIM}, {HEADS} heads, float32; "
          f"{matmul_flops() / 1e6:.0f} MFLOP of matmuls")
    ideal = matmul_flops() / rate
    if torch:
        (ours, ours_best), (theirs, theirs_best) = timed(gradtutor_step(), torch_step(), repeat=args.repeat)
    else:
        ((ours, ours_best),) = timed(gradtutor_step(), repeat=args.repeat)
    print(f"{'':<10}{'median ms':>11}{'fastest ms':>12}{'of GEMM rate':>14}")
    print(f"{'gradtutor':<10}{ours * 1e3:>11.2f}{ours_best * 1e3:>12.2f}{ideal / ours:>14.1%}")
    if torch:
        print(f"{'PyTorch':<10}{theirs * 1e3:>11.2f}{theirs_best * 1e3:>12.2f}{ideal / theirs:>14.1%}")
        ratio = ours / theirs
        print(f"ratio (medians) {ratio:.2f}× (fastest calls {ours_best / theirs_best:.2f}×), goal ≤ {GOAL}×: "
              f"{'met' if ratio <= GOAL else 'not met'}")


if __name__ == "__main__":
    main()
