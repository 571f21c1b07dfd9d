"""The perceptron family: `perceptron = "<name>"` naming a `[perceptron.<name>]` table (data,
rule, epochs, lr, samples, seed; gradtutor.tutor.perceptron): one neuron trained example by example.

Quantities (after the last epoch): misclassified, mse, weight:I (from 1), bias, converged_epoch
(the first epoch with every point right), updates:E (how many points moved w in epoch E).
View: run (per epoch: updates, misclassified or MSE, weights; for 2-D data the line drawn).
"""

from __future__ import annotations

from gradtutor.numbers import human
from gradtutor.tutor import perceptron as neurons
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import NamedEntryFamily

PLAIN = ("misclassified", "mse", "bias", "converged_epoch")
ROWS = 12  # epochs shown in the view: the first ones and the last


class PerceptronFamily(NamedEntryFamily):
    name = "perceptron"
    description = "perceptron run"
    keys = ("perceptron",)
    table = "perceptron"
    views = ("run",)
    default_view = "run"
    quantity_forms = "misclassified, mse, weight:I, bias, converged_epoch, updates:E"

    spec_error = neurons.NeuronError

    def spec(self, name, table):
        return neurons.spec(name, table)

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if kind in PLAIN and not parts:
            return Quantity(kind, text, family=self.name, number=True)
        if kind in ("weight", "updates") and len(parts) == 1 and parts[0].isdigit() and int(parts[0]) >= 1:
            return Quantity(kind, text, index=int(parts[0]), family=self.name, number=True)
        return None

    def solve(self, source: neurons.Neuron) -> neurons.Outcome:
        return neurons.run(source)

    def quantity(self, q, outcome: neurons.Outcome):
        last = outcome.last
        if q.kind in ("misclassified", "converged_epoch") and outcome.neuron.regression:
            raise QuantityError(f"{q.text}: a regression run classifies nothing")
        if q.kind == "misclassified":
            return last.misclassified
        if q.kind == "mse":
            return last.mse
        if q.kind == "bias":
            return last.bias
        if q.kind == "converged_epoch":
            found = outcome.converged_epoch()
            if found is None:
                raise QuantityError(f"{q.text}: the run never classifies every point right")
            return found
        if q.kind == "weight":
            if q.index > len(last.weights):
                raise QuantityError(f"{q.text}: the neuron has weights 1 to {len(last.weights)}")
            return last.weights[q.index - 1]
        if q.index > len(outcome.epochs):
            raise QuantityError(f"{q.text}: the run has epochs 1 to {len(outcome.epochs)}")
        return outcome.epochs[q.index - 1].updates

    def view(self, step, outcome, lang):
        return run_view(outcome, lang)

    def solution(self, step, key, lang) -> list:
        return [run_view(key.trace, lang, boundary=False)]


def run_view(outcome: neurons.Outcome, lang: str, boundary: bool = True):
    """What was trained, one row per epoch (the first ones and the last), the final line; for 2-D
    data, the plane shaded by the class the neuron gives it, with every point marked."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from gradtutor.render.fit import Prose
    from gradtutor.render.fmt import written
    from gradtutor.tutor.text import ui

    n = outcome.neuron
    about = ui(lang, "neuron_about", rule=ui(lang, f"rule_{n.rule}"), data=n.data, points=len(outcome.points),
               epochs=n.epochs, lr=human(n.lr))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    figure = "neuron_col_mse" if n.regression else "neuron_col_wrong"
    for column in ("neuron_col_epoch", "neuron_col_updates", figure, "neuron_col_weights", "neuron_col_bias"):
        table.add_column(ui(lang, column), justify="right")
    shown = outcome.epochs if len(outcome.epochs) <= ROWS else outcome.epochs[: ROWS - 2] + [None] + outcome.epochs[-1:]
    for e in shown:
        if e is None:
            table.add_row("…", "", "", "", "")
            continue
        score = written(e.mse, 3) if n.regression else str(e.misclassified)
        table.add_row(str(e.number), str(e.updates), score, ", ".join(written(w, 3) for w in e.weights), written(e.bias, 3))
    parts = [Prose(Text(about, style="bold")), table]
    if boundary and len(outcome.points[0]) == 2:
        from gradtutor.render.boundary import decision_boundary

        parts.append(decision_boundary(_grid(outcome), outcome.points, [int(t) for t in outcome.targets], lang))
    return Group(*parts)


def _grid(outcome: neurons.Outcome, columns: int = 40, rows: int = 12):
    """The class the trained neuron gives the centre of each cell around the points."""
    from gradtutor.train.boundary import Grid

    xs = [p[0] for p in outcome.points]
    ys = [p[1] for p in outcome.points]
    pad_x, pad_y = 0.15 * ((max(xs) - min(xs)) or 1), 0.15 * ((max(ys) - min(ys)) or 1)
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
    last, n = outcome.last, outcome.neuron
    threshold = 0.0 if n.rule == "perceptron" else 0.5

    def cls(x, y):
        return int(last.weights[0] * x + last.weights[1] * y + last.bias > threshold)

    grid = tuple(
        tuple(cls(x0 + (c + 0.5) * (x1 - x0) / columns, y1 - (r + 0.5) * (y1 - y0) / rows) for c in range(columns))
        for r in range(rows)
    )
    return Grid(grid, (x0, x1), (y0, y1))


PERCEPTRON = PerceptronFamily()
