"""Terminal views of a tensor trace: each gate's shapes, Jacobians and efficient rules.

A tensor gate's row cannot read "upstream × local = downstream" with numbers: the local gradient
is a Jacobian matrix. So each row shows the input with its shape, the local Jacobian (the full
matrix when it is small, its structure in words otherwise), the downstream gradient computed as
upstream · J, and the rule the engine actually runs (dL/dX = dL/dY · Wᵀ …) with a mark saying
whether the two agree. Every value cell carries its shape.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from gradtutor.render.fmt import MATRIX_LIMIT, block, check_step, gate_text, shape_text, shaped, words

DIGITS = 4  # significant digits in matrices: four keep a 3×3 softmax Jacobian inside a table

GRADIENT = "red"
CURRENT = "bold reverse"
MARK = "▶"


def _table(title: str) -> Table:
    from rich import box

    # Text, not a markup string: formulas such as "[x1, x2, …]" must not read as rich tags.
    return Table(
        title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True
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


def structure(step, slot: int, lang: str = "en") -> str:
    """The Jacobian of one input in words, from the op record, noting a broadcast input."""
    op = step.op
    described = op.jacobian_in(slot, lang) or op.local_in(0, lang)
    if broadcast_axes(step, slot):
        described += words(lang, "broadcast_sum", shape=shape_text(step.input_shapes[slot]))
    return described


def rule_text(step, slot: int, lang: str = "en") -> str | None:
    """The rule the engine runs for one input; for a broadcast input, with the sum over the
    broadcast axes that brings the gradient back to the input's shape (broadcasting's sum_to)."""
    rule = step.op.backward_in(slot, lang) or None
    axes = broadcast_axes(step, slot)
    if rule is None or not axes:
        return rule
    return rule + words(
        lang, "broadcast_rule", axes=", ".join(map(str, axes)), shape=shape_text(step.input_shapes[slot])
    )


def jacobian_cell(step, slot: int, digits: int = DIGITS, limit: int = MATRIX_LIMIT, lang: str = "en") -> Text:
    """The Jacobian as a matrix when it has at most `limit` entries; else its structure in
    words (the full matrix of a gate with up to 64 inputs and outputs is in the JSON)."""
    flow = step.flows[slot]
    if flow.jacobian is None:
        return Text(structure(step, slot, lang))
    rows, columns = flow.jacobian.shape
    if flow.jacobian.size > limit:
        return Text(f"{rows}×{columns}: {structure(step, slot, lang)}")
    shape = step.input_shapes[slot]
    if rows == 1 and len(shape) > 0:
        # The output is one number: J is a single row, the gradient, written in x's shape.
        matrix = block(flow.jacobian.reshape(shape), digits, limit)
        return Text(f"{words(lang, 'jacobian_row', columns=columns, shape=shape_text(shape))}\n{matrix}", no_wrap=True)
    # A matrix must not wrap: no_wrap makes the column as wide as the matrix's widest row.
    return Text(f"{rows}×{columns}\n{block(flow.jacobian, digits, limit)}", no_wrap=True)


def downstream_cell(source, flow, digits: int = DIGITS, lang: str = "en") -> Text:
    """The downstream gradient; for an input used by several gates, also its running sum."""
    text = Text(block(flow.downstream, digits), style=GRADIENT)
    if source.uses > 1:
        text.append(f"\n{words(lang, 'running_sum')}\n", style="italic")
        text.append(block(flow.after, digits), style=GRADIENT)
    return text


def rule_cell(step, slot: int, lang: str = "en") -> Text:
    """The engine's efficient rule for one input and whether upstream · J gave the same."""
    op = step.op
    rule = rule_text(step, slot, lang) or ""
    with_shapes = op.backward_shapes_in(step.input_shapes, step.output_shape, lang)
    if with_shapes is not None:
        rule += "\n" + with_shapes[slot]
    flow = step.flows[slot]
    # A narrow column folds a long word rather than cutting it off with "…": every rule is read whole.
    if flow.agrees is None:
        return Text(rule, overflow="fold")
    if flow.agrees:
        mark = Text(words(lang, "agrees"), style="green")
    else:
        mark = Text(words(lang, "differs"), style="bold red")
    return Text.assemble(rule, "\n", mark, overflow="fold")


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


def _gate_title(gate, op, lang: str) -> str:
    """'· HW2 = Y = X · W   (matmul …)': the gate, its output named as the formula names it; the
    name is not repeated when the formula already starts with it (L = −(1/N) Σ …, not L = L = …)."""
    formula = op.formula_in(lang)
    named = formula if formula.startswith(f"{gate.label} = ") else f"{gate.label} = {formula}"
    return f"{gate_text(gate)} {named}   ({op.gate_in(lang)})"


def _gate_header(step, nodes, digits: int, lang: str) -> str:
    """The three lines over a tensor gate's table: its title, the shapes in and out, the upstream."""
    gate = nodes[step.node]
    inputs = ", ".join(
        f"{nodes[f.node].label} {shape_text(shape)}" for f, shape in zip(step.flows, step.input_shapes)
    )
    return (
        f"{_gate_title(gate, step.op, lang)}\n"
        f"{inputs} → {gate.label} {shape_text(step.output_shape)}\n"
        + words(lang, "tensor_upstream", output=gate.label, value=_with_shape(step.upstream, digits))
    )


def _input_cell(step, slot: int, nodes, names) -> Text:
    """An input's row head: its name, the letter the formulas call it by, its shape."""
    return Text(f"{nodes[step.flows[slot].node].label} ({names[slot]})\n{shape_text(step.input_shapes[slot])}")


def step_table(trace, s, current: bool = False, digits: int = DIGITS, lang: str = "en") -> Table:
    """One tensor gate: a header with shapes and the upstream, then a row per input."""
    nodes = trace.nodes
    names = s.op.input_names(len(s.flows))
    marker = f"{MARK} " if current else ""
    table = _table(f"{marker}{words(lang, 'tensor_step', index=s.index)}{_gate_header(s, nodes, digits, lang)}")
    table.add_column(words(lang, "col_input"), no_wrap=True)
    table.add_column(words(lang, "col_jacobian"))
    table.add_column(words(lang, "col_tensor_downstream"), no_wrap=True, style=GRADIENT)
    table.add_column(words(lang, "col_rule"), min_width=18, max_width=24)
    for slot, flow in enumerate(s.flows):
        table.add_row(
            _input_cell(s, slot, nodes, names),
            jacobian_cell(s, slot, digits, lang=lang),
            downstream_cell(nodes[flow.node], flow, digits, lang),
            rule_cell(s, slot, lang),
            style=CURRENT if current else None,
            end_section=True,
        )
    return table


def jacobian_view(step, nodes, digits: int = DIGITS, lang: str = "en") -> Table:
    """One gate on its own: each input's Jacobian, upstream · J and the rule the engine runs."""
    table = _table(_gate_header(step, nodes, digits, lang))
    table.add_column(words(lang, "col_input"), no_wrap=True)
    table.add_column(words(lang, "col_jacobian"))
    table.add_column(words(lang, "col_via_jacobian"), no_wrap=True, style=GRADIENT)
    table.add_column(words(lang, "col_rule"), min_width=20, max_width=26)
    names = step.op.input_names(len(step.flows))
    for slot, flow in enumerate(step.flows):
        table.add_row(
            _input_cell(step, slot, nodes, names),
            jacobian_cell(step, slot, digits, limit=64 * 64, lang=lang),  # asked for one gate: every entry
            Text(block(flow.via_jacobian if flow.via_jacobian is not None else flow.downstream, digits)),
            rule_cell(step, slot, lang),
            end_section=True,
        )
    table.caption = Text(words(lang, "order_note"))
    table.caption_justify = "left"
    return table
