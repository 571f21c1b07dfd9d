"""Scalar engine throughput: gradtutor's Value against a closure-based reference, side by side.

The reference below is the classic teaching design: each op stores a closure that knows how to
push its gradient back, and backward() sorts the graph with a recursive depth-first search. It is
written here only to have a baseline in the same run.

Two workloads, each built, differentiated and released every repetition, garbage collector ON
(the timed region includes freeing the graph, since cyclic garbage costs only at collection):
  chain  a 10,000-op chain alternating multiply and add
  mlp    a 2 → 16 → 16 → 1 tanh MLP over 100 points with a squared-error loss

Prints nodes per second for both engines and the ratio (goal: gradtutor ≥ 2× the reference).

    python benchmarks/scalar_engine.py [--repeat 7]
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


def run_once(V, workload):
    """Build, differentiate and release one graph. Each engine pays for its own clean-up:
    closures leave reference cycles that only the cycle collector frees, so the timed region
    ends with a collection (and starts from a clean heap, so nobody pays for another's garbage)."""
    gc.collect()
    start = time.perf_counter()
    root, ops = workload(V)
    root.backward()
    del root
    gc.collect()
    return ops, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(100_000)  # the reference's recursive sort needs it for the chain
    gc.enable()
    engines = (("reference", ClosureValue), ("gradtutor", Value))
    print(f"{'workload':10} {'engine':12} {'ops':>8} {'median s':>10} {'ops/s':>12}")
    for name, workload in (("chain", chain), ("mlp", mlp)):
        times = {engine: [] for engine, _ in engines}
        for _ in range(args.repeat):  # alternate the engines so machine noise hits both alike
            for engine, V in engines:
                ops, seconds = run_once(V, workload)
                times[engine].append(seconds)
        rate = {}
        for engine, _ in engines:
            seconds = statistics.median(times[engine])
            rate[engine] = ops / seconds
            print(f"{name:10} {engine:12} {ops:8d} {seconds:10.4f} {rate[engine]:12,.0f}")
        ratio = rate["gradtutor"] / rate["reference"]
        print(f"{name:10} {'ratio':12} gradtutor has {ratio:.2f}× the reference's throughput (goal ≥ 2×)")


if __name__ == "__main__":
    main()
