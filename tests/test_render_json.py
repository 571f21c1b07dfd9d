"""The JSON schema: exact values kept, every documented field present and consistent."""

import json
from fractions import Fraction
from pathlib import Path

from gradtutor.render.json import SCHEMA, dumps, to_dict
from render_golden import traced

SCHEMA_DOC = Path(__file__).resolve().parent.parent / "gradtutor" / "render" / "SCHEMA.md"


def test_apple_json_keeps_the_exact_floats():
    trace = traced("apple")
    data = json.loads(dumps(trace))
    assert data["schema"] == SCHEMA == "gradtutor.trace/1"
    assert data["exact"] is False and data["upstream"] == 1.0
    nodes = {n["name"]: n for n in data["nodes"]}
    assert data["output"] == nodes["price"]["id"] == len(data["nodes"]) - 1
    assert nodes["price"]["value"] == 220.00000000000003 == trace.graph.root.value
    assert nodes["apple_num"]["grad"] == 110.00000000000001 == trace.grad("apple_num")
    assert nodes["apple"]["grad"] == trace.grad("apple")
    assert nodes["tax"]["grad"] == 200
    assert nodes["apple_price"]["op"] == "mul" and nodes["apple"]["op"] is None
    assert nodes["apple_price"]["parents"] == [nodes["apple"]["id"], nodes["apple_num"]["id"]]


def test_nodes_and_steps_carry_every_documented_field():
    data = to_dict(traced("gate-patterns", check=True))
    documented = SCHEMA_DOC.read_text(encoding="utf-8")
    fields = {
        "top": set(data),
        "node": set(data["nodes"][0]),
        "step": set(data["steps"][0]),
        "input": set(data["steps"][0]["inputs"][0]),
        "check": set(data["checks"][0]),
    }
    for group in fields.values():
        for field in group:
            assert f"| `{field}` |" in documented, f"{field} is not documented in SCHEMA.md"
    assert {"id", "name", "label", "op", "value", "grad", "parents", "param", "uses"} <= fields["node"]
    assert {"index", "node", "op", "gate", "upstream", "inputs"} <= fields["step"]
    assert {"node", "local", "downstream", "before", "after"} <= fields["input"]


def test_steps_follow_the_chain_rule_and_fanouts_sum():
    trace = traced("gate-patterns")
    data = to_dict(trace)
    assert [s["index"] for s in data["steps"]] == list(range(1, len(trace.steps) + 1))
    for step, record in zip(trace.steps, data["steps"]):
        assert record["node"] == step.node and record["gate"] == step.op.gate
        for flow in record["inputs"]:
            assert flow["downstream"] == record["upstream"] * flow["local"]
            assert flow["after"] == flow["before"] + flow["downstream"]
    x = trace.graph.by_name("x")
    into_x = [f for s in data["steps"] for f in s["inputs"] if f["node"] == x.id]
    assert len(into_x) == data["nodes"][x.id]["uses"] == 2
    assert into_x[-1]["after"] == data["nodes"][x.id]["grad"] == -3


def test_exact_mode_stores_fractions_as_text():
    data = to_dict(traced("apple", exact=True))
    nodes = {n["name"]: n for n in data["nodes"]}
    assert data["exact"] is True
    assert nodes["tax"]["value"] == "11/10"
    assert nodes["apple"]["grad"] == "11/5"
    assert nodes["price"]["value"] == 220  # a whole Fraction is a JSON integer
    assert Fraction(nodes["apple_price"]["grad"]) == Fraction(11, 10)


def test_checks_appear_only_when_asked_for():
    assert "checks" not in to_dict(traced("apple"))
    checks = to_dict(traced("apple", check=True))["checks"]
    assert len(checks) == 3 and all(c["ok"] for c in checks)


def test_output_is_strict_json_even_for_infinities():
    from gradtutor.engine import Value
    from gradtutor.tracer import trace

    text = dumps(trace(Value(1e308, "a") * Value(10, "b")))
    data = json.loads(text)  # strict: no Infinity literal
    assert data["nodes"][-1]["value"] == "inf"
    assert "Infinity" not in text


def test_parameters_are_stored_as_json_values():
    from gradtutor.engine import Value
    from gradtutor.render.json import parameter
    from gradtutor.tracer import trace

    data = to_dict(trace(Value(3, "x") ** 2))
    assert data["nodes"][-1]["param"] == 2 and data["nodes"][-1]["op"] == "pow"
    assert parameter(((0, 1), False)) == [[0, 1], False]  # axes and keepdims of a reduction
    assert parameter(slice(1, None)) == "slice(1, None, None)"
    assert json.loads(json.dumps(parameter((2.5, None)))) == [2.5, None]
