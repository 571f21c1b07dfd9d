"""The page a laid-out diagram is drawn on, and what the drawn file says about itself.

- `fit_page`: the margin around the drawing, chosen so that a PNG has a whole number of pixels
  (cairo leaves a last row or column partly covered, half transparent: a faint line at the edge,
  and a file that is RGB at one dpi and RGBA at another), or so that every diagram fills the same
  fixed canvas (a slide deck), centred, shrunk only when it does not fit.
- `with_resolution`: a PNG's pHYs chunk, so slide software places it at its real size (without
  one, a 192-dpi picture comes in twice too large).
- `with_font`: a Korean SVG carries the glyphs it uses from the shipped font, so a course website
  shows Hangul on machines that have no Korean font.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import zlib
from html import unescape
from pathlib import Path

PAD = 18.0  # points of margin around a drawing: the DOT text's pad=0.25 (inches)
INCH = 72.0  # points per inch
METRES_PER_INCH = 0.0254
FONT_FILE = Path(__file__).with_name("fonts") / "NotoSansCJKkr-Regular-subset.otf"
EMBEDDED_FAMILY = "gradtutor Noto Sans KR"  # the family name the embedded subset goes by


def fit_page(graph, dpi: int, canvas: tuple[float, float] | None = None) -> None:
    """Set `graph`'s pad (and size) after layout: a page of whole pixels at `dpi`, or the canvas
    (inches). Re-reads the layout first ("nop"), since Graphviz rounds the bounding box it draws."""
    _reread(graph)
    _, _, width, height = (float(x) for x in graph.graph_attr["bb"].split(","))
    page_w, page_h = width + 2 * PAD, height + 2 * PAD
    scale = dpi / INCH  # pixels per point
    if canvas is not None:
        # whole pixels for the canvas too, so its last row and column are not half drawn
        target_w, target_h = (math.ceil(side * dpi - 1e-9) / scale for side in canvas)
        if page_w <= target_w and page_h <= target_h:
            page_w, page_h = target_w, target_h  # fits: centred at its own size, text as on every slide
        else:  # too big: a page of the canvas's proportions, shrunk to the canvas
            if page_w / page_h > target_w / target_h:
                page_h = page_w * target_h / target_w
            else:
                page_w = page_h * target_w / target_h
            # Graphviz rounds the scaled page down: half a pixel more keeps the last column
            half = 0.5 / scale
            graph.graph_attr["size"] = f"{(target_w + half) / INCH:.6f},{(target_h + half) / INCH:.6f}"
    else:
        page_w, page_h = (math.ceil(side * scale - 1e-9) / scale for side in (page_w, page_h))
    graph.graph_attr["pad"] = f"{(page_w - width) / 2 / INCH:.6f},{(page_h - height) / 2 / INCH:.6f}"


def _reread(graph) -> None:
    """Graphviz's "nop" pass over a laid-out graph: it computes nothing, only takes the positions
    back as the renderer will (what `AGraph.layout(prog="nop")` does), so the bounding box read
    afterwards is the one drawn."""
    from pygraphviz import graphviz as gv

    context = gv.gvContextWithBuiltins()
    try:
        gv.gvLayout(context, graph.handle, b"nop")
        gv.gvRender(context, graph.handle, format=b"dot")
        gv.gvFreeLayout(context, graph.handle)
    finally:
        gv.gvFreeContext(context)


def with_resolution(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying `dpi` (in pixels per metre, as PNG writes it), after IHDR."""
    if png[12:16] != b"IHDR" or b"pHYs" in png[:64]:
        return png
    per_metre = round(dpi / METRES_PER_INCH)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)  # 1: the unit is the metre
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_header = 8 + 4 + 4 + 13 + 4
    return png[:end_of_header] + chunk + png[end_of_header:]


def resolution(png: bytes) -> int | None:
    """The dpi a PNG's pHYs chunk states, None without one."""
    at = png.find(b"pHYs")
    if at < 0:
        return None
    x, _, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    return round(x * METRES_PER_INCH) if unit == 1 else None


def with_font(svg: bytes) -> bytes:
    """The SVG with the shipped Hangul font embedded: the glyphs of the characters its texts use,
    as an @font-face named first in every font-family list (the names after it stay fallbacks)."""
    text = svg.decode("utf-8")
    characters = set(unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", text)))) | {" "}
    font = base64.b64encode(_subset(characters)).decode("ascii")
    style = (
        f'<defs><style type="text/css">@font-face {{ font-family: "{EMBEDDED_FAMILY}"; '
        f'src: url(data:font/otf;base64,{font}) format("opentype"); }}</style></defs>\n'
    )
    text = re.sub(r'font-family="([^"]*)"', lambda m: f'font-family="{EMBEDDED_FAMILY},{m.group(1)}"', text)
    at = text.index(">", text.index("<svg")) + 1
    return (text[:at] + "\n" + style + text[at:]).encode("utf-8")


def _subset(characters: set[str]) -> bytes:
    """The shipped font cut down to `characters` (a few kilobytes for a diagram)."""
    import io

    from fontTools import subset

    options = subset.Options()
    options.name_IDs = ["*"]  # the licence and the family name travel with the glyphs
    options.notdef_outline = True
    font = subset.load_font(str(FONT_FILE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
