"""Training requests that cannot end well are refused before anything is built, and a run that
blows up stops at the epoch it did, saying why."""

import math

import pytest

from gradtutor import memory
from gradtutor.render.curves import sparkline
from gradtutor.train import command as C
from gradtutor.train import loop


@pytest.mark.parametrize("options, message", [
    (dict(lr=math.inf), "--lr must be a finite number above 0, got inf"),
    (dict(lr=math.nan), "--lr must be a finite number above 0, got nan"),
    (dict(weight_decay=math.nan), "--weight-decay must be a number from 0 to 1, got nan"),
    (dict(weight_decay=math.inf), "--weight-decay must be a number from 0 to 1, got inf"),
    (dict(l1=1e308), "--l1 must be a number from 0 to 1, got 1e+308"),
    (dict(model="lstm", clip=math.nan), "--clip must be a finite number above 0, got nan"),
])
def test_options_out_of_range_are_refused(options, message):
    with pytest.raises(C.TrainError, match=message.replace("+", r"\+")):
        C.resolve(C.TrainConfig(**options))


@pytest.mark.parametrize("options, option", [
    (dict(model="mlp", hidden=100_000), "--hidden"),
    (dict(model="rnn", length=10_000_000), "--samples or --length"),
    (dict(model="mlp", samples=100_000_000), "--samples"),
])
def test_runs_too_big_for_memory_are_refused_before_building(options, option):
    with pytest.raises(C.TrainError, match=f"would need about .* GB of memory.*make {option} smaller"):
        C.prepare(C.TrainConfig(**options))


@pytest.mark.parametrize("model, data", [(m, d) for m, datas in C.ALLOWED_DATA.items() for d in datas])
def test_every_recipe_fits_the_memory_limit(model, data):
    config = C.resolve(C.TrainConfig(model=model, data=data))
    assert sum(size for size, _ in C.memory_needed(config)) < memory.LIMIT_BYTES


def test_a_diverging_run_stops_and_names_epoch_and_step():
    run = C.prepare(C.TrainConfig(model="mlp", data="xor", lr=1e9, optimizer="sgd", epochs=5))
    with pytest.raises(loop.Diverged) as raised:
        C.train(run)
    assert (raised.value.epoch, raised.value.step) == (1, 3)
    assert not math.isfinite(raised.value.loss)
    assert "learning rate 1e+09 is too large" in str(raised.value) and "--lr 1e+08" in str(raised.value)


def test_metrics_hold_no_nan():
    result = C.Result(loop.History(), math.nan, None, math.inf, 0.5, 1.0, {})
    assert result.metrics() == {"loss": None, "accuracy": None, "seconds": 1.0, "test_loss": None, "test_accuracy": 0.5}


def test_a_sparkline_of_a_curve_with_nan_draws_an_empty_column():
    rows = sparkline([1.0, math.nan, 0.5], width=3, height=2)
    assert [row[1] for row in rows] == [" ", " "]
    assert rows[0][0] != " "
