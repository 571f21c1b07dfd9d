"""The lessons (and the diagram font) ship inside the package: a real, non-editable install
finds and runs them.

This builds and installs the project into a temporary folder (pip install --target, no
dependencies, no build isolation where this interpreter's setuptools can build: a few seconds),
then runs the installed copy in a fresh interpreter, where the checkout is not importable.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setuptools_builds_wheels() -> bool:
    """setuptools 70.1 and later build wheels by themselves (no `wheel` package needed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (70, 1)


def test_a_non_editable_install_carries_the_lessons(tmp_path):
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in ("gradtutor", "lessons"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    target = tmp_path / "installed"
    # Building without isolation is fast, but only this interpreter's own setuptools can then
    # build: a fresh venv's (65 on Python 3.11) cannot, so there pip builds in isolation.
    isolation = ["--no-build-isolation"] if _setuptools_builds_wheels() else []
    built = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation,
         "--disable-pip-version-check", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    installed_lessons = sorted(p.parent.name for p in (target / "gradtutor" / "lessons").glob("*/lesson.toml"))
    expected = sorted(p.parent.name for p in (ROOT / "lessons").glob("*/lesson.toml"))
    assert installed_lessons == expected
    fonts = target / "gradtutor" / "render" / "fonts"  # the Hangul font for PNG and PDF diagrams
    assert list(fonts.glob("*.otf")) and (fonts / "OFL.txt").is_file()

    probe = (
        "import gradtutor, sys\n"
        "from gradtutor.tutor import lessons, check\n"
        "assert gradtutor.__file__.startswith(sys.argv[1]), gradtutor.__file__\n"
        "print(' '.join(lessons.names()))\n"
        "print(len(check.check()))\n"
        "from gradtutor.tutor.text import ui\n"
        "print(ui('ko', 'correct'))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    names, problems, korean = result.stdout.split("\n")[:3]
    assert names.split() == expected
    assert problems == "0"
    assert korean == "정답입니다!"  # the UI strings are package data too
