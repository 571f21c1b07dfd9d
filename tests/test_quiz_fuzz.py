"""Every answer reader, fed arbitrary text: it returns an answer or raises quiz.Unreadable (the
learner is told what was expected), never anything else. Unicode digits that str.isdigit()
accepts but int() refuses, numbers beyond the float range and exponents that would take
minutes to expand were such inputs once."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradtutor.tutor import quiz
from gradtutor.tutor.quiz_kinds import QUIZ_KINDS
from gradtutor.tutor.text import pattern_synonyms

# Characters answers are made of, and look-alikes: other scripts' digits (𐩀 ١ ๓), superscripts,
# vulgar fractions, full-width forms, minus signs.
ANSWER_CHARACTERS = list("0123456789.eE+-/ ,;()[]x×*") + ["𐩀", "١", "๓", "²", "½", "−", "１", "／", "\u2009", "ⅷ"]
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(ANSWER_CHARACTERS), max_size=40),
    st.builds(lambda digits, exponent: f"{digits}e{exponent}", st.integers(0, 10**6), st.integers(-10**12, 10**12)),
)
CHOICES = ["a", "b", "c"]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def readers():
    synonyms = pattern_synonyms()
    yield "number", quiz.parse_number
    yield "shape", quiz.parse_shape
    yield "matrix", quiz.parse_matrix
    yield "choice", lambda text: quiz.parse_choice(text, CHOICES)
    yield "pattern", lambda text: quiz.parse_pattern(text, synonyms)
    for name, kind in QUIZ_KINDS.items():
        yield f"kind-{name}", lambda text, kind=kind: kind.parse(text, None, CHOICES)


@pytest.mark.parametrize("read", [read for _, read in readers()], ids=[name for name, _ in readers()])
@FUZZ
@given(text=TEXTS)
def test_a_reader_returns_an_answer_or_says_unreadable(read, text):
    try:
        read(text)
    except quiz.Unreadable:
        pass


@FUZZ
@given(text=TEXTS)
def test_a_read_number_can_be_judged(text):
    """Whatever parse_number accepts, check_number can compare with a key (no OverflowError)."""
    try:
        number = quiz.parse_number(text)
    except quiz.Unreadable:
        return
    assert isinstance(quiz.check_number(number, 2.2, 1e-6, 1e-6), quiz.Verdict)


@pytest.mark.parametrize("text, key", [
    ("1e99999999", "number_out_of_range"), ("1" * 101, "number_out_of_range"), ("1e-401", "number_out_of_range"),
    ("𐩀", "need_number"), ("١", "need_number"),
])
def test_numbers_beyond_bounds_are_unreadable(text, key):
    with pytest.raises(quiz.Unreadable) as raised:
        quiz.parse_number(text)
    assert raised.value.key == key


def test_a_number_beyond_the_float_range_is_judged_too_high_or_too_low():
    assert quiz.check_number(quiz.parse_number("1e400"), 2.2, 1e-6, 1e-6).key == "too_high"
    assert quiz.check_number(quiz.parse_number("-1e400"), 2.2, 1e-6, 1e-6).key == "too_low"


@pytest.mark.parametrize("text", ["𐩀", "1" * 5000, "١"])
def test_choices_and_shapes_take_only_ascii_digits(text):
    with pytest.raises(quiz.Unreadable):
        quiz.parse_choice(text, CHOICES)
    with pytest.raises(quiz.Unreadable):
        quiz.parse_shape(f"({text}, 2)")
