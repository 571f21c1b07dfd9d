"""Every bad input of tests/data/bad_inputs.toml, through a real `gradtutor` process.

The promise checked for each case: one line on stderr saying what is wrong (or, for a lesson
that runs and a `dev check`, the report on stdout and nothing on stderr), the case's exit code,
no traceback anywhere, and the files the case gave unchanged. The processes run a few at a time
in a thread pool, once per test session, so the whole table takes well under a minute.

Run as a script (`python tests/test_bad_inputs.py [--pythonpath CHECKOUT]`) it prints which
cases a checkout handles, to compare one version of the code with another.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "data" / "bad_inputs.toml"
CASES = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]
TIMEOUT_S = 60  # a case that runs longer than this is itself a failure (a minute of CPU, unannounced)
WORKERS = 4


@dataclass
class Outcome:
    code: int | None
    stdout: str
    stderr: str
    changed: list[str]
    seconds: float = 0.0


def _argument(item) -> str:
    if isinstance(item, str):
        return item
    return item["prefix"] + item.get("sep", "").join([item["repeat"]] * item["times"]) + item["suffix"]


def _digests(root: Path, paths) -> dict[str, str]:
    return {path: hashlib.sha256((root / path).read_bytes()).hexdigest() for path in paths}


def run_case(case: dict, pythonpath: str | None = None) -> Outcome:
    """Run one case in a fresh working folder with its own progress home."""
    with tempfile.TemporaryDirectory(prefix="gradtutor-bad-") as folder:
        root = Path(folder)
        for name in case.get("folders", []):
            (root / name).mkdir(parents=True, exist_ok=True)
        files = case.get("files", {})
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        before = _digests(root, files)
        env = dict(os.environ, GRADTUTOR_HOME=str(root / "home"), XDG_CACHE_HOME=str(root / "cache"),
                   LANG="C.UTF-8", COLUMNS="100")
        env.pop("LC_ALL", None)
        if pythonpath is not None:
            env["PYTHONPATH"] = pythonpath
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "gradtutor", *map(_argument, case["argv"])],
                input=case.get("stdin", ""), capture_output=True, text=True, encoding="utf-8",
                errors="replace", env=env, cwd=root, timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as expired:
            return Outcome(None, str(expired.stdout or ""), f"timed out after {TIMEOUT_S} s", [])
        after = _digests(root, [name for name in files if (root / name).is_file()])
        changed = [name for name in files if before[name] != after.get(name)]
        return Outcome(done.returncode, done.stdout, done.stderr, changed, time.perf_counter() - started)


def problems(case: dict, outcome: Outcome) -> list[str]:
    """What the outcome gets wrong for the case (none: the bad input was handled)."""
    found = []
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    if case.get("warnings_ok"):
        lines = [line for line in lines if not line.startswith("warning:")]
    expected_lines = case.get("stderr_lines", 1)
    if len(lines) != expected_lines:
        found.append(f"{len(lines)} lines on stderr, not {expected_lines}: {outcome.stderr[-300:]!r}")
    if outcome.code != case["code"]:
        found.append(f"exit code {outcome.code}, not {case['code']}")
    for stream, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        for word in ["Traceback", *case.get("forbid", [])]:
            if word in text:
                found.append(f"{word!r} on {stream}")
    if "stderr" in case and not any(case["stderr"] in line for line in lines[:1]):
        found.append(f"stderr does not say {case['stderr']!r}")
    if "stdout" in case and case["stdout"] not in outcome.stdout:
        found.append(f"stdout does not say {case['stdout']!r}: {outcome.stdout[-300:]!r}")
    if case.get("json"):
        try:
            json.loads(outcome.stdout, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
        except ValueError as error:
            found.append(f"stdout is not strict JSON ({error})")
    if outcome.changed:
        found.append(f"files changed: {', '.join(outcome.changed)}")
    return found


def run_all(pythonpath: str | None = None) -> dict[str, Outcome]:
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = pool.map(lambda case: run_case(case, pythonpath), CASES)
        return {case["id"]: outcome for case, outcome in zip(CASES, outcomes)}


if __name__ != "__main__":
    import pytest

    @pytest.fixture(scope="module")
    def outcomes():
        return run_all()

    def test_case_ids_are_unique():
        ids = [case["id"] for case in CASES]
        assert len(ids) == len(set(ids))

    @pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
    def test_bad_input_is_handled(case, outcomes):
        assert problems(case, outcomes[case["id"]]) == []


def main(argv: list[str]) -> int:
    pythonpath = argv[argv.index("--pythonpath") + 1] if "--pythonpath" in argv else None
    outcomes = run_all(pythonpath)
    handled = 0
    for case in CASES:
        found = problems(case, outcomes[case["id"]])
        handled += not found
        seconds = outcomes[case["id"]].seconds
        print(f"{'ok  ' if not found else 'FAIL'} {seconds:5.1f}s {case['id']}" + (f": {'; '.join(found)}" if found else ""))
    print(f"{handled}/{len(CASES)} handled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
