"""How `gradtutor trace` grows with the graph: the table, JSON and DOT text of one trace, side by side.

The graph is a chain of neurons, h ← tanh(h · wᵢ + 0.5), three gates each, with a named weight and
a constant per neuron, so the renderers meet every kind of node: named leaves, constants (whose
label is their value) and numbered gates. Sizes count gates (ops), as the trace's steps do.

For each size the same trace is rendered as
  table  what `gradtutor trace` prints to a file or pipe: the steps table and the summary, measured
         for its natural width first, as the CLI does there
  json   render.json.dumps
  dot    render.dot.to_dot (text only: Graphviz's layout is the exporter's business)
each the median of a few runs, the three taking turns so a busy moment hits all alike. Printed:
seconds, microseconds per gate, and the table ÷ JSON ratio (goal: within 3× at 2,000 gates); last,
each renderer's µs/gate at the largest size ÷ at the smallest (near 1× is linear; the old table
grew to 10×). It asserts nothing.

    python benchmarks/trace_scaling.py [--sizes 100,1000,2000] [--large] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from gradtutor.engine import Value
from gradtutor.tracer import trace

SIZES = (100, 1_000, 2_000)
LARGE = 5_000  # --large adds it: the old table took about a minute here


def neuron_chain(gates: int) -> Value:
    """A chain of exactly `gates` ops: mul, add, tanh, mul, add, tanh …"""
    h = Value(0.3, "x")
    for i in range(gates):
        kind = i % 3
        if kind == 0:
            h = h * Value(0.9 + 0.001 * (i % 97), f"w{i // 3 + 1}")
        elif kind == 1:
            h = h + 0.5
        else:
            h = h.tanh()
    h.name = "f"
    return h


def table_text(result) -> str:
    """The trace as the CLI writes it to a pipe: as wide as the table needs, no colour."""
    from rich.console import Console, Group

    from gradtutor.render.term import summary, trace_table

    renderable = Group(trace_table(result), "", summary(result))
    sink = io.StringIO()
    console = Console(file=sink, width=80, color_system=None)
    natural = console.measure(renderable, options=console.options.update_width(10_000)).maximum
    Console(file=sink, width=max(80, natural), color_system=None).print(renderable)
    return sink.getvalue()


def json_text(result) -> str:
    from gradtutor.render.json import dumps

    return dumps(result)


def dot_text(result) -> str:
    from gradtutor.render.dot import to_dot

    return to_dot(result)


RENDERERS = {"table": table_text, "json": json_text, "dot": dot_text}


def timed(renderers, result, repeat: int) -> dict[str, float]:
    """Median seconds of each renderer over `repeat` rounds, the renderers taking turns."""
    samples: dict[str, list[float]] = {name: [] for name in renderers}
    for _ in range(repeat):
        for name, render in renderers.items():
            start = time.perf_counter()
            render(result)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES), help="gate counts, comma-separated")
    parser.add_argument("--large", action="store_true", help=f"add {LARGE:,} gates")
    parser.add_argument("--repeat", type=int, default=3, help="runs per renderer and size (the median is shown)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")] + ([LARGE] if args.large else [])

    print(f"{'gates':>6}  {'trace s':>8}  " + "  ".join(f"{name + ' s':>8}  {'µs/gate':>8}" for name in RENDERERS)
          + "  table÷json")
    timed(RENDERERS, trace(neuron_chain(30)), 1)  # imports and first-call costs, outside the figures
    per_gate: dict[str, list[float]] = {name: [] for name in RENDERERS}
    for gates in sizes:
        start = time.perf_counter()
        result = trace(neuron_chain(gates))
        traced = time.perf_counter() - start
        seconds = timed(RENDERERS, result, args.repeat)
        cells = "  ".join(f"{seconds[name]:8.3f}  {seconds[name] / gates * 1e6:8.0f}" for name in RENDERERS)
        print(f"{gates:6d}  {traced:8.3f}  {cells}  {seconds['table'] / seconds['json']:9.2f}×")
        for name in RENDERERS:
            per_gate[name].append(seconds[name] / gates)
    growth = "  ".join(f"{name} {times[-1] / times[0]:.2f}×" for name, times in per_gate.items())
    print(f"µs/gate at {sizes[-1]:,} ÷ at {sizes[0]:,} gates:  {growth}")
    print("goal: table within 3× of JSON at 2,000 gates")


if __name__ == "__main__":
    main()
