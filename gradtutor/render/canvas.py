"""A character grid to draw on: plots of several curves and contour maps with paths.

`Canvas(columns, rows)` holds one character and one style per cell; `line` draws a straight
segment between two cells, `text` returns the rows as a rich Text. `Fitted` is a renderable that
draws itself at the width the terminal offers (capped), so one view reads well at 60 columns and
at 100. Pure Python: nothing here needs numpy.
"""

from __future__ import annotations

# The marks and colours given to the curves or paths of one picture, in order. Letters are not
# used here: a path's mark is the first letter of its name where that is free (see marks()).
STYLES = ("blue", "red", "green", "magenta", "dark_orange", "cyan", "yellow", "bright_black")
SVG_COLOURS = ("#1f4e9c", "#c62828", "#2e7d32", "#8e24aa", "#ef6c00", "#00838f", "#9e9d24", "#555555")  # the same, in files


class Canvas:
    def __init__(self, columns: int, rows: int, fill: str = " "):
        self.columns, self.rows = columns, rows
        self.cells = [[fill] * columns for _ in range(rows)]
        self.styles: list[list[str | None]] = [[None] * columns for _ in range(rows)]

    def put(self, column: int, row: int, char: str, style: str | None = None) -> None:
        if 0 <= column < self.columns and 0 <= row < self.rows:
            self.cells[row][column] = char
            self.styles[row][column] = style

    def line(self, start: tuple[int, int], end: tuple[int, int], char: str, style: str | None = None) -> None:
        """Every cell on the straight segment from start to end (both included)."""
        (c0, r0), (c1, r1) = start, end
        count = max(abs(c1 - c0), abs(r1 - r0), 1)
        for i in range(count + 1):
            self.put(round(c0 + (c1 - c0) * i / count), round(r0 + (r1 - r0) * i / count), char, style)

    def text(self, prefixes: list[str] | None = None):
        """The grid as a rich Text, each row after its prefix (an axis label)."""
        from rich.text import Text

        out = Text()
        for index, (row, styles) in enumerate(zip(self.cells, self.styles)):
            if prefixes is not None:
                out.append(prefixes[index], style="dim")
            for char, style in zip(row, styles):
                out.append(char, style=style)
            if index < self.rows - 1:
                out.append("\n")
        return out


class Fitted:
    """A renderable drawn by `draw(width)` at the console's width, at most `most` columns."""

    def __init__(self, draw, most: int = 100):
        self.draw, self.most = draw, most

    def __rich_console__(self, console, options):
        yield self.draw(min(options.max_width, self.most))

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        width = min(options.max_width, self.most)
        return Measurement(width, width)


def marks(names) -> dict[str, str]:
    """A one-character mark per name: its first letter in capitals where no earlier name took
    it, else its first free capital, else its first free small letter, else a digit (sgd S,
    momentum M, nesterov N, adagrad A, rmsprop R, adadelta D, adam a)."""
    taken, found = set(), {}
    for index, name in enumerate(names):
        letters = [c.upper() for c in name if c.isalpha()] + [c.lower() for c in name if c.isalpha()]
        mark = next((c for c in letters if c not in taken), str(index + 1))
        taken.add(mark)
        found[name] = mark
    return found
