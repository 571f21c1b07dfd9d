"""Terminal views of a tensor trace: each gate's shapes, Jacobians and efficient rules.

A tensor gate's row cannot read "upstream × local = downstream" with numbers: the local gradient
is a Jacobian matrix. So each row shows the input with its shape, the local Jacobian (the full
matrix when it is small, its structure in words otherwise), the downstream gradient computed as
upstream · J, and the rule the engine actually runs (dL/dX = dL/dY · Wᵀ …) with a mark saying
whether the two agree. Every value cell carries its shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from gradtutor.render.fit import Block, FitWidth, Formula
from gradtutor.render.fmt import MATRIX_LIMIT, block, check_step, gate_text, named, shape_text, shaped, show, words

DIGITS = 4  # significant digits in matrices: four keep a 3×3 softmax Jacobian inside a table

GRADIENT = "red"
CURRENT = "bold reverse"
MARK = "▶"


def _table(title: str) -> Table:
    from rich import box

    # Text, not a markup string: formulas such as "[x1, x2, …]" must not read as rich tags.
    return Table(
        title=Formula(title), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True
    )


def _with_shape(value, digits: int) -> str:
    """Like fmt.shaped, but a 0-d value keeps its shape too: "() = 1"."""
    text = shaped(value, digits)
    return text if "(" in text.split("\n")[0] else f"{shape_text(getattr(value, 'shape', ()))} = {text}"


def broadcast_axes(step, slot: int) -> tuple[int, ...]:
    """The output axes an elementwise gate broadcast input `slot` along (b (3,) added to a (2, 3)
    batch: axis 0), which its backward sums the upstream over; () for an input of the output's shape."""
    shape, out = tuple(step.input_shapes[slot]), tuple(step.output_shape)
    elementwise = (step.op.jacobian_in(slot) or "").startswith(("diagonal", "identity", "−I"))
    if not elementwise or shape == out:
        return ()
    added = len(out) - len(shape)  # leading axes the input does not have
    return tuple(range(added)) + tuple(
        added + axis for axis, n in enumerate(shape) if n == 1 and out[added + axis] != 1
    )


def structure(step, slot: int, lang: str = "en", names=None) -> str:
    """The Jacobian of one input in words, from the op record, noting a broadcast input. `names`
    (the inputs' labels and the gate's) writes it with the step's own names (fmt.named)."""
    op = step.op
    described = op.jacobian_in(slot, lang) or op.local_in(0, lang)
    if names is not None:
        described = named(described, op, *names)
    if broadcast_axes(step, slot):
        described += words(lang, "broadcast_sum", shape=shape_text(step.input_shapes[slot]))
    return described


def rule_text(step, slot: int, lang: str = "en", names=None) -> str | None:
    """The rule the engine runs for one input; for a broadcast input, with the sum over the
    broadcast axes that brings the gradient back to the input's shape (broadcasting's sum_to).
    JSON keeps the op's own letters; tables pass `names` (see `structure`)."""
    rule = step.op.backward_in(slot, lang) or None
    if rule is not None and names is not None:
        rule = named(rule, step.op, *names)
    axes = broadcast_axes(step, slot)
    if rule is None or not axes:
        return rule
    return rule + words(
        lang, "broadcast_rule", axes=", ".join(map(str, axes)), shape=shape_text(step.input_shapes[slot])
    )


def jacobian_cell(step, slot: int, digits: int = DIGITS, limit: int = MATRIX_LIMIT, lang: str = "en", names=None):
    """The Jacobian as a matrix when it has at most `limit` entries; else its structure in
    words (the full matrix of a gate with up to 64 inputs and outputs is in the JSON). A matrix
    too wide for the space it is given is described in words too, never cut."""
    flow = step.flows[slot]
    if flow.jacobian is None:
        return Formula(structure(step, slot, lang, names))
    rows, columns = flow.jacobian.shape
    described = structure(step, slot, lang, names)
    if flow.jacobian.size > limit:
        return Formula(f"{rows}×{columns}: {described}")
    shape = step.input_shapes[slot]
    if rows == 1 and len(shape) > 0:
        # The output is one number: J is a single row, the gradient, written in x's shape.
        head = words(lang, "jacobian_row", columns=columns, shape=shape_text(shape))
        return Group(Formula(head), Block(block(flow.jacobian.reshape(shape), digits, limit), instead=described))
    return Group(Text(f"{rows}×{columns}"), Block(block(flow.jacobian, digits, limit), instead=described))


def _value_block(value, digits: int) -> Block:
    """A gradient as a matrix, or (where the matrix does not fit) on one line or by its shape."""
    return Block(block(value, digits), style=GRADIENT, instead=show(value, digits))


def downstream_cell(source, flow, digits: int = DIGITS, lang: str = "en"):
    """The downstream gradient; for an input used by several gates, also its running sum."""
    if source.uses <= 1:
        return _value_block(flow.downstream, digits)
    return Group(
        _value_block(flow.downstream, digits),
        Formula(words(lang, "running_sum"), style="italic"),
        _value_block(flow.after, digits),
    )


def rule_cell(step, slot: int, lang: str = "en", names=None) -> Formula:
    """The engine's efficient rule for one input and whether upstream · J gave the same."""
    op = step.op
    rule = rule_text(step, slot, lang, names) or ""
    with_shapes = op.backward_shapes_in(step.input_shapes, step.output_shape, lang)
    if with_shapes is not None:
        rule += "\n" + with_shapes[slot]
    flow = step.flows[slot]
    if flow.agrees is None:
        return Formula(rule)
    if flow.agrees:
        mark = Text(words(lang, "agrees"), style="green")
    else:
        mark = Text(words(lang, "differs"), style="bold red")
    return Formula(Text.assemble(rule, "\n", mark))


def tensor_trace_table(trace, step: int | None = None, digits: int = DIGITS, lang: str = "en"):
    """The backward pass of a tensor graph: one small table per gate, one row per input (see
    the module doc). step=k shows steps 1..k with step k marked, as the scalar table does."""
    step = check_step(trace, step)
    root = trace.graph.root
    last = len(trace.steps) if step is None else step
    title = Text(
        words(
            lang, "tensor_title", output=root.label, shape=shape_text(root.value.shape),
            upstream_shape=shape_text(trace.upstream.shape),
        ),
        style="italic",
    )
    parts = [title]
    for s in trace.steps[:last]:
        parts.append(step_table(trace, s, current=step is not None and s.index == step, digits=digits, lang=lang))
    parts.append(Text(words(lang, "order_note")))
    return Group(*parts)


def _gate_title(gate, op, lang: str, labels) -> str:
    """'· HW2 = Y = X · W   (matmul …)': the gate, its output named as the formula names it; the
    name is not repeated when the formula already starts with it (L = −(1/N) Σ …, not L = L = …)."""
    formula = named(op.formula_in(lang), op, labels, gate.label)
    if not formula.startswith((f"{gate.label} = ", f"{gate.label}ᵢ = ")):  # an output without a letter of its own
        formula = f"{gate.label} = {formula}"
    return f"{gate_text(gate)} {formula}   ({named(op.gate_in(lang), op, labels, gate.label)})"


def gate_header(step, nodes, digits: int, lang: str) -> str:
    """The three lines over a tensor gate's table: its title, the shapes in and out, the upstream."""
    gate = nodes[step.node]
    inputs = ", ".join(
        f"{nodes[f.node].label} {shape_text(shape)}" for f, shape in zip(step.flows, step.input_shapes)
    )
    return (
        f"{_gate_title(gate, step.op, lang, [nodes[f.node].label for f in step.flows])}\n"
        f"{inputs} → {gate.label} {shape_text(step.output_shape)}\n"
        + words(lang, "tensor_upstream", output=gate.label, value=_with_shape(step.upstream, digits))
    )


def _input_cell(step, slot: int, nodes) -> Text:
    """An input's row head: its name (the formulas call it by it too) and its shape."""
    return Text(f"{nodes[step.flows[slot].node].label}\n{shape_text(step.input_shapes[slot])}")


@dataclass(frozen=True, slots=True)
class _Row:
    """One input's cells, shared by the table and the stacked layout."""

    name: Text
    jacobian: object
    downstream: object
    rule: Formula


def _rows(step, nodes, digits: int, lang: str, limit: int, via_jacobian: bool) -> list[_Row]:
    names = ([nodes[flow.node].label for flow in step.flows], nodes[step.node].label)
    rows = []
    for slot, flow in enumerate(step.flows):
        if via_jacobian:  # the one-gate view: upstream · J itself, which the rule is checked against
            downstream = _value_block(flow.via_jacobian if flow.via_jacobian is not None else flow.downstream, digits)
        else:
            downstream = downstream_cell(nodes[flow.node], flow, digits, lang)
        rows.append(_Row(
            _input_cell(step, slot, nodes), jacobian_cell(step, slot, digits, limit, lang, names), downstream,
            rule_cell(step, slot, lang, names),
        ))
    return rows


def _gate_view(title: str, rows: list[_Row], headers: tuple[str, str, str, str], rule_width: tuple[int, int],
               current: bool = False, caption: str | None = None):
    """A gate's rows as a table where the table fits the terminal, else stacked: each input's
    Jacobian, downstream and rule under each other, each as wide as the terminal."""
    style = CURRENT if current else None
    table = _table(title)
    table.add_column(headers[0], no_wrap=True)
    table.add_column(headers[1])
    table.add_column(headers[2], style=GRADIENT)
    table.add_column(headers[3], min_width=rule_width[0], max_width=rule_width[1])
    for row in rows:
        table.add_row(row.name, row.jacobian, row.downstream, row.rule, style=style, end_section=True)
    if caption is not None:
        table.caption = Text(caption)
        table.caption_justify = "left"

    def stacked():
        parts = [Formula(Text(title, style=style or ""))]
        for row in rows:
            parts.append(Text(row.name.plain.replace("\n", " "), style="bold"))
            for header, cell in zip(headers[1:], (row.jacobian, row.downstream, row.rule)):
                parts.append(Padding(Formula(Text(header.replace("\n", ", ") + ":", style="italic")), (0, 0, 0, 2)))
                parts.append(Padding(cell, (0, 0, 0, 4)))
        if caption is not None:
            parts.append(Formula(caption))
        return Group(*parts)

    return FitWidth(table, stacked)


def step_table(trace, s, current: bool = False, digits: int = DIGITS, lang: str = "en"):
    """One tensor gate: a header with shapes and the upstream, then a row per input."""
    nodes = trace.nodes
    marker = f"{MARK} " if current else ""
    title = f"{marker}{words(lang, 'tensor_step', index=s.index)}{gate_header(s, nodes, digits, lang)}"
    headers = (
        words(lang, "col_input"), words(lang, "col_jacobian"), words(lang, "col_tensor_downstream"), words(lang, "col_rule")
    )
    return _gate_view(title, _rows(s, nodes, digits, lang, MATRIX_LIMIT, False), headers, (18, 24), current)


def jacobian_view(step, nodes, digits: int = DIGITS, lang: str = "en"):
    """One gate on its own: each input's Jacobian, upstream · J and the rule the engine runs."""
    headers = (
        words(lang, "col_input"), words(lang, "col_jacobian"), words(lang, "col_via_jacobian"), words(lang, "col_rule")
    )
    rows = _rows(step, nodes, digits, lang, 64 * 64, True)  # asked for one gate: every entry
    return _gate_view(gate_header(step, nodes, digits, lang), rows, headers, (20, 26), caption=words(lang, "order_note"))
