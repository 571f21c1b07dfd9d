"""The training loop and `gradtutor train`: every model trains through numpy, the strict CuPy
stand-in (a stray numpy call or host round-trip fails there) and CuPy when a GPU is present;
same seed, same numbers; reduced versions of the README's results; the command end to end."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from typer.testing import CliRunner

from gradtutor import backend
from gradtutor.cli import app
from gradtutor.train import command as C
from gradtutor.train import loop, models, optim

runner = CliRunner()


def small(**options):
    return C.TrainConfig(**options)


# -- every model, every backend ------------------------------------------------------------------

TINY_RUNS = [
    dict(model="mlp", data="spiral", samples=20, epochs=2, hidden=8),
    dict(model="mlp", data="digits", samples=40, epochs=1, hidden=8),
    dict(model="cnn", samples=40, epochs=1, batch_size=16),
    dict(model="cnn", arch="vgg", samples=40, epochs=1, batch_size=16),
    dict(model="cnn", arch="resnet", samples=40, epochs=1, batch_size=16),
    dict(model="rnn", data="adding", samples=40, length=6, epochs=2, hidden=8),
    dict(model="lstm", data="parity", samples=40, length=5, epochs=2, hidden=8),
    dict(model="gru", data="copy", samples=40, length=3, epochs=2, hidden=8),
    dict(model="lstm", data="chars", length=16, epochs=1, hidden=8),
    dict(model="transformer", data="reverse", samples=40, length=3, epochs=2, hidden=8),
    dict(model="transformer", data="chars", length=16, epochs=1, hidden=8),
    dict(model="rnn", data="running-parity", samples=40, length=5, epochs=2, hidden=8),
    dict(model="seq2seq", samples=40, length=4, epochs=2, hidden=8),
    dict(model="seq2seq", samples=40, length=3, epochs=1, hidden=8, cell="lstm", teacher_forcing=False),
]


@pytest.mark.parametrize("options", TINY_RUNS, ids=lambda o: f"{o['model']}-{o.get('arch', o.get('data', 'digits'))}")
def test_every_model_trains_on_every_backend(xp, options):
    run = C.prepare(small(**options))
    before = [backend.to_host(p.data).copy() for p in run.model.parameters()]
    result = C.train(run)
    for p, start in zip(run.model.parameters(), before):
        assert type(p.data) is type(xp.zeros(1)), "parameters stay on the backend"
        assert p.data.dtype == np.float32
        assert not np.array_equal(backend.to_host(p.data), start), "every parameter was updated"
    assert np.isfinite(result.loss)
    assert [e.epoch for e in result.history.epochs] == list(range(1, options["epochs"] + 1))


def test_batch_norm_and_dropout_train_on_every_backend(xp):
    from gradtutor.train.datasets import spiral

    model = models.MLP([2, 16, 16, 3], dropout=0.2, batch_norm=True, seed=1)
    data = spiral(per_class=20, seed=1)
    history = loop.fit(model, data, optim.make("adam", model.parameters(), lr=0.01), epochs=3, batch_size=16)
    assert history.epochs[-1].loss < history.epochs[0].loss
    loss, accuracy = loop.evaluate(model, data)
    assert model.training and 0.0 <= accuracy <= 1.0 and np.isfinite(loss)


def test_generated_text_uses_the_vocabulary(xp):
    run = C.prepare(small(model="gru", data="chars", length=8, epochs=1, hidden=8))
    C.train(run)
    text = C.sample_text(run, length=30)
    assert len(text) == len("The ") + 30
    assert set(text) <= set(run.info["vocab"].chars)


# -- determinism ----------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_numbers():
    def figures(seed):
        result = C.train(C.prepare(small(model="lstm", data="adding", samples=64, length=8, epochs=2,
                                         hidden=8, seed=seed)))
        return [e.loss for e in result.history.epochs], result.loss

    assert figures(3) == figures(3)
    assert figures(3) != figures(4)


def test_the_same_seed_gives_the_same_cnn_and_dropout_numbers():
    first = C.train(C.prepare(small(model="cnn", samples=48, epochs=1, seed=5))).metrics()
    second = C.train(C.prepare(small(model="cnn", samples=48, epochs=1, seed=5))).metrics()
    first.pop("seconds"), second.pop("seconds")
    assert first == second


# -- it learns (reduced versions of the README runs) ---------------------------------------------


def test_mlp_learns_the_spiral():
    result = C.train(C.prepare(small(model="mlp", data="spiral", epochs=60)))
    assert result.accuracy >= 0.95


def test_cnn_learns_digits_from_a_few_hundred_examples():
    result = C.train(C.prepare(small(model="cnn", samples=600, epochs=3)))
    assert result.test_accuracy >= 0.6  # 10 classes: chance is 0.1


def test_lstm_gets_below_the_adding_baseline_on_short_sequences():
    result = C.train(C.prepare(small(model="lstm", data="adding", samples=1000, length=8, epochs=10, hidden=16, lr=0.01)))
    assert result.test_loss < 0.25 * result.baseline["mse_of_the_mean"]


def test_fit_reports_one_record_per_epoch_and_applies_a_schedule():
    from gradtutor.train.datasets import xor

    model = models.MLP([2, 8, 2], seed=0)
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    seen = []
    history = loop.fit(model, xor(n=40), optimizer, epochs=3, batch_size=8, schedule=lambda e: 0.1 / (e + 1),
                       clip=1.0, on_epoch=seen.append)
    assert [e.epoch for e in history.epochs] == [1, 2, 3] and seen == history.epochs
    assert [e.lr for e in history.epochs] == [0.1, 0.05, 0.1 / 3]
    assert all(e.seconds > 0 for e in history.epochs)


def test_fit_refuses_bad_settings():
    model = models.MLP([2, 2], seed=0)
    with pytest.raises(ValueError, match="at least 1"):
        loop.fit(model, (np.zeros((4, 2)), np.zeros(4, dtype=np.int64)), optim.SGD(model.parameters()), epochs=0)


# -- the command ------------------------------------------------------------------------------------


def test_json_prints_only_the_final_metrics():
    result = runner.invoke(app, ["train", "mlp", "--epochs", "3", "--samples", "20", "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert set(metrics) == {"loss", "accuracy", "seconds"}
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert "Decision boundary" not in result.output  # scripts get the metrics and nothing else


@pytest.mark.parametrize("data", ["spiral", "moons", "circles", "xor"])
def test_the_learned_decision_boundary_is_drawn_after_training(data):
    from render_golden import console_text

    from gradtutor.render.boundary import MARKS, terminal_boundary
    from gradtutor.train.boundary import predict_grid

    result = runner.invoke(app, ["train", "mlp", "--data", data, "--epochs", "2", "--samples", "20", "--hidden", "4"])
    assert result.exit_code == 0, result.output
    assert "Decision boundary" in result.output
    # The same seeded run in library code: the command draws exactly its model's map and points.
    run = C.prepare(small(model="mlp", data=data, epochs=2, samples=20, hidden=4))
    C.train(run)
    grid = predict_grid(run.model, run.train_set.x)
    drawn = console_text(terminal_boundary(grid, run.train_set.x, run.train_set.y)).rstrip("\n")
    shown = "\n".join(line.rstrip() for line in result.output.splitlines())
    assert drawn in shown
    for label in set(run.train_set.y.tolist()):
        assert MARKS[label] in drawn and f"{MARKS[label]} class {label}" in shown


def test_table_curves_and_files(tmp_path):
    svg = tmp_path / "curves.svg"
    result = runner.invoke(app, ["train", "rnn", "--data", "parity", "--samples", "40", "--length", "4",
                                 "--epochs", "3", "--hidden", "4", "--plot", str(svg)])
    assert result.exit_code == 0, result.output
    assert "epoch" in result.output and "held-out accuracy" in result.output
    assert "training loss" in result.output and "█" in result.output  # the terminal curve
    assert "Decision boundary" not in result.output  # sequences are not points in a plane
    root = ElementTree.fromstring(svg.read_text())
    assert root.tag.endswith("svg") and len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 4


def test_png_curves(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "curves.png"
    result = runner.invoke(app, ["train", "mlp", "--epochs", "2", "--samples", "10", "--plot", str(png), "--json"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_saved_model_loads_back_with_the_same_metrics(tmp_path):
    path = tmp_path / "model.npz"
    args = ["train", "cnn", "--samples", "40", "--seed", "2", "--json"]
    trained = json.loads(runner.invoke(app, [*args, "--epochs", "1", "--save", str(path)]).output)
    loaded = json.loads(runner.invoke(app, [*args, "--epochs", "0", "--load", str(path)]).output)
    assert loaded["loss"] == pytest.approx(trained["loss"], rel=1e-6)
    assert loaded["accuracy"] == trained["accuracy"]


@pytest.mark.parametrize("args, message", [
    (["train", "cnn", "--data", "spiral"], "the cnn model does not train on 'spiral'"),
    (["train", "mlp", "--batch-size", "0"], "--batch-size must be at least 1"),
    (["train", "mlp", "--plot", "curves.txt"], "use a .svg or .png file name"),
    (["train", "mlp", "--load", "no-such-file.npz"], "no such checkpoint file"),
    (["train", "gpt"], "gpt"),
    (["train", "cnn", "--samples", "1"], "cannot be split"),
    (["train", "lstm", "--clip", "0"], "--clip must be positive"),
    (["train", "mlp", "--save", "no-such-folder/m.npz"], "does not exist"),
    (["train", "mlp", "--weight-decay", "-1"], "--weight-decay and --l1 must be 0 or more"),
    (["train", "rnn", "--data", "adding", "--length", "1"], "adding needs length >= 2"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_load_of_a_checkpoint_for_another_model_is_refused(tmp_path):
    path = tmp_path / "mlp.npz"
    runner.invoke(app, ["train", "mlp", "--epochs", "1", "--samples", "10", "--save", str(path), "--json"])
    result = runner.invoke(app, ["train", "cnn", "--samples", "20", "--epochs", "0", "--load", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_train_runs_as_a_real_process():
    completed = subprocess.run(
        [sys.executable, "-m", "gradtutor", "train", "gru", "--data", "adding", "--samples", "32",
         "--length", "5", "--epochs", "2", "--hidden", "4", "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    metrics = json.loads(completed.stdout)
    assert metrics["accuracy"] is None and metrics["test_loss"] > 0


def test_a_real_process_draws_the_decision_boundary():
    completed = subprocess.run(
        [sys.executable, "-m", "gradtutor", "train", "mlp", "--data", "xor", "--samples", "16",
         "--epochs", "1", "--hidden", "4"],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Decision boundary" in completed.stdout and "o class 0, x class 1" in completed.stdout


def test_a_real_process_speaks_korean_and_prints_the_library_renderables():
    args = ["train", "mlp", "--data", "xor", "--samples", "16", "--epochs", "2", "--hidden", "4"]
    completed = subprocess.run([sys.executable, "-m", "gradtutor", *args, "--lang", "ko"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert out.startswith("xor 데이터로 mlp (2-4-4-2 relu) 학습: 예제 16개")
    assert "결정 경계" in out and "o 클래스 0, x 클래스 1" in out and "학습 후 완성된 모델로 학습 데이터에서: 손실" in out
    assert "Decision boundary" not in out and "training loss" not in out
    # What the process printed after training is the report renderable of the same seeded run.
    from gradtutor.render import training as shown

    run = C.prepare(small(model="mlp", data="xor", samples=16, epochs=2, hidden=4))
    result = C.train(run)
    figures = shown.Figures(**{**C.figures(result), "seconds": None})
    assert shown.summary(figures, "ko").plain[:-1] in out


def test_a_misspelt_choice_is_one_line_naming_the_choices():
    completed = subprocess.run([sys.executable, "-m", "gradtutor", "train", "mlp", "--optimizer", "adan"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1 and "'adan' is not one of 'sgd'" in completed.stderr


def test_the_char_model_is_tested_on_text_it_never_saw():
    run = C.prepare(small(model="lstm", data="chars", length=32))
    stride = run.config.settings["stride"]
    train_windows, test_windows = len(run.train_set), len(run.test_set)
    last_trained_char = (train_windows - 1) * stride + 32 + 1  # windows start every `stride`; y reaches one further
    first_tested_char = (train_windows + 32 // stride) * stride
    assert last_trained_char <= first_tested_char
    assert test_windows == round(0.1 * (train_windows + test_windows + 32 // stride))


def test_schedule_and_penalties_reach_the_optimizer():
    run = C.prepare(small(model="mlp", samples=20, epochs=6, schedule="step", weight_decay=0.01, l1=0.001))
    optimizer = C.make_optimizer(run)
    assert (optimizer.weight_decay, optimizer.l1) == (0.01, 0.001)
    lrs = [e.lr for e in C.train(run).history.epochs]
    assert lrs == [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]
    result = runner.invoke(app, ["train", "mlp", "--epochs", "2", "--samples", "10", "--schedule", "cosine",
                                 "--weight-decay", "0.1", "--json"])
    assert result.exit_code == 0, result.output
