"""The README's promises, kept: two commands first, CI runs the second, the Python examples run."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_readme_opens_with_exactly_two_commands():
    first = code_blocks("bash")[0].strip().splitlines()
    assert len(first) == 2, first
    install, tests = first
    assert install.startswith("python3 -m pip install ") and "gradtutor lesson backprop" in install
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    test_command = code_blocks("bash")[0].strip().splitlines()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_the_python_examples_run(tmp_path):
    blocks = code_blocks("python")
    assert blocks, "the README shows the Python API"
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
