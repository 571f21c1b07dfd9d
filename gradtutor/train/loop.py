"""The training loop: mini-batches, loss, backward, update; per-epoch history; evaluation.

Data is a `datasets.Dataset` or a pair (inputs, targets) of host arrays. Batches come from
`datasets.Batches` (shuffled by a host Generator seeded by `seed`, moved to the device one batch
at a time), so on the numpy backend the same seed gives the same numbers. Loss and correct counts
are summed on the device and read once per epoch: a GPU run waits for the host only then.

The model's `task` picks loss and metric:
    classification  softmax cross-entropy over the last axis; accuracy = argmax matches label
                    (outputs (N, C) with labels (N,), or (N, T, C) with labels (N, T))
    regression      mean squared error; no accuracy
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

from gradtutor import backend
from gradtutor.cpu import LoadAwareThreads
from gradtutor.errors import UserError
from gradtutor.tensor import Tensor, mse, softmax_cross_entropy
from gradtutor.train.datasets.core import Batches
from gradtutor.train.optim import clip_grad_norm


@dataclass
class Epoch:
    """One epoch's figures. accuracy is None for regression; val_* None without validation data."""

    epoch: int
    loss: float
    accuracy: float | None
    seconds: float
    lr: float
    val_loss: float | None = None
    val_accuracy: float | None = None


@dataclass
class History:
    epochs: list[Epoch] = field(default_factory=list)
    best_epoch: int | None = None  # early stopping: the epoch whose weights the model holds now
    stopped: bool = False  # early stopping ended the run before its last epoch

    @property
    def last(self) -> Epoch:
        return self.epochs[-1]

    @property
    def seconds(self) -> float:
        return sum(e.seconds for e in self.epochs)

    def column(self, name: str) -> list:
        return [getattr(e, name) for e in self.epochs]


class Diverged(UserError, ArithmeticError):
    """The loss stopped being a number during training: the run is stopped, not continued on nan."""

    def __init__(self, epoch: int, step: int, loss: float, lr: float):
        self.epoch, self.step, self.loss, self.lr = epoch, step, loss, lr
        super().__init__(
            f"training diverged: the loss became {loss} at epoch {epoch}, step {step}; the updates "
            f"grew without bound, most likely because the learning rate {lr:g} is too large: "
            f"try --lr {lr / 10:g} or smaller, or --clip 1"
        )


def _loss(task: str, output: Tensor, targets) -> Tensor:
    if task == "classification":
        return softmax_cross_entropy(output, targets)
    if task == "regression":
        return mse(output, Tensor(targets, dtype=output.dtype, requires_grad=False))
    raise ValueError(f"unknown task {task!r}: expected 'classification' or 'regression'")


def _correct(task: str, output: Tensor, targets):
    """How many predictions match, as a device scalar (read once per epoch, not per batch)."""
    if task != "classification":
        return None
    return (output.data.argmax(axis=-1) == targets).sum()


def _forward(model, x, targets):
    """The model's output; a model that `reads_targets` (an encoder–decoder under teacher
    forcing, or told how many steps to write) gets the targets too."""
    return model(x, targets) if getattr(model, "reads_targets", False) else model(x)


def _arrays(data):
    """(inputs, targets) host arrays from a Dataset or a pair."""
    inputs, targets = (data.x, data.y) if hasattr(data, "kind") else data
    if len(inputs) == 0:
        raise ValueError("the data set is empty")
    return inputs, targets


def _targets_per_example(targets) -> int:
    """Predictions per example: 1, or T for a many-to-many labelling (N, T)."""
    count = 1
    for size in targets.shape[1:]:
        count *= int(size)
    return count


def evaluate(model, data, batch_size: int = 256) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) over `data`, in eval mode, without updating anything."""
    inputs, targets = _arrays(data)
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, len(inputs)
    try:
        for x, t in Batches(inputs, targets, batch_size, shuffle=False):
            output = _forward(model, x, t)
            total_loss += float(_loss(model.task, output, t).data) * len(x)
            hits = _correct(model.task, output, t)
            if hits is not None:
                correct += int(hits)
    finally:
        model.train(was_training)
    accuracy = correct / (count * _targets_per_example(targets)) if model.task == "classification" else None
    return total_loss / count, accuracy


def fit(model, data, optimizer, epochs: int, batch_size: int = 64, *, seed: int = 0,
        validation=None, schedule=None, clip: float | None = None, patience: int | None = None,
        on_batch: Callable | None = None, on_epoch: Callable | None = None) -> History:
    """Train `model` on `data` for `epochs` epochs of shuffled mini-batches.

    schedule: epoch -> learning rate (gradtutor.train.schedules), applied at each epoch start.
    clip: clip the global gradient norm to this value before each update.
    patience: early stopping on `validation`: stop when its loss has not improved for this many
    epochs, and put back the weights of the epoch where it was lowest (History.best_epoch).
    on_batch(epoch, batch, batches, loss) and on_epoch(Epoch) report progress.
    Returns the History; loss and accuracy are the means over the epoch's batches as trained.
    The loss is the data loss: an L2/L1 penalty the optimizer applies is not in it
    (`optim.penalty` gives that part). A loss that becomes nan or inf raises Diverged at the end
    of its epoch (read there with the rest, so a GPU is not made to wait at every step), naming
    the first step whose loss was not finite; numpy's overflow warnings on the way say nothing
    more and are silenced.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch size must be at least 1, got {epochs} and {batch_size}")
    if patience is not None and (validation is None or patience < 1):
        raise ValueError("early stopping needs validation data and a patience of at least 1 epoch")
    inputs, targets = _arrays(data)
    xp = backend.xp()
    batches = Batches(inputs, targets, batch_size, shuffle=True, seed=seed)
    count = len(inputs)
    per_example = _targets_per_example(targets)
    parameters = model.parameters()
    history = History()
    model.train()
    # The BLAS runs on the cores other processes leave free (cpu.py): a busy core stalls every product.
    with warnings.catch_warnings(), LoadAwareThreads() as threads:
        warnings.simplefilter("ignore", RuntimeWarning)
        for epoch in range(1, epochs + 1):
            if schedule is not None:
                optimizer.lr = float(schedule(epoch - 1))
            started = time.perf_counter()
            loss_sum = xp.zeros((), dtype=xp.float32)
            correct = xp.zeros((), dtype=xp.int64)
            finite_steps = xp.zeros((), dtype=xp.int64)  # the sum stays nan or inf once a loss was
            for batch, (x, t) in enumerate(batches):
                threads.refresh()
                output = _forward(model, x, t)
                loss = _loss(model.task, output, t)
                loss.backward()
                if clip is not None:
                    clip_grad_norm(parameters, clip)
                optimizer.step()
                loss_sum += loss.data * len(x)
                finite_steps += xp.isfinite(loss_sum)
                hits = _correct(model.task, output, t)
                if hits is not None:
                    correct += hits
                if on_batch is not None:
                    on_batch(epoch, batch + 1, len(batches), loss)
            total = float(loss_sum)
            if not math.isfinite(total):
                raise Diverged(epoch, int(finite_steps) + 1, total, optimizer.lr)
            record = Epoch(
                epoch=epoch,
                loss=total / count,
                accuracy=int(correct) / (count * per_example) if model.task == "classification" else None,
                seconds=time.perf_counter() - started,
                lr=optimizer.lr,
            )
            if validation is not None:
                record.val_loss, record.val_accuracy = evaluate(model, validation)
            history.epochs.append(record)
            if on_epoch is not None:
                on_epoch(record)
            if patience is not None and _stop_early(model, history, record, patience):
                history.stopped = epoch < epochs
                break
    if history.best_epoch is not None:
        model.load_state_dict(history.best_state)
        del history.best_state
    return history


def _stop_early(model, history: History, record: Epoch, patience: int) -> bool:
    """Keep a copy of the weights at the lowest validation loss so far; True once `patience`
    epochs have passed without a lower one."""
    if history.best_epoch is None or record.val_loss < history.epochs[history.best_epoch - 1].val_loss:
        history.best_epoch = record.epoch
        history.best_state = {name: array.copy() for name, array in model.state_dict().items()}
        return False
    return record.epoch - history.best_epoch >= patience
