"""Optimizer paths on a function of two variables: the classic picture of how update rules move.

`descend(function, start, optimizer, steps)` starts at (x, y), asks the scalar engine for
∂f/∂x and ∂f/∂y at every step (the function is an expression of `gradtutor trace`, built and
walked backward like any circuit) and lets the real optimizer of `gradtutor.train.optim` take the
step, so a path shows exactly what training does with those rules. A path that runs off to
infinity stops there and says so (`diverged`).

`FUNCTIONS` names the surfaces lessons use; any expression in x and y works as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from gradtutor.errors import UserError

# name -> (expression, the usual start, the plotting window (x_lo, x_hi, y_lo, y_hi), the minimum)
FUNCTIONS = {
    # Deep Learning from Scratch ch. 6: twenty times flatter along x than along y.
    "elongated-bowl": ("x**2/20 + y**2", (-7.0, 2.0), (-10.0, 10.0, -5.0, 5.0), (0.0, 0.0)),
    "bowl": ("x**2 + y**2", (-4.0, 3.0), (-5.0, 5.0, -5.0, 5.0), (0.0, 0.0)),
    "rosenbrock": ("(1 - x)**2 + 100*(y - x**2)**2", (-1.5, 2.0), (-2.0, 2.0, -1.0, 3.0), (1.0, 1.0)),
}
# The learning rates of the classic picture (Deep Learning from Scratch's, with Nesterov beside
# momentum); None: the optimizer's own default (Adadelta needs none).
CLASSIC = {"sgd": 0.95, "momentum": 0.1, "nesterov": 0.1, "adagrad": 1.5, "rmsprop": 0.3, "adadelta": None, "adam": 0.3}
BLOW_UP = 1e12
MAX_STEPS = 10_000  # a coordinate or value past this is a diverged path, not a number to draw


class PathError(UserError, ValueError):
    """A function or a start that cannot be descended; one line."""


@dataclass(frozen=True)
class Path:
    """The points an optimizer visited, the start first, and f at each."""

    optimizer: str
    points: tuple[tuple[float, float], ...]
    values: tuple[float, ...]
    diverged: bool = False

    @property
    def final(self) -> float:
        return self.values[-1]

    @property
    def length(self) -> float:
        """The distance travelled: the sum of the step lengths."""
        return sum(math.dist(a, b) for a, b in zip(self.points, self.points[1:]))

    def distance_to(self, point) -> float:
        return math.dist(self.points[-1], point)


def expression_of(function: str) -> str:
    """The expression behind a named function, or the text itself."""
    return FUNCTIONS[function][0] if function in FUNCTIONS else function


def window_of(function: str, paths=()) -> tuple[float, float, float, float]:
    """The plotting window: the named function's, or one around the paths with a margin."""
    if function in FUNCTIONS:
        return FUNCTIONS[function][2]
    xs = [x for p in paths for x, _ in p.points if math.isfinite(x)] or [-1.0, 1.0]
    ys = [y for p in paths for _, y in p.points if math.isfinite(y)] or [-1.0, 1.0]
    pad_x, pad_y = (max(xs) - min(xs)) * 0.1 or 1.0, (max(ys) - min(ys)) * 0.1 or 1.0
    return min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y


def compiled(function: str):
    """f(x, y) -> (value, ∂f/∂x, ∂f/∂y) through the scalar engine; PathError if it is not a
    function of x and y."""
    from gradtutor import expr

    source = expression_of(function)
    try:
        parsed = expr.parse(source)
    except expr.ExprError as error:
        raise PathError(str(error)) from None
    strangers = [name for name in parsed.variables if name not in ("x", "y")]
    if strangers:
        raise PathError(f"{source!r}: a path runs over x and y only, not {', '.join(strangers)}")

    def evaluate(x: float, y: float) -> tuple[float, float, float]:
        from gradtutor.engine import Value

        leaves = {"x": Value(x, "x"), "y": Value(y, "y")}
        root = parsed.build({name: leaves[name] for name in parsed.variables})
        root.backward()
        return float(root.data), float(leaves["x"].grad or 0.0), float(leaves["y"].grad or 0.0)

    return evaluate


class _Point:
    """The one parameter an optimizer moves: (x, y) as an array, with its gradient."""

    def __init__(self, x: float, y: float):
        from gradtutor import backend

        self.data = backend.xp().asarray([x, y], dtype="float64")
        self.grad = None


def descend(function: str, start, optimizer: str = "sgd", steps: int = 30, lr: float | None = None,
            **options) -> Path:
    """Run `steps` updates of the named optimizer from `start` on f; the path it took."""
    from gradtutor import backend
    from gradtutor.train import optim

    if not 1 <= steps <= MAX_STEPS:
        raise PathError(f"steps must be from 1 to {MAX_STEPS}, got {steps}")
    evaluate = compiled(function)
    x, y = (float(v) for v in start)
    point = _Point(x, y)
    try:
        rule = optim.make(optimizer, [point], lr=lr, **options)
    except (TypeError, ValueError) as error:
        raise PathError(str(error)) from None
    value, gx, gy = evaluate(x, y)
    points, values = [(x, y)], [value]
    for _ in range(steps):
        point.grad = backend.xp().asarray([gx, gy], dtype="float64")
        rule.step()
        x, y = (float(v) for v in backend.to_host(point.data))
        try:
            value, gx, gy = evaluate(x, y)
        except (ArithmeticError, ValueError):
            return Path(optimizer, tuple(points), tuple(values), diverged=True)
        if not all(math.isfinite(v) and abs(v) < BLOW_UP for v in (x, y, value)):
            return Path(optimizer, tuple(points), tuple(values), diverged=True)
        points.append((x, y))
        values.append(value)
    return Path(optimizer, tuple(points), tuple(values))


def surface(function: str):
    """f(x, y) alone, for drawing: inf where f is not defined (a log of a negative number)."""
    evaluate = compiled(function)

    def value(x: float, y: float) -> float:
        try:
            return evaluate(x, y)[0]
        except (ArithmeticError, ValueError):
            return math.inf

    return value


@dataclass(frozen=True)
class Picture:
    """Everything a drawing of several paths needs."""

    title: str  # the expression
    surface: object  # (x, y) -> f
    window: tuple[float, float, float, float]
    paths: tuple[Path, ...]
    minimum: tuple[float, float] | None


def picture(function: str = "elongated-bowl", runs=None, start=None, steps: int = 30) -> Picture:
    """Paths of several optimizers from one start: `runs` maps a label to (optimizer, options),
    None giving the classic seven with their learning rates."""
    if runs is None:
        runs = {name: (name, {} if lr is None else {"lr": lr}) for name, lr in CLASSIC.items()}
    named = FUNCTIONS.get(function)
    if start is None and named is None:
        from gradtutor import names

        guess = names.closest(function, FUNCTIONS)
        hint = f"did you mean {guess!r}? " if guess else ""
        raise PathError(f"{function!r} is not a named surface ({', '.join(FUNCTIONS)}): {hint}give a start as x,y")
    start = named[1] if start is None else start
    found = tuple(replace(descend(function, start, optimizer, steps, **options), optimizer=label)
                  for label, (optimizer, options) in runs.items())
    return Picture(expression_of(function), surface(function), window_of(function, found), found,
                   named[3] if named else None)


def parse_runs(texts) -> dict | None:
    """`NAME` or `NAME:LR` as the command line writes them -> picture()'s runs; None for none."""
    from gradtutor import names

    if not texts:
        return None
    runs = {}
    for text in texts:
        name, _, rate = text.partition(":")
        problem = names.check("optimizer", name)
        if problem:
            raise PathError(problem)
        try:
            options = {"lr": float(rate)} if rate else {}
        except ValueError:
            raise PathError(f"--optimizer {text}: {rate!r} is not a learning rate") from None
        runs[text if name in runs else name] = (name, options)
    return runs


def parse_start(text: str | None):
    """`x,y` -> (x, y); None for None."""
    if text is None:
        return None
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError:
        raise PathError(f"--start {text}: write the start as x,y, e.g. -7,2") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise PathError(f"--start {text}: the start must be finite")
    return x, y
