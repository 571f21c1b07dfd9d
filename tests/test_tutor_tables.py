"""The two tables the tutor dispatches on: source families (sources.SOURCES) and quiz kinds
(quiz_kinds.QUIZ_KINDS). Every entry implements the whole interface; the loader lists the known
ones when a lesson names another; and a family or kind added to a table works end to end with no
other change (here a toy family of named constants and a toy yes/no kind, registered for one test).
"""

import io
from dataclasses import dataclass
from typing import ClassVar

import pytest

from gradtutor.tutor import check, grading, lessons, quiz
from gradtutor.tutor.lessons import LessonError
from gradtutor.tutor.quantities import Quantity
from gradtutor.tutor.quiz_kinds import QUIZ_KINDS, QuizKind
from gradtutor.tutor.quiz_kinds import REQUIRED as KIND_METHODS
from gradtutor.tutor.source_family import REQUIRED as FAMILY_METHODS
from gradtutor.tutor.source_family import SourceFamily
from gradtutor.tutor.sources import SOURCES

from test_tutor_networks import quiz as quiz_step
from test_tutor_networks import write


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_source_family_implements_the_whole_interface(name):
    family = SOURCES[name]
    assert isinstance(family, SourceFamily) and family.name == name
    for method in FAMILY_METHODS:
        assert getattr(type(family), method) is not getattr(SourceFamily, method), f"{name} has no {method}"
    assert family.description and family.keys and family.quantity_forms
    assert family.views and family.default_view in family.views


def test_families_do_not_share_keys_views_or_tables():
    for attribute in ("keys", "views", "companions"):
        every = [item for family in SOURCES.values() for item in getattr(family, attribute)]
        assert len(every) == len(set(every)), attribute
    tables = [family.table for family in SOURCES.values() if family.table]
    assert len(tables) == len(set(tables))


@pytest.mark.parametrize("name", list(QUIZ_KINDS))
def test_every_quiz_kind_implements_the_whole_interface(name):
    kind = QUIZ_KINDS[name]
    assert isinstance(kind, QuizKind) and kind.name == name
    for method in KIND_METHODS:
        assert getattr(type(kind), method) is not getattr(QuizKind, method), f"{name} has no {method}"


def load(tmp_path, quiz="numeric", source='example = "apple"', quantity="grad:tax", answer="200", head="", show=""):
    """A lesson of one quiz step (after `show`, a show step), written as test_tutor_networks writes them."""
    steps = [show] if show else []
    steps.append(quiz_step("q", quiz, source, quantity, answer))
    return lessons.load("mini", write(tmp_path, steps, 'format_version = 1\nid = "mini"\n' + head))


def load_problems(tmp_path, **manifest) -> list[str]:
    with pytest.raises(LessonError) as caught:
        load(tmp_path, **manifest)
    return caught.value.problems


def test_an_unknown_source_is_one_line_listing_the_known_ones(tmp_path):
    found = load_problems(tmp_path, source='dataset = "pears"')
    assert found == [
        "lessons/mini/lesson.toml: step q: unknown key 'dataset' for a quiz step",
        'lessons/mini/lesson.toml: step q: needs a source: example, circuit, layer, model, training, init_study, update, '
        'perceptron, path, race or scaling = "…"',
    ]


def test_an_unknown_quiz_kind_is_one_line_listing_the_known_ones(tmp_path):
    assert load_problems(tmp_path, quiz="essay") == [
        "lessons/mini/lesson.toml: step q: quiz 'essay' must be one of numeric, choice, shape, matrix, pattern"
    ]


def test_an_unknown_quantity_lists_every_familys_forms(tmp_path):
    (found,) = load_problems(tmp_path, quantity="gradient:tax")
    assert "\n" not in found and "cannot read the quantity 'gradient:tax'" in found
    for family in SOURCES.values():
        assert f"for a {family.description} {family.quantity_forms}" in found


# -- a family and a kind added to the tables ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Constant:
    family: ClassVar[str] = "constant"
    name: str
    value: float


class ConstantFamily(SourceFamily):
    """`constant = "<name>"` names an entry of the lesson's [constants] table; it is asked about
    with `number` and shown as one line."""

    name = "constant"
    description = "named constant"
    keys = ("constant",)
    companions = {"digits": 'constant = "…"'}
    table = "constants"
    views = ("number",)
    default_view = "number"
    quantity_forms = "number, twice"

    def parse_table(self, raw, report):
        found = {}
        for name, value in raw.items():
            report.entry(f"constant {name}")
            number = report.number(value, "value")
            if number is not None:
                found[name] = Constant(name, float(number))
        return found

    def parse(self, raw, entries, report):
        if raw["constant"] not in entries:
            report.problem(f"unknown constant {raw['constant']!r} (constants: {', '.join(entries)})")
            return None
        return entries[raw["constant"]]

    def parse_quantity(self, kind, parts, text):
        if kind in ("number", "twice") and not parts:
            return Quantity(kind, text, family=self.name, number=True)
        return None

    def solve(self, source):
        return source

    def quantity(self, q, constant):
        return constant.value * (2 if q.kind == "twice" else 1)

    def known_mistakes(self, q, constant):
        return [(constant.value, "forward_value")] if q.kind == "twice" else []

    def view(self, step, constant, lang):
        return f"{constant.name} = {constant.value}"

    def solution(self, step, key, lang):
        return [self.view(step, key.trace, lang)]


class YesNo(QuizKind):
    name = "yesno"

    def stated(self, value, step):
        if value not in ("yes", "no"):
            raise quiz.Unreadable("need_choice")
        return value

    def parse(self, text, step, order=None):
        return self.stated(quiz.normalize(text).lower(), step)

    def judge(self, step, answer, key):
        return quiz.Verdict(answer == key.value, None if answer == key.value else "wrong")


TABLES = """
[constants]
pi = "355/113"
"""
SHOW = """
[[step]]
id = "show-pi"
kind = "show"
constant = "pi"
"""


@pytest.fixture
def toys(monkeypatch):
    monkeypatch.setitem(SOURCES, "constant", ConstantFamily())
    monkeypatch.setitem(QUIZ_KINDS, "yesno", YesNo())


def test_a_new_source_family_is_one_table_entry(tmp_path, toys):
    lesson = load(tmp_path, source='constant = "pi"', quantity="twice", answer='"710/113"', head=TABLES, show=SHOW)
    show, question = lesson.steps
    assert show.view == "number" and check.check_lesson(lesson) == []
    key = grading.key(question)
    assert key.value == pytest.approx(2 * 355 / 113)
    slip = grading.judge(question, grading.read(question, "355/113"), key)
    assert not slip.right and slip.key == "forward_value"  # the family's own known mistake
    assert check.check_step(question) == []
    wrong = load(tmp_path, source='constant = "pi"', quantity="twice", answer="6", head=TABLES)
    assert check.check_step(wrong.steps[0]) == [f"answer 6 but the engine computes twice = {check.describe(key.value)}"]
    # The loader knows its keys, table, views and quantities, and says where they do not fit.
    found = load_problems(tmp_path, source='example = "apple"\ndigits = 3', quantity="number", head=TABLES)
    assert 'lessons/mini/lesson.toml: step q: digits goes with constant = "…"' in found
    assert any("'number' is asked of a named constant, but the step names a traced example" in p for p in found)
    found = load_problems(tmp_path, source="", head=TABLES)
    assert any("needs a source: example, circuit, layer, model, training, init_study, update, perceptron, path, race, scaling or constant" in p for p in found)


def test_a_new_source_family_shows_in_a_lesson_run(tmp_path, toys):
    from gradtutor.tutor.progress import Progress
    from gradtutor.tutor.session import Lines, Session, console_for

    lesson = load(tmp_path, source='constant = "pi"', quantity="twice", answer='"710/113"', head=TABLES, show=SHOW)
    out = io.StringIO()
    console = console_for(scripted=True, width=80, file=out)
    with Progress.open(tmp_path / "home") as progress:
        code = Session(lesson, "en", progress, console, Lines(io.StringIO("6\n710/113\n"), console)).run()
    text = out.getvalue()
    assert code == 0
    assert "pi = 3.14159" in text and text.count("pi = ") == 2  # the show step, then the worked solution


def test_a_new_quiz_kind_is_one_table_entry(tmp_path, toys):
    question = load(tmp_path, quiz="yesno", quantity="above:100:grad:tax", answer='"yes"').steps[0]
    key = grading.key(question)
    assert key.value == "yes" and grading.judge(question, grading.read(question, "YES"), key).right
    assert not grading.judge(question, grading.read(question, "no"), key).right
    with pytest.raises(quiz.Unreadable):
        grading.read(question, "maybe")
    assert check.check_step(question) == []
    assert load_problems(tmp_path, quiz="yesno", answer='"perhaps"') == [
        "lessons/mini/lesson.toml: step q: answer 'perhaps' cannot be read as a yesno answer"
    ]
    assert "atol and rtol apply only to numeric and matrix quizzes" in load_problems(
        tmp_path, quiz="yesno", answer='"yes"\natol = 0.1'
    )[0]


def test_an_unknown_constant_is_reported_by_its_family(tmp_path, toys):
    found = load_problems(tmp_path, source='constant = "e"', quantity="number", head=TABLES)
    assert "lessons/mini/lesson.toml: step q: unknown constant 'e' (constants: pi)" in found
