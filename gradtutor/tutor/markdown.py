"""Lesson Markdown as the tutor prints it: rich's Markdown, with two layout rules of its own.

- A code block keeps its lines: a formula or a drawn circuit wider than the terminal is cropped
  at the edge as a block, never wrapped into the middle of another line (lessons write their
  code blocks to fit 60 columns; tests/test_tutor_widths.py checks that).
- A numbered choice hangs: its wrapped lines start under its text, not under its number.
- A table's cells fold rather than end in "…": rich keeps the space after a wrapped line's last
  word when it measures that line in characters, so a line of Hangul (two cells a character) can
  come out one cell too wide, and its cell's default overflow then cuts the last syllable with "…"
  ("야코비안을" read "야코비안 …" at 80 columns). Folding crops only that space.
"""

from __future__ import annotations

from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.markdown import TableElement
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text


class _Preformatted(CodeBlock):
    def __rich_console__(self, console, options):
        yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme, word_wrap=False, padding=1)


class _FoldingTable(TableElement):
    def __rich_console__(self, console, options):
        for table in super().__rich_console__(console, options):
            for column in table.columns:
                column.overflow = "fold"
            yield table


class Markdown(RichMarkdown):
    elements = {**RichMarkdown.elements, "fence": _Preformatted, "code_block": _Preformatted,
                "table_open": _FoldingTable}


def choice(number: int, text: str, indent: int = 2) -> Table:
    """One option of a multiple-choice quiz: "1)" and its text, the text's lines hanging under it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text(f"{' ' * indent}{number})"), Markdown(text))
    return grid
