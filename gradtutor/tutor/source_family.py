"""The interface of a source family: where a show or quiz step's numbers come from.

A family is one object in `sources.SOURCES` (one module each under sources/): the traced
examples and circuits, the layers and models, the training runs. The loader, the answer keys,
the lesson check and the runner look a step's family up by `source.family` and call it; none of
them knows which families exist. A family's *source* is its own frozen record (so answers can be
cached by it) with a class attribute `family` naming the family.

Required: `parse` (read a step's source keys), `parse_quantity` (read a quantity of its own),
`solve` (compute with the engine), `quantity` (read a quantity off what `solve` gave), `view`
(what a show step shows) and `solution` (what a worked solution shows). The rest have defaults
that do nothing, for families that need no manifest table, no checks beyond rendering, no
preparation before solving, no picture to save.
"""

from __future__ import annotations

from typing import Protocol


class Report(Protocol):
    """What the lesson loader offers a family (or a quiz kind) while it reads a manifest: every problem is one
    line, prefixed with the file and the step or entry being read."""

    def problem(self, message: str) -> None: ...

    def entry(self, label: str | None) -> None:
        """Problems from now on are about this manifest entry ("circuit fresh-add"); None: the manifest."""

    def number(self, value, what: str):
        """A TOML number or a number written as text ("11/10", "−4"); None (reported) if neither."""

    def text(self, value, what: str) -> dict | None:
        """A localized text { en = "…", ko = "…" }; None (reported) if it is not one."""

    def tables_in(self, items: list, name: str, keys: set[str]):
        """(what, table) for each table of a list like choices = [ {…}, … ] ("choices[2]"),
        reporting the items that are not tables and the keys a table should not have."""


class SourceFamily:
    name: str = ""  # its key in SOURCES; sources and quantities carry it as `.family`
    description: str = ""  # in messages: "a training run"
    keys: tuple[str, ...] = ()  # the step keys that name a source of this family
    companions: dict[str, str] = {}  # step keys that only go with it -> what they go with
    table: str | None = None  # a manifest table of named entries it owns ([circuits.<name>])
    views: tuple[str, ...] = ()  # the show views it offers …
    default_view: str = ""  # … and the one a show step gets when it names none
    quantity_forms: str = ""  # the quantity forms it reads, for the "cannot read" message
    backward_steps: bool = False  # its results have backward steps (solution_step applies)
    picture_views: tuple[str, ...] = ()  # the views that draw a picture `picture` can save

    # -- reading the manifest -------------------------------------------------------------------
    def parse_table(self, raw, report: Report) -> dict:
        """The entries of this family's manifest table (raw: the TOML value, {} if absent)."""
        return {}

    def parse(self, raw: dict, entries: dict, report: Report):
        """The source a step names with this family's keys (entries: its table); None if
        there is a problem (reported)."""
        raise NotImplementedError

    def check_show(self, step, report: Report) -> None:
        """Extra checks of a show step's view (e.g. a view that needs another key)."""

    def parse_quantity(self, kind: str, parts: list[str], text: str):
        """A Quantity of this family for `kind:part:part…`, or None if it is not one."""
        raise NotImplementedError

    # -- answering --------------------------------------------------------------------------------
    def solve(self, source):
        """Compute with the engine: a trace, a layers report, a training outcome …"""
        raise NotImplementedError

    def quantity(self, q, result):
        """The quantity's value read off `result`: a number, a shape tuple, a nested list, a word.
        Raises QuantityError when it cannot be read there."""
        raise NotImplementedError

    def known_mistakes(self, q, result) -> list[tuple[object, str]]:
        """Wrong answers a learner is likely to give, each with the UI message key naming the slip."""
        return []

    def solution_step(self, q, result) -> int | None:
        """The backward step a worked solution shows (families with backward steps)."""
        return None

    # -- checking ---------------------------------------------------------------------------------
    def preflight(self, source) -> str | None:
        """A one-line reason not to solve this source in `dev check` (too slow), or None."""
        return None

    def check_table(self, entries: dict, steps: list) -> list[str]:
        """Problems of the table's entries, also those no step uses yet (one line each)."""
        return []

    def check_view(self, step, result, languages) -> list[str]:
        """Problems of what a show step shows; by default: its view renders in every language."""
        from gradtutor.render.term import plain_text

        for lang in languages:
            plain_text(self.view(step, result, lang))
        return []

    def check_solution(self, step, key, languages) -> list[str]:
        """Problems of a quiz's worked solution."""
        return []

    # -- showing ----------------------------------------------------------------------------------
    def prepare(self, source, console, lang: str, live: bool) -> None:
        """Before solving in front of a learner (live: at a terminal), e.g. train with a progress bar."""

    def view(self, step, result, lang: str):
        """The renderable a show step displays."""
        raise NotImplementedError

    def show(self, step, result, lang: str) -> list:
        """Everything a show step prints: its view, and any note after it."""
        return [self.view(step, result, lang)]

    def solution(self, step, key, lang: str) -> list:
        """The renderables of a quiz's worked solution after the answer and the why (key.trace:
        what `solve` gave)."""
        raise NotImplementedError

    def picture(self, step, result, lang: str):
        """The picture a show step's view draws, for `gradtutor figure` to save as SVG or PNG
        (a render.picture.Picture, titled in `lang`); None where the view is no picture (a
        table). A family that draws one lists those views in `picture_views`."""
        return None


REQUIRED = ("parse", "parse_quantity", "solve", "quantity", "view", "solution")


class NamedEntryFamily(SourceFamily):
    """A family whose step key names an entry of its own manifest table (`update = "step-b2"` and
    `[update.step-b2]`): reading the table and the step is the same for all of them. A subclass
    sets `table` (also its one key) and `spec(name, table)`, which builds the entry's record or
    raises `spec_error` with a one-line message."""

    spec_error: type[Exception] = ValueError

    def spec(self, name: str, table):
        raise NotImplementedError

    def parse_table(self, raw, report: Report) -> dict:
        if not isinstance(raw, dict):
            report.problem(f"[{self.table}] must be a table of entries: [{self.table}.<name>]")
            return {}
        found = {}
        for name, table in raw.items():
            report.entry(f"{self.table} {name}")
            try:
                found[name] = self.spec(name, table)
            except self.spec_error as exc:
                report.problem(str(exc))
        return found

    def parse(self, raw: dict, entries: dict, report: Report):
        name = raw[self.table]
        if name not in entries:
            report.problem(f"unknown {self.table} {name!r} (defined: {', '.join(entries) or 'none'})")
            return None
        return entries[name]
