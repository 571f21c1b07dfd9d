"""Graphviz DOT text of a trace, in the textbook style.

Computation flows left to right. Leaves are plain labels (a name, or the value of a constant);
gates are circles with their symbol. Every wire carries its forward value above the line and its
gradient below it in a second colour. A wire is drawn as a small table node (value, a rule, the
gradient) between two edge pieces, because Graphviz cannot put one edge label above a line and
another below it. A value that feeds several gates gets a trunk wire up to a branch point and one
branch wire per use, so the sum at the trunk shows "copy adds".

`to_dot(trace, step=k)` is frame k of a slide build: the gate of step k and its wires are
highlighted, gradients not computed yet show a muted "?". Every text sits in a cell of fixed
size, so all frames have the same layout and overlay exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from rich.cells import cell_len

from gradtutor.lang import check_language
from gradtutor.render.fmt import PENDING, TABLE_DIGITS, check_step, gate_text, is_array, shape_text, show, words
from gradtutor.render.theme import Theme, get_theme

FONT = "Helvetica"
# Helvetica has no Hangul. Korean diagrams name fonts that do, in order, as one family list
# (Graphviz hands it to Pango/fontconfig, which take the first one installed); sans-serif last,
# so a system without any of them still gets its default font.
FONTS = {"en": FONT, "ko": "Noto Sans CJK KR, Noto Sans KR, NanumGothic, Malgun Gothic, Apple SD Gothic Neo, sans-serif"}
WIRE_FONT_SIZE = 12
CHAR_WIDTH = 7.5  # points per character at WIRE_FONT_SIZE, generous so no text overflows its cell
# Points per line of a wire label: the Korean font (the Noto Sans CJK KR shipped in render/fonts)
# sets its lines 1.45 em apart, 17.4 points at WIRE_FONT_SIZE, where a Latin sans needs 14.
TEXT_HEIGHTS = {"en": 16, "ko": 18}
RULE = 1.2  # line width of wires, in points


@dataclass(slots=True)
class Wire:
    """One drawn wire: its node id, where it comes from and goes to, and its numbers."""

    id: str
    tail: str  # DOT node id the wire leaves
    head: str  # DOT node id the wire enters
    value: object
    grad: object
    ready: int  # first frame in which the gradient is known
    steps: tuple[int, ...]  # the steps whose gate this wire enters or leaves: highlighted then
    arrow: bool = True
    source: int = -1  # the node whose value the wire carries (a worksheet may leave its numbers blank)


def _wires(trace) -> list[Wire]:
    nodes = trace.nodes
    step_of = {s.node: s.index for s in trace.steps}  # gate node id -> its step
    flow_of = {(s.node, slot): f for s in trace.steps for slot, f in enumerate(s.flows)}
    consumers_of: dict[int, list[tuple[int, int]]] = {n.id: [] for n in nodes}
    for gate in nodes:
        for slot, parent in enumerate(gate.parents):
            consumers_of[parent].append((gate.id, slot))
    wires: list[Wire] = []
    for node in nodes:
        consumers = consumers_of[node.id]
        source = f"n{node.id}"
        made_by = (step_of[node.id],) if node.id in step_of else ()
        if len(consumers) > 1:
            # copy gate: trunk to a branch point, whose gradient is complete after the last use
            done = max(step_of[gate] for gate, _ in consumers)
            trunk = Wire(f"t{node.id}", source, f"j{node.id}", node.value, node.grad, done, (done, *made_by), source=node.id)
            trunk.arrow = False  # the trunk ends at the branch point, not at a gate
            wires.append(trunk)
            made_by = ()  # the branches leave the branch point, not the gate
            source = f"j{node.id}"
        for gate, slot in consumers:
            k = step_of[gate]
            grad = flow_of[(gate, slot)].downstream
            wires.append(Wire(f"w{gate}_{slot}", source, f"n{gate}", node.value, grad, k, (k, *made_by), source=node.id))
    root = trace.graph.root
    seeded = (step_of[root.id],) if root.id in step_of else ()
    wires.append(Wire("w_out", f"n{root.id}", "out", root.value, trace.upstream, 1, seeded, source=root.id))
    return wires


def to_dot(
    trace, step: int | None = None, theme: str = "light", lang: str = "en", digits: int = TABLE_DIGITS, blanks=None,
) -> str:
    """The trace as DOT text; step=k draws frame k (0 = forward pass only); captions in `lang`;
    numbers to `digits` significant digits. `blanks` (a worksheet.Blanks) draws the numbers it
    names as empty boxes to fill in, in cells of the answers' size, so the answer sheet overlays."""
    step = check_step(trace, step)
    lang = check_language(lang)
    font = FONTS[lang]
    colors = get_theme(theme)
    nodes = trace.nodes
    wires = _wires(trace)
    current = trace.steps[step - 1] if step else None
    lines = [
        "digraph gradtutor {",
        f'  graph [rankdir=LR, bgcolor="{colors.background}", fontname="{font}", '
        f'nodesep=0.25, ranksep=0.12, pad=0.25, labelloc=b, label={_caption(trace, step, colors, lang, digits, blanks)}];',
        f'  node [fontname="{font}", fontsize=14, fontcolor="{colors.text}", color="{colors.text}"];',
        f'  edge [color="{colors.text}", penwidth={RULE}, arrowsize=0.7];',
    ]
    for node in nodes:
        if node.op is None:
            lines.append(f'  n{node.id} [shape=plaintext, label="{_quote(node.label)}{_shape_line(node)}"];')
        else:
            # The current gate is filled, not drawn thicker: a thicker outline would move where
            # edges are clipped and break the identical layout of the frames.
            hot = current is not None and current.node == node.id
            fill = (
                f'fillcolor="{colors.highlight}", color="{colors.highlight}", fontcolor="{colors.background}"'
                if hot
                else f'fillcolor="{colors.background}"'
            )
            symbol = gate_text(node)
            size = 14 if len(symbol) <= 2 else 11
            width = max(0.55, 0.09 * len(symbol) + 0.2)  # inches: room for a word like "softmax"
            lines.append(
                f'  n{node.id} [shape=circle, fixedsize=true, width={width:.2f}, fontsize={size}, '
                f'style=filled, {fill}, label="{_quote(symbol)}"{_shape_xlabel(node)}{_input_order(node, nodes)}];'
            )
    for node in nodes:
        if node.uses > 1:
            lines.append(f'  j{node.id} [shape=point, width=0.07, color="{colors.text}"];')
    root = trace.graph.root
    lines.append(f'  out [shape=plaintext, label="{_quote(root.name or "output")}"];')
    for wire in wires:
        lines.extend(_wire_lines(wire, step, colors, TEXT_HEIGHTS[lang], digits, blanks))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _wire_lines(
    wire: Wire, step: int | None, colors: Theme, text_height: int, digits: int = TABLE_DIGITS, blanks=None,
) -> list[str]:
    known = step is None or step >= wire.ready
    hot = step in wire.steps
    line = colors.highlight if hot else colors.text
    grad_color = colors.gradient if known else colors.muted
    grad_text = show(wire.grad, digits) if known else PENDING
    # The cell width depends only on the final texts, never on the frame: layouts stay identical.
    width = max(len(show(wire.value, digits)), len(show(wire.grad, digits)), len(PENDING)) * CHAR_WIDTH + 6
    cell = f'FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{text_height}"'
    grad_font = f'<B>{_quote(grad_text)}</B>' if hot else _quote(grad_text)
    value_cell = (
        f'<TD {cell} VALIGN="BOTTOM"><FONT POINT-SIZE="{WIRE_FONT_SIZE}" COLOR="{colors.value}">'
        f"{_quote(show(wire.value, digits))}</FONT></TD>"
    )
    grad_cell = f'<TD {cell} VALIGN="TOP"><FONT POINT-SIZE="{WIRE_FONT_SIZE}" COLOR="{grad_color}">{grad_font}</FONT></TD>'
    if blanks is not None and blanks.hides_value(wire):
        value_cell = f'<TD {cell} BORDER="1" COLOR="{colors.value}"></TD>'
    if blanks is not None and known and blanks.hides_grad(wire):
        grad_cell = f'<TD {cell} BORDER="1" COLOR="{colors.gradient}"></TD>'
    label = (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f"<TR>{value_cell}</TR>"
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="{RULE:g}" BGCOLOR="{line}"></TD></TR>'
        f"<TR>{grad_cell}</TR></TABLE>>"
    )
    edge_color = f', color="{line}"' if hot else ""
    head_end = "" if wire.arrow else ", arrowhead=none"
    return [
        f"  {wire.id} [shape=plain, label={label}];",
        f"  {wire.tail} -> {wire.id} [arrowhead=none, headport=w{edge_color}];",
        f"  {wire.id} -> {wire.head} [tailport=e{head_end}{edge_color}];",
    ]


def _caption(trace, step: int | None, colors: Theme, lang: str, digits: int = TABLE_DIGITS, blanks=None) -> str:
    """A one-line caption in a cell of fixed width, so it never moves the drawing."""
    output = show(trace.graph.root.value, digits)
    texts = [_caption_text(trace, k, lang, output) for k in [None, *range(len(trace.steps) + 1)]]
    # Hangul takes two cells (as in a terminal), so it gets twice a Latin letter's width.
    width = max(cell_len(t) for t in texts) * CHAR_WIDTH + 12
    if blanks is not None and blanks.hides_output:  # the caption must not give the answer away
        output = PENDING
    text = _caption_text(trace, step, lang, output)
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{width:g}" HEIGHT="24">'
        f'<FONT POINT-SIZE="{WIRE_FONT_SIZE}" COLOR="{colors.text}">{_quote(text)}</FONT>'
        "</TD></TR></TABLE>>"
    )


def _caption_text(trace, step: int | None, lang: str = "en", output: str | None = None) -> str:
    root = trace.graph.root
    value = show(root.value) if output is None else output  # the output's value as the wires write it
    if step is None:
        return words(lang, "caption_whole", output=root.label, value=value)
    if step == 0:
        return words(lang, "caption_forward", output=root.label, value=value)
    current = trace.steps[step - 1]
    gate = trace.nodes[current.node]
    return words(
        lang, "caption_step", step=step, count=len(trace.steps),
        gate=f"{gate_text(gate)} {gate.label}", pattern=current.op.gate_in(lang),
    )


def _shape_line(node) -> str:
    """A tensor leaf's shape on a second line of its label (wires carry small values)."""
    return f"\\n{shape_text(node.value.shape)}" if is_array(node.value) else ""


def _input_order(node, nodes) -> str:
    """A scalar gate fed straight by inputs used nowhere else lists them top to bottom in the
    formula's order (apple above apple_num, orange above orange_num, as the textbook draws them).
    Elsewhere dot is left free: an input shared by two gates, forced into order, would detour
    around the others; a tensor gate's shape, written beside it, could end up under a wire."""
    if is_array(node.value):
        return ""
    inputs = [nodes[parent] for parent in node.parents]
    if all(parent.op is None and parent.uses == 1 for parent in inputs):
        return ", ordering=in"
    return ""


def _shape_xlabel(node) -> str:
    """A tensor gate's output shape, written beside its circle."""
    if not is_array(node.value):
        return ""
    return f', xlabel="{shape_text(node.value.shape)}"'


def _quote(text: str) -> str:
    """Escape text for a DOT string or an HTML-like label (both accept entities)."""
    return escape(str(text), quote=True)
