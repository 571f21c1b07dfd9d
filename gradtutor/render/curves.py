"""Loss and accuracy curves: drawn in the terminal, or saved as SVG (hand-written) or PNG.

Nothing here prints. `terminal_curves` and `epoch_table` return rich renderables for the CLI to
print, in English or Korean;
`svg_curves` returns SVG text; `save_curves` writes a file, SVG by our own code and PNG through
matplotlib, which is imported only when a PNG is asked for (the `plot` extra) because drawing
text into a bitmap needs a font rasterizer that is not worth writing here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from gradtutor.numbers import human
from gradtutor.render.fmt import words
from gradtutor.render.picture import Picture, PlotError, pyplot_for, save_plot  # noqa: F401: callers import PlotError from here too

# One row per curve: (History field, colour). Files (SVG, PNG) are titled in English; the
# terminal speaks the language asked for.
CURVES = (
    ("loss", "#1f4e9c"),
    ("val_loss", "#7aa6e0"),
    ("accuracy", "#c62828"),
    ("val_accuracy", "#ef8f00"),
)
BLOCKS = " ▁▂▃▄▅▆▇█"


def titles(lang: str = "en") -> dict[str, str]:
    """Each curve's title, by its History field."""
    return {"loss": words(lang, "train_loss"), "val_loss": words(lang, "train_val_loss"),
            "accuracy": words(lang, "train_accuracy"), "val_accuracy": words(lang, "train_val_accuracy")}


def _series(history, lang: str = "en") -> list[tuple[str, str, str, list[float]]]:
    """(History field, title, colour, values) for every curve the history has numbers for."""
    found, title = [], titles(lang)
    for field, colour in CURVES:
        values = history.column(field)
        if values and all(v is not None for v in values):
            found.append((field, title[field], colour, [float(v) for v in values]))
    return found


def _panels(history) -> list[list[tuple[str, str, list[float]]]]:
    """The curves of a file, (title, colour, values): a loss panel, then an accuracy panel."""
    series = _series(history)
    panels = [[s[1:] for s in series if "loss" in s[0]], [s[1:] for s in series if "accuracy" in s[0]]]
    return [p for p in panels if p]


def percent(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}%}"


def _columns(values: list[float], width: int) -> list[float]:
    """At most `width` values: each column is the mean of the epochs that fall into it."""
    if len(values) <= width:
        return values
    out = []
    for column in range(width):
        lo = column * len(values) // width
        hi = max((column + 1) * len(values) // width, lo + 1)
        out.append(sum(values[lo:hi]) / (hi - lo))
    return out


def sparkline(values: list[float], width: int = 60, height: int = 4) -> list[str]:
    """A block-character chart, `height` text rows high, lowest value at the bottom."""
    values = _columns(values, width)
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    levels = height * (len(BLOCKS) - 1)
    # nan or inf (a held-out loss that blew up) is drawn as an empty column, not a crash
    filled = [round((v - lo) / span * (levels - 1)) + 1 if math.isfinite(v) else 0 for v in values]  # 0..levels
    rows = []
    for row in range(height - 1, -1, -1):
        base = row * (len(BLOCKS) - 1)
        rows.append("".join(BLOCKS[max(0, min(len(BLOCKS) - 1, f - base))] for f in filled))
    return rows


def terminal_curves(history, width: int = 60, height: int = 4, lang: str = "en"):
    """A rich renderable: one small chart per curve with its first, last, min and max values."""
    from rich.console import Group
    from rich.text import Text

    from gradtutor.render.fit import Prose, unbroken

    parts = []
    for field, title, colour, values in _series(history, lang):
        shown = percent if "accuracy" in field else (lambda v: human(v, 4))
        caption = Text(f"{title}  ", style="bold")
        first, last = (unbroken(words(lang, "train_curve_range_point", epoch=epoch, value=shown(value)))
                       for epoch, value in ((1, values[0]), (len(values), values[-1])))
        caption.append(words(lang, "train_curve_range", first=first, last=last, low=shown(min(values)),
                             high=shown(max(values))), style="dim")
        parts.append(Prose(caption))
        for line in sparkline(values, width, height):
            parts.append(Text(line, style=colour))
    return Group(*parts)


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.floor(lo / step) * step
    ticks, value = [], first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


def svg_page(width: int, height: int, title: str, title_x: float, title_y: float = 24) -> list[str]:
    """The opening lines every SVG picture here shares: the page, its white ground, its title.
    The caller appends its drawing and the closing "</svg>"."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{title_x}" y="{title_y}" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]


def svg_curves(history, title: str = "training", width: int = 720, panel_height: int = 240) -> str:
    """SVG text: a loss panel and, for classification, an accuracy panel, epochs along x."""
    return svg_panels(_panels(history), len(history.epochs), title, width, panel_height)


def svg_panels(panels, epochs: int, title: str = "training", width: int = 720, panel_height: int = 240,
               headings=(), x_label: str = "epoch", percent_axes=()) -> str:
    """SVG text: one panel per list of (name, colour, values) curves, epochs 1… along x; each
    panel under its heading where `headings` gives one, its axis in percent where `percent_axes`
    says so."""
    from rich.cells import cell_len  # a Hangul character is about twice as wide as a Latin one

    margin_left, margin_right, margin_top, gap = 70, 170, 40, 50
    if headings:  # room for a heading above every panel
        margin_top, gap = 62, 72
    width = max(width, margin_left + 8 * cell_len(title))
    height = margin_top + len(panels) * (panel_height + gap)
    plot_w = width - margin_left - margin_right
    out = svg_page(width, height, title, margin_left)
    for index, panel in enumerate(panels):
        top = margin_top + index * (panel_height + gap)
        if index < len(headings):
            out.append(f'<text x="{margin_left}" y="{top - 10}" font-weight="bold">{escape(headings[index])}</text>')
        tick_text = (lambda v: f"{v:.0%}") if index < len(percent_axes) and percent_axes[index] else (lambda v: human(v, 6))
        lo = min(min(v) for _, _, v in panel)
        hi = max(max(v) for _, _, v in panel)
        ticks = _ticks(lo, hi)
        lo, hi = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1.0

        def x_of(epoch: int) -> float:
            return margin_left + (0 if epochs == 1 else (epoch - 1) / (epochs - 1) * plot_w)

        def y_of(value: float) -> float:
            return top + panel_height - (value - lo) / (hi - lo) * panel_height

        out.append(f'<rect x="{margin_left}" y="{top}" width="{plot_w}" height="{panel_height}" '
                   'fill="none" stroke="#888888"/>')
        for tick in ticks:
            y = y_of(tick)
            out.append(f'<line x1="{margin_left}" y1="{y:.1f}" x2="{margin_left + plot_w}" y2="{y:.1f}" stroke="#eeeeee"/>')
            out.append(f'<text x="{margin_left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick_text(tick)}</text>')
        for epoch in sorted({1, epochs, *range(1, epochs + 1, max(1, epochs // 8))}):
            x = x_of(epoch)
            out.append(f'<text x="{x:.1f}" y="{top + panel_height + 16}" text-anchor="middle">{epoch}</text>')
        out.append(f'<text x="{margin_left + plot_w / 2}" y="{top + panel_height + 32}" '
                   f'text-anchor="middle" fill="#555555">{escape(x_label)}</text>')
        for rank, (name, colour, values) in enumerate(panel):
            points = " ".join(f"{x_of(e + 1):.1f},{y_of(v):.1f}" for e, v in enumerate(values))
            out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
            legend_y = top + 16 + rank * 18
            out.append(f'<line x1="{margin_left + plot_w + 12}" y1="{legend_y - 4}" '
                       f'x2="{margin_left + plot_w + 32}" y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"/>')
            out.append(f'<text x="{margin_left + plot_w + 38}" y="{legend_y}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _png(history, path: Path, title: str) -> None:
    _png_panels(_panels(history), len(history.epochs), path, title)


def _png_panels(panels, epochs: int, path: Path, title: str, headings=(), x_label: str = "epoch",
                percent_axes=()) -> None:
    pyplot = pyplot_for(path)
    figure, axes = pyplot.subplots(len(panels), 1, figsize=(7.2, 2.6 * len(panels) + 0.4 * bool(headings)),
                                   squeeze=False)
    for index, (ax, panel) in enumerate(zip(axes[:, 0], panels)):
        for name, colour, values in panel:
            ax.plot(list(range(1, len(values) + 1)), values, color=colour, label=name, linewidth=2)
        ax.set_xlabel(x_label)
        if index < len(headings):
            ax.set_title(headings[index], fontsize=10, loc="left")
        if index < len(percent_axes) and percent_axes[index]:
            from matplotlib.ticker import PercentFormatter

            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(alpha=0.3)
        if len(panel) > 1 or not headings:  # one curve under its heading needs no key
            ax.legend(loc="best", fontsize=8)
    if headings:  # a long title (what a lesson trained) wraps at the figure's width
        figure.suptitle(title, fontweight="bold", fontsize=10, wrap=True)
    else:
        axes[0, 0].set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def save_curves(history, path, title: str = "training") -> Path:
    """Write the curves to `path`: .svg (no dependency) or .png (matplotlib)."""
    empty = None if history.epochs else "there are no epochs to plot"
    return save_plot(path, "curves", lambda: svg_curves(history, title), lambda p: _png(history, p, title), empty)


def epoch_table(history, every: int | None = None, lang: str = "en"):
    """A rich renderable of the epochs: loss, accuracy (classification), held-out figures, the
    learning rate and seconds; on a terminal too narrow for all of them, the same table without
    the seconds, so that no number is cut short ("0.003…").

    Long runs show every `every`-th epoch (default: about 20 rows) and always the last one.
    """
    from gradtutor.render.fit import FitWidth

    return FitWidth(_epoch_table(history, every, lang, seconds=True), lambda: _epoch_table(history, every, lang, seconds=False),
                    wrapping=True)


def _epoch_table(history, every: int | None, lang: str, seconds: bool):
    from rich import box
    from rich.table import Table

    records = history.epochs
    every = every or max(1, len(records) // 20)
    shown = [r for r in records if (r.epoch - 1) % every == 0 or r is records[-1]]
    has_accuracy = any(r.accuracy is not None for r in records)
    has_validation = any(r.val_loss is not None for r in records)
    title = titles(lang)
    columns = [words(lang, "col_epoch"), words(lang, "col_loss")] + [words(lang, "col_accuracy")] * has_accuracy
    columns += ([title["val_loss"]] + [title["val_accuracy"]] * has_accuracy) * has_validation
    columns += [words(lang, "col_lr")] + [words(lang, "col_seconds")] * seconds
    rows = []
    for r in shown:
        row = [str(r.epoch), human(r.loss, 4)]
        if has_accuracy:
            row.append(percent(r.accuracy))
        if has_validation:
            row.append(human(r.val_loss, 4))
            if has_accuracy:
                row.append(percent(r.val_accuracy))
        rows.append(row + [human(r.lr, 4)] + [f"{r.seconds:.2f}"] * seconds)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for index, column in enumerate(columns):  # a number is never cut short: headers wrap instead
        table.add_column(column, justify="right", min_width=max((len(row[index]) for row in rows), default=0))
    for row in rows:
        table.add_row(*row)
    return table


# -- several runs on one plot ---------------------------------------------------------------------
def curve_plot(title: str, series, percent_axis: bool = False, height: int = 10, most: int = 100, lang: str = "en"):
    """Several curves on one plot: `series` is a list of (name, values per epoch); each curve is
    drawn in its own mark and colour, the y axis labelled at the top, middle and bottom, the
    epochs along x, a key under it. Drawn at the terminal's width (at most `most` columns)."""
    from rich.cells import cell_len
    from rich.text import Text

    from gradtutor.render.canvas import STYLES, Canvas, Fitted, marks

    series = [(name, [float(v) for v in values]) for name, values in series if values]
    mark = marks([name for name, _ in series])
    finite = [v for _, values in series for v in values if math.isfinite(v)] or [0.0]
    lo, hi = min(finite), max(finite)
    hi = hi if hi > lo else lo + 1.0
    label = (lambda v: f"{v:.0%}") if percent_axis else (lambda v: human(v, 3))
    epochs = max((len(values) for _, values in series), default=1)

    def draw(width: int):
        labels = [label(hi), label((lo + hi) / 2), label(lo)]
        pad = max(len(text) for text in labels) + 1
        columns = max(10, width - pad - 1)
        canvas = Canvas(columns, height)

        def cell(epoch: int, value: float) -> tuple[int, int]:
            column = 0 if epochs == 1 else round(epoch / (epochs - 1) * (columns - 1))
            return column, round((hi - value) / (hi - lo) * (height - 1))

        for index, (name, values) in enumerate(series):
            style = STYLES[index % len(STYLES)]
            cells = [cell(e, v) for e, v in enumerate(values) if math.isfinite(v)]
            for start, end in zip(cells, cells[1:]):
                canvas.line(start, end, mark[name], style)
            if len(cells) == 1:
                canvas.put(*cells[0], mark[name], style)
        middle = (height - 1) // 2
        prefixes = [(labels[0] if r == 0 else labels[1] if r == middle else labels[2] if r == height - 1 else "")
                    .rjust(pad - 1) + " │" for r in range(height)]
        out = Text(title + "\n", style="bold")
        out.append_text(canvas.text(prefixes))
        axis = " " * pad + "└" + "─" * columns
        last, name = str(epochs), words(lang, "curve_epoch_axis")
        gap = max(2, columns - len(last) - 1 - cell_len(name))
        scale = " " * (pad + 1) + "1" + " " * (gap // 2) + name + " " * (gap - gap // 2) + last
        out.append("\n" + axis + "\n" + scale + "\n", style="dim")
        for index, (name, _) in enumerate(series):
            out.append(f"{mark[name]} {name}", style=STYLES[index % len(STYLES)])
            out.append("   " if index < len(series) - 1 else "")
        return out

    return Fitted(draw, most)


@dataclass(frozen=True)
class Plot:
    """One plot of several runs' curves: its heading, (name, values per epoch) per curve, and
    whether its axis reads in percent. `curve_plot` draws it in the terminal, `curves_picture`
    (a stack of them) in a file."""

    heading: str
    series: tuple  # (name, values), one per run
    percent_axis: bool = False


def curves_picture(title: str, plots, lang: str = "en"):
    """The plots one above the other, each curve in its run's colour, each under its heading where
    one has one: a render.picture.Picture."""
    from gradtutor.render.canvas import SVG_COLOURS

    plots = [plot for plot in plots if any(values for _, values in plot.series)]
    panels = [[(name, SVG_COLOURS[i % len(SVG_COLOURS)], [float(v) for v in values])
               for i, (name, values) in enumerate(plot.series) if values] for plot in plots]
    epochs = max((len(values) for panel in panels for _, _, values in panel), default=1)
    headings = [plot.heading for plot in plots]
    shape = dict(headings=headings if any(headings) else (), x_label=words(lang, "curve_epoch_axis"),
                 percent_axes=[plot.percent_axis for plot in plots])
    return Picture("curves", lambda: svg_panels(panels, epochs, title, **shape),
                   lambda path: _png_panels(panels, epochs, path, title, **shape))


def save_several(panels, path, title: str = "runs") -> Path:
    """Write panels of several runs' curves: `panels` is a list of lists of (name, values);
    .svg (no dependency) or .png (matplotlib)."""
    return curves_picture(title, [Plot("", tuple(panel)) for panel in panels]).save(path)
