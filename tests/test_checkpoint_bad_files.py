"""Checkpoints that are not what save() writes: other numpy files, special files, archives whose
headers promise huge arrays, hand-edited fields and parameters that are not real finite numbers.
Each is a CheckpointError naming the file, raised before the model is touched and before any
large array is read."""

import os
import resource
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from gradtutor import backend
from gradtutor.tensor import Tensor
from gradtutor.train import checkpoint
from gradtutor.train.checkpoint import CheckpointError


@pytest.fixture(autouse=True)
def numpy_backend():
    backend.use("numpy")


def model():
    return {"layer.W": Tensor(np.zeros((3, 2))), "layer.b": Tensor(np.zeros(2))}


def hand_made(path, **changes):
    """A checkpoint as save() writes it for `model()`, with some members replaced (None: removed)."""
    arrays = {
        "format": np.array("gradtutor-checkpoint"), "version": np.array(1), "extra": np.array("{}"),
        "param/layer.W": np.ones((3, 2), np.float32), "param/layer.b": np.ones(2, np.float32),
    }
    arrays.update(changes)
    np.savez(path, **{key: value for key, value in arrays.items() if value is not None})
    return path


def refused(path, target=None, *fragments) -> str:
    target = model() if target is None else target
    with pytest.raises(CheckpointError) as caught:
        checkpoint.load(path, target)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    assert not any(p.data.any() for p in target.values())  # nothing was loaded
    return message


def test_a_hand_made_file_like_save_writes_loads(tmp_path):
    target = model()
    checkpoint.load(hand_made(tmp_path / "good.npz"), target)
    assert target["layer.W"].data.tolist() == [[1, 1]] * 3


def test_a_npy_file_is_not_a_checkpoint(tmp_path):
    np.save(tmp_path / "weights.npy", np.zeros(3))
    refused(tmp_path / "weights.npy", None, "not a checkpoint (.npz) file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")
    refused(tmp_path / "pipe.npz", None, "not a regular file")


def _zeros_member(archive, name, count):
    """An .npy member of `count` float32 zeros, streamed: the test never holds the array."""
    from numpy.lib import format as npy

    with archive.open(name, "w", force_zip64=True) as stream:
        npy.write_array_header_1_0(stream, {"descr": "<f4", "fortran_order": False, "shape": (count,)})
        left = count * 4
        while left:
            stream.write(bytes(min(left, 1 << 20)))
            left -= min(left, 1 << 20)


def test_a_small_archive_declaring_a_huge_array_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in (("format", np.array("gradtutor-checkpoint")), ("version", np.array(1))):
            with archive.open(f"{name}.npy", "w") as stream:
                np.save(stream, value)
        _zeros_member(archive, "param/layer.W.npy", 1 << 26)  # 256 MiB of zeros
        _zeros_member(archive, "param/layer.b.npy", 2)
    assert path.stat().st_size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    refused(path, None, "layer.W has shape (67108864,) in the checkpoint but (3, 2) in the model")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: the array was never read


def test_an_archive_whose_header_promises_more_than_it_holds_is_damaged(tmp_path):
    path = hand_made(tmp_path / "short.npz")
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    header = members["param/layer.b.npy"]
    members["param/layer.b.npy"] = header.replace(b"(2,)", b"(9,)", 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    refused(path, {"layer.W": Tensor(np.zeros((3, 2))), "layer.b": Tensor(np.zeros(9))}, "damaged")


@pytest.mark.parametrize("changes, fragment", [
    ({"version": np.array("abc")}, "its version field should be a whole number"),
    ({"version": None}, "without a format version"),
    ({"format": np.array(["gradtutor-checkpoint"] * 2)}, "its format field should be text"),
    ({"extra": np.array("{not json")}, "its extra field is not a JSON object"),
    ({"extra": np.array("[1, 2]")}, "its extra field is not a JSON object"),
    ({"extra": np.array(7)}, "its extra field should be text"),
    ({"optim_steps": np.array(-3)}, "optim_steps is negative"),
    ({"param/layer.b": np.array(["a", "b"])}, "layer.b holds <U1 values; parameters must be real numbers"),
    ({"param/layer.b": np.array([1 + 2j, 0])}, "layer.b holds complex128 values"),
    ({"param/layer.b": np.array([True, False])}, "layer.b holds bool values"),
    ({"param/layer.b": np.array([np.nan, 1.0], np.float32)}, "layer.b holds values that are not finite"),
    ({"param/layer.W": np.full((3, 2), np.inf)}, "layer.W holds values that are not finite"),
])
def test_hand_made_fields_are_refused_in_one_line(tmp_path, changes, fragment):
    refused(hand_made(tmp_path / "edited.npz", **changes), None, fragment)


def test_object_arrays_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, format=np.array("gradtutor-checkpoint"), version=np.array(1),
             **{"param/layer.b": np.array([{}, {}], dtype=object)})
    refused(path, None, "holds Python objects")


def test_optimizer_state_larger_than_any_parameter_is_refused_before_reading(tmp_path):
    from gradtutor.train import optim

    path = hand_made(tmp_path / "optim.npz", **{"optim/first_moment/0": np.zeros(10_000), "optim_steps": np.array(1)})
    target = model()
    with pytest.raises(CheckpointError, match="first_moment/0 has shape \\(10000,\\), larger than any array"):
        checkpoint.load(path, target, optimizer=optim.Adam(list(target.values())))


def test_the_train_command_reports_a_bad_checkpoint_in_one_line(tmp_path):
    good = tmp_path / "good.npz"
    environment = {**os.environ, "LANG": "C.UTF-8"}
    command = [sys.executable, "-m", "gradtutor", "train", "mlp", "--epochs", "1", "--samples", "20", "--json"]
    saved = subprocess.run([*command, "--save", str(good)], capture_output=True, text=True, env=environment, timeout=120)
    assert saved.returncode == 0, saved.stderr
    with np.load(good) as data:
        arrays = {key: data[key] for key in data.files}
    name = next(key for key in arrays if key.startswith("param/"))
    arrays[name] = arrays[name].astype(np.complex64)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    before = bad.read_bytes()
    result = subprocess.run([*command, "--load", str(bad)], capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: ") and "complex64" in lines[0], result.stderr
    assert bad.read_bytes() == before
