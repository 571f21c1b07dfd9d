"""A command-line target is a built-in example or an expression; a misspelt example is named."""

import pytest

from gradtutor.errors import UserError
from gradtutor.examples import UnknownExample
from gradtutor.expr import ExprError
from gradtutor.targets import build_target, traced


def test_an_example_keeps_its_name_and_its_upstream():
    root, upstream, name = build_target("apple")
    assert (name, upstream) == ("apple", 1.0) and root.data == pytest.approx(220)


def test_an_expression_is_built_at_the_given_values():
    root, upstream, name = build_target("(x + y) * z", ["x=-2,y=5,z=-4"])
    assert (root.data, upstream, name) == (-12, 1.0, "trace")
    result, name = traced("x * y", ["x=3,y=4"], upstream=2.0)
    assert name == "trace" and [s.index for s in result.steps] == [1]


@pytest.mark.parametrize("target, at, error, message", [
    ("appel", None, UnknownExample, "unknown example 'appel'; did you mean 'apple'? (see gradtutor examples)"),
    ("x * y", None, ExprError, "as an expression it needs values: --at x=…,y=…"),
    ("apple", ["x=1"], ExprError, "the example 'apple' has its own numbers"),
    ("3", None, ExprError, "nothing to trace: '3' has no gates"),
])
def test_what_cannot_be_traced_is_a_user_error(target, at, error, message):
    with pytest.raises(error) as caught:
        build_target(target, at)
    assert isinstance(caught.value, UserError) and message in str(caught.value)
