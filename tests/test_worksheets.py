"""Material for a course: worksheets with blanks and their answer sheets, a PDF handout of the
frames, tables as Markdown and LaTeX, numbers to a teacher's decimal places, exact exports."""

import io
import re
import subprocess
import sys

import pytest
from render_golden import GOLDEN, assert_golden, traced

from gradtutor.numbers import Places, human
from gradtutor.render.dot import to_dot
from gradtutor.render.export import ExportError, export
from gradtutor.render.worksheet import BadBlanks, choose_blanks


def gradtutor(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd, timeout=120,
    )


def wire_texts(dot: str) -> list[str]:
    """The numbers written on the wires of a DOT diagram, in order (empty boxes left out)."""
    return re.findall(r'<FONT POINT-SIZE="12" COLOR="#[0-9a-f]{6}">(?:<B>)?([^<]*)', dot)


def boxes(dot: str) -> int:
    return dot.count('BORDER="1"')


# -- worksheets --------------------------------------------------------------------------------


def test_a_gradient_worksheet_and_its_answer_sheet_through_the_command(tmp_path):
    result = gradtutor("export", "apple", "--blank", "grads", "-o", "sheet.dot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sheet.dot", "sheet-answers.dot"]
    sheet = (tmp_path / "sheet.dot").read_text(encoding="utf-8")
    assert_golden("worksheet-apple-grads.dot", sheet)
    # The answer sheet is the finished diagram, byte for byte the one a plain export draws.
    assert (tmp_path / "sheet-answers.dot").read_text(encoding="utf-8") == (GOLDEN / "apple.dot").read_text(encoding="utf-8")
    assert "2.2" not in wire_texts(sheet) and "110" not in wire_texts(sheet)  # the answers are not there
    assert "1" in wire_texts(sheet)  # the seed on the output wire is the exercise's start
    assert boxes(sheet) == 4  # the gradients on the wires of apple, apple_num, apple_price and tax


def test_blank_values_keep_the_inputs_and_hide_the_output_in_the_caption():
    trace = traced("apple-orange")
    sheet = to_dot(trace, blanks=choose_blanks(trace, "values"))
    texts = wire_texts(sheet)
    for given in ("100", "2", "150", "3", "1.1"):
        assert given in texts
    for computed in ("200", "450", "715"):
        assert computed not in texts
    assert texts.count("650") == 1  # tax's gradient; all_price's value, the same number, is a box
    assert "price = ?" in sheet and "715" not in sheet  # the caption does not give the output away
    assert "3.3" in texts  # gradients stay


def test_blank_names_take_a_gates_value_and_gradient_but_only_an_inputs_gradient():
    trace = traced("apple-orange")
    blanks = choose_blanks(trace, "orange_price, tax")
    by_label = {node.label: node.id for node in trace.nodes}
    assert blanks.values == {by_label["orange_price"]}
    assert blanks.grads == {by_label["orange_price"], by_label["tax"]}
    texts = wire_texts(to_dot(trace, blanks=blanks))
    assert "450" not in texts and "650" in texts and "1.1" in texts  # tax's value is given, its gradient (650) is not
    assert texts.count("650") == 1  # all_price's value stays; tax's gradient 650 is the box


def test_blank_frames_keep_pending_gradients_as_question_marks(tmp_path):
    trace = traced("apple")
    frame = to_dot(trace, step=1, blanks=choose_blanks(trace, "grads"))
    assert wire_texts(frame).count("?") == 2  # apple's and apple_num's gradients come at step 2
    assert boxes(frame) == 2  # step 1 has given apple_price and tax theirs: to fill in


def test_bad_blanks_are_one_line_errors(tmp_path):
    with pytest.raises(BadBlanks, match=r"^--blank: 'bogus' is neither grads, values nor a node of this trace \(apple, "):
        choose_blanks(traced("apple"), "bogus")
    result = gradtutor("export", "apple", "--blank", "grads", "-f", "html", "-o", "p.html", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("error: worksheets are drawings to print")
    result = gradtutor("export", "apple", "--answers-sheet", "key.svg", cwd=tmp_path)
    assert result.returncode == 2 and "an answer sheet goes with a worksheet: give --blank too" in result.stderr
    assert not list(tmp_path.iterdir())


def test_the_answer_sheet_goes_where_it_is_asked(tmp_path):
    result = gradtutor("export", "neuron", "--blank", "grads", "-o", "n.svg", "--answers-sheet", "keys/n.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet, answers = (tmp_path / "n.svg").read_text(), (tmp_path / "keys" / "n.svg").read_text()
    assert "−0.53" not in sheet and "−0.53" in answers  # dL/d(1 + e⁻ˣ) in CS231n's sigmoid circuit
    # Same layout: the boxes sit where the answers are written.
    size = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
    assert size.search(sheet).groups() == size.search(answers).groups()
    with pytest.raises(ExportError, match="would overwrite the worksheet"):
        export(traced("apple"), "svg", tmp_path / "a.svg", blank="grads", answers=tmp_path / "a.svg")


# -- a PDF handout -------------------------------------------------------------------------------


def test_frames_as_pdf_are_one_handout_with_a_page_per_frame(tmp_path):
    from pypdf import PdfReader

    trace = traced("apple-orange")
    (path,) = export(trace, "pdf", tmp_path / "handout.pdf", frames=True)
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    assert len(pages) == len(trace.steps) + 1
    boxes_of = {tuple(float(x) for x in page.mediabox) for page in pages}
    assert len(boxes_of) == 1  # every frame in one layout: pages of one size


# -- tables for course notes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, golden",
    [
        (["apple-orange", "--format", "markdown"], "trace-apple-orange.md"),
        (["apple", "--format", "latex", "--lang", "ko"], "trace-apple-ko.tex"),
        (["neuron", "--format", "markdown", "--digits", "2"], "trace-neuron-2dp.md"),
        (["affine-batch", "--format", "markdown"], "trace-affine-batch.md"),
        (["apple-orange", "--format", "latex", "--step", "0"], "trace-apple-orange-forward.tex"),
    ],
)
def test_tables_as_markdown_and_latex(args, golden):
    result = gradtutor("trace", *args)
    assert result.returncode == 0, result.stderr
    assert_golden(golden, result.stdout)


def test_latex_escapes_what_latex_would_read_as_commands():
    result = gradtutor("trace", "a_b * c", "--at", "a_b=2,c=3", "--format", "latex")
    assert result.returncode == 0, result.stderr
    assert r"a\_b" in result.stdout and "a_b" not in result.stdout.replace(r"a\_b", "")
    assert r"$\times$" in result.stdout and "×" not in result.stdout


# -- rounding and exact numbers ------------------------------------------------------------------


def test_places_write_every_number_to_the_same_decimals():
    assert [human(x, Places(2)) for x in (0.7310585786, 220.0, -0.19661193, -0.0001, 2.2000000000000002)] == [
        "0.73", "220.00", "-0.20", "0.00", "2.20",
    ]
    assert human(0.5, Places(0)) == "0" and human(1.5, Places(0)) == "2"  # rounding half to even, as Python's format


def test_digits_round_tables_diagrams_and_the_player(tmp_path):
    table = gradtutor("trace", "neuron", "--digits", "2")
    assert table.returncode == 0, table.stderr
    assert "1/add2 = 0.73" in table.stdout and "1.00 × (−0.53) = −0.53" in table.stdout
    assert "0.731059" not in table.stdout
    diagram = gradtutor("export", "neuron", "--digits", "2", "-o", "n.dot", cwd=tmp_path)
    assert diagram.returncode == 0, diagram.stderr
    texts = wire_texts((tmp_path / "n.dot").read_text(encoding="utf-8"))
    assert "0.73" in texts and "−0.20" in texts and "0.731059" not in texts
    page = gradtutor("export", "neuron", "--digits", "2", "-o", "n.html", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "n.html").read_text(encoding="utf-8")
    assert "1.00 × 0.73 = <span" in html and "0.731059" not in html
    refused = gradtutor("trace", "apple", "--format", "json", "--digits", "2")
    assert refused.returncode == 2 and "JSON keeps every digit" in refused.stderr
    assert gradtutor("trace", "apple", "--digits", "0").returncode == 2  # 1 to 17


def test_export_exact_writes_fractions(tmp_path):
    result = gradtutor("export", "x / 3", "--at", "x=1", "--exact", "-o", "third.dot", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    texts = wire_texts((tmp_path / "third.dot").read_text(encoding="utf-8"))
    assert "1/3" in texts  # the value and the gradient dx = 1/3, not 0.333333
    assert "0.333333" not in texts
    refused = gradtutor("export", "exp(x)", "--at", "x=1", "--exact", "-o", "e.svg", cwd=tmp_path)
    assert refused.returncode == 2 and "exact mode" in refused.stderr
