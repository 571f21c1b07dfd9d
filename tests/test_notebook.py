"""gradtutor in a Jupyter notebook: a notebook is executed in a real kernel (nbclient), and what
each cell displays is read back from its outputs, as a notebook front end would receive them."""

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra: pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra: pip install -e '.[test]'")
pytest.importorskip("ipykernel", reason="ipykernel is in the test extra: pip install -e '.[test]'")

CELLS = [
    # 0: importing gradtutor loads none of the heavy libraries, nor the renderers
    'import sys\nimport gradtutor\nprint(sorted(m for m in ("numpy", "networkx", "pygraphviz", "gradtutor.render") if m in sys.modules))',
    # 1: a Value shows the graph behind it
    'from gradtutor import Value, Tensor, trace\n'
    'x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")\n'
    'f = (x + y) * z\nf.name = "f"\nf',
    # 2: a trace shows its diagram and its step table
    "t = trace(f)\nt",
    # 3: one frame, in Korean, dark
    't.draw(step=1, lang="ko", theme="dark")',
    # 4: the step player in the cell
    't.player(lang="ko", digits=2)',
    # 5: a tensor shows its trace, Jacobians included
    'X = Tensor([[1.0, 2.0]], name="X")\nW = Tensor([[1.0, -1.0], [0.5, 2.0]], name="W")\nY = (X @ W).sum()\nY',
    # 6: repr of a trace is one short line
    "print(repr(t))",
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute()
    return [cell.outputs for cell in notebook.cells]


def shown(outputs, mime: str) -> str:
    (result,) = [o for o in outputs if o["output_type"] == "execute_result"]
    return result["data"][mime]


def printed(outputs) -> str:
    return "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout")


def test_importing_gradtutor_in_a_kernel_stays_light(outputs):
    assert printed(outputs[0]).strip() == "[]"


def test_a_value_displays_its_graph_and_steps(outputs):
    html = shown(outputs[1], "text/html")
    assert "<svg" in html and "</svg>" in html
    assert "Backward pass from f = −12" in html  # the step table, through rich's HTML export
    assert shown(outputs[1], "text/plain").startswith("Value(f: data=-12")


def test_a_trace_displays_its_diagram_and_table_with_a_one_line_repr(outputs):
    html = shown(outputs[2], "text/html")
    assert html.count("<svg") == 1 and "Backward pass from f = −12" in html and "1 × (−4) = <span" in html
    assert shown(outputs[2], "image/svg+xml").startswith("<svg")
    assert shown(outputs[2], "text/plain") == "<Trace f = -12: 5 nodes, 2 backward steps, scalar>"
    assert printed(outputs[6]).strip() == "<Trace f = -12: 5 nodes, 2 backward steps, scalar>"


def test_draw_returns_the_svg_of_one_frame(outputs):
    svg = shown(outputs[3], "image/svg+xml")
    assert svg.startswith("<svg") and "역전파 1/2단계" in svg
    assert 'fill="#1e1e24"' in svg  # the dark theme's background


def test_the_player_embeds_in_a_cell(outputs):
    html = shown(outputs[4], "text/html")
    assert 'class="gradtutor-player"' in html and "<script>" in html and "@font-face" in html
    assert "역전파 2/2단계" in html and "−12.00" in html  # Korean, two decimal places


def test_a_tensor_displays_its_trace(outputs):
    html = shown(outputs[5], "text/html")
    assert "<svg" in html and "Local Jacobian" in html
