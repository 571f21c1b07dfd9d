"""User expressions: the allow-list parser, `--at` values, and the graphs they build.

Random expressions are checked against an independent reference: the same formula evaluated
with Python's own float arithmetic and `math`, and its derivatives by central differences of
that reference. Error cases check the message and that the column points at the culprit.
"""

import ast
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gradtutor import examples, expr
from gradtutor.engine import DomainError
from gradtutor.tracer import trace

# -- random expressions with a reference evaluation ------------------------------------------

VARIABLES = ("x", "y", "z")


class Undefined(Exception):
    """The reference has no finite value here."""


def _checked(value):
    if isinstance(value, complex) or not math.isfinite(value):
        raise Undefined
    return value


def _ref_exp(a):
    if a > 709:  # the engine refuses exp beyond 709, where floats start to overflow (ops.EXP)
        raise Undefined
    return math.exp(a)


def _ref_sigmoid(a):  # the textbook formula, arranged so neither branch overflows
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


SMOOTH_FUNCTIONS = {"exp": _ref_exp, "log": math.log, "ln": math.log, "tanh": math.tanh, "sigmoid": _ref_sigmoid}
KINKED_FUNCTIONS = {"relu": lambda a: max(a, 0.0), "max": max, "min": min}
BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}


def reference(tree, env):
    """Evaluate a tree with Python floats, one operation at a time, like a calculator."""
    kind = tree[0]
    try:
        if kind == "var":
            return env[tree[1]]
        if kind == "num":
            return tree[1]
        if kind == "neg":
            return -reference(tree[1], env)
        if kind == "pow":
            base = reference(tree[1], env)
            if base == 0 and tree[2] < 1:  # slope c·xᶜ⁻¹ undefined at 0: the engine refuses it
                raise Undefined
            return _checked(base ** tree[2])
        if kind == "bin":
            return _checked(BINARY[tree[1]](reference(tree[2], env), reference(tree[3], env)))
        function = {**SMOOTH_FUNCTIONS, **KINKED_FUNCTIONS}[tree[1]]
        return _checked(function(*(reference(arg, env) for arg in tree[2:])))
    except (ValueError, ZeroDivisionError, OverflowError):
        raise Undefined from None


def source(tree) -> str:
    kind = tree[0]
    if kind == "var":
        return tree[1]
    if kind == "num":
        return f"({tree[1]!r})" if tree[1] < 0 else repr(tree[1])
    if kind == "neg":
        return f"-({source(tree[1])})"
    if kind == "pow":
        return f"({source(tree[1])}) ** {tree[2]!r}"
    if kind == "bin":
        return f"({source(tree[2])}) {tree[1]} ({source(tree[3])})"
    return f"{tree[1]}({', '.join(source(arg) for arg in tree[2:])})"


def trees(unary_names, binary_calls=()):
    leaves = st.one_of(
        st.sampled_from(VARIABLES).map(lambda name: ("var", name)),
        st.sampled_from([1, 2, 3, -2, 0.5, 1.1, -0.25]).map(lambda c: ("num", c)),
    )
    def extend(children):
        options = [
            children.map(lambda a: ("neg", a)),
            st.tuples(children, st.sampled_from([2, 3, -1, 0.5])).map(lambda t: ("pow", *t)),
            st.tuples(st.sampled_from(sorted(BINARY)), children, children).map(lambda t: ("bin", *t)),
            st.tuples(st.sampled_from(list(unary_names)), children).map(lambda t: ("call", *t)),
        ]
        if binary_calls:
            options.append(
                st.tuples(st.sampled_from(list(binary_calls)), children, children).map(lambda t: ("call", *t))
            )
        return st.one_of(options)

    return st.recursive(leaves, extend, max_leaves=8)


def variables_of(tree) -> set[str]:
    if tree[0] == "var":
        return {tree[1]}
    return set().union(*(variables_of(part) for part in tree[1:] if isinstance(part, tuple)))


# Values on a grid of hundredths, as people type them: exact zeros (poles) occur, and
# denormal-sized values, where central differences mean nothing, do not.
point = st.fixed_dictionaries({name: st.integers(-300, 300).map(lambda i: i / 100) for name in VARIABLES})


@settings(max_examples=150, deadline=None)
# sigmoid is left out here: the engine computes it as ½(1 + tanh(x/2)), equal to the textbook
# 1/(1 + e⁻ˣ) only to the last bit or so; the gradient test below covers it.
@given(trees(["exp", "log", "ln", "tanh", "relu"], ["max", "min"]), point)
def test_random_expressions_compute_what_python_computes(tree, env):
    text = source(tree)
    used = variables_of(tree)
    at = ",".join(f"{name}={env[name]!r}" for name in sorted(used))
    try:
        expected = reference(tree, env)
    except Undefined:
        with pytest.raises(expr.ExprError):
            expr.build(text, at)
        return
    # Same float operations in the same order: the very same number, not merely close.
    assert expr.build(text, at).data == expected, text


def central_difference(tree, env, name, h):
    plus, minus = dict(env), dict(env)
    plus[name] += h
    minus[name] -= h
    return (reference(tree, plus) - reference(tree, minus)) / (2 * h)


@settings(max_examples=100, deadline=None)
@given(trees(sorted(SMOOTH_FUNCTIONS)), point)
def test_random_expressions_have_the_gradients_of_central_differences(tree, env):
    used = sorted(variables_of(tree))
    assume(used)
    try:
        value = reference(tree, env)
        numeric = {}
        for name in used:
            h = 1e-6 * max(1.0, abs(env[name]))
            coarse, fine = central_difference(tree, env, name, h), central_difference(tree, env, name, h / 4)
            # Near a pole (x/y with y ≈ 0) the difference quotient itself is unreliable; two
            # step sizes that disagree mark such a point, and it is skipped.
            assume(math.isclose(coarse, fine, rel_tol=1e-3, abs_tol=1e-6))
            numeric[name] = fine
    except Undefined:
        assume(False)
    assume(abs(value) < 1e6)
    result = trace(expr.build(source(tree), ",".join(f"{name}={env[name]!r}" for name in used)))
    for name in used:
        autodiff = result.grad(name)
        assert math.isclose(autodiff, numeric[name], rel_tol=1e-4, abs_tol=1e-5), (source(tree), name)


# -- graphs built from expressions -----------------------------------------------------------


def test_leaves_are_named_after_variables_and_reused_so_they_fan_out():
    result = trace(expr.build("x * x + y", "x=3, y=1"))
    x = result.graph.by_name("x")
    assert x.uses == 2
    assert result.grad("x") == 2 * 3.0
    assert [n.name for n in result.graph.leaves()] == ["x", "y"]


def test_the_output_is_named_f_unless_f_is_a_variable():
    assert expr.build("x * 2", "x=1").name == "f"
    assert expr.build("f * 2", "f=1").name is None
    assert expr.build("x", "x=1").name == "x"  # a bare variable is its own output


def test_numbers_are_unnamed_constants():
    result = trace(expr.build("3 * x", "x=2"))
    constants = [n for n in result.graph.leaves() if n.is_constant]
    assert [c.value for c in constants] == [3.0]


def test_a_signed_number_is_a_constant_and_negating_a_variable_is_a_gate():
    constant = trace(expr.build("x * -2", "x=1"))
    assert [step.op.name for step in constant.steps] == ["mul"]
    negated = trace(expr.build("-x", "x=1"))
    assert [step.op.name for step in negated.steps] == ["neg"]


def test_a_variable_free_exponent_is_one_pow_gate():
    result = trace(expr.build("x ** (1/2)", "x=4"))
    assert [(step.op.name, result.nodes[step.node].param) for step in result.steps] == [("pow", 0.5)]
    assert result.graph.root.value == 2.0 and result.grad("x") == 0.25


def test_a_variable_exponent_goes_through_exp_and_log():
    result = trace(expr.build("x ** y", "x=2, y=3"))
    assert math.isclose(result.graph.root.value, 8.0)
    assert math.isclose(result.grad("x"), 3 * 2.0**2)
    assert math.isclose(result.grad("y"), 8 * math.log(2))


@pytest.mark.parametrize(
    "name, text, at",
    [
        ("add-mul", "(x + y) * z", "x=-2,y=5,z=-4"),
        ("neuron", "1/(1+exp(-(w0*x0 + w1*x1 + w2)))", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"),
        ("gate-patterns", "x*y + max(x, z)", "x=3,y=-4,z=2"),
    ],
)
def test_an_expression_traces_like_the_built_in_example(name, text, at):
    built, upstream = examples.get(name).build()
    want = trace(built, upstream)
    got = trace(expr.build(text, at), upstream)
    assert [s.op.name for s in got.steps] == [s.op.name for s in want.steps]
    assert got.graph.root.value == want.graph.root.value
    for leaf in want.graph.leaves():
        if leaf.name:
            assert got.grad(leaf.name) == leaf.grad, leaf.name


@pytest.mark.parametrize(
    "text, at",
    [
        ("(x + y) * z", "x=-2,y=5,z=-4"),
        ("x*y + max(x, z)", "x=3,y=-4,z=2"),
        ("x**2 + 3*x", "x=-2"),
        ("-x", "x=1"),
        ("sigmoid(a) * tanh(b)", "a=0.5,b=-1"),
        ("relu(x - 1)", "x=3"),
        ("log(x) / y", "x=2,y=4"),
        ("ln(x) / y", "x=2,y=4"),
        ("min(a, b)", "a=1,b=2"),
        ("exp(x) - 2", "x=0.5"),
    ],
)
def test_listed_expressions_agree_with_their_numeric_checks(text, at):
    result = trace(expr.build(text, at), check=True)
    assert result.checks and all(check.ok for check in result.checks), text


def test_typographic_symbols_are_read_as_their_ascii_operators():
    assert expr.build("x × y − 1 ÷ z", "x=2,y=3,z=4").data == 2 * 3 - 1 / 4
    assert expr.build("（x＋１）·y", "x=1,y=3").data == 6


def test_a_long_sum_builds_without_recursion():
    text = " + ".join(["x"] * 300)
    result = trace(expr.build(text, "x=1"))
    assert result.graph.root.value == 300 and result.grad("x") == 300


# -- --at values -----------------------------------------------------------------------------


def test_bindings_allow_spaces_unicode_minus_full_width_digits_and_several_options():
    assert expr.parse_bindings("x=-2, y = 5 ,z=−4") == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert expr.parse_bindings("x=２.５,y=－３") == {"x": 2.5, "y": -3.0}
    assert expr.parse_bindings(["x=1", "y=1e-3"]) == {"x": 1.0, "y": 0.001}
    assert expr.parse_bindings(None) == {} and expr.parse_bindings("") == {}


@pytest.mark.parametrize(
    "at, message",
    [
        ("x=abc", "--at: 'x=abc' is not a number"),
        ("x", "--at: 'x' is not name=number (for example x=-2)"),
        ("x=", "--at: 'x=' has no number after '='"),
        ("1x=2", "--at: '1x' is not a variable name"),
        ("x=1,x=2", "--at: x is given twice"),
        ("x=inf", "--at: 'x=inf' is not a number"),
        ("exp=1", "--at: 'exp' is a function, not a variable"),
        # Brackets keep their commas: the entry stays whole, and must be a vector or matrix.
        ("x=[1,[2]],y=3", "--at: 'x=[1,[2]]': a matrix needs rows of the same length, like [[1, 2], [3, 4]]"),
        ("x=[[[1]]]", "--at: 'x=[[[1]]]': only vectors and matrices: at most two levels of brackets"),
        ("x=[1,a]", "--at: 'x=[1,a]': a list may hold only finite numbers"),
        ("x=[]", "--at: 'x=[]': an empty list has no numbers"),
    ],
)
def test_bad_bindings_say_which_entry(at, message):
    with pytest.raises(expr.ExprError) as caught:
        expr.parse_bindings(at)
    assert str(caught.value) == message


def test_a_variable_without_a_value_is_named():
    with pytest.raises(expr.ExprError, match=r"^no value for y; give it with --at y=…$"):
        expr.build("x * y", "x=1")
    with pytest.raises(expr.ExprError, match=r"^no values for y, z; give them with --at y=…,z=…$"):
        expr.build("x * y + z", "x=1")


def test_a_missing_value_beside_an_unused_one_points_at_the_likely_typo():
    with pytest.raises(expr.ExprError, match=r"^no value for x; give it with --at x=… \(--at gives X, which it does not use\)$"):
        expr.build("x + 1", "X=1")


def test_a_value_for_a_name_the_expression_does_not_use_is_refused():
    with pytest.raises(expr.ExprError, match=r"--at gives q, but .* \(its variables: x, y\)"):
        expr.build("x * y", "x=1,y=2,q=3")


# -- errors point at the problem -------------------------------------------------------------

# (expression, --at, start of the message, the text the column must point at)
PARSE_ERRORS = [
    ("foo(x) + 1", "", "unknown function 'foo'", "foo("),
    ("x + expp(y)", "", "unknown function 'expp' (did you mean exp?)", "expp"),
    ("x +* y", "", "syntax error", "* y"),
    ("(x + y", "", "syntax error: '(' was never closed", "(x"),
    ("x * y + ", "", "the expression ends too early", ""),
    ("  x y", "", "syntax error", "y"),
    ("3x", "", "syntax error: a number runs into a name", "3x"),
    ("x.real", "", "not allowed: attribute access", "x.real"),
    ("1 + x[0]", "", "not allowed: subscripts", "x[0]"),
    ("lambda: x", "", "not allowed: lambda", "lambda"),
    ("[a for a in x]", "", "not allowed: comprehensions", "[a"),
    ("x if y else z", "", "not allowed: conditional expressions", "x if"),
    ("x < y", "", "not allowed: comparisons", "x <"),
    ("x, y", "", "not allowed: tuples", "x, y"),
    ("'a' * x", "", "strings are not allowed", "'a'"),
    ("True + x", "", "True and False are not allowed", "True"),
    ("max(x, y=2)", "", "max() takes no keyword arguments", "y=2"),
    ("max(x, y, z)", "", "max() takes 1 or 2 arguments, got 3", "max"),
    ("min(x)", "", "min() takes 2 arguments, got 1", "min"),
    ("exp(x, y)", "", "exp() takes 1 argument, got 2", "exp"),
    ("exp + 1", "", "'exp' is a function: call it, like exp(x)", "exp +"),
    ("x ^ 2", "", "'^' is not a power here", "^ 2"),
    ("(x) // 2", "", "the operator '//' is not allowed", "// 2"),
    ("not x", "", "the operator 'not' is not allowed", "not"),
    ("__import__('os').system('ls')", "", "only named functions can be called", "__import__"),
    ("max(*x)", "", "* unpacking is not allowed", "*x"),
    ("x + 1e999", "", "the number is too large", "1e999"),
]

DOMAIN_ERRORS = [
    ("y + log(x - 3)", "x=1,y=0", "log is defined only for positive numbers, got log(-2) while computing log(x - 3)", "log("),
    ("y + 1 / (x - 2)", "x=2,y=1", "division by zero: 1 / 0 while computing 1 / (x - 2)", "/ ("),
    ("1 / (x - 2)", "x=2", "division by zero: 1 / 0", "/ ("),
    ("0 ** -1", "", "0 cannot be raised to the negative power -1", "** -1"),
    ("x ** 0.5", "x=-4", "a negative number (-4) has no real power 0.5", "** 0.5"),
    ("exp(x) + 1", "x=800", "exp(800) is too large to represent while computing exp(x)", "exp("),
    ("exp(x) * exp(x)", "x=400", "the result overflows to inf", "* exp"),
    ("x ** (1/0)", "x=2", "division by zero in the exponent", "/0)"),
    ("(x ** 2) ** 0.5", "x=0", "x^0.5 has no finite slope at x = 0", "** 0.5"),
    ("x ** 10 ** 400", "x=2", "the exponent is too large to represent", "** 400"),
    ("sqrt(x) + 1", "x=-4", "sqrt is defined only for numbers ≥ 0, got sqrt(-4) while computing sqrt(x)", "sqrt("),
    # Vectors and matrices meet each op's domain element by element, as a number does: a finite
    # value with no finite slope (√0) is refused, not traced with an infinite gradient.
    ("sum(sqrt(x))", "x=[1,0]", "√x has no finite slope at x = 0 while computing sqrt(x)", "sqrt("),
    ("sum(x ** 0.5)", "x=[4,0]", "x^0.5 has no finite slope at x = 0 while computing x ** 0.5", "** 0.5"),
    ("sum(x / y)", "x=[1,2],y=[1,0]", "division by zero: 2 / 0 while computing x / y", "/ y"),
    ("sum(log(x))", "x=[[1,2],[0,3]]", "log is defined only for positive numbers, got log(0) while computing log(x)", "log("),
]


@pytest.mark.parametrize("text, at, message, spot", PARSE_ERRORS + DOMAIN_ERRORS)
def test_errors_say_what_and_where(text, at, message, spot):
    with pytest.raises(expr.ExprError) as caught:
        expr.build(text, at or None)
    error = caught.value
    assert error.message.startswith(message)
    assert error.source == text
    if spot:
        assert text[error.column - 1 :].startswith(spot), (error.column, str(error))
    else:
        assert error.column == len(text.rstrip()) + 1
    line = str(error)
    assert "\n" not in line and line.endswith(f'in "{text}" at column {error.column}')


@pytest.mark.parametrize("text, at, message, spot", DOMAIN_ERRORS)
def test_domain_errors_are_also_engine_domain_errors(text, at, message, spot):
    with pytest.raises(DomainError):
        expr.build(text, at or None)


def test_columns_count_characters_not_bytes():
    with pytest.raises(expr.ExprError) as caught:
        expr.build("é + foo(x)", "é=1,x=1")
    assert caught.value.column == 5


def test_errors_about_long_expressions_stay_short_and_quote_the_spot():
    names = [f"x{i}" for i in range(500)]
    text = "+".join(names) + "+foo(x1)"
    with pytest.raises(expr.ExprError) as caught:
        expr.build(text, "x1=1")
    message = str(caught.value)
    assert caught.value.column == len(text) - len("foo(x1)") + 1
    assert message.endswith(f'+x499+foo(x1)" at column {caught.value.column}') and len(message) < 300
    with pytest.raises(expr.ExprError) as caught:
        expr.build("+".join(names), "x1=1")
    message = str(caught.value)
    assert message.startswith("no values for x0, x2, x3, x4, x5, x6, … (493 more); give them with --at x0=…,")
    assert len(message) < 200
    deep = "(" * 2000 + "x" + ")" * 2000
    with pytest.raises(expr.ExprError) as caught:
        expr.build(deep, "x=1")
    assert "…" in str(caught.value) and len(str(caught.value)) < 200


def test_empty_expression():
    with pytest.raises(expr.ExprError, match="^the expression is empty$"):
        expr.parse("   ")


def test_the_parser_never_asks_python_to_run_text():
    tree = ast.parse(Path(expr.__file__).read_text(encoding="utf-8"))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"eval", "exec", "compile", "__import__"}


def test_a_chain_too_long_for_pythons_parser_says_why():
    with pytest.raises(expr.ExprError, match=r"^the expression is nested too deeply to parse \(11999 characters\): each operator"):
        expr.parse("+".join(["x"] * 6000))


def test_sqrt_is_a_gate_of_its_own():
    result = trace(expr.build("sqrt(x * x + y * y)", "x=3, y=4"))
    assert result.steps[0].op.name == "sqrt"
    length = math.hypot(3, 4)
    assert result.value("f") == length
    assert (result.grad("x"), result.grad("y")) == pytest.approx((3 / length, 4 / length), rel=1e-15)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_vector_meets_an_op_s_domain_where_one_of_its_numbers_would(data):
    """expr checks a vector against an op's domain at its smallest, largest and nearest-to-zero
    elements only: it refuses exactly the vectors in which some element fails, with that
    element's own message."""
    import numpy as np

    from gradtutor import ops

    op = data.draw(st.sampled_from([op for op in ops.OPS.values() if op.domain is not None]))
    param = data.draw(st.sampled_from([2, 3, -1, -2, 0.5, 1.5])) if op.name == "pow" else None
    shape = data.draw(st.sampled_from([(1,), (4,), (2, 3)]))
    number = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, -3.5, 0.25, 709.0, 710.0, -710.0, 1e-300])
    arrays = [np.array(data.draw(st.lists(number, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))).reshape(shape)
              for _ in range(op.arity)]
    failing = [message for values in zip(*(a.flat for a in arrays)) if (message := op.domain(param, *values))]
    if failing:
        with pytest.raises(DomainError) as caught:
            expr._check_elements(op, param, *arrays)
        assert str(caught.value) in failing
    else:
        expr._check_elements(op, param, *arrays)
