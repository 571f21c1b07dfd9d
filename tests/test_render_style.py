"""Diagram choices and the defects they fix: named values, constants, tensor wires, shared inputs,
collapsed values, PNG pages, placeholders' contrast, the Korean SVG font, colours and layouts."""

import base64
import io
import re
import struct
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gradtutor.engine import Value
from gradtutor.render.dot import _caption_text, to_dot
from gradtutor.render.drawn import UnknownCollapse
from gradtutor.render import choices
from gradtutor.render.export import render
from gradtutor.render.page import EMBEDDED_FAMILY, resolution
from gradtutor.render.style import COLORS, DiagramStyle, StyleError, parse_canvas
from gradtutor.render.theme import THEMES
from gradtutor.tracer import trace
from render_golden import assert_golden, traced

SVG = "{http://www.w3.org/2000/svg}"


def _layout(dot_text):
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot_text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.layout(prog="dot")
    return graph


def _boxes(graph, prefix="w"):
    """Bounding boxes (points) of the wire labels, from the laid-out graph."""
    boxes = {}
    for node in graph.nodes():
        if str(node).startswith(prefix):
            x, y = (float(v) for v in node.attr["pos"].split(","))
            w, h = float(node.attr["width"]) * 72, float(node.attr["height"]) * 72
            boxes[str(node)] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return boxes


def _gradient_cells(dot_text, wire):
    label = re.search(rf"  {wire} \[shape=plain, label=(.*)\];", dot_text).group(1)
    return re.findall(r'VALIGN="TOP">(.*?)</TD>', label)


# -- names: what the captions say is on the diagram ------------------------------------------------
def test_named_values_are_written_on_their_wires_and_captions_name_only_those():
    neuron = traced("neuron")
    k = next(step.index for step in neuron.steps if step.node == neuron.graph.by_name("s").id)
    text = to_dot(neuron, step=k)
    assert "<I>s</I>" in text  # "+ s" in a caption now points at a name the drawing shows
    assert f"step {k} of 8: + s, add distributes" in text
    hidden = DiagramStyle(names=False)
    assert "<I>s</I>" not in to_dot(neuron, style=hidden)
    assert _caption_text(neuron, k, "en", style=hidden) == f"step {k} of 8: +, add distributes"
    assert _caption_text(neuron, 3, "en") == "step 3 of 8: exp, exp scales by its own output"  # not "exp exp1"


def test_an_unnamed_output_is_called_the_same_on_its_label_and_in_its_caption():
    f = Value(2, "f")
    result = trace(f * Value(3, "x") - f)  # the root is unnamed; a variable is called f
    text = to_dot(result)
    assert 'out [shape=plaintext, label="output"]' in text
    assert "output = 4: values above the wires" in text and "sub" not in text
    assert "출력 = 4" in to_dot(result, lang="ko")


# -- constants --------------------------------------------------------------------------------------
def test_constants_and_labels_take_no_gradient_on_the_diagram():
    neuron = traced("neuron")
    text = to_dot(neuron)
    constants = [n for n in neuron.nodes if n.is_constant]
    assert len(constants) == 2
    for node in constants:
        (gate,) = [g for g in neuron.nodes if node.id in g.parents]
        assert _gradient_cells(text, f"w{gate.id}_{gate.parents.index(node.id)}") == [""]  # not 0.731 or −0.534
    loss = traced("softmax-loss")
    t = loss.graph.by_name("t")
    assert _gradient_cells(to_dot(loss), f"w{loss.graph.root.id}_{loss.graph.root.parents.index(t.id)}") == [""]


def test_constants_drawn_inside_their_gates_golden():
    neuron = traced("neuron")
    text = to_dot(neuron, step=2, style=DiagramStyle(constants="inline"))
    assert_golden("neuron-inline-step2.dot", text)
    assert 'label="+1"' in text and 'label="1/x"' in text
    assert "step 2 of 8: +1, add distributes" in text
    assert 'label="1"' not in text  # no constant drawn as an input


# -- tensor diagrams --------------------------------------------------------------------------------
def test_tensor_shapes_sit_above_their_wires_and_never_overlap_another_label():
    batch = traced("affine-batch")
    text = to_dot(batch)
    assert "xlabel" not in text
    assert "<I>XW (2, 3)</I>" in text
    boxes = _boxes(_layout(text))
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes[a], boxes[b]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)


def test_word_gates_are_boxes_with_full_size_text_and_matmul_is_dot():
    text = to_dot(traced("two-layer-net"))
    assert re.search(r'shape=box, style="rounded,filled", fixedsize=true, width=[\d.]+, height=0.45, fillcolor="#ffffff", label="ReLU"', text)
    assert "fontsize=11" not in text
    assert text.count('label="dot"') == 2 and 'label="·"' not in text


def test_two_layer_net_is_no_longer_a_strip_of_shapes():
    for layout, most in (("lr", 5.0), ("tb", 2.0)):
        graph = _layout(to_dot(traced("two-layer-net"), style=DiagramStyle(layout=layout)))
        _, _, width, height = (float(v) for v in graph.graph_attr["bb"].split(","))
        assert width / height < most, layout
    assert "array (4, 3)" not in to_dot(traced("two-layer-net"))


# -- shared inputs and collapsed values -------------------------------------------------------------
def test_copies_draw_a_shared_input_once_per_use():
    patterns = traced("gate-patterns")
    x = patterns.graph.by_name("x")
    text = to_dot(patterns, style=DiagramStyle(copies=True))
    assert f"j{x.id} " not in text and f"t{x.id} " not in text
    assert text.count('label="x"') == 2
    assert f'n{x.id}c0 -> ' in text and f'n{x.id}c1 -> ' in text
    frames = [to_dot(patterns, step=k, style=DiagramStyle(copies=True)) for k in range(len(patterns.steps) + 1)]
    assert len({tuple(sorted(_boxes(_layout(f), "n").items())) for f in frames}) == 1  # frames still overlay


def test_collapse_draws_a_named_value_as_one_box():
    neuron = traced("neuron")
    s = neuron.graph.by_name("s")
    text = to_dot(neuron, step=len(neuron.steps), style=DiagramStyle(collapse=("s",)))
    assert f'n{s.id} [shape=box, style="rounded,dashed", label="s"]' in text
    assert 'label="w0"' not in text and 'label="×"' not in text
    assert "step 8 of 8: × inside s, multiply swaps" in text
    with pytest.raises(UnknownCollapse, match="^cannot collapse 'q': no gate's value has that name; named values are: s, f$"):
        to_dot(neuron, style=DiagramStyle(collapse=("q",)))


# -- PNG pages --------------------------------------------------------------------------------------
def _png_chunks(data):
    at, chunks = 8, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.setdefault(data[at + 4 : at + 8].decode(), data[at + 8 : at + 8 + length])
        at += 12 + length
    return chunks


@pytest.mark.parametrize("dpi", [72, 96, 100, 150, 200, 300])
def test_png_states_its_dpi_and_is_opaque_rgb_at_every_dpi(dpi):
    data = render(to_dot(traced("affine-batch")), "png", dpi)
    assert resolution(data) == dpi  # slides place it at its real size
    header = _png_chunks(data)["IHDR"]
    # colour type 2: RGB. cairo writes RGBA only when some pixel is not opaque, as the half-covered
    # last row or column was (a faint line at the edge): none is left at any dpi.
    assert header[9] == 2


def test_a_transparent_png_is_rgba():
    data = render(to_dot(traced("apple"), style=DiagramStyle(transparent=True)), "png", 150)
    assert _png_chunks(data)["IHDR"][9] == 6
    assert 'bgcolor="transparent"' in to_dot(traced("apple"), style=DiagramStyle(transparent=True))


def test_a_fixed_canvas_gives_every_diagram_the_same_page():
    sizes = set()
    for name in ("apple", "neuron", "two-layer-net"):
        data = render(to_dot(traced(name)), "png", 100, canvas=(10, 5.625))
        sizes.add(struct.unpack(">II", _png_chunks(data)["IHDR"][:8]))
        svg = ET.fromstring(render(to_dot(traced(name)), "svg", canvas=(10, 5.625)))
        assert (svg.get("width"), svg.get("height")) == ("720pt", "405pt")
    assert sizes == {(1000, 563)}  # 5.625 in at 100 dpi is 562.5 pixels: whole pixels, rounded up
    assert parse_canvas("10x5.625") == (10.0, 5.625)
    from gradtutor.render.export import ExportError, export

    with pytest.raises(ExportError, match="^canvas sets the page of a drawing; dot is text and has none$"):
        export(traced("apple"), "dot", Path("never.dot"), style=DiagramStyle(canvas=(10, 5.625)))
    with pytest.raises(StyleError, match="^a canvas is WIDTHxHEIGHT in inches"):
        parse_canvas("wide")


def test_wire_pieces_meet_the_rule_with_no_gap():
    svg = render(to_dot(traced("neuron")), "svg").decode()
    ends = 0
    for title, path in re.findall(r"<title>(\S+?)</title>\s*<path [^>]*d=\"([^\"]+)\"", svg):
        title = title.replace("&#45;&gt;", "->")
        tail, head = title.split("->")
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", path)]
        if head.endswith(":w"):  # a piece entering a wire label: it ends where the rule starts
            wire = head[:-2]
            rule = re.search(rf"<title>{wire}</title>.*?<polygon fill=\"[^\"]+\" stroke=\"none\" points=\"([\d.]+)", svg, re.S)
            start = float(rule.group(1))
            assert start - 0.05 <= numbers[-2] <= start + 1.05, wire  # on the rule's first point, or over it
            ends += 1
    assert ends >= 10


# -- colours ----------------------------------------------------------------------------------------
def _contrast(a, b):
    def luminance(color):
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("color", sorted(COLORS))
@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_text_colour_is_readable_on_a_projector(theme, color):
    colors = DiagramStyle(color=color).colors(theme)
    for role in ("text", "value", "gradient", "muted"):
        assert _contrast(getattr(colors, role), colors.background) >= 4.5, (theme, color, role)


def test_cs231n_colours_values_green_and_gradients_red():
    text = to_dot(traced("apple"), style=DiagramStyle(color="cs231n"))
    green, red = COLORS["cs231n"]["light"]
    assert f'COLOR="{green}">220<' in text and f'COLOR="{red}">2.2<' in text
    top_down = to_dot(traced("apple"), style=DiagramStyle(layout="tb"))
    assert "rankdir=TB" in top_down and "values left of the wires, gradients right" in top_down


# -- Korean -----------------------------------------------------------------------------------------
def test_korean_svg_carries_the_glyphs_it_uses(tmp_path):
    from fontTools.ttLib import TTFont

    from gradtutor.render.export import export

    (path,) = export(traced("apple"), "svg", tmp_path / "apple.svg", step=2, lang="ko")
    svg = path.read_text(encoding="utf-8")
    font = re.search(r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)", svg)
    assert font and f'font-family="{EMBEDDED_FAMILY},' in svg
    cmap = TTFont(io.BytesIO(base64.b64decode(font.group(1)))).getBestCmap()
    texts = "".join("".join(t.itertext()) for t in ET.fromstring(svg.encode()).iter(f"{SVG}text"))
    hangul = {c for c in texts if "\uac00" <= c <= "\ud7a3"}
    assert hangul and all(ord(c) in cmap for c in hangul)
    assert len(svg) < 200_000  # the glyphs used, not the whole 1.9 MB font
    (english,) = export(traced("apple"), "svg", tmp_path / "en.svg")
    assert "@font-face" not in english.read_text(encoding="utf-8")


def test_built_in_examples_are_named_in_the_diagrams_language(tmp_path):
    import subprocess
    import sys

    def dot(lang):
        out = tmp_path / f"{lang}.dot"
        result = subprocess.run(
            [sys.executable, "-m", "gradtutor", "export", "apple-orange", "--lang", lang, "-o", str(out)],
            capture_output=True, text=True, encoding="utf-8", timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return out.read_text(encoding="utf-8")

    korean, english = dot("ko"), dot("en")
    for name in ("사과", "사과 개수", "귤", "귤 개수", "소비세", "지불 금액"):
        assert f'label="{name}"' in korean
    assert "<I>사과 가격</I>" in korean and "apple" not in korean
    assert 'label="apple"' in english and "사과" not in english


def test_export_flags_reach_the_drawing(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "n.dot"
    args = ["export", "neuron", "-o", str(out), "--constants", "inline", "--color", "cs231n", "--layout", "tb",
            "--transparent", "--no-names", "--collapse", "s", "--copies"]
    result = subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "rankdir=TB" in text and 'bgcolor="transparent"' in text and 'label="1/x"' in text
    assert COLORS["cs231n"]["light"][0] in text and 'style="rounded,dashed", label="s"' in text
    bad = subprocess.run([sys.executable, "-m", "gradtutor", "export", "apple", "--canvas", "0x3"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: a canvas is two sides from 1 to 100 inches")
    assert "Traceback" not in bad.stderr


def test_tensor_diagram_golden():
    assert_golden("affine-batch.dot", to_dot(traced("affine-batch"), step=1))


def _pixels(data):
    """A PNG's RGB rows (8-bit RGB, non-interlaced), unfiltered: a reader of our own, not cairo's."""
    import zlib

    chunks, at, idat = {}, 8, b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        chunks.setdefault(kind, body)
        idat += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 2)
    raw, stride, rows, previous = zlib.decompress(idat), width * 3, [], bytearray(width * 3)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = previous[i], previous[i - 3] if i >= 3 else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return rows


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_edge_of_a_png_is_the_background(theme):
    rows = _pixels(render(to_dot(traced("apple"), theme=theme), "png", 100))
    background = bytes(int(THEMES[theme].background[i : i + 2], 16) for i in (1, 3, 5))
    edges = [rows[0], rows[-1], b"".join(row[:3] for row in rows), b"".join(row[-3:] for row in rows)]
    for edge in edges:  # no faint last column or row
        assert {edge[i : i + 3] for i in range(0, len(edge), 3)} == {background}


def test_every_localised_name_belongs_to_a_built_in_example():
    import tomllib
    from importlib.resources import files

    from gradtutor import examples
    from gradtutor.lang import LANGUAGES

    table = tomllib.loads(files("gradtutor").joinpath("data/example_names.toml").read_text(encoding="utf-8"))
    used = {node.name for example in examples.EXAMPLES.values() for node in traced(example.name).nodes if node.name}
    assert set(table) <= set(LANGUAGES) - {"en"}
    for lang, names in table.items():
        assert set(names) <= used, lang  # no name left over from an example that changed
        assert len(set(names.values())) == len(names), lang  # two values never share a name


def test_the_cli_offers_every_theme_and_only_those():
    assert choices.THEMES == tuple(THEMES)
