"""A training run, shown: what is trained, the curves, the final figures, a network's layers.

Every function returns a rich renderable in English or Korean and prints nothing; `gradtutor
train` and the lessons' training steps show the same objects. The run is described by plain
values (`Facts`, `Figures`) so this module needs neither the training code nor numpy.

    about(facts, lang)                      one line: model, data, sizes, optimizer, seed
    long_run(seconds, lang)                 the warning before a run of minutes
    summary(figures, lang)                  the final loss/accuracy, held out, baseline
    curves(history, lang, width)            each curve's caption and a small chart (lessons)
    report(history, figures, ...)           what `gradtutor train` prints after training
    layers_table(title, input_shape, layers, output, params, lang, upto)
                                            one row per layer: output shape, parameters
The decision boundary is gradtutor.render.boundary.decision_boundary; the detailed curves and
the epoch table, and the SVG/PNG files, are in gradtutor.render.curves.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradtutor.numbers import human
from gradtutor.render.fmt import shape_text, words


@dataclass(frozen=True)
class Facts:
    """What a run trains, known before it starts."""

    model: str  # mlp, cnn …
    layout: str  # "2-64-64-3 relu", "LeNet", "lstm 64"
    data: str
    examples: int
    parameters: int
    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    seed: int
    held_out: int | None = None  # the rest are shown by `gradtutor train` only
    schedule: str | None = None
    init: str | None = None
    backend: str | None = None


@dataclass(frozen=True)
class Figures:
    """How a finished run scores. accuracy is None for regression, test_* without held-out data,
    baseline (the mean predictor's MSE or the uniform guess's loss) where the data set has one."""

    loss: float
    accuracy: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    baseline: float | None = None
    seconds: float | None = None
    sequence_accuracy: float | None = None  # an encoder–decoder's whole sequences right


def percent(value: float) -> str:
    return f"{value:.1%}"


def about(facts: Facts, lang: str = "en"):
    """One line saying what is trained; `gradtutor train` adds a second with its settings."""
    from rich.text import Text

    f = facts
    line = words(lang, "train_about", model=f.model, layout=f.layout, data=f.data, examples=f.examples,
                 parameters=f.parameters, epochs=f.epochs, batch=f.batch_size, optimizer=f.optimizer,
                 lr=human(f.lr), seed=f.seed)
    if f.backend is not None and f.held_out is not None:
        line += "\n" + words(lang, "train_about_more", held_out=f.held_out, schedule=f.schedule, init=f.init,
                             backend=f.backend)
    elif f.backend is not None:
        line += "\n" + words(lang, "train_about_settings", schedule=f.schedule, init=f.init, backend=f.backend)
    return Text(line)


def long_run(seconds: float, lang: str = "en") -> str:
    """The warning `gradtutor train` gives before a run estimated to take minutes."""
    return words(lang, "train_long_run", minutes=max(1, round(seconds / 60)))


def summary(figures: Figures, lang: str = "en"):
    """The figures after training: loss and accuracy, held-out ones, the baseline (and the time)."""
    from rich.text import Text

    f = figures
    line = words(lang, "train_final", loss=human(f.loss, 3))
    if f.accuracy is not None:
        line += words(lang, "train_final_accuracy", accuracy=percent(f.accuracy))
    if f.test_loss is not None:
        line += words(lang, "train_held_out", loss=human(f.test_loss, 3))
        if f.test_accuracy is not None:
            line += words(lang, "train_final_accuracy", accuracy=percent(f.test_accuracy))
    if f.sequence_accuracy is not None:
        line += words(lang, "train_sequence_accuracy", accuracy=percent(f.sequence_accuracy))
    if f.baseline is not None:
        line += words(lang, "train_baseline", baseline=human(f.baseline, 3))
    if f.seconds is not None:
        line += words(lang, "train_seconds", seconds=f"{f.seconds:.1f}")
    return Text(line + ".")


def curves(history, lang: str = "en", width: int = 60, accuracy: bool = True) -> list:
    """Per curve (the training loss, then the accuracy when the run has one): a bold caption
    with the first and last epoch's values and a three-row chart."""
    from rich.text import Text

    from gradtutor.render.curves import sparkline
    from gradtutor.render.fit import Prose, unbroken

    parts = []
    for field, title, values in _curves(history, lang, accuracy):
        show = percent if field == "accuracy" else (lambda v: human(v, 3))
        first, last = (unbroken(words(lang, "train_curve_point", epoch=epoch, value=show(value)))
                       for epoch, value in ((1, values[0]), (len(values), values[-1])))
        caption = words(lang, "train_curve", what=title, first=first, last=last)
        parts.append(Prose(Text(caption, style="bold")))
        parts += [Text(line, style="cyan") for line in sparkline(values, width=width, height=3)]
    return parts


def _curves(history, lang: str, accuracy: bool) -> list:
    """(History field, title, values) of the training loss, then of the accuracy when asked for."""
    fields = [("loss", words(lang, "train_loss"))] + [("accuracy", words(lang, "train_accuracy"))] * accuracy
    found = []
    for field, title in fields:
        values = [float(v) for v in history.column(field) if v is not None]
        if values:
            found.append((field, title, values))
    return found


def lesson_picture(facts: Facts, history, figures: Figures, lang: str = "en"):
    """The curves of `lesson_view` as a file shows them (render.picture.Picture), under the line
    saying what was trained."""
    from gradtutor.render.curves import Plot, curves_picture

    plots = [Plot(title, ((title, values),), percent_axis=field == "accuracy")
             for field, title, values in _curves(history, lang, figures.accuracy is not None)]
    return curves_picture(about(facts, lang).plain, plots, lang)


def lesson_view(facts: Facts, history, figures: Figures, boundary=None, lang: str = "en", width: int = 60):
    """A lesson's view of a finished run: what was trained, its curves, the final figures and,
    for 2-D data, `boundary` = (grid, points, labels) drawn as the decision boundary."""
    from rich.console import Group

    from gradtutor.render.boundary import decision_boundary
    from gradtutor.render.fit import Prose

    parts = [Prose(about(facts, lang)), *curves(history, lang, width, accuracy=figures.accuracy is not None),
             summary(figures, lang)]
    if boundary is not None:
        parts.append(decision_boundary(*boundary, lang=lang))
    return Group(*parts)


def report(history, figures: Figures, boundary=None, sample: str | None = None, saved=(), lang: str = "en"):
    """What `gradtutor train` shows after training: the epoch table and curves, the decision
    boundary (`boundary` = (grid, points, labels), 2-D data only), the final figures, a sample of
    generated text, and the files written (`saved`: ("checkpoint" | "curves" | "attention", path) pairs)."""
    from rich.console import Group

    from gradtutor.render.boundary import decision_boundary
    from gradtutor.render.curves import epoch_table, terminal_curves

    parts = []
    if history.epochs:
        parts += [epoch_table(history, lang=lang), terminal_curves(history, lang=lang), ""]
    if boundary is not None:
        parts += [decision_boundary(*boundary, lang=lang), ""]
    parts.append(summary(figures, lang))
    if sample is not None:
        parts += ["", words(lang, "train_sample"), sample]
    for kind, path in saved:
        if kind == "checkpoint":
            parts.append(words(lang, "train_saved_checkpoint", path=path))
        elif kind == "attention":
            parts.append(words(lang, "train_saved_attention", path=path))
        else:
            parts.append(words(lang, "train_saved_curves", path=path))
    return Group(*parts)


def validation_note(history, loss: float, accuracy: float | None, lang: str = "en"):
    """The validation split's figures and, with early stopping, where it stopped and which
    epoch's weights the model kept."""
    from rich.text import Text

    line = words(lang, "train_validation", loss=human(loss, 3))
    if accuracy is not None:
        line += words(lang, "train_final_accuracy", accuracy=percent(accuracy))
    line += "."
    if history.best_epoch is not None:
        said = words(lang, "train_stopped", epoch=history.last.epoch, best=history.best_epoch) if history.stopped else \
            words(lang, "train_not_stopped", epoch=history.last.epoch, best=history.best_epoch)
        line += " " + said
    return Text(line)


def layers_table(title: str, input_shape, layers, output, params: int, lang: str = "en", upto: int | None = None):
    """A network's layers: its title, the input shape, then one row per layer (`layers`:
    (name, output shape, parameters) for one example) and the total; with `upto`, only the
    layers up to that one (a worked solution shows no more than it asks)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(words(lang, "col_number"), justify="right")
    table.add_column(words(lang, "col_layer"))
    table.add_column(words(lang, "col_output"))
    table.add_column(words(lang, "col_params"), justify="right")
    for number, (name, shape, count) in enumerate(list(layers)[:upto], 1):
        table.add_row(str(number), name, shape_text(shape), str(count))
    if upto is None:
        table.add_row("", words(lang, "layers_total"), shape_text(output), str(params), style="bold")
    caption = Text(words(lang, "layers_input", shape=shape_text(input_shape)))
    return Group(Text(title, style="bold"), caption, table)
