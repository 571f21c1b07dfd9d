"""How a diagram is drawn, beside what it shows: every choice `gradtutor export` offers, listed once.

`DiagramStyle` is one value per choice, with the defaults a textbook figure has. The choices
themselves (COLORS, LAYOUTS, CONSTANTS) are listed in choices.py, which the CLI builds its options
from without importing this module; `render/dot.py` reads the style
when it writes DOT text and `render/export.py` when it draws (canvas, transparency).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from gradtutor.errors import UserError
from gradtutor.render.choices import COLORS, CONSTANTS, LAYOUTS
from gradtutor.render.theme import Theme, get_theme

CANVAS_RANGE = (1.0, 100.0)  # inches per side of a fixed canvas


class StyleError(UserError, ValueError):
    """A diagram choice that does not exist or does not fit: one line."""


@dataclass(frozen=True, slots=True)
class DiagramStyle:
    names: bool = True  # intermediate values that have names show them on their wire
    constants: str = "leaf"  # "leaf" or "inline" (CONSTANTS)
    copies: bool = False  # an input used by several gates is drawn once per use (no branch point)
    collapse: tuple[str, ...] = ()  # named values drawn as one box, the gates that make them hidden
    color: str = "default"  # a preset of COLORS
    transparent: bool = False  # no background: the slide's own shows through
    layout: str = "lr"  # a key of LAYOUTS
    canvas: tuple[float, float] | None = None  # inches: every diagram scaled and centred on this page

    def __post_init__(self):
        if self.constants not in CONSTANTS:
            raise StyleError(f"unknown constants style {self.constants!r}; choose one of: {', '.join(CONSTANTS)}")
        if self.color not in COLORS:
            raise StyleError(f"unknown colour preset {self.color!r}; presets are: {', '.join(COLORS)}")
        if self.layout not in LAYOUTS:
            raise StyleError(f"unknown layout {self.layout!r}; layouts are: {', '.join(LAYOUTS)}")
        if self.canvas is not None:
            low, high = CANVAS_RANGE
            if len(self.canvas) != 2 or not all(low <= side <= high for side in self.canvas):
                raise StyleError(f"a canvas is two sides from {low:g} to {high:g} inches, got {self.canvas!r}")

    def colors(self, theme: str) -> Theme:
        """The theme's colours with this style's preset for values and gradients."""
        colors = get_theme(theme)
        name = getattr(theme, "value", theme)
        preset = COLORS[self.color].get(name)
        if preset is not None:
            colors = replace(colors, value=preset[0], gradient=preset[1])
        return colors


def parse_canvas(text: str) -> tuple[float, float]:
    """'10x5.625' (inches, width × height) as (10.0, 5.625); a one-line error otherwise."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*", str(text))
    if not found:
        raise StyleError(f"a canvas is WIDTHxHEIGHT in inches, such as 10x5.625; got {text!r}")
    canvas = (float(found.group(1)), float(found.group(2)))
    DiagramStyle(canvas=canvas)  # checks the range
    return canvas
