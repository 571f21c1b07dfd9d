"""A trace as one self-contained HTML page that steps through backpropagation.

Frame 0 is the forward pass, frame k backward step k: the diagram's frame (the SVG the exporter
draws, all frames in one layout) beside that step's row of the trace: the gate, its formula and
pattern, and for each input upstream × local = downstream with the numbers (a tensor step: the
shapes, the Jacobian or its structure in words, the rule the engine runs). Previous and next
buttons, the arrow keys and a slider move between frames.

Everything is inline (the frames, the script, the style and, for Korean, the shipped Hangul font
as a data URL), so the file opens from a disk or a course website with no network. The same
markup, without the page around it, is what a notebook cell shows (`Player._repr_html_`): its
styles and script are scoped to one element, so two players in one notebook do not interfere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from html import escape

from pathlib import Path

from gradtutor import ops
from gradtutor.lang import check_language
from gradtutor.render.fmt import (
    TABLE_DIGITS, block, check_step, gate_text, named, shape_text, shaped, show, words,
)
from gradtutor.render.theme import get_theme

FONT_DIR = Path(__file__).with_name("fonts")  # the shipped Hangul subset (see fonts/README.md)
FONT_FAMILY = "Noto Sans CJK KR"  # the name the diagrams' SVG asks for first (dot.FONTS["ko"])
PLACEHOLDER = "gtp-ROOT"  # the element's id while the markup is built; then one named by its content


@dataclass(frozen=True, slots=True)
class Player:
    """The player's markup; `html()` is the whole page, `_repr_html_` a notebook cell's part."""

    fragment: str
    title: str
    background: str

    def html(self) -> str:
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(self.title)}</title>"
            f"<style>html,body{{margin:0;background:{self.background}}}</style></head>"
            f"<body>\n{self.fragment}\n</body></html>\n"
        )

    def _repr_html_(self) -> str:
        return self.fragment


def build_player(
    trace, svgs: list[bytes], *, theme: str = "light", lang: str = "en", digits: int | None = None, start: int = 0,
) -> Player:
    """The step player of `trace` around its diagram's frames `svgs` (export.player draws them):
    `digits` rounds every number (default: 6 significant digits, 4 in a tensor step's matrices);
    `start` is the frame shown first."""
    lang = check_language(lang)
    start = check_step(trace, start)
    colors = get_theme(theme)
    dot_digits = TABLE_DIGITS if digits is None else digits
    count = len(trace.steps)
    root = PLACEHOLDER
    panels = [_forward_panel(trace, dot_digits, lang)]
    if trace.is_tensor:
        from gradtutor.render.jacobian import DIGITS

        panels += [_tensor_panel(trace, s, DIGITS if digits is None else digits, lang) for s in trace.steps]
    else:
        panels += _scalar_panels(trace, dot_digits, lang)
    frames = "".join(
        f'<div class="frame" data-frame="{k}"{"" if k == start else " hidden"}>{_inline_svg(svg, f"{root}f{k}")}</div>'
        for k, svg in enumerate(svgs)
    )
    rows = "".join(
        f'<section class="row" data-frame="{k}"{"" if k == start else " hidden"}>{panel}</section>'
        for k, panel in enumerate(panels)
    )
    labels = [words(lang, "player_forward")] + [words(lang, "player_step", step=k, count=count) for k in range(1, count + 1)]
    title = words(lang, "player_title", output=trace.graph.root.label)
    fragment = (
        f'<div class="gradtutor-player" id="{root}" tabindex="0" lang="{lang}">'
        f"<style>{_style(root, colors, lang)}</style>"
        f'<div class="bar"><button type="button" class="prev">{escape(words(lang, "player_prev"))}</button>'
        f'<input type="range" class="slider" min="0" max="{count}" value="{start}" step="1" '
        f'aria-label="{escape(words(lang, "player_slider"))}">'
        f'<button type="button" class="next">{escape(words(lang, "player_next"))}</button>'
        f'<span class="where" aria-live="polite">{escape(labels[start])}</span>'
        f'<span class="keys">{escape(words(lang, "player_keys"))}</span></div>'
        f'<div class="stage{" tensor" if trace.is_tensor else ""}"><div class="frames">{frames}</div><div class="rows">{rows}</div></div>'
        f"<script>{_script(root, labels, start)}</script></div>"
    )
    # An id from the content: the same file from the same trace every time (a course's repository
    # diffs cleanly), and players that differ never share an id in one notebook.
    fragment = fragment.replace(PLACEHOLDER, f"gtp-{hashlib.sha256(fragment.encode()).hexdigest()[:12]}")
    return Player(fragment, title, colors.background)


def _inline_svg(svg: bytes, prefix: str) -> str:
    """Graphviz's SVG without its XML prologue, every id prefixed so frames never share one."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    return re.sub(r'href="#([^"]*)"', lambda m: f'href="#{prefix}-{m.group(1)}"', text)


def _cell(text: str, css: str = "") -> str:
    """A table cell; line breaks in `text` (a matrix, a two-line header) are kept."""
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{escape(text)}</td>"


def _header(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{escape(name)}</th>" for name in names) + "</tr>"


def _forward_panel(trace, digits: int, lang: str) -> str:
    from gradtutor.render.term import forward_rows

    root = trace.graph.root
    rows = "".join(
        f"<tr>{_cell(node)}{_cell(how)}{_cell(value, 'num value')}</tr>" for node, how, value in forward_rows(trace, digits, lang)
    )
    return (
        f'<h2>{escape(words(lang, "player_forward"))}: {escape(root.label)} = {escape(show(root.value, digits))}</h2>'
        f'<table>{_header(words(lang, "col_node"), words(lang, "col_computed_as"), words(lang, "col_value"))}{rows}</table>'
    )


def _scalar_panels(trace, digits: int, lang: str) -> list[str]:
    """One panel per backward step: the gate with its formula and pattern, then a row per input."""
    from gradtutor.render.term import StepRows

    rows = StepRows(trace, None, digits, lang)
    nodes = trace.nodes
    heads = [words(lang, "col_input"), words(lang, "col_local_out"), words(lang, "col_downstream")]
    if rows.has_fanout:
        heads.append(words(lang, "col_sum"))
    note = words(lang, "sum_caption", explain=ops.FANOUT.explain_in(lang))
    panels = []
    for s, (gate, pattern), upstream, inputs in zip(rows.steps, rows.gates, rows.upstreams, rows.inputs):
        labels = [nodes[flow.node].label for flow in s.flows]
        formula = named(s.op.formula_in(lang), s.op, labels, nodes[s.node].label)
        cells = []
        for item in inputs:
            running = f"<td>{_coloured(item.running)}</td>" if rows.has_fanout else ""
            cells.append(f"<tr>{_cell(item.name)}{_cell(item.local)}<td>{_coloured(item.chain)}</td>{running}</tr>")
        panels.append(
            f"<h2>{escape(words(lang, 'player_step', step=s.index, count=len(trace.steps)))}</h2>"
            f'<p class="gate"><span class="symbol">{escape(gate)}</span>: {escape(formula)}</p>'
            f'<p class="pattern">{escape(pattern)}</p>'
            f'<p class="upstream">{escape(words(lang, "col_upstream").replace(chr(10), " "))} '
            f'<span class="grad">{escape(upstream)}</span></p>'
            f"<table>{_header(*heads)}{''.join(cells)}</table>"
            + (f'<p class="note">{escape(note)}</p>' if rows.has_fanout else "")
        )
    return panels


def _coloured(text) -> str:
    """A terminal cell as HTML: the parts the terminal colours as gradients (term.GRADIENT), in
    the gradient colour; a plain string as it is."""
    if isinstance(text, str):
        return escape(text)
    return "".join(f'<span class="grad">{escape(part)}</span>' if style else escape(part) for part, style in text.pieces)


def _tensor_panel(trace, s, digits: int, lang: str) -> str:
    """A tensor step: its shapes and upstream, then per input the Jacobian (the matrix when it is
    small, its structure in words otherwise), the downstream gradient and the engine's rule."""
    from gradtutor.render.fmt import MATRIX_LIMIT
    from gradtutor.render.jacobian import gate_header, rule_text, structure

    nodes = trace.nodes
    names = ([nodes[flow.node].label for flow in s.flows], nodes[s.node].label)
    title, shapes, upstream = gate_header(s, nodes, digits, lang).split("\n", 2)
    cells = []
    for slot, flow in enumerate(s.flows):
        described = structure(s, slot, lang, names)
        if flow.jacobian is not None and flow.jacobian.size <= MATRIX_LIMIT:
            rows, columns = flow.jacobian.shape
            jacobian = f"{rows}×{columns}\n{block(flow.jacobian, digits)}"
        else:
            jacobian = described
        rule = rule_text(s, slot, lang, names) or ""
        with_shapes = s.op.backward_shapes_in(s.input_shapes, s.output_shape, lang)
        if with_shapes is not None:
            rule += "\n" + with_shapes[slot]
        if flow.agrees is not None:
            rule += "\n" + words(lang, "agrees" if flow.agrees else "differs").strip()
        name = f"{nodes[flow.node].label}\n{shape_text(s.input_shapes[slot])}"
        cells.append(
            f"<tr>{_cell(name)}{_cell(jacobian, 'matrix')}{_cell(shaped(flow.downstream, digits), 'matrix grad')}"
            f"{_cell(rule)}</tr>"
        )
    heads = (words(lang, "col_input"), words(lang, "col_jacobian"), words(lang, "col_tensor_downstream"), words(lang, "col_rule"))
    return (
        f"<h2>{escape(words(lang, 'player_step', step=s.index, count=len(trace.steps)))}</h2>"
        f'<p class="gate"><span class="symbol">{escape(gate_text(nodes[s.node]))}</span> {escape(title[len(gate_text(nodes[s.node])) + 1:])}</p>'
        f'<p class="shapes">{escape(shapes)}</p><p class="upstream matrix">{escape(upstream)}</p>'
        f"<table>{_header(*heads)}{''.join(cells)}</table>"
    )


def _font_face() -> str:
    """The shipped Hangul font as an inline @font-face, under the name the diagrams ask for."""
    (font,) = sorted(FONT_DIR.glob("*.otf"))
    data = base64.b64encode(font.read_bytes()).decode("ascii")
    return f'@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/otf;base64,{data}) format("opentype")}}'


def _style(root: str, colors, lang: str) -> str:
    family = f'"{FONT_FAMILY}",sans-serif' if lang == "ko" else "Helvetica,Arial,sans-serif"
    scope = f"#{root}"
    return (
        (_font_face() if lang == "ko" else "")
        + f"{scope}{{font-family:{family};background:{colors.background};color:{colors.text};padding:12px;outline:none}}"
        f"{scope} .bar{{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin-bottom:8px}}"
        f"{scope} button{{font:inherit;padding:3px 12px;color:{colors.text};background:{colors.background};"
        f"border:1px solid {colors.text};border-radius:4px;cursor:pointer}}"
        f"{scope} button:disabled{{opacity:.4;cursor:default}}"
        f"{scope} .slider{{flex:1 1 160px;accent-color:{colors.highlight}}}"
        f"{scope} .where{{font-weight:bold}} {scope} .keys{{opacity:.7;font-size:.85em}}"
        f"{scope} .stage{{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}}"
        f"{scope} .frames{{flex:2 1 420px;min-width:0}} {scope} .frames svg{{max-width:100%;height:auto}}"
        f"{scope} .rows{{flex:1 1 320px;min-width:0}}"
        f"{scope} h2{{font-size:1.05em;margin:0 0 6px}} {scope} p{{margin:4px 0}}"
        f"{scope} .note{{font-size:.85em;opacity:.8;max-width:44em}}"
        f"{scope} .symbol{{color:{colors.highlight};font-weight:bold}} {scope} .pattern{{font-style:italic}}"
        f"{scope} .grad{{color:{colors.gradient}}} {scope} .value{{color:{colors.value}}}"
        f"{scope} table{{border-collapse:collapse;margin-top:6px}}"
        f"{scope} th,{scope} td{{padding:3px 8px;text-align:left;vertical-align:top;white-space:pre-wrap;"
        f"border-bottom:1px solid {colors.muted}}}"
        f"{scope} .stage.tensor{{flex-direction:column}}"
        f"{scope} .matrix{{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre}}"
        f"{scope} [hidden]{{display:none}}"
    )


def _script(root: str, labels: list[str], start: int) -> str:
    """Stepping: buttons, the slider and the arrow keys (Home and End too) show one frame."""
    return (
        "(function(){"
        # The script's own element first: two identical players in a notebook share an id.
        f"var me=document.currentScript,root=me&&me.parentElement&&me.parentElement.classList.contains('gradtutor-player')"
        f"?me.parentElement:document.getElementById({json.dumps(root)}),labels={json.dumps(labels, ensure_ascii=False)},"
        f"last=labels.length-1,current={start};"
        "var q=function(s){return root.querySelector(s)},slider=q('.slider'),prev=q('.prev'),next=q('.next'),where=q('.where');"
        "function show(k){k=Math.max(0,Math.min(last,k));current=k;"
        "root.querySelectorAll('[data-frame]').forEach(function(e){e.hidden=Number(e.dataset.frame)!==k});"
        "slider.value=String(k);where.textContent=labels[k];prev.disabled=k===0;next.disabled=k===last;"
        "root.dataset.frame=String(k)}"
        "prev.addEventListener('click',function(){show(current-1)});"
        "next.addEventListener('click',function(){show(current+1)});"
        "slider.addEventListener('input',function(){show(Number(slider.value))});"
        "function key(e){if(e.target===slider)return;"
        "var to={ArrowRight:current+1,ArrowLeft:current-1,Home:0,End:last}[e.key];"
        "if(to===undefined)return;e.preventDefault();show(to)}"
        "root.addEventListener('keydown',key);"
        # A page that is only the player steps with the keys wherever the focus is.
        "if(root.parentElement===document.body){document.addEventListener('keydown',function(e){"
        "if(!root.contains(e.target))key(e)})}"
        "show(current)})();"
    )
