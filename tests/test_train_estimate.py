"""The estimate of a run's time, and the warning `gradtutor train` gives before a long one."""

import json
import subprocess
import sys

import pytest

from gradtutor.render import training as shown
from gradtutor.train import command, estimate
from gradtutor.tutor import training as lesson_runs

SMALL = dict(model="mlp", data="xor", samples=16, epochs=2, hidden=4)


def test_a_long_run_is_estimated_long_and_a_small_one_short():
    # the defaults: about a minute of CPU at one BLAS thread (benchmarks/estimate.py measures it)
    lstm = estimate.for_config(command.TrainConfig(model="lstm"))
    assert lstm > 2 * estimate.LONG_SECONDS
    assert estimate.for_config(command.TrainConfig(**SMALL)) < estimate.LONG_SECONDS


# The default runs that benchmarks/estimate.py measured over LONG_SECONDS, and those under it
# (estimate.py's docstring has the figures): the warning is given for exactly the first ones.
MEASURED_LONG = [dict(model="lstm"), dict(model="gru"), dict(model="seq2seq"), dict(model="cnn", arch="vgg"),
                 dict(model="cnn", arch="resnet"), dict(model="transformer", data="chars")]
MEASURED_SHORT = [dict(model="mlp"), dict(model="cnn"), dict(model="rnn"), dict(model="transformer")]


@pytest.mark.parametrize("options, long", [(o, True) for o in MEASURED_LONG] + [(o, False) for o in MEASURED_SHORT],
                         ids=lambda v: "-".join(map(str, v.values())) if isinstance(v, dict) else str(v))
def test_the_default_runs_are_warned_about_exactly_when_they_take_long(options, long):
    assert (estimate.for_config(command.TrainConfig(**options)) > estimate.LONG_SECONDS) == long


def test_the_estimate_grows_with_the_run_and_is_nothing_without_epochs():
    def of(**sizes):
        return estimate.for_config(command.TrainConfig(**{**SMALL, **sizes}))

    assert of(epochs=20) > of(epochs=2) > of(epochs=0) > 0  # 0 epochs: the evaluation only
    assert of(samples=400) > of(samples=16)
    assert of(hidden=64) > of(hidden=4)


def test_a_prepared_run_and_its_config_get_the_same_estimate():
    for sizes in (SMALL, dict(model="gru", data="parity", samples=200, length=6, epochs=3, hidden=8)):
        config = command.TrainConfig(**sizes)
        assert estimate.for_run(command.prepare(config)) == pytest.approx(estimate.for_config(config))


def test_lessons_and_the_train_command_share_the_estimate():
    run = lesson_runs.spec("x", {"model": "mlp", "data": "xor", "epochs": 5})
    assert lesson_runs.estimate_seconds(run) == estimate.for_config(lesson_runs.resolved(run))


def test_the_warning_says_minutes_and_how_to_shorten_the_run():
    assert shown.long_run(569) == ("this run will take about 9 min on this machine (estimate); "
                                   "--epochs or --samples make it shorter")
    assert shown.long_run(25).startswith("this run will take about 1 min")
    korean = shown.long_run(569, "ko")
    assert "약 9분" in korean and "--epochs" in korean and "--samples" in korean


def test_a_short_run_starts_without_a_warning_and_json_stays_json():
    args = ["train", "mlp", "--data", "xor", "--samples", "16", "--epochs", "2", "--hidden", "4", "--json"]
    completed = subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                               encoding="utf-8", timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "warning" not in completed.stderr
    assert set(json.loads(completed.stdout)) >= {"loss", "accuracy"}
