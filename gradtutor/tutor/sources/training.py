"""The training family: a run of the real training loop, `training = "<name>"` naming a
`[training.<name>]` table (gradtutor.tutor.training).

Quantities: loss, accuracy, test_loss, test_accuracy, baseline, sequence_accuracy (after
training). View: train; its picture: the loss (and accuracy) curves.
"""

from __future__ import annotations

from gradtutor.render.training import lesson_view, summary
from gradtutor.tutor import training as runs
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import NamedEntryFamily

KINDS = ("loss", "accuracy", "test_loss", "test_accuracy", "baseline", "sequence_accuracy")
_MISSING = {
    "accuracy": "a regression run has no accuracy",
    "test_accuracy": "this run has no held-out accuracy",
    "test_loss": "this run holds no data out",
    "baseline": "this data set has no baseline",
    "sequence_accuracy": "only a seq2seq run is scored by whole sequences",
}


class TrainingFamily(NamedEntryFamily):
    name = "training"
    description = "training run"
    keys = ("training",)
    table = "training"
    views = ("train",)
    default_view = "train"
    picture_views = ("train",)
    quantity_forms = ", ".join(KINDS)

    spec_error = runs.TrainingError

    def spec(self, name, table) -> runs.Training:
        return runs.spec(name, table)

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if kind in KINDS and not parts:
            return Quantity(kind, text, family=self.name, number=True)
        return None

    def solve(self, source: runs.Training) -> runs.Outcome:
        return runs.run(source)

    def quantity(self, q, outcome: runs.Outcome) -> float:
        """Loss, accuracy (a fraction 0…1), test_loss, test_accuracy, baseline, sequence_accuracy."""
        value = getattr(outcome.figures, q.kind)
        if value is None:
            raise QuantityError(f"{q.text}: {_MISSING[q.kind]}")
        return float(value)

    def preflight(self, source: runs.Training) -> str | None:
        return runs.too_slow(source)  # not run: the check itself stays fast

    def check_table(self, entries, steps) -> list[str]:
        problems = []
        for run in entries.values():  # also the ones no step uses (yet); estimated, not run
            too_slow = runs.too_slow(run)
            if too_slow and not any(step.source == run for step in steps):
                problems.append(too_slow)
        return problems

    def prepare(self, source: runs.Training, console, lang, live) -> None:
        """Run the training now, with a live progress bar at a terminal (scripted output shows
        only the result, so transcripts are the same on every run)."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from gradtutor.tutor.text import ui

        if runs.cached(source) or not live:
            return
        progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
            console=console, transient=True,
        )
        epochs = runs.resolved(source).settings["epochs"]
        with progress:
            task = progress.add_task(ui(lang, "train_progress", epoch=1, epochs=epochs), total=None, loss="…")

            def on_batch(epoch, batch, batches, loss):
                if batch == batches or batch % 10 == 1:  # reading the loss syncs a GPU: not every batch
                    label = ui(lang, "train_progress", epoch=epoch, epochs=epochs)
                    progress.update(task, completed=batch, total=batches, description=label, loss=f"{float(loss.data):.4f}")

            runs.run(source, on_batch=on_batch)

    def view(self, step, outcome, lang):
        """What was trained, the loss (and accuracy) curves, the final figures and, for 2-D data,
        the decision boundary with the training points on it."""
        drawn = (outcome.boundary, outcome.points, outcome.labels) if outcome.boundary is not None else None
        return lesson_view(outcome.facts, outcome.history, outcome.figures, drawn, lang)

    def show(self, step, outcome, lang) -> list:
        """The view, then a transformer's attention weights on one held-out example."""
        shown = [self.view(step, outcome, lang)]
        if outcome.attention is not None:
            from gradtutor.render.attention import terminal_map

            shown.append(terminal_map(*outcome.attention, outcome.facts.data))
        return shown

    def picture(self, step, outcome, lang):
        """The view's loss (and accuracy) curves; the decision boundary stays in the terminal."""
        from gradtutor.render.training import lesson_picture

        return lesson_picture(outcome.facts, outcome.history, outcome.figures, lang)

    def solution(self, step, key, lang) -> list:
        return [summary(key.trace.figures, lang)]


TRAINING = TrainingFamily()
