"""Scalar engine throughput: gradtutor's Value against micrograd's design, side by side.

The reference below is micrograd's engine (each op stores a closure that pushes its gradient
back, and backward() sorts the graph with a recursive depth-first search), with the tanh of its
lecture. It is written here only to have a baseline in the same run.

Two workloads:
  chain  a 10,000-op chain alternating multiply and add
  mlp    a 2 → 16 → 16 → 1 tanh MLP over 100 points with a squared-error loss
measured two ways, the engines taking turns:
  gc off   build + backward of one graph with the garbage collector off on both sides (collected
           outside the timed region): the engines' own work. Build and backward are also shown
           apart.
  loop     a training loop that builds, differentiates and frees `--steps` graphs in a row with
           the collector on, as a learner's script runs: closures' reference cycles leave each
           graph to the cycle collector, whose runs this time includes where they fall.
Prints the medians, ops per second and the ratios (goals: gradtutor ≥ 1.5× the reference with
the collector off, ≥ 2× in the loop).

    python benchmarks/scalar_engine.py [--repeat 7] [--steps 5]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time

from gradtutor import Value


class ClosureValue:
    """A minimal closure-based scalar autodiff value (the baseline, not used by gradtutor)."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __sub__(self, other):
        return self + (-other if isinstance(other, ClosureValue) else ClosureValue(-other))

    def __neg__(self):
        return self * -1

    def tanh(self):
        t = math.tanh(self.data)
        out = ClosureValue(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()

    __radd__ = __add__
    __rmul__ = __mul__


def chain(V, n=10_000):
    x = V(0.5)
    y = x
    for i in range(n // 2):
        y = y * 0.9999 + 0.001
    return y, n


def mlp(V, points=100, sizes=(2, 16, 16, 1), seed=0):
    rng = random.Random(seed)
    layers = [
        [([V(rng.uniform(-1, 1)) for _ in range(fan_in)], V(0.0)) for _ in range(fan_out)]
        for fan_in, fan_out in zip(sizes, sizes[1:])
    ]
    data = [((rng.uniform(-2, 2), rng.uniform(-2, 2)), rng.uniform(-1, 1)) for _ in range(points)]
    loss = V(0.0)
    ops = 0
    for x, target in data:
        h = list(x)
        for depth, layer in enumerate(layers):
            out = []
            for weights, bias in layer:
                act = bias
                for w, xi in zip(weights, h):
                    act = act + w * xi
                ops += 2 * len(weights)
                if depth < len(layers) - 1:
                    act = act.tanh()
                    ops += 1
                out.append(act)
            h = out
        diff = h[0] - target
        loss = loss + diff * diff
        ops += 3
    return loss, ops


def gc_off(V, workload):
    """(ops, build seconds, backward seconds) of one graph, the collector off; freed after."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        root, ops = workload(V)
        built = time.perf_counter()
        root.backward()
        done = time.perf_counter()
        del root
    finally:
        gc.enable()
    return ops, built - start, done - built


def training_loop(V, workload, steps: int):
    """(ops, seconds) of `steps` graphs built, differentiated and dropped in a row, collector on."""
    gc.collect()
    ops = 0
    start = time.perf_counter()
    for _ in range(steps):
        root, count = workload(V)
        root.backward()
        del root
        ops += count
    return ops, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5, help="graphs per training loop")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(100_000)  # the reference's recursive sort needs it for the chain
    gc.enable()
    engines = (("reference", ClosureValue), ("gradtutor", Value))
    print(f"{'workload':10} {'engine':12} {'ops':>8} {'build s':>9} {'backward s':>11} {'total s':>9} {'ops/s':>12}")
    for name, workload in (("chain", chain), ("mlp", mlp)):
        parts = {engine: [] for engine, _ in engines}
        loops = {engine: [] for engine, _ in engines}
        for _ in range(args.repeat):  # alternate the engines so machine noise hits both alike
            for engine, V in engines:
                ops, build, backward = gc_off(V, workload)
                parts[engine].append((build, backward))
                loop_ops, seconds = training_loop(V, workload, args.steps)
                loops[engine].append(seconds)
        total, looped = {}, {}
        for engine, _ in engines:
            build = statistics.median(b for b, _ in parts[engine])
            backward = statistics.median(w for _, w in parts[engine])
            total[engine] = statistics.median(b + w for b, w in parts[engine])
            looped[engine] = statistics.median(loops[engine])
            print(f"{name:10} {engine:12} {ops:8d} {build:9.4f} {backward:11.4f} {total[engine]:9.4f} "
                  f"{ops / total[engine]:12,.0f}  gc off")
            print(f"{name:10} {engine:12} {loop_ops:8d} {'':9} {'':11} {looped[engine]:9.4f} "
                  f"{loop_ops / looped[engine]:12,.0f}  loop of {args.steps}, gc on")
        backward_ratio = statistics.median(w for _, w in parts["reference"]) / statistics.median(
            w for _, w in parts["gradtutor"])
        print(f"{name:10} {'ratio':12} gc off: gradtutor has {total['reference'] / total['gradtutor']:.2f}× the "
              f"reference's throughput (goal ≥ 1.5×), backward alone {backward_ratio:.2f}×")
        print(f"{name:10} {'ratio':12} loop, gc on: {looped['reference'] / looped['gradtutor']:.2f}× (goal ≥ 2×)")


if __name__ == "__main__":
    main()
