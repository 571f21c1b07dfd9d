"""A trace's tables as Markdown or LaTeX text, for course notes and slides.

The cells are the terminal table's (term.StepRows, jacobian.py's texts): one row per gate input,
upstream × local = downstream with the numbers; a tensor gate's row has the input's shape, its
Jacobian in words, the downstream gradient and the rule the engine runs. step=0 is the forward
pass; step=k the backward steps up to k, as in the terminal.
"""

from __future__ import annotations

from gradtutor.render.fmt import TABLE_DIGITS, check_step, gate_text, named, operand, shape_text, show, words


def markdown(trace, step: int | None = None, digits: int | None = None, lang: str = "en") -> str:
    """GitHub-flavoured Markdown: a bold title, then a pipe table."""
    title, heads, rows = _cells(trace, step, digits, lang)

    def line(cells):
        return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", "<br>") for cell in cells) + " |"

    lines = [f"**{title}**", "", line(heads), "| " + " | ".join("---" for _ in heads) + " |"]
    lines += [line(row) for row in rows]
    return "\n".join(lines) + "\n"


# The symbols of the common gates as math, so a scalar table compiles with pdflatex too; other
# Unicode (Hangul, σ, Σ, ²) needs XeLaTeX or LuaLaTeX, as the header comment says.
LATEX_SYMBOLS = {"×": r"$\times$", "−": r"$-$", "∂": r"$\partial$", "·": r"$\cdot$", "ᵀ": r"$^{\top}$", "→": r"$\to$"}
LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def latex(trace, step: int | None = None, digits: int | None = None, lang: str = "en") -> str:
    """A booktabs tabular (\\usepackage{booktabs}); line breaks in a cell become \\newline in p columns."""
    title, heads, rows = _cells(trace, step, digits, lang)

    def cell(text: str) -> str:
        escaped = "".join(LATEX_SPECIALS.get(c, LATEX_SYMBOLS.get(c, c)) for c in text)
        return escaped.replace("\n", r" \newline ")

    def line(cells) -> str:
        return " & ".join(cell(c) for c in cells) + r" \\"

    lines = [
        "% gradtutor: needs \\usepackage{booktabs}; text beyond ASCII (Hangul, σ, ²) needs XeLaTeX or LuaLaTeX",
        f"% {cell(title)}",
        r"\begin{tabular}{" + "l" * len(heads) + "}",
        r"\toprule",
        line(heads),
        r"\midrule",
        *(line(row) for row in rows),
        r"\bottomrule",
        r"\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def _cells(trace, step, digits, lang) -> tuple[str, list[str], list[list[str]]]:
    """(title, header cells, rows) of the table at `step`; headers on one line."""
    step = check_step(trace, step)
    if step == 0:
        return _forward(trace, TABLE_DIGITS if digits is None else digits, lang)
    if trace.is_tensor:
        from gradtutor.render.jacobian import DIGITS

        return _tensor(trace, step, DIGITS if digits is None else digits, lang)
    return _scalar(trace, step, TABLE_DIGITS if digits is None else digits, lang)


def _head(lang: str, key: str) -> str:
    return words(lang, key).replace("\n", " ")


def _forward(trace, digits: int, lang: str):
    from gradtutor.render.term import forward_rows

    heads = [_head(lang, "col_node"), _head(lang, "col_computed_as"), _head(lang, "col_value")]
    return words(lang, "forward_title"), heads, [list(row) for row in forward_rows(trace, digits, lang)]


def _scalar(trace, step, digits: int, lang: str):
    from gradtutor.render.term import StepRows

    steps = StepRows(trace, step, digits, lang)
    heads = [_head(lang, key) for key in ("col_step", "col_gate", "col_upstream", "col_input", "col_local_out", "col_downstream")]
    if steps.has_fanout:
        heads.append(_head(lang, "col_sum"))
    rows = []
    for s, (gate, pattern), upstream, inputs in zip(steps.steps, steps.gates, steps.upstreams, steps.inputs):
        for slot, (flow, item) in enumerate(zip(s.flows, inputs)):
            first = slot == 0
            chain = f"{upstream} × {operand(show(flow.local, digits))} = {show(flow.downstream, digits)}"
            row = [str(s.index) if first else "", f"{gate}: {pattern}" if first else "",
                   upstream if first else "", item.name, item.local, chain]
            if steps.has_fanout:
                row.append(getattr(item.running, "plain", item.running))
            rows.append(row)
    return steps.title, heads, rows


def _tensor(trace, step, digits: int, lang: str):
    from gradtutor.render.jacobian import rule_text, structure

    nodes = trace.nodes
    root = trace.graph.root
    title = words(
        lang, "tensor_title", output=root.label, shape=shape_text(root.value.shape),
        upstream_shape=shape_text(trace.upstream.shape),
    )
    heads = [_head(lang, key) for key in ("col_step", "col_gate", "col_input", "col_jacobian", "col_tensor_downstream", "col_rule")]
    rows = []
    last = len(trace.steps) if step is None else step
    for s in trace.steps[:last]:
        gate = nodes[s.node]
        names = ([nodes[flow.node].label for flow in s.flows], gate.label)
        pattern = named(s.op.gate_in(lang), s.op, *names)
        for slot, flow in enumerate(s.flows):
            first = slot == 0
            rows.append([
                str(s.index) if first else "", f"{gate_text(gate)} {gate.label} {shape_text(s.output_shape)}: {pattern}" if first else "",
                f"{names[0][slot]} {shape_text(s.input_shapes[slot])}", structure(s, slot, lang, names),
                show(flow.downstream, digits), rule_text(s, slot, lang, names) or "",
            ])
    return title, heads, rows
