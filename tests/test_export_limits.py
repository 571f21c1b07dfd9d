"""A PNG is refused, in one line and before drawing, when its resolution or its pixel count would
take minutes and gigabytes; the size comes from the layout."""

import pytest

from gradtutor.render.export import DPI_RANGE, PNG_PIXEL_LIMIT, ExportError, render

# A row of boxes 2 inches wide each: 40 of them are 80 × 1 inches (96,000 × 1,200 pixels at 1200 dpi).
WIDE = "digraph { rankdir=LR; node [shape=box, width=2, height=1, fixedsize=true]; %s }" % " -> ".join(
    f"n{i}" for i in range(40))


@pytest.mark.parametrize("dpi", [DPI_RANGE[0] - 1, DPI_RANGE[1] + 1, 100_000])
def test_dpi_outside_the_range_is_refused(dpi):
    with pytest.raises(ExportError, match=f"from {DPI_RANGE[0]} to {DPI_RANGE[1]}, got {dpi}"):
        render("digraph { a }", "png", dpi=dpi)


def test_a_png_with_too_many_pixels_is_refused_with_a_dpi_that_fits():
    with pytest.raises(ExportError, match=r"the PNG would be [\d,]+ × [\d,]+ pixels at 1200 dpi.*use --dpi (\d+) or less") as raised:
        render(WIDE, "png", dpi=1200)
    fitting = int(str(raised.value).split("use --dpi ")[1].split()[0])
    assert render(WIDE, "png", dpi=fitting).startswith(b"\x89PNG")
    assert (80 * fitting) * (1.2 * fitting) < PNG_PIXEL_LIMIT


def test_the_same_diagram_as_svg_is_not_limited_by_pixels():
    assert b"<svg" in render(WIDE, "svg")
