"""The `gradtutor` command as users run it: a real process, real stdout and stderr, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradtutor import examples
from gradtutor.numbers import human
from gradtutor.tracer import trace

HEAVY = ("numpy", "networkx", "pygraphviz")


def gradtutor(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "gradtutor", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd, timeout=120,
    )


def test_trace_apple_orange():
    result = gradtutor("trace", "apple-orange")
    assert result.returncode == 0, result.stderr
    built = trace(*examples.get("apple-orange").build())
    for leaf in built.graph.leaves():
        assert human(leaf.grad, 6) in result.stdout
    for number in ("715", "2.2", "110", "3.3", "165", "650"):
        assert number in result.stdout
    assert "2.2000000000000002" not in result.stdout
    assert "\x1b[" not in result.stdout  # a pipe gets plain text


def test_trace_expression_as_json():
    result = gradtutor("trace", "(x+y)*z", "--at", "x=-2,y=5,z=-4", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    grads = {node["name"]: node["grad"] for node in data["nodes"] if node["name"]}
    assert grads == {"x": -4.0, "y": -4.0, "z": 3.0, "f": 1.0}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bogus"], "No such option: --bogus"),  # gradtutor's own options: handled by main()
        (["trace", "appel"], "unknown example 'appel'"),
        (["trace", "x +* y", "--at", "x=1,y=2"], 'syntax error in "x +* y" at column 4'),
        (["trace", "1if x", "--at", "x=1"], 'a number runs into a name (write 3*x, not 3x) in "1if x" at column 1'),
        (["trace", "x * y", "--at", "x=1"], "no value for y"),
        (["trace", "x", "--at", "x=abc"], "--at: 'x=abc' is not a number"),
        (["trace", "log(x)", "--at", "x=-1"], "log is defined only for positive numbers"),
        (["trace", "1/(x-2)", "--at", "x=2"], "division by zero"),
        (["trace", "apple", "--step", "7"], "step 7 is out of range"),
        (["trace", "3"], "nothing to trace: '3' has no gates"),
        (["export", "apple", "--format", "gif"], "'gif' is not one of"),
        (["export", "apple", "--format", "png", "--out", "a.svg"], "the file name a.svg says svg but the format is png"),
        (["export", "apple", "--out", "a.pdf", "--dpi", "300"], "dpi sets the resolution of PNG output"),
        (["trace", "mul-node", "--upstream", "inf"], "--upstream': must be a finite number"),
        (["trace", "+".join(f"x{i}" for i in range(300))], "--at x0=…,x1=…,x2=…,x3=…,x4=…,x5=…,… (294 more)"),
    ],
)
def test_bad_input_one_line_exit_code_2_no_traceback(args, message):
    result = gradtutor(*args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_help_imports_no_heavy_library():
    probe = (
        "import sys\n"
        "from gradtutor.cli import main\n"
        "for argv in (['--help'], ['trace', '--help'], ['export', '--help'], ['examples']):\n"
        "    sys.argv = ['gradtutor', *argv]\n"
        "    try:\n        main()\n    except SystemExit as stop:\n        assert stop.code == 0, argv\n"
        f"print('heavy:' + ','.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "heavy:"


def test_export_svg_without_graphviz_on_path(tmp_path):
    # Only the interpreter's own folder on PATH: no system `dot` can be found.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = gradtutor("export", "apple-orange", "--format", "svg", "--out", "x.svg", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["x.svg"]
    svg = (tmp_path / "x.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and ">715<" in svg


def test_console_script_runs():
    script = Path(sys.executable).with_name("gradtutor")
    if not script.exists():
        pytest.skip("the gradtutor script is not installed beside this interpreter")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("gradtutor ")


def test_bare_command_shows_the_help():
    result = gradtutor()
    assert result.stderr.startswith("Usage: gradtutor") and "trace" in result.stderr
    assert "error:" not in result.stderr and "Traceback" not in result.stderr


def test_the_command_list_shows_trace_and_export_uncut():
    result = gradtutor("--help", env={**os.environ, "COLUMNS": "80"})
    listed = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ") and line.split()}
    for command in ("trace", "export"):
        assert not listed[command].endswith("..."), listed[command]
        assert len(listed[command]) <= 80


def test_trace_in_korean():
    result = gradtutor("trace", "apple", "--lang", "ko")
    assert result.returncode == 0, result.stderr
    for header in ("역전파: price = 220에서 시작", "국소적 미분", "하류 기울기", "곱셈 노드는 교환"):
        assert header in result.stdout, header
    assert "Upstream" not in result.stdout
