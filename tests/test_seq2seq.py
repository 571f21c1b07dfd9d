"""The encoder–decoder on the reverse task: its data, its gradients (teacher-forced and free
running) in float64, what teacher forcing feeds the decoder, greedy decoding, whole-sequence
accuracy on every backend, the running-parity many-to-many model, sampling temperature, and
`gradtutor train seq2seq` as a real process."""

import json
import subprocess
import sys

import numpy as np
import pytest
from test_layers import check_layer, to_float64

from gradtutor import backend
from gradtutor.train import command as C
from gradtutor.train import datasets
from gradtutor.train import layers as L
from gradtutor.train.seq2seq import EncoderDecoder, sequence_accuracy


class WithTargets(L.Module):
    """The model called as the training loop calls it: with the targets beside the source."""

    def __init__(self, model, targets):
        super().__init__()
        self.model, self.targets = model, targets

    def forward(self, source):
        return self.model(source, self.targets)


def test_reverse_writes_each_string_backwards_and_is_seeded():
    data = datasets.reverse(50, length=6, seed=3)
    assert data.x.shape == data.y.shape == (50, 6) and data.x.dtype == data.y.dtype == np.int64
    np.testing.assert_array_equal(data.y, data.x[:, ::-1])
    assert 0 <= data.x.min() and data.x.max() <= 9 and data.n_classes == 10 and data.info["vocab"] == 10
    np.testing.assert_array_equal(datasets.reverse(50, length=6, seed=3).x, data.x)
    with pytest.raises(ValueError, match="reverse needs length >= 1"):
        datasets.reverse(5, length=0)


def test_running_parity_labels_every_step():
    data = datasets.running_parity(30, length=7, seed=1)
    bits = data.x[:, :, 0].astype(int)
    assert data.y.shape == (30, 7) and data.kind == "sequence-classes"
    np.testing.assert_array_equal(data.y, np.cumsum(bits, axis=1) % 2)
    np.testing.assert_array_equal(data.y[:, -1], datasets.parity(30, length=7, seed=1).y)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("forcing", [True, False], ids=["teacher-forcing", "free-running"])
def test_encoder_decoder_gradients(cell, forcing):
    data = datasets.reverse(3, length=4, symbols=5, seed=2)
    model = EncoderDecoder(cell, 5, 3, embedding_dim=2, teacher_forcing=forcing, seed=1)
    check_layer(WithTargets(model, data.y), data.x)


def test_teacher_forcing_feeds_the_right_previous_digit_and_free_running_ignores_the_targets():
    data = datasets.reverse(4, length=5, seed=0)
    forced = to_float64(EncoderDecoder("gru", 10, 8, seed=0))
    changed = data.y.copy()
    changed[:, 2] = (changed[:, 2] + 1) % 10  # the digit the decoder reads at step 3
    a, b = forced(data.x, data.y).data, forced(data.x, changed).data
    np.testing.assert_array_equal(a[:, :3], b[:, :3])  # steps up to 3 read nothing changed …
    assert not np.allclose(a[:, 3:], b[:, 3:])  # … step 4 reads the changed digit
    forced.teacher_forcing = False
    np.testing.assert_array_equal(forced(data.x, data.y).data, forced(data.x, changed).data)
    forced.eval()  # evaluation decodes greedily whatever the flag: there are no targets to read
    forced.teacher_forcing = True
    np.testing.assert_array_equal(forced(data.x, data.y).data, forced(data.x).data)


def test_greedy_decoding_feeds_back_its_own_arg_max():
    model = to_float64(EncoderDecoder("lstm", 10, 8, seed=4)).eval()
    source = datasets.reverse(3, length=4, seed=5).x
    logits = model(source).data
    written = logits.argmax(axis=-1)
    # the same logits come from teacher forcing with the model's own guesses as the targets
    model.train()
    np.testing.assert_allclose(model(source, written).data, logits, rtol=1e-12)


def test_the_cost_counts_the_reruns_of_free_running():
    forced, free = EncoderDecoder("gru", 10, 8, seed=0), EncoderDecoder("gru", 10, 8, teacher_forcing=False, seed=0)
    assert forced.cost((6,)).time_steps == 6 + 6 and free.cost((6,)).time_steps == 6 + 21
    assert forced.cost((6,)).parameters == forced.parameter_count() == free.parameter_count()
    assert forced.cost((6,)).output_shape == (6, 10)


def test_a_short_run_learns_to_reverse_and_reports_whole_sequences(xp):
    run = C.prepare(C.TrainConfig(model="seq2seq", samples=1000, length=3, hidden=32, epochs=5, lr=0.01, batch_size=32))
    result = C.train(run)
    assert result.sequence_accuracy > 0.8, result.sequence_accuracy
    assert result.sequence_accuracy == sequence_accuracy(run.model, run.test_set) <= result.test_accuracy
    assert result.metrics()["sequence_accuracy"] == result.sequence_accuracy
    assert type(run.model.head.weight.data) is type(xp.zeros(1)), "the model stays on the backend"


def test_the_options_belong_to_their_models():
    settings = C.resolve(C.TrainConfig(model="seq2seq", cell="lstm", teacher_forcing=False)).settings
    assert (settings["cell"], settings["teacher_forcing"], settings["length"]) == ("lstm", False, 8)
    assert C.prepare(C.TrainConfig(model="seq2seq", samples=20, cell="rnn")).model.cell == "rnn"
    for options, message in ((dict(model="gru", cell="lstm"), "--cell applies to the seq2seq model only"),
                             (dict(model="mlp", teacher_forcing=False), "--teacher-forcing applies to the seq2seq"),
                             (dict(model="seq2seq", data="adding"), "takes: reverse"),
                             (dict(model="lstm", temperature=0.5), "--temperature applies to the chars data only"),
                             (dict(model="lstm", data="chars", temperature=0.0), "--temperature must be a number"),
                             (dict(model="seq2seq", cell="cnn"), "unknown cell 'cnn'")):
        with pytest.raises(C.TrainError, match=message):
            C.resolve(C.TrainConfig(**options))


def test_running_parity_trains_a_many_to_many_model(xp):
    run = C.prepare(C.TrainConfig(model="gru", data="running-parity", samples=1000, epochs=6, lr=0.03))
    result = C.train(run)
    assert run.model(backend.to_device(run.test_set.x[:2])).shape == (2, 10, 2)  # an answer per step
    assert result.test_accuracy > 0.9, result.test_accuracy


def test_the_temperature_reaches_the_sampled_text():
    def sample(temperature):
        run = C.prepare(C.TrainConfig(model="gru", data="chars", length=8, epochs=0, hidden=8, temperature=temperature))
        return C.train(run).sample

    cold = sample(1e-6)
    assert cold == sample(1e-6) != sample(50.0)
    run = C.prepare(C.TrainConfig(model="gru", data="chars", length=8, epochs=0, hidden=8))
    assert cold == C.sample_text(run, length=200, temperature=1e-6)  # near 0: always the likeliest


def _gradtutor(*args):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True, timeout=180)


def test_train_seq2seq_as_a_real_process_with_and_without_teacher_forcing(tmp_path):
    base = ["train", "seq2seq", "--samples", "200", "--length", "3", "--hidden", "8", "--epochs", "2"]
    forced = _gradtutor(*base, "--json", "--save", str(tmp_path / "m.npz"))
    free = _gradtutor(*base, "--json", "--no-teacher-forcing", "--cell", "lstm")
    for completed in (forced, free):
        assert completed.returncode == 0, completed.stderr
        metrics = json.loads(completed.stdout)
        assert 0.0 <= metrics["sequence_accuracy"] <= metrics["test_accuracy"] <= 1.0
    shown = _gradtutor(*base, "--epochs", "0", "--load", str(tmp_path / "m.npz"))
    assert shown.returncode == 0, shown.stderr
    assert "whole sequences right (greedy decoding)" in shown.stdout and "gru 8 → gru 8" in shown.stdout
    assert json.loads(forced.stdout)["sequence_accuracy"] == pytest.approx(
        json.loads(_gradtutor(*base, "--epochs", "0", "--load", str(tmp_path / "m.npz"), "--json").stdout)["sequence_accuracy"])
    refused = _gradtutor("train", "lstm", "--no-teacher-forcing")
    assert refused.returncode == 2 and "--teacher-forcing applies to the seq2seq model only" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_lesson_counts_an_embedding_and_names_the_seq2seq_options():
    from gradtutor.tutor import networks, training

    report = networks.inspect(networks.network("layer", "embedding(vocabulary=11, dim=16)", [8]))
    assert (report.output, report.params) == ((8, 16), 11 * 16)
    run = training.spec("r", {"model": "seq2seq", "cell": "lstm", "teacher_forcing": False, "samples": 40})
    settings = training.resolved(run).settings
    assert (settings["cell"], settings["teacher_forcing"]) == ("lstm", False)
    for table, message in (({"model": "seq2seq", "teacher_forcing": "no"}, "teacher_forcing must be true or false"),
                           ({"model": "seq2seq", "cell": "cnn"}, "cell must be one of rnn, lstm, gru"),
                           ({"model": "gru", "cell": "lstm"}, "--cell applies to the seq2seq model only")):
        with pytest.raises(training.TrainingError, match=message):
            training.spec("r", table)
