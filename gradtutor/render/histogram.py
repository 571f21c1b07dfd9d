"""Histograms: drawn in the terminal, one row of block characters per histogram, or saved as SVG
(hand-written) or PNG (matplotlib, the `plot` extra, imported only for a PNG).

A `Histogram` is plain counts over equal bins between `lo` and `hi`, with a label ("3") and a
note ("std 0.21") written beside it. `terminal_histograms` returns a rich renderable that fits
the console it is printed on: where the bins do not fit, neighbouring bins are merged (48 bins
become 24, 16, 12 …), so an 80- and a 60-column terminal show the same shape. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from gradtutor.render.curves import BLOCKS, pyplot_for, save_plot, svg_page
from gradtutor.render.fmt import written


@dataclass(frozen=True)
class Histogram:
    label: str  # what it is of: a layer's number, a name
    counts: tuple[int, ...]  # per bin, lowest bin first
    lo: float  # the left edge of the first bin …
    hi: float  # … and the right edge of the last
    note: str = ""  # written after the bars: "std 0.21  sat. 3%"


def merged(counts, columns: int) -> list[int]:
    """The counts in at most `columns` bins: neighbours summed, by the smallest factor that divides
    the number of bins (48 → 24 → 16 → 12 …), so every column covers the same range."""
    counts = list(counts)
    n = len(counts)
    for factor in range(1, n + 1):
        if n % factor == 0 and n // factor <= max(columns, 1):
            return [sum(counts[i : i + factor]) for i in range(0, n, factor)]
    return [sum(counts)]


def bars(counts) -> str:
    """One row of block characters, each bin's height relative to the fullest bin; an empty bin is
    a blank, a bin with anything in it at least the lowest block (a thin tail stays visible)."""
    top = max(counts, default=0) or 1
    levels = len(BLOCKS) - 1
    return "".join(BLOCKS[0 if c == 0 else max(1, round(c / top * levels))] for c in counts)


class Histograms:
    """A titled stack of histograms over one range, one row each, with the range's ends below."""

    def __init__(self, title: str, histograms: list[Histogram]):
        self.title = title
        self.histograms = list(histograms)

    def lines(self, width: int) -> list[str]:
        from rich.cells import cell_len  # Korean notes take two columns a character

        label_width = max((cell_len(h.label) for h in self.histograms), default=0)
        note_width = max((cell_len(h.note) for h in self.histograms), default=0)
        room = max(4, width - label_width - note_width - 4)
        lines = [self.title]
        columns = 1
        for h in self.histograms:
            row = bars(merged(h.counts, room))
            columns = len(row)
            lines.append(" " * (label_width - cell_len(h.label)) + f"{h.label} │{row}│ {h.note}".rstrip())
        if self.histograms:
            first = self.histograms[0]
            lo, hi = written(first.lo, 3), written(first.hi, 3)
            gap = max(1, columns + 2 - len(lo) - len(hi))
            lines.append(" " * (label_width + 1) + lo + " " * gap + hi)
        return lines

    def __rich_console__(self, console, options):
        from rich.text import Text

        lines = self.lines(options.max_width)
        yield Text(lines[0], style="bold")
        for line in lines[1:]:
            yield Text(line)


def terminal_histograms(title: str, histograms: list[Histogram]) -> Histograms:
    """A rich renderable: the title, one row of bars per histogram (label, bars, note), the range."""
    return Histograms(title, histograms)


def svg_histograms(title: str, histograms: list[Histogram], width: int = 640, row_height: int = 48) -> str:
    """SVG text: one row of bars per histogram, labelled on the left, its note on the right."""
    left, right, top = 60, 170, 40
    plot_w = width - left - right
    height = top + len(histograms) * row_height + 30
    out = svg_page(width, height, title, left)
    for row, h in enumerate(histograms):
        base = top + (row + 1) * row_height - 6
        peak = max(h.counts, default=0) or 1
        bin_w = plot_w / max(len(h.counts), 1)
        out.append(f'<text x="{left - 8}" y="{base - 4}" text-anchor="end">{escape(h.label)}</text>')
        for i, count in enumerate(h.counts):
            if count:
                bar_h = count / peak * (row_height - 10)
                out.append(f'<rect x="{left + i * bin_w:.1f}" y="{base - bar_h:.1f}" width="{bin_w:.1f}" '
                           f'height="{bar_h:.1f}" fill="#1f4e9c"/>')
        out.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#888888"/>')
        out.append(f'<text x="{left + plot_w + 8}" y="{base - 4}">{escape(h.note)}</text>')
    if histograms:
        y = top + len(histograms) * row_height + 12
        out.append(f'<text x="{left}" y="{y}" text-anchor="middle">{written(histograms[0].lo, 3)}</text>')
        out.append(f'<text x="{left + plot_w}" y="{y}" text-anchor="middle">{written(histograms[0].hi, 3)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _png(title: str, histograms: list[Histogram], path: Path) -> None:
    pyplot = pyplot_for(path)
    figure, axes = pyplot.subplots(len(histograms), 1, figsize=(6.4, 0.8 * len(histograms) + 0.6), squeeze=False)
    for ax, h in zip(axes[:, 0], histograms):
        step = (h.hi - h.lo) / max(len(h.counts), 1)
        ax.bar([h.lo + (i + 0.5) * step for i in range(len(h.counts))], h.counts, width=step, color="#1f4e9c")
        ax.set_yticks([])
        ax.set_ylabel(h.label, rotation=0, ha="right", va="center")
        ax.set_xlim(h.lo, h.hi)
        ax.text(1.01, 0.5, h.note, transform=ax.transAxes, va="center", fontsize=8)
    axes[0, 0].set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def save_histograms(title: str, histograms: list[Histogram], path) -> Path:
    """Write the histograms to `path`: .svg (no dependency) or .png (matplotlib)."""
    empty = None if histograms else "there are no histograms to draw"
    return save_plot(path, "histograms", lambda: svg_histograms(title, histograms), lambda p: _png(title, histograms, p), empty)
