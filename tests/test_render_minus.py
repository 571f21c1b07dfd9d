"""Negative numbers on screen take the minus sign of print (−4), as the lessons' prose writes them:
every trace table, Jacobian view and diagram label of the built-in examples, in every language.
An ASCII hyphen right before a digit ("-4", "1e-08") would be a number typeset as code."""

import re

import pytest

from gradtutor import examples
from gradtutor.lang import LANGUAGES
from gradtutor.render.dot import to_dot
from gradtutor.render.jacobian import jacobian_view
from gradtutor.render.term import checks_table, forward_table, summary, trace_table
from gradtutor.tracer import trace
from render_golden import console_text

HYPHEN_BEFORE_DIGIT = re.compile(r"-(?=[0-9])")
# The texts a diagram shows: HTML-like labels <…> and quoted labels "…".
DOT_LABEL = re.compile(r'\b(?:x?label)=(<(?:[^<>]|<[^<>]*>)*>|"[^"]*")')


def traced(name: str):
    output, upstream = examples.get(name).build()
    return trace(output, upstream, check=True)


def hyphens(text: str) -> list[str]:
    """Each ASCII hyphen before a digit, with a little of the text around it."""
    return [text[max(0, m.start() - 12) : m.end() + 8] for m in HYPHEN_BEFORE_DIGIT.finditer(text)]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(examples.EXAMPLES))
def test_tables_and_diagrams_write_negative_numbers_with_the_minus_sign(name, lang):
    built = traced(name)
    assert built.steps, name
    tables = [trace_table(built, lang=lang), summary(built, lang=lang), forward_table(built, lang=lang),
              checks_table(built, lang=lang)]
    if examples.get(name).kind == "tensor":
        tables += [jacobian_view(step, built.nodes, lang=lang) for step in built.steps]
    for table in tables:
        assert hyphens(console_text(table, width=200)) == [], (name, lang)
    dot = to_dot(built, lang=lang)
    labels = [found.group(1) for found in DOT_LABEL.finditer(dot)]
    assert labels, name
    assert hyphens("\n".join(labels)) == [], (name, lang)


def test_some_example_has_negative_numbers_to_show():
    """The test above checks something: its examples print negative numbers, with "−"."""
    text = console_text(trace_table(traced("gate-patterns")))
    assert "−3" in text and "1 × (−4) = −4" in text
    assert ">−3<" in to_dot(traced("gate-patterns"))
