"""Lesson Markdown as the tutor prints it: rich's Markdown, with layout rules of its own.

- A code block keeps its lines: a formula or a drawn circuit wider than the terminal is cropped
  at the edge as a block, never wrapped into the middle of another line (lessons write their
  code blocks to fit 60 columns; tests/test_tutor_widths.py checks that).
- A numbered choice hangs: its wrapped lines start under its text, not under its number.
- A sentence never wraps to a line that starts with an operator ("= 4", "+ y"): the break goes
  after the "=" (render/fit.Prose), in a paragraph and in a table's cell; and never inside
  inline code (`gradtutor train --batch-size`), which a learner copies whole.
- A table's cells fold rather than end in "…": rich keeps the space after a wrapped line's last
  word when it measures that line in characters, so a line of Hangul (two cells a character) can
  come out one cell too wide, and its cell's default overflow then cuts the last syllable with "…"
  ("야코비안을" read "야코비안 …" at 80 columns). Folding crops only that space.
"""

from __future__ import annotations

from rich import box
from rich.markdown import CodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.markdown import Paragraph, TableElement
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from gradtutor.render.fit import Prose, unbroken


class _Preformatted(CodeBlock):
    def __rich_console__(self, console, options):
        yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme, word_wrap=False, padding=1)


class _Paragraph(Paragraph):
    def __rich_console__(self, console, options):
        self.text.justify = self.justify
        yield Prose(self.text)


class _FoldingTable(TableElement):
    """rich's Markdown table, its cells wrapped as `Prose` and folded (see the module)."""

    def __rich_console__(self, console, options):
        table = Table(box=box.SIMPLE, pad_edge=False, style="markdown.table.border", show_edge=True,
                      collapse_padding=True)
        if self.header is not None and self.header.row is not None:
            for cell in self.header.row.cells:
                heading = cell.content.copy()
                heading.stylize("markdown.table.header")
                table.add_column(heading, overflow="fold")
        if self.body is not None:
            for row in self.body.rows:
                table.add_row(*(Prose(cell.content) for cell in row.cells))
        yield table


class Markdown(RichMarkdown):
    elements = {**RichMarkdown.elements, "fence": _Preformatted, "code_block": _Preformatted,
                "paragraph_open": _Paragraph, "table_open": _FoldingTable}

    def __init__(self, markup: str, **options):
        super().__init__(markup, **options)
        tokens = self.parsed
        for before, token in zip(tokens, tokens[1:]):
            if token.type == "inline" and before.type in ("paragraph_open", "td_open"):  # drawn as Prose
                for child in token.children or ():
                    if child.type == "code_inline":
                        child.content = unbroken(child.content)


def choice(number: int, text: str, indent: int = 2) -> Table:
    """One option of a multiple-choice quiz: "1)" and its text, the text's lines hanging under it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text(f"{' ' * indent}{number})"), Markdown(text))
    return grid
