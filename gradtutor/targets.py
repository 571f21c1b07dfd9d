"""What a command-line target stands for: a built-in example's name or an expression.

`build_target("apple")` builds the example; `build_target("(x + y) * z", ["x=-2,y=5,z=-4"])`
parses and builds the expression. A target with variables but no values is most likely a
misspelt example (`appel`), and is refused with the example it probably means.
"""

from __future__ import annotations

from gradtutor import examples
from gradtutor.names import closest


def build_target(target: str, at: list[str] | None = None):
    """The graph behind a command-line target: (output node, upstream gradient, name).

    `target` is a built-in example's name or an expression; `at` gives the expression's values.
    """
    # The parser is imported here, for expressions only: `gradtutor trace apple` starts faster without it.
    if target in examples.EXAMPLES:
        if at:
            from gradtutor.expr import ExprError

            raise ExprError(f"--at gives values to an expression's variables; the example '{target}' has its own numbers")
        root, upstream = examples.get(target).build()
        return root, upstream, target
    from gradtutor import expr

    expression = expr.parse(target)
    if expression.variables and not at:
        _refuse_without_values(target, expression)
    root = expression.build(expr.parse_bindings(at))
    if not root._parents:  # a lone number or variable: no backward step to show
        raise expr.ExprError(f"nothing to trace: '{expr.excerpt(target)}' has no gates (it is a single number or variable)")
    return root, 1.0, "trace"


def _refuse_without_values(target: str, expression) -> None:
    from gradtutor import expr

    close = closest(target, examples.EXAMPLES, cutoff=0.7)
    if close:
        raise examples.UnknownExample(f"unknown example '{target}'; did you mean '{close}'? (see gradtutor examples)")
    values = expr.brief_list([f"{name}=…" for name in expression.variables], ",")
    raise expr.ExprError(
        f"'{expr.excerpt(target)}' is not a built-in example (see gradtutor examples); "
        f"as an expression it needs values: --at {values}"
    )


def traced(target: str, at=None, *, upstream: float | None = None, exact=False, check=False):
    """Build the target's graph and trace its backward pass: (Trace, name for files)."""
    from gradtutor.tracer import trace

    root, default_upstream, name = build_target(target, at)
    result = trace(root, default_upstream if upstream is None else upstream, exact=exact, check=check)
    return result, name
