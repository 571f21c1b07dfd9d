"""Pictures saved as files: SVG written by our own code, PNG drawn by matplotlib (the `plot`
extra, imported only when a PNG is asked for), and a picture a lesson step draws, ready to save.

A source family's `picture(step, result, lang)` (tutor/source_family.py) returns one; the
renderers build it (`histogram.histograms_picture`, `curves.curves_picture`,
`paths.paths_picture`), so the file shows what the terminal view shows, in the same language.
Nothing is drawn until `save` is called, and nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from gradtutor.errors import UserError


class PlotError(UserError, ValueError):
    """A picture cannot be saved as asked (unknown suffix, PNG without matplotlib, unwritable path)."""


@dataclass(frozen=True)
class Picture:
    what: str  # in messages: "histograms", "curves", "paths"
    svg: Callable[[], str]  # the SVG text (no dependency)
    png: Callable[[Path], None]  # draws a PNG at the path (matplotlib, the `plot` extra)
    empty: str | None = None  # why there is nothing to draw, where there is nothing

    def save(self, path) -> Path:
        """Write the picture to `path`: .svg or .png by its suffix; PlotError (a UserError) for
        another suffix, nothing to draw, a PNG without matplotlib, or a path that cannot be written."""
        return save_plot(path, self.what, self.svg, self.png, self.empty)


def save_plot(path, what: str, svg, png, empty: str | None = None) -> Path:
    """Write a picture to `path`: `svg()` gives the text of an .svg, `png(path)` draws a .png;
    `empty` says why there is nothing to draw (checked after the file name)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise PlotError(f"cannot save {what} as {path.name!r}: use a .svg or .png file name")
    if empty:
        raise PlotError(empty)
    try:
        if suffix == ".svg":
            path.write_text(svg(), encoding="utf-8")
        else:
            png(path)
    except OSError as error:
        raise PlotError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def pyplot_for(path: Path):
    """matplotlib's pyplot, drawing to files only; a PlotError naming the extra if it is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, never a window
        from matplotlib import pyplot
    except ImportError:
        raise PlotError(
            f'saving {path.name} as PNG needs matplotlib (pip install "gradtutor[plot]"); '
            "an .svg path needs nothing extra"
        ) from None
    _hangul_fallback(matplotlib)
    return pyplot


def _hangul_fallback(matplotlib) -> None:
    """Let matplotlib draw Hangul with the shipped font (render/fonts/) where its own lacks it:
    a Korean title would otherwise be a row of empty boxes."""
    import logging

    from matplotlib import font_manager

    from gradtutor.render.export import FONT_DIR

    fonts = sorted(FONT_DIR.glob("*.otf"))
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for font in fonts:
        if str(font) not in known:
            font_manager.fontManager.addfont(str(font))
    families = [font_manager.FontProperties(fname=str(font)).get_name() for font in fonts]
    current = list(matplotlib.rcParams["font.family"])
    if families and families[0] not in current:  # a fallback, after the fonts asked for
        matplotlib.rcParams["font.family"] = current + families
        # the font ships in one weight: a bold title in Hangul is drawn regular, without a remark
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
