"""`gradtutor figure`: a lesson step's picture saved as SVG or PNG, through a real process."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from gradtutor.numbers import human
from gradtutor.render.fmt import words, written
from gradtutor.tutor import answers, lessons
from gradtutor.tutor.figures import picture_steps
from gradtutor.tutor.sources import SOURCES
from gradtutor.tutor.text import ui

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def gradtutor(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=180)


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()  # parses as XML, or the test fails here
    assert root.tag == SVG + "svg"
    return ["".join(node.itertext()) for node in root.iter(SVG + "text")]


def step(lesson: str, step_id: str):
    return next(s for s in lessons.load(lesson).steps if s.id == step_id)


def test_without_a_step_it_lists_the_steps_that_draw_a_picture():
    result = gradtutor("figure", "init")
    assert result.returncode == 0, result.stderr
    listed = [s.id for s in picture_steps(lessons.load("init"))]
    assert listed == ["tanh-histograms", "relu-histograms"]
    for step_id in listed:
        assert step_id in result.stdout
    assert "relu-stats" not in result.stdout  # a table, not a picture
    korean = gradtutor("figure", "optimizers", "--lang", "ko")
    assert korean.returncode == 0, korean.stderr
    assert ui("ko", "figure_steps", lesson="optimizers") in korean.stdout
    for step_id in ("paths", "race", "race-schedules"):
        assert step_id in korean.stdout


def test_init_histograms_as_svg_in_korean_carry_every_layer_of_every_initialiser(tmp_path):
    out = tmp_path / "init.svg"
    result = gradtutor("figure", "init", "tanh-histograms", "--out", str(out), "--lang", "ko")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"saved {out}"
    texts = svg_texts(out)
    outcome = answers.solve(step("init", "tanh-histograms").source)
    study = outcome.study
    assert texts[0] == ui("ko", "study_about", activation=study.activation, layers=study.layers,
                          width=study.width, samples=study.samples)
    for init, layers in outcome.runs.items():
        assert ui("ko", "study_init", init=init, rule=ui("ko", f"init_{init}")) in texts
        for layer in layers:  # the note beside each layer's bars: the engine's std and flat share
            assert ui("ko", "study_note", std=human(layer.std, 3), saturated=f"{layer.saturated:.0%}") in texts
    # per initialiser: a label per layer's row, then the range's ends under the stack
    rows = [str(n) for n in range(1, study.layers + 1)]
    ends = [written(outcome.lo, 3), written(outcome.hi, 3)]
    assert [t for t in texts if t.isdigit() or t in ends] == (rows + ends) * len(outcome.runs)


def test_a_race_saves_one_polyline_per_run_and_plot_with_the_plot_headings(tmp_path):
    out = tmp_path / "race.svg"
    result = gradtutor("figure", "optimizers", "race-schedules", "--out", str(out))
    assert result.returncode == 0, result.stderr
    texts = svg_texts(out)
    raced = answers.solve(step("optimizers", "race-schedules").source)
    labels = [label for label, _ in raced.outcomes]
    headings = [words("en", "race_loss_plot"), words("en", "race_train_plot"), words("en", "race_lr_plot")]
    for heading in headings:  # the schedules change the rate: the terminal draws it, so does the file
        assert heading in texts
    for label in labels:
        assert texts.count(label) == len(headings)  # each plot's legend names every run
    root = ET.parse(out).getroot()
    assert len(list(root.iter(SVG + "polyline"))) == len(labels) * len(headings)
    assert texts.count(words("en", "curve_epoch_axis")) == len(headings)


def test_a_lessons_training_run_saves_its_loss_and_accuracy_curves(tmp_path):
    out = tmp_path / "xor.svg"
    result = gradtutor("figure", "mlp", "train-xor", "--out", str(out), "--lang", "ko")
    assert result.returncode == 0, result.stderr
    texts = svg_texts(out)
    outcome = answers.solve(step("mlp", "train-xor").source)
    for title in (words("ko", "train_loss"), words("ko", "train_accuracy")):
        assert texts.count(title) == 2  # the plot's heading and its curve's key
    root = ET.parse(out).getroot()
    lines = [line.get("points").split() for line in root.iter(SVG + "polyline")]
    assert [len(points) for points in lines] == [len(outcome.history.epochs)] * 2  # one point per epoch


def test_optimizer_paths_as_png(tmp_path):
    pytest.importorskip("matplotlib", reason="PNG output needs the optional `plot` extra (matplotlib)")
    out = tmp_path / "paths.png"
    result = gradtutor("figure", "optimizers", "paths", "--out", str(out), "--lang", "ko")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == PNG_SIGNATURE
    assert "missing from font" not in result.stderr  # the Hangul title is drawn, not boxes


def test_png_without_matplotlib_is_refused_in_one_line(tmp_path):
    try:
        import matplotlib  # noqa: F401 - the optional `plot` extra
    except ImportError:
        result = gradtutor("figure", "init", "relu-histograms", "--out", str(tmp_path / "x.png"))
        assert result.returncode == 2 and result.stderr.startswith("error: ")
        assert 'needs matplotlib (pip install "gradtutor[plot]")' in result.stderr
        return
    out = tmp_path / "relu.png"
    result = gradtutor("figure", "init", "relu-histograms", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize(
    "args, message",
    [
        (["figure", "nolesson"], "unknown lesson 'nolesson'"),
        (["figure", "backprop"], "lesson backprop has no step that draws a picture (lessons that do: mlp, cnn"),
        (["figure", "init", "relu-stats", "--out", "x.svg"],
         "step 'relu-stats' of lesson init draws no picture; the steps that draw one: tanh-histograms, relu-histograms"),
        (["figure", "init", "nope", "--out", "x.svg"], "lesson init has no step 'nope'; the steps that draw one"),
        (["figure", "init", "tanh-histograms", "--out", "x.gif"], "cannot save a picture as 'x.gif': use a .svg or .png"),
        (["figure", "init", "tanh-histograms"], "give --out FILE.svg or --out FILE.png"),
        (["figure", "init", "--out", "x.svg"], "name the STEP whose picture to save in x.svg"),
        (["figure", "optimizers", "paths", "--out", "no/such/folder/x.svg"], "cannot write no/such/folder/x.svg"),
    ],
)
def test_bad_input_is_one_line_exit_code_2_no_traceback(args, message, tmp_path):
    result = gradtutor(*args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_every_picture_view_is_a_view_and_a_table_view_has_no_picture():
    for family in SOURCES.values():
        assert set(family.picture_views) <= set(family.views), family.name
        for view in family.picture_views:
            assert ui("en", f"figure_draws_{view}") and ui("ko", f"figure_draws_{view}")
    stats = step("init", "relu-stats")
    assert SOURCES["init_study"].picture(stats, answers.solve(stats.source), "en") is None
