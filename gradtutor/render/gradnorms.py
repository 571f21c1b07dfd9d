"""The gradient's size layer by layer after one backward pass, a plain network beside its
residual twin: the shortcut as a gradient highway, made visible.

`gradient_norms(rows, lang, batch)` takes plain values, one row per weight layer from input to
output: (where, plain norm, residual norm), `where` as gradtutor.train.gradnorms writes it
(("stem",), ("block", 3, 1), ("affine",)). Bars are on a log scale, since the plain net's norms
span decades; the last line gives each network's spread, its largest norm over its smallest.
"""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from gradtutor.numbers import human
from gradtutor.render.fmt import words

PLAIN, RESIDUAL = "magenta", "green"
BAR_MAX = 12  # cells of the longest bar at 80 columns; narrower terminals get shorter bars


def _label(where, lang: str) -> str:
    if where[0] == "block":
        return words(lang, "gradnorm_block", block=where[1], conv=where[2])
    return words(lang, "gradnorm_stem") if where[0] == "stem" else words(lang, "gradnorm_affine")


class _Bar:
    """A bar as long as log(norm / smallest) allows within the width the table gives it."""

    def __init__(self, norm: float, low: float, high: float, style: str):
        self.norm, self.low, self.high, self.style = norm, low, high, style

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(1, BAR_MAX)

    def __rich_console__(self, console, options):
        span = math.log(self.high / self.low) if self.high > self.low else 1.0
        share = math.log(self.norm / self.low) / span if self.high > self.low else 1.0
        cells = 1 + round(share * (options.max_width - 1))
        yield Text("█" * cells, style=self.style)


def gradient_norms(rows, lang: str = "en", batch: int | None = None):
    """One row per weight layer: its ‖∂L/∂W‖ in the plain net and in the residual net, with bars."""
    norms = [value for _, plain, residual in rows for value in (plain, residual)]
    low, high = min(norms), max(norms)
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False,
                  title=Text(words(lang, "gradnorm_title", layers=len(rows), batch=batch), style="italic"),
                  title_justify="left")
    table.add_column(words(lang, "gradnorm_layer"), no_wrap=True)
    table.add_column(words(lang, "gradnorm_plain"), justify="right", style=PLAIN, no_wrap=True)
    table.add_column("", ratio=1)
    table.add_column(words(lang, "gradnorm_residual"), justify="right", style=RESIDUAL, no_wrap=True)
    table.add_column("", ratio=1)
    for where, plain, residual in rows:
        table.add_row(_label(where, lang), human(plain, 3), _Bar(plain, low, high, PLAIN),
                      human(residual, 3), _Bar(residual, low, high, RESIDUAL))
    plain_spread = max(row[1] for row in rows) / min(row[1] for row in rows)
    residual_spread = max(row[2] for row in rows) / min(row[2] for row in rows)
    footer = Text(words(lang, "gradnorm_spread", plain=human(plain_spread, 3), residual=human(residual_spread, 3)))
    return Group(table, Text(words(lang, "gradnorm_note")), footer)
