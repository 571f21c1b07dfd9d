"""Reading and judging answers: what learners type, on any keyboard, and the feedback they get."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.tutor import quiz
from gradtutor.tutor.quiz import Unreadable
from gradtutor.tutor.text import pattern_synonyms


# -- numbers -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, value",
    [
        ("2.2", Fraction(11, 5)),
        ("2.20", Fraction(11, 5)),
        ("11/5", Fraction(11, 5)),
        ("-4", Fraction(-4)),
        ("\u22124", Fraction(-4)),  # the Unicode minus sign
        ("\uff11\uff11\uff0f\uff15", Fraction(11, 5)),  # full-width 11/5 from a Korean keyboard
        ("\uff0d\uff14", Fraction(-4)),  # full-width hyphen-minus and digit
        ("  650 ", Fraction(650)),
        ("+3", Fraction(3)),
        (".5", Fraction(1, 2)),
        ("1e-3", Fraction(1, 1000)),
        ("1.5E2", Fraction(150)),
        ("-11 / 5", Fraction(-11, 5)),
        ("1.1/0.5", Fraction(11, 5)),
    ],
)
def test_numbers_people_type(typed, value):
    assert quiz.parse_number(typed) == value


@pytest.mark.parametrize("typed", ["abc", "2..2", "1/2/3", "--4", "e5", "inf", "nan", "2 2", "/5", "5/"])
def test_text_that_is_not_a_number_is_unreadable_not_wrong(typed):
    with pytest.raises(Unreadable) as caught:
        quiz.parse_number(typed)
    assert caught.value.key == "need_number"


def test_commas_are_refused_with_their_own_message():
    for typed in ("1,000", "2,5", "１，０００"):
        with pytest.raises(Unreadable) as caught:
            quiz.parse_number(typed)
        assert caught.value.key == "no_comma"


def test_zero_denominator_is_unreadable():
    with pytest.raises(Unreadable) as caught:
        quiz.parse_number("3/0")
    assert caught.value.key == "zero_denominator"


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_str_of_any_float_round_trips(x):
    assert float(quiz.parse_number(str(x))) == x
    assert float(quiz.parse_number(repr(x))) == x


_FULL_WIDTH = str.maketrans("0123456789/-.", "０１２３４５６７８９／－．")


@settings(max_examples=100, deadline=None)
@given(st.integers(-10**6, 10**6), st.integers(1, 10**6))
def test_fractions_in_ascii_and_full_width(numerator, denominator):
    typed = f"{numerator}/{denominator}"
    assert quiz.parse_number(typed) == Fraction(numerator, denominator)
    assert quiz.parse_number(typed.translate(_FULL_WIDTH)) == Fraction(numerator, denominator)
    assert quiz.parse_number(typed.replace("-", "\u2212")) == Fraction(numerator, denominator)


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_decimals_with_trailing_zeros_are_the_same_number(d):
    text = f"{d:f}"
    assert quiz.parse_number(text) == Fraction(text)
    assert quiz.parse_number(text + "00" if "." in text else text + ".00") == Fraction(text)


# -- tolerance ------------------------------------------------------------------------------------
def test_tolerance_is_atol_plus_rtol_times_the_key():
    # |x − x*| ≤ atol + rtol·|x*|, with x* = 200: the bound is 0.5 + 0.01·200 = 2.5.
    assert quiz.check_number(Fraction(2025, 10), 200, atol=0.5, rtol=0.01).right
    assert not quiz.check_number(Fraction(2026, 10), 200, atol=0.5, rtol=0.01).right


def test_binary_noise_in_the_key_does_not_fail_the_learner():
    assert quiz.check_number(quiz.parse_number("2.2"), 2 * 1.1, atol=1e-9, rtol=1e-6).right
    assert quiz.check_number(quiz.parse_number("11/5"), 2 * 1.1, atol=1e-9, rtol=1e-6).right


def test_wrong_numbers_get_specific_feedback():
    assert quiz.check_number(Fraction(-200), 200, 1e-9, 1e-6).key == "sign_flipped"
    assert quiz.check_number(Fraction(201), 200, 1e-9, 1e-6).key == "too_high"
    assert quiz.check_number(Fraction(2), 200, 1e-9, 1e-6).key == "too_low"
    slip = quiz.Mistake(1.1, key="forward_value")
    verdict = quiz.check_number(Fraction(11, 10), 200, 1e-9, 1e-6, [slip])
    assert (verdict.key, verdict.params) == ("forward_value", {"value": "1.1"})


# -- shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, shape",
    [
        ("(2, 3)", (2, 3)), ("2x3", (2, 3)), ("2×3", (2, 3)), ("2,3", (2, 3)), ("[2, 3]", (2, 3)),
        ("2 3", (2, 3)), ("２ｘ３", (2, 3)), ("(3,)", (3,)), ("3", (3,)), ("()", ()), ("2X3", (2, 3)),
    ],
)
def test_shapes_people_type(typed, shape):
    assert quiz.parse_shape(typed) == shape


@pytest.mark.parametrize("typed", ["", "two by three", "(2.5, 3)", "(-2, 3)"])
def test_unreadable_shapes(typed):
    with pytest.raises(Unreadable):
        quiz.parse_shape(typed)


def test_shape_feedback():
    assert quiz.check_shape((2, 3), (2, 3)).right
    assert quiz.check_shape((3, 2), (2, 3)).key == "shape_transposed"
    assert quiz.check_shape((6,), (2, 3)).key == "shape_wrong_rank"
    assert quiz.check_shape((2, 4), (2, 3)).key == "shape_wrong"


# -- vectors and matrices ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, value",
    [
        ("1 2 3", [1, 2, 3]),
        ("[1, 2, 3]", [1, 2, 3]),
        ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
        ("1 2; 3 4", [[1, 2], [3, 4]]),
        ("1, 2; 3, 4", [[1, 2], [3, 4]]),
        ("[[1 2] [3 4]]", [[1, 2], [3, 4]]),
        ("[[1, 2, 3]]", [[1, 2, 3]]),
        ("11/5 −4", [Fraction(11, 5), -4]),
        ("１ ２; ３ ４", [[1, 2], [3, 4]]),
        ("1 2;", [[1, 2]]),
    ],
)
def test_matrices_people_type(typed, value):
    assert quiz.parse_matrix(typed) == value


def test_ragged_or_empty_matrices_are_unreadable():
    for typed, key in (("1 2; 3", "ragged_matrix"), ("", "need_matrix"), ("1 x", "need_matrix"), ("[[]]", "need_matrix")):
        with pytest.raises(Unreadable) as caught:
            quiz.parse_matrix(typed)
        assert caught.value.key == key, typed


def test_matrix_diagnosis_in_stages():
    key = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    check = lambda typed: quiz.check_matrix(quiz.parse_matrix(typed), key, 1e-9, 1e-6)  # noqa: E731
    assert check("1 2 3; 4 5 6").right
    assert check("1 4; 2 5; 3 6").key == "matrix_transposed"
    wrong_shape = check("1 2; 3 4")
    assert (wrong_shape.key, wrong_shape.params) == ("matrix_shape", {"got": "(2, 2)", "want": "(2, 3)"})
    entry = check("1 2 3; 4 0 6")
    assert (entry.key, entry.params) == ("matrix_entry", {"row": 2, "column": 2})


def test_square_transpose_and_vector_entries():
    square = [[1.0, 2.0], [3.0, 4.0]]
    assert quiz.check_matrix([[1, 3], [2, 4]], square, 1e-9, 1e-6).key == "matrix_transposed"
    vector = quiz.check_matrix([1, 2, 9], [1.0, 2.0, 3.0], 1e-9, 1e-6)
    assert (vector.key, vector.params) == ("vector_entry", {"index": 3})
    assert quiz.check_matrix([1, 2, 3], [[1.0, 2.0, 3.0]], 1e-9, 1e-6).right  # a one-row matrix typed flat


# -- gate patterns ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, pattern",
    [
        ("add distributes", "distribute"), ("distribute", "distribute"), ("It distributes!", "distribute"),
        ("분배", "distribute"), ("덧셈 노드는 분배한다", "distribute"),
        ("multiply swaps", "swap"), ("swap", "swap"), ("교환", "swap"), ("서로 바꿔 곱한다", "swap"),
        ("copy adds", "copy"), ("the gradients add up", "copy"), ("복사", "copy"), ("기울기를 더한다", "copy"),
        ("max routes", "route"), ("routes", "route"), ("라우팅", "route"), ("큰 쪽으로 보낸다", "route"),
        ("ＭＡＸ", "route"),
    ],
)
def test_pattern_names_and_synonyms_in_both_languages(typed, pattern):
    assert quiz.parse_pattern(typed, pattern_synonyms()) == pattern


@pytest.mark.parametrize("typed", ["banana", "", "???", "swap or route"])
def test_unknown_or_ambiguous_pattern_names_are_unreadable(typed):
    with pytest.raises(Unreadable):
        quiz.parse_pattern(typed, pattern_synonyms())


@pytest.mark.parametrize(
    "typed, pattern",
    [
        # Verb forms are whole words: "added" is not a vote for the add gate because it holds "add".
        ("adds", "copy"), ("they are added", "copy"), ("by adding", "copy"), ("summed", "copy"),
        ("the gradients are summed up", "copy"), ("copied", "copy"), ("it copies", "copy"),
        ("routed", "route"), ("routing", "route"), ("swapped", "swap"), ("it multiplies", "swap"),
        ("distributed", "distribute"), ("the add gate", "distribute"), ("passes through", "distribute"),
        # Korean stems take any ending: 더하기, 더해서, 더한다 and 더함 are one verb.
        ("더하기", "copy"), ("더해서", "copy"), ("더한다", "copy"), ("더함", "copy"), ("더해진다", "copy"),
        ("합친다", "copy"), ("합쳐서", "copy"), ("복사는 더함", "copy"), ("분배합니다", "distribute"),
        ("곱해서 바꾼다", "swap"), ("max는 한쪽으로", "route"),
    ],
)
def test_pattern_words_match_whole_words_in_every_form(typed, pattern):
    assert quiz.parse_pattern(typed, pattern_synonyms()) == pattern


@pytest.mark.parametrize("typed", ["add", "swap or route", "덧셈은 더한다"])
def test_an_answer_fitting_two_patterns_asks_which_one(typed):
    with pytest.raises(Unreadable) as raised:
        quiz.parse_pattern(typed, pattern_synonyms())
    assert raised.value.key == "pattern_ambiguous"


def test_every_pattern_quiz_accepts_its_intended_answers_in_both_languages():
    """Each lesson's pattern quizzes: the pattern's name and the everyday ways to say it."""
    from gradtutor.tutor import grading
    from gradtutor.tutor.text import LANGUAGES, pattern_name
    from lesson_catalog import loadable

    said = {
        "copy": ["adds", "they are added", "by adding", "sum", "summed", "copy", "더하기", "더해서", "더한다", "합친다", "복사"],
        "distribute": ["distributes", "add distributes", "the add gate", "분배", "덧셈 노드"],
        "swap": ["swaps", "multiply swaps", "교환", "바꿔 곱한다"],
        "route": ["routes", "max routes", "max", "한쪽으로 보낸다", "큰 쪽"],
    }
    asked = [step for lesson in loadable() for step in lesson.quizzes if step.quiz == "pattern"]
    assert {step.id for step in asked} >= {"name-copy", "name-max", "shared-weight"}
    for step in asked:
        key = grading.key(step).value
        for typed in said[key] + [pattern_name(key, lang) for lang in LANGUAGES]:
            assert quiz.parse_pattern(typed, pattern_synonyms()) == key, (step.id, typed)


def test_wrong_pattern_feedback_names_the_pattern_given():
    assert quiz.check_pattern("swap", "distribute").key == "pattern_not_swap"
    assert quiz.check_pattern("route", "route").right


# -- multiple choice ------------------------------------------------------------------------------
def test_choices_are_shuffled_by_seed_and_picked_by_number_or_id():
    ids = ["apple", "apple_num", "tax", "price"]
    order = quiz.shuffled(ids, seed=7)
    assert sorted(order) == sorted(ids)
    assert quiz.shuffled(ids, seed=7) == order  # the same seed, the same order, every run
    assert {tuple(quiz.shuffled(ids, seed)) for seed in range(20)} != {tuple(order)}
    assert quiz.parse_choice("2", order) == order[1]
    assert quiz.parse_choice("２", order) == order[1]
    assert quiz.parse_choice("TAX", order) == "tax"
    for typed in ("0", "5", "pear"):
        with pytest.raises(Unreadable):
            quiz.parse_choice(typed, order)


def test_a_known_wrong_matrix_is_named_before_its_first_wrong_entry():
    mean = quiz.Mistake([0.75, -0.5, 0.5], key="batch_mean")
    verdict = quiz.check_matrix([Fraction(3, 4), Fraction(-1, 2), Fraction(1, 2)], [1.5, -1.0, 1.0], 1e-9, 1e-6, [mean])
    assert (verdict.right, verdict.key, verdict.params) == (False, "batch_mean", {"value": "[0.75 -0.5 0.5]"})
    assert quiz.check_matrix([1, 2, 9], [1.0, 2.0, 3.0], 1e-9, 1e-6, [mean]).key == "vector_entry"


@pytest.mark.parametrize(
    "value, rtol, shown",
    [
        (1 / 6, 0.01, "0.167 (exactly 1/6)"),  # three digits asked: not 0.166666666667
        (Fraction(1, 6), 0.01, "0.167 (exactly 1/6)"),
        (0.3379086515008738, 0.01, "0.338 (more precisely 0.337908651501)"),
        (0.005153775207320127, 0.02, "0.00515 (more precisely 0.00515377520732)"),
        (2.2, 1e-6, "2.2"),
        (220.00000000000003, 1e-6, "220"),
        (Fraction(1, 3), 1e-6, "0.3333333 (exactly 1/3)"),
    ],
)
def test_a_revealed_answer_has_the_precision_the_quiz_asks_for(value, rtol, shown):
    from types import SimpleNamespace

    from gradtutor.tutor.quiz_kinds import QUIZ_KINDS

    step = SimpleNamespace(atol=1e-9, rtol=rtol)
    assert QUIZ_KINDS["numeric"].describe(value, step, "en") == shown
    assert quiz.close(float(shown.split()[0]), value, 1e-9, rtol)  # what is shown is a right answer
