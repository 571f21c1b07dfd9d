"""Training beside a busy neighbour: each model's step quiet and with one core kept busy, and the ratio.

A learner's laptop always runs something else. With another process holding a core, a BLAS that
splits each product over every core waits at each product for its descheduled thread: an LSTM
step went from 12 ms to 0.6–1.2 s on a 2-core machine. For each model (the train_step.py sizes)
this runs one training step
  load-aware  as `gradtutor train` runs it: the BLAS on the cores other processes leave free
              (gradtutor.cpu.LoadAwareThreads, sampled as the steps run)
  all cores   the BLAS's own default, every core, as before
first on the machine as it is ("quiet"), then beside a process spinning on one core ("busy"),
each the median of about `--repeat` calls, the two taking turns. Printed: milliseconds and the
busy ÷ quiet ratio (goal: at most 2× for load-aware). `--train` also times
`gradtutor train MODEL --epochs 1` quiet and busy (a fresh process each, its default recipe
otherwise). On a machine already busy, "quiet" is not quiet: the load average is printed too.

    python benchmarks/busy_machine.py [--repeat 20] [--only mlp,cnn,rnn,lstm,gru] [--train]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import train_step  # this folder's: the same models and sizes, and its timing

from gradtutor.cpu import INTERVAL, LoadAwareThreads, cores

GOAL = 2.0
TRAIN_MODELS = {"mlp": "mlp", "cnn": "cnn", "rnn": "rnn", "lstm": "lstm", "gru": "gru"}


@contextmanager
def neighbour():
    """A process spinning on one core for the duration of the block."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(2 * INTERVAL)  # long enough for a sample to see it
        yield
    finally:
        process.kill()
        process.wait()


def steps(name: str, threads: LoadAwareThreads):
    """(load-aware step, all-cores step): the same model, each with its own threads policy."""
    from threadpoolctl import threadpool_limits

    aware_step, plain_step = train_step.gradtutor_step(name), train_step.gradtutor_step(name)

    def aware():
        threads.apply(threads.refresh())  # as fit does, and back from the other side's setting
        aware_step()

    def all_cores():
        with threadpool_limits(limits=cores(), user_api="blas"):
            plain_step()

    return aware, all_cores


def train_seconds(model: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gradtutor", "train", model, "--epochs", "1"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="mlp,cnn,rnn,lstm,gru")
    parser.add_argument("--train", action="store_true", help="also time `gradtutor train MODEL --epochs 1`")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{cores()} cores, load average {load:.1f} before the run (quiet means: without the neighbour)")
    print(f"{'model':<6}{'aware quiet':>12}{'busy':>9}{'ratio':>8}{'all-cores quiet':>17}{'busy':>9}{'ratio':>8}  goal {GOAL:.0f}×")
    for name in names:
        with LoadAwareThreads() as threads:
            aware, plain = steps(name, threads)
            quiet = train_step.timed(aware, plain, repeat=args.repeat)
            with neighbour():
                busy = train_step.timed(aware, plain, repeat=args.repeat)
        ratios = [b / q for b, q in zip(busy, quiet)]
        met = "met" if ratios[0] <= GOAL else "over"
        print(f"{name:<6}{quiet[0] * 1e3:>12.2f}{busy[0] * 1e3:>9.2f}{ratios[0]:>7.2f}×"
              f"{quiet[1] * 1e3:>17.2f}{busy[1] * 1e3:>9.2f}{ratios[1]:>7.2f}×  {met}")
    if args.train:
        print(f"{'train':<6}{'quiet s':>12}{'busy s':>9}{'ratio':>8}   (gradtutor train MODEL --epochs 1)")
        for name in names:
            quiet = train_seconds(TRAIN_MODELS[name])
            with neighbour():
                busy = train_seconds(TRAIN_MODELS[name])
            print(f"{name:<6}{quiet:>12.2f}{busy:>9.2f}{busy / quiet:>7.2f}×  {'met' if busy / quiet <= GOAL else 'over'}")


if __name__ == "__main__":
    main()
