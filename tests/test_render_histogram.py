"""Histograms in the terminal (golden at 80 and 60 columns: bins merge to fit) and as SVG."""

import pytest

from gradtutor.render.curves import PlotError
from gradtutor.render.histogram import Histogram, bars, merged, save_histograms, svg_histograms, terminal_histograms

from render_golden import assert_golden, console_text

# A bell, a spike at zero and a two-sided pile-up at the ends: the three shapes of the init study.
BELL = tuple(round(100 * 2.718 ** (-((i - 23.5) / 6) ** 2)) for i in range(48))
SPIKE = tuple(500 if i in (23, 24) else 0 for i in range(48))
EDGES = tuple(380 if i in (0, 47) else 2 for i in range(48))
ROWS = [
    Histogram("1", BELL, -1.0, 1.0, "std 0.627  flat 1%"),
    Histogram("2", SPIKE, -1.0, 1.0, "std 2.3e-08  flat 0%"),
    Histogram("10", EDGES, -1.0, 1.0, "std 0.951  flat 75%"),
]


def test_korean_notes_are_measured_in_terminal_columns():
    from rich.cells import cell_len

    rows = [Histogram(h.label, h.counts, h.lo, h.hi, "표준편차 0.951  평평 75%") for h in ROWS]
    text = console_text(terminal_histograms("tanh 계층 세 개", rows), width=60)
    assert all(cell_len(line) <= 60 for line in text.splitlines())
    assert len({line.index("│") for line in text.splitlines() if "│" in line}) == 1  # the bars line up


@pytest.mark.parametrize("width", [80, 60])
def test_histograms_fit_the_terminal(width):
    text = console_text(terminal_histograms("tanh, three layers", ROWS), width=width)
    assert all(len(line) <= width for line in text.splitlines())
    assert_golden(f"histograms-{width}.txt", text)


def test_bins_merge_by_a_factor_that_divides_them():
    assert merged(range(48), 48) == list(range(48))
    assert merged([1] * 48, 30) == [2] * 24
    assert merged([1] * 48, 20) == [3] * 16
    assert sum(merged(BELL, 7)) == sum(BELL)


def test_a_bin_with_anything_in_it_is_drawn_and_an_empty_one_is_blank():
    assert bars([0, 1, 1000]) == " ▁█"


def test_svg_draws_one_bar_per_filled_bin_and_png_needs_a_known_suffix(tmp_path):
    svg = svg_histograms("init", ROWS)
    assert svg.startswith("<svg") and svg.count("<rect") == 1 + sum(c > 0 for h in ROWS for c in h.counts)
    assert save_histograms("init", ROWS, tmp_path / "h.svg").read_text(encoding="utf-8") == svg
    with pytest.raises(PlotError, match="use a .svg or .png"):
        save_histograms("init", ROWS, tmp_path / "h.gif")


def test_png_is_drawn_by_matplotlib_or_refused_in_one_line_without_it(tmp_path):
    path = tmp_path / "h.png"
    try:
        import matplotlib  # noqa: F401 - the optional `plot` extra
    except ImportError:
        with pytest.raises(PlotError, match=r'needs matplotlib \(pip install "gradtutor\[plot\]"\)'):
            save_histograms("init", ROWS, path)
        assert not path.exists()
        return
    save_histograms("init", ROWS, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
