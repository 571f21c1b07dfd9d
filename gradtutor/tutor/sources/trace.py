"""The trace family: a built-in example (`example = "apple"`) or a circuit written in the lesson
(`circuit = "fresh-add"`, from `[circuits.<name>]`), built and traced by the engine.

Quantities: value:N, grad:N, upstream:G, local:G:I, downstream:G:I, shape:value|grad:N,
gate:N, largest|smallest:value|grad:A,B,… (lessons/README.md, "Quantities"). Views: forward,
table, step, diagram, summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from gradtutor.tutor.quantities import Quantity, QuantityError, plain
from gradtutor.render.term import plain_text
from gradtutor.tutor.source_family import SourceFamily

# Which gate pattern each op shows when a learner is asked to name it.
PATTERN_OF_OP = {"add": "distribute", "mul": "swap", "max": "route", "min": "route"}
_NUMERIC = ("value", "grad", "upstream", "local", "downstream")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ASSIGNMENT = re.compile(rf"^\s*(?P<name>{_NAME})\s*=(?!=)(?P<expression>.*)$")


@dataclass(frozen=True, slots=True)
class Circuit:
    name: str
    expression: str
    at: tuple  # ((variable, number), …): a tuple, so sources can key a cache
    upstream: float = 1.0


@dataclass(frozen=True, slots=True)
class Traced:
    """A built-in example or a lesson circuit, traced (exact: in fractions)."""

    family: ClassVar[str] = "trace"
    example: str | None = None
    circuit: Circuit | None = None
    exact: bool = False


class TraceFamily(SourceFamily):
    name = "trace"
    description = "traced example or circuit"
    keys = ("example", "circuit")
    companions = {"exact": "an example or a circuit"}
    table = "circuits"
    views = ("forward", "table", "step", "diagram", "summary")
    default_view = "table"
    quantity_forms = (
        "value:N, grad:N, upstream:N, local:G:I, downstream:G:I, shape:value:N, shape:grad:N, gate:N, "
        "largest:grad:A,B, smallest:grad:A,B"
    )
    backward_steps = True

    # -- reading the manifest -------------------------------------------------------------------
    def parse_table(self, raw, report) -> dict[str, Circuit]:
        if not isinstance(raw, dict):
            report.problem("[circuits] must be a table of circuits")
            return {}
        circuits = {}
        for name, spec in raw.items():
            report.entry(f"circuit {name}")
            if not isinstance(spec, dict):
                report.problem("must be a table with expression and at")
                continue
            for key in set(spec) - {"expression", "at", "upstream"}:
                report.problem(f"unknown key {key!r}")
            expression = spec.get("expression")
            if not isinstance(expression, str) or not expression.strip():
                report.problem("needs an expression")
                continue
            at = {}
            for variable, value in (spec.get("at") or {}).items():
                number = report.number(value, f"at.{variable}")
                if number is not None:
                    at[variable] = number
            upstream = report.number(spec.get("upstream", 1), "upstream")
            circuits[name] = Circuit(name, expression, tuple(at.items()), 1.0 if upstream is None else upstream)
        return circuits

    def parse(self, raw, entries, report) -> Traced | None:
        exact = raw.get("exact", False)
        if not isinstance(exact, bool):
            report.problem(f"exact must be true or false, got {exact!r}")
            exact = False
        example, circuit = raw.get("example"), raw.get("circuit")
        if example is not None:
            from gradtutor import examples

            if example not in examples.EXAMPLES:
                report.problem(f"unknown example {example!r}; built-in examples are: {', '.join(examples.EXAMPLES)}")
                return None
            return Traced(example=example, exact=exact)
        if circuit not in entries:
            known = ", ".join(entries) or "none defined"
            report.problem(f"unknown circuit {circuit!r} (circuits: {known})")
            return None
        return Traced(circuit=entries[circuit], exact=exact)

    def check_show(self, step, report) -> None:
        if step.view == "step" and step.backward_step is None:
            report.problem('view = "step" needs backward_step = k')

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if kind in ("value", "grad", "upstream", "gate") and len(parts) == 1 and re.fullmatch(_NAME, parts[0]):
            return Quantity(kind, text, node=parts[0], family=self.name, number=kind != "gate")
        if kind in ("local", "downstream") and len(parts) == 2 and all(re.fullmatch(_NAME, p) for p in parts):
            return Quantity(kind, text, node=parts[0], input=parts[1], family=self.name, number=True)
        if kind == "shape" and len(parts) == 2 and parts[0] in ("value", "grad") and re.fullmatch(_NAME, parts[1]):
            return Quantity(kind, text, node=parts[1], of=parts[0], family=self.name)
        if kind in ("largest", "smallest") and len(parts) == 2 and parts[0] in ("value", "grad"):
            names = tuple(name.strip() for name in parts[1].split(","))
            if len(names) >= 2 and all(re.fullmatch(_NAME, name) for name in names):
                return Quantity(kind, text, of=parts[0], nodes=names, family=self.name)
        return None

    # -- answering --------------------------------------------------------------------------------
    def solve(self, source: Traced):
        from gradtutor.tracer import trace

        if source.example is not None:
            from gradtutor import examples

            root, upstream = examples.get(source.example).build()
        else:
            root, upstream = build_circuit(source.circuit), source.circuit.upstream
        return trace(root, upstream, exact=source.exact)

    def quantity(self, q, trace):
        kind = q.kind
        if kind == "value":
            return plain(_node(trace, q.node).value)
        if kind == "grad":
            return plain(_node(trace, q.node).grad)
        if kind == "upstream":
            return plain(_step_of(trace, _node(trace, q.node)).upstream)
        if kind in ("local", "downstream"):
            _, flow = _flow(trace, q.node, q.input)
            return plain(flow.local if kind == "local" else flow.downstream)
        if kind == "shape":
            node = _node(trace, q.node)
            return tuple(getattr(node.value if q.of == "value" else node.grad, "shape", ()))
        if kind == "gate":
            return pattern(trace, _node(trace, q.node))
        if kind in ("largest", "smallest"):
            scored = [(float(self.quantity(Quantity(q.of, "", node=name), trace)), name) for name in q.nodes]
            best = max(score for score, _ in scored) if kind == "largest" else min(score for score, _ in scored)
            winners = [name for score, name in scored if score == best]
            if len(winners) > 1:
                raise QuantityError(f"{q.text}: {', '.join(winners)} tie, so there is no single answer")
            return winners[0]
        raise QuantityError(f"unknown quantity kind {kind!r}")

    def solution_step(self, q, trace) -> int | None:
        """The backward step that completes the quantity."""
        kind = q.kind
        if kind in ("upstream", "local", "downstream"):
            return _step_of(trace, _node(trace, q.node)).index
        if kind == "gate":
            node = _node(trace, q.node)
            if node.op is not None:
                return _step_of(trace, node).index
            return _last_flow_into(trace, node)
        if kind == "grad" or (kind == "shape" and q.of == "grad"):
            return _last_flow_into(trace, _node(trace, q.node))
        return None

    def known_mistakes(self, q, trace) -> list[tuple[object, str]]:
        """The forward value for a gradient, the local gradient without the upstream factor, the
        upstream without the local factor, one use's share of a fanned-out gradient; for arrays,
        the local part alone and the batch's mean where its sum is due."""
        if q.kind not in _NUMERIC or q.kind == "value":
            return []
        answer = self.quantity(q, trace)
        if isinstance(answer, list):
            return [(value, key) for value, key in _array_mistakes(q, trace) if value != answer]
        mistakes = []
        if q.kind in ("grad", "upstream"):
            node = _node(trace, q.node)
            mistakes.append((plain(node.value), "forward_value"))
            if q.kind == "grad":
                flows = [(s, f) for s in trace.steps for f in s.flows if f.node == node.id]
                if len(flows) == 1:
                    step, flow = flows[0]
                    if step.upstream != 1:
                        mistakes.append((plain(flow.local), "no_upstream"))
                    mistakes.append((plain(step.upstream), "no_local"))
                if len(flows) > 1:
                    mistakes.extend((plain(f.downstream), "one_use_only") for _, f in flows)
        if q.kind == "downstream":
            step, flow = _flow(trace, q.node, q.input)
            mistakes.append((plain(flow.local), "no_upstream"))
            mistakes.append((plain(step.upstream), "no_local"))
        return [(value, key) for value, key in mistakes if not isinstance(value, list) and value != answer]

    # -- checking ---------------------------------------------------------------------------------
    def check_table(self, entries, steps) -> list[str]:
        problems = []
        for circuit in entries.values():  # also the ones no step uses (yet)
            try:
                build_circuit(circuit)
            except Exception as exc:
                problems.append(f"circuit {circuit.name}: {exc}")
        return problems

    def check_view(self, step, trace, languages) -> list[str]:
        """Every show step's diagram must render to DOT as well (teachers export any of them),
        and a diagram step's must also lay out."""
        from gradtutor.render import dot

        if step.view == "step" and step.backward_step > len(trace.steps):
            return [f"backward_step {step.backward_step} is out of range: the trace has {len(trace.steps)} steps"]
        problems = []
        for lang in languages:
            plain_text(self.view(step, trace, lang))
            text = dot.to_dot(trace, step=step.backward_step if step.view == "step" else None, lang=lang)
            if step.view == "diagram":
                problems += [f"{lang}: {problem}" for problem in check_layout(text)]
        return problems

    def check_solution(self, step, key, languages) -> list[str]:
        if step.solution_step is not None and step.solution_step > len(key.trace.steps):
            return [f"solution_step {step.solution_step} is out of range: the trace has {len(key.trace.steps)} steps"]
        from gradtutor.render import term

        for lang in languages:
            plain_text(term.trace_table(key.trace, step=key.step, lang=lang))
        return []

    # -- showing ----------------------------------------------------------------------------------
    def view(self, step, trace, lang):
        """Diagram steps show the table in a terminal (`show` adds the export command)."""
        from gradtutor.render import term

        if step.view == "forward":
            return term.forward_table(trace, lang=lang)
        if step.view == "summary":
            return term.summary(trace, lang=lang)
        return term.trace_table(trace, step=step.backward_step if step.view == "step" else None, lang=lang)

    def show(self, step, trace, lang) -> list:
        shown = [self.view(step, trace, lang)]
        if step.view == "diagram" and step.source.example:
            from rich.markdown import Markdown

            from gradtutor.tutor.text import ui

            # The command draws the diagram in the lesson's language, whatever the locale says.
            language = "" if lang == "en" else f" --lang {lang}"
            command = f"gradtutor export {step.source.example} --format svg{language}"
            shown.append(Markdown(ui(lang, "diagram", command=command)))
        return shown

    def solution(self, step, key, lang) -> list:
        from rich.text import Text

        from gradtutor.render import term
        from gradtutor.tutor.text import ui

        if key.step is not None:
            return [Text(ui(lang, "solution_step")), term.trace_table(key.trace, step=key.step, lang=lang)]
        if step.quantity.kind in ("largest", "smallest"):
            return [term.summary(key.trace, lang=lang)]  # every input's gradient side by side
        if step.quantity.kind in ("value", "shape"):
            return [term.forward_table(key.trace, lang=lang)]
        return []


TRACE = TraceFamily()


def build_circuit(circuit: Circuit):
    """Build a lesson circuit: lines `name = expression`, each using the names above it; the
    last line is the output. A single bare expression is a circuit too."""
    from gradtutor import expr
    from gradtutor.engine import Value

    lines = [line for line in circuit.expression.splitlines() if line.strip()]
    at = dict(circuit.at)
    nodes: dict[str, Value] = {}
    used = set()
    output = None
    for number, line in enumerate(lines, 1):
        match = _ASSIGNMENT.match(line)
        if match is None and number < len(lines):
            raise QuantityError(f"circuit {circuit.name}: line {number} needs a name: `name = expression`")
        text = match["expression"] if match else line
        parsed = expr.parse(text)
        for variable in parsed.variables:
            if variable not in nodes:
                if variable not in at:
                    raise QuantityError(
                        f"circuit {circuit.name}: line {number} uses {variable}, which has no value in `at` and no line above"
                    )
                # One leaf per input variable across all lines: a variable used on two lines
                # is one node that fans out.
                nodes[variable] = Value(float(at[variable]), variable)
            used.add(variable)
        output = parsed.build({variable: nodes[variable] for variable in parsed.variables})
        if match:
            if output.is_leaf:
                raise QuantityError(f"circuit {circuit.name}: line {number} computes nothing (it only renames a value)")
            output.name = match["name"]
            nodes[match["name"]] = output
    unused = sorted(set(at) - used)
    if unused:
        raise QuantityError(f"circuit {circuit.name}: `at` gives {', '.join(unused)}, which no line uses")
    return output


def check_layout(text: str) -> list[str]:
    """Draw the diagram as `gradtutor export` would: what Graphviz refuses or remarks on (a label
    too big for its cell, say) is a problem of the lesson. The font library's chatter is not."""
    import warnings

    from gradtutor.render.export import ExportError, render

    try:
        with warnings.catch_warnings(record=True) as remarks:
            warnings.simplefilter("always")
            render(text, "svg")
    except ImportError:  # drawing needs Graphviz; the DOT text itself was produced above
        return []
    except ExportError as exc:  # its message already says the diagram could not be drawn, and why
        return [str(exc)]
    return [str(remark.message) for remark in remarks]


# -- reading a trace ----------------------------------------------------------------------------
def _node(trace, name: str):
    for node in trace.nodes:
        if node.name == name:
            return node
    for node in trace.nodes:  # an unnamed gate, by its label (mul3)
        if node.label == name:
            return node
    names = ", ".join(trace.graph.names())
    raise QuantityError(f"no node named {name!r} (names: {names})")


def _step_of(trace, gate):
    for step in trace.steps:
        if step.node == gate.id:
            return step
    raise QuantityError(f"{gate.label} is not computed by a gate")


def _flow(trace, gate_name: str, input_name: str):
    gate, source = _node(trace, gate_name), _node(trace, input_name)
    step = _step_of(trace, gate)
    for flow in step.flows:  # the first slot when an input appears twice (a * a)
        if flow.node == source.id:
            return step, flow
    raise QuantityError(f"{input_name} is not an input of {gate_name}")


def _array_mistakes(q, trace) -> list[tuple[list, str]]:
    """An array gradient's slips, computed from the gate that sends it: the local Jacobian
    applied to an upstream of ones (the upstream forgotten), and, where the gate broadcast the
    node over a batch, the mean over the batch instead of its sum."""
    from gradtutor.backend import to_host

    if q.kind == "grad":
        node = _node(trace, q.node)
        flows = [(s, f) for s in trace.steps for f in s.flows if f.node == node.id]
        if len(flows) != 1:
            return []
        step, flow = flows[0]
    elif q.kind == "downstream":
        step, flow = _flow(trace, q.node, q.input)
    else:
        return []
    upstream = to_host(step.upstream).astype(float)
    downstream = to_host(flow.downstream).astype(float)
    mistakes = []
    if (upstream != 1).any():
        # A row of ones times the Jacobian: each input's local gradients, summed, no upstream.
        alone = to_host(flow.local).astype(float).reshape(upstream.size, -1).sum(axis=0)
        mistakes.append((plain(alone.reshape(downstream.shape)), "no_upstream"))
    if upstream.ndim > downstream.ndim and upstream.size > downstream.size:
        mistakes.append((plain(downstream * (downstream.size / upstream.size)), "batch_mean"))
    return mistakes


def _last_flow_into(trace, node) -> int | None:
    last = None
    for step in trace.steps:
        if any(flow.node == node.id for flow in step.flows):
            last = step.index
    return last


def pattern(trace, node) -> str:
    if node.op is not None:
        name = PATTERN_OF_OP.get(node.op.name)
        if name is None:
            raise QuantityError(f"{node.label} is a {node.op.name} gate, which has no pattern name (add, mul, max and min do)")
        return name
    if node.uses > 1:
        return "copy"
    raise QuantityError(f"{node.label} is an input used once: it has no pattern (a gate, or an input used twice, does)")
