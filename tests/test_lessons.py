"""Every lesson, every quiz: the schema holds and each stated answer is what the engine computes.

The parametrization is built from the installed lessons, so a new lesson or quiz is covered the
moment it is written. Below that, the checker itself is tested on small broken lessons.
"""

import re
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest

from gradtutor.engine import Value
from gradtutor.tutor import answers, check, giveaways, grading, lessons
from gradtutor.tutor.lessons import LessonError
from gradtutor.tutor.sources import trace
from gradtutor.tutor.text import LANGUAGES

from lesson_catalog import loadable

ALL = loadable()
QUIZZES = [pytest.param(lesson, step, id=f"{lesson.id}:{step.id}") for lesson in ALL for step in lesson.quizzes]
SHOWS = [
    pytest.param(lesson, step, id=f"{lesson.id}:{step.id}")
    for lesson in ALL for step in lesson.steps if step.kind == "show"
]


def test_the_lessons_of_the_course_are_installed():
    assert {"backprop", "gates"} <= set(lessons.names())


@pytest.mark.parametrize("name", lessons.names())
def test_dev_check_passes(name):
    assert check.check([name]) == []


@pytest.mark.parametrize("lesson, step", QUIZZES)
def test_stated_answer_agrees_with_the_engine(lesson, step):
    key = grading.key(step)
    assert grading.judge(step, step.answer, key).right, (
        f"{lesson.id}/{step.id}: the lesson says {step.answer_text}, the engine {check.describe(key.value)}"
    )


@pytest.mark.parametrize("lesson, step", QUIZZES)
def test_every_quiz_speaks_both_languages(lesson, step):
    for lang in LANGUAGES:
        assert step.title[lang] and step.prompt[lang] and step.why[lang]
        assert all(hint[lang] for hint in step.hints)
        assert all(choice.text[lang] for choice in step.choices)


@pytest.mark.parametrize("lesson, step", SHOWS)
def test_every_show_step_renders(lesson, step):
    assert check.render_view(step, answers.solve(step.source)) == []


# -- the checker on small lessons -------------------------------------------------------------------
MANIFEST = """
format_version = 1
id = "mini"

[circuits.fresh]
expression = '''
q = a + b
f = q * c
'''
at = { a = 2, b = -1, c = "3" }

[[step]]
id = "intro"
kind = "explain"

[[step]]
id = "q-grad"
kind = "quiz"
quiz = "numeric"
circuit = "fresh"
quantity = "grad:a"
answer = "3"
prompt = { en = "∂f/∂a?", ko = "∂f/∂a는?" }
why = { en = "Because.", ko = "그래서." }
hints = [{ en = "Add distributes.", ko = "덧셈은 분배." }]
"""
EN = "# Mini\n\nIntro.\n\n## Start {#intro}\n\nHello.\n\n## The gradient {#q-grad}\n"
KO = "# 미니\n\n소개.\n\n## 시작 {#intro}\n\n안녕하세요.\n\n## 기울기 {#q-grad}\n"


def write_lesson(tmp_path, manifest=MANIFEST, en=EN, ko=KO):
    folder = tmp_path / "mini"
    folder.mkdir(exist_ok=True)
    (folder / "lesson.toml").write_text(textwrap.dedent(manifest), encoding="utf-8")
    (folder / "en.md").write_text(en, encoding="utf-8")
    (folder / "ko.md").write_text(ko, encoding="utf-8")
    return folder


def problems(tmp_path, **files) -> list[str]:
    try:
        lesson = lessons.load("mini", write_lesson(tmp_path, **files))
    except LessonError as exc:
        return exc.problems
    return check.check_lesson(lesson)


def test_a_good_small_lesson_loads_and_checks(tmp_path):
    lesson = lessons.load("mini", write_lesson(tmp_path))
    assert [s.id for s in lesson.steps] == ["intro", "q-grad"]
    assert lesson.title == {"en": "Mini", "ko": "미니"}
    assert lesson.steps[0].body == {"en": "Hello.", "ko": "안녕하세요."}
    assert check.check_lesson(lesson) == []


def test_an_answer_the_engine_disagrees_with_is_reported(tmp_path):
    found = problems(tmp_path, manifest=MANIFEST.replace('answer = "3"', 'answer = "4"'))
    assert found == ["lessons/mini/lesson.toml: step q-grad: answer 4 but the engine computes grad:a = 3"]


@pytest.mark.parametrize(
    "change, expected",
    [
        (('ko = "∂f/∂a는?"', 'kr = "∂f/∂a는?"'), "prompt has no ko text"),
        (('ko = "∂f/∂a는?"', 'ko = "  "'), "prompt has no ko text"),
        (('quiz = "numeric"', 'quiz = "essay"'), "quiz 'essay' must be one of"),
        (('id = "q-grad"', 'id = "intro"'), "step id 'intro' is used twice"),
        (('quantity = "grad:a"', 'quantity = "gradient of a"'), "cannot read the quantity"),
        (('circuit = "fresh"', 'example = "pears"'), "unknown example 'pears'"),
        (('answer = "3"', 'answer = "three"'), "cannot be read as a numeric answer"),
        (('kind = "explain"', 'kind = "explain"\ncolour = "red"'), "unknown key 'colour'"),
        (("format_version = 1", "format_version = 2"), "this gradtutor reads format_version 1"),
        (('quantity = "grad:a"', 'quantity = "grad:z"'), "no node named 'z'"),
        (('hints = [{ en = "Add distributes.", ko = "덧셈은 분배." }]', "hints = []"), "needs hints"),
    ],
)
def test_schema_problems_are_named_with_their_place(tmp_path, change, expected):
    old, new = change
    assert old in MANIFEST
    found = problems(tmp_path, manifest=MANIFEST.replace(old, new))
    assert any(expected in p for p in found), found
    assert all(p.startswith("lessons/mini/") for p in found), found


def test_markdown_problems(tmp_path):
    missing = problems(tmp_path, ko=KO.replace("## 기울기 {#q-grad}\n", ""))
    assert missing == ["lessons/mini/ko.md: no '## Title {#q-grad}' section for step q-grad"]
    half = problems(tmp_path, en=EN + "Some English prose only.\n")
    assert half == ["lessons/mini/en.md, ko.md: step q-grad has prose in en but not in ko"]
    stray = problems(tmp_path, en=EN + "\n## Extra {#extra}\n\nText.\n")
    assert stray == ["lessons/mini/en.md: section {#extra} is not a step id of the lesson"]
    no_id = problems(tmp_path, en=EN.replace("## Start {#intro}", "## Start"))
    assert any("needs its id" in p for p in no_id), no_id


def test_a_missing_language_file_is_reported(tmp_path):
    folder = write_lesson(tmp_path)
    (folder / "ko.md").unlink()
    with pytest.raises(LessonError) as caught:
        lessons.load("mini", folder)
    assert caught.value.problems == ["lessons/mini/ko.md: missing: every lesson needs en.md and ko.md"]


def test_wrong_choices_need_feedback_and_computed_choices_must_match(tmp_path):
    choice = """
[[step]]
id = "pick"
kind = "quiz"
quiz = "choice"
circuit = "fresh"
quantity = "largest:grad:a,c"
answer = "a"
prompt = { en = "Which?", ko = "어느 것?" }
why = { en = "So.", ko = "그래서." }
hints = [{ en = "Look.", ko = "보세요." }]
choices = [
  { id = "a", text = { en = "a", ko = "a" } },
  { id = "c", text = { en = "c", ko = "c" } },
]
"""
    found = problems(tmp_path, manifest=MANIFEST + choice, en=EN + "\n## Pick {#pick}\n", ko=KO + "\n## 고르기 {#pick}\n")
    # ∂f/∂a = c = 3 and ∂f/∂c = q = 1: a is right, and c has no feedback.
    assert found == ["lessons/mini/lesson.toml: step pick: wrong choice 'c' needs feedback naming its misconception"]
    flipped = (MANIFEST + choice).replace('answer = "a"', 'answer = "c"')
    found = problems(tmp_path, manifest=flipped, en=EN + "\n## Pick {#pick}\n", ko=KO + "\n## 고르기 {#pick}\n")
    assert any("answer c but the engine computes largest:grad:a,c = a" in p for p in found), found


# -- quantities against the engine -------------------------------------------------------------------
def _gate_patterns():
    """f = x·y + max(x, z) at x=3, y=-4, z=2, built and differentiated by the engine directly."""
    x, y, z = Value(3, "x"), Value(-4, "y"), Value(2, "z")
    xy = x * y
    m = x.max(z)
    f = xy + m
    f.backward()
    return x, y, z, xy, m, f


def test_quantities_read_the_engines_numbers():
    from gradtutor.tutor.sources.trace import Traced

    trace = answers.solve(Traced(example="gate-patterns"))
    x, y, z, xy, m, f = _gate_patterns()
    q = lambda text: answers.compute(answers.parse_quantity(text), trace)  # noqa: E731
    assert (q("grad:x"), q("grad:y"), q("grad:z")) == (x.grad, y.grad, z.grad)
    assert q("value:f") == f.data
    assert q("local:xy:x") == y.data and q("local:xy:y") == x.data
    assert q("downstream:m:x") == 1.0 * (x.data >= z.data)
    assert q("upstream:xy") == xy.grad
    assert (q("gate:f"), q("gate:xy"), q("gate:m"), q("gate:x")) == ("distribute", "swap", "route", "copy")
    assert q("sign:grad:x") == ("positive" if x.grad > 0 else "negative")
    assert q("largest:grad:x,y,z") == max(("x", x.grad), ("y", y.grad), ("z", z.grad), key=lambda p: p[1])[0]
    assert q("shape:grad:x") == ()
    with pytest.raises(answers.QuantityError, match="used once"):
        q("gate:y")


def test_a_multi_line_circuit_is_one_graph_with_named_results(tmp_path):
    lesson = lessons.load("mini", write_lesson(tmp_path))
    trace = answers.solve(lesson.steps[1].source)
    a, b, c = Value(2, "a"), Value(-1, "b"), Value(3, "c")
    f = (a + b) * c
    f.backward()
    assert [n.name for n in trace.nodes if n.name] == ["a", "b", "q", "c", "f"]
    assert trace.grad("a") == a.grad and trace.grad("c") == c.grad and trace.value("f") == f.data


def test_worked_solutions_point_at_the_step_that_completes_the_gradient():
    from gradtutor.tutor.sources.trace import Traced

    trace = answers.solve(Traced(example="apple"))
    step_of = lambda text: answers.solution_step(answers.parse_quantity(text), trace)  # noqa: E731
    # Backward step 1 is price = apple_price × tax (it sends tax its gradient); step 2 is apple_price.
    assert trace.nodes[trace.steps[0].node].name == "price"
    assert step_of("grad:tax") == 1 and step_of("grad:apple") == 2 and step_of("local:apple_price:apple") == 2
    assert step_of("value:price") is None


TENSOR_QUIZZES = """
format_version = 1
id = "mini"

[[step]]
id = "dw-shape"
kind = "quiz"
quiz = "shape"
example = "affine"
quantity = "shape:grad:W"
answer = "(2, 3)"
prompt = { en = "Shape of dL/dW?", ko = "dL/dW의 모양은?" }
why = { en = "Like W.", ko = "W와 같습니다." }
hints = [{ en = "Look at W.", ko = "W를 보세요." }]

[[step]]
id = "dw"
kind = "quiz"
quiz = "matrix"
example = "affine"
quantity = "grad:W"
answer = [[1, -1, 2], [2, -2, 4]]
given_in = ["dw-shape"]  # the shape quiz's worked solution traces W's gradient
prompt = { en = "dL/dW?", ko = "dL/dW는?" }
why = { en = "xᵀ·dL/dy.", ko = "xᵀ·dL/dy입니다." }
hints = [{ en = "An outer product.", ko = "외적입니다." }]
"""
TENSOR_EN = "# T\n\n## Shape {#dw-shape}\n\n## Matrix {#dw}\n"
TENSOR_KO = "# T\n\n## 모양 {#dw-shape}\n\n## 행렬 {#dw}\n"


def test_shape_and_matrix_quizzes_on_a_tensor_example(tmp_path):
    from gradtutor import examples
    from gradtutor.tensor import Tensor

    assert problems(tmp_path, manifest=TENSOR_QUIZZES, en=TENSOR_EN, ko=TENSOR_KO) == []
    lesson = lessons.load("mini", write_lesson(tmp_path, TENSOR_QUIZZES, TENSOR_EN, TENSOR_KO))
    shape_step, matrix_step = lesson.steps
    root, upstream = examples.get("affine").build()
    root.backward(upstream)
    W = next(node for node in _tensors(root) if node.name == "W")
    assert isinstance(W, Tensor)
    key = grading.key(matrix_step)
    assert key.value == W.grad.tolist() and grading.key(shape_step).value == W.grad.shape
    typed = lambda step, text: grading.judge(step, grading.read(step, text), grading.key(step))  # noqa: E731
    assert typed(shape_step, "2x3").right and typed(shape_step, "(3, 2)").key == "shape_transposed"
    assert typed(matrix_step, "1 -1 2; 2 -2 4").right
    assert typed(matrix_step, "1 2; -1 -2; 2 4").key == "matrix_transposed"
    assert typed(matrix_step, "1 -1 2; 2 -2 5").params == {"row": 2, "column": 3}
    wrong = TENSOR_QUIZZES.replace("[[1, -1, 2], [2, -2, 4]]", "[[1, -1, 2], [2, -2, 5]]")
    found = problems(tmp_path, manifest=wrong, en=TENSOR_EN, ko=TENSOR_KO)
    assert found == ["lessons/mini/lesson.toml: step dw: answer [[1, -1, 2], [2, -2, 5]] but the engine computes grad:W = [1 -1 2; 2 -2 4]"]


def _tensors(root):
    from gradtutor.engine import topological_order

    return topological_order(root)


def test_every_circuit_must_build_even_when_unused(tmp_path):
    broken = MANIFEST.replace("[[step]]", '[circuits.spare]\nexpression = "a ^ b"\nat = { a = 1, b = 2 }\n\n[[step]]', 1)
    found = problems(tmp_path, manifest=broken)
    assert len(found) == 1 and found[0].startswith("lessons/mini/lesson.toml: circuit spare: '^' is not a power here")


def test_hints_that_could_never_come_by_themselves_are_reported(tmp_path):
    found = problems(tmp_path, manifest=MANIFEST.replace('answer = "3"', 'answer = "3"\ntries = 2\nhint_after = 3'))
    assert found == ["lessons/mini/lesson.toml: step q-grad: hint_after 3 is more than tries 2: no hint would ever come by itself"]


def test_a_diagram_graphviz_remarks_on_is_a_lesson_problem():
    # A label bigger than its fixed cell: Graphviz draws it anyway and says so on stderr.
    crowded = 'digraph { a [shape=plain, label=<<TABLE><TR><TD FIXEDSIZE="TRUE" WIDTH="5" HEIGHT="5">far too long</TD></TR></TABLE>>]; }'
    (problem,) = trace.check_layout(crowded)
    assert "cell size too small for content" in problem
    assert trace.check_layout("digraph { a -> b }") == []  # nothing said, nothing reported


# -- no answer on screen before its question ------------------------------------------------------
GIVEAWAY = Path(__file__).resolve().parent / "data" / "lessons" / "giveaway"


def test_a_lesson_that_gives_its_answers_away_is_reported():
    found = check.check_lesson(lessons.load("giveaway", GIVEAWAY))
    where = "lessons/giveaway/lesson.toml"
    assert found == [
        # the Korean text says it, the English does not; the table says it in both
        f"{where}: step y-grad: the answer 13 is shown before it is asked, in step intro's text (ko)",
        f"{where}: step y-grad: the answer 13 is shown before it is asked, in step trace's view (en, ko)",
        # given_in excuses the table, not the introduction or the worked solution of the quiz before
        f"{where}: step x-grad: the answer 6.5 is shown before it is asked, in the lesson's introduction (ko)",
        f"{where}: step x-grad: the answer 6.5 is shown before it is asked, in step y-grad's worked solution (en, ko)",
        f"{where}: step x-grad: given_in 'intro' excuses nothing: that step does not show the answer",
        # a one-digit answer counts as a worked-out result (−3 + 5 = 2), not as an input (c = 2)
        f"{where}: step sum: the answer 2 is shown before it is asked, in step intro's text (en)",
        f"{where}: given 20 excuses nothing: no quiz's answer 20 is shown early",
    ]


@pytest.mark.parametrize(
    "value, percent, shown, hidden",
    [
        (13, False, ["y gets 13.", "13이", "(13)", "= 13,"], ["130", "1.3", "13.5", "−13", "-13", "h13", "2.13"]),
        (-2, False, ["−2", "-2.", "x = −2"], ["2", "−2.5", "−25"]),
        (0.33790865150134, False, ["0.337909", "≈ 0.338", "0.3379"], ["0.33", "0.3"]),
        (Fraction(1, 3), False, ["1/3"], ["1/30"]),
        ((1, 28, 28), False, ["(1, 28, 28)", "1×28×28", "1 × 28 × 28", "1x28x28"], ["(11, 28, 28)", "(1, 28, 280)", "28×28"]),
        (1.0, True, ["accuracy 100.0%", "100%", "100.00%"], ["1100.0%"]),
    ],
)
def test_an_answer_is_found_the_ways_the_screen_writes_it(value, percent, shown, hidden):
    def found(text):
        return any(re.search(pattern, text) for pattern in giveaways.forms(value, percent))

    assert [text for text in shown if not found(text)] == []
    assert [text for text in hidden if found(text)] == []


@pytest.mark.parametrize(
    "given_in, expected",
    [
        ('["q-grad"]', "given_in 'q-grad' excuses nothing"),
        ('["later"]', "given_in 'later' is not a step before this quiz"),
        ('"intro"', "given_in must be a list of step ids"),
    ],
)
def test_a_given_in_that_excuses_nothing_is_reported(tmp_path, given_in, expected):
    manifest = MANIFEST.replace('answer = "3"\n', f'answer = "3"\ngiven_in = {given_in}\n')
    found = problems(tmp_path, manifest=manifest)
    assert any(expected in p for p in found), found
