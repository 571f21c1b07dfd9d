"""The names of every choice `gradtutor export` offers, and nothing else.

The CLI declares its options from these at every start, so this module imports nothing: the
modules that act on the choices (export.py, style.py, theme.py) bring graph drawing, page and
dataclass machinery that declaring an option does not need (benchmarks/startup.py).
"""

ENGINE_FORMATS = ("svg", "png", "pdf")
# html: the step player (render/player.py), one page holding every frame beside its trace row.
FORMATS = (*ENGINE_FORMATS, "dot", "html")

# PNG resolution, and the pixels of one PNG: Graphviz (cairo) draws the whole image in memory at
# 4 bytes a pixel before writing it, so 100 million pixels take about 400 MB; --dpi 100,000 once
# took two minutes and 2.2 GB before it failed.
DPI_RANGE = (10, 1200)

THEMES = ("light", "dark")  # the keys of theme.THEMES

# Colour presets for values and gradients, per theme. "cs231n": values green, gradients red, as in
# the CS231n course notes' circuit diagrams. "colorblind": blue and orange from the Okabe-Ito
# palette, told apart by readers with red-green colour blindness. Every colour keeps a contrast of
# at least 4.5:1 against its background (tests/test_render_style.py checks), readable on a projector.
COLORS: dict[str, dict[str, tuple[str, str]]] = {
    #              theme:  (value,     gradient)
    "default": {},  # the theme's own colours
    "cs231n": {"light": ("#2e7d32", "#c62828"), "dark": ("#7bd88f", "#ff7a7a")},
    "colorblind": {"light": ("#0060a0", "#a84300"), "dark": ("#56b4e9", "#e69f00")},
}
LAYOUTS = {"lr": "LR", "tb": "TB"}  # left to right (the textbook's), top to bottom (tall slides, pages)
CONSTANTS = ("leaf", "inline")  # a constant drawn as an input of its own, or inside its gate (+1, ×−1, 1/x)
