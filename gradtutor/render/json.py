"""A trace as JSON-ready data, in the versioned schema documented in SCHEMA.md.

Values are stored exactly (`numbers.exact`): the float 220.00000000000003 stays that float, a
Fraction from exact mode becomes the text "11/5". Tables and diagrams round for people; JSON is
for programs and must not. The data is the same in every language; texts in words (the gate
patterns) carry every language side by side.
"""

from __future__ import annotations

import json
import math

from gradtutor.lang import LANGUAGES
from gradtutor.numbers import exact
from gradtutor.render.fmt import local_formula
from gradtutor.render.jacobian import rule_text

SCHEMA = "gradtutor.trace/1"  # additive changes keep /1; anything else bumps the number


def value(x):
    """One stored value. Non-finite floats become the strings "inf", "-inf", "nan", which
    strict JSON can carry; arrays become nested lists of such values (row-major); everything
    else goes through numbers.exact."""
    if x is None:
        return None
    if getattr(x, "shape", ()):  # an array with at least one axis
        return _nested(x.tolist())
    stored = exact(x)
    if isinstance(stored, float) and not math.isfinite(stored):
        return "nan" if math.isnan(stored) else ("inf" if stored > 0 else "-inf")
    return stored


def _nested(items):
    return [_nested(item) for item in items] if isinstance(items, list) else value(items)


def shape(x) -> list[int]:
    return [int(n) for n in getattr(x, "shape", ())]


def parameter(p):
    """An op's parameter: a number as a value, a tuple (axes, a shape) as a list, a flag as a
    bool, anything else (an index expression) as its text."""
    if p is None or isinstance(p, bool):
        return p
    if isinstance(p, (tuple, list)):
        return [parameter(item) for item in p]
    try:
        return value(p)
    except (TypeError, ValueError):
        return str(p)


def to_dict(trace) -> dict:
    nodes = trace.nodes
    data = {
        "schema": SCHEMA,
        "exact": trace.exact,
        "upstream": value(trace.upstream),
        "output": trace.graph.root.id,
        "nodes": [
            {
                "id": node.id,
                "name": node.name,
                "label": node.label,
                "op": node.op.name if node.op else None,
                "value": value(node.value),
                "grad": value(node.grad),
                "parents": list(node.parents),
                "param": parameter(node.param),
                "uses": node.uses,
            }
            for node in nodes
        ],
        "steps": [
            {
                "index": step.index,
                "node": step.node,
                "op": step.op.name,
                "symbol": step.op.symbol,
                "formula": step.op.formula,
                "formula_text": {lang: step.op.formula_in(lang) for lang in LANGUAGES},
                "gate": step.op.gate,
                "gate_text": {lang: step.op.gate_in(lang) for lang in LANGUAGES},
                "explain_text": {lang: step.op.explain_in(lang) for lang in LANGUAGES},
                "upstream": value(step.upstream),
                "inputs": [
                    {
                        "node": flow.node,
                        "local_formula": local_formula(step.op, slot),
                        "local_formula_text": {lang: local_formula(step.op, slot, lang) for lang in LANGUAGES},
                        "local": value(flow.local),
                        "downstream": value(flow.downstream),
                        "before": value(flow.before),
                        "after": value(flow.after),
                    }
                    for slot, flow in enumerate(step.flows)
                ],
            }
            for step in trace.steps
        ],
    }
    if trace.is_tensor:
        _add_tensor_fields(trace, data)
    if trace.checks is not None:
        data["checks"] = [
            {
                "node": check.node,
                "autodiff": value(check.autodiff),
                "numeric": value(check.numeric),
                "ok": check.ok,
            }
            for check in trace.checks
        ]
    return data


def _add_tensor_fields(trace, data: dict) -> None:
    """Shapes, Jacobians and the engine's rules, for traces of tensor graphs (see SCHEMA.md)."""
    data["tensor"] = True
    data["jacobian_order"] = "row-major"
    for node, entry in zip(trace.nodes, data["nodes"]):
        entry["shape"] = shape(node.value)
    for step, entry in zip(trace.steps, data["steps"]):
        entry["output_shape"] = list(step.output_shape)
        entry["input_shapes"] = [list(s) for s in step.input_shapes]
        op = step.op
        for slot, (flow, item) in enumerate(zip(step.flows, entry["inputs"])):
            item["jacobian"] = value(flow.jacobian)
            item["jacobian_structure"] = op.jacobian_in(slot)
            item["jacobian_structure_text"] = {lang: op.jacobian_in(slot, lang) for lang in LANGUAGES}
            item["via_jacobian"] = value(flow.via_jacobian)
            item["agrees"] = flow.agrees
            item["rule"] = rule_text(step, slot)
            item["rule_text"] = {lang: rule_text(step, slot, lang) for lang in LANGUAGES}
            if op.backward_shapes is not None:
                item["rule_shapes"] = op.backward_shapes_in(step.input_shapes, step.output_shape)[slot]
                item["rule_shapes_text"] = {
                    lang: op.backward_shapes_in(step.input_shapes, step.output_shape, lang)[slot] for lang in LANGUAGES
                }


def dumps(trace, indent: int | None = 2) -> str:
    """The trace as strict JSON text (UTF-8 characters kept, no NaN literals)."""
    return json.dumps(to_dict(trace), indent=indent, ensure_ascii=False, allow_nan=False)
