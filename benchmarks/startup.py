"""Start-up time: `gradtutor --help`, `lessons`, `trace apple` and `progress` against `python -c "import typer"`.

Every process is a fresh interpreter, as a user's shell starts it. The commands run interleaved
(one round runs each once, in a shuffled order) so a busy machine slows all of them alike; the
median over the rounds is reported, with the ratio to the typer baseline (goals: --help under
1.5×, the other commands under 2×). The tutor's commands read a progress store made for the run
in a temporary folder (GRADTUTOR_HOME), never the user's.

Bytecode caching is switched on for the child processes (PYTHONDONTWRITEBYTECODE removed) and a
warm-up round fills the caches: an installed package has its .pyc files, so that is the start-up
a user sees. The script also reports whether each command imported numpy, networkx, pygraphviz or
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


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
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
    for argv in cmds.values():  # warm-up: fills the bytecode caches
        run_once(argv, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    rng = random.Random(0)
    for _ in range(runs):
        order = list(cmds)
        rng.shuffle(order)
        for name in order:
            times[name].append(run_once(cmds[name], env))

    baseline_name = next(iter(cmds))
    baseline = statistics.median(times[baseline_name])
    print(f"start-up, median of {runs} interleaved runs (Python {sys.version.split()[0]})")
    width = max(map(len, cmds))
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"  {name:<{width}}  {median * 1000:7.1f} ms   {median / baseline:4.2f}× typer")
    for words in COMMANDS:
        heavy = heavy_imports(env, words)
        imported = ", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY)
        print(f"  gradtutor {' '.join(words)} imported {imported}")
    print("  goal: gradtutor --help under 1.5× the typer import, lessons, trace apple and progress under 2×")

if __name__ == "__main__":
    main()
