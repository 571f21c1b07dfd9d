"""The progress store when the world gets in the way: a read-only file or folder, a full disk,
another process holding the lock, several first runs at once, a foreign file with a hot journal,
a damaged schema and absurd imports. Each is one line on stderr, exit code 2, no traceback, and
the file exactly as it was (a read-only store still teaches the lesson, saving nothing).

Read-only and full file systems are real ones: a read-only bind mount and a tiny tmpfs, made in a
private mount namespace with `unshare` (root ignores file permissions, so chmod would prove
nothing). Where unshare is not allowed those tests are skipped.
"""

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradtutor.tutor import progress as progress_module
from gradtutor.tutor.progress import Progress, ProgressError

GRADTUTOR = [sys.executable, "-m", "gradtutor"]


def _environment() -> dict:
    environment = {**os.environ, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    environment.pop("GRADTUTOR_HOME", None)
    return environment


def gradtutor(*args, stdin="", timeout=120):
    return subprocess.run(
        [*GRADTUTOR, *args], input=stdin, capture_output=True, text=True, encoding="utf-8",
        env=_environment(), timeout=timeout,
    )


def shell_command(*args) -> str:
    return " ".join(shlex.quote(str(part)) for part in [*GRADTUTOR, *args])


def in_namespace(setup: str, *args, stdin="", script: str | None = None):
    """`gradtutor ARGS` (or a shell `script`) in a private mount namespace after the shell
    commands `setup`."""
    script = script or f"exec {shell_command(*args)}"
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"{setup} && {script}"], input=stdin,
        capture_output=True, text=True, encoding="utf-8", env=_environment(), timeout=120,
    )


@pytest.fixture(scope="module")
def mounts(tmp_path_factory):
    """Skip unless this machine lets us make mounts in a private namespace."""
    point = tmp_path_factory.mktemp("probe")
    try:
        probe = subprocess.run(
            ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {point} && "
             f"mount --bind {point} {point} && mount -o remount,bind,ro {point}"],
            capture_output=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("unshare is not available")
    if probe.returncode != 0:
        pytest.skip(f"cannot make mounts in a user namespace here: {probe.stderr.decode().strip()}")


def read_only(path: Path) -> str:
    """Shell commands making `path` (a file or a folder) read-only in the namespace."""
    quoted = shlex.quote(str(path))
    return f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted}"


def one_error(result, *fragments) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def stored(home: Path) -> Path:
    """A progress file with some answers in it."""
    with Progress.open(home) as progress:
        progress.record_answer("backprop", "first", "-4", right=True)
        progress.record_hint("backprop", "second")
    return home / "progress.db"


def snapshot(folder: Path) -> dict:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


# -- a read-only store ------------------------------------------------------------------------------
def test_a_lesson_runs_on_a_read_only_store_and_says_once_that_nothing_is_saved(tmp_path, mounts):
    home = tmp_path / "home"
    path = stored(home)
    before = snapshot(home)
    result = in_namespace(read_only(home), "lesson", "backprop", "--lang", "en", "--home", str(home),
                          stdin="1\n2\n3\nq\n")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: "), result.stderr
    assert str(path) in warnings[0] and "read-only" in warnings[0] and "will not be saved" in warnings[0]
    assert "Lesson" in result.stdout  # the lesson itself was taught
    assert "Progress was not saved" in result.stdout and "Progress saved" not in result.stdout
    assert snapshot(home) == before


def test_a_read_only_folder_without_a_store_still_teaches(tmp_path, mounts):
    home = tmp_path / "home"
    home.mkdir()
    result = in_namespace(read_only(home), "lesson", "gates", "--lang", "en", "--home", str(home), stdin="1\nq\n")
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "will not be saved" in result.stderr
    assert list(home.iterdir()) == []


@pytest.mark.parametrize("what", ["file", "folder"])
def test_reset_and_import_say_they_cannot_write_a_read_only_store(tmp_path, mounts, what):
    home = tmp_path / "home"
    path = stored(home)
    export = tmp_path / "export.json"
    export.write_text(Progress.open(home).export_json())
    before = snapshot(home)
    target = path if what == "file" else home
    one_error(in_namespace(read_only(target), "reset", "backprop", "--home", str(home)), "cannot write", str(path))
    one_error(in_namespace(read_only(target), "progress", "--import", str(export), "--home", str(home)),
              "cannot write", str(path))
    # Reading needs no writing: the report and the export still work.
    report = in_namespace(read_only(target), "progress", "--lang", "en", "--home", str(home))
    assert report.returncode == 0 and report.stderr == "", report.stderr
    assert snapshot(home) == before


def test_the_in_memory_copy_takes_writes_and_leaves_the_file_alone(tmp_path):
    """What a lesson on a read-only store runs on, from a read-only (mode=ro) connection."""
    path = stored(tmp_path)
    before = path.read_bytes()
    reader = progress_module._open_existing(path)  # a mode=ro connection
    with Progress(progress_module._in_memory(reader), path, unsaved="read-only") as progress:
        progress.record_answer("backprop", "second", "1", right=False)
        assert progress.step("backprop", "second").attempts == 1
    assert path.read_bytes() == before


# -- a full disk -----------------------------------------------------------------------------------
def test_a_full_disk_is_one_line_and_the_file_keeps_its_last_saved_state(tmp_path, mounts):
    home = tmp_path / "home"
    home.mkdir()
    export = tmp_path / "big.json"
    steps = [{"step": f"s{i}", "status": "open", "attempts": 1, "hints": 0, "seed": None,
              "answers": [{"answer": "x" * 4000, "right": False, "at": "2026-01-01T00:00:00+00:00"}]}
             for i in range(100)]
    export.write_text(json.dumps({"format": "gradtutor-progress", "schema": 1,
                                  "lessons": [{"lesson": "backprop", "steps": steps}]}))
    db = shlex.quote(str(home / "progress.db"))
    setup = f"mount -t tmpfs -o size=256k tmpfs {shlex.quote(str(home))}"
    script = "; ".join([
        f"{shell_command('progress', '--home', home)} > /dev/null",  # a fresh store
        f"head -c 1000000 /dev/zero > {shlex.quote(str(home / 'filler'))} 2> /dev/null",  # the disk fills up
        f"sha256sum {db} >&2",
        shell_command("progress", "--import", export, "--home", home),
        "code=$?",
        f"sha256sum {db} >&2",
        "exit $code",
    ])
    result = in_namespace(setup, script=script)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 3 and "Traceback" not in result.stderr, result.stderr
    before, error, after = lines
    assert before == after  # the file is byte for byte what it was
    assert error.startswith("error: ") and "disk is full" in error and "progress.db" in error, error


def test_a_write_that_fills_the_file_is_rolled_back_by_sqlite(tmp_path):
    """max_page_count makes SQLite's own "database or disk is full" error, without a tmpfs."""
    path = stored(tmp_path)
    with Progress.open(tmp_path) as progress:
        pages = progress._db.execute("PRAGMA page_count").fetchone()[0]
        progress._db.execute(f"PRAGMA max_page_count = {pages}")
        before = path.read_bytes()
        with pytest.raises(ProgressError, match="disk is full") as caught:
            progress.record_answer("backprop", "third", "y" * 20000, right=False)
        assert "\n" not in str(caught.value) and str(path) in str(caught.value)
        assert not progress._db.in_transaction
        progress.record_hint("backprop", "first")  # the store still works
    assert Progress.open(tmp_path).step("backprop", "first").hints == 1
    assert len(path.read_bytes()) == len(before)


# -- another process holds the lock ------------------------------------------------------------------
def _hold_lock(path: Path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "db.execute('BEGIN EXCLUSIVE')\n"
         "print('locked', flush=True)\n"
         "time.sleep(120)\n", str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_lock_held_too_long_is_busy_not_damaged(tmp_path, monkeypatch):
    path = stored(tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(progress_module, "BUSY_TIMEOUT_S", 0.2)
    with Progress.open(tmp_path) as writer:  # opened before the lock is taken
        holder = _hold_lock(path)
        try:
            with pytest.raises(ProgressError, match="busy: another gradtutor is using it") as opened:
                Progress.open(tmp_path)
            with pytest.raises(ProgressError, match="busy") as wrote:
                writer.record_answer("backprop", "first", "1", right=False)
        finally:
            os.kill(holder.pid, signal.SIGTERM)
            holder.wait()
    for caught in (opened, wrote):
        assert "damaged" not in str(caught.value) and str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_the_command_says_busy_after_waiting(tmp_path):
    path = stored(tmp_path)
    before = path.read_bytes()
    holder = _hold_lock(path)
    try:
        started = time.monotonic()
        result = gradtutor("reset", "backprop", "--home", str(tmp_path))
        waited = time.monotonic() - started
    finally:
        os.kill(holder.pid, signal.SIGTERM)
        holder.wait()
    message = one_error(result, "is busy: another gradtutor is using it", str(path))
    assert "damaged" not in message and "move it away" not in message
    assert waited >= progress_module.BUSY_TIMEOUT_S
    assert path.read_bytes() == before


# -- several first runs at once -------------------------------------------------------------------
def test_first_runs_started_together_all_get_the_same_fresh_store(tmp_path):
    """Processes that all see no file must not all try to create the tables."""
    racer = (
        "import sys, time\n"
        "from gradtutor.tutor.progress import Progress\n"
        "start = float(sys.argv[2])\n"
        "time.sleep(max(0.0, start - time.time()))\n"
        "with Progress.open(sys.argv[1]) as progress:\n"
        "    progress.record_answer('gates', sys.argv[3], '1', right=True)\n"
    )
    for round_ in range(3):
        home = tmp_path / f"round{round_}"
        start = time.time() + 1.5
        racers = [
            subprocess.Popen([sys.executable, "-c", racer, str(home), str(start), f"step{i}"],
                             stderr=subprocess.PIPE, text=True)
            for i in range(6)
        ]
        failures = [r.stderr.read() for r in racers if r.wait(timeout=60) != 0]
        assert failures == [], failures
        with Progress.open(home) as progress:
            assert sorted(progress.lesson("gates").steps) == [f"step{i}" for i in range(6)]
    commands = [subprocess.Popen([*GRADTUTOR, "progress", "--home", str(tmp_path / "cli")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_environment())
                for _ in range(4)]
    assert [(c.wait(timeout=60), c.stderr.read()) for c in commands] == [(0, "")] * 4


# -- files that are not ours, or not whole ---------------------------------------------------------
def _foreign_with_hot_journal(home: Path) -> Path:
    home.mkdir(parents=True)
    path = home / "progress.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (name TEXT)")
    db.execute("INSERT INTO photos VALUES ('cat.jpg')")
    db.commit()
    db.close()
    writer = (
        "import os, signal, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 1')\n"
        "db.execute('BEGIN')\n"
        "db.execute(\"INSERT INTO photos SELECT hex(randomblob(3000)) FROM (WITH RECURSIVE r(i) AS "
        "(SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 300) SELECT i FROM r)\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(path)])
    assert (home / "progress.db-journal").exists()
    return path


def test_a_foreign_file_with_a_hot_journal_is_not_rolled_back(tmp_path):
    home = tmp_path / "home"
    path = _foreign_with_hot_journal(home)
    before = snapshot(home)
    with pytest.raises(ProgressError, match="another program"):
        Progress.open(home)
    one_error(gradtutor("progress", "--home", str(home)), "another program", str(path), "left untouched")
    assert snapshot(home) == before  # the database and its journal, byte for byte


def test_our_file_with_a_table_dropped_is_damaged_in_every_command(tmp_path):
    path = stored(tmp_path)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE steps")
    db.commit()
    db.close()
    before = path.read_bytes()
    for args in (["lesson", "backprop"], ["lessons"], ["progress"], ["progress", "--export", "json"],
                 ["reset", "backprop"]):
        message = one_error(gradtutor(*args, "--home", str(tmp_path), stdin="q\n"), str(path), "damaged")
        assert "the table steps is missing" in message
    assert path.read_bytes() == before


def test_a_fifo_in_place_of_the_store_is_refused(tmp_path):
    os.mkfifo(tmp_path / "progress.db")
    with pytest.raises(ProgressError, match="not a regular file"):
        Progress.open(tmp_path)


# -- absurd imports -----------------------------------------------------------------------------------
def _export(tmp_path: Path, **step) -> Path:
    step = {"step": "q", "status": "passed", "attempts": 1, "hints": 0, "seed": None, "answers": [], **step}
    file = tmp_path / "export.json"
    file.write_text(json.dumps({"format": "gradtutor-progress", "schema": 1,
                                "lessons": [{"lesson": "backprop", "steps": [step]}]}))
    return file


@pytest.mark.parametrize("step, fragment", [
    ({"attempts": 10**30}, "attempts of step 'q' is not a count"),
    ({"hints": -1}, "hints of step 'q' is not a count"),
    ({"seed": 2**64}, "the seed of step 'q' is not a 64-bit integer"),
    ({"answers": [{"answer": "1", "right": True, "at": {"not": "a time"}}]}, "malformed"),
])
def test_imports_with_absurd_numbers_are_one_line(tmp_path, step, fragment):
    home = tmp_path / "home"
    path = stored(home)
    before = path.read_bytes()
    one_error(gradtutor("progress", "--import", str(_export(tmp_path, **step)), "--home", str(home)),
              fragment, "nothing was imported")
    assert path.read_bytes() == before


@pytest.mark.parametrize("text, fragment", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": "gradtutor-progress", "schema": ' + "9" * 5000 + "}", "Exceeds the limit (4300 digits)"),
], ids=["nested-100000-deep", "integer-5000-digits"])  # short ids: pytest puts the id in the child's environment
def test_imports_that_json_cannot_read_are_one_line(tmp_path, text, fragment):
    file = tmp_path / "export.json"
    file.write_text(text)
    one_error(gradtutor("progress", "--import", str(file), "--home", str(tmp_path / "home")), fragment, str(file))
