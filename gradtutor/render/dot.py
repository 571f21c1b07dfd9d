"""Graphviz DOT text of a trace, in the textbook style.

Computation flows left to right (or top to bottom). Leaves are plain labels (a name, or the value
of a constant); gates are circles with their symbol, or rounded boxes for a word (ReLU). Every
wire carries its forward value above the line and its gradient below it in a second colour, and
the name (and a tensor's shape) of a gate's value above both; a constant's wire has no gradient.
A wire is drawn as a small table node (value, a rule, the gradient) between two edge pieces,
because Graphviz cannot put one edge label above a line and another below it. A value that feeds
several gates gets a trunk wire up to a branch point and one branch wire per use, so the sum at
the trunk shows "copy adds".

What is drawn (constants folded into gates, shared inputs copied, named values collapsed) is
decided in `drawn.py` under a `DiagramStyle` (style.py). `to_dot(trace, step=k)` is frame k of a
slide build: the gate of step k and its wires are highlighted, gradients not computed yet show a
muted "?". Every text sits in a cell of fixed size, so all frames have the same layout and
overlay exactly.
"""

from __future__ import annotations

import math
from html import escape

from rich.cells import cell_len

from gradtutor.lang import check_language
from gradtutor.render.drawn import DIAGRAM_SYMBOLS, Drawn, Wire, drawn, is_word
from gradtutor.render.fmt import PENDING, TABLE_DIGITS, check_step, gate_text, is_array, shape_text, show, words, written
from gradtutor.render.style import LAYOUTS, DiagramStyle
from gradtutor.render.theme import Theme

FONT = "Helvetica"
# Helvetica has no Hangul. Korean diagrams name fonts that do, in order, as one family list
# (Graphviz hands it to Pango/fontconfig, which take the first one installed); sans-serif last,
# so a system without any of them still gets its default font.
FONTS = {"en": FONT, "ko": "Noto Sans CJK KR, Noto Sans KR, NanumGothic, Malgun Gothic, Apple SD Gothic Neo, sans-serif"}
WIRE_FONT_SIZE = 12
HEADER_FONT_SIZE = 11  # a value's name and shape, in italics above its number
MATRIX_LINES_LIMIT = 16  # matrices up to this many elements are written row by row on their wire
CHAR_WIDTH = 7.5  # points per character at WIRE_FONT_SIZE, generous so no text overflows its cell
# Points per line of a wire label: the Korean font (the Noto Sans CJK KR shipped in render/fonts)
# sets its lines 1.45 em apart, 17.4 points at WIRE_FONT_SIZE, where a Latin sans needs 14.
TEXT_HEIGHTS = {"en": 16, "ko": 18}
RULE = 1.2  # line width of wires, in points
# The rule drawn in a wire's label, in whole points: Graphviz rounds a table's cells to whole points,
# and a rule of 1.2 would end a point away from the wire pieces that meet it.
RULE_CELL = 1


def to_dot(
    trace, step: int | None = None, theme: str = "light", lang: str = "en", style: DiagramStyle | None = None,
    digits: int = TABLE_DIGITS, blanks=None,
) -> str:
    """The trace as DOT text; step=k draws frame k (0 = forward pass only); captions in `lang`;
    `style` the drawing's choices (render/style.py), the textbook's by default; numbers to
    `digits` significant digits. `blanks` (a worksheet.Blanks) draws the numbers it names as
    empty boxes to fill in, in cells of the answers' size, so the answer sheet overlays."""
    step = check_step(trace, step)
    lang = check_language(lang)
    style = style or DiagramStyle()
    font = FONTS[lang]
    colors = style.colors(theme)
    shapes = drawn(trace, style)
    current = trace.steps[step - 1] if step else None
    background = "transparent" if style.transparent else colors.background
    lines = [
        "digraph gradtutor {",
        f'  graph [rankdir={LAYOUTS[style.layout]}, bgcolor="{background}", fontname="{font}", '
        f'nodesep=0.25, ranksep=0.12, pad=0.25, labelloc=b, label={_caption(trace, shapes, step, colors, lang, style, digits, blanks)}];',
        f'  node [fontname="{font}", fontsize=14, fontcolor="{colors.text}", color="{colors.text}"];',
        f'  edge [color="{colors.text}", penwidth={RULE}, arrowsize=0.7];',
    ]
    shown: list[tuple[int, str]] = []  # (node id, statement): written in the graph's order, as dot places them
    for dot_id, node in shapes.leaves:
        shown.append((node.id, f'  {dot_id} [shape=plaintext, label="{_quote(node.label)}{_shape_line(node)}"];'))
    for node in shapes.boxes:
        shown.append((node.id, f'  n{node.id} [shape=box, style="rounded,dashed", label="{_quote(node.label)}{_shape_line(node)}"];'))
    for node in shapes.gates:
        hot = current is not None and current.node == node.id
        shown.append((node.id, _gate_statement(node, shapes, hot, colors, style)))
    lines.extend(line for _, line in sorted(shown, key=lambda item: item[0]))
    for node_id in shapes.branches:
        lines.append(f'  j{node_id} [shape=point, width=0.07, color="{colors.text}"];')
    root = trace.graph.root
    lines.append(f'  out [shape=plaintext, label="{_quote(output_name(root, lang))}{_shape_line(root)}"];')
    for wire in shapes.wires:
        lines.extend(_wire_lines(wire, step, colors, TEXT_HEIGHTS[lang], style.layout, digits, blanks))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _gate_statement(node, shapes: Drawn, hot: bool, colors: Theme, style: DiagramStyle) -> str:
    """A gate: a circle with its symbol, or a rounded box as wide as a word (ReLU, softmax) with
    its text as large as a circle's symbol. The current gate is filled, not drawn thicker: a
    thicker outline would move where edges are clipped and break the identical layout of the frames."""
    if hot:
        fill = f'fillcolor="{colors.highlight}", color="{colors.highlight}", fontcolor="{colors.background}"'
    else:
        fill = f'fillcolor="{"transparent" if style.transparent else colors.background}"'
    symbol = shapes.symbols[node.id]
    if is_word(symbol):
        outline = f'shape=box, style="rounded,filled", fixedsize=true, width={0.11 * cell_len(symbol) + 0.3:.2f}, height=0.45'
    else:
        outline = "shape=circle, fixedsize=true, width=0.55, style=filled"
    return f'  n{node.id} [{outline}, {fill}, label="{_quote(symbol)}"{_input_order(shapes.inputs[node.id], style)}];'


def output_name(root, lang: str) -> str:
    """What the diagram and its captions call the output: its name, else "output" in `lang`."""
    return root.name or words(lang, "output_name")


def _lines(x, digits: int = TABLE_DIGITS) -> list[str]:
    """A wire's text, one line per row of a small matrix (a matrix reads as rows), else one line."""
    if x is None:  # no gradient: a constant's wire
        return [""]
    if is_array(x) and x.ndim == 2 and 1 < x.shape[0] and x.size <= MATRIX_LINES_LIMIT:
        return ["[" + ", ".join(written(v, digits) for v in row) + "]" for row in x.tolist()]
    return [show(x, digits)]


def _text(lines: list[str]) -> str:
    return "<BR/>".join(_quote(line) for line in lines)


def _wire_lines(
    wire: Wire, step: int | None, colors: Theme, text_height: int, layout: str, digits: int = TABLE_DIGITS, blanks=None,
) -> list[str]:
    known = step is None or step >= wire.ready
    hot = step in wire.steps
    line = colors.highlight if hot else colors.text
    grad_color = colors.gradient if known else colors.muted
    final = _lines(wire.grad, digits)
    grad_lines = final if known or wire.grad is None else [PENDING]
    value_lines = _lines(wire.value, digits)
    # Every size depends only on the final texts, never on the frame: layouts stay identical.
    texts = [*value_lines, *final, PENDING, wire.header]
    # Whole points: Graphviz rounds a cell's size, and a rounded rule would stop short of its wires.
    width = math.ceil(max(cell_len(text) for text in texts) * CHAR_WIDTH + 6)
    rows = max(len(value_lines), len(final))
    height = rows * text_height
    span = "" if layout == "tb" else ' COLSPAN="3"'
    header = (
        f'<TR><TD{span} FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{text_height}" VALIGN="BOTTOM">'
        f'<FONT POINT-SIZE="{HEADER_FONT_SIZE}" COLOR="{colors.text}"><I>{_quote(wire.header)}</I></FONT></TD></TR>'
        if wire.header else ""
    )
    grad_text = _text(grad_lines)
    grad_font = f"<B>{grad_text}</B>" if hot and grad_text else grad_text
    value = f'<FONT POINT-SIZE="{WIRE_FONT_SIZE}" COLOR="{colors.value}">{_text(value_lines)}</FONT>'
    # Graphviz refuses an empty FONT element: a wire without a gradient leaves its cell empty.
    grad = f'<FONT POINT-SIZE="{WIRE_FONT_SIZE}" COLOR="{grad_color}">{grad_font}</FONT>' if grad_font else ""
    # A worksheet's blank is the answer's cell, empty and outlined: the answer sheet overlays it.
    value_box = grad_box = ""
    if blanks is not None and blanks.hides_value(wire):
        value, value_box = "", f' BORDER="1" COLOR="{colors.value}"'
    if blanks is not None and known and wire.grad is not None and blanks.hides_grad(wire):
        grad, grad_box = "", f' BORDER="1" COLOR="{colors.gradient}"'

    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
    if layout == "tb":
        # value | rule | gradient, side by side; the edges meet the rule's ends
        side = height + (text_height if wire.header else 0)
        stub = f'<TD FIXEDSIZE="TRUE" WIDTH="{RULE_CELL}" HEIGHT="1" BGCOLOR="{line}"></TD>'  # as in LR, below
        gap = '<TD FIXEDSIZE="TRUE" WIDTH="4" HEIGHT="1"></TD>'  # the numbers clear of the rule
        label = (
            f'<{table}<TR><TD>{table}{header}<TR><TD FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{height}" ALIGN="RIGHT"{value_box}>'
            f"{value}</TD></TR></TABLE></TD>{gap}"
            f'<TD>{table}<TR>{stub}</TR><TR><TD PORT="r" FIXEDSIZE="TRUE" WIDTH="{RULE_CELL}" HEIGHT="{side - 2}" '
            f'BGCOLOR="{line}"></TD></TR><TR>{stub}</TR></TABLE></TD>'
            f'{gap}<TD FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{side}" ALIGN="LEFT"{grad_box}>{grad}</TD></TR></TABLE>>'
        )
        ports = ("n", "s")
    else:
        # value above the rule, gradient below; a header has an empty row below, to keep the rule
        # in the middle, where the wires come in straight. Graphviz puts a port a point outside its cell: the rule's port is its middle cell, with a
        # one-point stub either side, so the wire pieces meet the rule's ends with no gap.
        stub = f'<TD FIXEDSIZE="TRUE" WIDTH="1" HEIGHT="{RULE_CELL}" BGCOLOR="{line}"></TD>'
        cell = f'COLSPAN="3" FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{height}"'
        spacer = f'<TR><TD COLSPAN="3" FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{text_height}"></TD></TR>' if wire.header else ""
        label = (
            f"<{table}{header}"
            f'<TR><TD {cell} VALIGN="BOTTOM"{value_box}>{value}</TD></TR>'
            f'<TR>{stub}<TD PORT="r" FIXEDSIZE="TRUE" WIDTH="{width - 2:g}" HEIGHT="{RULE_CELL}" BGCOLOR="{line}"></TD>{stub}</TR>'
            f'<TR><TD {cell} VALIGN="TOP"{grad_box}>{grad}</TD></TR>{spacer}</TABLE>>'
        )
        ports = ("w", "e")
    edge_color = f', color="{line}"' if hot else ""
    head_end = "" if wire.arrow else ", arrowhead=none"
    return [
        f"  {wire.id} [shape=plain, label={label}];",
        f'  {wire.tail} -> {wire.id} [arrowhead=none, headport="r:{ports[0]}"{edge_color}];',
        f'  {wire.id} -> {wire.head} [tailport="r:{ports[1]}"{head_end}{edge_color}];',
    ]


def _caption(
    trace, shapes: Drawn, step: int | None, colors: Theme, lang: str, style: DiagramStyle,
    digits: int = TABLE_DIGITS, blanks=None,
) -> str:
    """A one-line caption in a cell of fixed width, so it never moves the drawing."""
    output = show(trace.graph.root.value, digits)  # the output's value as the wires write it
    texts = [_caption_text(trace, k, lang, shapes, style, output) for k in [None, *range(len(trace.steps) + 1)]]
    # Hangul takes two cells (as in a terminal), so it gets twice a Latin letter's width.
    width = max(cell_len(t) for t in texts) * CHAR_WIDTH + 12
    if blanks is not None and blanks.hides_output:  # the caption must not give the answer away
        output = PENDING
    text = _caption_text(trace, step, lang, shapes, style, output)
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="24">'
        f'<FONT POINT-SIZE="{WIRE_FONT_SIZE}" COLOR="{colors.text}">{_quote(text)}</FONT>'
        "</TD></TR></TABLE>>"
    )


def _caption_text(
    trace, step: int | None, lang: str = "en", shapes: Drawn | None = None, style: DiagramStyle | None = None,
    output: str | None = None,
) -> str:
    """The caption of frame `step`. It names only what the diagram shows: the output as its label
    reads, a gate by its symbol and, where the diagram writes it, its value's name."""
    style = style or DiagramStyle()
    shapes = shapes or drawn(trace, style)
    root = trace.graph.root
    value = show(root.value) if output is None else output
    if step is None and style.layout == "tb":
        return words(lang, "caption_whole_tb", output=output_name(root, lang), value=value)
    if step is None:
        return words(lang, "caption_whole", output=output_name(root, lang), value=value)
    if step == 0:
        return words(lang, "caption_forward", output=output_name(root, lang), value=value)
    current = trace.steps[step - 1]
    gate = trace.nodes[current.node]
    symbol = shapes.symbols.get(gate.id) or DIAGRAM_SYMBOLS.get(gate.op.name, gate_text(gate))
    if gate.id in shapes.hidden:
        text = words(lang, "caption_inside", gate=symbol, name=shapes.inside.get(gate.id, ""))
    else:  # a drawn gate, or a collapsed value's box (which shows its name)
        shown = gate.name if gate.name and (style.names or gate is root or gate in shapes.boxes) else ""
        text = " ".join(part for part in (symbol, shown) if part)
    return words(lang, "caption_step", step=step, count=len(trace.steps), gate=text, pattern=current.op.gate_in(lang))


def _shape_line(node) -> str:
    """A tensor leaf's shape on a second line of its label (wires carry small values)."""
    return f"\\n{shape_text(node.value.shape)}" if is_array(node.value) else ""


def _input_order(inputs, style: DiagramStyle) -> str:
    """A scalar gate fed straight by inputs used nowhere else lists them top to bottom in the
    formula's order (apple above apple_num, orange above orange_num, as the textbook draws them).
    Elsewhere dot is left free: an input shared by two gates, forced into order, would detour
    around the others; a tensor gate's shape, written beside it, could end up under a wire."""
    if any(is_array(x.value) for x in inputs):
        return ""
    if all(x.op is None and (x.uses == 1 or style.copies) for x in inputs):
        return ", ordering=in"
    return ""


def _quote(text: str) -> str:
    """Escape text for a DOT string or an HTML-like label (both accept entities)."""
    return escape(str(text), quote=True)
