"""Expressions at their edges: random text, numbers too long for Python, and the labels of
cross_entropy. Whatever is typed, the answer is an expression or an ExprError, never another
exception."""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradtutor import expr
from gradtutor.expr import ExprError

# Characters expressions are made of, plus some that are not (and a few that Python treats
# specially: NUL, line breaks, quotes, non-ASCII digits and operators people paste).
PIECES = st.sampled_from(
    list("xyzW0123456789.+-*/@()[], _eEjJ^%<>=!~&|'\"#\\:;{}\t\n\r\x00")
    + ["**", "exp(", "log(", "max(", "cross_entropy(", "sum(", "1e308", "1e999", "0x1f", "lambda", "if",
       "not ", "\u2212", "\u00d7", "\uff11", "\u0661", "\u00b2", "\U0001d465", "..."]
)
# Any code point, lone surrogates included (what a broken terminal encoding can hand over).
TEXT = st.one_of(st.text(st.characters(exclude_categories=()), max_size=40), st.lists(PIECES, max_size=30).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_text_parses_or_is_an_expr_error(text):
    try:
        expression = expr.parse(text)
    except ExprError as error:
        assert "\n" not in str(error)
        str(error).encode("utf-8")  # printable on any terminal
    else:
        assert isinstance(expression.variables, tuple)


def test_a_number_of_more_than_4300_digits_says_so():
    for text, column in (("1" * 4301, 1), ("x * " + "2" * 5000 + " + y", 5)):
        with pytest.raises(ExprError) as caught:
            expr.parse(text)
        assert caught.value.message == "the number is too long (more than 4,300 digits)"
        assert caught.value.column == column


@pytest.mark.parametrize("text, column, code", [
    ("x\x00", 2, "U+0000"), ("\ud800 + x", 1, "U+D800"), ("x + \x1b[31m", 5, "U+001B"), ("  \x7f", 3, "U+007F"),
])
def test_control_characters_and_surrogates_are_named(text, column, code):
    with pytest.raises(ExprError) as caught:
        expr.parse(text)
    assert caught.value.message == f"invalid character {code}" and caught.value.column == column
    str(caught.value).encode("utf-8")  # printable: the surrogate is not quoted back


def test_python_whitespace_inside_an_expression_is_still_a_space():
    assert expr.parse("x\x0c+\x0by\n").variables == ("x", "y")


@pytest.mark.parametrize("labels, fragment", [
    ("[7]", "the label 7 is not a class: class indices are whole numbers from 0 to 2"),
    ("[0.5]", "the label 0.5 is not a class"),
    ("[-1]", "the label -1 is not a class"),
    ("[1, 2]", "labels of shape (2,) fit neither the scores' shape (1, 3)"),
])
def test_cross_entropy_labels_must_be_classes(labels, fragment):
    with pytest.raises(ExprError, match="cross_entropy") as caught:
        expr.build("cross_entropy(x, y)", f"x=[[1, 2, 3]], y={labels}")
    assert fragment in str(caught.value)
    with pytest.raises(ExprError) as gate:
        expr.gate("softmax_cross_entropy", f"x=[[1, 2, 3]], t={labels}")
    assert fragment in str(gate.value)


def test_good_labels_still_give_the_loss():
    import math

    index = expr.build("cross_entropy(x, y)", "x=[[1, 2, 3]], y=[2]")
    one_hot = expr.build("cross_entropy(x, y)", "x=[[1, 2, 3]], y=[[0, 0, 1]]")
    expected = -(3 - math.log(math.exp(1) + math.exp(2) + math.exp(3)))
    assert float(index.data) == pytest.approx(expected) and float(one_hot.data) == pytest.approx(expected)
    assert float(expr.gate("softmax_cross_entropy", "x=[[1, 2, 3]], t=[2]").data) == pytest.approx(expected)


@pytest.mark.parametrize("args, message", [
    (["trace", "cross_entropy(x, y)", "--at", "x=[[1,2,3]],y=[7]"], "the label 7 is not a class"),
    (["jacobian", "softmax_cross_entropy", "--at", "x=[[1,2,3]],t=[-1]"], "the label -1 is not a class"),
    (["trace", "x*" + "9" * 4301, "--at", "x=1"], "the number is too long (more than 4,300 digits)"),
])
def test_the_commands_report_them_in_one_line(args, message):
    result = subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                            env={**os.environ, "LANG": "C.UTF-8"}, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
