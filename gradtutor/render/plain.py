"""Small screens of plain text (a table of words and numbers, a heading) that write themselves out
without rich where rich would write the same characters.

`gradtutor lessons` and `gradtutor progress` show a table or two of plain words: importing rich's
console and table machinery and drawing the cells through it took about half of those commands'
start-up (benchmarks/startup.py). A `PlainTable`, `Line` or `Stack` is, for rich, the renderable
it always was (`__rich__`); where rich would write no colour codes (output to a pipe or a file:
`writes_plain`) `plain_lines` gives the same characters, and on a terminal (`terminal_width`)
`styled_lines` gives what rich draws there when everything fits the width: the same text with the
title in italic and the headers in bold. A screen wider than the terminal stays rich's business
(it narrows columns and wraps cells). Anything it is not sure of (a cell rich would read as markup or an emoji
code, a tab, a line break, an empty table) it leaves to rich. The rules are rich's own (rich/table.py,
padding.py, text.py) for this one style: `box.SIMPLE_HEAD`, no edge, one space of padding,
columns as wide as their widest cell. tests/test_render_plain.py checks the text against rich's,
character for character.
"""

from __future__ import annotations

import builtins
import os
import re
import sys

from gradtutor.render.cells import cell_len as _width  # rich's count, without rich's console

# What rich would read in a str cell as markup ("[b]") or an emoji code (":smile:"); any other
# character it would lay out differently (tabs, line breaks, control characters).
_NOT_PLAIN = re.compile(r"\[|:\S*?:|[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _plain(text: str) -> bool:
    return _NOT_PLAIN.search(text) is None and text == text.strip()




# Plain classes, not dataclasses: making a dataclass takes longer than the rest of this module.
class PlainTable:
    """A table of text cells in the terminal views' style (box.SIMPLE_HEAD, no edge)."""

    __slots__ = ("title", "columns", "rows")

    def __init__(self, title: str | None, columns: list[tuple[str, str]], rows: list[tuple[str, ...]] | None = None):
        self.title = title
        self.columns = columns  # (header, "left" or "right")
        self.rows = [] if rows is None else rows

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)

    def __rich__(self):
        from rich import box
        from rich.table import Table

        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        for header, justify in self.columns:
            table.add_column(header, justify=justify)
        for row in self.rows:
            table.add_row(*row)
        return table

    def plain_lines(self) -> list[str] | None:
        """The lines rich draws, where every cell is plain text; else None."""
        return self._lines(None)

    def styled_lines(self, width: int) -> list[str] | None:
        """The lines rich draws on a terminal `width` columns wide (title in italic, headers in
        bold), where every cell is plain text and the table fits; else None."""
        return self._lines(width)

    def _lines(self, terminal: int | None) -> list[str] | None:
        cells = [*(header for header, _ in self.columns), *(cell for row in self.rows for cell in row)]
        if not self.rows or any(len(row) != len(self.columns) for row in self.rows):
            return None
        if not all(isinstance(cell, str) and (cell == "" or _plain(cell)) for cell in cells):
            return None
        if self.title is not None and not (self.title and _plain(self.title)):
            return None
        grid = [[header for header, _ in self.columns], *self.rows]
        widths = [max(_width(row[index]) for row in grid) for index in range(len(self.columns))]
        # Each cell has a space of padding on either side, and columns are divided by a space.
        table_width = sum(widths) + 3 * len(widths) - 1
        if self.title is not None and _width(self.title) > table_width:
            return None  # rich wraps a title to the table's width
        if terminal is not None and table_width > terminal:
            return None  # rich narrows the columns to the terminal, wrapping cells
        lines = [] if self.title is None else [_styled(ITALIC, self.title + " " * (table_width - _width(self.title)), terminal)]
        for number, row in enumerate(grid):
            padded = [cell + " " * (width - _width(cell)) if justify == "left" else " " * (width - _width(cell)) + cell
                      for cell, width, (_, justify) in zip(row, widths, self.columns)]
            if number == 0 and terminal is not None:  # rich styles the padding and the text apart
                lines.append(" ".join(_styled(BOLD, " ", terminal) + _styled(BOLD, cell, terminal) + _styled(BOLD, " ", terminal)
                                      for cell in padded))
            else:
                lines.append(" ".join(" " + cell + " " for cell in padded))
            if number == 0:
                lines.append("─" * table_width)
        return lines


# The escape codes rich writes for the only two styles these screens use (rich/style.py), and the reset.
BOLD, ITALIC, RESET = "\x1b[1m", "\x1b[3m", "\x1b[0m"


def _styled(style: str, text: str, terminal: int | None) -> str:
    """`text` in `style` as rich writes it on a terminal (nothing around an empty text); as it is elsewhere."""
    return style + text + RESET if terminal is not None and text else text


class Line:
    """One line of text, bold in a terminal."""

    __slots__ = ("text", "bold")

    def __init__(self, text: str, bold: bool = False):
        self.text, self.bold = text, bold

    def __rich__(self):
        from rich.text import Text

        return Text(self.text, style="bold" if self.bold else "")

    def plain_lines(self) -> list[str] | None:
        return [self.text] if self.text == "" or _plain(self.text) else None

    def styled_lines(self, width: int) -> list[str] | None:
        if self.text != "" and not _plain(self.text) or _width(self.text) > width:
            return None  # rich would wrap a line longer than the terminal
        return [_styled(BOLD, self.text, width) if self.bold else self.text]


class Stack:
    """Screens one under the other."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple):
        self.parts = parts

    def __rich__(self):
        from rich.console import Group

        return Group(*self.parts)

    def plain_lines(self) -> list[str] | None:
        return self._lines(plain_lines)

    def styled_lines(self, width: int) -> list[str] | None:
        return self._lines(lambda part: styled_lines(part, width))

    def _lines(self, lines_of) -> list[str] | None:
        lines = []
        for part in self.parts:
            found = lines_of(part)
            if found is None:
                return None
            lines += found
        return lines


def plain_lines(renderable) -> list[str] | None:
    """The lines rich prints of `renderable` without colour, where they are plain to see: a
    PlainTable, Line or Stack of plain text, or a str of one plain line; else None."""
    if isinstance(renderable, str):
        return [renderable] if _plain(renderable) else None
    lines = getattr(renderable, "plain_lines", None)
    return lines() if lines is not None else None


def styled_lines(renderable, width: int) -> list[str] | None:
    """The lines rich prints of `renderable` on a terminal `width` columns wide, where they are
    plain text in bold and italic: a PlainTable, Line or Stack of plain text that fits; else None
    (a str is left to rich, which colours the numbers in it)."""
    lines = getattr(renderable, "styled_lines", None)
    return lines(width) if lines is not None else None


def writes_plain(file) -> bool:
    """Whether rich's Console() writing to `file` would write plain text (no colour codes, box
    lines as drawn here): not a terminal, and nothing in the environment says otherwise (rich's
    own rules, rich/console.py). Where unsure, False: rich decides."""
    return _read_as_rich_does(file) and _is_terminal(file) is False


def terminal_width(file) -> int | None:
    """The width rich's Console() gives a terminal `file` where it would draw these screens with
    their styles and no more (a terminal that is not dumb, nothing in the environment saying
    otherwise; rich's own rules, rich/console.py); None where it is not such a terminal or unsure."""
    if not _read_as_rich_does(file) or os.environ.keys() & {"JUPYTER_COLUMNS", "JUPYTER_LINES"}:
        return None
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown") or _is_terminal(file) is not True:
        return None
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = None
    for descriptor in (0, 1, 2):  # rich asks stdin, stdout, stderr in turn
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


def _read_as_rich_does(file) -> bool:
    """Whether rich's Console() decides about `file` by the rules read here: not on Windows, not a
    file rich wraps, not in IPython, nothing in the environment forcing a terminal, UTF text."""
    if sys.platform == "win32" or file is None or hasattr(file, "rich_proxied_file") or hasattr(builtins, "get_ipython"):
        return False
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return False
    return (getattr(file, "encoding", "utf-8") or "utf-8").lower().startswith("utf")


def _is_terminal(file) -> bool | None:
    """file.isatty(); None where it cannot say."""
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):
        return None
