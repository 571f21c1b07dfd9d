"""The learner's progress, in one SQLite file that survives Ctrl-C, kill -9 and upgrades.

Where: $GRADTUTOR_HOME/progress.db, else $XDG_STATE_HOME/gradtutor/progress.db, else
~/.local/state/gradtutor/progress.db (a `--home` option overrides all three).

Safety rules, each with a reason:
- every answer, hint and move is its own committed transaction (synchronous=FULL), so a killed
  process loses at most the keystroke it was handling;
- before writing anything to an existing file we check that it is ours: the SQLite header, our
  `application_id`, our meta table; and that it is sound (`quick_check`). A foreign or damaged
  file gets a one-line error and is never written to: it may be somebody's data;
- a file written by a newer schema is refused rather than misread;
- a file is first opened read-only (`mode=ro`): a foreign file with a hot journal must not be
  rolled back by us. Only a file whose header carries our application id is reopened read-write;
- a store that cannot be written (read-only file, folder or file system) is reported as such,
  not as damaged; `Progress.open(..., unsaved_ok=True)` then works on a copy in memory;
- a lock held by another process longer than BUSY_TIMEOUT_S is "busy", never "damaged";
- a failed write (disk full, say) is rolled back by SQLite and reported in one line: the file
  keeps its last committed state.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from gradtutor.errors import UserError

APP_NAME = "gradtutor"
APPLICATION_ID = 0x67726474  # "grdt": marks the file as ours in the SQLite header
SCHEMA_VERSION = 1
FILE_NAME = "progress.db"
EXPORT_FORMAT = "gradtutor-progress"
SQLITE_HEADER = b"SQLite format 3\x00"
APPLICATION_ID_OFFSET = 68  # where SQLite keeps `PRAGMA application_id` in the file header
# How long to wait for another gradtutor's transaction (they last milliseconds) before saying the
# file is busy.
BUSY_TIMEOUT_S = 10.0

STATUSES = ("open", "passed", "given_up")
# The best status a step has reached is kept: passing after giving up counts, giving up after
# passing (on a second visit) does not undo the pass.
_RANK = {"open": 0, "given_up": 1, "passed": 2}

# The columns each table must have: a file lacking one is damaged, whatever else it holds.
_TABLES = {
    "meta": ("key", "value"),
    "lessons": ("lesson", "position", "completed_at", "updated_at"),
    "steps": ("lesson", "step", "status", "attempts", "hints", "seed", "updated_at"),  # + hints_asked, added on open
    "answers": ("id", "lesson", "step", "answer", "right", "at"),
}
# The largest count or seed a file may hold: SQLite's INTEGER is 64-bit.
_INTEGER_MAX = 2**63 - 1

_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE lessons (
    lesson TEXT PRIMARY KEY,
    position TEXT,                -- the step id to resume at; NULL = start
    completed_at TEXT,            -- set when the learner reached the end
    updated_at TEXT NOT NULL
);
CREATE TABLE steps (
    lesson TEXT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'passed', 'given_up')),
    attempts INTEGER NOT NULL DEFAULT 0,   -- answers judged (unreadable input is not counted)
    hints INTEGER NOT NULL DEFAULT 0,      -- hints shown so far
    seed INTEGER,                          -- multiple choice: the shuffle this learner sees
    updated_at TEXT NOT NULL,
    hints_asked INTEGER NOT NULL DEFAULT 0,  -- of the hints, those asked for (h), not given after a wrong try
    PRIMARY KEY (lesson, step)
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    lesson TEXT NOT NULL,
    step TEXT NOT NULL,
    answer TEXT NOT NULL,
    right INTEGER NOT NULL,
    at TEXT NOT NULL
);
INSERT INTO meta VALUES ('app', '{APP_NAME}'), ('schema', '{SCHEMA_VERSION}');
"""


class ProgressError(UserError):
    """The progress file cannot be used; the message is one line saying why and where."""


def default_home() -> Path:
    home = os.environ.get("GRADTUTOR_HOME")
    if home:
        return Path(home).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state).expanduser() / APP_NAME


@dataclass(slots=True)
class StepRecord:
    step: str
    status: str = "open"
    attempts: int = 0
    hints: int = 0
    seed: int | None = None
    hints_asked: int = 0
    answers: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class LessonRecord:
    lesson: str
    position: str | None = None
    completed_at: str | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)

    def status(self, step: str) -> str:
        record = self.steps.get(step)
        return record.status if record else "open"

    def passed(self, steps) -> list[str]:
        """Which of these step ids are passed."""
        return [step for step in steps if self.status(step) == "passed"]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Progress:
    """An open progress file. Use `Progress.open(home)`; close it (or use `with`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, unsaved: str | None = None):
        self._db = connection
        self.path = path
        # Why changes are kept in memory only (the store cannot be written), or None.
        self.unsaved = unsaved

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, home: str | Path | None = None, *, unsaved_ok: bool = False) -> "Progress":
        """The progress file in `home`, checked to be ours and sound, ready to be written.

        A store that cannot be written (a read-only file, folder or file system) is a
        ProgressError saying so; with `unsaved_ok` it is read into memory instead, so a lesson
        still runs, and `unsaved` says why nothing will be saved.
        """
        directory = Path(home).expanduser() if home else default_home()
        path = directory / FILE_NAME
        if path.is_dir():
            raise ProgressError(f"{path} is a directory, not a progress file")
        if path.exists() and not path.is_file():
            raise ProgressError(f"{path} is not a regular file, so it cannot be a progress file")
        for _ in range(2):  # a second round when another process created the file meanwhile
            existing = path.exists() and path.stat().st_size > 0
            reader = _open_existing(path) if existing else None
            try:
                writer, unwritable = _writer(path, reader)
            except _CreatedMeanwhile:
                continue
            if writer is not None:
                if reader is not None:
                    reader.close()
                _add_hints_asked(writer, path)
                return cls(writer, path)
            if not unsaved_ok:
                if reader is not None:
                    reader.close()
                raise ProgressError(unwritable)
            memory = _in_memory(reader)
            _add_hints_asked(memory, path)
            return cls(memory, path, unsaved=unwritable)
        raise ProgressError(f"{path} keeps changing while it is opened; try again")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------
    def lesson(self, lesson: str) -> LessonRecord:
        rows = self._rows("SELECT position, completed_at FROM lessons WHERE lesson = ?", (lesson,))
        record = LessonRecord(lesson, *(rows[0] if rows else (None, None)))
        for step, status, attempts, hints, seed, asked in self._rows(
            "SELECT step, status, attempts, hints, seed, hints_asked FROM steps WHERE lesson = ? ORDER BY step",
            (lesson,),
        ):
            record.steps[step] = StepRecord(step, status, attempts, hints, seed, asked)
        for step, answer, right, at in self._rows(
            "SELECT step, answer, right, at FROM answers WHERE lesson = ? ORDER BY id", (lesson,)
        ):
            record.steps.setdefault(step, StepRecord(step)).answers.append(
                {"answer": answer, "right": bool(right), "at": at}
            )
        return record

    def step(self, lesson: str, step: str) -> StepRecord:
        rows = self._rows(
            "SELECT status, attempts, hints, seed, hints_asked FROM steps WHERE lesson = ? AND step = ?",
            (lesson, step),
        )
        return StepRecord(step, *rows[0]) if rows else StepRecord(step)

    def lessons(self) -> list[str]:
        rows = self._rows("SELECT lesson FROM lessons UNION SELECT lesson FROM steps ORDER BY lesson")
        return [lesson for (lesson,) in rows]

    def _rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """A query's rows; a lock held too long by another process is a one-line ProgressError."""
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise _failure(exc, self.path) from None

    # -- writing: each call is one committed transaction ------------------------------------------
    def set_position(self, lesson: str, step: str | None, *, completed: bool = False) -> None:
        with _transaction(self._db, self.path):
            self._touch_lesson(lesson)
            self._db.execute(
                "UPDATE lessons SET position = ?, updated_at = ?"
                + (", completed_at = ?" if completed else "")
                + " WHERE lesson = ?",
                (step, _now(), *([_now()] if completed else []), lesson),
            )

    def record_answer(self, lesson: str, step: str, answer: str, right: bool) -> None:
        with _transaction(self._db, self.path):
            self._touch_step(lesson, step)
            self._db.execute(
                "INSERT INTO answers (lesson, step, answer, right, at) VALUES (?, ?, ?, ?, ?)",
                (lesson, step, answer, int(right), _now()),
            )
            self._db.execute(
                "UPDATE steps SET attempts = attempts + 1, updated_at = ? WHERE lesson = ? AND step = ?",
                (_now(), lesson, step),
            )
            if right:
                self._raise_status(lesson, step, "passed")

    def record_hint(self, lesson: str, step: str, asked: bool = False) -> int:
        """Count one more hint shown (`asked`: the learner asked for it); returns how many have been shown."""
        with _transaction(self._db, self.path):
            self._touch_step(lesson, step)
            self._db.execute(
                "UPDATE steps SET hints = hints + 1, hints_asked = hints_asked + ?, updated_at = ?"
                " WHERE lesson = ? AND step = ?",
                (int(asked), _now(), lesson, step),
            )
        return self.step(lesson, step).hints

    def give_up(self, lesson: str, step: str) -> None:
        with _transaction(self._db, self.path):
            self._touch_step(lesson, step)
            self._raise_status(lesson, step, "given_up")

    def seed(self, lesson: str, step: str, new_seed: int) -> int:
        """The step's shuffle seed: `new_seed` is stored the first time, then kept forever."""
        with _transaction(self._db, self.path):
            self._touch_step(lesson, step)
            self._db.execute(
                "UPDATE steps SET seed = ? WHERE lesson = ? AND step = ? AND seed IS NULL",
                (new_seed, lesson, step),
            )
        return self.step(lesson, step).seed

    def reset(self, lesson: str) -> bool:
        """Forget a lesson entirely. Returns whether there was anything to forget."""
        with _transaction(self._db, self.path):
            had = self._db.execute(
                "SELECT 1 FROM lessons WHERE lesson = ? UNION SELECT 1 FROM steps WHERE lesson = ?",
                (lesson, lesson),
            ).fetchone()
            for table in ("answers", "steps", "lessons"):
                self._db.execute(f"DELETE FROM {table} WHERE lesson = ?", (lesson,))
        return had is not None

    def _touch_lesson(self, lesson: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO lessons (lesson, updated_at) VALUES (?, ?)", (lesson, _now())
        )

    def _touch_step(self, lesson: str, step: str) -> None:
        self._touch_lesson(lesson)
        self._db.execute(
            "INSERT OR IGNORE INTO steps (lesson, step, updated_at) VALUES (?, ?, ?)",
            (lesson, step, _now()),
        )

    def _raise_status(self, lesson: str, step: str, status: str) -> None:
        current = self._db.execute(
            "SELECT status FROM steps WHERE lesson = ? AND step = ?", (lesson, step)
        ).fetchone()[0]
        if _RANK[status] > _RANK[current]:
            self._db.execute(
                "UPDATE steps SET status = ?, updated_at = ? WHERE lesson = ? AND step = ?",
                (status, _now(), lesson, step),
            )

    # -- moving between machines ------------------------------------------------------------------
    def export(self) -> dict:
        """Everything, as JSON-ready data: `gradtutor progress --export json`."""
        lessons = []
        for name in self.lessons():
            record = self.lesson(name)
            lessons.append(
                {
                    "lesson": name,
                    "position": record.position,
                    "completed_at": record.completed_at,
                    "steps": [asdict(step) for step in record.steps.values()],
                }
            )
        return {"format": EXPORT_FORMAT, "schema": SCHEMA_VERSION, "lessons": lessons}

    def import_export(self, data: dict) -> list[str]:
        """Load an export (replacing those lessons here) in one transaction; returns their ids."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ProgressError(f"not a gradtutor progress export (expected format {EXPORT_FORMAT!r})")
        if not isinstance(data.get("schema"), int) or data["schema"] > SCHEMA_VERSION:
            raise ProgressError(
                f"the export has schema {data.get('schema')!r}; this gradtutor reads up to {SCHEMA_VERSION}"
            )
        names = []
        try:
            with _transaction(self._db, self.path):
                for lesson in data["lessons"]:
                    name = lesson["lesson"]
                    names.append(name)
                    for table in ("answers", "steps", "lessons"):
                        self._db.execute(f"DELETE FROM {table} WHERE lesson = ?", (name,))
                    self._db.execute(
                        "INSERT INTO lessons VALUES (?, ?, ?, ?)",
                        (name, lesson.get("position"), lesson.get("completed_at"), _now()),
                    )
                    for step in lesson.get("steps", []):
                        self._db.execute(
                            "INSERT INTO steps (lesson, step, status, attempts, hints, seed, updated_at, hints_asked)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (name, step["step"], step["status"], _count(step, "attempts"),
                             _count(step, "hints"), _seed(step), _now(), _count({"hints_asked": 0, **step}, "hints_asked")),
                        )
                        for answer in step.get("answers", []):
                            self._db.execute(
                                "INSERT INTO answers (lesson, step, answer, right, at) VALUES (?, ?, ?, ?, ?)",
                                (name, step["step"], str(answer["answer"]), int(bool(answer["right"])), answer["at"]),
                            )
        except (KeyError, TypeError, ValueError, OverflowError, sqlite3.IntegrityError,
                sqlite3.InterfaceError, sqlite3.ProgrammingError) as exc:
            raise ProgressError(f"the export is malformed ({type(exc).__name__}: {exc}); nothing was imported") from None
        return names

    def export_json(self) -> str:
        import json  # here: reading progress (every listing) needs no JSON

        return json.dumps(self.export(), ensure_ascii=False, indent=2)


def _count(step: dict, key: str) -> int:
    value = int(step[key])
    if not 0 <= value <= _INTEGER_MAX:
        raise ValueError(f"{key} of step {step['step']!r} is not a count from 0 to 2**63 - 1")
    return value


def _seed(step: dict) -> int | None:
    value = step.get("seed")
    if value is not None and (not isinstance(value, int) or abs(value) > _INTEGER_MAX):
        raise ValueError(f"the seed of step {step['step']!r} is not a 64-bit integer")
    return value


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun and committed explicitly, one per change.
    connection = sqlite3.connect(
        f"file:{path}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
    )
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def _error_name(exc: BaseException) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _busy(path: Path) -> ProgressError:
    return ProgressError(
        f"{path} is busy: another gradtutor is using it (waited {BUSY_TIMEOUT_S:g} s); "
        "try again when it has finished"
    )


def _unwritable(path: Path, detail: str) -> str:
    return f"cannot write the progress file {path}: {detail}"


def _is_read_only(exc: sqlite3.Error) -> bool:
    return _error_name(exc).startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"))


def _failure(exc: sqlite3.Error, path: Path) -> ProgressError:
    """A read or write that SQLite refused, as one line (a refused change is rolled back)."""
    name = _error_name(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return _busy(path)
    if name == "SQLITE_FULL":
        return ProgressError(f"cannot save progress to {path}: the disk is full (the file keeps its last saved state)")
    if _is_read_only(exc):
        return ProgressError(_unwritable(path, "it or its folder is read-only"))
    return ProgressError(f"cannot use the progress file {path}: {exc} (it keeps its last saved state)")


@contextmanager
def _transaction(connection: sqlite3.Connection, path: Path):
    """One committed change. A failure of the store (busy, disk full, read-only) becomes a
    one-line ProgressError; SQLite has already rolled back a transaction it could not finish
    (disk full), so only one still open is rolled back here."""
    try:
        if not connection.in_transaction:
            connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError):
        raise  # the caller's data was refused: the caller says what was wrong with it
    except sqlite3.Error as exc:
        if connection.in_transaction:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        raise _failure(exc, path) from None


class _CreatedMeanwhile(Exception):
    """Another process created the progress file between our look and our lock."""


def _writer(path: Path, reader: sqlite3.Connection | None) -> tuple[sqlite3.Connection | None, str | None]:
    """A read-write connection to the (verified or new) file, or None and why it cannot be written."""
    directory = path.parent
    if reader is None:
        return _create(path)
    # SQLite keeps its journal next to the file: an unwritable folder is an unwritable store,
    # though SQLite only finds out at the first commit.
    if not os.access(directory, os.W_OK):
        return None, _unwritable(path, f"its folder {directory} is read-only")
    try:
        connection = _connect(path, "rw")
    except sqlite3.Error as exc:
        if _is_read_only(exc):
            return None, _unwritable(path, "it is read-only")
        raise _failure(exc, path) from None
    try:
        # A write that is rolled back at once: the cheapest sure test that this file takes writes.
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE meta SET value = value WHERE key = 'app'")
        connection.execute("ROLLBACK")
        return connection, None
    except sqlite3.Error as exc:
        return _given_up(connection, exc, path)


def _create(path: Path) -> tuple[sqlite3.Connection | None, str | None]:
    """A fresh progress file, made in one transaction that several processes may race for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = _connect(path, "rwc")
    except OSError as exc:
        return None, _unwritable(path, f"cannot make its folder ({exc.strerror or exc})")
    except sqlite3.Error as exc:
        if _is_read_only(exc):
            return None, _unwritable(path, "its folder is read-only")
        raise ProgressError(f"cannot create the progress file {path}: {exc}") from None
    try:
        # An empty file has nothing to lose (a first run that was killed before its first commit
        # leaves one). The lock is taken before looking: of several processes starting at once,
        # one creates the tables and the others, once it has committed, find them there.
        connection.execute("BEGIN IMMEDIATE")
        if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            connection.execute("ROLLBACK")
            connection.close()
            raise _CreatedMeanwhile
        # One statement at a time: executescript would commit the open transaction first.
        for statement in _statements(_SCHEMA):
            connection.execute(statement)
        connection.execute("COMMIT")
        return connection, None
    except sqlite3.Error as exc:
        return _given_up(connection, exc, path)


def _given_up(connection: sqlite3.Connection, exc: sqlite3.Error, path: Path) -> tuple[None, str]:
    """Close a connection whose first write failed: why the store cannot be written, or raise."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()
    if _is_read_only(exc):
        return None, _unwritable(path, "it or its folder is read-only")
    raise _failure(exc, path) from None


def _statements(script: str):
    """The statements of an SQL script, split where SQLite's own tokenizer says one ends."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""


def _in_memory(reader: sqlite3.Connection | None) -> sqlite3.Connection:
    """A private copy of the file (or a fresh store) that takes writes and saves none."""
    memory = sqlite3.connect(":memory:", isolation_level=None)
    if reader is None:
        memory.executescript(_SCHEMA)
    else:
        reader.backup(memory)
        reader.close()
    return memory


def _header_application_id(path: Path) -> int | None:
    """The application id from the raw file header, without SQLite (None: not an SQLite file)."""
    with open(path, "rb") as file:
        header = file.read(APPLICATION_ID_OFFSET + 4)
    if not header.startswith(SQLITE_HEADER):
        return None
    return int.from_bytes(header[APPLICATION_ID_OFFSET : APPLICATION_ID_OFFSET + 4], "big")


def _add_hints_asked(connection: sqlite3.Connection, path: Path) -> None:
    """Files from before `hints_asked` get the column (0: their hints were not told apart);
    an added column with a default keeps the schema readable both ways."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(steps)")}
    if "hints_asked" not in columns:
        with _transaction(connection, path):
            connection.execute("ALTER TABLE steps ADD COLUMN hints_asked INTEGER NOT NULL DEFAULT 0")


def _open_existing(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file that must be a sound gradtutor progress file, or a
    ProgressError saying why it is not. Nothing here writes to a file that is not ours."""
    try:
        application_id = _header_application_id(path)
    except OSError as exc:
        raise ProgressError(f"cannot read the progress file {path}: {exc.strerror or exc}") from None
    if application_id is None:
        raise ProgressError(
            f"{path} is not a gradtutor progress file (not an SQLite database); it was left untouched"
        )
    if application_id != APPLICATION_ID:
        raise ProgressError(
            f"{path} is an SQLite database of another program, not gradtutor's progress; it was left untouched"
        )
    try:
        try:
            connection = _connect(path, "ro")
            return _verified(connection, path)
        except sqlite3.OperationalError as exc:
            if _error_name(exc) != "SQLITE_READONLY_ROLLBACK":
                raise
        # A hot journal: a gradtutor killed inside a transaction. The header says the file is
        # ours, so let SQLite roll it back to the last committed state (query_only: our own
        # statements write nothing), then check the result like any other file.
        connection = _connect(path, "rw")
        connection.execute("PRAGMA query_only = ON")
        return _verified(connection, path)
    except sqlite3.DatabaseError as exc:
        if _error_name(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise _busy(path) from None
        if _error_name(exc) == "SQLITE_READONLY_ROLLBACK":
            raise ProgressError(
                f"{path} holds an unfinished change that cannot be undone: the file is read-only"
            ) from None
        # quick_check reports several lines ("*** in database main *** Page 3: …"): keep the gist.
        detail = " ".join(str(exc).replace("*** in database main ***", "").split())
        raise ProgressError(
            f"{path} is damaged ({detail}); it was left untouched: move it away to start afresh"
        ) from None


def _verified(connection: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """`connection` once its file is checked to be a sound progress file of a schema we read."""
    try:
        schema = connection.execute("PRAGMA user_version").fetchone()[0]
        if schema > SCHEMA_VERSION:
            raise ProgressError(
                f"{path} was written by a newer gradtutor (progress schema {schema}, this one reads "
                f"up to {SCHEMA_VERSION}); upgrade gradtutor to use it"
            )
        for table, columns in _TABLES.items():
            found = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            lacking = [column for column in columns if column not in found]
            if not found:
                raise sqlite3.DatabaseError(f"the table {table} is missing")
            if lacking:
                raise sqlite3.DatabaseError(f"the table {table} lacks {', '.join(lacking)}")
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        if meta.get("app") != APP_NAME:
            raise ProgressError(f"{path} is not a gradtutor progress file; it was left untouched")
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(verdict)
        return connection
    except BaseException:
        connection.close()
        raise
