"""Training curves and the epoch table: golden text for the terminal, structure for SVG."""

import xml.etree.ElementTree as ElementTree

import pytest
from render_golden import assert_golden, console_text

from gradtutor.render import curves as plots
from gradtutor.train.loop import Epoch, History

SVG = "{http://www.w3.org/2000/svg}"


def history(classification=True, validation=True, epochs=6):
    records = []
    for e in range(1, epochs + 1):
        records.append(Epoch(
            epoch=e, loss=1.0 / e, accuracy=(0.5 + e / 20) if classification else None, seconds=0.25, lr=0.01,
            val_loss=1.2 / e if validation else None,
            val_accuracy=(0.45 + e / 20) if classification and validation else None,
        ))
    return History(records)


def test_sparkline_puts_the_lowest_value_at_the_bottom():
    rows = plots.sparkline([0.0, 1.0, 0.5], width=10, height=2)
    assert rows == [" █▁", "▁██"]
    assert len(plots.sparkline(list(range(100)), width=20, height=3)[0]) == 20  # epochs averaged into 20 columns


def test_epoch_table_and_curves_golden():
    text = console_text(plots.epoch_table(history())) + console_text(plots.terminal_curves(history(), width=12))
    assert_golden("train-epochs.txt", text)


def test_regression_table_has_no_accuracy_columns():
    text = console_text(plots.epoch_table(history(classification=False)))
    assert "accuracy" not in text and "held-out loss" in text


def test_long_runs_show_about_twenty_rows_and_the_last():
    text = console_text(plots.epoch_table(history(epochs=95)))
    rows = [line.split()[0] for line in text.splitlines()[2:] if line.strip()]
    assert rows[0] == "1" and rows[-1] == "95" and 15 <= len(rows) <= 25


def test_svg_has_one_line_per_curve_and_two_panels():
    root = ElementTree.fromstring(plots.svg_curves(history(), title="mlp & spiral"))
    assert len(root.findall(f"{SVG}polyline")) == 4
    assert len([r for r in root.findall(f"{SVG}rect") if r.get("stroke")]) == 2
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert "mlp & spiral" in texts and "held-out accuracy" in texts
    regression = ElementTree.fromstring(plots.svg_curves(history(classification=False)))
    assert len(regression.findall(f"{SVG}polyline")) == 2


def test_save_refuses_other_suffixes(tmp_path):
    with pytest.raises(plots.PlotError, match="use a .svg or .png"):
        plots.save_curves(history(), tmp_path / "curves.pdf")
    assert plots.save_curves(history(), tmp_path / "c.svg").read_text().startswith("<svg")
    with pytest.raises(plots.PlotError, match="cannot write"):
        plots.save_curves(history(), tmp_path / "no-such-folder" / "c.svg")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_number_of_the_epoch_table_is_cut_at_any_width(lang):
    """Headers wrap and, where even that is too wide, the seconds go: a number is written whole
    (from 60 columns on, every header too)."""
    from gradtutor.numbers import human

    records = history().epochs
    numbers = {human(r.lr, 4) for r in records} | {human(r.loss, 4) for r in records}
    for width in range(50, 121):
        text = console_text(plots.epoch_table(history(), lang=lang), width=width)
        assert all(number in text.split() for number in numbers), width
        assert width < 60 or "…" not in text, width
        assert max(len(line) for line in text.splitlines()) <= width


def test_an_empty_history_gives_the_headers_alone():
    lines = console_text(plots.epoch_table(history(epochs=0))).splitlines()
    assert lines[0].split() == ["epoch", "loss", "lr", "seconds"] and set(lines[1]) == {"─"} and len(lines) == 2
