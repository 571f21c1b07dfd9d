"""Korean in the traced tables and diagrams: every op and every renderer string speaks both
languages, Korean tables stay aligned, and the tutor's gate-pattern names agree with the op table."""

import re
import string

import pytest
from rich.cells import cell_len

import op_registry  # noqa: F401  (imports the whole package: every registered op is here)
from gradtutor import ops
from gradtutor.lang import LANGUAGES, load_strings

ALL_OPS = list(ops.OPS.values())

# Names in formulas, not English words: functions (max, tanh, diag …), variables (mask, cols)
# and differentials (dL, dX …). Any other word of two or more Latin letters is English.
MATH_NAMES = {
    "diag", "exp", "ln", "log", "max", "min", "mean", "tanh", "softmax", "reshape", "stack", "cols", "mask",
    "dL", "dW", "dX", "dY", "db", "dn", "dt", "dx", "dy", "dz", "KH", "KW",
    "dQ", "dK", "dV", "dS", "dP", "dO",  # attention's differentials
}


def english_words(text: str) -> set[str]:
    import re

    return set(re.findall(r"(?<!\w)[A-Za-z]{2,}(?!\w)", text)) - MATH_NAMES


def _worded_texts(op, lang):
    """Every text of the op record a table shows besides the gate pattern, in `lang`."""
    slots = range(max(len(op.local), len(op.jacobian), len(op.backward), 1))
    yield "formula", op.formula_in(lang)
    for slot in slots:
        yield f"local[{slot}]", op.local_in(slot, lang)
        yield f"jacobian[{slot}]", op.jacobian_in(slot, lang) or ""
        yield f"backward[{slot}]", op.backward_in(slot, lang)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_every_op_has_its_gate_pattern_in_korean(op):
    korean = op.words("ko")  # the op's own Korean table, without English stand-ins
    gate_ko, explain_ko = korean.get("gate", ""), korean.get("explain", "")
    assert gate_ko.strip() and explain_ko.strip(), f"op {op.name!r} needs a Korean gate and explain"
    assert op.gate_in("ko") == gate_ko and op.explain_in("ko") == explain_ko
    assert op.gate_in("en") == op.gate and op.explain_in("en") == op.explain
    assert any("가" <= ch <= "힣" for ch in gate_ko + explain_ko), "Korean text in Hangul"
    # Formulas in the English text (xᶜ⁻¹, 1 − z², Wᵀ …) carry over to the Korean one.
    for formula in ("c·xᶜ⁻¹", "1 − z²", "z(1 − z)", "Wᵀ", "1/y", "(y − t)/N", "2(y − t)/n", "α"):
        if formula in op.gate + op.explain:
            assert formula in gate_ko + explain_ko, (op.name, formula)
    # The formula, local-gradient, Jacobian-structure and rule texts: wherever the English has
    # words, the Korean record has its own text, one per input like the English.
    for key, english in (("local", op.local), ("jacobian", op.jacobian), ("backward", op.backward)):
        texts = korean.get(key, ())
        assert not texts or len(texts) == len(english), (op.name, texts)
    for field, text in _worded_texts(op, "ko"):
        assert not english_words(text), f"op {op.name!r} needs Korean for {field}: {text!r}"
    for (field, english), (_, korean) in zip(_worded_texts(op, "en"), _worded_texts(op, "ko")):
        if english_words(english):
            assert any("가" <= ch <= "힣" for ch in korean), (op.name, field)
        for formula in ("Wᵀ", "Xᵀ", "diag(", "1/y", "(y − t)", "α", "1 − z²"):
            if formula in english:
                assert formula in korean, (op.name, field, formula)


def test_an_op_missing_korean_for_a_worded_text_is_caught():
    english = {"formula": "z = 2x", "local": ["2 where x > 0"], "gate": "doubles", "explain": "Doubles the gradient.",
               "jacobian": ["diagonal, 2I"]}
    bare = ops.Op("twice", "2×", 1, forward=None, vjp=None, sample=None, texts={"en": english})
    assert bare.local_in(0, "ko") == "2 where x > 0" and bare.jacobian_in(0, "ko") == "diagonal, 2I"
    found = {field for field, text in _worded_texts(bare, "ko") if english_words(text)}
    assert found == {"local[0]", "jacobian[0]"}
    korean = ops.Op("twice", "2×", 1, forward=None, vjp=None, sample=None,
                    texts={"en": english, "ko": {"local": ["x > 0인 곳에서 2"], "jacobian": ["대각 행렬, 2I"]}})
    assert not any(english_words(text) for _, text in _worded_texts(korean, "ko"))
    assert korean.local_in(0, "en") == "2 where x > 0"


def test_fanout_pattern_has_korean_too():
    assert ops.FANOUT.gate_in("ko") == "복사(분기)는 더함"
    assert ops.FANOUT.explain_in("ko").strip() and ops.FANOUT.explain_in("en") == ops.FANOUT.explain


def test_an_op_without_korean_shows_its_english_rather_than_nothing():
    bare = ops.Op("twice", "2×", 1, forward=None, vjp=None, sample=None,
                  texts={"en": {"formula": "z = 2x", "local": ["2"], "gate": "doubles", "explain": "Doubles the gradient."}})
    assert bare.gate_in("ko") == "doubles" and bare.explain_in("ko") == "Doubles the gradient."


def test_pattern_names_agree_between_the_op_table_and_the_tutor():
    """The tutor names the four patterns in feedback and answers; the tables name them from the
    op table. A learner must read the same words in both, in both languages."""
    from gradtutor.tutor.text import pattern_name

    for pattern, source in {"distribute": ops.ADD, "swap": ops.MUL, "copy": ops.FANOUT, "route": ops.MAX}.items():
        for lang in LANGUAGES:
            assert pattern_name(pattern, lang) == source.gate_in(lang), (pattern, lang)


def test_korean_pattern_names_are_accepted_as_quiz_answers():
    from gradtutor.tutor.quiz import parse_pattern
    from gradtutor.tutor.text import pattern_synonyms

    for pattern, source in {"distribute": ops.ADD, "swap": ops.MUL, "copy": ops.FANOUT, "route": ops.MAX}.items():
        for lang in LANGUAGES:
            assert parse_pattern(source.gate_in(lang), pattern_synonyms()) == pattern, (pattern, lang)


# -- the renderers' strings ------------------------------------------------------------------
def test_every_renderer_string_has_every_language_and_the_same_placeholders():
    texts = load_strings("gradtutor.render")
    assert texts
    for key, by_lang in texts.items():
        assert set(by_lang) == set(LANGUAGES), key
        for lang in LANGUAGES:
            assert by_lang[lang] or key == "exact_note", (key, lang)
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(by_lang[lang]) if f} for lang in LANGUAGES}
        assert fields["en"] == fields["ko"], key


def test_every_renderer_string_in_use_exists_and_none_is_left_over():
    """The keys the renderers ask for, read from their source, are exactly the file's keys."""
    import re
    from pathlib import Path

    import gradtutor.render

    folder = Path(gradtutor.render.__file__).parent
    used = set()
    for path in folder.glob("*.py"):
        used |= set(re.findall(r"words\(\s*\w+,\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8")))
    assert used == set(load_strings("gradtutor.render"))


def test_an_unknown_language_is_a_one_line_error():
    from gradtutor.lang import UnknownLanguage
    from gradtutor.render.fmt import words

    with pytest.raises(UnknownLanguage, match=r"^unknown language 'kr'; choose one of: en, ko$"):
        words("kr", "col_step")
    assert cell_len(words("ko", "col_step")) == 4


# -- Korean tables ---------------------------------------------------------------------------
def _korean_table(name="gate-patterns", width=100, **options):
    from gradtutor.render.term import trace_table
    from render_golden import console_text, traced

    return console_text(trace_table(traced(name), lang="ko", **options), width=width)


def test_korean_trace_table_golden():
    from render_golden import assert_golden

    text = _korean_table()
    assert_golden("table-gate-patterns-ko.txt", text)
    for term in ("역전파", "상류 기울기", "국소적 미분", "하류 기울기", "덧셈 노드는 분배", "곱셈 노드는 교환"):
        assert term in text
    assert ops.FANOUT.explain_in("ko")[:10] in text  # the fan-out caption, in Korean
    assert "Upstream" not in text and "multiply swaps" not in text


def _cell_start(line: str, text: str) -> int:
    return cell_len(line[: line.index(text)])


def test_korean_trace_table_stays_aligned():
    """Hangul takes two terminal cells: every column must still start at the same cell in the
    header and in every row, and no line may be wider than the terminal."""
    from gradtutor.render.fmt import show
    from render_golden import traced

    trace = traced("apple-orange")
    lines = _korean_table("apple-orange").splitlines()
    header = next(line for line in lines if "기울기" in line and "입력" in line and "단계" in line)
    input_column = _cell_start(header, "입력")
    upstream_end = _cell_start(header, "기울기") + cell_len("기울기")  # right-aligned column
    rows = [line for line in lines if re.search(r"\S+ × \S+ = ", line)]  # each input's "up × local = down"
    assert len(rows) == sum(len(s.flows) for s in trace.steps)
    labels = [trace.nodes[f.node].label for s in trace.steps for f in s.flows]
    for row, label in zip(rows, labels):  # the label in the input column, not inside the gate's name
        at = re.search(rf"(?<=  ){re.escape(label)}(?=  )", row).start()
        assert cell_len(row[:at]) == input_column, row
    for s in trace.steps:  # each step's first row: the upstream number ends under its header
        row = rows[sum(len(t.flows) for t in trace.steps[: s.index - 1])]
        label = labels[rows.index(row)]
        before_input = row[: re.search(rf"(?<=  ){re.escape(label)}(?=  )", row).start()].rstrip()
        assert before_input.endswith(show(s.upstream)) and cell_len(before_input) == upstream_end, row
    assert max(cell_len(line) for line in lines) <= 100


def test_a_narrow_korean_table_fits_its_terminal():
    for name in ("apple-orange", "gate-patterns"):
        text = _korean_table(name, width=60)
        assert max(cell_len(line) for line in text.splitlines()) <= 60, name
        assert "국소적 미분" in text and "상류 × 국소" in text


def test_every_korean_table_renders_for_every_example_and_the_forward_and_summary_tables():
    from gradtutor import examples
    from gradtutor.render.term import forward_table, summary, trace_table
    from render_golden import console_text, traced

    for name in examples.EXAMPLES:
        trace = traced(name, check=True)
        text = console_text(trace_table(trace, lang="ko")) + console_text(summary(trace, lang="ko"))
        assert "역전파" in text and "입력 변수" in text and "기울기 확인" in text, name
        for s in trace.steps:
            assert s.op.gate_in("ko").split()[0] in text, (name, s.op.name)
    forward = console_text(forward_table(traced("neuron"), lang="ko"))
    assert "순전파" in forward and "상수" in forward and "계산" in forward


def test_korean_tensor_tables_name_their_parts_in_korean():
    from gradtutor.render.term import trace_table
    from render_golden import console_text, traced

    text = console_text(trace_table(traced("affine"), lang="ko"), width=120)
    for term in ("역전파", "국소적 야코비 행렬", "하류 기울기", "엔진이 실제로 쓰는 식", "행 우선"):
        assert term in text, term
    assert "Rule the engine runs" not in text and "Backward pass" not in text


def test_korean_affine_table_golden():
    from gradtutor.render.term import summary, trace_table
    from render_golden import assert_golden, console_text, traced

    trace = traced("affine")
    text = console_text(trace_table(trace, lang="ko"), width=100) + console_text(summary(trace, lang="ko"), width=100)
    assert_golden("table-affine-ko.txt", text)
    assert "행렬 곱 노드는 상대편 입력의 전치를 곱함" in text and "dL/dW = xᵀ · dL/dxW" in text
    assert "∂L/∂입력" in text and "∂L/∂y = [1, −1, 2](상류 기울기)에서 시작" in text  # the upstream is not 1


@pytest.mark.parametrize("name", ["affine-batch", "two-layer-net", "l2-penalty", "softmax-loss", "max-vector"])
def test_korean_tensor_tables_show_the_op_texts_in_korean(name):
    """Jacobians too large to print are described in words: those words, the rules and the
    formulas come from the op records' Korean texts, and no English text of them is left."""
    from gradtutor.render.term import trace_table
    from render_golden import console_text, traced

    trace = traced(name)
    text = " ".join(console_text(trace_table(trace, lang="ko"), width=200).split())
    english = " ".join(console_text(trace_table(trace), width=200).split())
    for s in trace.steps:
        for slot in range(len(s.flows)):
            for field in ("jacobian_in", "backward_in"):
                korean, original = getattr(s.op, field)(slot, "ko") or "", getattr(s.op, field)(slot) or ""
                if english_words(original) and original in english:
                    assert original not in text and korean.split(" (")[0] in text, (s.op.name, field)


def test_jacobian_command_speaks_korean():
    from typer.testing import CliRunner

    from gradtutor.cli import app

    args = ["jacobian", "leaky_relu", "--at", "x=[1,-2]", "--param", "0.1"]
    korean, english = (CliRunner().invoke(app, args + ["--lang", lang]) for lang in ("ko", "en"))
    assert korean.exit_code == english.exit_code == 0, (korean.output, english.output)
    text = " ".join(korean.stdout.split())
    assert "out = x > 0이면 x, 아니면 α·x" in text  # the formula, in the gate's own name; the rule wraps
    assert "dL/dx =" in text and "dL/dout ⊙ (x > 0이면 1," in text and "아니면 α)" in text
    assert " else " in english.stdout and " else " not in korean.stdout and "where" not in korean.stdout


# -- diagrams -----------------------------------------------------------------------------------
def test_korean_frame_caption_golden():
    from gradtutor.render.dot import to_dot
    from render_golden import assert_golden, traced

    text = to_dot(traced("apple"), step=2, lang="ko")
    assert_golden("apple-step2-ko.dot", text)
    assert "역전파 2/2단계: × apple_price, 곱셈 노드는 교환" in text


def test_korean_captions_get_cells_wide_enough_for_hangul_and_a_font_that_has_it():
    import re

    from gradtutor.render.dot import CHAR_WIDTH, FONT, FONTS, _caption_text, to_dot
    from render_golden import traced

    trace = traced("gate-patterns")
    english, korean = to_dot(trace, step=2), to_dot(trace, step=2, lang="ko")
    assert f'fontname="{FONT}"' in english and FONTS["ko"] not in english
    assert f'fontname="{FONTS["ko"]}"' in korean and "NanumGothic" in FONTS["ko"]
    width = float(re.search(r'label=<<TABLE[^>]*><TR><TD FIXEDSIZE="TRUE" WIDTH="([\d.]+)"', korean).group(1))
    texts = [_caption_text(trace, k, "ko") for k in [None, *range(len(trace.steps) + 1)]]
    assert width >= max(cell_len(t) for t in texts) * CHAR_WIDTH  # two cells per Hangul syllable
    assert width > max(len(t) for t in texts) * CHAR_WIDTH + 12  # more than counting characters gives


def test_korean_frames_overlay_exactly_too():
    import warnings

    import pygraphviz

    from gradtutor.render.dot import to_dot
    from render_golden import traced

    trace = traced("apple-orange")
    layouts = set()
    for step in range(len(trace.steps) + 1):
        graph = pygraphviz.AGraph(string=to_dot(trace, step=step, lang="ko"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph.layout(prog="dot")
        layouts.add((graph.graph_attr["bb"], tuple(sorted((n, n.attr["pos"]) for n in graph.nodes()))))
    assert len(layouts) == 1


def test_json_carries_the_gate_pattern_in_every_language_and_keeps_its_schema():
    from gradtutor.render.json import SCHEMA, to_dict
    from render_golden import traced

    data = to_dict(traced("apple"))
    assert data["schema"] == SCHEMA == "gradtutor.trace/1"
    for step in data["steps"]:
        op = ops.OPS[step["op"]]
        assert step["gate"] == op.gate
        assert step["gate_text"] == {"en": op.gate, "ko": op.words("ko")["gate"]}
        assert step["explain_text"] == {"en": op.explain, "ko": op.words("ko")["explain"]}


def test_json_carries_the_op_texts_in_every_language():
    from render_golden import traced

    from gradtutor.render.json import to_dict

    step = to_dict(traced("relu-vector"))["steps"][0]
    item = step["inputs"][0]
    assert step["formula_text"] == {"en": ops.RELU.formula, "ko": ops.RELU.formula}  # no words: one text
    assert item["local_formula_text"] == {"en": "1 if x > 0 else 0", "ko": "x > 0이면 1, 아니면 0"}
    assert item["jacobian_structure_text"] == {"en": item["jacobian_structure"], "ko": ops.RELU.words("ko")["jacobian"][0]}
    assert item["rule_text"]["en"] == item["rule"]
    matmul = next(s for s in to_dict(traced("affine-batch"))["steps"] if s["op"] == "matmul")
    w_input = matmul["inputs"][1]
    assert w_input["rule_shapes_text"]["en"] == w_input["rule_shapes"]
    assert w_input["rule_shapes_text"]["ko"] == w_input["rule_shapes"]  # shapes only: the same
    # A stack of batches times one W: dW sums over the stack, said in each language.
    english, korean = (ops.MATMUL.backward_shapes_in([(4, 2, 2), (2, 3)], (4, 2, 3), lang)[1] for lang in ("en", "ko"))
    assert english.endswith(", summed over the batch") and korean.endswith(", 배치에 걸쳐 합산")
    assert english.removesuffix(", summed over the batch") == korean.removesuffix(", 배치에 걸쳐 합산")


def test_softmax_words_say_the_rule_the_engine_runs():
    """yᵢ times (gᵢ minus the y-weighted average of g), in both languages: not yᵢgᵢ − ḡ."""
    import numpy as np

    from gradtutor.tensor import Tensor

    x, g = np.array([2.0, 1.0, 0.1]), np.array([0.3, -1.0, 2.0])
    y = np.exp(x) / np.exp(x).sum()
    t = Tensor(x, requires_grad=True)
    t.softmax().backward(g)
    assert np.allclose(t.grad, y * (g - (y * g).sum()))  # the rule the texts must state
    assert not np.allclose(t.grad, y * g - (y * g).sum())  # the misreading the old English allowed
    assert "yᵢ(gᵢ − Σⱼ yⱼgⱼ)" in ops.SOFTMAX.explain_in("en")
    assert "yᵢ × (자기 상류 기울기 − y로 가중 평균한 상류 기울기)" in ops.SOFTMAX.explain_in("ko")
