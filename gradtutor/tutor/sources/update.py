"""The update family: `update = "<name>"` naming an `[update.<name>]` table (example, param, lr,
bug; gradtutor.tutor.update_step): one gradient-descent step on one parameter, and its gradient check.

Quantities: loss_before, loss_after, loss_drop (before − after), updated (the parameter after the
step, an array), check_error (the largest relative difference between the backward pass and
central differences), grad_ratio (the median of backward ÷ central difference over the entries).
Views: update (the parameter, its gradient, the step, the loss before and after), gradcheck (per
entry: backward pass beside central difference, relative error).
"""

from __future__ import annotations

from gradtutor.numbers import human
from gradtutor.tutor import update_step as steps
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import NamedEntryFamily

NUMBERS = ("loss_before", "loss_after", "loss_drop", "check_error", "grad_ratio")


class UpdateFamily(NamedEntryFamily):
    name = "update"
    description = "update step"
    keys = ("update",)
    table = "update"
    views = ("update", "gradcheck")
    default_view = "update"
    quantity_forms = "loss_before, loss_after, loss_drop, updated, check_error, grad_ratio"

    spec_error = steps.UpdateError

    def spec(self, name, table):
        return steps.spec(name, table)

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if parts:
            return None
        if kind in NUMBERS:
            return Quantity(kind, text, family=self.name, number=True)
        if kind == "updated":
            return Quantity(kind, text, family=self.name)
        return None

    def solve(self, source: steps.Update) -> steps.Outcome:
        return steps.run(source)

    def quantity(self, q, outcome: steps.Outcome):
        from gradtutor.backend import host as numpy

        if q.kind == "updated":
            return _plain(outcome.updated)
        if q.kind == "check_error":
            return float(outcome.relative_errors.max())
        if q.kind == "grad_ratio":
            ratios = [g / n for g, n in zip(outcome.grad.ravel(), outcome.numeric.ravel()) if abs(n) > 1e-9]
            if not ratios:
                raise QuantityError(f"{q.text}: every central difference is zero")
            return float(numpy.median(ratios))
        if q.kind == "loss_drop":
            return outcome.loss_before - outcome.loss_after
        return getattr(outcome, q.kind)

    def known_mistakes(self, q, outcome) -> list[tuple[object, str]]:
        """The step taken uphill (w + lr·g), the gradient subtracted without the learning rate."""
        if q.kind != "updated":
            return []
        lr = outcome.update.lr
        return [(_plain(outcome.value + lr * outcome.engine_grad), "step_uphill"), (_plain(outcome.value - outcome.engine_grad), "step_no_lr")]

    def view(self, step, outcome, lang):
        return update_view(outcome, lang) if step.view == "update" else gradcheck_table(outcome, lang)

    def solution(self, step, key, lang) -> list:
        return [update_view(key.trace, lang)] if step.quantity.kind in ("updated", "loss_after", "loss_drop", "loss_before") \
            else [gradcheck_table(key.trace, lang)]


def _plain(array):
    return array.tolist() if array.shape else float(array)


def _entry(index) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def update_view(outcome: steps.Outcome, lang: str):
    """Per entry of the parameter: its value, ∂L/∂w, the new value w − lr·∂L/∂w; then the loss."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from gradtutor.render.fmt import written
    from gradtutor.tutor.text import ui

    u = outcome.update
    title = Text(ui(lang, "update_title", param=u.param, example=u.example, lr=human(u.lr)), style="bold")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in ("update_col_entry", "update_col_value", "update_col_grad", "update_col_new"):
        table.add_column(ui(lang, column, param=u.param), justify="right")
    grad = outcome.engine_grad
    for index in steps.numeric_indices(outcome.value):
        table.add_row(u.param + _entry(index), written(outcome.value[index], 4), written(grad[index], 4),
                      written(outcome.updated[index], 4))
    after = ui(lang, "update_loss", before=human(outcome.loss_before, 4), after=human(outcome.loss_after, 4))
    return Group(title, table, Text(after, style="bold"))


def gradcheck_table(outcome: steps.Outcome, lang: str):
    """Per entry: the backward pass's gradient (hand-written with a slip, if the step has a bug),
    the central difference, their relative difference; then the largest one."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from gradtutor.render.fmt import written
    from gradtutor.tutor.text import ui

    u = outcome.update
    title = Text(ui(lang, "check_title", param=u.param, example=u.example, step=human(steps.STEP)), style="bold")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    backward = "check_col_hand" if u.bug else "check_col_backward"
    for column in ("update_col_entry", backward, "check_col_numeric", "check_col_error"):
        table.add_column(ui(lang, column), justify="right")
    errors = outcome.relative_errors
    for index in steps.numeric_indices(outcome.value):
        table.add_row(u.param + _entry(index), written(outcome.grad[index], 4), written(outcome.numeric[index], 4),
                      f"{errors[index]:.1e}")
    worst = float(errors.max())
    verdict = ui(lang, "check_pass" if worst < 1e-6 else "check_fail", error=f"{worst:.1e}")
    return Group(title, table, Text(verdict, style="bold"))


UPDATE = UpdateFamily()
