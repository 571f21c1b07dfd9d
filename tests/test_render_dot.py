"""The DOT diagrams: golden text, frames that overlay exactly, themes, hidden gradients."""

import re
import warnings

import pytest

from gradtutor.render.dot import PENDING, to_dot
from gradtutor.render.fmt import StepOutOfRange, show
from gradtutor.render.theme import THEMES, UnknownTheme
from render_golden import assert_golden, traced


def test_apple_dot_golden():
    assert_golden("apple.dot", to_dot(traced("apple")))


def test_apple_step_frame_golden():
    assert_golden("apple-step2.dot", to_dot(traced("apple"), step=2))


def test_output_is_deterministic():
    assert to_dot(traced("gate-patterns"), step=2) == to_dot(traced("gate-patterns"), step=2)


def _layout(dot_text):
    """Node positions and sizes, and edge routes, after Graphviz's dot layout."""
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot_text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph.layout(prog="dot")
    nodes = {n: (n.attr["pos"], n.attr["width"], n.attr["height"]) for n in graph.nodes()}
    edges = sorted((str(e[0]), str(e[1]), e.attr["pos"]) for e in graph.edges())
    return nodes, edges, graph.graph_attr["bb"]


@pytest.mark.parametrize("name", ["apple-orange", "gate-patterns"])
def test_every_frame_has_the_same_layout(name):
    trace = traced(name)
    frames = [to_dot(trace, step=k) for k in range(len(trace.steps) + 1)]
    assert len(set(frames)) == len(frames)  # the frames really differ ...
    full = _layout(to_dot(trace))
    for frame in frames:
        assert _layout(frame) == full  # ... yet every node and edge sits in the same place


def test_inputs_fed_straight_into_a_gate_are_drawn_in_the_formulas_order():
    trace = traced("apple-orange")  # (apple · apple_num + orange · orange_num) · tax
    nodes, _, _ = _layout(to_dot(trace))
    height = {node.label: float(nodes[f"n{node.id}"][0].split(",")[1]) for node in trace.nodes if node.op is None}
    assert height["apple"] > height["apple_num"] > height["orange"] > height["orange_num"]  # top to bottom


def _gradient_texts(dot_text):
    """The texts drawn in the gradient row of every wire, in order."""
    return re.findall(r'VALIGN="TOP"><FONT POINT-SIZE="\d+" COLOR="[^"]+">(?:<B>)?([^<]*)', dot_text)


def test_frames_reveal_gradients_step_by_step():
    trace = traced("apple-orange")
    full = _gradient_texts(to_dot(trace))
    assert "?" not in full
    hidden = [_gradient_texts(to_dot(trace, step=k)).count(PENDING) for k in range(len(trace.steps) + 1)]
    # frame 0 hides every gradient; each step reveals the wires into its gate (the seed comes
    # with step 1); the last frame shows them all
    assert hidden[0] == len(full)
    assert hidden[-1] == 0
    assert all(a > b for a, b in zip(hidden, hidden[1:]))
    for k in range(1, len(trace.steps) + 1):
        shown = _gradient_texts(to_dot(trace, step=k))
        assert all(s in (t, PENDING) for s, t in zip(shown, full))


def test_step_frame_highlights_the_gate_of_that_step():
    trace = traced("apple-orange")
    light = THEMES["light"]
    for step in trace.steps:
        text = to_dot(trace, step=step.index)
        ring = re.findall(rf'(n\d+) \[shape=circle[^\]]*fillcolor="{light.highlight}"', text)
        assert ring == [f"n{step.node}"]
    assert light.highlight not in to_dot(trace) and light.highlight not in to_dot(trace, step=0)


def test_values_and_gradients_are_human_numbers():
    trace = traced("apple")
    text = to_dot(trace)
    for number in ("220", "2.2", "110", "200", "1.1"):
        assert f">{number}<" in text
    assert "220.00000000000003" not in text and "110.00000000000001" not in text
    for node in trace.nodes:
        if node.op is None:
            assert f'label="{node.label}"' in text
    assert show(trace.graph.by_name("apple").grad) == "2.2"


def test_fanout_has_a_branch_point_and_a_trunk_with_the_sum():
    trace = traced("gate-patterns")
    x = trace.graph.by_name("x")
    text = to_dot(trace)
    assert f"j{x.id} [shape=point" in text
    trunk = re.search(rf"t{x.id} \[shape=plain, label=(.*)\];", text).group(1)
    assert ">−3<" in trunk  # 1 from max + (-4) from the multiply


def test_parallel_edges_for_a_plus_a():
    from gradtutor.engine import Value
    from gradtutor.tracer import trace

    a = Value(3, "a")
    text = to_dot(trace(a + a))
    assert text.count(" -> n1 ") == 2  # two branch wires enter the add gate
    assert ">2<" in text  # a's gradient at the trunk


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_themes_set_background_and_colours(theme):
    colors = THEMES[theme]
    text = to_dot(traced("apple"), step=1, theme=theme)
    assert f'bgcolor="{colors.background}"' in text
    for color in (colors.value, colors.gradient, colors.highlight, colors.muted):
        assert f'"{color}"' in text


def test_unknown_theme_and_step_are_one_line_errors():
    with pytest.raises(UnknownTheme, match="^unknown theme 'neon'; themes are: light, dark$"):
        to_dot(traced("apple"), theme="neon")
    with pytest.raises(StepOutOfRange, match="^step 9 is out of range"):
        to_dot(traced("apple"), step=9)


def test_every_text_fits_its_cell():
    """Graphviz warns when a text overflows a fixed-size cell; no example may trigger that."""
    from gradtutor import examples
    from gradtutor.render.export import render

    for name, example in examples.EXAMPLES.items():
        if example.kind != "scalar":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            render(to_dot(traced(name), step=1), "svg")


def test_theme_may_be_given_as_an_enum_member():
    import enum

    class ThemeChoice(enum.Enum):
        dark = "dark"

    assert to_dot(traced("apple"), theme=ThemeChoice.dark) == to_dot(traced("apple"), theme="dark")


def test_exact_mode_diagram_shows_fractions():
    from gradtutor.engine import Value
    from gradtutor.tracer import trace

    text = to_dot(trace(Value(1, "a") / Value(3, "b"), exact=True))
    assert ">1/3<" in text and ">−1/9<" in text  # z = a/b and ∂z/∂b = −a/b²
