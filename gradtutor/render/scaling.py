"""The √d_k measurement (tutor/sources/scaling.py) as a table: one row per key width."""

from __future__ import annotations

from gradtutor.numbers import human

# Each figure twice: of the raw scores q·k, then of q·k/√d_k.
_COLUMNS = {"variance": ("Var(q·k)", "÷√d_k"), "max_weight": ("max P", "÷√d_k"), "score_grad": ("|∂L/∂S|", "÷√d_k")}


def scaling_table(result, width: int | None = None, kind: str | None = None):
    """The scores' variance, the largest softmax weight and the length of the gradient reaching
    the scores, raw and divided by √d_k; with `width` and `kind`, only that row and that figure
    (a worked solution shows no more than it asks)."""
    from rich.table import Table

    source = result.source
    kinds = [kind] if kind else list(_COLUMNS)
    title = f"q·k, q and k ~ N(0, 1)^d_k: {source.samples} queries × {source.keys} keys"
    table = Table(title=None if kind else title, title_justify="left")  # a one-row table: too narrow
    table.add_column("d_k", justify="right")
    for name in kinds:
        for header in _COLUMNS[name]:
            table.add_column(header, justify="right")
    for row in result.rows:
        if width is None or row.width == width:
            table.add_row(str(row.width), *(human(x, 4) for name in kinds for x in getattr(row, name)))
    return table
