"""Optimizer paths on a 2-D function: contour lines and every path on one map, and a table.

`path_map(surface, window, paths, ...)` returns a rich renderable that draws itself at the
terminal's width: contour lines of f (`·`), the start (`o`), the minimum (`+`) and each path in
its own mark and colour. `path_table` gives each path's figures, `paths_view` both with a legend.
`svg_paths` draws the same picture as SVG text (no dependency), `paths_picture` holds it for
saving, `save_paths` writes .svg, or .png through matplotlib (the `plot` extra).

A path is anything with `optimizer`, `points` (start first), `values`, `final`, `length`,
`diverged` (gradtutor.train.paths.Path); `surface(x, y)` gives f. Nothing here prints.
"""

from __future__ import annotations

import math
from pathlib import Path as FilePath
from xml.sax.saxutils import escape

from gradtutor.numbers import human
from gradtutor.render.canvas import STYLES, SVG_COLOURS, Canvas, Fitted, marks
from gradtutor.render.curves import svg_page
from gradtutor.render.fmt import words
from gradtutor.render.picture import Picture, pyplot_for

BANDS = 5  # contour lines drawn across the window


def _levels(surface, window, columns: int, rows: int):
    """f at each cell's centre, and the band each cell falls in (levels even in √(f − f_min),
    so a quadratic bowl gets evenly spaced rings)."""
    x_lo, x_hi, y_lo, y_hi = window
    values = [[surface(x_lo + (c + 0.5) / columns * (x_hi - x_lo), y_hi - (r + 0.5) / rows * (y_hi - y_lo))
               for c in range(columns)] for r in range(rows)]
    finite = [v for row in values for v in row if math.isfinite(v)] or [0.0]
    low, high = min(finite), max(finite)
    top = math.sqrt(max(high - low, 1e-12))
    bands = [[min(BANDS, int(math.sqrt(max(v - low, 0.0)) / top * BANDS)) if math.isfinite(v) else BANDS
              for v in row] for row in values]
    return bands


def _cell(window, columns: int, rows: int):
    x_lo, x_hi, y_lo, y_hi = window

    def at(x: float, y: float) -> tuple[int, int]:
        return (round((x - x_lo) / (x_hi - x_lo) * (columns - 1)), round((y_hi - y) / (y_hi - y_lo) * (rows - 1)))

    return at


def _rows_for(window, columns: int) -> int:
    """Rows for a picture `columns` wide: the window's shape, a cell being twice as tall as wide."""
    x_lo, x_hi, y_lo, y_hi = window
    return max(7, min(24, round(columns * (y_hi - y_lo) / (x_hi - x_lo) / 2)))


def path_map(surface, window, paths, minimum=None, most: int = 72):
    """The contour map with every path drawn on it, as wide as the terminal (at most `most`)."""
    mark = marks([p.optimizer for p in paths])

    def draw(width: int):
        from rich.text import Text

        columns = max(20, width)
        rows = _rows_for(window, columns)
        canvas = Canvas(columns, rows)
        bands = _levels(surface, window, columns, rows)
        for r in range(rows):
            for c in range(columns):
                here = bands[r][c]
                if (c + 1 < columns and bands[r][c + 1] != here) or (r + 1 < rows and bands[r + 1][c] != here):
                    canvas.put(c, r, "·", "bright_black")
        at = _cell(window, columns, rows)
        for index, path in enumerate(paths):
            style = STYLES[index % len(STYLES)]
            cells = [at(*point) for point in path.points]
            for start, end in zip(cells, cells[1:]):
                canvas.line(start, end, mark[path.optimizer], style)
        if minimum is not None:
            canvas.put(*at(*minimum), "+", "bold")
        if paths:
            canvas.put(*at(*paths[0].points[0]), "o", "bold")
        return Text.assemble(canvas.text())

    return Fitted(draw, most)


def path_table(paths, minimum=None, lang: str = "en"):
    """One row per path: its mark, the optimizer, steps taken, f where it ended, the distance
    travelled (and how far from the minimum it ended)."""
    from rich import box
    from rich.table import Table

    mark = marks([p.optimizer for p in paths])
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(words(lang, "col_mark"))
    table.add_column(words(lang, "col_optimizer"))
    for title in (words(lang, "col_steps"), words(lang, "col_final_value"), words(lang, "col_path_length")):
        table.add_column(title, justify="right")
    if minimum is not None:
        table.add_column(words(lang, "col_to_minimum"), justify="right")
    for index, path in enumerate(paths):
        steps = str(len(path.points) - 1) + ("!" if path.diverged else "")
        row = [mark[path.optimizer], path.optimizer, steps, human(path.final, 3), human(path.length, 3)]
        if minimum is not None:
            row.append(human(path.distance_to(minimum), 3))
        table.add_row(*row, style=STYLES[index % len(STYLES)])
    return table


def paths_view(title: str, surface, window, paths, minimum=None, lang: str = "en"):
    """The map, a one-line key, and the table."""
    from rich.console import Group
    from rich.text import Text

    parts = [Text(paths_title(title, paths, lang), style="bold"),
             path_map(surface, window, paths, minimum),
             Text(words(lang, "paths_key"), style="dim"),
             path_table(paths, minimum, lang)]
    if any(p.diverged for p in paths):
        parts.append(Text(words(lang, "paths_diverged"), style="dim"))
    return Group(*parts)


def paths_title(function: str, paths, lang: str = "en") -> str:
    """"Optimizer paths on f(x, y) = …, all from (x, y)"."""
    return words(lang, "paths_title", function=function, start=_point(paths[0].points[0]) if paths else "–")


def _point(point) -> str:
    return f"({human(point[0], 4)}, {human(point[1], 4)})"


# -- files ----------------------------------------------------------------------------------------
def svg_paths(title: str, surface, window, paths, minimum=None, width: int = 720) -> str:
    """SVG text: shaded contour bands, every path as a polyline with dots, a legend."""
    x_lo, x_hi, y_lo, y_hi = window
    margin, legend = 50, 170
    plot_w = width - 2 * margin - legend
    plot_h = max(160, round(plot_w * (y_hi - y_lo) / (x_hi - x_lo)))
    height = plot_h + 2 * margin
    columns, rows = 90, max(10, round(90 * plot_h / plot_w))
    bands = _levels(surface, window, columns, rows)
    cw, ch = plot_w / columns, plot_h / rows

    def px(x, y):
        return margin + (x - x_lo) / (x_hi - x_lo) * plot_w, margin + (y_hi - y) / (y_hi - y_lo) * plot_h

    out = svg_page(width, height, title, margin, title_y=28)
    for r in range(rows):
        for c in range(columns):
            shade = 250 - round(bands[r][c] / BANDS * 90)
            out.append(f'<rect x="{margin + c * cw:.1f}" y="{margin + r * ch:.1f}" width="{cw + 0.5:.1f}" '
                       f'height="{ch + 0.5:.1f}" fill="rgb({shade},{shade},255)"/>')
    out.append(f'<rect x="{margin}" y="{margin}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888888"/>')
    for index, path in enumerate(paths):
        colour = SVG_COLOURS[index % len(SVG_COLOURS)]
        drawn = [px(*p) for p in path.points if all(map(math.isfinite, p))]
        out.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in drawn)}" fill="none" '
                   f'stroke="{colour}" stroke-width="1.8"/>')
        out += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2" fill="{colour}"/>' for a, b in drawn]
        legend_y = margin + 14 + index * 18
        out.append(f'<line x1="{margin + plot_w + 14}" y1="{legend_y - 4}" x2="{margin + plot_w + 34}" '
                   f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{margin + plot_w + 40}" y="{legend_y}">{escape(path.optimizer)} '
                   f'({escape(human(path.final, 3))})</text>')
    if minimum is not None:
        a, b = px(*minimum)
        out.append(f'<text x="{a:.1f}" y="{b + 5:.1f}" text-anchor="middle" font-size="16">+</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _png(title, surface, window, paths, minimum, path: FilePath) -> None:
    pyplot = pyplot_for(path)
    x_lo, x_hi, y_lo, y_hi = window
    n = 120
    xs = [x_lo + (x_hi - x_lo) * i / (n - 1) for i in range(n)]
    ys = [y_lo + (y_hi - y_lo) * j / (n - 1) for j in range(n)]
    grid = [[surface(x, y) for x in xs] for y in ys]
    figure, ax = pyplot.subplots(figsize=(7.2, 7.2 * (y_hi - y_lo) / (x_hi - x_lo) + 0.8))
    ax.contour(xs, ys, grid, levels=12, colors="#9aa7c7", linewidths=0.8)
    for index, p in enumerate(paths):
        ax.plot([q[0] for q in p.points], [q[1] for q in p.points], "o-", markersize=2.5,
                color=SVG_COLOURS[index % len(SVG_COLOURS)], label=f"{p.optimizer} ({human(p.final, 3)})")
    if minimum is not None:
        ax.plot([minimum[0]], [minimum[1]], "k+", markersize=12)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def paths_picture(title: str, surface, window, paths, minimum=None):
    """The contour map with every path and its legend, as a render.picture.Picture."""
    return Picture("paths", lambda: svg_paths(title, surface, window, paths, minimum),
                   lambda file: _png(title, surface, window, paths, minimum, file))


def save_paths(file, title: str, surface, window, paths, minimum=None) -> FilePath:
    """Write the picture to `file`: .svg (no dependency) or .png (matplotlib)."""
    return paths_picture(title, surface, window, paths, minimum).save(file)
