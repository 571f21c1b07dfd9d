"""Large graphs: the renderers' work per gate stays the same as the graph grows.

Work is counted (calls of the helpers every renderer goes through), never timed.
"""

import pytest

from gradtutor import graph, numbers
from gradtutor.engine import Value
from gradtutor.render import fmt
from gradtutor.render.dot import to_dot
from gradtutor.render.json import dumps
from gradtutor.render.term import summary, trace_table
from gradtutor.tracer import trace
from render_golden import console_text


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
    assert labels_100 > 100 and humans_100 > 10  # the counters see the renderer's work (JSON: constants' labels)
    # Four times the gates, about four times the work: a per-step pass over the graph made it 16.
    assert labels_400 <= 4.5 * labels_100, counts
    assert humans_400 <= 4.5 * humans_100, counts


def test_the_slot_letters_are_the_same_with_the_labels_passed_in():
    result = trace(Value(2.0, "x") ** Value(3.0, "y"))  # exp(y · log x): letters u, v
    taken = fmt.labels_of(result.nodes)
    for step in result.steps:
        assert fmt.slot_letters(step, result.nodes, taken) == fmt.slot_letters(step, result.nodes)
    assert ("u", "v") in [fmt.slot_letters(step, result.nodes, taken) for step in result.steps]
