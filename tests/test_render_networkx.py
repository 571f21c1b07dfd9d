"""The recorded graph as a networkx MultiDiGraph, for users who analyse it there."""

import networkx as nx

from gradtutor.engine import Value
from gradtutor.graph import record, to_networkx
from render_golden import traced


def test_a_plus_a_has_two_parallel_edges():
    a = Value(3, "a")
    graph, _ = record(a + a)
    g = to_networkx(graph)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_edges(0, 1) == 2
    assert sorted(d["slot"] for _, _, d in g.edges(data=True)) == [0, 1]


def test_node_attributes_after_a_trace():
    trace = traced("apple")
    g = to_networkx(trace.graph)
    assert nx.is_directed_acyclic_graph(g)
    for node in trace.nodes:
        attrs = g.nodes[node.id]
        assert attrs["name"] == node.name
        assert attrs["op"] == (node.op.name if node.op else None)
        assert attrs["value"] == node.value and attrs["grad"] == node.grad
    price = trace.graph.by_name("price").id
    assert set(nx.ancestors(g, price)) == {n.id for n in trace.nodes} - {price}
