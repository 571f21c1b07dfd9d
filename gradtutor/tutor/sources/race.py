"""The race family: several training runs side by side, `race = "<name>"` naming a
`[race.<name>]` table. The keys outside `runs` are shared (those of a `[training.<name>]` table);
each run overrides some of them:

    [race.spiral]
    model = "mlp"
    data = "spiral"
    epochs = 20
    runs.sgd = { optimizer = "sgd", lr = 0.05 }
    runs.momentum = { optimizer = "momentum", lr = 0.05 }
    runs.adam = { optimizer = "adam" }

Every run is a lesson training run (gradtutor.tutor.training), trained once per process.

Quantities: loss:<run>, accuracy:<run>, test_loss:<run>, test_accuracy:<run> (after training),
gap:<run> (training accuracy − held-out accuracy), epochs:<run> (epochs trained: fewer when early
stopping ended it), best_epoch:<run> (early stopping: the epoch whose weights were kept),
lowest:<figure> / highest:<figure> (which run, for any of the figures above).
View: race (the curves of every run on one plot per figure, and a table of the final figures);
its picture: those plots, for `gradtutor figure` to save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from gradtutor.tutor import training as runs
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import SourceFamily

FIGURES = ("loss", "accuracy", "test_loss", "test_accuracy", "gap", "epochs", "best_epoch")


@dataclass(frozen=True, slots=True)
class Race:
    family: ClassVar[str] = "race"
    name: str
    runs: tuple[tuple[str, runs.Training], ...]  # (label, run), in the table's order


@dataclass(frozen=True)
class Raced:
    race: Race
    outcomes: tuple[tuple[str, object], ...]  # (label, training.Outcome)

    def outcome(self, label: str, text: str):
        for name, outcome in self.outcomes:
            if name == label:
                return outcome
        raise QuantityError(f"{text}: race {self.race.name} has no run {label!r} "
                            f"(runs: {', '.join(name for name, _ in self.outcomes)})")


def figure(kind: str, outcome) -> float | None:
    """One final figure of a finished run; None where the run has none."""
    f = outcome.figures
    if kind == "gap":
        return None if f.test_accuracy is None or f.accuracy is None else f.accuracy - f.test_accuracy
    if kind == "epochs":
        return len(outcome.history.epochs)
    if kind == "best_epoch":
        return outcome.history.best_epoch
    return getattr(f, kind)


class RaceFamily(SourceFamily):
    name = "race"
    description = "race between training runs"
    keys = ("race",)
    table = "race"
    views = ("race",)
    default_view = "race"
    picture_views = ("race",)
    quantity_forms = ", ".join(f"{kind}:<run>" for kind in FIGURES) + ", lowest:<figure>, highest:<figure>"

    def parse_table(self, raw, report) -> dict[str, Race]:
        if not isinstance(raw, dict):
            report.problem("[race] must be a table of races: [race.<name>]")
            return {}
        found = {}
        for name, table in raw.items():
            report.entry(f"race {name}")
            if not isinstance(table, dict) or not isinstance(table.get("runs"), dict) or len(table["runs"]) < 2:
                report.problem("needs the shared settings and runs = a table of at least two runs")
                continue
            shared = {key: value for key, value in table.items() if key != "runs"}
            parsed = []
            for label, overrides in table["runs"].items():
                if not isinstance(overrides, dict):
                    report.problem(f"run {label}: a table of settings, e.g. {{ optimizer = \"sgd\" }}")
                    break
                try:
                    parsed.append((label, runs.spec(f"{name}/{label}", {**shared, **overrides})))
                except runs.TrainingError as error:
                    report.problem(f"run {label}: {error}")
                    break
            else:
                found[name] = Race(name, tuple(parsed))
        return found

    def parse(self, raw, entries, report) -> Race | None:
        name = raw["race"]
        if name not in entries:
            report.problem(f"unknown race {name!r} (races: {', '.join(entries) or 'none defined'})")
            return None
        return entries[name]

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if kind in FIGURES and len(parts) == 1 and parts[0]:
            return Quantity(kind, text, node=parts[0], family=self.name, number=True)
        if kind in ("lowest", "highest") and len(parts) == 1 and parts[0] in FIGURES:
            return Quantity(kind, text, of=parts[0], family=self.name)
        return None

    def solve(self, source: Race) -> Raced:
        return Raced(source, tuple((label, runs.run(training)) for label, training in source.runs))

    def quantity(self, q, result: Raced):
        if q.kind in ("lowest", "highest"):
            values = {label: figure(q.of, outcome) for label, outcome in result.outcomes}
            if None in values.values():
                raise QuantityError(f"{q.text}: not every run of race {result.race.name} has {q.of}")
            pick = min if q.kind == "lowest" else max
            return pick(values, key=values.get)
        value = figure(q.kind, result.outcome(q.node, q.text))
        if value is None:
            raise QuantityError(f"{q.text}: run {q.node} has no {q.kind} (no held-out data or no early stopping)")
        return value

    def known_mistakes(self, q, result: Raced) -> list[tuple[object, str]]:
        """The gap taken the other way round (held-out minus training)."""
        if q.kind == "gap":
            value = figure("gap", result.outcome(q.node, q.text))
            if value:
                return [(-value, "race_gap_reversed")]
        return []

    def preflight(self, source: Race) -> str | None:
        return next((slow for _, training in source.runs if (slow := runs.too_slow(training))), None)

    def check_table(self, entries, steps) -> list[str]:
        problems = []
        for race in entries.values():
            slow = self.preflight(race)
            if slow and not any(step.source == race for step in steps):
                problems.append(slow)
        return problems

    def prepare(self, source: Race, console, lang, live) -> None:
        """Train the runs now, one after another, with a live bar per run at a terminal."""
        from gradtutor.tutor.sources.training import TRAINING

        for _, training in source.runs:
            TRAINING.prepare(training, console, lang, live)

    def view(self, step, result: Raced, lang):
        from gradtutor.render.race import race_view

        return race_view(_rows(result, lang), lang)

    def picture(self, step, result: Raced, lang):
        from gradtutor.render.race import race_picture

        return race_picture(_rows(result, lang), lang)

    def solution(self, step, key, lang) -> list:
        from gradtutor.render.race import race_table

        return [race_table(_rows(key.trace, lang), lang)]


def _rows(result: Raced, lang: str):
    """What the race renderer takes: one RaceRun per run."""
    from gradtutor.render.race import RaceRun

    found = []
    for label, outcome in result.outcomes:
        f = outcome.facts
        settings = _settings(outcome.training, lang)
        found.append(RaceRun(label, settings, f.data, outcome.history, outcome.figures))
    return found


def _settings(training: runs.Training, lang: str) -> str:
    """The run's distinguishing settings in a few words: "adam lr 0.01, dropout 0.5"."""
    from gradtutor.numbers import human
    from gradtutor.tutor.text import ui

    parts = [training.optimizer + (f" lr {human(training.lr)}" if training.lr is not None else "")]
    if training.weight_decay:
        parts.append(f"L2 {human(training.weight_decay)}")
    if training.l1:
        parts.append(f"L1 {human(training.l1)}")
    if training.dropout:
        parts.append(ui(lang, "race_dropout", rate=human(training.dropout)))
    if training.batch_norm:
        parts.append(ui(lang, "race_batch_norm"))
    if training.schedule != "constant":
        parts.append(training.schedule)
    if training.patience is not None:
        parts.append(f"patience {training.patience}")
    return ", ".join(parts)


RACE = RaceFamily()
