"""Large graphs: the renderers' work per gate stays the same as the graph grows, a diagram too large
to lay out is refused before Graphviz starts, and frames share one layout.

Work is counted (calls of the helpers every renderer goes through), never timed.
"""

import subprocess
import sys

import pygraphviz
import pytest

from gradtutor import graph, numbers
from gradtutor.engine import Value
from gradtutor.render import fmt
from gradtutor.render.dot import to_dot
from gradtutor.render.export import DIAGRAM_LIMIT, DIAGRAM_LIMIT_VARIABLE, ExportError, export, render, render_frames
from gradtutor.render.json import dumps
from gradtutor.render.term import summary, trace_table
from gradtutor.tracer import trace
from render_golden import console_text, traced


def neuron_chain(gates: int) -> Value:
    """A chain of `gates` ops: h ← tanh(h · wᵢ + 0.5), with a named weight and a constant per neuron."""
    h = Value(0.3, "x")
    for i in range(gates):
        if i % 3 == 0:
            h = h * Value(0.9 + 0.001 * (i % 97), f"w{i // 3 + 1}")
        elif i % 3 == 1:
            h = h + 0.5
        else:
            h = h.tanh()
    return h


class Calls:
    """Counts calls of Node.label and numbers.human, wherever the renderers reach them from."""

    def __init__(self, monkeypatch):
        self.label = self.human = 0
        label = graph.Node.label.fget

        def counted_label(node):
            self.label += 1
            return label(node)

        def counted_human(*args, **kwargs):
            self.human += 1
            return numbers.human(*args, **kwargs)

        monkeypatch.setattr(graph.Node, "label", property(counted_label))
        for module in (graph, fmt):  # the modules that call human by its imported name
            monkeypatch.setattr(module, "human", counted_human)


RENDERERS = {
    "table": lambda result: console_text(trace_table(result), width=10_000) + console_text(summary(result)),
    "narrow table": lambda result: console_text(trace_table(result), width=60),
    "json": dumps,
    "dot": to_dot,
}


@pytest.mark.parametrize("renderer", RENDERERS)
def test_the_work_per_gate_does_not_grow_with_the_graph(renderer, monkeypatch):
    results = {gates: trace(neuron_chain(gates)) for gates in (100, 400)}
    calls = Calls(monkeypatch)
    counts = {}
    for gates, result in results.items():
        calls.label = calls.human = 0
        RENDERERS[renderer](result)
        counts[gates] = (calls.label, calls.human)
    (labels_100, humans_100), (labels_400, humans_400) = counts[100], counts[400]
    # The counters see the renderer's work (JSON: constants' labels). A diagram asks for the labels of
    # its 68 inputs only: its captions name a gate by its symbol and the name the drawing shows.
    assert labels_100 > (60 if renderer == "dot" else 100) and humans_100 > 10
    # Four times the gates, about four times the work: a per-step pass over the graph made it 16.
    assert labels_400 <= 4.5 * labels_100, counts
    assert humans_400 <= 4.5 * humans_100, counts


def test_a_diagram_too_large_to_lay_out_is_refused_before_layout(tmp_path, monkeypatch):
    laid_out = []
    monkeypatch.setattr("pygraphviz.AGraph.layout", lambda self, *a, **k: laid_out.append(self))
    crowd = "digraph {" + "; ".join(f"n{i}" for i in range(DIAGRAM_LIMIT + 1)) + "}"
    with pytest.raises(ExportError, match=rf"^the diagram is too large to lay out in reasonable time: it has {DIAGRAM_LIMIT + 1:,} shapes"):
        render(crowd, "svg")
    big = trace(neuron_chain(1_000))
    for frames in (False, True):
        with pytest.raises(ExportError, match=r"write it as DOT text, or trace it as a table or as JSON$"):
            export(big, "svg", tmp_path / "big.svg", frames=frames)
    assert laid_out == [] and not list(tmp_path.iterdir())
    (path,) = export(big, "dot", tmp_path / "big.dot")  # DOT text needs no layout
    assert path.read_text(encoding="utf-8") == to_dot(big)


def test_the_limit_comes_from_the_environment_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv(DIAGRAM_LIMIT_VARIABLE, "10")
    with pytest.raises(ExportError, match=r"it has \d+ shapes .* the limit is 10 "):
        export(traced("apple"), "svg", tmp_path / "apple.svg")
    monkeypatch.setenv(DIAGRAM_LIMIT_VARIABLE, "many")
    with pytest.raises(ExportError, match=f"^{DIAGRAM_LIMIT_VARIABLE} must be a whole number of shapes, got 'many'$"):
        export(traced("apple"), "svg", tmp_path / "apple.svg")
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv(DIAGRAM_LIMIT_VARIABLE, "100")
    (path,) = export(traced("apple"), "svg", tmp_path / "apple.svg")
    assert path.read_bytes().lstrip().startswith(b"<?xml")


@pytest.mark.parametrize("frames", [[], ["--frames"]], ids=["one", "frames"])
def test_the_command_refuses_a_large_diagram_in_one_line(frames, tmp_path):
    many_gates = "x" + "+1" * 1_000
    result = subprocess.run(
        [sys.executable, "-m", "gradtutor", "export", many_gates, "--at", "x=1", "--out", "big.svg", *frames],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: the diagram is too large to lay out in reasonable time: it has 4,003 shapes")
    assert result.stdout == "" and not list(tmp_path.iterdir())  # refused before any layout: nothing written


@pytest.mark.parametrize("name", ["apple-orange", "neuron", "two-layer-net", "l2-penalty", "affine-batch"])
def test_frames_share_one_layout_and_look_as_if_each_were_laid_out(name, monkeypatch):
    result = traced(name)
    texts = [to_dot(result, step=k, theme="dark") for k in range(len(result.steps) + 1)]
    alone = [render(text, "svg") for text in texts]
    layouts = []
    layout = pygraphviz.AGraph.layout

    def counted(self, *args, **kwargs):
        layouts.append(self)
        return layout(self, *args, **kwargs)

    monkeypatch.setattr("pygraphviz.AGraph.layout", counted)
    together = render_frames(iter(texts), "svg")
    assert len(layouts) == 1
    assert together == alone
