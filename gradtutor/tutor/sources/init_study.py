"""The initialisation-study family: `init_study = "<name>"` naming an `[init_study.<name>]` table
(gradtutor.tutor.init_study): a deep tanh or ReLU stack run once per initialiser.

Quantities (I: an initialiser of the study, L: a layer from 1): act_std:I:L, act_mean:I:L,
saturated:I:L (a fraction 0…1), grad_std:I:L, largest_std:L / smallest_std:L (which initialiser).
Views: histograms (per initialiser, one row per layer; also a picture `gradtutor figure` saves),
stats (std per layer and initialiser).
"""

from __future__ import annotations

from gradtutor.numbers import human
from gradtutor.render.fmt import written
from gradtutor.tutor import init_study as studies
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import NamedEntryFamily

PER_LAYER = {"act_std": "std", "act_mean": "mean", "saturated": "saturated", "grad_std": "grad_std"}
WHICH = ("largest_std", "smallest_std")
TITLES = {"std": "study_std_title", "mean": "study_mean_title", "saturated": "study_flat_title",
          "grad_std": "study_grad_title"}


def _layer(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) >= 1 else None


class InitStudyFamily(NamedEntryFamily):
    name = "init_study"
    description = "initialisation study"
    keys = ("init_study",)
    table = "init_study"
    views = ("histograms", "stats")
    default_view = "histograms"
    picture_views = ("histograms",)
    quantity_forms = "act_std:I:L, act_mean:I:L, saturated:I:L, grad_std:I:L, largest_std:L, smallest_std:L"

    spec_error = studies.StudyError

    def spec(self, name, table):
        return studies.spec(name, table)

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if kind in PER_LAYER and len(parts) == 2 and parts[0] in studies.INITS and _layer(parts[1]):
            return Quantity(kind, text, of=parts[0], index=_layer(parts[1]), family=self.name, number=True)
        if kind in WHICH and len(parts) == 1 and _layer(parts[0]):
            return Quantity(kind, text, index=_layer(parts[0]), family=self.name)
        return None

    def solve(self, source: studies.Study) -> studies.Outcome:
        return studies.run(source)

    def quantity(self, q, outcome: studies.Outcome):
        study = outcome.study
        if q.index > study.layers:
            raise QuantityError(f"{q.text}: the study {study.name} has layers 1 to {study.layers}")
        if q.kind in WHICH:
            stds = {init: layers[q.index - 1].std for init, layers in outcome.runs.items()}
            pick = max if q.kind == "largest_std" else min
            return pick(stds, key=stds.get)
        if q.of not in outcome.runs:
            raise QuantityError(f"{q.text}: the study {study.name} runs {', '.join(study.inits)}, not {q.of}")
        return getattr(outcome.runs[q.of][q.index - 1], PER_LAYER[q.kind])

    def known_mistakes(self, q, outcome) -> list[tuple[object, str]]:
        """The first layer's figure where the asked layer's is due (the signal has not travelled yet)."""
        if q.kind not in PER_LAYER or q.of not in outcome.runs or q.index == 1:
            return []
        first = getattr(outcome.runs[q.of][0], PER_LAYER[q.kind])
        return [(first, "first_layer")] if first != self.quantity(q, outcome) else []

    def preflight(self, source) -> str | None:
        return studies.too_slow(source)

    def view(self, step, outcome, lang):
        return histograms_view(outcome, lang) if step.view == "histograms" else stats_table(outcome, lang)

    def picture(self, step, outcome, lang):
        """The histograms view's stacks, one per initialiser, under the study's description."""
        from gradtutor.render.histogram import histograms_picture

        if step.view != "histograms":
            return None
        return histograms_picture(_about(outcome.study, lang), _histograms(outcome, lang))

    def solution(self, step, key, lang) -> list:
        """The per-layer table of the figure asked about (for a wrapped one, of what it wraps)."""
        q = step.quantity
        while q.inner is not None:
            q = q.inner
        field = PER_LAYER.get(q.kind, "std")
        return [_per_layer(key.trace, field, TITLES[field], lang)]


def histograms_view(outcome: studies.Outcome, lang: str):
    """Per initialiser: its rule, then one histogram per layer with its std and saturated share."""
    from rich.console import Group

    from gradtutor.render.histogram import terminal_histograms
    from gradtutor.tutor.text import ui

    study = outcome.study
    parts = [_about(study, lang)]
    if study.activation == "relu":
        parts.append(ui(lang, "study_relu_zeros"))
    for heading, rows in _histograms(outcome, lang):
        parts += ["", terminal_histograms(heading, rows)]
    return Group(*parts)


def _about(study: studies.Study, lang: str) -> str:
    from gradtutor.tutor.text import ui

    return ui(lang, "study_about", activation=study.activation, layers=study.layers, width=study.width,
              samples=study.samples)


def _histograms(outcome: studies.Outcome, lang: str) -> list:
    """(heading, one Histogram per layer) for each initialiser, in the study's order."""
    from gradtutor.render.histogram import Histogram
    from gradtutor.tutor.text import ui

    groups = []
    for init, layers in outcome.runs.items():
        rows = [Histogram(str(n), layer.counts, outcome.lo, outcome.hi,
                          ui(lang, "study_note", std=human(layer.std, 3), saturated=f"{layer.saturated:.0%}"))
                for n, layer in enumerate(layers, 1)]
        groups.append((ui(lang, "study_init", init=init, rule=ui(lang, f"init_{init}")), rows))
    return groups


def stats_table(outcome: studies.Outcome, lang: str):
    """Two tables, one row per layer and one column per initialiser: the activations' std on the
    way forward, then the std of the gradient each layer's output receives on the way back."""
    from rich.console import Group

    return Group(_per_layer(outcome, "std", TITLES["std"], lang), "",
                 _per_layer(outcome, "grad_std", TITLES["grad_std"], lang))


def _per_layer(outcome: studies.Outcome, field: str, title: str, lang: str):
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from gradtutor.tutor.text import ui

    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column(ui(lang, "study_col_layer"), justify="right")
    for init in outcome.runs:
        table.add_column(init, justify="right")
    for n in range(outcome.study.layers):
        table.add_row(str(n + 1), *(_figure(getattr(layers[n], field), field) for layers in outcome.runs.values()))
    return Group(Text(ui(lang, title), style="bold"), table)


def _figure(value: float, field: str) -> str:
    return f"{value:.1%}" if field == "saturated" else written(value, 3)


INIT_STUDY = InitStudyFamily()
