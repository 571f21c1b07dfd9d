"""A trained transformer's attention weights as heatmaps: in the terminal, or as SVG/PNG.

One grid per block and head: row i is the query at position i, column j the key at position j,
and the shade is the weight P[i, j] that position i gives position j (each row sums to 1; a
causal model leaves everything right of the diagonal at 0). The terminal draws shades with block
characters, so the map reads without colour; files are drawn by Graphviz from an HTML-like
table, through the same export path as the graph diagrams. Nothing here prints.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from gradtutor.errors import UserError

SHADES = " ░▒▓█"  # weight 0 … 1
TERMINAL_POSITIONS = 24  # a longer sample shows its first 24 positions in the terminal


class AttentionMapError(UserError, ValueError):
    """The map cannot be saved as asked (a file name that is not .svg or .png)."""


def _shade(weight: float) -> str:
    level = min(len(SHADES) - 1, int(round(float(weight) * (len(SHADES) - 1))))
    return SHADES[level] * 2  # two columns a cell: the grid comes out about square


def _label(token: str) -> str:
    return {" ": "␣", "\n": "↵"}.get(token, token)


def terminal_map(tokens, weights, title: str = "attention"):
    """A rich renderable: one shaded grid per block and head, queries down, keys across.
    weights: (blocks, heads, T, T) host array."""
    from rich.columns import Columns
    from rich.console import Group
    from rich.text import Text

    count = min(len(tokens), TERMINAL_POSITIONS)
    labels = [_label(t) for t in tokens[:count]]
    grids = []
    for block, heads in enumerate(weights):
        for head, grid in enumerate(heads):
            lines = [Text(f"block {block + 1}, head {head + 1}", style="bold")]
            lines.append(Text("  " + "".join(f"{label:<2}" for label in labels)))
            for row in range(count):
                cells = "".join(_shade(grid[row, column]) for column in range(count))
                lines.append(Text(f"{labels[row]:<2}{cells}"))
            grids.append(Group(*lines))
    legend = Text(f"{title}: row = query position, column = key position, shade = weight "
                  f"(' ' 0 … '█' 1)" + (f"; first {count} of {len(tokens)} positions" if count < len(tokens) else ""))
    return Group(legend, Columns(grids, padding=(1, 3)))


def _colour(weight: float) -> str:
    """White (0) to dark blue (1)."""
    weight = max(0.0, min(1.0, float(weight)))
    start, end = (255, 255, 255), (20, 60, 150)
    return "#" + "".join(f"{round(a + (b - a) * weight):02x}" for a, b in zip(start, end))


def map_dot(tokens, weights, title: str = "attention") -> str:
    """DOT text: one HTML-like table per block and head, cells filled by weight."""
    labels = [escape(_label(t)) for t in tokens]
    tables = []
    for block, heads in enumerate(weights):
        for head, grid in enumerate(heads):
            header = "".join(f'<TD WIDTH="16" HEIGHT="16">{label}</TD>' for label in labels)
            rows = [f'<TR><TD COLSPAN="{len(labels) + 1}"><B>block {block + 1}, head {head + 1}</B></TD></TR>',
                    f"<TR><TD></TD>{header}</TR>"]
            for i, label in enumerate(labels):
                cells = "".join(f'<TD BGCOLOR="{_colour(grid[i, j])}" WIDTH="16" HEIGHT="16"></TD>' for j in range(len(labels)))
                rows.append(f"<TR><TD>{label}</TD>{cells}</TR>")
            tables.append(f'  m{block}_{head} [label=<<TABLE BORDER="0" CELLSPACING="1" CELLPADDING="0">{"".join(rows)}</TABLE>>];')
    heads_per_row = len(weights[0]) if len(weights) else 1
    ranks = [tables[i : i + heads_per_row] for i in range(0, len(tables), heads_per_row)]
    body = "\n".join("  { rank=same;\n" + "\n".join(row) + "\n  }" for row in ranks)
    order = " -> ".join(f"m{b}_0" for b in range(len(weights)))
    chain = f"  {order} [style=invis];\n" if len(weights) > 1 else ""
    return (f'digraph attention {{\n  graph [label="{escape(title)}: row = query, column = key, darker = more weight", '
            f'labelloc=t, fontname="DejaVu Sans", rankdir=TB];\n  node [shape=plaintext, fontname="DejaVu Sans", fontsize=10];\n'
            f"{body}\n{chain}}}\n")


def save_map(tokens, weights, path, title: str = "attention") -> Path:
    """Write the map as .svg or .png (Graphviz, as `gradtutor export` draws graphs)."""
    from gradtutor.render import export

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise AttentionMapError(f"cannot save an attention map as {path.name!r}: use a .svg or .png file name")
    drawing = export.render(map_dot(tokens, weights, title), fmt)
    try:
        path.write_bytes(drawing)
    except OSError as error:
        raise AttentionMapError(f"cannot write {path}: {error.strerror or error}") from None
    return path
