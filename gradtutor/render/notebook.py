"""A trace in a Jupyter notebook: it shows its diagram and its step table by itself.

`gradtutor.trace(...)` returns a `NotebookTrace`: the tracer's Trace with what a notebook asks
of an object (`_repr_svg_`, `_repr_html_`) and the calls a teacher makes in a cell:
`draw(step=k, lang=..., theme=...)` (the diagram's SVG text, which a cell shows as a picture),
`table(...)` (the terminal's tables as HTML, through rich's export) and `player(...)` (the HTML
step player, embedded in the cell). A Value or a Tensor shows the trace of the graph behind it.
`digits`, where a call takes it, is decimal places, as the command line's --digits.

Nothing here is imported by `import gradtutor`; the renderers load when a notebook first asks
for a picture.
"""

from __future__ import annotations

import io
from dataclasses import fields

from gradtutor.errors import UserError
from gradtutor.numbers import Places
from gradtutor.tracer import Trace

# A Value's graph up to this many nodes is drawn when a notebook shows it; a larger one (a
# training loss over a whole network) keeps its one-line repr: a picture of it says nothing.
DISPLAY_LIMIT = 400
TABLE_WIDTH = 110  # columns of the step table in a cell: wide enough for the scalar table's chain column


class Drawing(str):
    """SVG text that a notebook cell shows as the picture, and that can be written to a file as it is."""

    __slots__ = ()

    def _repr_svg_(self) -> str:
        return str(self)


class NotebookTrace(Trace):
    """A Trace that displays itself (see the module doc)."""

    __slots__ = ()

    def draw(self, step: int | None = None, lang: str = "en", theme: str = "light", digits: int | None = None) -> Drawing:
        """The diagram as SVG text: step=k is frame k (0 = forward pass), None the whole pass."""
        from gradtutor.render.dot import to_dot
        from gradtutor.render.export import render
        from gradtutor.render.fmt import TABLE_DIGITS

        dot = to_dot(self, step=step, theme=theme, lang=lang, digits=TABLE_DIGITS if digits is None else Places(digits))
        svg = render(dot, "svg").decode("utf-8")
        return Drawing(svg[svg.index("<svg"):])  # without the XML prologue: it goes inside a page

    def table(self, step: int | None = None, lang: str = "en", digits: int | None = None) -> str:
        """The backward steps and the summary as the terminal shows them, as HTML."""
        from rich.console import Group

        from gradtutor.render.term import forward_table, summary, trace_table

        rounded = {} if digits is None else {"digits": Places(digits)}
        steps = forward_table(self, lang=lang, **rounded) if step == 0 else trace_table(self, step=step, lang=lang, **rounded)
        return html_text(Group(steps, "", summary(self, step=step, lang=lang, **rounded)))

    def player(self, lang: str = "en", theme: str = "light", digits: int | None = None, start: int = 0):
        """The HTML step player (render/player.py); a cell that ends with it shows it."""
        from gradtutor.render.export import player

        return player(self, theme=theme, lang=lang, digits=digits, start=start)

    def _repr_svg_(self) -> str | None:
        try:
            return self.draw()
        except UserError:  # too large to lay out: the table still shows
            return None

    def _repr_html_(self) -> str:
        drawing = self._repr_svg_()
        picture = f'<div style="overflow-x:auto">{drawing}</div>' if drawing is not None else ""
        return picture + self.table()


def html_text(renderable, width: int = TABLE_WIDTH) -> str:
    """A rich renderable as a terminal `width` columns wide shows it, as HTML: a <pre> whose spans
    carry rich's own HTML styles (as its export_html writes them). Rendered into lines, never
    printed (only the command line prints; see term.plain_text)."""
    from html import escape

    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system="truecolor", force_terminal=True)
    lines = console.render_lines(renderable, console.options, pad=False, new_lines=False)
    html = []
    for line in lines:
        for segment in line:
            text = escape(segment.text)
            css = segment.style.get_html_style() if segment.style else ""
            html.append(f'<span style="{css}">{text}</span>' if css else text)
        html.append("\n")
    return (
        '<pre style="font-family:Menlo,Consolas,\'DejaVu Sans Mono\',monospace;font-size:12px;line-height:1.25">'
        + "".join(html).rstrip() + "</pre>"
    )


def shown(trace: Trace) -> NotebookTrace:
    """The same trace, displaying itself in a notebook (no field is copied deeply)."""
    return NotebookTrace(**{field.name: getattr(trace, field.name) for field in fields(trace)})


def graph_html(root) -> str | None:
    """What a notebook shows for a Value or a Tensor: the trace of the graph behind it, or None
    (its plain repr) for a graph too large to draw."""
    from gradtutor.engine import topological_order
    from gradtutor.tracer import trace

    if len(topological_order(root)) > DISPLAY_LIMIT:
        return None
    try:
        return shown(trace(root))._repr_html_()
    except UserError:  # a graph the tracer refuses (a gradient overflows): the repr says enough
        return None
