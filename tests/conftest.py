"""Shared pytest fixtures."""

import pytest

from gradtutor import backend
from strict_xp import strict


def _array_modules():
    """numpy, the strict CuPy stand-in, and real CuPy when it imports and sees a GPU."""
    modules = [pytest.param("numpy", id="numpy"), pytest.param(strict, id="strict")]
    try:
        backend.use("cupy")
    except backend.BackendError:
        pass
    else:
        modules.append(pytest.param("cupy", id="cupy"))
    finally:
        backend.use("numpy")
    return modules


@pytest.fixture(autouse=True, scope="session")
def cache_folder(tmp_path_factory):
    """The font configuration that drawing writes (render.export.use_bundled_fonts) goes into a
    folder of the test run, not the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Commands take their default language from the locale: tests run in a neutral one, so a
    Korean desktop does not turn the English expectations Korean. Tests of the default set
    LANG themselves."""
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(params=_array_modules())
def xp(request):
    """The active array module for one test: numpy, the strict stand-in, or cupy. The previous
    backend is restored afterwards."""
    previous = backend.xp()
    module = backend.use(request.param)
    try:
        yield module
    finally:
        backend.use(previous)
