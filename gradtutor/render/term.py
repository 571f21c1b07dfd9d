"""Terminal views of a trace, as rich renderables (the caller prints them).

`trace_table` is the heart of it: one row per gate input, so each row reads as one use of the
chain rule, downstream = upstream × local. Where an input fans out (feeds several gates), the
last column keeps its running sum, which is how "copy adds" becomes visible.
"""

from __future__ import annotations

from gradtutor import ops
from gradtutor.render.fmt import (
    PENDING, TABLE_DIGITS, check_step, gate_text, is_array, local_text, named, operand, shaped, show, words,
)
from gradtutor.render.plain import Either, Line, Pieces, PlainTable, Stack

# rich is imported where a table is drawn through it: `trace_screen` draws the tables that fit
# without it (render/plain.py), which is most of `gradtutor trace`'s start-up (benchmarks/startup.py).

GRADIENT = "red"  # gradients in the terminal, as in the diagrams' second colour
CURRENT = "bold reverse"  # the step a teacher is talking about
MARK = "▶"  # marks the current step in text without colour, too


def _table(title: str | None):
    """The one table style of the terminal views, as a rich Table: a rule under the header, no outer frame."""
    return _plain_table(title).rich_table()


def _plain_table(title: str | None) -> PlainTable:
    """The same style for cells that can be drawn without rich (render/plain.py)."""
    return PlainTable(title, [], collapse_padding=True)


def trace_screen(trace, step: int | None = None, digits: int | None = None, lang: str = "en") -> Either:
    """What `gradtutor trace` shows: the backward pass (the forward pass at step 0), a blank line,
    the summary. Drawn without rich where render/plain.py draws the same (a scalar trace without
    checks, no step highlighted, on a terminal where it fits), else by rich."""
    check_step(trace, step)  # a bad step is a one-line error before anything is drawn
    rounded = {} if digits is None else {"digits": digits}
    if trace.is_tensor or trace.checks is not None:  # Jacobians, or a table of checks: rich's

        def through_rich():
            steps = forward_table(trace, lang=lang, **rounded) if step == 0 else trace_table(trace, step=step, lang=lang, **rounded)
            return _with_summary(steps, summary(trace, step=step, lang=lang, **rounded))

        return Either(None, through_rich)
    # The cells are worked out once, for the plain lines and for rich where they stand aside.
    places = TABLE_DIGITS if digits is None else digits
    rows = None if step == 0 else StepRows(trace, step, places, lang)
    steps = _forward(trace, places, lang) if rows is None else rows.plain_table()
    table, note = _summary(trace, places, step, lang)
    plain = Stack((steps, Line(""), table, *(() if note is None else (Line(note),))))
    # Step 0 is the forward pass: its table, not an empty table of backward steps.
    return Either(plain, lambda: _with_summary(steps.rich_table() if rows is None else _fitted(rows, steps),
                                               _summary_view(table, note)))


def _with_summary(steps, brief):
    from rich.console import Group
    from rich.text import Text

    # The blank line as Text: a str would be highlighted, and compiling rich's highlighter
    # took longer than drawing the tables.
    return Group(steps, Text(""), brief)


def trace_table(trace, step: int | None = None, digits: int | None = None, lang: str = "en"):
    """The backward pass, one row per gate input, with headers and gate patterns in `lang`.

    step=k shows steps 1..k, with step k marked and highlighted: the table grows like a slide
    build as a teacher walks through the pass. step=0 shows no rows (forward pass only).
    With numeric checks in the trace, a second table compares them with autodiff per leaf.
    digits None: 6 significant digits, 4 in a tensor gate's matrices.
    """
    from rich.console import Group

    if trace.is_tensor:  # Jacobians instead of numbers: one table per gate
        from gradtutor.render.jacobian import tensor_trace_table  # here: a scalar trace starts faster without it

        backward = tensor_trace_table(trace, step, lang=lang, **({} if digits is None else {"digits": digits}))
        return backward if trace.checks is None else Group(backward, checks_table(trace, digits or TABLE_DIGITS, lang))
    digits = TABLE_DIGITS if digits is None else digits
    step = check_step(trace, step)
    rows = StepRows(trace, step, digits, lang)
    table = _fitted(rows, rows.plain_table())
    if trace.checks is None:
        return table
    return Group(table, checks_table(trace, digits, lang))


def _fitted(rows, wide: PlainTable):
    """The wide table of `rows` where it fits; a narrow terminal gets the same rows with the chain
    rule in one column, not a cropped table."""
    from gradtutor.render.fit import FitWidth
    from gradtutor.render.quick_table import Quick

    return FitWidth(Quick(wide.rich_table()), lambda: Quick(rows.table(narrow=True)))


class _Input:
    """One gate input's cells, shared by the wide and the narrow layout (a plain class: making a
    dataclass takes longer than drawing `gradtutor trace apple`)."""

    __slots__ = ("name", "local", "chain", "running")

    def __init__(self, name: str, local: str, chain: Pieces, running: Pieces | str):
        self.name = name  # the input's own label: the formulas call it by it too
        self.local = local  # the local gradient, formula and value
        self.chain = chain  # upstream × local = downstream
        self.running = running  # the input's running sum where it fans out, else ""


class StepRows:
    """The scalar backward pass's cells, computed once per table: the texts of every step, written
    with the circuit's own names, and whether any input fans out."""

    def __init__(self, trace, step: int | None, digits: int, lang: str):
        self.trace, self.step, self.lang = trace, step, lang
        nodes = trace.nodes
        root = trace.graph.root
        last = len(trace.steps) if step is None else step
        self.title = words(
            lang, "backward_title", output=root.label, value=show(root.value, digits), upstream=show(trace.upstream, digits)
        ) + (words(lang, "exact_note") if trace.exact else "")
        self.steps = trace.steps[:last]
        self.has_fanout = any(nodes[f.node].uses > 1 for s in self.steps for f in s.flows)
        self.gates: list[tuple[str, str]] = []  # per step: the gate's symbol and name, its pattern
        self.upstreams: list[str] = []
        self.inputs: list[list[_Input]] = []
        for s in self.steps:
            gate = nodes[s.node]
            labels = [nodes[flow.node].label for flow in s.flows]
            upstream = show(s.upstream, digits)
            self.gates.append((f"{gate_text(gate)} {gate.label}", named(s.op.gate_in(lang), s.op, labels, gate.label)))
            self.upstreams.append(upstream)
            inputs = []
            for slot, flow in enumerate(s.flows):
                source = nodes[flow.node]
                down = show(flow.downstream, digits)
                inputs.append(_Input(
                    source.label,
                    local_text(s.op, slot, flow.local, digits, lang, labels, gate.label),
                    Pieces((f"{upstream} × {operand(show(flow.local, digits))} = ", None), (down, GRADIENT)),
                    _running_sum(source, flow, digits) if self.has_fanout else "",
                ))
            self.inputs.append(inputs)

    def table(self, narrow: bool = False):
        """The rows as a rich Table (see `plain_table`)."""
        return self.plain_table(narrow).rich_table()

    def plain_table(self, narrow: bool = False) -> PlainTable:
        """One row per gate input. narrow=True puts the local gradient, up × local = downstream
        and the running sum under each other in one column."""
        lang, has_fanout = self.lang, self.has_fanout
        table = _plain_table(self.title)
        table.columns.append((words(lang, "col_step"), "right", {"no_wrap": True}))
        if narrow:
            table.columns += [
                (words(lang, "col_gate"), "left", {"max_width": 17}),
                (words(lang, "col_input"), "left", {"overflow": "fold"}),
                (words(lang, "col_chain") + (words(lang, "col_chain_sum") if has_fanout else ""), "left"),
            ]
        else:
            table.columns += [
                (words(lang, "col_gate"), "left", {"min_width": 15, "max_width": 17}),
                (words(lang, "col_upstream"), "right", {"style": GRADIENT, "overflow": "fold"}),
                (words(lang, "col_input"), "left", {"overflow": "fold"}),
                (words(lang, "col_local_out"), "left", {"min_width": 12}),
                (words(lang, "col_downstream"), "left", {"min_width": 12}),
            ]
            if has_fanout:
                table.columns.append((words(lang, "col_sum"), "left", {"min_width": 12}))
        sum_prefix = words(lang, "sum_prefix")
        for s, (gate, pattern), upstream, inputs in zip(self.steps, self.gates, self.upstreams, self.inputs):
            current = self.step is not None and s.index == self.step
            # Formulas: "tanh scales by" / "1 − z²", never "1" / "− z²". One cell: the pattern in
            # italic under the gate's name. The pattern in a cell of its own is a Formula of
            # unstyled text, as rich has always drawn it there.
            if len(inputs) == 1 or narrow:
                gate_cells = [Pieces((gate, None), ("\n", None), (pattern, "italic"), formula=True)]
            else:
                gate_cells = [Pieces((gate, None), formula=True), Pieces((pattern, None), formula=True)]
            for slot, cells in enumerate(inputs):
                first = slot == 0
                row = [
                    (f"{MARK} {s.index}" if current else str(s.index)) if first else "",
                    gate_cells[slot] if slot < len(gate_cells) else "",
                ]
                if narrow:
                    lines = [(cells.local, None), ("\n", None), *cells.chain.pieces]
                    if cells.running:
                        lines += [("\n", None), (sum_prefix, None), *cells.running.pieces]
                    row += [cells.name, Pieces(*lines, formula=True)]
                else:
                    row += [upstream if first else "", cells.name, Pieces((cells.local, None), formula=True),
                            Pieces(*cells.chain.pieces, formula=True)]
                    if has_fanout:
                        row.append(cells.running)
                table.add_row(*row, style=CURRENT if current else None, end_section=slot == len(inputs) - 1)
        if has_fanout:
            table.caption = words(lang, "sum_caption", explain=ops.FANOUT.explain_in(lang))
        return table


def _running_sum(source, flow, digits: int) -> Pieces | str:
    if source.uses <= 1:
        return ""
    return Pieces(
        (f"{show(flow.before, digits)} + {operand(show(flow.downstream, digits))} = ", None),
        (show(flow.after, digits), GRADIENT),
    )


def checks_table(trace, digits: int = TABLE_DIGITS, lang: str = "en"):
    """Autodiff gradient against the central-difference estimate, per leaf, with ✓ or ✗."""
    from rich.text import Text

    table = _table(words(lang, "checks_title"))
    table.add_column(words(lang, "col_leaf"))
    table.add_column(words(lang, "col_autodiff"), justify="right", style=GRADIENT)
    table.add_column(words(lang, "col_numeric"), justify="right")
    table.add_column("", justify="center")
    for check in trace.checks:
        if trace.nodes[check.node].is_constant:  # a number in the formula, not an input to learn
            continue
        table.add_row(
            trace.nodes[check.node].label,
            shaped(check.autodiff, digits),
            shaped(check.numeric, digits),
            Text("✓", style="green") if check.ok else Text("✗", style="bold red"),
        )
    return table


def forward_table(trace, digits: int = TABLE_DIGITS, lang: str = "en"):
    """The forward pass: every node in topological order with its formula and value."""
    return _forward(trace, digits, lang).rich_table()


def _forward(trace, digits: int, lang: str) -> PlainTable:
    table = _plain_table(words(lang, "forward_title"))
    table.columns += [(words(lang, "col_node"), "left"), (words(lang, "col_computed_as"), "left"),
                      (words(lang, "col_value"), "right")]
    for row in forward_rows(trace, digits, lang):
        table.add_row(*row)
    return table


def examples_table(lang: str = "en"):
    """The built-in examples, one line each: `gradtutor examples`."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from gradtutor.examples import EXAMPLES
    from gradtutor.render.fit import Prose

    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(words(lang, "col_example"), no_wrap=True)
    # Folded, not cut: rich can measure a wrapped line of Hangul one cell too wide (tutor/markdown.py).
    table.add_column(words(lang, "col_example_shows"), overflow="fold")
    for example in EXAMPLES.values():
        table.add_row(example.name, Prose(Text(example.summary_in(lang))))  # text, not markup: "PE[p]" stays
    return table


def forward_rows(trace, digits: int = TABLE_DIGITS, lang: str = "en") -> list[tuple[str, str, str]]:
    """The forward pass's cells: (node, how it is computed, its value), in topological order."""
    nodes = trace.nodes
    rows = []
    for node in nodes:
        if node.op is None:
            how = words(lang, "constant") if node.is_constant else words(lang, "input")
        else:
            args = [nodes[p].label for p in node.parents]
            how = f"{gate_text(node)}({', '.join(args)})"
        rows.append((node.label, how, shaped(node.value, digits)))
    return rows


def summary(trace, digits: int = TABLE_DIGITS, step: int | None = None, lang: str = "en"):
    """The result in brief: the output's value, then each named leaf's value and gradient.

    step=k is the summary after backward step k: a gradient still waiting for a later step
    shows "?", as in the diagram's frame k, so a step view does not give the answers away.
    """
    return _summary_view(*_summary(trace, digits, step, lang))


def _summary_view(table: PlainTable, note: str | None):
    from gradtutor.render.quick_table import Quick

    if note is None:
        return Quick(table.rich_table())
    from rich.console import Group
    from rich.text import Text

    return Group(Quick(table.rich_table()), Text(note))


def _summary(trace, digits: int, step: int | None, lang: str) -> tuple[PlainTable, str | None]:
    """The summary's table, and the sentence under it where the upstream is not 1."""
    step = check_step(trace, step)
    complete_at = {}  # node id -> the step after which its gradient is complete
    for s in trace.steps:
        for flow in s.flows:
            complete_at[flow.node] = s.index
    root = trace.graph.root
    table = _plain_table(f"{root.label} = {show(root.value, digits)}")  # a shape when it is a large array
    # The gradients are upstream × ∂output/∂leaf: with an upstream of exactly 1 that is
    # ∂output/∂leaf; any other upstream (1.3, a vector) seeds the gradient of some L, said below.
    seeded = is_array(trace.upstream) or trace.upstream != 1
    gradient_of = "L" if seeded else root.label
    table.columns += [(words(lang, "col_leaf"), "left"), (words(lang, "col_value"), "right"),
                      (words(lang, "col_gradient", output=gradient_of), "right", {"style": GRADIENT})]
    note = None
    if seeded:  # below the table, not as its caption: a narrow table would squeeze the sentence
        seed = {"output": root.label, "upstream": show(trace.upstream, digits)}
        if is_array(trace.upstream):
            note = words(lang, "seed_note_tensor", **seed)
        else:
            note = words(lang, "seed_note", **seed)
    for node in trace.graph.leaves():
        if node.is_constant:
            continue
        known = step is None or complete_at.get(node.id, 0) <= step
        table.add_row(node.label, shaped(node.value, digits), shaped(node.grad, digits) if known else PENDING)
    return table, note


def plain_text(renderable, width: int = 100) -> str:
    """A renderable drawn as a `width`-column terminal without colour would show it, as text:
    for checks that read what a screen says. Rendered into lines, never printed."""
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None)
    lines = console.render_lines(renderable, console.options, pad=False, new_lines=False)
    return "".join("".join(segment.text for segment in line).rstrip() + "\n" for line in lines)
