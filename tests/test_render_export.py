"""Files from the exporter: SVG, PNG and PDF that parse and carry the numbers, frames, errors."""

import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gradtutor.render.dot import to_dot
from gradtutor.render import export as exporting
from gradtutor.render.export import ExportError, export, frame_paths, render
from render_golden import traced

SVG = "{http://www.w3.org/2000/svg}"


def _svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_parses_and_carries_the_apple_numbers():
    trace = traced("apple")
    texts = _svg_texts(render(to_dot(trace), "svg"))
    for number in ("220", "2.2", "110", "200", "100", "1.1"):
        assert number in texts
    for name in ("apple", "apple_num", "tax", "price"):
        assert name in texts
    assert not any("0000000" in t for t in texts)


def test_png_has_a_header_and_dpi_scales_it():
    dot_text = to_dot(traced("apple"))
    width, height = _png_size(render(dot_text, "png"))
    assert width > height > 50
    big_width, big_height = _png_size(render(dot_text, "png", dpi=192))
    assert big_width == pytest.approx(2 * width, abs=2)  # Graphviz draws PNG at 96 dpi by default
    assert big_height == pytest.approx(2 * height, abs=2)


def test_pdf_has_a_header():
    data = render(to_dot(traced("apple")), "pdf")
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def test_rendering_needs_no_system_graphviz(tmp_path):
    """With an empty PATH there is no `dot` program to fall back on: the wheel's engine draws."""
    script = (
        "import sys; from gradtutor.render.export import render; "
        "sys.stdout.buffer.write(render(sys.stdin.read(), 'svg'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=to_dot(traced("apple")),
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "220" in _svg_texts(result.stdout.encode())
    assert "Fontconfig" not in result.stderr


def test_export_writes_one_file_and_creates_parents(tmp_path):
    out = tmp_path / "a" / "b" / "apple.svg"
    paths = export(traced("apple"), "svg", out)
    assert paths == [out]
    assert "2.2" in _svg_texts(out.read_bytes())


def test_export_frames_one_file_per_step_plus_the_forward_pass(tmp_path):
    trace = traced("apple-orange")
    paths = export(trace, "svg", tmp_path / "ao.svg", frames=True, theme="dark")
    assert [p.name for p in paths] == [f"ao-{k:02d}.svg" for k in range(len(trace.steps) + 1)]
    first, last = (_svg_texts(p.read_bytes()) for p in (paths[0], paths[-1]))
    assert "165" not in first and "165" in last  # orange_num's gradient arrives with its step
    assert "?" in first and "?" not in last


def test_frame_names_pad_to_the_number_of_steps():
    names = [p.name for p in frame_paths(Path("x/slide.png"), 120, "png")]
    assert names[0] == "slide-000.png" and names[-1] == "slide-120.png"
    assert frame_paths(Path("plain"), 2, "pdf")[1].name == "plain-01.pdf"


def test_dot_format_writes_text_without_the_engine(tmp_path):
    trace = traced("apple")
    (path,) = export(trace, "dot", tmp_path / "apple.dot")
    assert path.read_text(encoding="utf-8") == to_dot(trace)


def test_pdf_and_png_exports(tmp_path):
    trace = traced("mul-node")
    (pdf,) = export(trace, "pdf", tmp_path / "m.pdf")
    (png,) = export(trace, "png", tmp_path / "m.png", dpi=150)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _png_size(png.read_bytes())[0] > 0


def test_unknown_format_is_a_one_line_error(tmp_path):
    with pytest.raises(ExportError, match="^unknown format 'gif'; formats are: svg, png, pdf, dot, html$"):
        export(traced("apple"), "gif", tmp_path / "a.gif")
    assert not list(tmp_path.iterdir())
    with pytest.raises(ExportError, match="^dpi must be a positive whole number"):
        render("digraph {}", "png", dpi=0)


def test_unwritable_path_is_a_one_line_error_and_writes_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ExportError, match=r"^cannot write .*file/out/x-00.svg: "):
        export(traced("apple"), "svg", blocker / "out" / "x.svg", frames=True)
    assert blocker.read_text() == "not a directory"
    with pytest.raises(ExportError) as info:
        export(traced("apple"), "dot", tmp_path)  # a directory, not a file
    assert "\n" not in str(info.value)


def test_bad_dot_text_is_a_one_line_error_naming_the_problem():
    with pytest.raises(ExportError, match=r"^Graphviz could not draw the diagram: syntax error in line 1"):
        render("digraph { a -> }", "svg")


def test_graphviz_complaints_become_warnings_and_font_noise_is_dropped(capfd):
    cell = '<TD FIXEDSIZE="TRUE" WIDTH="3" HEIGHT="3">long text</TD>'
    crowded = f"digraph {{ a [shape=plain, label=<<TABLE><TR>{cell}</TR></TABLE>>] }}"
    complaint = r"^Graphviz: cell size too small for content \(in label of node a\)$"
    with pytest.warns(RuntimeWarning, match=complaint):
        render(crowded, "svg")
    assert "Fontconfig" not in capfd.readouterr().err


def test_export_one_step_writes_that_frame_alone(tmp_path):
    trace = traced("apple-orange")
    last = len(trace.steps)
    (path,) = export(trace, "dot", tmp_path / "s.dot", step=last, theme="dark")
    assert path.read_text(encoding="utf-8") == to_dot(trace, step=last, theme="dark")
    (svg,) = export(trace, "svg", tmp_path / "s.svg", step=0)
    texts = _svg_texts(svg.read_bytes())
    assert "715" in texts and "165" not in texts  # frame 0: forward values, no gradients yet


def test_export_step_refuses_frames_and_steps_out_of_range(tmp_path):
    from gradtutor.render.fmt import StepOutOfRange

    trace = traced("apple")
    with pytest.raises(ExportError, match="^step picks one frame and frames writes them all"):
        export(trace, "svg", tmp_path / "x.svg", frames=True, step=1)
    with pytest.raises(StepOutOfRange, match="^step 9 is out of range"):
        export(trace, "svg", tmp_path / "x.svg", step=9)
    assert not list(tmp_path.iterdir())


def test_the_format_comes_from_the_file_ending_and_never_belies_it(tmp_path):
    from gradtutor.render.export import format_for

    assert format_for(Path("a.PNG")) == "png" and format_for(Path("a.gv")) == "dot"
    assert format_for(Path("slides")) == "svg" and format_for(Path("slides"), "pdf") == "pdf"
    (png,) = export(traced("apple"), None, tmp_path / "a.png")
    assert _png_size(png.read_bytes())[0] > 0
    with pytest.raises(ExportError, match=r"^the file name a\.svg says svg but the format is png$"):
        export(traced("apple"), "png", tmp_path / "a.svg")
    with pytest.raises(ExportError, match=r"^the file name a\.gif says gif but the format is png$"):
        export(traced("apple"), "png", tmp_path / "a.gif")
    with pytest.raises(ExportError, match=r"^cannot write gif \(a\.gif\); formats are: svg, png, pdf, dot, html$"):
        export(traced("apple"), None, tmp_path / "a.gif")
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_skipped_ranks_count_the_hidden_nodes_of_long_edges():
    import pygraphviz

    from gradtutor.render.export import skipped_ranks

    assert skipped_ranks(pygraphviz.AGraph(string="digraph { a -> b; b -> c; a -> c }")) == 1
    assert skipped_ranks(pygraphviz.AGraph(string="digraph { a -> b; b -> a }")) == 0  # a cycle: no estimate


def test_layout_limits_leave_the_examples_as_they_were():
    import pygraphviz

    from gradtutor import examples
    from gradtutor.render.export import LAYOUT_LIMITS

    for name, example in examples.EXAMPLES.items():
        if example.kind != "scalar":
            continue
        layouts = []
        for limits in ({}, LAYOUT_LIMITS):
            graph = pygraphviz.AGraph(string=to_dot(traced(name)))
            graph.graph_attr.update(limits)
            graph.layout(prog="dot")
            layouts.append(([n.attr["pos"] for n in graph.nodes()], [e.attr["pos"] for e in graph.edges()]))
        assert layouts[0] == layouts[1], name


def test_a_value_used_by_hundreds_of_gates_far_apart_is_refused_not_left_to_hang(tmp_path):
    from gradtutor.expr import build
    from gradtutor.tracer import trace

    fan_out = trace(build("+".join(["x"] * 200), "x=1"), 1.0)  # took Graphviz minutes
    with pytest.raises(ExportError, match=r"^the diagram is too tangled to lay out .* write it as DOT text"):
        export(fan_out, "svg", tmp_path / "fan.svg")
    assert not list(tmp_path.iterdir())
    (path,) = export(fan_out, "dot", tmp_path / "fan.dot")  # DOT text needs no layout
    wide = trace(build("+".join(f"x{i}" for i in range(60)), ",".join(f"x{i}=1" for i in range(60))), 1.0)
    (svg,) = export(wide, "svg", tmp_path / "wide.svg")
    assert "60" in _svg_texts(svg.read_bytes())


def test_dpi_is_refused_where_it_would_be_ignored(tmp_path):
    for fmt in ("svg", "pdf", "dot"):
        with pytest.raises(ExportError, match=f"^dpi sets the resolution of PNG output; {fmt} is"):
            export(traced("apple"), fmt, tmp_path / f"a.{fmt}", dpi=300)
    assert not list(tmp_path.iterdir())


def test_pdf_pages_are_the_drawing_without_a_white_frame():
    import re

    dot_text = to_dot(traced("apple-orange"), theme="dark")
    width, height = (float(v) for v in re.search(rb'viewBox="0.00 0.00 ([\d.]+) ([\d.]+)"', render(dot_text, "svg")).groups())
    pdf = render(dot_text, "pdf")
    page = [float(v) for v in re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups()]
    assert page == pytest.approx([width, height], abs=1)


# Draws Hangul in a fresh interpreter (fontconfig reads its configuration once per process) and
# counts the glyphs cairo placed: one per syllable when a font has them; a missing glyph is drawn
# as a box holding the code point's hex digits, four glyphs for each syllable.
HANGUL_PROBE = """
from gradtutor.render.export import use_bundled_fonts
use_bundled_fonts()
import pygraphviz
label = "{text}"
graph = pygraphviz.AGraph('digraph {{ a [shape=plaintext, fontname="Noto Sans CJK KR", label="' + label + '"]; }}')
print(graph.draw(format="svg:cairo", prog="dot").decode().count("<use"))
"""


def test_hangul_comes_out_as_glyphs_even_where_the_system_has_no_korean_font(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    environment["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    text = "기울기값합"
    result = subprocess.run(  # from an empty folder: no font is found by accident beside the run
        [sys.executable, "-c", HANGUL_PROBE.format(text=text)],
        capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(len(text))
    (written,) = (tmp_path / "cache" / "gradtutor").glob("fonts-*.conf")
    (copied,) = (path for path in (tmp_path / "cache" / "gradtutor").glob("fonts-*") if path.is_dir())
    assert f"<dir>{copied.resolve()}</dir>" in written.read_text()
    assert str(exporting.FONT_DIR.resolve()) not in written.read_text()


def test_drawing_writes_nothing_into_the_package(tmp_path):
    # fontconfig leaves a .uuid in every font folder it caches: that folder must be the user's
    # cache, not the installed package. A copy of the package's font folder stands in for it, so
    # a .uuid left by an earlier version cannot hide a new one.
    package = tmp_path / "package"
    shutil.copytree(exporting.FONT_DIR, package)
    before = sorted(p.name for p in package.iterdir())
    probe = f"import pathlib, gradtutor.render.export as e; e.FONT_DIR = pathlib.Path({str(package)!r});" + HANGUL_PROBE
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    environment["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    result = subprocess.run([sys.executable, "-c", probe.format(text="기울기")], capture_output=True,
                            text=True, env=environment, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "3"  # drawn with the copied font
    assert sorted(p.name for p in package.iterdir()) == before


def test_a_font_configuration_of_the_users_own_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.delenv("FONTCONFIG_PATH", raising=False)
    monkeypatch.setenv("FONTCONFIG_FILE", "/their/fonts.conf")
    exporting.use_bundled_fonts()
    assert os.environ["FONTCONFIG_FILE"] == "/their/fonts.conf"
    monkeypatch.delenv("FONTCONFIG_FILE")
    monkeypatch.setenv("FONTCONFIG_PATH", "/their/fonts")
    exporting.use_bundled_fonts()
    assert "FONTCONFIG_FILE" not in os.environ
    monkeypatch.delenv("FONTCONFIG_PATH")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    exporting.use_bundled_fonts()
    first = Path(os.environ["FONTCONFIG_FILE"])
    assert first.parent == tmp_path / "gradtutor" and first.is_file()
    monkeypatch.delenv("FONTCONFIG_FILE")
    exporting.use_bundled_fonts()  # a later run finds the same file
    assert Path(os.environ["FONTCONFIG_FILE"]) == first
    assert len(list(first.parent.glob("*.conf"))) == 1


def test_without_a_writable_cache_the_temporary_folder_holds_the_font_configuration(monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.delenv("FONTCONFIG_PATH", raising=False)
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setattr(exporting.tempfile, "tempdir", str(tmp_path / "tmp"))
    exporting.use_bundled_fonts()
    assert Path(os.environ["FONTCONFIG_FILE"]).parent == tmp_path / "tmp" / "gradtutor"
