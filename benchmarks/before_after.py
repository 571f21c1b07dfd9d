"""Any benchmark here, run on two versions of gradtutor side by side: a git ref and the working tree.

Each benchmark already compares gradtutor with a baseline in one run (a closure engine, bare
numpy, PyTorch, `import typer`). This script answers the next question, "did a change make that
ratio worse?", without trusting figures measured at another time: it checks the base ref out into
a temporary worktree, then runs the chosen benchmarks in rounds, base and head taking turns, each
in a fresh interpreter with that tree first on PYTHONPATH, so machine noise hits both alike.

Every printed line of a benchmark is read as a template with numbers in it; for each line the
median of each number over the rounds is shown twice, base then head, so the ratios a benchmark
prints (gradtutor ÷ its baseline) can be read against each other directly.

    python benchmarks/before_after.py --base main~3 [--rounds 3] [scalar_engine tensor_overhead ...]

Benchmark arguments may follow a name after a colon: `train_step:--repeat=10,--only=mlp`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ("scalar_engine", "tensor_overhead", "startup:--runs=15", "train_step:--repeat=10")
NUMBER = re.compile(r"-?\d[\d,]*\.?\d*(?:e-?\d+)?")


def run(tree: Path, script: str, args: list[str]) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, str(tree / "benchmarks" / f"{script}.py"), *args],
        cwd=tree, env=env, capture_output=True, text=True,
    )
    if done.returncode:
        sys.exit(f"{script} failed in {tree}:\n{done.stderr.strip().splitlines()[-1] if done.stderr else ''}")
    return done.stdout.splitlines()


def split(line: str) -> tuple[str, list[float]]:
    """A line as (template, numbers): '2.76× the reference' -> ('#× the reference', [2.76])."""
    numbers = [float(n.replace(",", "")) for n in NUMBER.findall(line)]
    return NUMBER.sub("#", line), numbers


def medians(outputs: list[list[str]]) -> dict[str, tuple[str, list[float]]]:
    """{key: (template, medians)}: a line's key is its label (the text before its first wide gap) and
    its template up to the last number, so a verdict word after the figures ("ok" in one run,
    "over" in the next) does not split its samples, and rows whose labels differ only in numbers
    ("matmul 128×784 · 784×256", "matmul 128×256 · 256×10") do not merge."""
    samples: dict[str, tuple[str, list[list[float]]]] = {}
    for lines in outputs:
        for line in lines:
            template, numbers = split(line)
            if numbers:
                # the label as printed (numbers in it, "128×784", tell rows apart), then the shape
                label = line.strip().split("  ")[0] if "  " in line.strip() else ""
                key = label + "|" + " ".join(template[: template.rindex("#") + 1].split())
                samples.setdefault(key, (template, []))[1].append(numbers)
    return {
        key: (template, [statistics.median(column) for column in zip(*rows)])
        for key, (template, rows) in samples.items()
    }


def fill(template: str, numbers: list[float]) -> str:
    values = iter(numbers)
    return re.sub("#", lambda _: f"{next(values, float('nan')):g}", template)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git ref to compare the working tree against")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each benchmark per tree")
    parser.add_argument("benchmarks", nargs="*", default=list(DEFAULT))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gradtutor-base-") as scratch:
        base = Path(scratch) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), options.base],
                       check=True)
        try:
            for spec in options.benchmarks:
                script, _, extra = spec.partition(":")
                args = [a for a in extra.split(",") if a]
                outputs: dict[str, list[list[str]]] = {"base": [], "head": []}
                for _ in range(options.rounds):
                    outputs["base"].append(run(base, script, args))
                    outputs["head"].append(run(ROOT, script, args))
                print(f"== {script} {' '.join(args)}  (median of {options.rounds} runs each; base {options.base})")
                old, new = medians(outputs["base"]), medians(outputs["head"])
                for key, (template, figures) in new.items():
                    if key in old:
                        print(f"  base  {fill(*old[key]).strip()}")
                    print(f"  head  {fill(template, figures).strip()}")
                for key in old.keys() - new.keys():  # lines the base printed and the head no longer does
                    print(f"  base  {fill(*old[key]).strip()}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)


if __name__ == "__main__":
    main()
