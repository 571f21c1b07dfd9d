"""`gradtutor train mlp|cnn --data idx:DIR` on MNIST-format files, through a real subprocess."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.test_train_data_idx import write_idx


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True, timeout=300)


def write_mnist(folder, count=40, prefix="train", compress=False, labels=True):
    rng = np.random.default_rng(count)
    folder.mkdir(exist_ok=True)
    suffix = ".gz" if compress else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", rng.integers(0, 256, (count, 28, 28)).astype(np.uint8),
              compress=compress)
    if labels:
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", (np.arange(count) % 10).astype(np.uint8),
                  compress=compress)
    return folder


@pytest.mark.parametrize("model", ["cnn", "mlp"])
def test_trains_on_idx_files_with_their_own_test_set(tmp_path, model):
    folder = write_mnist(tmp_path / "mnist", compress=True)
    write_mnist(folder, count=20, prefix="t10k")
    completed = run_cli("train", model, "--data", f"idx:{folder}", "--epochs", "1", "--hidden", "8", "--json")
    assert completed.returncode == 0, completed.stderr
    metrics = json.loads(completed.stdout)
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["loss"] > 0
    assert 0.0 <= metrics["test_accuracy"] <= 1.0  # the t10k pair is the held-out set


def test_without_t10k_files_the_recipe_holds_some_out(tmp_path):
    from gradtutor.train import command

    folder = write_mnist(tmp_path / "mnist", count=60)
    run = command.prepare(command.TrainConfig(model="cnn", data=f"idx:{folder}", epochs=1))
    assert len(run.train_set) == 50 and len(run.test_set) == 10  # digits' recipe: 1/6 held out
    assert run.train_set.x.shape[1:] == (1, 28, 28) and run.config.settings["batch_size"] == 64
    write_mnist(folder, count=12, prefix="t10k")
    run = command.prepare(command.TrainConfig(model="mlp", data=f"idx:{folder}", epochs=1, samples=30))
    assert len(run.train_set) == 30 and len(run.test_set) == 12 and run.train_set.x.shape[1:] == (784,)


def one_error_line(completed):
    assert completed.returncode == 2 and completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), completed.stderr
    return lines[0]


def test_a_missing_folder_is_one_line(tmp_path):
    line = one_error_line(run_cli("train", "cnn", "--data", f"idx:{tmp_path / 'absent'}", "--epochs", "1"))
    assert f"{tmp_path / 'absent'}: no such folder" in line


def test_a_missing_label_file_is_one_line(tmp_path):
    folder = write_mnist(tmp_path / "mnist", labels=False)
    line = one_error_line(run_cli("train", "mlp", "--data", f"idx:{folder}", "--epochs", "1"))
    assert f"{folder / 'train-labels-idx1-ubyte'}: no such file" in line


def test_a_damaged_file_is_one_line_naming_it(tmp_path):
    folder = write_mnist(tmp_path / "mnist")
    (folder / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03\x00")
    line = one_error_line(run_cli("train", "cnn", "--data", f"idx:{folder}", "--epochs", "1"))
    assert f"{folder / 'train-images-idx3-ubyte'}: truncated header" in line


def test_a_misspelt_data_name_still_suggests():
    line = one_error_line(run_cli("train", "mlp", "--data", "spirl"))
    assert "unknown data set 'spirl'; did you mean 'spiral'?" in line and "idx:DIR" in line


def test_idx_data_is_for_image_models(tmp_path):
    line = one_error_line(run_cli("train", "lstm", "--data", f"idx:{tmp_path}"))
    assert "the lstm model does not train on images" in line
