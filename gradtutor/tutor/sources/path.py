"""The path family: optimizers descending a function of two variables, `path = "<name>"` naming a
`[path.<name>]` table. Every run starts at the same point; the real optimizers of
gradtutor.train.optim take the steps, with gradients from the scalar engine (train/paths.py).

    [path.bowl]
    function = "elongated-bowl"         # a named surface, or an expression in x and y
    start = [-7, 2]                     # default: the named surface's start
    steps = 30
    minimum = [0, 0]                    # default: the named surface's minimum (for distance:)
    runs.sgd = { lr = 0.95 }            # optimizer = the run's label unless `optimizer` names one
    runs.adam = { lr = 0.3 }
    runs.slow-adam = { optimizer = "adam", lr = 0.05 }

Quantities: final:<run> (f where it ended), length:<run> (distance travelled), distance:<run>
(from the end to the minimum), x:<run>[:<k>], y:<run>[:<k>] (the position after k steps, default
the last), lowest:<figure> / highest:<figure> (which run: figure final, length or distance).
View: paths (the contour map with every path, and a table); its picture: the map with a legend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from gradtutor import names
from gradtutor.tutor.quantities import Quantity, QuantityError
from gradtutor.tutor.source_family import SourceFamily

FIGURES = ("final", "length", "distance")
POSITIONS = ("x", "y")
OPTIONS = {"optimizer", "lr", "momentum", "rho", "beta1", "beta2", "eps"}
MAX_STEPS = 500


@dataclass(frozen=True, slots=True)
class Descent:
    family: ClassVar[str] = "path"
    name: str
    function: str
    start: tuple[float, float]
    steps: int
    runs: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...]  # (label, optimizer, options)
    minimum: tuple[float, float] | None = None


@dataclass(frozen=True)
class Descended:
    descent: Descent
    paths: tuple  # train.paths.Path, one per run, in the table's order (its optimizer is the label)


def _pair(value, what: str, report):
    if not (isinstance(value, list) and len(value) == 2):
        report.problem(f"{what} must be a pair [x, y], got {value!r}")
        return None
    numbers = [report.number(v, what) for v in value]
    return None if None in numbers else tuple(float(v) for v in numbers)


class PathFamily(SourceFamily):
    name = "path"
    description = "optimizer path"
    keys = ("path",)
    table = "path"
    views = ("paths",)
    default_view = "paths"
    picture_views = ("paths",)
    quantity_forms = "final:<run>, length:<run>, distance:<run>, x:<run>[:<step>], y:<run>[:<step>], lowest:<figure>, highest:<figure>"

    def parse_table(self, raw, report) -> dict[str, Descent]:
        from gradtutor.train import paths

        if not isinstance(raw, dict):
            report.problem("[path] must be a table of paths: [path.<name>]")
            return {}
        found = {}
        for name, table in raw.items():
            report.entry(f"path {name}")
            if not isinstance(table, dict):
                report.problem("must be a table with function = \"…\" and runs")
                continue
            unknown = set(table) - {"function", "start", "steps", "minimum", "runs"}
            if unknown:
                report.problem(f"unknown key {sorted(unknown)[0]!r} (keys: function, start, steps, minimum, runs)")
                continue
            function = table.get("function")
            if not isinstance(function, str):
                report.problem('needs function = "…" (a named surface or an expression in x and y)')
                continue
            named = paths.FUNCTIONS.get(function)
            start = _pair(table["start"], "start", report) if "start" in table else (named[1] if named else None)
            minimum = _pair(table["minimum"], "minimum", report) if "minimum" in table else (named[3] if named else None)
            steps = table.get("steps", 30)
            if start is None:
                report.problem("needs start = [x, y] (only a named surface has a default start)")
                continue
            if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
                report.problem(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
                continue
            runs = self._runs(table.get("runs"), report)
            if not runs:
                continue
            descent = Descent(name, function, start, steps, runs, minimum)
            try:
                paths.compiled(function)
            except paths.PathError as error:
                report.problem(str(error))
                continue
            found[name] = descent
        return found

    def _runs(self, raw, report):
        if not isinstance(raw, dict) or not raw:
            report.problem("needs runs = a table of runs, e.g. runs.sgd = { lr = 0.95 }")
            return ()
        runs = []
        for label, options in raw.items():
            if not isinstance(options, dict) or set(options) - OPTIONS:
                report.problem(f"run {label}: a table of {', '.join(sorted(OPTIONS))}")
                return ()
            optimizer = options.get("optimizer", label)
            problem = names.check("optimizer", optimizer)
            if problem:
                report.problem(f"run {label}: {problem}")
                return ()
            numbers = []
            for key, value in options.items():
                if key != "optimizer":
                    number = report.number(value, f"run {label}: {key}")
                    if number is None:
                        return ()
                    numbers.append((key, float(number)))
            runs.append((label, optimizer, tuple(numbers)))
        return tuple(runs)

    def parse(self, raw, entries, report) -> Descent | None:
        name = raw["path"]
        if name not in entries:
            report.problem(f"unknown path {name!r} (paths: {', '.join(entries) or 'none defined'})")
            return None
        return entries[name]

    def parse_quantity(self, kind, parts, text) -> Quantity | None:
        if kind in FIGURES and len(parts) == 1:
            return Quantity(kind, text, node=parts[0], family=self.name, number=True)
        if kind in POSITIONS and len(parts) in (1, 2):
            if len(parts) == 2 and not parts[1].isdigit():
                return None
            index = int(parts[1]) if len(parts) == 2 else None
            return Quantity(kind, text, node=parts[0], index=index, family=self.name, number=True)
        if kind in ("lowest", "highest") and len(parts) == 1 and parts[0] in FIGURES:
            return Quantity(kind, text, of=parts[0], family=self.name)
        return None

    def solve(self, source: Descent) -> Descended:
        return _descend(source)

    def quantity(self, q, result: Descended):
        if q.kind in ("lowest", "highest"):
            figures = {path.optimizer: self._figure(q.of, path, result.descent) for path in result.paths}
            pick = min if q.kind == "lowest" else max
            return pick(figures, key=figures.get)
        path = _path(result, q.node, q.text)
        if q.kind in POSITIONS:
            steps = len(path.points) - 1
            index = steps if q.index is None else q.index
            if index > steps:
                raise QuantityError(f"{q.text}: the path {q.node} has {steps} steps")
            return path.points[index][POSITIONS.index(q.kind)]
        return self._figure(q.kind, path, result.descent)

    @staticmethod
    def _figure(kind, path, descent):
        if kind == "final":
            return path.final
        if kind == "length":
            return path.length
        if descent.minimum is None:
            raise QuantityError(f"distance: path {descent.name} names no minimum = [x, y]")
        return path.distance_to(descent.minimum)

    def known_mistakes(self, q, result) -> list[tuple[object, str]]:
        """A position after a momentum-like step computed as plain gradient descent (the
        velocity forgotten); an Adam step taken without the bias correction."""
        if q.kind not in POSITIONS or q.index is None:
            return []
        from gradtutor.train import paths

        label, optimizer, options = next(run for run in result.descent.runs if run[0] == q.node)
        lr = dict(options).get("lr")
        axis = POSITIONS.index(q.kind)
        mistakes = []
        if optimizer in ("momentum", "nesterov") and q.index >= 2:
            plain = paths.descend(result.descent.function, result.descent.start, "sgd", q.index, lr=lr)
            if len(plain.points) > q.index:
                mistakes.append((plain.points[q.index][axis], "path_no_velocity"))
        if optimizer == "adam" and q.index == 1:
            x0, g = result.descent.start[axis], _first_gradient(result.descent)[axis]
            raw = x0 - (lr if lr is not None else 0.001) * 0.1 * g / (math.sqrt(0.001 * g * g) + 1e-8)
            mistakes.append((raw, "path_no_bias_correction"))
        return mistakes

    def view(self, step, result: Descended, lang):
        from gradtutor.render.paths import paths_view

        return paths_view(*_drawn(result), lang)

    def picture(self, step, result: Descended, lang):
        """The contour map and the paths, titled as the view is."""
        from gradtutor.render.paths import paths_picture, paths_title

        title, surface, window, drawn, minimum = _drawn(result)
        return paths_picture(paths_title(title, drawn, lang), surface, window, drawn, minimum)

    def solution(self, step, key, lang) -> list:
        from gradtutor.render.paths import path_table

        return [path_table(key.trace.paths, key.trace.descent.minimum, lang)]


def _drawn(result: Descended):
    """What the paths renderers take: the function as written, f, the window, the paths, the minimum."""
    from gradtutor.train import paths

    function = result.descent.function
    return (paths.expression_of(function), paths.surface(function), paths.window_of(function, result.paths),
            result.paths, result.descent.minimum)


def _path(result: Descended, label: str, text: str):
    for path in result.paths:
        if path.optimizer == label:
            return path
    raise QuantityError(f"{text}: path {result.descent.name} has no run {label!r} "
                        f"(runs: {', '.join(p.optimizer for p in result.paths)})")


@lru_cache(maxsize=32)
def _descend(source: Descent) -> Descended:
    from gradtutor.train import paths

    runs = {label: (optimizer, dict(options)) for label, optimizer, options in source.runs}
    return Descended(source, paths.picture(source.function, runs, source.start, source.steps).paths)


def _first_gradient(descent: Descent):
    from gradtutor.train import paths

    _, gx, gy = paths.compiled(descent.function)(*descent.start)
    return gx, gy


PATH = PathFamily()
