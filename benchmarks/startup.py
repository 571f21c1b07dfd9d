"""Start-up time: `gradtutor --help`, `lessons`, `trace apple` and `progress` against `python -c "import typer"`.

Every process is a fresh interpreter, as a user's shell starts it. The commands run interleaved
(one round runs each once, in a shuffled order) so a busy machine slows all of them alike; the
median over the rounds is reported, with the ratio to the typer baseline (goals: --help under
1.5×, the other commands under 2×). The tutor's commands read a progress store made for the run
in a temporary folder (GRADTUTOR_HOME), never the user's.

Bytecode caching is switched on for the child processes (PYTHONDONTWRITEBYTECODE removed) and a
warm-up round fills the caches: an installed package has its .pyc files, so that is the start-up
a user sees. Each command runs twice a round: its output to /dev/null (a pipe or a file: plain text)
and to a pseudo-terminal of 100 columns (where Unix has one), which is what a learner watches: there
rich draws styles and fits tables to the width. The script also reports whether each command imported numpy, networkx, pygraphviz or
pydantic.

    python benchmarks/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("numpy", "networkx", "pygraphviz", "pydantic")
COMMANDS = (["--help"], ["lessons"], ["trace", "apple"], ["progress"])
GOALS = {"--help": 1.5}  # the rest: 2×


def commands() -> dict[str, list[str]]:
    found = {
        'python -c "import typer"': [sys.executable, "-c", "import typer"],
        "python -m gradtutor --help": [sys.executable, "-m", "gradtutor", "--help"],
    }
    script = Path(sys.executable).with_name("gradtutor")
    if not script.exists():
        script = Path(shutil.which("gradtutor") or "")
    for words in COMMANDS:
        name = "gradtutor " + " ".join(words)
        if script.is_file():
            found[name] = [str(script), *words]
        elif words != ["--help"]:
            found[name] = [sys.executable, "-m", "gradtutor", *words]
    return found


def child_env(home: str) -> dict[str, str]:
    env = dict(os.environ, GRADTUTOR_HOME=home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(argv: list[str], env: dict[str, str], terminal: bool = False) -> float:
    """Seconds from start to exit, output to /dev/null, or with `terminal` to a pseudo-terminal
    read as it is written (where rich draws styles and fits the terminal's width)."""
    if not terminal:
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start
    import pty

    reader, writer = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=dict(env, COLUMNS="100"), stdin=writer, stdout=writer, stderr=writer)
    os.close(writer)
    try:
        while os.read(reader, 65536):
            pass
    except OSError:  # the terminal closes with the process (EIO on Linux)
        pass
    process.wait()
    os.close(reader)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, argv)
    return time.perf_counter() - start


def heavy_imports(env: dict[str, str], words: list[str]) -> list[str]:
    probe = (
        "import sys\n"
        f"sys.argv = ['gradtutor', *{words!r}]\n"
        "from gradtutor.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('heavy:' + ','.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    line = out.stdout.strip().splitlines()[-1]
    return [name for name in line.removeprefix("heavy:").split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="rounds (each runs every command once)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home:
        measure(args.runs, child_env(home))


def measure(runs: int, env: dict[str, str]) -> None:
    cmds = commands()
    ways = (False, True) if _has_pty() else (False,)
    for argv in cmds.values():  # warm-up: fills the bytecode caches
        run_once(argv, env)
    times: dict[tuple[str, bool], list[float]] = {(name, way): [] for name in cmds for way in ways}
    rng = random.Random(0)
    for _ in range(runs):
        order = list(times)
        rng.shuffle(order)
        for name, terminal in order:
            times[name, terminal].append(run_once(cmds[name], env, terminal))

    baseline_name = next(iter(cmds))
    print(f"start-up, median of {runs} interleaved runs (Python {sys.version.split()[0]}); "
          f"output to /dev/null{', and to a 100-column pseudo-terminal' if True in ways else ''}")
    width = max(map(len, cmds))
    for name in cmds:
        row = f"  {name:<{width}}"
        for way in ways:
            median, baseline = statistics.median(times[name, way]), statistics.median(times[baseline_name, way])
            row += f"  {'terminal' if way else 'pipe'} {median * 1000:6.1f} ms {median / baseline:4.2f}× typer"
        print(row)
    for words in COMMANDS:
        heavy = heavy_imports(env, words)
        imported = ", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY)
        print(f"  gradtutor {' '.join(words)} imported {imported}")
    print("  goal: gradtutor --help under 1.5× the typer import, lessons, trace apple and progress under 2×")

def _has_pty() -> bool:
    try:
        import pty  # noqa: F401 - Unix only
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
