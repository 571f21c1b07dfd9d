"""Fitting the terminal views into the width they are given, without cutting anything off.

Five pieces, each for one kind of content:

- `FitWidth`: a table where it fits, else another layout of the same cells (a narrow or a stacked
  one): a table squeezed below its width would cut matrices and words with "…".
- `Block`: preformatted lines (a matrix) that are never wrapped; where they do not fit, the block
  is replaced by its text in words (a matrix by its shape), never cropped.
- `Formula`: text that wraps at words but not inside a formula: "tanh scales by 1 − z²" breaks
  before "1 − z²", not inside it.
- `Prose`: sentences wrapped at words, but never with a line that starts "= 4" or "+ y":
  the space before an operator does not break (as TeX breaks after "=", not before it).
- `Heading`: a rule with its title in it, or where the title is too long for that, the title's
  lines over a plain rule: rich's Rule shortens a long title with "…".
"""

from __future__ import annotations

import re

from rich._wrap import divide_line
from rich.cells import set_cell_size
from rich.measure import Measurement
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from gradtutor.render.cells import cell_len


class FitWidth:
    """`table` where it fits the width it is given without wrapping, else `fallback()`; with
    `wrapping=True`, where it fits with its cells wrapped at their words (none cut short).

    The fallback is made only when it is needed, and the table is measured once per set of console
    options: printing measures a renderable more than once (the CLI measures its natural width
    before it prints), and measuring a table measures every cell of it."""

    def __init__(self, table, fallback, wrapping: bool = False):
        self.table = table
        self._fallback = fallback
        self._wrapping = wrapping
        self._measured: dict[tuple, Measurement] = {}

    def _measure(self, console, options) -> Measurement:
        # What a table's width depends on. Not the screen's size (the CLI measures on one console
        # and prints on another), and no_wrap None is False (print passes one, measure the other).
        key = (
            options.min_width, options.max_width, options.legacy_windows, options.encoding, options.justify,
            options.overflow, bool(options.no_wrap), options.highlight, options.markup,
        )
        if key not in self._measured:
            self._measured[key] = Measurement.get(console, options, self.table)
        return self._measured[key]

    def _pick(self, console, options):
        unbounded = options.update_width(10_000)  # Measurement.get clamps to the width it is given
        measured = self._measure(console, unbounded)
        if (measured.minimum if self._wrapping else measured.maximum) <= options.max_width:
            return self.table
        if callable(self._fallback):
            self._fallback = self._fallback()
        return self._fallback

    def __rich_console__(self, console, options):
        yield self._pick(console, options)

    def __rich_measure__(self, console, options):
        chosen = self._pick(console, options)
        return self._measure(console, options) if chosen is self.table else Measurement.get(console, options, chosen)


class Block:
    """Lines that keep their layout (a matrix): as wide as the widest line, never wrapped.
    Given less width, it shows `instead` (wrapped text: the matrix's shape, say)."""

    def __init__(self, text: str, style: str | None = None, instead: str = ""):
        self.lines = text.split("\n")
        self.style = style
        self.instead = instead
        self.width = max(len(line) for line in self.lines)  # matrices are ASCII digits and brackets

    def __rich_measure__(self, console, options):
        if self.width > options.max_width:
            return Measurement.get(console, options, Formula(self.instead, style=self.style))
        return Measurement(self.width, self.width)

    def __rich_console__(self, console, options):
        if self.width > options.max_width:
            yield Formula(self.instead, style=self.style)
            return
        for line in self.lines:
            yield Segment(line, console.get_style(self.style) if self.style else None)
            yield Segment.line()


# A space next to an operator binds the formula together: "1 − z²", "x > 0", "dL/dx = dL/dz".
_OPERATORS = "−+=×·/<>≥≤⊙⊘→≈"
_GLUE = re.compile(rf"(?<=[{_OPERATORS}]) | (?=[{_OPERATORS}](?: |$))")
_JOINER = "\ue000"  # a private-use character: a space to the wrapper, one cell wide, never printed


def _joined(plain: str, level: int) -> str:
    """`plain` with the spaces it must not break at joined: level 2 every space next to an
    operator; level 1 the same but after "=" (where a long rule breaks); level 0 none."""
    if level == 0:
        return plain
    chars = list(plain)
    for match in _GLUE.finditer(plain):
        if level == 2 or plain[match.start() - 1 : match.start()] != "=":
            chars[match.start()] = _JOINER
    return "".join(chars)


def _with_plain(text: Text, plain: str) -> Text:
    """`text` with `plain` (as long: some spaces joined) for its characters; the styles stay where
    they were."""
    if plain == text.plain:
        return text
    text = text.copy()
    text.plain = plain
    return text


def _unjoined(lines):
    """Wrapped lines with their joined spaces written as spaces again."""
    for line in lines:
        if _JOINER in line.plain:
            line.plain = line.plain.replace(_JOINER, " ")
    return lines


def longest_word(plain: str, level: int = 2) -> int:
    """The widest unbreakable run of a formula's text at `level` (see `_joined`), in cells."""
    return max((cell_len(word) for word in _joined(plain, level).split()), default=0)


_BEFORE_OPERATOR = re.compile(rf" (?=[{_OPERATORS}](?: |$))")


_RUN = re.compile(rf"\S*{_JOINER}\S*")  # a run of words held together


def unbroken(text: str) -> str:
    """`text` (a command, say) kept on one line where `Prose` wraps it."""
    return text.replace(" ", _JOINER)


class Prose:
    """Sentences (rich Text) wrapped at words as rich wraps them, except at a space before an
    operator: "v₃ = 4" breaks after its "=" where it must, never before it, so no line starts
    with "= 4" or "+ y"; nor inside a run made `unbroken`."""

    def __init__(self, text: Text):
        self.text = text
        self._glued = _BEFORE_OPERATOR.sub(_JOINER, text.plain)

    def _wrappable(self, width: int) -> Text:
        # A held-together run wider than the line (a command with a long path) breaks at its
        # spaces after all, rather than be folded inside a word.
        glued = _RUN.sub(lambda run: run[0].replace(_JOINER, " ") if cell_len(run[0]) > width else run[0], self._glued)
        return _with_plain(self.text, glued)

    def __rich_measure__(self, console, options):
        return Measurement.get(console, options, self._wrappable(options.max_width))

    def __rich_console__(self, console, options):
        text = self._wrappable(options.max_width)
        lines = text.wrap(console, options.max_width, justify=text.justify or options.justify or "left",
                          overflow=text.overflow or options.overflow or "fold", tab_size=console.tab_size or 8)
        yield from Text("\n").join(_unjoined(lines)).render(console, end=text.end)


class Formula:
    """Text (str or rich Text) that wraps at word boundaries but keeps each formula on one line.

    Where a formula is wider than the width itself (a long rule in a narrow column), it breaks
    after its "=" first, and only then at its other spaces."""

    def __init__(self, text, style: str | None = None):
        self.text = text if isinstance(text, Text) else Text(text, style=style or "")

    def _longest_word(self, level: int) -> int:
        return longest_word(self.text.plain, level)

    def __rich_measure__(self, console, options):
        lines = self.text.plain.split("\n")
        return Measurement(self._longest_word(2), max(cell_len(line) for line in lines)).with_maximum(
            options.max_width
        )

    def _level(self, width: int) -> int:
        """How much of the formula stays glued at `width`: see `_joined`."""
        return next((level for level in (2, 1) if self._longest_word(level) <= width), 0)

    def plain_lines(self, width: int) -> list[str]:
        """The lines `__rich_console__` draws left-justified at `width`, as plain text padded to
        `width` (rich's wrap, without its styled-text objects: render/quick_table.py uses it)."""
        glued = _joined(self.text.plain, self._level(width))
        lines = []
        for line in glued.split("\n"):
            offsets = divide_line(line, width, fold=True)
            for start, end in zip([0, *offsets], [*offsets, len(line)]):
                piece = line[start:end]
                if len(piece) > width:  # rich drops the spaces a break leaves past the width
                    piece = piece[: max(width, len(piece.rstrip()))]
                if cell_len(piece) > width:
                    piece = set_cell_size(piece, width)
                lines.append(piece.replace(_JOINER, " ") + " " * (width - cell_len(piece)))
        return lines

    def __rich_console__(self, console, options):
        width = options.max_width
        glued = _with_plain(self.text, _joined(self.text.plain, self._level(width)))
        for line in _unjoined(glued.wrap(console, width, justify=options.justify or "left", overflow="fold")):
            yield from line.render(console)
            yield Segment.line()


class Heading:
    """A rule with `title` in it (centred, or on the left), as rich's Rule draws it where the title
    fits; where it does not (a long lesson title on a 60-column terminal), the title wrapped at
    its words, then the rule without it."""

    def __init__(self, title: Text, align: str = "center"):
        self.title = title
        self.align = align

    def __rich_console__(self, console, options):
        room = options.max_width - (4 if self.align == "center" else 2)  # Rule's own margins
        if cell_len(self.title.plain) <= room:
            yield Rule(self.title, align=self.align)
            return
        title = self.title.copy()
        title.justify = self.align
        title.overflow = "fold"
        yield title
        yield Rule()
