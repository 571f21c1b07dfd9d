"""The rich tables: golden text for the textbook examples, plus the behaviour behind it."""

import pytest

from gradtutor.render.fmt import StepOutOfRange, show
from gradtutor.render.term import forward_table, summary, trace_table
from render_golden import assert_golden, console_text, traced


@pytest.mark.parametrize("name", ["apple", "apple-orange", "gate-patterns", "mul-node", "neuron"])
def test_trace_table_golden(name):
    assert_golden(f"table-{name}.txt", console_text(trace_table(traced(name))))


def test_a_narrow_terminal_gets_every_number_not_a_cropped_table():
    """At 60 columns the wide table cannot fit; the narrow one keeps every column readable."""
    assert_golden("table-gate-patterns-60.txt", console_text(trace_table(traced("gate-patterns")), width=60))
    for name in ["apple-orange", "gate-patterns", "neuron"]:
        trace = traced(name)
        text = console_text(trace_table(trace), width=60)
        assert max(len(line) for line in text.splitlines()) <= 60
        words = " ".join(text.split())  # wrapping aside
        for s in trace.steps:
            for flow in s.flows:
                assert f"= {show(flow.downstream)}" in words, (name, s.index)


def test_step_view_shows_steps_up_to_k_and_marks_k():
    trace = traced("apple-orange")
    text = console_text(trace_table(trace, step=2))
    assert_golden("table-apple-orange-step2.txt", text)
    assert "▶ 2" in text
    assert [line.split()[0] for line in text.splitlines() if line[:6].strip().isdigit()] == ["1"]
    assert "× orange_price" not in text  # step 3 is still to come


def test_step_zero_has_no_rows_and_bad_steps_are_one_line_errors():
    trace = traced("apple")
    assert "× price" not in console_text(trace_table(trace, step=0))
    for bad in (-1, 3, 1.5):
        with pytest.raises(StepOutOfRange, match=r"^step .* out of range: this trace has steps 1 to 2"):
            trace_table(trace, step=bad)
    with pytest.raises(StepOutOfRange, match=r"^step 2 is out of range: this trace has only step 1 \(0 = forward"):
        trace_table(traced("mul-node"), step=2)


def test_apple_numbers_are_shown_as_people_write_them():
    trace = traced("apple")
    assert trace.graph.root.value != 220  # the float is 220.00000000000003 ...
    text = console_text(trace_table(trace))
    assert "price = 220," in text  # ... and the table says 220
    assert "1.1 × 100 = 110" in text
    assert "110.00000000000001" not in text and "220.00000000000003" not in text


def test_fanout_running_sum_is_visible():
    trace = traced("gate-patterns")
    x = trace.graph.by_name("x")
    flows = [f for s in trace.steps for f in s.flows if f.node == x.id]
    text = console_text(trace_table(trace))
    for flow in flows:
        assert f"{show(flow.before)} + " in text and f"= {show(flow.after)}" in text
    assert show(flows[-1].after) == show(x.grad) == "−3"


def test_checks_table_golden_and_marks():
    trace = traced("apple", check=True)
    text = console_text(trace_table(trace))
    assert_golden("table-apple-checks.txt", text)
    assert text.count("✓") == len(trace.checks) == 3


def test_checks_table_lists_the_inputs_not_the_constants():
    trace = traced("neuron", check=True)  # σ(s) = 1 / (1 + exp(−s)): two constant 1s
    from gradtutor.render.term import checks_table

    lines = console_text(checks_table(trace)).splitlines()[4:]
    assert [line.split()[0] for line in lines] == ["w0", "x0", "w1", "x1", "w2"]
    assert all(line.split()[-1] == "✓" for line in lines)


def test_failed_check_is_marked_with_a_cross():
    trace = traced("apple", check=True)
    trace.checks[0].numeric += 1.0  # a deliberately wrong estimate
    text = console_text(trace_table(trace))
    assert text.count("✗") == 1 and text.count("✓") == 2


def test_exact_mode_table_shows_fractions_as_decimals_or_p_over_q():
    text = console_text(trace_table(traced("apple", exact=True)))
    assert "(exact arithmetic)" in text and "1.1 × 100 = 110" in text
    from gradtutor.engine import Value
    from gradtutor.tracer import trace

    third = trace(Value(1, "a") / Value(3, "b"), exact=True)
    assert "1/3" in console_text(trace_table(third))


def test_summary_after_step_k_keeps_the_gradients_still_to_come():
    trace = traced("apple-orange")
    complete_at = {}  # leaf label -> the step that completes its gradient
    for s in trace.steps:
        for flow in s.flows:
            complete_at[trace.nodes[flow.node].label] = s.index
    for k in range(len(trace.steps) + 1):
        rows = {line.split()[0]: line.split()[-1] for line in console_text(summary(trace, step=k)).splitlines()[3:]}
        for leaf in ("apple", "apple_num", "orange", "orange_num", "tax"):
            node = next(n for n in trace.nodes if n.label == leaf)
            assert rows[leaf] == (show(node.grad) if complete_at[leaf] <= k else "?"), (k, leaf)
    with pytest.raises(StepOutOfRange):
        summary(trace, step=len(trace.steps) + 1)


def test_forward_table_and_summary_golden():
    trace = traced("apple-orange")
    assert_golden("forward-apple-orange.txt", console_text(forward_table(trace)))
    assert_golden("summary-apple-orange.txt", console_text(summary(trace)))


def test_a_wide_trace_wraps_but_loses_nothing():
    """Long numbers and patterns wrap inside their cells; no cell is cut off with an ellipsis."""
    from gradtutor.engine import Value
    from gradtutor.tracer import trace

    x = Value(2, "x")
    wide = trace((x**2 + x.relu()).tanh() * x.sigmoid() - (x / 3).log(), check=True)
    text = console_text(trace_table(wide))
    assert "…" not in text
    for step in wide.steps:
        assert f"{step.index}  " in text
        assert wide.nodes[step.node].label in text
    assert "^2 pow1" in text  # a power gate shows its exponent
    assert all(line == line.rstrip() and len(line) <= 100 for line in text.splitlines())


def test_summary_names_the_gradient_by_what_the_upstream_seeds():
    """The summary's numbers are upstream × ∂output/∂leaf: with upstream 1 that is ∂output/∂leaf;
    with upstream 1.3 (mul-node) or a vector (affine) it is ∂L/∂leaf, and a note says what L is."""
    from gradtutor.render.term import summary
    from render_golden import console_text, traced

    apple = console_text(summary(traced("apple")))
    assert "∂price/∂leaf" in apple and "L:" not in apple
    mul = traced("mul-node")
    text = console_text(summary(mul))
    assert "∂L/∂leaf" in text and "∂z/∂leaf" not in text.splitlines()[1]
    assert "∂L/∂z = 1.3 (the upstream), so ∂L/∂leaf = 1.3 × ∂z/∂leaf" in text
    x_grad = {n.label: n.grad for n in mul.nodes}["x"]
    assert x_grad == mul.upstream * {n.label: n.value for n in mul.nodes}["y"]  # 1.3 × 5: the column is ∂L/∂x
    korean = console_text(summary(mul, lang="ko"))
    assert "∂L/∂입력" in korean and "∂L/∂z = 1.3(상류 기울기)에서 시작" in korean and "∂z/∂입력입니다" in korean
    tensor = " ".join(console_text(summary(traced("affine"), lang="ko")).split())
    assert "∂L/∂입력" in tensor and "∂L/∂y = [1, −1, 2](상류 기울기)" in tensor and "∂y/∂입력" not in tensor.split("L:")[0]


def test_an_input_named_z_does_not_share_its_letter_with_the_gates_output():
    from gradtutor.engine import Value
    from gradtutor.tracer import trace

    z = Value(0.5, "z")
    f = z.tanh()
    f.name = "f"
    text = console_text(trace_table(trace(f)), width=120)
    local = 1 - f.data**2  # tanh's local gradient is 1 − (its output)², not 1 − 0.5²
    assert f"1 − f² = {show(local)}" in text and "z²" not in text
    assert "∂out/∂input" in text
    # A lone gate named z: its inputs' local gradients are each other, by their own names.
    x, y = Value(10.0, "x"), Value(5.0, "y")
    product = x * y
    product.name = "z"
    text = console_text(trace_table(trace(product)), width=120)
    assert "y = 5" in text and "x = 10" in text and "∂out/∂input" in text
