"""Several training runs side by side: their curves on shared plots and their final figures.

`race_view(runs, lang)` shows the training loss of every run on one plot, the accuracy (held-out
where the runs hold data out, else training) on another, the learning rate where a schedule
changed it, then `race_table`: one row per run with
its settings, final training loss and accuracy and held-out accuracy, and where early stopping
ended it. A run is a `RaceRun` of plain values, so this module needs neither numpy nor the
training code. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradtutor.numbers import human
from gradtutor.render.fmt import words
from gradtutor.render.training import Figures, percent


@dataclass(frozen=True)
class RaceRun:
    label: str
    settings: str  # what sets it apart: "sgd lr 0.05", "adam, dropout 0.5"
    data: str
    history: object  # loop.History: .epochs, .column(name), .best_epoch, .stopped
    figures: Figures


def race_table(runs, lang: str = "en"):
    """One row per run: label, settings, training loss and accuracy, held-out accuracy."""
    from rich import box
    from rich.table import Table

    from gradtutor.render.canvas import STYLES

    held_out = any(run.figures.test_accuracy is not None for run in runs)
    accuracy = any(run.figures.accuracy is not None for run in runs)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column(words(lang, "col_run"))
    table.add_column(words(lang, "col_setting"))
    table.add_column(words(lang, "col_train_loss"), justify="right")
    if accuracy:
        table.add_column(words(lang, "col_train_accuracy"), justify="right")
    if accuracy and held_out:
        table.add_column(words(lang, "col_test_accuracy"), justify="right")
    for index, run in enumerate(runs):
        f = run.figures
        row = [run.label, run.settings, human(f.loss, 3)]
        if accuracy:
            row.append(percent(f.accuracy) if f.accuracy is not None else "–")
        if accuracy and held_out:
            row.append(percent(f.test_accuracy) if f.test_accuracy is not None else "–")
        table.add_row(*row, style=STYLES[index % len(STYLES)])
    return table


def race_title(runs, lang: str = "en") -> str:
    epochs = max(len(run.history.epochs) for run in runs)
    return words(lang, "race_title", count=len(runs), data=runs[0].data, epochs=epochs)


def race_plots(runs, lang: str = "en") -> list:
    """The plots of a race (curves.Plot): the training loss, the accuracy (held-out where every
    run holds data out, else training) and, where a schedule changed it, the learning rate."""
    from gradtutor.render.curves import Plot

    def curves(field: str) -> tuple:
        return tuple((run.label, run.history.column(field)) for run in runs)

    plots = [Plot(words(lang, "race_loss_plot"), curves("loss"))]
    held_out = all(v is not None for run in runs for v in run.history.column("val_accuracy"))
    field, title = ("val_accuracy", words(lang, "race_val_plot")) if held_out else ("accuracy", words(lang, "race_train_plot"))
    if all(v is not None for run in runs for v in run.history.column(field)):
        plots.append(Plot(title, curves(field), percent_axis=True))
    if any(len(set(run.history.column("lr"))) > 1 for run in runs):  # a schedule: show the rates it set
        plots.append(Plot(words(lang, "race_lr_plot"), curves("lr")))
    return plots


def race_picture(runs, lang: str = "en"):
    """The race's plots, as a file shows them (render.picture.Picture)."""
    from gradtutor.render.curves import curves_picture

    return curves_picture(race_title(runs, lang), race_plots(runs, lang), lang)


def race_view(runs, lang: str = "en"):
    """The title, the loss plot, the accuracy plot, the table, and early stopping's notes."""
    from rich.console import Group
    from rich.text import Text

    from gradtutor.render.curves import curve_plot

    parts = [Text(race_title(runs, lang), style="bold")]
    parts += [curve_plot(plot.heading, plot.series, percent_axis=plot.percent_axis, lang=lang)
              for plot in race_plots(runs, lang)]
    parts.append(race_table(runs, lang))
    for run in runs:
        if run.history.best_epoch is not None:
            parts.append(Text(words(lang, "race_stopped", run=run.label, epoch=len(run.history.epochs),
                                    best=run.history.best_epoch), style="dim"))
    return Group(*parts)
