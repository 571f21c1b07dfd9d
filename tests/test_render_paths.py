"""Several curves on one plot, optimizer paths on a contour map, a race of runs: golden text at 80
and 60 columns in both languages, and the same pictures as SVG."""

import re

import pytest
from render_golden import assert_golden, console_text

from gradtutor.render.curves import PlotError, curve_plot, save_several
from gradtutor.render.paths import path_map, paths_view, save_paths, svg_paths
from gradtutor.render.race import RaceRun, race_view
from gradtutor.render.training import Figures
from gradtutor.train.loop import Epoch, History
from gradtutor.train.paths import Path


def surface(x, y):
    return x * x / 20 + y * y


WINDOW = (-10.0, 10.0, -5.0, 5.0)
PATHS = [
    Path("sgd", ((-7.0, 2.0), (-6.3, -1.6), (-5.7, 1.3), (-5.1, -1.0), (-4.6, 0.8)), (6.45, 4.54, 3.31, 2.3, 1.7)),
    Path("momentum", ((-7.0, 2.0), (-6.9, 1.6), (-6.7, 0.9), (-6.4, 0.1), (-6.0, -0.6)), (6.45, 4.9, 3.0, 2.06, 2.16)),
    Path("adam", ((-7.0, 2.0), (-6.7, 1.7), (-6.4, 1.4), (-6.1, 1.1), (-5.8, 0.8)), (6.45, 5.1, 4.0, 3.07, 2.32),
         diverged=True),
]


def history(losses, accuracies):
    return History([Epoch(epoch=e + 1, loss=l, accuracy=a, seconds=0.1, lr=0.01, val_accuracy=a - 0.1, val_loss=l + 0.2)
                    for e, (l, a) in enumerate(zip(losses, accuracies))])


RUNS = [
    RaceRun("sgd", "sgd lr 0.05", "spiral", history([1.1, 0.9, 0.8, 0.7, 0.65, 0.6], [0.4, 0.5, 0.55, 0.6, 0.62, 0.64]),
            Figures(0.6, 0.64, 0.8, 0.54)),
    RaceRun("adam", "adam, dropout 0.5", "spiral", history([1.1, 0.6, 0.3, 0.2, 0.1, 0.05], [0.4, 0.7, 0.85, 0.9, 0.95, 1.0]),
            Figures(0.05, 1.0, 0.25, 0.9)),
]


def screens(lang, width):
    parts = [paths_view("x**2/20 + y**2", surface, WINDOW, PATHS, (0.0, 0.0), lang), race_view(RUNS, lang)]
    return "".join(console_text(part, width=width) for part in parts)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [80, 60])
def test_paths_and_a_race_golden(lang, width):
    text = screens(lang, width)
    assert_golden(f"paths-race-{lang}-{width}.txt", text)
    assert max(len(line) for line in text.splitlines()) <= width


def test_the_map_marks_start_minimum_and_each_path_in_its_own_letter():
    text = console_text(path_map(surface, WINDOW, PATHS, (0.0, 0.0)), width=60)
    for mark in "oSMA+":  # adam's first letter is free here
        assert mark in text
    assert max(len(line) for line in text.splitlines()) <= 60


def test_a_curve_plot_spans_its_range_and_names_every_curve():
    text = console_text(curve_plot("loss", [("plain", [2.0, 1.0, 0.5]), ("decay", [2.0, 1.5, 1.2])]), width=50)
    lines = text.splitlines()
    assert lines[1].strip().startswith("2 │") and "0.5 │" in text
    assert "P plain" in text and "D decay" in text


def test_the_svg_picture_has_one_polyline_per_path_and_a_legend(tmp_path):
    svg = svg_paths("bowl", surface, WINDOW, PATHS, (0.0, 0.0))
    assert svg.startswith("<svg") and svg.count("<polyline") == 3
    for path in PATHS:
        assert f">{path.optimizer} (" in svg
    written = save_paths(tmp_path / "p.svg", "bowl", surface, WINDOW, PATHS)
    assert written.read_text(encoding="utf-8") == svg_paths("bowl", surface, WINDOW, PATHS)
    with pytest.raises(PlotError, match="use a .svg or .png"):
        save_paths(tmp_path / "p.gif", "bowl", surface, WINDOW, PATHS)


def test_several_runs_save_as_one_svg_with_a_panel_per_figure(tmp_path):
    panels = [[(run.label, run.history.column("loss")) for run in RUNS],
              [(run.label, run.history.column("val_accuracy")) for run in RUNS]]
    svg = save_several(panels, tmp_path / "race.svg", "race").read_text(encoding="utf-8")
    assert svg.count("<polyline") == 4
    assert len(re.findall(r">sgd<", svg)) == 2
