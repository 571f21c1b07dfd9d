"""A rich table drawn without rich's per-cell machinery, where the text is the same.

rich renders every cell through padding, measuring and wrapping objects: about 0.3 ms a cell,
so the trace table of a 2,000-gate graph (20,000 cells) took seconds where its JSON takes a
fraction of one. `Quick(table)` draws the same table line by line from the cells' plain text
when nothing can differ: no colour to write (a file, a pipe, `color_system=None`), the table's
style is the one the terminal views use (`box.SIMPLE_HEAD`, no edge, collapsed padding), every
cell is plain text, and every column is as wide as its widest cell, so nothing wraps. Anywhere
else it hands the table to rich unchanged. The rules below are rich's own (rich/table.py,
padding.py, text.py), written for that one case; tests/test_render_quick_table.py checks the
output against rich's, character for character.
"""

from __future__ import annotations

from rich import box
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from gradtutor.render.cells import cell_len
from gradtutor.render.fit import Formula, longest_word

_MARKUP = ("[", ":", "\t")  # rich reads markup and emoji codes in str cells, and expands tabs


class Quick:
    """`table` (a rich Table), drawn quickly where the result is the same text (see the module)."""

    def __init__(self, table):
        self.table = table
        self._columns = None  # per column: its cells (see `_plain_column`), header first
        self._ranges = None  # per column: its (minimum, maximum) width as rich measures it

    def _cells(self):
        """Each column's cells (see `_plain_column`), or None where a cell is not plain text."""
        if self._columns is None:
            self._columns = [_plain_column(column) for column in self.table.columns] if _simple(self.table) else []
            if self._columns and None not in self._columns:
                self._ranges = [_column_range(column, cells, first=index == 0)
                                for index, (column, cells) in enumerate(zip(self.table.columns, self._columns))]
        return None if not self._columns or None in self._columns else self._columns

    def _widths(self, max_width: int) -> tuple[list[int], list[int]] | None:
        """Each column's (minimum, maximum) width as rich measures it, padding included, where the
        table fits `max_width` with every column at its widest (a column capped by `max_width` wraps)."""
        if self._cells() is None:
            return None
        minimums, maximums = (list(side) for side in zip(*self._ranges))
        if sum(maximums) + len(maximums) - 1 > max_width:
            return None
        return minimums, maximums

    def __rich_measure__(self, console, options):
        widths = self._widths(options.max_width) if console.color_system is None else None
        if widths is None:
            return Measurement.get(console, options, self.table)
        extra = len(widths[0]) - 1
        return Measurement(sum(widths[0]) + extra, sum(widths[1]) + extra)

    def __rich_console__(self, console, options):
        widths = self._widths(options.max_width) if console.color_system is None else None
        if widths is None:
            yield self.table
            return
        yield from self._draw(console, options, widths[1])

    def _draw(self, console, options, widths: list[int]):
        table = self.table
        table_width = sum(widths) + len(widths) - 1
        frame = table.box.substitute(options, safe=table.safe_box if table.safe_box is not None else console.safe_box)
        annotation_options = options.update(width=table_width, highlight=table.highlight, height=None)
        if table.title:
            yield from _annotation(console, annotation_options, table.title, table.title_style, "table.title",
                                   table.title_justify)
        columns = list(zip(*self._columns))
        new_line = Segment.line()
        for index, row in enumerate(columns):
            lines = [
                _cell_lines(console, options, column, cell, width, first=number == 0)
                for number, (column, cell, width) in enumerate(zip(table.columns, row, widths))
            ]
            height = max(len(cell) for cell in lines)
            if index == 0:  # rich aligns the header's cells at the bottom, the others at the top
                lines = [[" " * width] * (height - len(cell)) + cell for cell, width in zip(lines, widths)]
            for line_no in range(height):
                yield Segment(" ".join(
                    cell[line_no] if line_no < len(cell) else " " * width for cell, width in zip(lines, widths)
                ))
                yield new_line
            if index == 0:
                yield Segment(frame.get_row(widths, "head", edge=False))
                yield new_line
            elif index < len(columns) - 1 and table.rows[index - 1].end_section:
                yield Segment(frame.get_row(widths, "row", edge=False))
                yield new_line
        if table.caption:
            yield from _annotation(console, annotation_options, table.caption, table.caption_style, "table.caption",
                                   table.caption_justify)


def _simple(table) -> bool:
    """Whether the table has the one style `Quick` draws (the terminal views' `_table`)."""
    return (
        table.box is box.SIMPLE_HEAD and not table.show_edge and table.collapse_padding and table.pad_edge
        and tuple(table.padding) == (0, 1, 0, 1) and table.show_header and not table.show_footer
        and not table.show_lines and not table.leading and not table.expand and table.width is None
        and table.min_width is None and table.rows
        and all(column.width is None and not column.ratio and column.justify in ("left", "right", "center")
                for column in table.columns)
    )


def _column_range(column, cells, first: bool) -> tuple[int, int]:
    """The column's (minimum, maximum) width as rich measures it, padding included: the widest cell's
    longest word and longest line, clamped by the column's min_width and max_width."""
    padding = 2 if first else 1  # rich pads the first column on both sides, then one space after each
    widest = max(width for _, _, width, _ in cells)
    shortest = max(min(word, width) for _, word, width, _ in cells)
    low, high = shortest + padding, widest + padding
    if column.min_width is not None:  # rich clamps with its padding width, 1 in every column
        low, high = max(low, column.min_width + 1), max(high, column.min_width + 1)
    if column.max_width is not None:  # a wider cell wraps (see _draw)
        low, high = min(low, column.max_width + 1), min(high, column.max_width + 1)
    return low, high or 1


def _plain_column(column):
    """The column's header and cells as (lines, longest word, longest line, cell), or None if one is
    not plain text."""
    cells = []
    for cell in (column.header, *column._cells):
        if isinstance(cell, Formula):
            plain, word = cell.text.plain, longest_word(cell.text.plain)
        elif isinstance(cell, Text) and cell.justify is None and cell.overflow is None and cell.no_wrap is None:
            plain = cell.plain
            word = max((cell_len(w) for w in plain.split()), default=0)
        elif isinstance(cell, str) and not any(mark in cell for mark in _MARKUP):
            plain = cell
            word = max((cell_len(w) for w in plain.split()), default=0)
        else:
            return None
        if "\t" in plain:
            return None
        lines = plain.split("\n") if plain else []
        cells.append((lines, word, max((cell_len(line) for line in lines), default=0), cell))
    return cells


def _cell_lines(console, options, column, cell, width: int, first: bool) -> list[str]:
    """A cell's lines as rich pads them: one space before (first column only) and after, the
    text justified in the rest; an empty cell is one blank line. A cell wider than its column
    (one capped by `max_width`) is wrapped by rich itself."""
    lines, _, widest, renderable = cell
    left = 1 if first else 0
    inner = width - left - 1
    justify = column.justify
    if widest > inner and isinstance(renderable, Formula) and justify == "left" and not lines[-1:] == [""]:
        return [" " * left + line + " " for line in renderable.plain_lines(inner)]
    if widest > inner:
        wrapped = console.render_lines(renderable, options.update(
            width=inner, justify=justify, no_wrap=column.no_wrap, overflow=column.overflow, height=None,
            highlight=column.highlight,
        ))
        return [" " * left + "".join(segment.text for segment in line) + " " for line in wrapped]
    out = []
    for line in lines or [""]:
        if justify == "left":
            text = line + " " * (inner - cell_len(line))
        else:
            line = line.rstrip()
            space = inner - cell_len(line)
            text = " " * space + line if justify == "right" else " " * (space // 2) + line + " " * (space - space // 2)
        out.append(" " * left + text + " ")
    return out


def _annotation(console, options, text, style, default_style: str, justify):
    """A title or caption, as rich's Table draws it."""
    style = Style.pick_first(style, default_style)
    # No emoji codes: a title is the views' words and the circuit's names and numbers, and looking
    # codes up imports rich's table of every emoji, at every start.
    renderable = console.render_str(text, style=style, highlight=False, emoji=False) if isinstance(text, str) else text
    return console.render(renderable, options=options.update(justify=justify))
