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

from gradtutor.render.curves import BLOCKS, svg_page
from gradtutor.render.fmt import written
from gradtutor.render.picture import Picture, pyplot_for


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
    return svg_histogram_groups(title, [("", histograms)], width, row_height)


def svg_histogram_groups(title: str, groups, width: int = 640, row_height: int = 48) -> str:
    """SVG text: stacks of histograms one under another, each (heading, histograms) under its
    heading (none where it is ""), with its range below it. The page widens for a long title."""
    from rich.cells import cell_len  # a Hangul character is about twice as wide as a Latin one

    left, right, top, heading_height = 60, 170, 40, 22
    width = max(width, left + 8 * cell_len(title))
    plot_w = width - left - right
    height = top + sum(len(rows) * row_height + 30 + heading_height * bool(heading) for heading, rows in groups)
    out = svg_page(width, height, title, left)
    for heading, histograms in groups:
        if heading:
            top += heading_height
            out.append(f'<text x="{left}" y="{top - 4}" font-weight="bold">{escape(heading)}</text>')
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
        top += len(histograms) * row_height + 30
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _png_groups(title: str, groups, path: Path) -> None:
    """One thin row per histogram, the range written under each stack's last row only; every
    row placed by hand (in inches), as a layout engine cannot fit forty rows."""
    pyplot = pyplot_for(path)
    width, row, gap, ticks, heading_room, title_room = 8.0, 0.34, 0.08, 0.3, 0.3, 0.6
    height = title_room + sum(heading_room * bool(heading) + len(rows) * (row + gap) + ticks for heading, rows in groups)
    figure = pyplot.figure(figsize=(width, height))
    figure.suptitle(title, fontsize=10, fontweight="bold", wrap=True, y=1 - 0.2 / height, va="top")
    top = title_room
    for heading, histograms in groups:
        top += heading_room * bool(heading)
        for i, h in enumerate(histograms):
            top += row
            ax = figure.add_axes((0.9 / width, 1 - top / height, 1 - 2.6 / width, row / height))
            step = (h.hi - h.lo) / max(len(h.counts), 1)
            ax.bar([h.lo + (k + 0.5) * step for k in range(len(h.counts))], h.counts, width=step, color="#1f4e9c")
            ax.set_yticks([])
            ax.set_ylabel(h.label, rotation=0, ha="right", va="center", fontsize=8)
            ax.set_xlim(h.lo, h.hi)
            last = i == len(histograms) - 1
            ax.tick_params(axis="x", labelsize=7, labelbottom=last, length=2 if last else 0)
            ax.text(1.01, 0.5, h.note, transform=ax.transAxes, va="center", fontsize=7)
            if heading and i == 0:
                ax.set_title(heading, fontsize=9, loc="left")
            top += gap
        top += ticks
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def histograms_picture(title: str, groups):
    """Stacks of histograms, (heading, histograms) each, as a render.picture.Picture."""
    groups = [(heading, list(histograms)) for heading, histograms in groups if histograms]
    return Picture("histograms", lambda: svg_histogram_groups(title, groups), lambda path: _png_groups(title, groups, path),
                   empty=None if groups else "there are no histograms to draw")


def save_histograms(title: str, histograms: list[Histogram], path) -> Path:
    """Write the histograms to `path`: .svg (no dependency) or .png (matplotlib)."""
    return histograms_picture(title, [("", histograms)]).save(path)
