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

from gradtutor import names
from gradtutor.render.training import Facts, Figures

MAX_SECONDS = 5.0  # a lesson's run, as estimated on two cores (see estimate_seconds)


def _must_be(test, what: str):
    return lambda key, value: None if test(value) else f"{key} must be {what}, got {value!r}"


def _named(family: str):
    """A name from the registry's family; its message lists the names offered."""
    return lambda key, value: names.check(family, value)


# key -> (key, value) -> the problem, or None; None values in a Training mean "the recipe's value".
_WHOLE = _must_be(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a whole number ≥ 1")
_FRACTION = _must_be(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1, "a number from 0 to 1")
_POSITIVE = _must_be(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0, "a number > 0")
KEYS = {
    "model": _named("model"),
    "data": _must_be(lambda v: isinstance(v, str), "a data set name"),
    "hidden": None,  # a whole number ≥ 1 (mlp: or a list of widths, [] for no hidden layer): see _hidden
    "activation": _named("activation"),
    "arch": _named("arch"),
    "epochs": _WHOLE,
    "batch_size": _WHOLE,
    "samples": _WHOLE,
    "length": _WHOLE,
    "lr": _POSITIVE,
    "clip": _POSITIVE,
    "optimizer": _named("optimizer"),
    "init": _named("init"),
    "seed": _must_be(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number ≥ 0"),
    # regularisation, normalisation and early stopping (checked in range by gradtutor.train.command)
    "weight_decay": _FRACTION,
    "l1": _FRACTION,
    "dropout": _FRACTION,
    "batch_norm": _must_be(lambda v: isinstance(v, bool), "true or false"),
    "validation": _FRACTION,
    "patience": _WHOLE,
    "schedule": _named("schedule"),
    "cell": _must_be(lambda v: v in names.RECURRENT, f"one of {', '.join(names.RECURRENT)}"),  # seq2seq
    "teacher_forcing": _must_be(lambda v: isinstance(v, bool), "true or false"),  # seq2seq
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
    arch: str = "lenet"  # cnn only: lenet, vgg, resnet
    epochs: int | None = None
    batch_size: int | None = None
    samples: int | None = None
    length: int | None = None
    lr: float | None = None
    clip: float | None = None
    optimizer: str = "adam"
    init: str | None = None
    seed: int = 0
    weight_decay: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    batch_norm: bool = False
    validation: float = 0.0
    patience: int | None = None
    schedule: str = "constant"
    cell: str | None = None
    teacher_forcing: bool | None = None


def spec(name: str, table: dict) -> Training:
    """Check a `[training.<name>]` table; TrainingError names the first problem."""
    if not isinstance(table, dict):
        raise TrainingError("must be a table with at least model = \"…\"")
    for key in table:
        if key not in KEYS:
            raise TrainingError(f"unknown key {key!r} (keys: {', '.join(KEYS)})")
    if "model" not in table:
        raise TrainingError(f"needs model = \"…\" ({', '.join(names.names('model'))})")
    values = {}
    for key, value in table.items():
        if key == "hidden":
            value = _hidden(value, table.get("model"))
        elif problem := KEYS[key](key, value):
            raise TrainingError(problem)
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
        samples=training.samples, length=training.length, clip=training.clip, arch=training.arch,
        weight_decay=training.weight_decay, l1=training.l1, dropout=training.dropout, batch_norm=training.batch_norm,
        validation=training.validation, patience=training.patience, schedule=training.schedule, cell=training.cell,
        teacher_forcing=training.teacher_forcing,
    )
    try:
        return command.resolve(config)
    except command.TrainError as exc:
        raise TrainingError(str(exc)) from None


# -- how long a run takes ---------------------------------------------------------------------------
# gradtutor.train.estimate's cost model, the one `gradtutor train` warns with: the same verdict on
# any machine and under any load.
def estimate_seconds(training: Training) -> float:
    """The run's estimated training time on two cores, from its sizes alone."""
    return _estimate(training)


@lru_cache(maxsize=64)
def _estimate(training: Training) -> float:
    from gradtutor.train import estimate

    return estimate.for_config(resolved(training))


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
    facts: Facts  # what was trained: model, layout, data, sizes, optimizer …
    figures: Figures  # how it scored: loss, accuracy, held-out figures, the baseline
    history: object  # loop.History
    boundary: object = None  # boundary.Grid for 2-D data
    points: object = None  # the training points (host (N, 2)) …
    labels: object = None  # … and their classes
    val_loss: float | None = None  # on the validation split (`validation = 0.2`), when there is one
    val_accuracy: float | None = None
    attention: object = None  # a transformer: (tokens, weights) of one held-out example, for the map


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
                                    init=settings["init"], seed=config.seed, dropout=training.dropout,
                                    batch_norm=training.batch_norm)
    result = command.train(prepared, on_batch=on_batch, on_epoch=on_epoch)
    grid = points = labels = None
    if config.data in names.with_shape("points"):
        points, labels = prepared.train_set.x, prepared.train_set.y
        grid = boundary.predict_grid(prepared.model, points)
    baseline = next(iter(result.baseline.values()), None)
    facts = Facts(config.model, layout, config.data, len(prepared.train_set), prepared.model.parameter_count(),
                  settings["epochs"], settings["batch_size"], config.optimizer, settings["lr"], training.seed)
    figures = Figures(result.loss, result.accuracy, result.test_loss, result.test_accuracy, baseline,
                      sequence_accuracy=result.sequence_accuracy)
    attention = command.attention_map(prepared) if training.model == "transformer" else None
    outcome = Outcome(training, facts, figures, result.history, grid, points, labels, result.val_loss,
                      result.val_accuracy, attention)
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
    from gradtutor.train import command

    return command.layout(prepared)  # the lesson sets nothing else `gradtutor train` would not
