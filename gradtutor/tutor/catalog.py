"""What `gradtutor lessons` and `gradtutor progress` need of each lesson, without loading it.

Listing the lessons needs each one's id, order, titles and its steps' ids, kinds and titles, not
its circuits, quantities and answers. Loading every lesson (lessons.py: the whole TOML, each
source family and quiz kind, the engine behind them) made a listing start several times slower
than the command-line library itself. Here the titles come from the Markdown headings and the rest
from the few lines of lesson.toml that hold it: `order = …` at the top, then each `[[step]]`'s
`id = "…"` and `kind = "…"`. A manifest written in another way (a step without those two lines,
say) is read by the full loader instead (tutor/listing.py), so the listing is never wrong, only
slower.
tests/test_tutor_catalog.py checks both against each other for every installed lesson.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
import importlib
from pathlib import Path

MANIFEST = "lesson.toml"
PACKAGE = "gradtutor.lessons"

STEP_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SECTION = re.compile(r"^##\s+(?P<title>.*?)\s*\{#(?P<id>[^}]*)\}\s*$")
TRIPLE_DOUBLE, TRIPLE_SINGLE = '"""', "'''"  # multi-line strings
_KEY = re.compile(r'^(?P<key>[A-Za-z_][\w-]*)\s*=\s*(?P<value>"[^"\\]*"|-?\d+)\s*(?:#.*)?$')
_HEADER = re.compile(r'^\s*\[\[?\s*[A-Za-z0-9_.\-" ]+\s*\]\]?\s*(?:#.*)?$')  # [table], [[array]]
# The only lines the readers below act on, found by a regex and str.find over the whole text:
# going through the other lines one by one in Python took most of the listing's time. (Each
# pattern starts with the line break before the line: the regex engine then skips to it fast.)
# Text with line breaks other than "\n" is read line by line, as str.splitlines splits it.
_MANIFEST_LINES = re.compile(r"\n[^\S\n]*(?:\[|(?:id|kind|order)[^\S\n]*=)[^\n]*")  # and those with """ or '''
_HEADING_LINES = re.compile(r"\n(?:[^\S\n]*(?:```|~~~)|#)[^\n]*")
OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(frozen=True, slots=True)
class StepEntry:
    id: str
    kind: str
    title: dict  # {"en": …, "ko": …}


@dataclass(frozen=True, slots=True)
class Entry:
    """One installed lesson as the listings show it."""

    id: str
    order: int
    title: dict
    steps: tuple[StepEntry, ...]

    def index(self, step_id: str | None) -> int:
        """Position of a step by id; 0 for None or an id this version no longer has."""
        return next((i for i, step in enumerate(self.steps) if step.id == step_id), 0)

    @property
    def quizzes(self) -> list[StepEntry]:
        return [step for step in self.steps if step.kind == "quiz"]


def folder() -> Path:
    """The installed lessons' folder (the package's own: importlib.resources took longer to import
    than listing the lessons takes)."""
    return Path(importlib.import_module(PACKAGE).__path__[0])


def names() -> list[str]:
    """Ids of the installed lessons (folders holding a lesson.toml), in folder-name order."""
    return sorted(entry.name for entry in folder().iterdir() if entry.is_dir() and (entry / MANIFEST).is_file())


def read(name: str) -> Entry | None:
    """The installed lesson `name` from its manifest's order and step lines and its Markdown
    headings, or None where the files are not written the plain way this reads (the full loader,
    lessons.py, then reads it and names any problem)."""
    from gradtutor.lang import LANGUAGES

    return _read(name, folder() / name, LANGUAGES)


def _read(name: str, folder, languages) -> Entry | None:
    """The entry from the manifest's order and step lines and the Markdown headings, or None where
    the files are not written the plain way this reads (the full loader then decides)."""
    try:
        head = _manifest_head(folder.joinpath(MANIFEST).read_text(encoding="utf-8"))
        markdown = {lang: _headings(folder.joinpath(f"{lang}.md").read_text(encoding="utf-8")) for lang in languages}
    except (OSError, UnicodeDecodeError):
        return None
    if head is None or head[0] != name:
        return None
    _, order, steps = head
    if any(not title or None in found for title, _, found in markdown.values()):
        return None
    try:
        step_entries = tuple(
            StepEntry(step_id, kind, {lang: markdown[lang][2][step_id][0] for lang in languages})
            for step_id, kind in steps
        )
    except KeyError:  # a step without its section: the loader's message says so
        return None
    return Entry(name, order, {lang: markdown[lang][0] for lang in languages}, step_entries)


def _manifest_head(text: str):
    """(id, order, [(step id, kind)]) from a manifest's plain key lines (skipping multi-line
    strings), or None if a step lacks either key."""
    lesson_id, order, steps, table = None, 100, [], None
    open_quote = None  # the quotes of the multi-line string being skipped
    for line in _lines(text, _MANIFEST_LINES, (TRIPLE_DOUBLE, TRIPLE_SINGLE)):
        if open_quote is not None:
            if line.count(open_quote) % 2:
                open_quote = None
            continue
        if TRIPLE_DOUBLE in line or TRIPLE_SINGLE in line:
            open_quote = next((quote for quote in (TRIPLE_DOUBLE, TRIPLE_SINGLE) if line.count(quote) % 2), None)
            if open_quote is not None:
                continue
        if _HEADER.match(line):
            table = line.strip()
            if table == "[[step]]":
                steps.append({})
            continue
        match = _KEY.match(line.strip())
        if match is None:
            continue
        key, value = match["key"], match["value"]
        if table is None and key == "id":
            lesson_id = value.strip('"')
        elif table is None and key == "order":
            order = int(value) if not value.startswith('"') else None
        elif table == "[[step]]" and key in ("id", "kind"):
            steps[-1][key] = value.strip('"')
    if order is None or not steps or any(set(step) != {"id", "kind"} for step in steps):
        return None
    return lesson_id, order, [(step["id"], step["kind"]) for step in steps]


def _lines(text: str, wanted: re.Pattern, marks: tuple[str, ...] = ()) -> list[str]:
    """The lines of `text` that `wanted` picks or that hold one of `marks`, in order (all of them
    where there are line breaks other than "\n")."""
    if any(mark in text for mark in OTHER_BREAKS):
        return text.splitlines()
    found = {match.start(): match[0][1:] for match in wanted.finditer("\n" + text)}  # start in `text`
    for mark in marks:
        at = text.find(mark)
        while at >= 0:
            start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
            found[start] = text[start:end if end >= 0 else len(text)]
            at = text.find(mark, at + len(mark))
    return [found[start] for start in sorted(found)]


def _headings(text: str) -> tuple[str, str, dict]:
    """What `sections` finds in a lesson's Markdown, less the bodies: its title, and each step's
    title by id (problems under None), from the heading and code fence lines alone."""
    return sections("\n".join(_lines(text, _HEADING_LINES)))


def sections(text: str) -> tuple[str, str, dict]:
    """Split a lesson Markdown file: (title, intro, {step id: (title, body)}).

    Problems found while splitting are listed under the key None.
    """
    title, intro_lines, found, problems = "", [], {}, []
    current = None  # the step id whose body is being read
    lines: list[str] = []
    in_code = False

    def close():
        if current is not None:
            found[current] = (found[current][0], "\n".join(lines).strip())

    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else _SECTION.match(line)
        if match:
            close()
            current, lines = match["id"], []
            if current in found:
                problems.append(f"line {number}: section {{#{current}}} appears twice")
            if not STEP_ID.fullmatch(current):
                problems.append(f"line {number}: section id {{#{current}}} must be lowercase words joined by '-'")
            found[current] = (match["title"].strip(), "")
        elif not in_code and line.startswith("# "):
            if title:
                problems.append(f"line {number}: only the first line may be a '# ' heading (the lesson title)")
            title = title or line[2:].strip()
        elif not in_code and line.startswith("## "):
            problems.append(f"line {number}: a '## ' heading starts a step and needs its id: '## Title {{#step-id}}'")
        elif current is None:
            intro_lines.append(line)
        else:
            lines.append(line)
    close()
    if problems:
        found[None] = problems
    return title, "\n".join(intro_lines).strip(), found
