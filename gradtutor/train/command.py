"""What `gradtutor train` does, as library code: pick a recipe, build data and model, train.

`prepare(config)` resolves a `TrainConfig` against the recipe for its model and data (sizes,
epochs, learning rate…; anything the user set wins), makes the data set and the model;
`train(run)` runs the loop and returns a `Result`. The CLI only adds the progress bar, the tables
and the files. Tests call these functions directly.

Recipes are the settings the README figures were measured with; tests pass smaller ones.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from gradtutor import names
from gradtutor.errors import UserError

# Nothing heavy at import time: the CLI imports this module, and `gradtutor --help` must not load
# numpy. Everything else is imported inside the functions that need it. The names a request may
# use (models, data sets, optimizers …) live in gradtutor.names, listed once for CLI and code.


class TrainError(UserError, ValueError):
    """A training request that cannot run as asked (a model and data set that do not fit)."""


TOY = names.with_shape("points")  # 2-D points: the decision boundary can be drawn
SEQUENCES = names.with_shape("sequences")
DEFAULT_DATA = {model: names.data_for(model)[0] for model in names.names("model")}
ALLOWED_DATA = {model: names.data_for(model) for model in names.names("model")}
# `idx:DIR` data (MNIST-format files) trains the models that take images, with digits' recipe.
IDX_MODELS = tuple(model for model, allowed in ALLOWED_DATA.items() if set(allowed) & set(names.with_shape("images")))
IDX_RECIPE = "digits"

# Per data set: sizes and training settings. `samples` is the number of examples generated
# (per class for spiral); `length` the sequence length; `test` the held-out fraction (0: none).
RECIPES = {
    "spiral": dict(samples=100, hidden=64, epochs=300, batch_size=32, lr=0.01, init="he", test=0.0),
    "moons": dict(samples=200, hidden=16, epochs=100, batch_size=32, lr=0.01, init="he", test=0.0),
    "circles": dict(samples=200, hidden=16, epochs=100, batch_size=32, lr=0.01, init="he", test=0.0),
    "xor": dict(samples=200, hidden=8, epochs=100, batch_size=16, lr=0.01, init="he", test=0.0),
    "digits": dict(samples=12000, hidden=256, epochs=8, batch_size=64, lr=0.001, init="he", test=1 / 6),
    "adding": dict(samples=10000, length=50, hidden=64, epochs=30, batch_size=64, lr=0.003,
                   init="xavier", clip=1.0, test=0.1),
    "copy": dict(samples=4000, length=8, hidden=64, epochs=30, batch_size=64, lr=0.003,
                 init="xavier", clip=1.0, test=0.1),
    "parity": dict(samples=4000, length=10, hidden=64, epochs=60, batch_size=64, lr=0.01,
                   init="xavier", clip=1.0, test=0.1),
    "running-parity": dict(samples=2000, length=10, hidden=16, epochs=10, batch_size=32, lr=0.01,
                           init="xavier", clip=1.0, test=0.1),
    "chars": dict(length=64, hidden=128, epochs=20, batch_size=32, lr=0.003, init="xavier",
                  clip=1.0, test=0.1, stride=16, temperature=0.7),
    # Reversing a string of digits: the encoder–decoder's recipe (the transformer's below).
    "reverse": dict(samples=20000, length=8, hidden=128, epochs=10, batch_size=64, lr=0.002,
                    init="xavier", clip=1.0, test=0.1),
}
# What a model changes in a data set's recipe: the transformer's width is `hidden`, with `heads`
# heads of attention in each of `blocks` blocks; the encoder–decoder's cell and whether its decoder
# reads the right previous digit while it trains (teacher forcing) or its own guess.
MODEL_RECIPES = {
    "transformer": dict(heads=4, blocks=2, dropout=0.0),
    ("transformer", "chars"): dict(hidden=64, epochs=20, lr=0.003, dropout=0.1, schedule="cosine"),
    ("transformer", "reverse"): dict(samples=4000, hidden=64, epochs=4, lr=0.003),
    "seq2seq": dict(cell="gru", teacher_forcing=True),
}


@dataclass
class TrainConfig:
    """A training request; None means "the recipe's value"."""

    model: str = "mlp"
    data: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    optimizer: str = "adam"
    lr: float | None = None
    init: str | None = None
    seed: int = 0
    hidden: int | None = None
    samples: int | None = None
    length: int | None = None
    clip: float | None = None
    weight_decay: float = 0.0
    l1: float = 0.0
    schedule: str | None = None  # learning-rate decay over the epochs (gradtutor.train.schedules); None:
    # the recipe's, constant where it names none
    arch: str = "lenet"  # the cnn's architecture: lenet, vgg or resnet (names.py, family "arch")
    dropout: float = 0.0  # mlp: inverted dropout after each hidden activation
    batch_norm: bool = False  # mlp and cnn: batch normalisation before each hidden activation
    validation: float = 0.0  # the fraction of the training examples held out for validation
    patience: int | None = None  # early stopping: epochs without a lower validation loss
    cell: str | None = None  # seq2seq: rnn, lstm or gru
    teacher_forcing: bool | None = None  # seq2seq: False trains the decoder on its own guesses
    temperature: float | None = None  # chars: how adventurous the sampled text is
    settings: dict = field(default_factory=dict)  # the resolved recipe, filled by prepare()


@dataclass
class Run:
    config: TrainConfig
    model: object
    train_set: object
    test_set: object | None
    info: dict
    validation_set: object | None = None  # --validation: split off the training examples


@dataclass
class Result:
    history: object
    loss: float  # over the whole training set after training, in eval mode
    accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    seconds: float
    baseline: dict
    sample: str | None = None
    # reverse: the share of strings (held out if any) written back entirely right, the model
    # reading its own answers (greedy decoding); None for other data
    sequence_accuracy: float | None = None
    val_loss: float | None = None  # on the validation split, when there is one
    val_accuracy: float | None = None

    def metrics(self) -> dict:
        """The final figures, as `--json` prints them: a figure that is not a finite number is
        None (JSON has no NaN)."""
        out = {"loss": self.loss, "accuracy": self.accuracy, "seconds": round(self.seconds, 3)}
        if self.test_loss is not None:
            out["test_loss"] = self.test_loss
            out["test_accuracy"] = self.test_accuracy
        if self.sequence_accuracy is not None:
            out["sequence_accuracy"] = self.sequence_accuracy
        if self.val_loss is not None:
            out["val_loss"] = self.val_loss
            out["val_accuracy"] = self.val_accuracy
        if self.history.best_epoch is not None:
            out["best_epoch"] = self.history.best_epoch
            out["stopped_early"] = self.history.stopped
        return {name: _finite_or_none(value) for name, value in out.items()}


def _finite_or_none(value):
    return value if value is None or math.isfinite(value) else None


def _value(name):
    return getattr(name, "value", name)


def resolve(config: TrainConfig) -> TrainConfig:
    """The config with the data set defaulted, checked, and every None filled from the recipe."""
    model = _value(config.model)
    problem = names.check("model", model)
    if problem:
        raise TrainError(problem)
    data = _value(config.data) or DEFAULT_DATA[model]
    arch = _value(config.arch)
    problem = names.check("arch", arch)
    if problem:
        raise TrainError(problem)
    if arch != "lenet" and model != "cnn":
        raise TrainError(f"--arch {arch} builds a cnn; the {model} model has no architectures to choose")
    if is_idx(data) and names.check_data(data):  # idx: with no folder after it
        raise TrainError(names.check_data(data))
    if is_idx(data) and model not in IDX_MODELS:
        raise TrainError(f"the {model} model does not train on images; idx: data trains {', '.join(IDX_MODELS)}")
    if not is_idx(data) and data not in ALLOWED_DATA[model]:
        raise TrainError(
            f"the {model} model does not train on {data!r}; it takes: {', '.join(ALLOWED_DATA[model])}"
        )
    settings = dict(RECIPES[IDX_RECIPE if is_idx(data) else data])
    settings.update(MODEL_RECIPES.get(model, {}), **MODEL_RECIPES.get((model, data), {}))
    if is_idx(data):
        settings["samples"] = None  # the files hold the examples; --samples keeps the first ones
    settings.setdefault("clip", None)
    _check_model_options(config, model, data)
    for name in ("epochs", "batch_size", "lr", "init", "hidden", "samples", "length", "clip", "cell",
                 "teacher_forcing", "temperature"):
        value = getattr(config, name)
        if value is not None:
            settings[name] = _value(value)
    for name in ("batch_size", "hidden", "samples", "length"):
        if name in settings and settings[name] is not None and settings[name] < 1:
            raise TrainError(f"--{name.replace('_', '-')} must be at least 1, got {settings[name]}")
    if settings["epochs"] < 0:
        raise TrainError(f"--epochs must be 0 (evaluate only) or more, got {settings['epochs']}")
    if config.seed < 0:  # numpy's own words were "expected non-negative integer", naming no option
        raise TrainError(f"--seed must be 0 or more, got {config.seed}")
    if settings["lr"] <= 0:
        raise TrainError(f"--lr must be positive, got {settings['lr']}")
    _check_range("--lr", settings["lr"], 0, math.inf, "a finite number above 0")
    if settings["clip"] is not None and settings["clip"] <= 0:
        raise TrainError(f"--clip must be positive, got {settings['clip']}")
    if settings["clip"] is not None:
        _check_range("--clip", settings["clip"], 0, math.inf, "a finite number above 0")
    schedule = _value(config.schedule) or settings.pop("schedule", "constant")
    settings.pop("schedule", None)
    for family, name in (("optimizer", _value(config.optimizer)), ("schedule", schedule),
                         ("init", settings["init"])):
        problem = names.check(family, name)
        if problem:
            raise TrainError(problem)
    if config.weight_decay < 0 or config.l1 < 0:
        raise TrainError(f"--weight-decay and --l1 must be 0 or more, got {config.weight_decay} and {config.l1}")
    # A penalty above 1 pulls weights past zero at every step: the run only blows up.
    _check_range("--weight-decay", config.weight_decay, 0, MAX_PENALTY, f"a number from 0 to {MAX_PENALTY:g}")
    _check_range("--l1", config.l1, 0, MAX_PENALTY, f"a number from 0 to {MAX_PENALTY:g}")
    _check_options(replace(config, arch=arch), model)
    return replace(config, model=model, data=data, arch=arch, optimizer=_value(config.optimizer),
                   schedule=schedule, settings=settings)


MAX_PENALTY = 1.0


def _check_options(config: TrainConfig, model: str) -> None:
    """Dropout, batch norm, the validation split and early stopping: in range, and on models
    that have them."""
    _check_range("--dropout", config.dropout, 0, 0.95, "a probability from 0 to 0.95")
    _check_range("--validation", config.validation, 0, 0.5, "a fraction from 0 to 0.5")
    if config.dropout and model != "mlp":
        raise TrainError(f"--dropout applies to the mlp only, not {model}")
    if config.batch_norm and model not in ("mlp", "cnn"):
        raise TrainError(f"--batch-norm applies to the mlp and cnn only, not {model}")
    if config.batch_norm and model == "cnn" and config.arch != "lenet":
        raise TrainError(f"--batch-norm adds batch norm to lenet; the {config.arch} architecture has its own design")
    if config.patience is not None and config.patience < 1:
        raise TrainError(f"--patience must be at least 1 epoch, got {config.patience}")
    if config.patience is not None and not config.validation:
        raise TrainError("--patience stops on the validation loss: give --validation too (e.g. --validation 0.2)")


def _check_model_options(config: TrainConfig, model: str, data: str) -> None:
    """--cell and --teacher-forcing belong to seq2seq, --temperature to the character model."""
    if config.cell is not None and _value(config.cell) not in names.RECURRENT:
        raise TrainError(f"unknown cell {_value(config.cell)!r}; choose one of: {', '.join(names.RECURRENT)}")
    for option, value in (("--cell", config.cell), ("--teacher-forcing", config.teacher_forcing)):
        if value is not None and model != "seq2seq":
            raise TrainError(f"{option} applies to the seq2seq model only")
    if config.temperature is not None:
        if data != "chars":
            raise TrainError("--temperature applies to the chars data only (it samples text)")
        _check_range("--temperature", config.temperature, 1e-6, 100.0, "a number from 0.000001 to 100")


def is_idx(data: str | None) -> bool:
    return data is not None and data.startswith(names.IDX_PREFIX)


def _check_range(option: str, value: float, low: float, high: float, accepted: str) -> None:
    """Refuse nan, inf and values outside [low, high] (nan fails every comparison)."""
    if not (math.isfinite(value) and low <= value <= high):
        raise TrainError(f"{option} must be {accepted}, got {value}")


# -- how much memory a run asks for ----------------------------------------------------------------
_FEATURES = {"spiral": 2, "moons": 2, "circles": 2, "xor": 2, "digits": 784, "adding": 2, "parity": 1, "copy": 10,
             "running-parity": 1, "reverse": 16}
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}
# Bytes per number, counted generously: data is generated in float64 before it is stored as
# float32; a parameter has its value, its gradient and two optimizer moments; an activation kept
# for the backward pass has its gradient and a temporary or two beside it.
_DATA_BYTES, _PARAMETER_BYTES, _ACTIVATION_BYTES = 16, 16, 16


def memory_needed(config: TrainConfig) -> list[tuple[int, str]]:
    """The largest allocations of the resolved config, (bytes, the option that sizes them), from
    the sizes alone: data (examples × features × length), parameters, and the activations of one
    batch kept for the backward pass. A rough upper estimate, there to refuse 75 GB before numpy
    tries."""
    s, kind = config.settings, config.model
    examples = s.get("samples") or 0  # idx: data is bounded by its loader, which checks each header
    if config.data == "spiral":
        examples *= 3  # per class
    length = s.get("length") or 1
    features = _FEATURES.get(IDX_RECIPE if is_idx(config.data) else config.data, 1)
    hidden, batch = s.get("hidden") or 1, s["batch_size"]
    data = examples * length * features * _DATA_BYTES
    if kind == "mlp":
        parameters = features * hidden + hidden * hidden + hidden * 10
        activations = batch * hidden * 4
    elif kind == "cnn":
        parameters, activations = 62_000, batch * 12_000
    elif kind == "transformer":  # per block: W_Q, W_K, W_V, W_O and a 4× MLP; its weights (heads·T²)
        blocks, heads = s.get("blocks", 1), s.get("heads", 1)
        parameters = blocks * 12 * hidden * hidden + 2 * 128 * hidden
        activations = blocks * batch * length * (24 * hidden + 2 * heads * length)
    else:
        gates = _GATES.get(kind, 4)
        parameters = gates * hidden * (hidden + features + 1) + hidden * 10
        activations = batch * length * hidden * (gates + 2)
    data_option = "--samples" if config.data == "chars" or length == 1 else "--samples or --length"
    return [
        (data, data_option),
        (parameters * _PARAMETER_BYTES, "--hidden"),
        (activations * _ACTIVATION_BYTES, "--hidden, --length or --batch-size" if length > 1 else "--hidden or --batch-size"),
    ]


def check_memory(config: TrainConfig) -> None:
    """Refuse, before anything is built, a run needing more than gradtutor.memory.LIMIT_BYTES."""
    from gradtutor import memory

    parts = memory_needed(config)
    total = sum(size for size, _ in parts)
    if total > memory.LIMIT_BYTES:
        largest = max(parts)[1]
        raise TrainError(
            f"this run would need about {memory.gigabytes(total)} of memory, more than the "
            f"{memory.gigabytes(memory.LIMIT_BYTES)} gradtutor allows; make {largest} smaller"
        )


def _make_data(config: TrainConfig):
    """The data set for the resolved config, generated on the host with the config's seed;
    for idx: data the pair (training set, the files' held-out set or None)."""
    from gradtutor.train import datasets

    s, seed, name = config.settings, config.seed, config.data
    if is_idx(name):
        return _load_idx_folder(Path(name[len(names.IDX_PREFIX):]).expanduser(), config)
    if name == "spiral":
        return datasets.spiral(per_class=s["samples"], seed=seed)
    if name in TOY:
        return datasets.load(name, n=s["samples"], seed=seed)
    if name == "digits":
        return _for_model(datasets.digits(n=s["samples"], seed=seed), config)
    if name == "chars":
        return datasets.char_windows(length=s["length"], stride=s["stride"])
    return _for_model(datasets.load(name, n=s["samples"], length=s["length"], seed=seed), config)


def _for_model(data, config: TrainConfig):
    if config.model == "transformer" and data.name == "reverse":  # question, separator, answer: one stream
        from gradtutor.train.datasets import prompted

        return prompted(data)
    if config.model == "mlp":
        data.x = data.x.reshape(len(data.x), -1)  # (N, 1, 28, 28) -> (N, 784) for affine layers
    return data


IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _idx_file(folder: Path, name: str) -> Path | None:
    """The file `name` or `name.gz` in the folder, None when neither is there."""
    return next((path for path in (folder / name, folder / f"{name}.gz") if path.exists()), None)


def _load_idx_folder(folder: Path, config: TrainConfig):
    """(train, test or None) from MNIST-format files: the t10k pair, when present, is the
    held-out set; without it the recipe's split holds some training examples out."""
    from gradtutor.train import datasets

    if not folder.is_dir():
        raise TrainError(f"{folder}: no such folder (idx: takes a folder of MNIST-format files)")
    found = {part: [_idx_file(folder, name) for name in files] for part, files in IDX_FILES.items()}
    for part, files in found.items():
        missing = [name for name, path in zip(IDX_FILES[part], files) if path is None]
        if missing and (part == "train" or len(missing) < len(files)):
            raise TrainError(f"{folder / missing[0]}: no such file (nor {missing[0]}.gz)")
    train_set = _for_model(datasets.load_mnist(*found["train"], name=folder.name or "idx"), config)
    if config.settings["samples"] is not None:
        train_set = train_set.subset(list(range(min(config.settings["samples"], len(train_set)))))
    rows, cols = train_set.x.shape[-2:] if config.model == "cnn" else (0, 0)
    if rows != cols:
        raise TrainError(f"{found['train'][0]}: the cnn model takes square images, these are {rows}×{cols}")
    if None in found["test"]:
        return train_set, None
    test_set = _for_model(datasets.load_mnist(*found["test"], name=f"{folder.name}-test"), config)
    if test_set.x.shape[1:] != train_set.x.shape[1:]:
        raise TrainError(f"{found['test'][0]}: its images are not the size of the training images")
    return train_set, test_set


def _make_model(config: TrainConfig, dataset):
    from gradtutor.train import models

    s, seed, kind = config.settings, config.seed, config.model
    if kind == "mlp":
        features = dataset.x.shape[1]
        return models.MLP([features, s["hidden"], s["hidden"], dataset.n_classes], init=s["init"], seed=seed,
                          dropout=config.dropout, batch_norm=config.batch_norm)
    if kind == "cnn":
        network = names.resolve("arch", config.arch)
        options = {"batch_norm": config.batch_norm} if config.arch == "lenet" else {}  # vgg, resnet: their own
        return network(in_channels=1, image_size=dataset.x.shape[-1], classes=10, init=s["init"], seed=seed, **options)
    hidden, init = s["hidden"], s["init"]
    if kind == "transformer":
        vocabulary = dataset.info["vocab"]
        vocabulary = vocabulary if isinstance(vocabulary, int) else len(vocabulary)
        return models.Transformer(vocabulary, dataset.n_classes, dim=hidden, heads=s["heads"], blocks=s["blocks"],
                                  context=max(64, dataset.x.shape[1]), init=init, dropout=s["dropout"], seed=seed)
    if kind == "seq2seq":
        from gradtutor.train.seq2seq import EncoderDecoder

        return EncoderDecoder(s["cell"], dataset.info["vocab"], hidden, teacher_forcing=s["teacher_forcing"],
                              init=init, seed=seed)
    if config.data == "running-parity":  # many-to-many: read at every step
        return models.SequenceToSequence(kind, hidden, 2, input_size=1, init=init, seed=seed)
    if config.data == "adding":
        return models.SequenceToOne(kind, 2, hidden, 1, task="regression", init=init, seed=seed)
    if config.data == "parity":
        return models.SequenceToOne(kind, 1, hidden, 2, task="classification", init=init, seed=seed)
    vocabulary = dataset.info["vocab"]
    vocabulary = vocabulary if isinstance(vocabulary, int) else len(vocabulary)
    return models.SequenceToSequence(kind, hidden, dataset.n_classes, vocabulary=vocabulary, init=init, seed=seed)


def prepare(config: TrainConfig) -> Run:
    """Resolve the config, make the data (split when the recipe holds some out) and the model."""
    from gradtutor.train.datasets import split

    config = resolve(config)
    check_memory(config)
    test_fraction = config.settings["test"]
    try:  # the data generators check their own sizes; what they refuse is bad input here
        dataset = _make_data(config)
        if is_idx(config.data):
            dataset, test_set = dataset
            train_set = dataset
            if test_set is None:
                train_set, test_set = split(dataset, test_fraction, seed=config.seed)
        elif config.data == "chars":
            train_set, test_set = _split_text(dataset, test_fraction, config.settings)
        elif test_fraction:
            train_set, test_set = split(dataset, test_fraction, seed=config.seed)
        else:
            train_set, test_set = dataset, None
    except TrainError:
        raise
    except ValueError as error:
        raise TrainError(str(error)) from None
    validation_set = None
    if config.validation:
        if round(len(train_set) * config.validation) < 1 or round(len(train_set) * config.validation) >= len(train_set):
            raise TrainError(f"--validation {config.validation:g} of {len(train_set)} examples leaves no examples on one side")
        train_set, validation_set = split(train_set, config.validation, seed=config.seed + 1)
    try:  # LeNet refuses images outside 12×12 to 32×32, which idx: files may hold
        model = _make_model(config, dataset)
    except ValueError as error:
        raise TrainError(str(error)) from None
    return Run(config, model, train_set, test_set, dict(dataset.info), validation_set)


def _split_text(dataset, test_fraction: float, settings: dict):
    """Hold out the END of the corpus: the windows are in text order and overlap (stride <
    length), so a random split would test on text the model trained on. Windows that reach
    into the held-out part are dropped from training."""
    count = len(dataset)
    held_out = max(1, int(round(count * test_fraction)))
    overlap = -(-settings["length"] // settings["stride"])  # windows sharing text with the next one
    if count - held_out - overlap < 1:
        raise TrainError(f"the corpus gives {count} windows, too few to hold {held_out} out")
    return (dataset.subset(list(range(count - held_out - overlap)), "chars-train"),
            dataset.subset(list(range(count - held_out, count)), "chars-test"))


def make_optimizer(run: Run):
    from gradtutor.train import optim

    config = run.config
    return optim.make(config.optimizer, run.model.parameters(), lr=config.settings["lr"],
                      weight_decay=config.weight_decay, l1=config.l1)


def baseline(run: Run) -> dict:
    """What doing nothing clever scores, for comparison: the mean predictor's MSE or the
    uniform guess's cross-entropy."""
    if "baseline_mse" in run.info:
        return {"mse_of_the_mean": run.info["baseline_mse"]}
    if "uniform_loss" in run.info:
        return {"uniform_loss": run.info["uniform_loss"]}
    return {}


def train(run: Run, on_batch=None, on_epoch=None) -> Result:
    """Train the prepared run; evaluate on the held-out part; sample text for the char model."""
    from gradtutor.train import loop, schedules

    config = run.config
    optimizer = make_optimizer(run)
    schedule = schedules.make(config.schedule, config.settings["lr"], config.settings["epochs"])
    started = time.perf_counter()
    history = loop.History()
    watched = run.validation_set if run.validation_set is not None else run.test_set  # the per-epoch held-out curve
    if config.settings["epochs"]:  # 0 epochs: only evaluate (a loaded checkpoint, say)
        history = loop.fit(
            run.model, run.train_set, optimizer, config.settings["epochs"], config.settings["batch_size"],
            seed=config.seed, clip=config.settings["clip"], schedule=schedule, validation=watched,
            patience=config.patience, on_batch=on_batch, on_epoch=on_epoch,
        )
    loss, accuracy = loop.evaluate(run.model, run.train_set)
    test_loss = test_accuracy = val_loss = val_accuracy = None
    if run.validation_set is not None:
        val_loss, val_accuracy = loop.evaluate(run.model, run.validation_set)
    if history.epochs and run.test_set is not None and run.validation_set is None and history.best_epoch is None:
        test_loss, test_accuracy = history.last.val_loss, history.last.val_accuracy
    elif run.test_set is not None:
        test_loss, test_accuracy = loop.evaluate(run.model, run.test_set)
    sequences = sequence_accuracy(run) if config.data == "reverse" else None
    seconds = time.perf_counter() - started
    sample = None
    if config.data == "chars":
        sample = sample_text(run, length=200, temperature=config.settings["temperature"])
    return Result(history, loss, accuracy, test_loss, test_accuracy, seconds, baseline(run), sample, sequences,
                  val_loss, val_accuracy)


def sequence_accuracy(run: Run, data=None) -> float:
    """The share of strings (held-out by default, else the training ones) whose whole answer the
    model writes right, greedily, reading its own answers: the encoder–decoder from its encoding,
    the transformer from the prompt up to the separator."""
    data = data if data is not None else run.test_set if run.test_set is not None else run.train_set
    if run.config.model == "seq2seq":
        from gradtutor.train import seq2seq

        return seq2seq.sequence_accuracy(run.model, data)
    from gradtutor.train.models import greedy_continue

    answer = run.info["answer"]
    prompt = data.x.shape[1] - answer + 1  # the digits and the separator
    written = greedy_continue(run.model, data.x[:, :prompt], answer)
    return float((written == data.y[:, prompt - 1:]).all(axis=1).mean())


def attention_map(run: Run, index: int = 0):
    """(tokens, weights) for one held-out example (a training one without held-out data): its
    input as text and the attention weights of every block and head, host arrays
    (blocks, heads, T, T)."""
    from gradtutor import backend

    data = run.test_set if run.test_set is not None else run.train_set
    ids = data.x[index : index + 1]
    was_training = run.model.training
    run.model.eval()
    try:
        run.model(backend.to_device(ids))
    finally:
        run.model.train(was_training)
    weights = backend.host.stack([backend.to_host(w[0]) for w in run.model.attention_maps()])
    vocab = run.info["vocab"]
    if isinstance(vocab, int):  # digit tasks: 0-9 as themselves, the separator as "="
        tokens = ["=" if i == run.info.get("separator") else str(int(i)) for i in ids[0]]
    else:
        tokens = [vocab.decode([i]) for i in ids[0]]
    return tokens, weights


def sample_text(run: Run, length: int = 200, start: str = "The ", temperature: float = 0.7) -> str:
    """Text written by a trained character model, starting from `start`."""
    from gradtutor.train.models import generate

    vocab = run.info["vocab"]
    start = "".join(ch if ch in vocab.chars else vocab.chars[0] for ch in start)
    ids = generate(run.model, list(vocab.encode(start)), length, seed=run.config.seed, temperature=temperature)
    return start + vocab.decode(ids)


def active_backend(name: str | None) -> str:
    """Switch to the requested backend (None: keep the environment's choice); its name."""
    from gradtutor import backend

    if name is not None:
        backend.use(_value(name))
    return backend.name()


def save_checkpoint(run: Run, result: Result, path) -> Path:
    from gradtutor.train import checkpoint

    extra = {"model": run.config.model, "arch": run.config.arch, "data": run.config.data, "seed": run.config.seed,
             "settings": run.config.settings, "metrics": result.metrics()}
    return checkpoint.save(path, run.model, extra=extra)


def load_checkpoint(run: Run, path) -> None:
    from gradtutor.train import checkpoint

    checkpoint.load(path, run.model)


def layout(run: Run) -> str:
    """The model's shape in a few words: "2-64-64-3 relu", "LeNet", "lstm 64", "gru 64 → gru 64"."""
    model = run.model
    if run.config.model == "mlp":
        widths = "-".join(str(n) for n in model.sizes)
        return f"{widths} relu" if len(model.sizes) > 2 else widths
    if run.config.model == "cnn":
        return type(model).__name__  # LeNet, VGG, ResNet
    if run.config.model == "transformer":
        s = run.config.settings
        return f"{s['blocks']} blocks, d {s['hidden']}, {s['heads']} heads"
    if run.config.model == "seq2seq":
        half = f"{run.config.settings['cell']} {run.config.settings['hidden']}"
        return f"{half} → {half}"  # encoder → decoder
    return f"{run.config.model} {run.config.settings['hidden']}"


def facts(run: Run, backend_name: str) -> dict:
    """What is about to be trained, as gradtutor.render.training.Facts takes it."""
    s, config = run.config.settings, run.config
    return dict(model=config.model, layout=layout(run), data=config.data, examples=len(run.train_set),
                parameters=run.model.parameter_count(), epochs=s["epochs"], batch_size=s["batch_size"],
                optimizer=config.optimizer, lr=s["lr"], seed=config.seed,
                held_out=len(run.test_set) if run.test_set is not None else None,
                schedule=config.schedule, init=s["init"], backend=backend_name)


def figures(result: Result) -> dict:
    """How the run scored, as gradtutor.render.training.Figures takes it."""
    return dict(loss=result.loss, accuracy=result.accuracy, test_loss=result.test_loss,
                test_accuracy=result.test_accuracy, baseline=next(iter(result.baseline.values()), None),
                seconds=result.seconds, sequence_accuracy=result.sequence_accuracy)


def check_paths(plot: Path | None = None, save: Path | None = None) -> None:
    """Refuse, before training rather than after, files that cannot be written as asked."""
    if plot is not None and Path(plot).suffix.lower() not in (".svg", ".png"):
        raise TrainError(f"cannot save curves as {Path(plot).name!r}: use a .svg or .png file name")
    for option, path in (("--plot", plot), ("--save", save)):
        if path is not None and not Path(path).resolve().parent.is_dir():
            raise TrainError(f"{option} {path}: the folder {Path(path).resolve().parent} does not exist")


def check_attention_map(model: str, asked: bool, path: Path | None) -> None:
    """Refuse an attention map for a model without attention, or a file it cannot be saved as."""
    if asked and model != "transformer":
        raise TrainError(f"--attention-map and --attention-plot draw a transformer's attention; the {model} model has none")
    if path is not None:
        if Path(path).suffix.lower() not in (".svg", ".png"):
            raise TrainError(f"cannot save an attention map as {Path(path).name!r}: use a .svg or .png file name")
        check_paths(save=path)


def boundary(run: Run):
    """(grid, points, labels) for a model trained on 2-D points (spiral, moons, circles, xor):
    the class it predicts over the plane and the training points; None for other data."""
    if run.config.data not in TOY or run.train_set.x.ndim != 2 or run.train_set.x.shape[1] != 2:
        return None
    from gradtutor.train.boundary import predict_grid

    return predict_grid(run.model, run.train_set.x), run.train_set.x, run.train_set.y
