"""The op reference card (`gradtutor ops`): the table of every op, one op in full, the JSON."""

import json
import subprocess
import sys

import pytest

import op_registry  # noqa: F401  (imports the whole package: every registered op is here)
from gradtutor import ops
from gradtutor.lang import LANGUAGES
from gradtutor.render import card
from render_golden import assert_golden, console_text

ALL_OPS = list(ops.OPS.values())


def tokens(text: str) -> set[str]:
    return set(text.split())


def gradtutor(*args):
    return subprocess.run(
        [sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True, encoding="utf-8", timeout=120
    )


# -- the table -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 60])
def test_table_golden_at_80_and_60_columns(width):
    text = console_text(card.ops_table(ALL_OPS), width=width)
    assert_golden(f"ops-table-{width}.txt", text)
    assert max(len(line) for line in text.splitlines()) <= width


def test_table_golden_in_korean():
    assert_golden("ops-table-ko.txt", console_text(card.ops_table(ALL_OPS, "ko"), width=80))


@pytest.mark.parametrize("width", [200, 80, 60])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_table_wraps_but_cuts_nothing(width, lang):
    """Every op's name, symbol, formula and pattern is there whole at any width: texts wrap at
    spaces, so each of their words appears as a word of the output."""
    shown = tokens(console_text(card.ops_table(ALL_OPS, lang), width=width))
    for op in ALL_OPS:
        for text in (op.name, op.symbol, op.formula_in(lang), op.gate_in(lang)):
            assert tokens(text) <= shown, (op.name, text, tokens(text) - shown)


def test_a_wide_terminal_gets_one_line_per_op():
    lines = console_text(card.ops_table(ALL_OPS), width=400).splitlines()
    for op in ALL_OPS:
        row = next(line for line in lines if line.split()[:1] == [op.name])
        assert op.symbol in row and op.formula_in("en") in row and op.gate_in("en") in row, row


def test_ops_are_grouped_by_what_their_records_say():
    groups = {op.name: card.group(op) for op in ALL_OPS}
    assert {groups[name] for name in ("add", "mul", "max", "tanh", "pow")} == {"scalar"}
    assert {groups[name] for name in ("matmul", "sum", "softmax", "getitem", "concatenate")} == {"array"}
    assert {groups[name] for name in ("linear", "conv2d", "max_pool2d", "batch_norm", "lstm", "gru")} == {"fused"}
    for op in ALL_OPS:  # the rule, not a list: scalar gates have a scalar sample, fused ones say so
        assert (groups[op.name] == "scalar") == (op.sample is not None)
        assert (groups[op.name] == "fused") == op.fused
    text = console_text(card.ops_table(ALL_OPS), width=400)
    headings = ["Scalar gates", "Array ops", "Fused layer gates"]
    assert [text.index(heading) for heading in headings] == sorted(text.index(heading) for heading in headings)
    assert text.index("Array ops") < text.index(" matmul ") < text.index("Fused layer gates") < text.index(" conv2d ")


# -- one op ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["matmul", "conv2d"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_card_golden(name, lang):
    suffix = "" if lang == "en" else f"-{lang}"
    assert_golden(f"ops-card-{name}{suffix}.txt", console_text(card.op_card(ops.OPS[name], lang), width=80))


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
@pytest.mark.parametrize("width", [80, 60])
def test_every_card_shows_every_text_of_its_op_within_the_width(op, width):
    for lang in LANGUAGES:
        text = console_text(card.op_card(op, lang), width=width)
        assert max(len(line) for line in text.splitlines()) <= width, (op.name, lang)
        shown = tokens(text)
        texts = [op.symbol, op.formula_in(lang), op.gate_in(lang), op.explain_in(lang)]
        for slot, label in enumerate(card.input_labels(op)):
            texts += [label, op.local_in(slot, lang), op.jacobian_in(slot, lang) or "", op.backward_in(slot, lang)]
        for piece in texts:
            assert tokens(piece) <= shown, (op.name, lang, width, piece)


def test_the_card_notes_exactness_and_domain_where_the_record_has_them():
    div = console_text(card.op_card(ops.OPS["div"]), width=100)
    assert "exact:" in div and "domain:" in div
    tanh = console_text(card.op_card(ops.OPS["tanh"]), width=100)
    assert "exact:" not in tanh and "domain:" not in tanh
    assert "정확한 계산" in console_text(card.op_card(ops.OPS["mul"], "ko"), width=100)


def test_a_variadic_op_has_one_row_for_all_its_inputs():
    assert card.input_labels(ops.OPS["concatenate"]) == ("x1, x2, …",)
    assert card.input_labels(ops.OPS["lstm"]) == ("x", "h0", "c0", "W_x", "W_h", "b")


# -- JSON ------------------------------------------------------------------------------------


def test_json_holds_every_op_with_every_text_in_every_language():
    data = json.loads(card.dumps(ALL_OPS))
    assert data["schema"] == "gradtutor.ops/1" and data["languages"] == list(LANGUAGES)
    assert [entry["name"] for entry in data["ops"]] == list(ops.OPS)
    for entry in data["ops"]:
        op = ops.OPS[entry["name"]]
        assert entry["symbol"] == op.symbol and entry["arity"] == op.arity and entry["group"] == card.group(op)
        assert entry["exact"] == op.exact and entry["checks_domain"] == (op.domain is not None)
        assert entry["formula"] == entry["formula_text"]["en"] and entry["gate"] == entry["gate_text"]["en"]
        texts = [entry["formula_text"], entry["gate_text"], entry["explain_text"]]
        assert len(entry["inputs"]) == (op.arity if op.arity >= 0 else 1)
        for item in entry["inputs"]:
            texts += [item["local_formula_text"], item["jacobian_structure_text"], item["rule_text"]]
        for text in texts:
            assert set(text) == set(LANGUAGES), entry["name"]
            assert all(isinstance(t, str) and t.strip() for t in text.values()), (entry["name"], text)
        assert entry["gate_text"]["ko"] != entry["gate_text"]["en"]  # Korean, not the English again


def test_json_texts_come_from_the_records():
    (entry,) = card.to_dict([ops.OPS["matmul"]])["ops"]
    assert entry["gate_text"] == {"en": ops.MATMUL.gate_in("en"), "ko": ops.MATMUL.gate_in("ko")}
    assert [item["name"] for item in entry["inputs"]] == ["X", "W"]
    assert entry["inputs"][1]["rule_text"]["en"] == "dL/dW = Xᵀ · dL/dY"
    assert entry["inputs"][0]["jacobian_structure_text"]["ko"] == ops.MATMUL.jacobian_in(0, "ko")


# -- the command -----------------------------------------------------------------------------


def test_command_lists_every_op():
    result = gradtutor("ops")
    assert result.returncode == 0, result.stderr
    shown = tokens(result.stdout)
    assert {op.name for op in ALL_OPS} <= shown
    assert "Fused layer gates" in result.stdout and "\x1b[" not in result.stdout


def test_command_shows_one_op_in_korean():
    result = gradtutor("ops", "matmul", "--lang", "ko")
    assert result.returncode == 0, result.stderr
    for text in ("행렬 곱 노드는 상대편 입력의 전치를 곱함", "엔진이 실제로 쓰는 식", "dL/dW = Xᵀ · dL/dY", "배열 연산"):
        assert text in result.stdout, text


def test_command_json_for_all_ops_and_for_one():
    every = json.loads(gradtutor("ops", "--format", "json").stdout)
    assert {entry["name"] for entry in every["ops"]} == set(ops.OPS)
    one = json.loads(gradtutor("ops", "lstm", "-f", "json").stdout)
    assert [entry["name"] for entry in one["ops"]] == ["lstm"] and one["schema"] == "gradtutor.ops/1"


@pytest.mark.parametrize(
    "name, message",
    [
        ("conv2x", "error: unknown op 'conv2x'; did you mean 'conv2d'? (see gradtutor ops)"),
        ("bogus", "error: unknown op 'bogus' (see gradtutor ops)"),
    ],
)
def test_an_unknown_op_is_one_line_with_a_suggestion_and_exit_code_2(name, message):
    result = gradtutor("ops", name)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message] and result.stdout == ""
    assert "Traceback" not in result.stderr
