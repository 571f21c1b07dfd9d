"""The one module that chooses the array library: numpy by default, cupy on request.

Every other module asks this one for its array namespace (`xp()`), or for `host` when it
deliberately works on the CPU (generating a dataset, saving a checkpoint). Nothing else imports
numpy or cupy for array math, so switching the backend is one call and a stray CPU round-trip on
a GPU run is easy to find.

The choice comes from `use(name)`, else the GRADTUTOR_BACKEND environment variable, else numpy.
"""

from __future__ import annotations

import os

import numpy as host  # the CPU array library: datasets are made and checkpoints saved with it

ENV_VAR = "GRADTUTOR_BACKEND"
NAMES = ("numpy", "cupy")


class BackendError(RuntimeError):
    """The requested backend cannot run here; the message says why in one line."""


_current = None  # the active array module, resolved on first use


def _load(name: str):
    if name == "numpy":
        return host
    if name == "cupy":
        try:
            import cupy
        except ImportError:
            raise BackendError(
                'the cupy backend needs CuPy: install it with pip install "gradtutor[gpu]"'
            ) from None
        try:
            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise BackendError("the cupy backend needs a CUDA GPU, and none was found")
        except cupy.cuda.runtime.CUDARuntimeError as exc:
            raise BackendError(f"the cupy backend needs a CUDA GPU, and CUDA said: {exc}") from None
        return cupy
    raise BackendError(f"unknown backend {name!r}; choose one of: {', '.join(NAMES)}")


def use(name_or_module) -> object:
    """Make `name_or_module` the active array module and return it.

    Accepts a backend name ("numpy", "cupy") or an array module object (tests pass a strict
    stand-in that behaves like cupy without a GPU).
    """
    global _current
    if isinstance(name_or_module, str):
        _current = _load(name_or_module.strip().lower())
    else:
        _current = name_or_module
    return _current


def reset() -> None:
    """Forget the choice, so the next `xp()` reads GRADTUTOR_BACKEND again."""
    global _current
    _current = None


def xp():
    """The active array module."""
    global _current
    if _current is None:
        _current = _load(os.environ.get(ENV_VAR, "numpy").strip().lower() or "numpy")
    return _current


def name() -> str:
    """The active backend's name, as users type it."""
    module = xp()
    return "numpy" if module is host else getattr(module, "__name__", "custom").split(".")[0]


def to_host(array):
    """Copy an array to the CPU as a numpy array (no copy on the numpy backend)."""
    if isinstance(array, host.ndarray):
        return array
    module = xp()
    if hasattr(module, "asnumpy"):
        return module.asnumpy(array)
    return host.asarray(array)


def to_device(array, dtype=None):
    """Move a host array onto the active backend, optionally casting it."""
    return xp().asarray(array, dtype=dtype)
