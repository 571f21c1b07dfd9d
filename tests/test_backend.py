"""The backend switch and the strict CuPy stand-in the training tests run on."""

import sys

import numpy as np
import pytest

from gradtutor import backend
from strict_xp import DeviceArray, strict


@pytest.fixture
def restore_backend():
    previous = backend.xp()
    yield
    backend.use(previous)


def _cupy_usable() -> bool:
    try:
        backend.use("cupy")
    except backend.BackendError:
        return False
    finally:
        backend.use("numpy")
    return True


# -- the switch ---------------------------------------------------------------------------------
def test_numpy_is_the_default(monkeypatch, restore_backend):
    monkeypatch.delenv(backend.ENV_VAR, raising=False)
    backend.reset()
    assert backend.xp() is np
    assert backend.name() == "numpy"


@pytest.mark.skipif(_cupy_usable(), reason="CuPy and a GPU are present here")
def test_cupy_without_cupy_or_gpu_is_one_clear_line(restore_backend):
    with pytest.raises(backend.BackendError) as caught:
        backend.use("cupy")
    message = str(caught.value)
    assert "\n" not in message
    assert "cupy backend needs" in message
    assert ('pip install "gradtutor[gpu]"' in message) or ("GPU" in message)


@pytest.mark.skipif(_cupy_usable(), reason="CuPy and a GPU are present here")
def test_environment_variable_chooses_the_backend(monkeypatch, restore_backend):
    monkeypatch.setenv(backend.ENV_VAR, "cupy")
    backend.reset()
    with pytest.raises(backend.BackendError, match="cupy backend needs"):
        backend.xp()
    monkeypatch.setenv(backend.ENV_VAR, " NumPy ")
    backend.reset()
    assert backend.xp() is np


def test_unknown_backend_names_the_choices(restore_backend):
    with pytest.raises(backend.BackendError, match=r"unknown backend 'torch'; choose one of: numpy, cupy"):
        backend.use("torch")


def test_gpu_extra_brings_cupy():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert any(requirement.startswith("cupy") for requirement in project["optional-dependencies"]["gpu"])


def test_only_backend_imports_numpy_or_cupy_for_array_math():
    """Library modules reach numpy through backend; a plain `import numpy` elsewhere is a leak."""
    from pathlib import Path

    package = Path(backend.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "backend.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1 and words[1].split(".")[0] in ("numpy", "cupy", "cupyx"):
                offenders.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_to_device_and_to_host_round_trip(xp):
    host = np.arange(6, dtype=np.float32).reshape(2, 3)
    device = backend.to_device(host)
    assert isinstance(device, xp.ndarray)
    back = backend.to_host(device * 2)
    assert isinstance(back, np.ndarray) and back.dtype == np.float32
    np.testing.assert_array_equal(back, host * 2)
    assert backend.to_device(host, dtype=np.float64).dtype == np.float64


# -- the strict stand-in ------------------------------------------------------------------------
def test_strict_arrays_refuse_implicit_conversion():
    x = strict.asarray(np.ones((2, 2), dtype=np.float32))
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(x)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.array([x, x])


@pytest.mark.parametrize(
    "stray_call",
    [lambda x: np.exp(x), lambda x: np.sum(x), lambda x: np.tanh(x), lambda x: np.concatenate([x, x]),
     lambda x: np.ones(2, dtype=np.float32) + x, lambda x: x + np.ones(2, dtype=np.float32),
     lambda x: x * np.float64(2) + np.zeros(2), lambda x: np.maximum(x, 0.0)],
    ids=["exp", "sum", "tanh", "concatenate", "host+device", "device+host", "mixed", "maximum"],
)
def test_stray_numpy_calls_fail(stray_call):
    x = strict.asarray(np.array([1.0, 2.0], dtype=np.float32))
    with pytest.raises(TypeError):
        stray_call(x)


def test_host_arrays_do_not_sneak_in_through_indexing():
    x = strict.arange(5)
    with pytest.raises(TypeError, match="index"):
        x[np.array([0, 1])]
    with pytest.raises(TypeError, match="to_device"):
        x[:2] = np.array([7, 7])
    x[strict.asarray([0, 1])] = 7
    assert x.tolist() == [7, 7, 2, 3, 4]


def test_explicit_reads_are_allowed_as_in_cupy():
    x = strict.asarray(np.array([[1.5, 2.5]], dtype=np.float32))
    total = x.sum()
    assert isinstance(total, DeviceArray) and total.ndim == 0  # reductions stay on the device
    assert float(total) == 4.0 and total.item() == 4.0 and bool(total)
    assert f"{total:.1f}" == "4.0"
    assert x.tolist() == [[1.5, 2.5]]
    np.testing.assert_array_equal(strict.asnumpy(x), [[1.5, 2.5]])
    np.testing.assert_array_equal(x.get(), [[1.5, 2.5]])


def test_strict_module_follows_numpy_semantics_on_device_arrays():
    host = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    x = strict.asarray(host)
    checks = {
        "exp": (strict.exp(x), np.exp(host)),
        "matmul": (x @ x.T, host @ host.T),
        "reshape": (x.reshape(4, 3), host.reshape(4, 3)),
        "max": (x.max(axis=1, keepdims=True), host.max(axis=1, keepdims=True)),
        "where": (strict.where(x > 0, x, 0.0), np.where(host > 0, host, 0.0)),
        "index": (x[:, [0, 2]], host[:, [0, 2]]),
        "scalar": (np.float32(2) * x, 2 * host),
    }
    for name, (device, expected) in checks.items():
        assert isinstance(device, DeviceArray), name
        assert device.dtype == expected.dtype, name
        np.testing.assert_allclose(strict.asnumpy(device), expected, rtol=1e-6, err_msg=name)


def test_inplace_updates_change_the_device_array():
    x = strict.zeros(3, dtype=strict.float32)
    view = x
    x += 1.0
    x[1] -= 3.0
    strict.add.at(x, strict.asarray([0, 0, 2]), 1.0)  # cupy.add.at since CuPy 13
    assert view is x and x.dtype == np.float32
    assert x.tolist() == [3.0, -2.0, 2.0]


def test_float32_survives_python_scalars_but_not_float64_arrays():
    """NumPy 2 rules: Python floats are weak, float64 arrays promote. The stand-in keeps them."""
    x = strict.ones(2, dtype=strict.float32)
    assert (x * 0.5 + 1).dtype == np.float32
    assert (x * strict.ones(2)).dtype == np.float64


def test_random_generators_give_device_arrays():
    sample = strict.random.default_rng(3).standard_normal((2, 2))
    assert isinstance(sample, DeviceArray)
    np.testing.assert_array_equal(strict.asnumpy(sample), np.random.default_rng(3).standard_normal((2, 2)))


def test_names_cupy_lacks_are_missing():
    with pytest.raises(AttributeError, match="errstate"):
        strict.errstate
    with pytest.raises(AttributeError, match="tofile"):
        strict.ones(2).tofile
    with pytest.raises(AttributeError, match="data"):
        strict.ones(2).data  # a host buffer in numpy


def test_fixture_switches_and_restores_backend(xp):
    assert backend.xp() is xp
    assert isinstance(backend.to_device([1.0]), xp.ndarray)


def _fake_cupy(device_count=None, error=None):
    """A module named cupy whose CUDA runtime reports `device_count` GPUs or raises `error`."""
    import types

    class CUDARuntimeError(RuntimeError):
        pass

    def get_device_count():
        if error:
            raise CUDARuntimeError(error)
        return device_count

    runtime = types.SimpleNamespace(getDeviceCount=get_device_count, CUDARuntimeError=CUDARuntimeError)
    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=runtime)
    return fake


@pytest.mark.parametrize(
    "fake, message",
    [(_fake_cupy(device_count=0), "the cupy backend needs a CUDA GPU, and none was found"),
     (_fake_cupy(error="cudaErrorNoDevice: no CUDA-capable device is detected"),
      "the cupy backend needs a CUDA GPU, and CUDA said: cudaErrorNoDevice: no CUDA-capable device is detected")],
    ids=["no-device", "no-driver"],
)
def test_cupy_installed_but_no_gpu(monkeypatch, restore_backend, fake, message):
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(backend.BackendError) as caught:
        backend.use("cupy")
    assert str(caught.value) == message


def test_cupy_with_a_gpu_is_used(monkeypatch, restore_backend):
    fake = _fake_cupy(device_count=1)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert backend.use("cupy") is fake
    assert backend.name() == "cupy"


def test_blas_threads_limits_a_block_and_restores_the_count():
    control = backend.blas_threads(1)._control
    if control._get is None:
        pytest.skip("numpy here does not use its bundled OpenBLAS")
    before = control._get()
    control._set(2)
    try:
        with backend.blas_threads(1):
            assert control._get() == 1
        assert control._get() == 2
        with backend.blas_threads(4):  # a limit above the current count changes nothing
            assert control._get() == 2
    finally:
        control._set(before)


def test_blas_threads_leave_products_unchanged():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 300), dtype=np.float32)
    b = rng.standard_normal((300, 200), dtype=np.float32)
    with backend.blas_threads(1):
        limited = a @ b
    assert np.allclose(limited, a @ b, rtol=1e-5, atol=1e-4)


FREED_MEMORY_PROBE = """
import sys
from gradtutor import backend
import numpy as np
backend.use("numpy")

def resident_pages():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1])

block = np.ones(6 * 1024 * 1024, dtype=np.float32)  # 24 MiB, every page touched
held = resident_pages()
del block
print(held - resident_pages())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_the_numpy_backend_keeps_freed_array_memory_for_the_next_step():
    import platform
    import subprocess

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    probe = subprocess.run([sys.executable, "-c", FREED_MEMORY_PROBE], capture_output=True, text=True, check=True)
    released_pages = int(probe.stdout)
    assert released_pages < 256, f"{released_pages} pages of a freed 24 MiB array went back to the system"
