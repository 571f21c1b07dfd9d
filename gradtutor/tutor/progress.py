"""The learner's progress, in one SQLite file that survives Ctrl-C, kill -9 and upgrades.

Where: $GRADTUTOR_HOME/progress.db, else $XDG_STATE_HOME/gradtutor/progress.db, else
~/.local/state/gradtutor/progress.db (a `--home` option overrides all three).

Safety rules, each with a reason:
- every answer, hint and move is its own committed transaction (synchronous=FULL), so a killed
  process loses at most the keystroke it was handling;
- before writing anything to an existing file we check that it is ours: the SQLite header, our
  `application_id`, our meta table; and that it is sound (`quick_check`). A foreign or damaged
  file gets a one-line error and is never written to: it may be somebody's data;
- a file written by a newer schema is refused rather than misread.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

APP_NAME = "gradtutor"
APPLICATION_ID = 0x67726474  # "grdt": marks the file as ours in the SQLite header
SCHEMA_VERSION = 1
FILE_NAME = "progress.db"
EXPORT_FORMAT = "gradtutor-progress"
SQLITE_HEADER = b"SQLite format 3\x00"

STATUSES = ("open", "passed", "given_up")
# The best status a step has reached is kept: passing after giving up counts, giving up after
# passing (on a second visit) does not undo the pass.
_RANK = {"open": 0, "given_up": 1, "passed": 2}

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


class ProgressError(Exception):
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

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, home: str | Path | None = None) -> "Progress":
        directory = Path(home).expanduser() if home else default_home()
        path = directory / FILE_NAME
        if path.is_dir():
            raise ProgressError(f"{path} is a directory, not a progress file")
        if path.exists() and path.stat().st_size > 0:
            return cls(_open_existing(path), path)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            connection = _connect(path, "rwc")
            # An empty file has nothing to lose (a first run that was killed before its first
            # commit leaves one); it becomes a fresh progress file, in one transaction.
            connection.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
        except (OSError, sqlite3.Error) as exc:
            raise ProgressError(f"cannot create the progress file {path}: {exc}") from None
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------
    def lesson(self, lesson: str) -> LessonRecord:
        row = self._db.execute(
            "SELECT position, completed_at FROM lessons WHERE lesson = ?", (lesson,)
        ).fetchone()
        record = LessonRecord(lesson, *(row or (None, None)))
        for step, status, attempts, hints, seed, asked in self._db.execute(
            "SELECT step, status, attempts, hints, seed, hints_asked FROM steps WHERE lesson = ? ORDER BY step",
            (lesson,),
        ):
            record.steps[step] = StepRecord(step, status, attempts, hints, seed, asked)
        for step, answer, right, at in self._db.execute(
            "SELECT step, answer, right, at FROM answers WHERE lesson = ? ORDER BY id", (lesson,)
        ):
            record.steps.setdefault(step, StepRecord(step)).answers.append(
                {"answer": answer, "right": bool(right), "at": at}
            )
        return record

    def step(self, lesson: str, step: str) -> StepRecord:
        row = self._db.execute(
            "SELECT status, attempts, hints, seed, hints_asked FROM steps WHERE lesson = ? AND step = ?",
            (lesson, step),
        ).fetchone()
        return StepRecord(step, *row) if row else StepRecord(step)

    def lessons(self) -> list[str]:
        rows = self._db.execute(
            "SELECT lesson FROM lessons UNION SELECT lesson FROM steps ORDER BY lesson"
        )
        return [lesson for (lesson,) in rows]

    # -- writing: each call is one committed transaction ------------------------------------------
    def set_position(self, lesson: str, step: str | None, *, completed: bool = False) -> None:
        with _transaction(self._db):
            self._touch_lesson(lesson)
            self._db.execute(
                "UPDATE lessons SET position = ?, updated_at = ?"
                + (", completed_at = ?" if completed else "")
                + " WHERE lesson = ?",
                (step, _now(), *([_now()] if completed else []), lesson),
            )

    def record_answer(self, lesson: str, step: str, answer: str, right: bool) -> None:
        with _transaction(self._db):
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
        with _transaction(self._db):
            self._touch_step(lesson, step)
            self._db.execute(
                "UPDATE steps SET hints = hints + 1, hints_asked = hints_asked + ?, updated_at = ?"
                " WHERE lesson = ? AND step = ?",
                (int(asked), _now(), lesson, step),
            )
        return self.step(lesson, step).hints

    def give_up(self, lesson: str, step: str) -> None:
        with _transaction(self._db):
            self._touch_step(lesson, step)
            self._raise_status(lesson, step, "given_up")

    def seed(self, lesson: str, step: str, new_seed: int) -> int:
        """The step's shuffle seed: `new_seed` is stored the first time, then kept forever."""
        with _transaction(self._db):
            self._touch_step(lesson, step)
            self._db.execute(
                "UPDATE steps SET seed = ? WHERE lesson = ? AND step = ? AND seed IS NULL",
                (new_seed, lesson, step),
            )
        return self.step(lesson, step).seed

    def reset(self, lesson: str) -> bool:
        """Forget a lesson entirely. Returns whether there was anything to forget."""
        with _transaction(self._db):
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
            with _transaction(self._db):
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
                            (name, step["step"], step["status"], int(step["attempts"]),
                             int(step["hints"]), step.get("seed"), _now(), int(step.get("hints_asked", 0))),
                        )
                        for answer in step.get("answers", []):
                            self._db.execute(
                                "INSERT INTO answers (lesson, step, answer, right, at) VALUES (?, ?, ?, ?, ?)",
                                (name, step["step"], str(answer["answer"]), int(bool(answer["right"])), answer["at"]),
                            )
        except (KeyError, TypeError, ValueError, sqlite3.IntegrityError) as exc:
            raise ProgressError(f"the export is malformed ({type(exc).__name__}: {exc}); nothing was imported") from None
        return names

    def export_json(self) -> str:
        return json.dumps(self.export(), ensure_ascii=False, indent=2)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun and committed explicitly, one per change.
    connection = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=10, isolation_level=None)
    connection.execute("PRAGMA synchronous = FULL")
    return connection


@contextmanager
def _transaction(connection: sqlite3.Connection):
    if not connection.in_transaction:
        connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")


def _add_hints_asked(connection: sqlite3.Connection) -> None:
    """Files from before `hints_asked` get the column (0: their hints were not told apart);
    an added column with a default keeps the schema readable both ways."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(steps)")}
    if "hints_asked" not in columns:
        with _transaction(connection):
            connection.execute("ALTER TABLE steps ADD COLUMN hints_asked INTEGER NOT NULL DEFAULT 0")


def _open_existing(path: Path) -> sqlite3.Connection:
    """Open a file that must already be a gradtutor progress file, or explain why it is not."""
    with open(path, "rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ProgressError(
            f"{path} is not a gradtutor progress file (not an SQLite database); it was left untouched"
        )
    try:
        # Read-write, but query_only until the file is known to be ours: a process killed in the
        # middle of a transaction leaves a hot journal, which SQLite must roll back before
        # anyone can read the file (a read-only connection would find it unreadable). That
        # rollback restores the last committed state; our own statements write nothing here.
        connection = _connect(path, "rw")
        connection.execute("PRAGMA query_only = ON")
        verified = False
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            schema = connection.execute("PRAGMA user_version").fetchone()[0]
            if application_id != APPLICATION_ID:
                raise ProgressError(
                    f"{path} is an SQLite database of another program, not gradtutor's progress; it was left untouched"
                )
            meta = dict(connection.execute("SELECT key, value FROM meta"))
            if meta.get("app") != APP_NAME:
                raise ProgressError(f"{path} is not a gradtutor progress file; it was left untouched")
            if schema > SCHEMA_VERSION:
                raise ProgressError(
                    f"{path} was written by a newer gradtutor (progress schema {schema}, this one reads "
                    f"up to {SCHEMA_VERSION}); upgrade gradtutor to use it"
                )
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            connection.execute("PRAGMA query_only = OFF")
            _add_hints_asked(connection)
            verified = True
            return connection
        finally:
            if not verified:
                connection.close()
    except sqlite3.DatabaseError as exc:
        # quick_check reports several lines ("*** in database main *** Page 3: …"): keep the gist.
        detail = " ".join(str(exc).replace("*** in database main ***", "").split())
        raise ProgressError(
            f"{path} is damaged ({detail}); it was left untouched: move it away to start afresh"
        ) from None
