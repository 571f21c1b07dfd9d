"""The progress file: kept per step, one transaction per answer, never writing over a file that
is not ours or is damaged."""

import json
import sqlite3
from pathlib import Path

import pytest

from gradtutor.tutor import progress as progress_module
from gradtutor.tutor.progress import APPLICATION_ID, SCHEMA_VERSION, Progress, ProgressError, default_home


@pytest.fixture
def home(tmp_path):
    return tmp_path / "state"


def test_a_fresh_file_is_marked_as_ours(home):
    with Progress.open(home) as progress:
        path = progress.path
    assert path == home / "progress.db"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert dict(db.execute("SELECT key, value FROM meta")) == {"app": "gradtutor", "schema": str(SCHEMA_VERSION)}
    db.close()


def test_answers_hints_seed_and_position_survive_reopening(home):
    with Progress.open(home) as progress:
        progress.set_position("backprop", "apple-tax")
        progress.record_answer("backprop", "apple-tax", "210", right=False)
        progress.record_answer("backprop", "apple-tax", "200", right=True)
        assert progress.record_hint("backprop", "apple-tax") == 1
        assert progress.seed("backprop", "which", 41) == 41
        assert progress.seed("backprop", "which", 99) == 41  # the first seed is kept
    with Progress.open(home) as progress:
        record = progress.lesson("backprop")
    assert record.position == "apple-tax"
    step = record.steps["apple-tax"]
    assert (step.status, step.attempts, step.hints) == ("passed", 2, 1)
    assert [(a["answer"], a["right"]) for a in step.answers] == [("210", False), ("200", True)]
    assert record.steps["which"].seed == 41


def test_the_best_status_is_kept(home):
    with Progress.open(home) as progress:
        progress.give_up("gates", "q1")
        assert progress.step("gates", "q1").status == "given_up"
        progress.record_answer("gates", "q1", "2", right=True)
        assert progress.step("gates", "q1").status == "passed"
        progress.give_up("gates", "q1")  # giving up on a second visit does not undo the pass
        assert progress.step("gates", "q1").status == "passed"


def test_completion_and_reset(home):
    with Progress.open(home) as progress:
        progress.record_answer("gates", "q1", "2", right=True)
        progress.set_position("gates", None, completed=True)
        assert progress.lesson("gates").completed_at is not None
        assert progress.reset("gates") is True
        assert progress.reset("gates") is False
        assert progress.lesson("gates").steps == {}
        assert progress.lessons() == []


def test_export_and_import_move_progress_between_machines(tmp_path):
    with Progress.open(tmp_path / "laptop") as laptop:
        laptop.record_answer("backprop", "q", "−4", right=True)
        laptop.record_hint("backprop", "q")
        laptop.set_position("backprop", "next-step")
        exported = json.loads(laptop.export_json())
    assert exported["format"] == "gradtutor-progress"
    with Progress.open(tmp_path / "desktop") as desktop:
        assert desktop.import_export(exported) == ["backprop"]
        assert desktop.export()["lessons"] == exported["lessons"]
        with pytest.raises(ProgressError, match="not a gradtutor progress export"):
            desktop.import_export({"lessons": []})
        newer = dict(exported, schema=SCHEMA_VERSION + 1)
        with pytest.raises(ProgressError, match="schema"):
            desktop.import_export(newer)


def test_home_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("GRADTUTOR_HOME", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_home() == tmp_path / "xdg" / "gradtutor"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert default_home() == tmp_path / "me" / ".local" / "state" / "gradtutor"
    monkeypatch.setenv("GRADTUTOR_HOME", str(tmp_path / "mine"))
    assert default_home() == tmp_path / "mine"


# -- files that must never be written to --------------------------------------------------------
def _refused(home: Path, match: str) -> str:
    path = home / "progress.db"
    before = path.read_bytes()
    with pytest.raises(ProgressError, match=match) as caught:
        Progress.open(home)
    assert path.read_bytes() == before, "the file was changed"
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_text_file_is_not_ours(home):
    home.mkdir()
    (home / "progress.db").write_text("my notes, not a database\n")
    _refused(home, "not a gradtutor progress file")


def test_another_programs_sqlite_database_is_left_alone(home):
    home.mkdir()
    db = sqlite3.connect(home / "progress.db")
    db.execute("CREATE TABLE photos (name TEXT)")
    db.execute("INSERT INTO photos VALUES ('cat.jpg')")
    db.commit()
    db.close()
    _refused(home, "another program")


def test_a_newer_schema_is_refused_with_a_message(home):
    Progress.open(home).close()
    db = sqlite3.connect(home / "progress.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    message = _refused(home, "newer gradtutor")
    assert f"schema {SCHEMA_VERSION + 1}" in message


def _filled(home: Path) -> Path:
    with Progress.open(home) as progress:
        for i in range(8):  # long answers, so the rows spread over several pages
            progress.record_answer("backprop", f"step-{i}", "x" * 3000, right=i % 2 == 0)
    return home / "progress.db"


def test_a_damaged_file_is_reported_and_left_untouched(home):
    path = _filled(home)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[2 * page : 2 * page + 200] = b"\xff" * 200  # scribble over a b-tree page
    path.write_bytes(bytes(data))
    _refused(home, "damaged")


def test_a_truncated_file_is_reported_and_left_untouched(home):
    path = _filled(home)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _refused(home, "damaged")


def test_an_empty_file_becomes_a_fresh_progress_file(home):
    home.mkdir()
    (home / "progress.db").write_bytes(b"")
    with Progress.open(home) as progress:
        progress.record_answer("gates", "q", "1", right=True)
    with Progress.open(home) as progress:
        assert progress.step("gates", "q").status == "passed"


def test_a_directory_in_the_way_is_an_error(home):
    (home / "progress.db").mkdir(parents=True)
    with pytest.raises(ProgressError, match="is a directory"):
        Progress.open(home)


def test_module_constants_are_consistent():
    # The application id spells "grdt" in the file header, so `file` and hex dumps show it.
    assert APPLICATION_ID.to_bytes(4, "big") == b"grdt"
    assert progress_module.STATUSES[0] == "open"


def test_a_process_killed_inside_a_transaction_leaves_a_usable_file(home):
    """kill -9 in the middle of a write leaves a hot journal; the next run rolls it back to the
    last committed state instead of calling the file damaged."""
    import signal
    import subprocess
    import sys

    with Progress.open(home) as progress:
        progress.record_answer("backprop", "committed", "200", right=True)
    writer = (
        "import os, signal, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 1')  # spill pages to the file before the commit\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "for i in range(3000):\n"
        "    db.execute(\"INSERT INTO answers (lesson, step, answer, right, at) VALUES ('backprop', 'torn', ?, 0, 'now')\", ('x' * 100,))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", writer, str(home / "progress.db")])
    assert result.returncode == -signal.SIGKILL
    assert (home / "progress.db-journal").exists()  # the torn transaction's hot journal
    with Progress.open(home) as progress:
        steps = progress.lesson("backprop").steps
    assert steps["committed"].status == "passed" and "torn" not in steps
    db = sqlite3.connect(home / "progress.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_a_file_from_before_hints_asked_gets_the_column_and_keeps_its_data(home):
    """Files written before hints asked for were told apart open, read and write as before."""
    old_schema = "\n".join(line for line in progress_module._SCHEMA.splitlines() if "hints_asked" not in line)
    home.mkdir(parents=True)
    db = sqlite3.connect(home / "progress.db")
    db.executescript(old_schema)
    db.execute("INSERT INTO steps (lesson, step, status, attempts, hints, updated_at) VALUES ('backprop', 'q', 'passed', 2, 3, 'then')")
    db.commit()
    db.close()
    with Progress.open(home) as progress:
        step = progress.step("backprop", "q")
        assert (step.status, step.attempts, step.hints, step.hints_asked) == ("passed", 2, 3, 0)
        assert progress.record_hint("backprop", "q", asked=True) == 4
        assert progress.step("backprop", "q").hints_asked == 1
        exported = progress.export()
    with Progress.open(home.parent / "other") as other:
        other.import_export(exported)
        assert other.step("backprop", "q").hints_asked == 1
        legacy = json.loads(json.dumps(exported))
        del legacy["lessons"][0]["steps"][0]["hints_asked"]  # an export from before the column
        other.import_export(legacy)
        assert other.step("backprop", "q").hints == 4
