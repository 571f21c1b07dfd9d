"""Screens of plain text (tables of words and numbers, a heading) that write themselves out
without rich where rich would write the same characters.

`gradtutor lessons`, `gradtutor progress` and `gradtutor trace` show a table or two of words and
numbers: importing rich's console and table machinery and drawing the cells through it took about
half of those commands' start-up (benchmarks/startup.py). A `PlainTable`, `Line` or `Stack` is, for
rich, the renderable it always was (`__rich__`); `Either` pairs such a screen with the rich
renderable drawn where it stands aside (the trace's narrow layout). Where rich would write no
colour codes (output to a pipe or a file: `writes_plain`) `plain_lines` gives the same characters,
and on a terminal (`terminal_width`) `styled_lines` gives what rich draws there when everything
fits the width: the same text with the title in italic, the headers in bold, a column's colour and
a cell's coloured `Pieces` (a gradient in red) written with rich's escape codes, piece by piece as
rich splits them. A table of words (str cells, no column options: the lesson list) wider than the
terminal is narrowed and wrapped as rich does it (the widest columns first, words onto the next
line), except that a line of Hangul is not cut with "…" where only its break's space overflows
(rich counts that space in characters, not cells: "매개변 …" for "매개변수" at 80 columns); any
other screen wider than the terminal, a cell wider than its column, and a word rich would cut
with "…" stay rich's business. Anything it is not sure of (a cell rich would read
as markup or an emoji code, a tab, a line break in a str cell, an empty table, a highlighted row,
a style not written here) it leaves to rich. The rules are rich's own (rich/table.py, padding.py,
text.py, style.py) for this one style: `box.SIMPLE_HEAD`, no edge, one space of padding (or
collapsed padding), columns as wide as their widest cell within their min_width and max_width.
tests/test_render_plain.py and test_render_plain_trace.py check the text against rich's,
character for character.
"""

from __future__ import annotations

import builtins
import os
import re
import sys

from gradtutor.render.cells import cell_len as _width  # rich's count, without rich's console

# What rich would read in a str cell as an emoji code (":smile:"); "[" would be markup, and any
# character that is not printable it would lay out differently (tabs, line breaks, control
# characters). Searched only in text with a colon: compiling it took longer than this module.
_EMOJI_CODE = r":\S*?:"


def _plain(text: str) -> bool:
    if "[" in text or not text.isprintable() or text != text.strip():
        return False
    return ":" not in text or re.search(_EMOJI_CODE, text) is None




# Plain classes, not dataclasses: making a dataclass takes longer than the rest of this module.
class Pieces:
    """Text in pieces, each with its style or None, as rich's `Text.assemble` takes them: a cell
    with a gradient in red, say. `formula`: rich draws it as a render.fit.Formula (wrapped at
    words, each formula kept on one line), which keeps the pieces' styles."""

    __slots__ = ("pieces", "formula")

    def __init__(self, *pieces: tuple[str, str | None], formula: bool = False):
        self.pieces, self.formula = pieces, formula

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def __rich__(self):
        from rich.text import Text

        text = Text.assemble(*self.pieces)
        if not self.formula:
            return text
        from gradtutor.render.fit import Formula

        return Formula(text)


class PlainTable:
    """A table of text cells in the terminal views' style (box.SIMPLE_HEAD, no edge).

    A column is (header, "left" or "right") or (header, justify, options): options are rich's
    `add_column` keywords (style, min_width, max_width, no_wrap, overflow). A cell is a str or
    `Pieces`. `collapse_padding`, a row's `style` and `end_section`, and the `caption` are rich's."""

    __slots__ = ("title", "columns", "rows", "collapse_padding", "caption", "row_styles", "section_ends")

    def __init__(self, title: str | None, columns: list[tuple], rows: list[tuple] | None = None,
                 collapse_padding: bool = False):
        self.title = title
        self.columns = columns
        self.rows = [] if rows is None else rows
        self.collapse_padding = collapse_padding
        self.caption = None  # left-justified under the table
        self.row_styles: dict[int, str] = {}  # row number -> its style
        self.section_ends: set[int] = set()  # rows with a blank line under them

    def add_row(self, *cells, style: str | None = None, end_section: bool = False) -> None:
        if style:
            self.row_styles[len(self.rows)] = style
        if end_section:
            self.section_ends.add(len(self.rows))
        self.rows.append(cells)

    def __rich__(self):
        return self.rich_table()

    def rich_table(self):
        """The rich Table these cells and options make (the one rich draws where the plain lines stand aside)."""
        from rich import box
        from rich.table import Table

        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                      collapse_padding=self.collapse_padding)
        for header, justify, *options in self.columns:
            table.add_column(header, justify=justify, **(options[0] if options else {}))
        for number, row in enumerate(self.rows):
            table.add_row(*(cell.__rich__() if isinstance(cell, Pieces) else cell for cell in row),
                          style=self.row_styles.get(number), end_section=number in self.section_ends)
        if self.caption is not None:
            table.caption, table.caption_justify = self.caption, "left"
        return table

    def plain_lines(self) -> list[str] | None:
        """The lines rich draws, where every cell is plain text; else None."""
        return self._lines(None)

    def styled_lines(self, width: int) -> list[str] | None:
        """The lines rich draws on a terminal `width` columns wide (title in italic, headers in
        bold, cells in their columns' and pieces' colours), where every cell is plain text and
        the table fits; else None."""
        return self._lines(width)

    def _lines(self, terminal: int | None) -> list[str] | None:
        columns = self.columns
        if not self.rows or any(len(row) != len(columns) for row in self.rows) or self.row_styles:
            return None
        grid = [[_cell_lines(header, header=True) for header, *_ in columns], *([_cell_lines(cell) for cell in row] for row in self.rows)]
        if any(cell is None for row in grid for cell in row):
            return None
        for text in (self.title, self.caption):
            if text is not None and not (text and _plain(text)):
                return None
        # Each cell has a space of padding on either side (with collapsed padding, only the first
        # column keeps the one before), and columns are divided by a space; min_width and max_width
        # count one space of padding (two where it is not collapsed), as rich measures a column.
        pads = [(1 if index == 0 or not self.collapse_padding else 0, 1) for index in range(len(columns))]
        counted_padding = 1 if self.collapse_padding else 2
        widths, styles = [], []
        for index, (_, justify, *options) in enumerate(columns):
            options = options[0] if options else {}
            natural = max(_width(_joined(line)) for row in grid for line in row[index])
            left, right = pads[index]
            width = natural + left + right
            if options.get("min_width") is not None:
                width = max(width, options["min_width"] + counted_padding)
            if options.get("max_width") is not None:
                width = min(width, options["max_width"] + counted_padding)
            style = _code(options.get("style"))
            if justify not in ("left", "right") or natural > width - left - right or style is None:
                return None  # rich would wrap the cell (or centre it, or style it otherwise)
            if style and any(len(line) > 1 or line[0][1] for row in grid[1:] for line in row[index]):
                return None  # pieces in a coloured column: rich splits the colour at each piece
            widths.append(width)
            styles.append(style)
        table_width = sum(widths) + len(widths) - 1
        if terminal is not None and table_width > terminal:
            # rich narrows the columns to the terminal and wraps their cells: drawn here for
            # columns of words (str cells, no column options), as the lesson list has.
            if any(options for _, _, *options in columns) or not all(isinstance(cell, str) for row in self.rows for cell in row):
                return None
            if terminal - (len(widths) - 1) < 1:
                return None
            widths = _narrowed(widths, terminal - (len(widths) - 1))
            if any(width - left - right < 1 for width, (left, right) in zip(widths, pads)):
                return None
            table_width = sum(widths) + len(widths) - 1
            grid = [[_wrapped(cell, width - left - right, justify) for cell, width, (left, right), (_, justify, *_)
                     in zip(row, widths, pads, columns)] for row in grid]
            if any(cell is None for row in grid for cell in row):
                return None
        for text in (self.title, self.caption):
            if text is not None and _width(text) > table_width:
                return None  # rich wraps a title or a caption to the table's width
        lines = [] if self.title is None else [_styled(ITALIC, self.title + " " * (table_width - _width(self.title)), terminal)]
        for number, row in enumerate(grid):
            header = number == 0
            drawn = [_cell(cell, width, pad, justify, BOLD if header else style, terminal)
                     for cell, width, pad, (_, justify, *_), style in zip(row, widths, pads, columns, styles)]
            height = max(len(cell) for cell in drawn)
            for cell, width, style in zip(drawn, widths, styles):
                blank = [_styled(BOLD if header else style, " " * width, terminal)] * (height - len(cell))
                if header:  # rich aligns the header at the bottom, the rest at the top
                    cell[:0] = blank
                else:
                    cell += blank
            lines += [" ".join(cell[line] for cell in drawn) for line in range(height)]
            if header:
                lines.append("─" * table_width)
            elif number - 1 in self.section_ends and number < len(grid) - 1:
                lines.append(" " * table_width)
        if self.caption is not None:
            lines.append(_styled(DIM_ITALIC, self.caption + " " * (table_width - _width(self.caption)), terminal))
        return lines


def _narrowed(widths: list[int], max_width: int) -> list[int]:
    """Column widths (padding included) brought down to `max_width` as rich's Table does for
    columns that may all wrap (rich/table.py `_collapse_widths`, then its last resort): the widest
    columns first, down to the next widest, then every column alike."""
    widths = [min(width, max_width) or 1 for width in widths]  # rich measures each column within the width
    excess = sum(widths) - max_width
    while excess > 0:
        widest = max(widths)
        next_widest = max(width if width != widest else 0 for width in widths)
        if widest == next_widest:
            break
        ratios = [1 if width == widest else 0 for width in widths]
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - next_widest)] * len(widths), widths)
        excess = sum(widths) - max_width
    if excess > 0:
        widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """rich's ratio_reduce (rich/_ratio.py): `total` taken off `values` in proportion to `ratios`,
    at most `maximums` from each."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    reduced = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * total / total_ratio))
            reduced.append(value - taken)
            total -= taken
            total_ratio -= ratio
        else:
            reduced.append(value)
    return reduced


_WORD = r"\s*\S+\s*"  # a word and the spaces after it, as rich/_wrap.py reads words


def _breaks(text: str, width: int) -> list[int]:
    """Where rich's `divide_line(text, width, fold=False)` (rich/_wrap.py) breaks a line: before
    each word that does not fit the rest of the line (a word wider than the line on one of its own)."""
    breaks, column = [], 0
    for word in re.finditer(_WORD, text):
        start, length = word.start(), _width(word.group().rstrip())
        if width - column >= length:
            column += _width(word.group())
        elif length > width or column and start:
            if start:
                breaks.append(start)
            column = _width(word.group())
    return breaks


def _wrapped(lines, width: int, justify: str):
    """A str cell's lines wrapped to `width` as rich's Text.wrap does in a table column (words
    onto the next line), each line justified to `width`; None where rich would cut a line with
    "…" (a word wider than the column: rich's default overflow for a column). One difference, on
    purpose: a line of wide characters is not cut where only its break's space overflows."""
    wrapped = []
    for line in lines:
        text = _joined(line)
        offsets = _breaks(text, width)
        for start, end in zip([0, *offsets], [*offsets, len(text)]):
            piece = text[start:end]
            if justify == "right" or _width(piece) > width:
                # A right-justified line loses its trailing spaces; any line, the spaces a break
                # leaves past the width. rich counts those in characters, not cells, so a line of
                # Hangul ending in its break's space comes out one cell too wide and rich cuts its
                # last word with "…" ("매개변수 수…" for "매개변수 수,"): here the line keeps its
                # words, as rich means it to.
                piece = piece.rstrip()
            if _width(piece) > width:
                return None  # rich cuts it with "…": what is cut off stays rich's business
            fill = " " * (width - _width(piece))
            wrapped.append([(piece + fill if justify == "left" else fill + piece, "")])
    return wrapped


def _cell_lines(cell, header: bool = False) -> list[list[tuple[str, str]]] | None:
    """A cell's lines, each a list of (text, escape code or "") pieces; None where rich might read
    the text otherwise (markup, control characters, spaces around a line) or its style is not one
    written here. Lines of a str cell are the views' headers' alone ("Gate\\npattern"); a body
    cell of lines is `Pieces`."""
    if isinstance(cell, str):
        if "\n" in cell and not header:
            return None
        pieces = ((cell, None),)
    elif isinstance(cell, Pieces):
        pieces = cell.pieces
    else:
        return None
    lines = [[]]
    for text, style in pieces:
        code = _code(style)
        if code is None:
            return None
        for number, part in enumerate(text.split("\n")):
            if number:
                lines.append([])
            if part:
                lines[-1].append((part, code))
    if not all(_plain(_joined(line)) for line in lines if line):
        return None
    return [line or [("", "")] for line in lines]


def _joined(line) -> str:
    return "".join(text for text, _ in line)


def _cell(lines, width: int, pad: tuple[int, int], justify: str, style: str, terminal: int | None) -> list[str]:
    """A cell's lines as rich draws them in a column `width` wide: padding, then the text
    justified; in `style` (a column's colour, a header's bold) piece by piece as rich splits it."""
    left, right = pad
    drawn = []
    for line in lines:
        fill = " " * (width - left - right - _width(_joined(line)))
        if style:  # one piece (see PlainTable._lines): rich colours the text with its fill, then the padding
            text = _joined(line) + fill if justify == "left" else fill + _joined(line)
            inside = _styled(style, text, terminal)
        else:
            text = "".join(_styled(code, part, terminal) for part, code in line)
            inside = text + fill if justify == "left" else fill + text
        drawn.append(_styled(style, " " * left, terminal) + inside + _styled(style, " " * right, terminal))
    return drawn


# The escape codes rich writes for the styles these screens use (rich/style.py), and the reset.
BOLD, ITALIC, DIM_ITALIC, RESET = "\x1b[1m", "\x1b[3m", "\x1b[2;3m", "\x1b[0m"
_ATTRIBUTES = {"bold": "1", "dim": "2", "italic": "3", "reverse": "7"}  # in rich's order
_COLOURS = {"red": "31", "green": "32"}


def _code(style: str | None) -> str | None:
    """The escape code rich writes for `style` on a terminal ("" for none; NO_COLOR drops the
    colour, as rich does); None for a style not read here."""
    if not style:
        return ""
    words = style.split()
    if any(word not in _ATTRIBUTES and word not in _COLOURS for word in words) or len(set(words)) < len(words) \
            or sum(word in _COLOURS for word in words) > 1:
        return None
    codes = [_ATTRIBUTES[word] for word in _ATTRIBUTES if word in words]
    if os.environ.get("NO_COLOR", "") == "":
        codes += [_COLOURS[word] for word in words if word in _COLOURS]
    return f"\x1b[{';'.join(codes)}m" if codes else ""


def _styled(style: str, text: str, terminal: int | None) -> str:
    """`text` in `style` as rich writes it on a terminal (nothing around an empty text); as it is elsewhere."""
    return style + text + RESET if terminal is not None and text and style else text


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


class Either:
    """A screen rich draws as `rich()` (made once, when rich needs it) and these lines draw as
    `plain` (a PlainTable, Line or Stack of the same cells) where they can: the trace's tables,
    whose rich form is laid out anew on a narrow terminal."""

    __slots__ = ("plain", "_rich", "_made")

    def __init__(self, plain, rich):
        self.plain, self._rich, self._made = plain, rich, None

    def __rich__(self):
        if self._made is None:
            self._made = self._rich()
        return self._made

    def plain_lines(self) -> list[str] | None:
        return None if self.plain is None else plain_lines(self.plain)

    def styled_lines(self, width: int) -> list[str] | None:
        return None if self.plain is None else styled_lines(self.plain, width)


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
