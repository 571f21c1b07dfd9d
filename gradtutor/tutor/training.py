"""Training inside a lesson: a `[training.<name>]` table, run with the real training loop.

`spec(name, table)` checks a lesson's table and returns a `Training` (frozen, so runs are cached
by it). `run(training)` resolves it with `gradtutor.train.command` (the same recipes and data as
`gradtutor train`), builds the model, trains with `loop.fit` and returns an `Outcome`: the
history, the final figures and, for 2-D data, the class the model predicts over a grid (the
decision boundary). One seed gives the same numbers on the numpy backend, so quizzes about a
run (`accuracy`, `above:0.9:accuracy`) are as reproducible as the engine's gradients.

`estimate_seconds` guards the lesson author: `dev check` refuses a run estimated slower than
`MAX_SECONDS`, since a learner watches it happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

MODELS = ("mlp", "cnn", "rnn", "lstm", "gru")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam")
INITS = ("small", "large", "xavier", "he")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
TWO_D = ("xor", "spiral", "moons", "circles")
MAX_SECONDS = 5.0  # a lesson's run, as estimated on two cores (see estimate_seconds)

# key -> (type check, what it must be); None values in a Training mean "the recipe's value".
_WHOLE = (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a whole number ≥ 1")
_POSITIVE = (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0, "a number > 0")
KEYS = {
    "model": (lambda v: v in MODELS, f"one of {', '.join(MODELS)}"),
    "data": (lambda v: isinstance(v, str), "a data set name"),
    "hidden": (None, "a whole number ≥ 1 (mlp: or a list of widths, [] for no hidden layer)"),
    "activation": (lambda v: v in ACTIVATIONS, f"one of {', '.join(ACTIVATIONS)}"),
    "epochs": _WHOLE,
    "batch_size": _WHOLE,
    "samples": _WHOLE,
    "length": _WHOLE,
    "lr": _POSITIVE,
    "clip": _POSITIVE,
    "optimizer": (lambda v: v in OPTIMIZERS, f"one of {', '.join(OPTIMIZERS)}"),
    "init": (lambda v: v in INITS, f"one of {', '.join(INITS)}"),
    "seed": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number ≥ 0"),
}


class TrainingError(ValueError):
    """A training table that cannot run; one line."""


@dataclass(frozen=True, slots=True)
class Training:
    family: ClassVar[str] = "training"  # a lesson source, answered by sources.training
    name: str
    model: str
    data: str | None = None
    hidden: int | tuple[int, ...] | None = None  # a tuple: the mlp's hidden widths
    activation: str = "relu"
    epochs: int | None = None
    batch_size: int | None = None
    samples: int | None = None
    length: int | None = None
    lr: float | None = None
    clip: float | None = None
    optimizer: str = "adam"
    init: str | None = None
    seed: int = 0


def spec(name: str, table: dict) -> Training:
    """Check a `[training.<name>]` table; TrainingError names the first problem."""
    if not isinstance(table, dict):
        raise TrainingError("must be a table with at least model = \"…\"")
    for key in table:
        if key not in KEYS:
            raise TrainingError(f"unknown key {key!r} (keys: {', '.join(KEYS)})")
    if "model" not in table:
        raise TrainingError(f"needs model = \"…\" ({', '.join(MODELS)})")
    values = {}
    for key, value in table.items():
        test, what = KEYS[key]
        if key == "hidden":
            value = _hidden(value, table.get("model"))
        elif not test(value):
            raise TrainingError(f"{key} must be {what}, got {value!r}")
        values[key] = value
    if "activation" in table and table["model"] != "mlp":
        raise TrainingError("activation applies to the mlp only")
    training = Training(name, **values)
    resolved(training)  # model and data must fit, sizes must be sane
    return training


def _hidden(value, model):
    if isinstance(value, list):
        if model != "mlp":
            raise TrainingError("a list of hidden widths applies to the mlp only")
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value):
            raise TrainingError(f"hidden must list whole numbers ≥ 1, got {value!r}")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TrainingError(f"hidden must be a whole number ≥ 1 or a list of widths, got {value!r}")
    return value


def resolved(training: Training):
    """The `gradtutor train` config this run stands for, resolved against its recipe."""
    from gradtutor.train import command

    config = command.TrainConfig(
        model=training.model, data=training.data, epochs=training.epochs, batch_size=training.batch_size,
        optimizer=training.optimizer, lr=training.lr, init=training.init, seed=training.seed,
        hidden=training.hidden if isinstance(training.hidden, int) else None,
        samples=training.samples, length=training.length, clip=training.clip,
    )
    try:
        return command.resolve(config)
    except command.TrainError as exc:
        raise TrainingError(str(exc)) from None


# -- how long a run takes ---------------------------------------------------------------------------
# A cost model, not a stopwatch, so `dev check` gives the same verdict on any machine and under
# any load. Measured on two cores (numpy, float32): the fixed cost of one training step (forward,
# backward, update of a small model), the extra cost of each time step of a recurrent layer per
# batch, and the multiply-add rate of the layers' matrix work (forward + backward ≈ 3 × forward).
# The counts come from the model itself (`Module.cost`, from shapes): a layer that cannot say
# what it costs stops the estimate instead of counting as free.
STEP_SECONDS = 0.4e-3
TIME_STEP_SECONDS = 0.1e-3
MULTIPLY_ADDS_PER_SECOND = 3e9


def estimate_seconds(training: Training) -> float:
    """The run's estimated training time on two cores, from its sizes alone."""
    return _estimate(training)


@lru_cache(maxsize=64)
def _estimate(training: Training) -> float:
    from dataclasses import replace

    from gradtutor.train import command

    config = resolved(training)
    settings = config.settings
    small = replace(config, samples=min(8, settings.get("samples") or 8), settings={})
    probe = command.prepare(small)  # the same model on a handful of examples: shapes, not numbers
    examples = _examples(config, settings)
    cost = probe.model.cost(tuple(probe.train_set.x.shape[1:]))  # each layer's own count, one example
    per_example = cost.multiply_adds + cost.overhead
    batches = -(-examples // settings["batch_size"])
    epoch = batches * (STEP_SECONDS + cost.time_steps * TIME_STEP_SECONDS) + 3 * per_example * examples / MULTIPLY_ADDS_PER_SECOND
    return settings["epochs"] * epoch * (1 + 1 / (3 * settings["epochs"]))  # + the final evaluation


def _examples(config, settings) -> int:
    """Training examples the run will have (after the held-out part)."""
    if config.data == "chars":
        from gradtutor.train import command

        return len(command.prepare(config).train_set)
    count = settings["samples"] * (3 if config.data == "spiral" else 1)  # spiral: per class
    return count - int(round(count * settings["test"]))


def too_slow(training: Training) -> str | None:
    """A one-line problem when the run is estimated over MAX_SECONDS, else None."""
    seconds = estimate_seconds(training)
    if seconds <= MAX_SECONDS:
        return None
    return (
        f"training {training.name} is estimated at {seconds:.1f} s on two cores, more than the {MAX_SECONDS:g} s "
        "a learner should wait: use fewer epochs, samples, steps or a smaller model"
    )


# -- running --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """A finished run: what `gradtutor train` would print, and what quizzes ask about."""

    training: Training
    model: str  # mlp, cnn …
    data: str
    layout: str  # "2-8-8-2 relu", "LeNet", "lstm 64"
    examples: int
    parameters: int
    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    history: object  # loop.History
    loss: float
    accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    baseline: float | None  # the mean predictor's MSE, or the uniform guess's loss
    boundary: object = None  # boundary.Grid for 2-D data
    points: object = None  # the training points (host (N, 2)) …
    labels: object = None  # … and their classes


_RUNS: dict[Training, Outcome] = {}
_KEEP = 16  # finished runs kept for the quizzes that follow a show step


def cached(training: Training) -> bool:
    return training in _RUNS


def run(training: Training, on_batch=None, on_epoch=None) -> Outcome:
    """Train (or return the cached outcome of) a lesson's run with the real loop.

    on_batch(epoch, batch, batches, loss) and on_epoch(Epoch) report progress as in loop.fit.
    """
    if training in _RUNS:
        return _RUNS[training]
    from gradtutor.train import boundary, command, models

    config = resolved(training)
    prepared = command.prepare(config)
    settings = config.settings
    layout = _layout(training, prepared, settings)
    if training.model == "mlp" and (isinstance(training.hidden, tuple) or training.activation != "relu"):
        # The lesson sets the hidden widths (an empty list: a linear model) or the activation.
        features, classes = prepared.train_set.x.shape[1], prepared.train_set.n_classes
        hidden = training.hidden if isinstance(training.hidden, tuple) else (settings["hidden"],) * 2
        prepared.model = models.MLP([features, *hidden, classes], activation=training.activation,
                                    init=settings["init"], seed=config.seed)
    result = command.train(prepared, on_batch=on_batch, on_epoch=on_epoch)
    grid = points = labels = None
    if config.data in TWO_D:
        points, labels = prepared.train_set.x, prepared.train_set.y
        grid = boundary.predict_grid(prepared.model, points)
    baseline = next(iter(result.baseline.values()), None)
    outcome = Outcome(
        training, config.model, config.data, layout, len(prepared.train_set), prepared.model.parameter_count(),
        settings["epochs"], settings["batch_size"], config.optimizer, settings["lr"], result.history,
        result.loss, result.accuracy, result.test_loss, result.test_accuracy, baseline, grid, points, labels,
    )
    if len(_RUNS) >= _KEEP:
        _RUNS.pop(next(iter(_RUNS)))
    _RUNS[training] = outcome
    return outcome


def _layout(training: Training, prepared, settings) -> str:
    if training.model == "mlp":
        features, classes = prepared.train_set.x.shape[1], prepared.train_set.n_classes
        hidden = training.hidden if isinstance(training.hidden, tuple) else (settings["hidden"],) * 2
        widths = "-".join(str(n) for n in (features, *hidden, classes))
        return f"{widths} {training.activation}" if hidden else widths
    if training.model == "cnn":
        return "LeNet"
    return f"{training.model} {settings['hidden']}"


# -- the "train" view -----------------------------------------------------------------------------
def about(outcome_or_training, lang: str = "en") -> str:
    """One line saying what is trained (before the run it needs only the resolved settings)."""
    from gradtutor.numbers import human
    from gradtutor.tutor.text import ui

    o = outcome_or_training
    return ui(
        lang, "train_about", model=o.model, layout=o.layout, data=o.data, examples=o.examples,
        parameters=o.parameters, epochs=o.epochs, batch=o.batch_size, optimizer=o.optimizer,
        lr=human(o.lr), seed=o.training.seed,
    )


def final_line(outcome: Outcome, lang: str = "en"):
    """The figures after training: loss and accuracy, held-out ones, the baseline."""
    from rich.text import Text

    from gradtutor.numbers import human
    from gradtutor.tutor.text import ui

    final = ui(lang, "train_final", loss=human(outcome.loss, 3))
    if outcome.accuracy is not None:
        final += ui(lang, "train_final_accuracy", accuracy=_percent(outcome.accuracy))
    if outcome.test_loss is not None:
        final += ui(lang, "train_held_out", loss=human(outcome.test_loss, 3))
        if outcome.test_accuracy is not None:
            final += ui(lang, "train_final_accuracy", accuracy=_percent(outcome.test_accuracy))
    if outcome.baseline is not None:
        final += ui(lang, "train_baseline", baseline=human(outcome.baseline, 3))
    return Text(final + ".")


def _percent(value: float) -> str:
    return f"{value:.1%}"


def view(outcome: Outcome, lang: str = "en", width: int = 60):
    """A rich renderable of a finished run: what was trained, the loss (and accuracy) curve,
    the final figures and, for 2-D data, the decision boundary with the data on it."""
    from rich.console import Group
    from rich.text import Text

    from gradtutor.numbers import human
    from gradtutor.train import boundary, plots
    from gradtutor.tutor.text import ui

    parts = [Text(about(outcome, lang))]
    curves = [("loss", "train_loss", lambda v: human(v, 3))]
    if outcome.accuracy is not None:
        curves.append(("accuracy", "train_accuracy", _percent))
    for field, key, shown in curves:
        values = [float(v) for v in outcome.history.column(field)]
        if not values:
            continue
        caption = ui(lang, "train_curve", what=ui(lang, key), first=shown(values[0]), epochs=len(values), last=shown(values[-1]))
        parts.append(Text(caption, style="bold"))
        parts += [Text(line, style="cyan") for line in plots.sparkline(values, width=width, height=3)]
    parts.append(final_line(outcome, lang))
    if outcome.boundary is not None:
        classes = sorted({c for row in outcome.boundary.rows for c in row} | {int(v) for v in outcome.labels})
        name = lambda c: ui(lang, "train_class", number=c)  # noqa: E731
        region = lambda c: boundary.REGIONS[c].strip() or ui(lang, "train_blank")  # noqa: E731
        regions = ", ".join(f"{region(c)} {name(c)}" for c in classes)
        marks = ", ".join(f"{boundary.MARKS[c]} {name(c)}" for c in classes)
        parts.append(Text(ui(lang, "train_boundary", regions=regions, marks=marks)))
        parts.append(boundary.terminal_boundary(outcome.boundary, outcome.points, outcome.labels))
    return Group(*parts)
