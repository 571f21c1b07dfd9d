"""Diagrams as files: SVG, PNG and PDF through pygraphviz, DOT text with no engine at all.

The pygraphviz wheel carries the Graphviz engine itself, so nothing here needs a system
Graphviz or a `dot` program on PATH. pygraphviz is imported inside `render`, so importing this
module (and running `gradtutor --help`) stays cheap.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

from gradtutor.errors import UserError
from gradtutor.render import page
from gradtutor.render.choices import DPI_RANGE, ENGINE_FORMATS, FORMATS  # listed there for the CLI

# Messages the font library prints on some systems while Graphviz measures text. They say
# nothing about the drawing, so they are dropped; anything else Graphviz says becomes a warning.
NOISE = ("Fontconfig warning", "Fontconfig error")


# File endings that name a format (.gv is Graphviz's other ending for DOT text), and endings of
# formats gradtutor does not write: a file must never carry an ending that belies its content.
SUFFIX_FORMATS = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "gv": "dot", "html": "html", "htm": "html"}
OTHER_SUFFIXES = ("jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "eps", "ps")


# Graphviz's network simplex (ranking and placement) can iterate for minutes on graphs with many
# long edges; one pass per node leaves every built-in example's layout as it was.
LAYOUT_LIMITS = {"nslimit": "1", "nslimit1": "1"}
# PDF pages get a white 0.5-inch margin by default, a frame around a dark slide; the diagram's
# own `pad` already keeps the drawing off the edge, as in SVG and PNG.
PAGE = {"margin": "0"}
# Layout work grows with the ranks wires skip (one hidden node per skipped rank): a value used by
# a hundred gates far apart skips ~10,000 and takes seconds; five hundred take hours. Refused.
SKIPPED_RANKS_LIMIT = 12_000
# Layout work also grows faster than the diagram itself, about as its size to the power 2.4. SVG of
# chains measured on a 2-core machine (pygraphviz 2.0.4): 1,000 shapes (gates, inputs and the
# wires' labels) 1 s, 2,000 4 s, 3,000 11 s, 4,000 22 s, 5,000 30 s; 5,000 gates took over five
# minutes. A diagram with more shapes than this, 500 to 1,500 gates by the graph's shape (each gate
# draws its wires and inputs too), is refused before layout: nobody reads it as a picture anyway.
# The environment variable raises (or lowers) the limit for one who will wait.
DIAGRAM_LIMIT = 3_000
DIAGRAM_LIMIT_VARIABLE = "GRADTUTOR_DIAGRAM_LIMIT"
# The pixels of one PNG (DPI_RANGE, in choices.py, bounds its resolution): Graphviz (cairo) draws
# the whole image in memory at 4 bytes a pixel before writing it. A diagram's size is known from
# its layout (points, 72 to the inch) before anything is drawn.
PNG_PIXEL_LIMIT = 100_000_000
CAIRO_SIDE_LIMIT = 32_767  # pixels of one side of a bitmap
GRAPHVIZ_DPI = 96  # what Graphviz draws PNG at when no dpi is given
# What Graphviz's layout sets in a graph, and the page fitted to it (page.fit_page: pad, size): a
# frame drawn in another frame's layout keeps these.
LAYOUT_ATTRIBUTES = {"graph": ("bb", "lp", "lwidth", "lheight", "pad", "size"), "node": ("pos", "width", "height", "xlp"), "edge": ("pos",)}


# Korean text needs a font with Hangul, which many machines lack (containers, fresh Linux
# installs, notebook servers). A subset of Noto Sans CJK KR ships in fonts/; see fonts/README.md.
FONT_DIR = Path(__file__).with_name("fonts")
# The system's fontconfig configuration and font folders, plus a copy of FONT_DIR's fonts in the
# user's cache. The folder is written as an absolute path: fontconfig resolves a relative <dir>
# against the working directory, and would scan whatever folder gradtutor is run from.
FONT_CONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>/usr/share/fonts</dir>
  <dir>/System/Library/Fonts</dir>
  <dir>/Library/Fonts</dir>
  <dir>C:/Windows/Fonts</dir>
  <dir prefix="xdg">fonts</dir>
  <dir>{font_dir}</dir>
  <cachedir prefix="xdg">fontconfig</cachedir>
</fontconfig>
"""


def use_bundled_fonts() -> None:
    """Point Graphviz's font library at a configuration that adds the shipped Hangul font to the
    system's fonts, unless the user has chosen one (FONTCONFIG_FILE or FONTCONFIG_PATH).
    fontconfig reads it once per process, at the first text Graphviz measures, so this runs
    before any layout. Without a folder to write the file in, Graphviz keeps its defaults."""
    if "FONTCONFIG_FILE" in os.environ or "FONTCONFIG_PATH" in os.environ:
        return
    path = _font_config_file()
    if path is not None:
        os.environ["FONTCONFIG_FILE"] = str(path)


def _font_config_file() -> Path | None:
    """FONT_CONFIG for this installation, as a file in the user's cache folder (else the temporary
    folder), named by its content: written once, then found again by every later run.

    The config names a copy of the shipped fonts beside it, never the package's own folder:
    fontconfig writes a `.uuid` file into every font folder it caches, and nothing may write into
    an installed package (or a checkout)."""
    from hashlib import sha256
    from xml.sax.saxutils import escape

    fonts = sorted(FONT_DIR.glob("*.otf"))
    stamp = sha256(repr([(f.name, f.stat().st_size) for f in fonts]).encode()).hexdigest()[:16]
    for folder in (_cache_folder(), Path(tempfile.gettempdir()) / "gradtutor"):
        if folder is None:
            continue
        try:
            font_dir = _font_copy(fonts, folder / f"fonts-{stamp}")
            text = FONT_CONFIG.format(font_dir=escape(str(font_dir)))
            name = f"fonts-{sha256(text.encode()).hexdigest()[:16]}.conf"
            path = folder / name
            if not (path.is_file() and path.read_text(encoding="utf-8") == text):
                _write_whole(path, text.encode("utf-8"))
            return path
        except OSError:
            continue
    return None


def _font_copy(fonts: list[Path], target: Path) -> Path:
    """`target` holding a copy of each font file, made once (a later run finds it complete)."""
    target.mkdir(parents=True, exist_ok=True)
    for font in fonts:
        copy = target / font.name
        if not (copy.is_file() and copy.stat().st_size == font.stat().st_size):
            _write_whole(copy, font.read_bytes())
    return target.resolve()


def _write_whole(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all, even with two runs at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, path)


def _cache_folder() -> Path | None:
    """gradtutor's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache), if there is a home."""
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home directory to be found
        return None
    return cache / "gradtutor"


class ExportError(UserError, ValueError):
    """An export that cannot be done: unknown format, unwritable path. One-line message."""


def _check_format(fmt: str, allowed=FORMATS) -> str:
    fmt = str(getattr(fmt, "value", fmt)).lower()  # accept an Enum member from the CLI too
    if fmt not in allowed:
        raise ExportError(f"unknown format {fmt!r}; formats are: {', '.join(allowed)}")
    return fmt


def format_for(out, fmt: str | None = None) -> str:
    """The format to write to `out`: `fmt` when given, else the one the file's ending names
    (svg for a name without an ending). An ending that names a different format is refused,
    so a.svg never holds PNG bytes."""
    suffix = Path(out).suffix.lower().lstrip(".")
    named = SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        if suffix and named is None:
            raise ExportError(f"cannot write {suffix} ({Path(out).name}); formats are: {', '.join(FORMATS)}")
        return named or "svg"
    fmt = _check_format(fmt)
    if (named is not None and named != fmt) or suffix in OTHER_SUFFIXES:
        raise ExportError(f"the file name {Path(out).name} says {suffix} but the format is {fmt}")
    return fmt


def render(dot_text: str, fmt: str, dpi: int | None = None, *, canvas=None, embed_font: bool = False) -> bytes:
    """Lay out DOT text with Graphviz's dot and draw it as svg, png or pdf.

    dpi sets the resolution of PNG output (Graphviz's default is 96); vector formats ignore it.
    canvas (inches, width and height) draws every diagram on a page of that size (`page.fit_page`);
    embed_font puts the shipped Hangul font into an SVG (`page.with_font`).
    """
    (drawing,) = render_frames([dot_text], fmt, dpi, canvas=canvas, embed_font=embed_font)
    return drawing


def render_frames(
    dot_texts: Iterable[str], fmt: str, dpi: int | None = None, *, canvas=None, embed_font: bool = False
) -> list[bytes]:
    """Draw the frames of one diagram (`dot.to_dot` at each step) as svg, png or pdf, all in the
    layout of the first. Frames differ only in colours and in texts of fixed size, so their
    layouts are the same; laying out each again would cost the whole layout once per backward step.
    Each later frame changes, in the laid-out graph, only the statements that differ from the frame
    before (the caption, the current gate and its wires, gradients that became known).

    The texts are read one at a time: a diagram too large to lay out is refused before the later
    frames are even written."""
    fmt = _check_format(fmt, ENGINE_FORMATS)
    low, high = DPI_RANGE
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, int) or not low <= dpi <= high):
        raise ExportError(f"dpi must be a positive whole number from {low} to {high}, got {dpi!r}")
    use_bundled_fonts()
    import pygraphviz

    messages: list[str] = []
    drawings = []
    try:
        with _graphviz_messages(messages):
            graph, drawn = None, []
            for dot_text in dot_texts:
                lines = dot_text.splitlines()
                if graph is None or not _restyle(pygraphviz, graph, drawn, lines):
                    graph = pygraphviz.AGraph(string=dot_text)
                    _check_size(graph)
                    graph.graph_attr.update(LAYOUT_LIMITS)
                    graph.graph_attr.update(PAGE)
                    if dpi is not None and fmt == "png":
                        graph.graph_attr["dpi"] = str(dpi)
                    graph.layout(prog="dot")
                    if fmt == "png":
                        _check_pixels(graph, dpi or GRAPHVIZ_DPI)
                    page.fit_page(graph, (dpi or GRAPHVIZ_DPI) if fmt == "png" else page.INCH, canvas)
                drawn = lines
                drawing = graph.draw(format=fmt)
                if fmt == "png":
                    drawing = page.with_resolution(drawing, dpi or GRAPHVIZ_DPI)
                elif fmt == "svg" and embed_font:
                    drawing = page.with_font(drawing)
                drawings.append(drawing)
    except ExportError:
        raise
    except (ValueError, OSError) as error:  # pygraphviz's DotError is a ValueError
        detail = messages[-1] if messages else (str(error) or type(error).__name__)
        raise ExportError(f"Graphviz could not draw the diagram: {detail}") from None
    return drawings


def _check_size(graph) -> None:
    """Refuse, in one line, a diagram Graphviz would take minutes (or hours) to lay out."""
    count, limit = graph.number_of_nodes(), diagram_limit()
    if count > limit:
        raise ExportError(
            f"the diagram is too large to lay out in reasonable time: it has {count:,} shapes (gates, inputs "
            f"and wire labels) and the limit is {limit:,} (set {DIAGRAM_LIMIT_VARIABLE} to change it); "
            "write it as DOT text, or trace it as a table or as JSON"
        )
    skipped = skipped_ranks(graph)
    if skipped > SKIPPED_RANKS_LIMIT:
        raise ExportError(
            f"the diagram is too tangled to lay out in reasonable time (its wires skip {skipped} ranks, "
            f"the limit is {SKIPPED_RANKS_LIMIT}: values used by many gates far apart); "
            "write it as DOT text or trace it as a table"
        )


def _check_pixels(graph, dpi: int) -> None:
    """Refuse a PNG whose pixels would take more memory than a drawing should, from the laid-out
    size (the bounding box, in points)."""
    _, _, width, height = (float(x) for x in graph.graph_attr["bb"].split(","))
    columns, rows = math.ceil(width / 72 * dpi), math.ceil(height / 72 * dpi)
    if columns * rows > PNG_PIXEL_LIMIT:
        # cairo scales a side longer than its limit down by itself: the suggestion stays below it too
        fitting = int(0.99 * min(dpi * math.sqrt(PNG_PIXEL_LIMIT / (columns * rows)), dpi * CAIRO_SIDE_LIMIT / max(columns, rows)))
        raise ExportError(
            f"the PNG would be {columns:,} × {rows:,} pixels at {dpi} dpi, more than the "
            f"{PNG_PIXEL_LIMIT:,} gradtutor draws (about {4 * columns * rows / 1e9:.1f} GB of memory); "
            f"use --dpi {fitting} or less, or write SVG or PDF"
        )


def diagram_limit() -> int:
    """How many shapes a diagram may have: DIAGRAM_LIMIT, or the number the environment variable gives."""
    text = os.environ.get(DIAGRAM_LIMIT_VARIABLE, "").strip()
    if not text:
        return DIAGRAM_LIMIT
    if not text.isdigit():
        raise ExportError(f"{DIAGRAM_LIMIT_VARIABLE} must be a whole number of shapes, got {text!r}")
    return int(text)


def _restyle(pygraphviz, graph, drawn: list[str], lines: list[str]) -> bool:
    """Turn `graph`, laid out and drawn as the DOT lines `drawn`, into the drawing of `lines`, by
    changing the attributes of the statements that differ. False, with `graph` unchanged, when
    `lines` is not another frame of the same diagram: a different number of statements, or other
    changes than in node, edge and graph statements (which keep the layout's positions)."""
    if len(drawn) != len(lines):
        return False
    changed = [line for before, line in zip(drawn, lines) if before != line]
    defaults = [line for line in lines if line.lstrip().startswith(("node [", "edge ["))]
    # A quoted text that starts with "<" reads back like an HTML-like label (see _take): not handled.
    if any(line in defaults or not line.rstrip().endswith("];") or '="<' in line for line in changed):
        return False
    if not changed:
        return True
    # The changed statements parsed on their own, after the defaults they rely on.
    update = pygraphviz.AGraph(string="digraph {\n" + "\n".join(defaults + changed) + "\n}")
    declared = {line.split()[0] for line in changed if " -> " not in line and not line.lstrip().startswith("graph [")}
    nodes = [node for node in update.nodes_iter() if node in declared]  # not those an edge merely names
    edges = list(update.edges_iter())
    if len(nodes) != len(declared) or not all(graph.has_node(n) for n in nodes) or not all(graph.has_edge(*e) for e in edges):
        return False  # names written otherwise (quoted), or statements of another diagram
    if any(line.lstrip().startswith("graph [") for line in changed):
        _take(update.graph_attr, graph.graph_attr, LAYOUT_ATTRIBUTES["graph"], reset=False)
    for node in nodes:
        _take(node.attr, graph.get_node(node).attr, LAYOUT_ATTRIBUTES["node"])
    for edge in edges:
        _take(edge.attr, graph.get_edge(*edge).attr, LAYOUT_ATTRIBUTES["edge"])
    return True


def _take(source, target, keep, reset: bool = True) -> None:
    """Give `target` the attribute values of `source`, except the layout's own (`keep`). reset:
    also return to its default any attribute `target` sets that `source` leaves at its default
    (pygraphviz lists only the attributes that differ from their defaults)."""
    names = dict(source.items())
    if reset:
        names.update((name, source.get(name) or "") for name, _ in target.items() if name not in names)
    for name, value in names.items():
        if name in keep or target.get(name) == value:
            continue
        # pygraphviz reads an HTML-like label back without its outer <>, and takes a value in <>
        # for an HTML-like label when it is set, stripping them again: so they are put back.
        target[name] = f"<{value}>" if value.startswith("<") and value.endswith(">") else value


def skipped_ranks(graph) -> int:
    """How many ranks the edges skip when every node sits as far right as it can: about the
    number of hidden nodes dot adds, which is what makes a layout slow."""
    from graphlib import CycleError, TopologicalSorter

    heads: dict[str, list[str]] = {}
    tails: dict[str, list[str]] = {str(node): [] for node in graph.nodes()}
    for tail, head in graph.edges():
        heads.setdefault(str(tail), []).append(str(head))
        tails[str(head)].append(str(tail))
    try:
        order = list(TopologicalSorter(tails).static_order())  # every node after its tails
    except CycleError:  # not one of our diagrams; Graphviz copes with cycles on its own
        return 0
    rank: dict[str, int] = {}
    for node in reversed(order):
        rank[node] = min((rank[head] - 1 for head in heads.get(node, ())), default=0)
    return sum(rank[head] - rank[tail] - 1 for tail, out in heads.items() for head in out)


@contextlib.contextmanager
def _graphviz_messages(messages: list[str]):
    """Catch what the C libraries write straight to file descriptor 2 while Graphviz runs.
    Font-library noise is dropped; other lines go into `messages` and, if the drawing
    succeeds, are re-issued as RuntimeWarnings (on failure they explain the error)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr (embedded interpreters): nothing to catch
        yield
        return
    failed = False
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            messages.extend(_messages(sink.read().decode("utf-8", "replace")))
            if not failed:
                for message in messages:
                    warnings.warn(f"Graphviz: {message}", RuntimeWarning, stacklevel=4)


def _messages(text: str) -> list[str]:
    """Graphviz's stderr as one line per message: a line without an "Error:" or "Warning:"
    prefix continues the message before it; repeats are dropped; font noise is left out."""
    messages: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(NOISE):
            continue
        kind, _, rest = line.partition(": ")
        if kind in ("Error", "Warning"):
            messages.append(rest)
        elif messages:
            messages[-1] += f" ({line})"
        else:
            messages.append(line)
    return list(dict.fromkeys(messages))


def frame_paths(out: Path, count: int, fmt: str) -> list[Path]:
    """out.stem-00.svg (forward pass), out.stem-01.svg ... one per backward step, zero-padded."""
    suffix = out.suffix or f".{fmt}"
    width = max(2, len(str(count)))
    return [out.with_name(f"{out.stem}-{k:0{width}d}{suffix}") for k in range(count + 1)]


def export(
    trace, fmt: str | None, out: Path, *, frames: bool = False, step: int | None = None, theme="light", dpi=None,
    lang: str = "en", style=None, digits: int | None = None, blank: str | None = None, answers: Path | None = None,
) -> list[Path]:
    """Write the trace's diagram to `out` and return the paths written.

    fmt None takes the format from `out`'s ending (see `format_for`); fmt "dot" writes DOT text;
    fmt "html" the step player, every frame in one page (step=k: the frame it opens at).
    step=k writes frame k alone (0 = forward pass, k = backward step k highlighted).
    frames=True writes one file per frame instead (see `frame_paths` for the names), or for PDF
    one handout with a page per frame; it cannot be combined with step. lang is the captions'
    language ("en" or "ko"); a Korean SVG carries the glyphs of its Hangul. style is a
    `DiagramStyle` (render/style.py): names, constants, copies, collapse, colours, transparency,
    layout and a fixed canvas. digits: the decimal places of every number (default: up to 6
    significant digits).
    blank ("grads", "values" or node names, see worksheet.py) makes a worksheet: those numbers
    drawn as boxes, and the same drawing with them filled in written to `answers` (default
    out-answers.<ending>).
    """
    out = Path(out)
    fmt = format_for(out, fmt)
    if dpi is not None and fmt != "png":  # ignoring it would let a teacher expect a sharper file
        kind = "a page" if fmt == "html" else "text" if fmt == "dot" else "a vector drawing"
        raise ExportError(f"dpi sets the resolution of PNG output; {fmt} is {kind} and has none")
    if getattr(style, "canvas", None) is not None and fmt in ("dot", "html"):
        raise ExportError(f"canvas sets the page of a drawing; {fmt} is {'text' if fmt == 'dot' else 'a page'} and has none")
    if frames and step is not None:
        raise ExportError("step picks one frame and frames writes them all: give one of the two")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17):
        raise ExportError(f"digits must be a whole number from 1 to 17, got {digits!r}")
    digits = _places(digits)
    if fmt == "html":
        return _export_player(trace, out, frames, step, theme, lang, digits, blank, style)
    from gradtutor.render.dot import to_dot  # here, not at the top: importing this module stays cheap
    from gradtutor.render.fmt import TABLE_DIGITS, check_step

    check_step(trace, step)
    digits = TABLE_DIGITS if digits is None else digits
    blanks = None
    if blank is not None:
        from gradtutor.render.worksheet import answers_path, choose_blanks

        blanks = choose_blanks(trace, blank)
    elif answers is not None:
        raise ExportError("an answer sheet goes with a worksheet: give --blank too")
    handout = frames and fmt == "pdf"
    if frames:
        steps = list(range(len(trace.steps) + 1))
        paths = [out] if handout else frame_paths(out, len(trace.steps), fmt)
    else:
        steps, paths = [step], [out]
    # Render everything before writing anything, so a failure leaves no half-written set.
    dot_texts = (to_dot(trace, step=k, theme=theme, lang=lang, style=style, digits=digits, blanks=blanks) for k in steps)
    drawing = {"canvas": getattr(style, "canvas", None), "embed_font": lang == "ko"}
    contents = _drawings(dot_texts, fmt, dpi, several=len(steps) > 1, **drawing)
    if handout:
        contents = [_one_document(contents)]
    if blanks is not None:  # the answers: the whole diagram (or the one frame asked for), filled in
        paths.append(Path(answers) if answers is not None else answers_path(out))
        answer_sheet = to_dot(trace, step=step, theme=theme, lang=lang, style=style, digits=digits)
        contents += _drawings([answer_sheet], fmt, dpi, several=False, **drawing)
    if len(set(paths)) < len(paths):
        raise ExportError(f"the answer sheet would overwrite the worksheet: {paths[-1]}")
    for path, data in zip(paths, contents):
        _write(path, data)
    return paths


def _places(digits: int | None):
    """A teacher's digits are decimal places (`--digits 2`: 0.73, 220.00), see numbers.Places."""
    from gradtutor.numbers import Places

    return None if digits is None else Places(digits)


def _drawings(dot_texts, fmt: str, dpi, several: bool, **drawing) -> list[bytes]:
    if fmt == "dot":
        return [dot_text.encode() for dot_text in dot_texts]
    if not several:
        return [render(next(iter(dot_texts)), fmt, dpi, **drawing)]
    return render_frames(dot_texts, fmt, dpi, **drawing)  # one layout for every frame


def _one_document(pages: list[bytes]) -> bytes:
    """The frames' PDF pages as one PDF, in order: a handout to print."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in pages:  # not `page`: that is the render.page module here
        writer.append(PdfReader(io.BytesIO(pdf)))
    merged = io.BytesIO()
    writer.write(merged)
    return merged.getvalue()


def _export_player(trace, out: Path, frames: bool, step, theme, lang: str, digits, blank, style=None) -> list[Path]:
    if frames:
        raise ExportError("the HTML player holds every frame in one page: leave out frames")
    if blank is not None:
        raise ExportError("worksheets are drawings to print (svg, png, pdf or dot): the player shows every answer")
    page = player(trace, theme=theme, lang=lang, digits=digits, start=step or 0, style=style).html()
    _write(out, page.encode("utf-8"))
    return [out]


def player(trace, *, theme: str = "light", lang: str = "en", digits: int | None = None, start: int = 0, style=None):
    """The trace's step player (render/player.py) around its diagram's frames, drawn here;
    digits: decimal places of every number (default: up to 6 significant digits); style a
    `DiagramStyle`. The page embeds the Hangul font once, so its frames do not each carry it."""
    from gradtutor.render.dot import to_dot
    from gradtutor.render.fmt import TABLE_DIGITS, check_step
    from gradtutor.render.player import build_player

    check_step(trace, start)
    digits = _places(digits)
    dot_digits = TABLE_DIGITS if digits is None else digits
    frames = (to_dot(trace, step=k, theme=theme, lang=lang, style=style, digits=dot_digits) for k in range(len(trace.steps) + 1))
    svgs = render_frames(frames, "svg")
    return build_player(trace, svgs, theme=theme, lang=lang, digits=digits, start=start)


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ExportError(f"cannot write {path}: {reason}") from None
