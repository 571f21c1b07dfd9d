"""Checkpoints: save and load parameters and optimizer state across backends; clear errors."""

import zipfile

import numpy as np
import pytest

from gradtutor import backend
from gradtutor.tensor import Tensor
from gradtutor.train import checkpoint, optim


def make_params(seed):
    rng = np.random.default_rng(seed)
    return {"layer.W": Tensor(rng.standard_normal((3, 2))), "layer.b": Tensor(rng.standard_normal(2))}


def host_values(params):
    return {name: backend.to_host(p.data).copy() for name, p in params.items()}


def test_round_trip_of_a_parameter_dict(xp, tmp_path):
    saved = make_params(0)
    path = checkpoint.save(tmp_path / "model.ckpt", saved, extra={"epoch": 3, "accuracy": 0.975})
    assert path == tmp_path / "model.ckpt" and path.exists()  # no .npz added to the name
    target = make_params(1)
    before = {name: p.data for name, p in target.items()}
    result = checkpoint.load(path, target)
    assert result.extra == {"epoch": 3, "accuracy": 0.975}
    for name, p in target.items():
        assert p.data is before[name]  # loaded in place
        assert p.data.dtype == np.float32 and isinstance(p.data, xp.ndarray)
        np.testing.assert_array_equal(backend.to_host(p.data), host_values(saved)[name])


def test_written_on_one_backend_read_on_another(tmp_path):
    from strict_xp import strict

    backend.use(strict)
    try:
        saved = make_params(0)
        checkpoint.save(tmp_path / "device.npz", saved)
        expected = host_values(saved)
    finally:
        backend.use("numpy")
    state = checkpoint.read(tmp_path / "device.npz").state
    assert set(state) == set(expected)
    for name in expected:
        assert type(state[name]) is np.ndarray
        np.testing.assert_array_equal(state[name], expected[name])


def test_parameter_lists_and_optimizer_state(xp, tmp_path):
    params = list(make_params(0).values())
    opt = optim.Adam(params, lr=0.1)
    for p in params:
        p.grad = backend.to_device(np.ones(p.shape, dtype=np.float32))
    opt.step()
    opt.step()
    checkpoint.save(tmp_path / "run.npz", params, optimizer=opt)

    fresh = list(make_params(5).values())
    fresh_opt = optim.Adam(fresh, lr=0.1)
    checkpoint.load(tmp_path / "run.npz", fresh, optimizer=fresh_opt)
    assert fresh_opt.steps == 2
    # the next step of the restored run equals the next step of the original
    for group in (params, fresh):
        for p in group:
            p.grad = backend.to_device(np.full(p.shape, 0.5, dtype=np.float32))
    opt.step()
    fresh_opt.step()
    for a, b in zip(params, fresh):
        np.testing.assert_allclose(backend.to_host(a.data), backend.to_host(b.data), rtol=1e-6)
    assert all(array.dtype == np.float32 for array in fresh_opt.state_arrays().values())


def test_layers_modules_save_and_load(tmp_path):
    layers = pytest.importorskip("gradtutor.train.layers")
    backend.use("numpy")
    model = layers.Linear(4, 3, rng=0)
    checkpoint.save(tmp_path / "linear.npz", model)
    other = layers.Linear(4, 3, rng=1)
    checkpoint.load(tmp_path / "linear.npz", other)
    np.testing.assert_array_equal(other.weight.data, model.weight.data)
    with pytest.raises(checkpoint.CheckpointError, match=r"weight has shape \(4, 3\) in the checkpoint but \(5, 3\)"):
        checkpoint.load(tmp_path / "linear.npz", layers.Linear(5, 3, rng=0))


def test_mismatches_change_nothing(tmp_path):
    backend.use("numpy")
    path = checkpoint.save(tmp_path / "a.npz", make_params(0))
    renamed = {"other.W": Tensor(np.zeros((3, 2))), "layer.b": Tensor(np.zeros(2))}
    with pytest.raises(checkpoint.CheckpointError, match=r"missing \['other.W'\], unexpected \['layer.W'\]"):
        checkpoint.load(path, renamed)
    assert not renamed["layer.b"].data.any()
    p = Tensor(np.zeros(2))
    p.grad = np.ones(2, dtype=np.float32)
    source = optim.Adam([p])
    source.step()
    checkpoint.save(tmp_path / "b.npz", [p], optimizer=source)
    wrong_optimizer = optim.Adam([Tensor(np.zeros(7))])
    with pytest.raises(checkpoint.CheckpointError, match=r"b.npz: optimizer state 'first_moment/0' has shape \(2,\)"):
        checkpoint.load(tmp_path / "b.npz", optimizer=wrong_optimizer)
    assert wrong_optimizer.state_arrays() == {} and wrong_optimizer.steps == 0


def test_bad_files_give_one_line_errors(tmp_path):
    (tmp_path / "text.npz").write_text("hello")
    backend.host.savez(tmp_path / "plain.npz", a=np.zeros(2))
    version_path = tmp_path / "future.npz"
    backend.host.savez(version_path, format=np.array("gradtutor-checkpoint"), version=np.array(99))
    cases = {
        tmp_path / "missing.npz": "no such checkpoint file",
        tmp_path / "text.npz": "not a checkpoint (.npz) file",
        tmp_path / "plain.npz": "not a gradtutor checkpoint",
        version_path: "format 99 is newer than this gradtutor reads (1)",
    }
    for path, message in cases.items():
        with pytest.raises(checkpoint.CheckpointError) as caught:
            checkpoint.read(path)
        assert message in str(caught.value) and str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert zipfile.is_zipfile(tmp_path / "plain.npz")


def test_failed_write_keeps_the_old_file(tmp_path):
    backend.use("numpy")
    path = checkpoint.save(tmp_path / "keep.npz", make_params(0))
    original = path.read_bytes()
    with pytest.raises(checkpoint.CheckpointError, match="extra must be JSON"):
        checkpoint.save(path, make_params(1), extra={"bad": object()})
    with pytest.raises(checkpoint.CheckpointError, match="cannot write"):
        checkpoint.save(tmp_path / "no-such-dir" / "x.npz", make_params(1))
    assert path.read_bytes() == original
    assert not list(tmp_path.glob("*.partial"))
