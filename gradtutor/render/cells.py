"""How many terminal columns a string takes, as rich counts them (a Hangul character takes two).

rich's `cell_len` walks every character of a string that is not all single-width through a
generator, and a trace's numbers each carry a minus sign (U+2212): measuring the cells took most
of a large trace table's time. `cell_len` here counts once per distinct character instead, the
same sum for any text without zero-width joiners or variation selectors (which it leaves to
rich), and imports rich's width table only for text that is not plain ASCII: the plain screens
(plain.py) measure with it at start-up. tests/test_render_quick_table.py checks it against rich.
"""

from __future__ import annotations

from functools import lru_cache


# The signs the trace tables write, each one column wide in rich's table (tests check it): a
# scalar trace's table is measured without loading that table, which takes longer than drawing it.
ONE_COLUMN = frozenset("×÷−∂²³≥≤·⊙⊘→≈▶…√σ")


@lru_cache(maxsize=None)
def _character_cells(character: str) -> int:
    if character in ONE_COLUMN:
        return 1
    from rich.cells import cell_len as rich_cell_len

    return rich_cell_len(character)


def cell_len(text: str) -> int:
    """Columns of `text` on a terminal: rich's cell_len, counted once per distinct character."""
    if text.isascii() and text.isprintable():
        return len(text)
    if "\u200d" in text or "\ufe0f" in text:
        from rich.cells import cell_len as rich_cell_len

        return rich_cell_len(text)
    return len(text) + sum((_character_cells(c) - 1) * text.count(c) for c in set(text)
                           if not (c.isascii() and c.isprintable()))
