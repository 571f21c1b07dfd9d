"""The √d_k measurement (tutor/sources/scaling.py) as a table: one row per key width."""

from __future__ import annotations

from gradtutor.numbers import human
from gradtutor.render.fmt import words

# Each figure twice: of the raw scores q·k, then of q·k/√d_k.
_COLUMNS = {"variance": ("Var(q·k)", "÷√d_k"), "max_weight": ("max P", "÷√d_k"), "score_grad": ("|∂L/∂S|", "÷√d_k")}


def scaling_table(result, width: int | None = None, kind: str | None = None, lang: str = "en"):
    """The scores' variance, the largest softmax weight and the length of the gradient reaching
    the scores, raw and divided by √d_k; with `width` and `kind`, only that row and that figure
    (a worked solution shows no more than it asks).

    All three figures make a table about 70 columns wide; a narrower terminal gets one table per
    figure, one under the other, rather than numbers cut short."""
    from rich.console import Group
    from rich.text import Text

    from gradtutor.render.fit import FitWidth

    rows = [row for row in result.rows if width is None or row.width == width]
    if kind:
        return _table(rows, [kind])  # a one-row table: too narrow for the title
    source = result.source
    title = words(lang, "scaling_title", samples=source.samples, keys=source.keys)
    return FitWidth(_table(rows, list(_COLUMNS), title),
                    lambda: Group(Text(title), *(_table(rows, [name]) for name in _COLUMNS)))


def _table(rows, kinds: list[str], title: str | None = None):
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("d_k", justify="right")
    for name in kinds:
        for header in _COLUMNS[name]:
            table.add_column(header, justify="right")
    for row in rows:
        table.add_row(str(row.width), *(human(x, 4) for name in kinds for x in getattr(row, name)))
    return table
