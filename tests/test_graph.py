"""How the recorded graph names its nodes: the user's names, constants by value, and unnamed
gates by their op and their number among that op's unnamed gates, in forward order."""

import re

from gradtutor.engine import Value
from gradtutor.graph import record
from gradtutor.render import json as json_render
from gradtutor.render.dot import to_dot
from gradtutor.render.term import trace_table
from render_golden import console_text, traced


def gate_labels(graph) -> list[str]:
    return [node.label for node in graph.nodes if node.op is not None and not node.name]


def test_unnamed_gates_are_numbered_per_op_in_forward_order():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    graph, _ = record((x * y + x) * (y + 1).exp())
    assert gate_labels(graph) == ["mul1", "add1", "add2", "exp1", "mul2"]


def test_names_the_user_gave_are_kept_and_never_repeated_by_a_gate():
    a, mul1 = Value(1.0, "a"), Value(2.0, "mul1")
    product = a * mul1
    named = product * a
    named.name = "total"
    graph, _ = record(named + 1)
    labels = [node.label for node in graph.nodes]
    assert labels.count("mul1") == 1 and "a" in labels and "total" in labels
    assert gate_labels(graph) == ["mul2", "add1"]


def test_the_neuron_refers_to_its_gates_the_same_way_in_table_caption_and_json():
    trace = traced("neuron")
    labels = gate_labels(trace.graph)
    assert sorted(labels) == ["add1", "add2", "exp1", "mul1", "mul2", "neg1"]
    table = console_text(trace_table(trace))
    shown = set(re.findall(r"\b(?:add|mul|exp|neg|div)\d+\b", table))
    assert shown == set(labels)  # no topological ids such as exp12 or add13
    exp_gate = next(node for node in trace.nodes if node.label == "exp1")
    step = next(s.index for s in trace.steps if s.node == exp_gate.id)
    # The diagram draws the gate as "exp" and writes no "exp1": its caption calls it what it shows.
    frame = to_dot(trace, step=step)
    assert f"step {step} of 8: exp, " in frame and "exp1" not in frame
    nodes = json_render.to_dict(trace)["nodes"]
    assert [n["label"] for n in nodes] == [node.label for node in trace.nodes]
    assert [n["id"] for n in nodes] == list(range(len(trace.nodes)))  # JSON keeps the ids
