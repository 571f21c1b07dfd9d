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

from gradtutor.errors import UserError

ENV_VAR = "GRADTUTOR_BACKEND"
NAMES = ("numpy", "cupy")


class BackendError(UserError, RuntimeError):
    """The requested backend cannot run here; the message says why in one line."""


_current = None  # the active array module, resolved on first use


def _keep_freed_memory() -> None:
    """Let glibc keep the memory of freed arrays for the next ones, rather than hand it back.

    A training step allocates and frees the same large arrays every time (im2col columns,
    activations, gradients). By default glibc serves big blocks with fresh mmap'd pages and
    returns them on free, so every step pays a page fault per 4 KiB touched: 3.7 ms of a 4.5 ms
    LeNet step on one thread (measured). Serving blocks up to 32 MiB from the heap and trimming
    it only past 512 MiB of free space keeps those pages mapped; the process then holds on to
    its peak heap. Only glibc has mallopt; elsewhere nothing changes.
    """
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h> parameter numbers
    mallopt(m_mmap_threshold, 32 * 1024 * 1024)  # the largest glibc accepts on 64-bit
    mallopt(m_trim_threshold, 512 * 1024 * 1024)


def _load(name: str):
    if name == "numpy":
        _keep_freed_memory()
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


# -- CPU BLAS threads ---------------------------------------------------------------------------------


class _BlasThreads:
    """Sets how many threads the OpenBLAS that numpy loaded may use, or does nothing.

    Only the OpenBLAS bundled in numpy's wheel (numpy.libs/ or numpy/.dylibs/) is looked for, and
    only if it is already loaded (RTLD_NOLOAD); with any other BLAS the calls are no-ops.
    """

    _SYMBOLS = (  # (set, get) as the bundled scipy-openblas and a plain OpenBLAS name them
        ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
        ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
        ("openblas_set_num_threads", "openblas_get_num_threads"),
    )

    def __init__(self):
        self._set = self._get = None
        try:
            import ctypes
            import glob

            folder = os.path.dirname(host.__file__)
            candidates = glob.glob(os.path.join(folder + ".libs", "*openblas*")) + glob.glob(
                os.path.join(folder, ".dylibs", "*openblas*"))
            for path in candidates:
                library = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_LOCAL)
                for set_name, get_name in self._SYMBOLS:
                    if hasattr(library, set_name) and hasattr(library, get_name):
                        self._set, self._get = getattr(library, set_name), getattr(library, get_name)
                        self._set.argtypes, self._set.restype = [ctypes.c_int], None
                        self._get.argtypes, self._get.restype = [], ctypes.c_int
                        return
        except OSError:  # not loaded, or not loadable here: leave the BLAS alone
            self._set = self._get = None

    def __call__(self, count: int):
        """A context that runs its block with at most `count` BLAS threads (never more than set)."""
        return _ThreadLimit(self, count)


class _ThreadLimit:
    __slots__ = ("_control", "_count", "_previous")

    def __init__(self, control: _BlasThreads, count: int):
        self._control, self._count, self._previous = control, count, None

    def __enter__(self):
        control = self._control
        if control._set is not None:
            self._previous = control._get()
            if self._count < self._previous:
                control._set(self._count)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None and self._count < self._previous:
            self._control._set(self._previous)
        return False


_blas_threads = None


def blas_threads(count: int):
    """`with blas_threads(1): …` runs a block on at most `count` CPU BLAS threads.

    For loops of small sequential products (a recurrent layer's time steps), where many threads
    cost more to wake for each product than they save. The RNN's (N, H)·(H, H) products run on
    one; the LSTM's (4H, K)·(K, N) products on at most two, which the BLAS splits well (its step
    6.9 ms against 7.9 ms on one thread, quiet 2-core machine). Two threads have a price when
    another process holds a core: every product then waits for a descheduled worker (the same
    step 11 ms against 8 ms); OPENBLAS_NUM_THREADS=1 keeps every product on one thread. Large
    products outside such blocks keep all threads. A no-op for a BLAS other than numpy's bundled
    OpenBLAS, and for the GPU (CuPy does not use the CPU BLAS).
    """
    global _blas_threads
    if _blas_threads is None:
        _blas_threads = _BlasThreads()
    return _blas_threads(count)


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
