"""`gradtutor train` with dropout, batch norm, a validation split, early stopping and schedules,
through a real subprocess; early stopping in the loop itself."""

import json
import subprocess
import sys

import pytest

from gradtutor.train import command, loop, models, optim
from gradtutor.train.datasets import spiral, split


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


SMALL = ("train", "mlp", "--data", "spiral", "--samples", "20", "--hidden", "8", "--epochs", "12")


def test_dropout_batch_norm_and_a_validation_split_with_early_stopping_as_json():
    result = run_cli(*SMALL, "--dropout", "0.2", "--batch-norm", "--validation", "0.25", "--patience", "2",
                     "--lr", "0.3", "--optimizer", "sgd", "--schedule", "cosine", "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert 0 <= metrics["val_accuracy"] <= 1 and metrics["val_loss"] > 0
    assert 1 <= metrics["best_epoch"] <= 12 and isinstance(metrics["stopped_early"], bool)


def test_the_text_report_says_where_early_stopping_left_the_weights():
    result = run_cli(*SMALL, "--validation", "0.25", "--patience", "1", "--lr", "0.5", "--optimizer", "sgd")
    assert result.returncode == 0, result.stderr
    assert "On the validation split: loss" in result.stdout
    assert "the model holds that epoch's weights" in result.stdout


def test_the_options_change_the_model_that_is_trained():
    plain = command.prepare(command.TrainConfig(data="spiral", samples=10, hidden=4))
    both = command.prepare(command.TrainConfig(data="spiral", samples=10, hidden=4, dropout=0.5, batch_norm=True,
                                               validation=0.2))
    kinds = [type(layer).__name__ for layer in both.model.net.layers]
    assert "Dropout" in kinds and "BatchNorm1d" in kinds
    assert "Dropout" not in [type(layer).__name__ for layer in plain.model.net.layers]
    assert len(both.train_set) + len(both.validation_set) == len(plain.train_set) == 30
    assert both.model.parameter_count() == plain.model.parameter_count() + 2 * (4 + 4)  # γ and β per unit


@pytest.mark.parametrize("args, message", [
    (["--patience", "3"], "--patience stops on the validation loss: give --validation too"),
    (["--dropout", "1.5"], "--dropout must be a probability from 0 to 0.95, got 1.5"),
    (["--validation", "0.9"], "--validation must be a fraction from 0 to 0.5, got 0.9"),
    (["--validation", "0.2", "--patience", "0"], "--patience must be at least 1 epoch, got 0"),
])
def test_bad_options_are_one_line_and_exit_2(args, message):
    result = run_cli(*SMALL, *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_dropout_on_a_recurrent_model_is_refused():
    result = run_cli("train", "rnn", "--dropout", "0.3", "--epochs", "1")
    assert result.returncode == 2 and "--dropout applies to the mlp only, not rnn" in result.stderr


def test_early_stopping_puts_back_the_weights_of_the_best_validation_epoch():
    data = spiral(per_class=20, seed=0)
    train_set, validation = split(data, 0.25, seed=1)
    model = models.MLP([2, 16, 3], seed=0)
    rule = optim.make("sgd", model.parameters(), lr=2.0)  # large steps: the validation loss wanders
    history = loop.fit(model, train_set, rule, 30, 8, validation=validation, patience=2)
    best = history.epochs[history.best_epoch - 1]
    assert best.val_loss == min(e.val_loss for e in history.epochs)
    assert loop.evaluate(model, validation)[0] == pytest.approx(best.val_loss, rel=1e-5)
    assert history.stopped == (len(history.epochs) < 30)
    if history.stopped:
        assert len(history.epochs) - history.best_epoch == 2
