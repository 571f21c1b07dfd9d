"""The `gradtutor` command through typer's CliRunner: output, options and one-line errors.

Expected numbers come from the library itself (the engine's gradients formatted by
numbers.human) and, for the textbook examples, from the book.
"""

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradtutor import examples
from gradtutor.cli import app
from gradtutor.engine import Value
from gradtutor.numbers import human
from gradtutor.render.dot import to_dot
from gradtutor.tracer import trace
from printed import printed, read

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def ok(*args):
    result = run(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout


def leaf_rows(output: str) -> dict[str, tuple[str, str]]:
    """The summary table under the trace: {leaf: (value, gradient)} as printed."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["Leaf", "Value"])
    rows = {}
    for line in lines[header + 2 :]:
        cells = line.split()
        if len(cells) != 3:
            break
        rows[cells[0]] = (cells[1], cells[2])
    return rows


def test_apple_orange_shows_the_textbook_numbers():
    out = ok("trace", "apple-orange")
    rows = leaf_rows(out)
    assert {leaf: grad for leaf, (_, grad) in rows.items()} == {
        "apple": "2.2", "apple_num": "110", "orange": "3.3", "orange_num": "165", "tax": "650",
    }
    assert "price = 715" in out
    assert "2.2000000000000002" not in out and "110.00000000000001" not in out


def test_every_example_prints_its_engine_gradients():
    for name, example in examples.EXAMPLES.items():
        if example.kind != "scalar":
            continue
        root, upstream = example.build()
        root.backward(upstream)
        rows = leaf_rows(ok("trace", name))
        built = trace(root, upstream)
        for leaf in built.graph.leaves():
            if leaf.name:
                assert rows[leaf.name] == (printed(human(leaf.value, 6)), printed(human(leaf.grad, 6))), (name, leaf.name)


def test_an_expression_with_values():
    out = ok("trace", "(x + y) * z", "--at", "x=-2,y=5,z=-4")
    x, y, z = Value(-2, "x"), Value(5, "y"), Value(-4, "z")
    f = (x + y) * z
    f.backward()
    assert "f = −12" in out and human(f.data) == "-12"
    assert leaf_rows(out) == {v.name: (printed(human(v.data)), printed(human(v.grad))) for v in (x, y, z)}
    assert [human(v.grad) for v in (x, y, z)] == ["-4", "-4", "3"]


def test_at_may_be_repeated_and_spaced():
    out = ok("trace", "x * y", "--at", "x = 3", "--at", "y=−2")
    assert leaf_rows(out) == {"x": ("3", "−2"), "y": ("−2", "3")}


def test_output_to_a_pipe_has_no_colour_codes_and_one_line_per_row():
    out = ok("trace", "neuron", "--check")
    assert "\x1b[" not in out
    assert "Gradient check" in out and "✗" not in out
    listing = ok("examples", "--lang", "en")
    for example in examples.EXAMPLES.values():
        assert any(example.name in line and example.summary in line for line in listing.splitlines())


def test_the_examples_are_listed_in_korean_with_the_same_numbers():
    import re

    listing = " ".join(ok("examples", "--lang", "ko").split())
    assert "예제 보여 주는 것" in listing
    for example in examples.EXAMPLES.values():
        korean = example.summary_in("ko")
        assert korean != example.summary and re.search("[가-힣]", korean), example.name
        assert f"{example.name} {' '.join(korean.split())}" in listing
        numbers = set(re.findall(r"\d+(?:\.\d+)?", example.summary))
        assert numbers <= set(re.findall(r"\d+(?:\.\d+)?", korean)), example.name  # the same numbers


def test_json_keeps_exact_values():
    data = json.loads(ok("trace", "apple", "--format", "json"))
    root, _ = examples.get("apple").build()
    root.backward()
    grads = {node["name"]: node["grad"] for node in data["nodes"] if node["name"]}
    assert grads["apple"] == 2 * 1.1 == 2.2000000000000002  # the float itself, not 2.2
    assert data["steps"] and data["schema"].startswith("gradtutor.trace/")


def test_exact_mode_gives_rationals():
    data = json.loads(ok("trace", "apple", "--exact", "--format", "json"))
    grads = {node["name"]: node["grad"] for node in data["nodes"] if node["name"]}
    assert grads["apple"] == "11/5"
    assert "2.2" in leaf_rows(ok("trace", "apple", "--exact"))["apple"]


def test_upstream_scales_every_gradient():
    default = leaf_rows(ok("trace", "mul-node"))
    assert (default["x"][1], default["y"][1]) == ("6.5", "13")  # the book: upstream 1.3
    doubled = leaf_rows(ok("trace", "mul-node", "--upstream", "2"))
    assert (doubled["x"][1], doubled["y"][1]) == ("10", "20")


def test_step_marks_the_current_step_and_hides_later_ones():
    out = ok("trace", "apple-orange", "--step", "2")
    rows = [line.split() for line in out.splitlines()]
    numbered = [cells[:2] for cells in rows if cells and (cells[0] == "▶" or cells[0].isdigit())]
    assert [cells[-1] if cells[0] == "▶" else cells[0] for cells in numbered] == ["1", "2"]
    assert ["▶", "2"] in numbered


def test_a_step_view_does_not_give_later_gradients_away():
    out = ok("trace", "apple-orange", "--step", "3")
    assert leaf_rows(out) == {
        "apple": ("100", "?"), "apple_num": ("2", "?"), "orange": ("150", "3.3"), "orange_num": ("3", "165"), "tax": ("1.1", "650"),
    }
    forward = ok("trace", "apple-orange", "--step", "0")
    assert "Forward pass" in forward and "×(apple, apple_num)" in forward
    assert {grad for _, grad in leaf_rows(forward).values()} == {"?"}


def test_dot_output_is_the_renderers_text():
    built = trace(*examples.get("add-mul").build())
    assert ok("trace", "add-mul", "--format", "dot", "--step", "1") == to_dot(built, step=1)


def test_examples_lists_each_example():
    out = ok("examples")
    for name in examples.EXAMPLES:
        assert name in out


def test_version():
    import gradtutor

    assert ok("--version").strip() == f"gradtutor {gradtutor.__version__}"


def test_export_svg_carries_the_numbers(tmp_path):
    out = tmp_path / "apple.svg"
    written = ok("export", "apple-orange", "--out", str(out)).split()
    assert written == [str(out)]
    svg = out.read_text(encoding="utf-8")
    for number in ("715", "2.2", "650"):
        assert f">{number}<" in svg


def test_export_frames_one_file_per_step_and_a_forward_frame(tmp_path):
    out = tmp_path / "f.dot"
    written = ok("export", "(x+y)*z", "--at", "x=-2,y=5,z=-4", "--format", "dot", "--frames", "--out", str(out)).split()
    built = trace(examples.get("add-mul").build()[0])
    assert len(written) == len(built.steps) + 1
    assert all(Path(path).exists() for path in written)


def test_export_one_step(tmp_path):
    out = tmp_path / "step.dot"
    ok("export", "add-mul", "--format", "dot", "--step", "2", "--out", str(out))
    built = trace(*examples.get("add-mul").build())
    assert out.read_text(encoding="utf-8") == to_dot(built, step=2)


def test_export_takes_the_format_from_the_out_file(tmp_path):
    out = tmp_path / "apple.pdf"
    assert ok("export", "apple", "--out", str(out)).split() == [str(out)]
    assert out.read_bytes().startswith(b"%PDF-")
    result = run("export", "apple", "--format", "png", "--out", str(tmp_path / "apple.svg"))
    assert result.exit_code == 2 and not (tmp_path / "apple.svg").exists()
    assert result.stderr == "error: the file name apple.svg says svg but the format is png\n"


def test_export_defaults_to_the_example_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ok("export", "apple", "--format", "dot").split() == ["apple.dot"]
    assert (tmp_path / "apple.dot").read_text(encoding="utf-8").startswith("digraph")


BAD_INPUT = [
    (["trace", "appel"], "unknown example 'appel'; did you mean 'apple'?"),
    (["trace", "banana-split"], "'banana-split' is not a built-in example (see gradtutor examples); as an expression it needs values: --at banana=…,split=…"),
    (["trace", "x-y"], "as an expression it needs values: --at x=…,y=…"),
    (["trace", "(x + y"], "syntax error: '(' was never closed"),
    (["trace", "foo(x) + 1", "--at", "x=1"], "unknown function 'foo'"),
    (["trace", "x * y", "--at", "x=1"], "no value for y; give it with --at y=…"),
    (["trace", "x", "--at", "x=abc"], "--at: 'x=abc' is not a number"),
    (["trace", "x", "--at", "x=1,q=2"], "--at gives q"),
    (["trace", "log(x)", "--at", "x=-1"], "log is defined only for positive numbers"),
    (["trace", "1 / (x - 2)", "--at", "x=2"], "division by zero"),
    (["trace", "tanh(x) / x", "--at", "x=1e-320"], "the gradient overflows at backward step 1, the div gate f"),
    (["trace", "x.real", "--at", "x=1"], "not allowed: attribute access"),
    (["trace", "3"], "nothing to trace: '3' has no gates (it is a single number or variable)"),
    (["trace", "(x)", "--at", "x=2", "--format", "json"], "nothing to trace: '(x)' has no gates"),
    (["export", "(-3)", "--format", "dot"], "nothing to trace: '(-3)' has no gates"),
    (["trace", "apple", "--at", "apple=1"], "the example 'apple' has its own numbers"),
    (["trace", "apple", "--step", "9"], "step 9 is out of range"),
    (["trace", "apple", "--step", "1", "--format", "json"], "--step applies to table and dot output"),
    (["trace", "neuron", "--exact"], "exact mode needs a graph of + − × ÷"),
    (["trace", "apple", "--format", "xml"], "Invalid value for '--format' / '-f': 'xml' is not one of"),
    (["trace", "mul-node", "--upstream", "nan"], "Invalid value for '--upstream': must be a finite number, got nan"),
    (["export", "mul-node", "--upstream", "-inf"], "must be a finite number, got -inf"),
    (["trace"], "Missing argument"),
    (["nonsense"], "No such command"),
    (["export", "apple", "--format", "gif"], "'gif' is not one of"),
    (["export", "apple", "--dpi", "0"], "--dpi"),
    (["export", "apple", "--frames", "--step", "1"], "--step picks one frame"),
]


@pytest.mark.parametrize("args, message", BAD_INPUT, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_input_is_one_line_with_exit_code_2(args, message):
    result = run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_an_unwritable_output_path_is_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for step in ([], ["--step", "1"]):
        result = run("export", "apple", "--format", "dot", *step, "--out", str(blocker / "x.dot"))
        assert result.exit_code == 2
        assert result.stderr.startswith("error: cannot write") and len(result.stderr.splitlines()) == 1


def test_a_long_expression_without_values_gives_a_short_error():
    result = run("trace", "+".join(f"x{i}" for i in range(500)))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.rstrip().endswith("--at x0=…,x1=…,x2=…,x3=…,x4=…,x5=…,… (494 more)")
    assert len(result.stderr) < 250


def test_column_of_an_expression_error_is_in_the_message():
    result = run("trace", "x + foo(x)", "--at", "x=1")
    assert result.stderr.startswith("error: unknown function 'foo'")
    assert result.stderr.rstrip().endswith('in "x + foo(x)" at column 5')


def test_gradients_printed_for_an_expression_match_central_differences():
    out = ok("trace", "sigmoid(a) * tanh(b)", "--at", "a=0.5,b=-1", "--check")
    assert "✓" in out and "✗" not in out
    grads = {leaf: read(grad) for leaf, (_, grad) in leaf_rows(out).items()}
    s = 1 / (1 + math.exp(-0.5))
    assert math.isclose(grads["a"], s * (1 - s) * math.tanh(-1), rel_tol=1e-5)


USER_ERRORS = [
    "gradtutor.expr:ExprError", "gradtutor.engine:DomainError", "gradtutor.tracer:NotExact",
    "gradtutor.examples:UnknownExample", "gradtutor.backend:BackendError", "gradtutor.tensor:ShapeError",
    "gradtutor.render.fmt:StepOutOfRange", "gradtutor.render.export:ExportError", "gradtutor.render.theme:UnknownTheme",
    "gradtutor.render.curves:PlotError", "gradtutor.train.command:TrainError", "gradtutor.train.checkpoint:CheckpointError",
    "gradtutor.lang:UnknownLanguage", "gradtutor.names:UnknownName", "gradtutor.tutor.lessons:LessonError",
    "gradtutor.tutor.progress:ProgressError", "gradtutor.tutor.commands:TutorInputError",
]


def test_every_user_error_derives_from_one_base_and_bugs_do_not():
    import importlib

    from gradtutor.errors import UserError

    for entry in USER_ERRORS:
        module_name, class_name = entry.split(":")
        error = getattr(importlib.import_module(module_name), class_name)
        assert issubclass(error, UserError), entry
    # The CLI catches UserError alone; plain ValueError/TypeError are bugs: they keep their traceback.
    assert not any(issubclass(bug, UserError) for bug in (ValueError, TypeError, KeyError, RuntimeError, Exception))


def test_trace_speaks_korean_with_lang_ko():
    out = ok("trace", "apple", "--lang", "ko")
    for header in ("역전파: price = 220에서 시작", "단계", "상류", "국소적 미분", "하류 기울기", "곱셈 노드는 교환", "입력 변수"):
        assert header in out, header
    assert "Upstream" not in out and "multiply swaps" not in out
    english = ok("trace", "apple", "--lang", "en")
    assert "Upstream" in english and "역전파" not in english
    assert ok("trace", "apple", "--step", "0", "--lang", "ko").startswith("순전파")


def test_trace_and_export_take_their_language_from_the_locale(monkeypatch, tmp_path):
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert "역전파" in ok("trace", "apple")
    assert "역전파 1/2단계" in ok("trace", "apple", "--format", "dot", "--step", "1")
    assert "Backward pass" in ok("trace", "apple", "--lang", "en")  # the option wins
    out = tmp_path / "apple.dot"
    ok("export", "apple", "--out", str(out), "--step", "2")
    # a Korean diagram names the example's values as the Korean textbook does (사과 가격: apple_price)
    assert "역전파 2/2단계: × 사과 가격, 곱셈 노드는 교환" in out.read_text(encoding="utf-8")
    ok("export", "apple", "--out", str(out), "--step", "2", "--lang", "en")
    assert "step 2 of 2: × apple_price, multiply swaps" in out.read_text(encoding="utf-8")


def test_an_unknown_language_is_a_usage_error():
    result = run("trace", "apple", "--lang", "kr")
    assert result.exit_code == 2 and "--lang" in result.stderr and "Traceback" not in result.stderr


def test_jacobian_speaks_korean_too():
    out = ok("jacobian", "softmax", "--at", "x=[2,1,0.1]", "--lang", "ko")
    assert "국소적 야코비 행렬" in out and "소프트맥스 노드는 섞음" in out and "Local Jacobian" not in out


def test_a_remark_from_graphviz_is_one_warning_line(tmp_path, monkeypatch):
    import warnings

    from gradtutor.render import export as exporting

    real_render = exporting.render

    def render_with_a_remark(*args, **kwargs):  # Graphviz's own remarks need a broken drawing
        data = real_render(*args, **kwargs)
        warnings.warn("Graphviz: cell size too small for content\n(in label of node w_out)", RuntimeWarning)
        return data

    monkeypatch.setattr(exporting, "render", render_with_a_remark)
    out = tmp_path / "apple.svg"
    result = run("export", "apple", "--out", str(out))
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.stderr == "warning: Graphviz: cell size too small for content (in label of node w_out)\n"
    assert out.is_file()
