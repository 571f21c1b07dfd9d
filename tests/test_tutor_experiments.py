"""The experiment families the training lessons run: the initialisation study, one update step
with its gradient check, and a single neuron trained by the perceptron or the delta rule.

Each is checked against what the theory says must happen, on small runs: vanishing and
saturating activations, He against Xavier under ReLU, a gradient check that passes on the engine
and catches two planted bugs, the perceptron's convergence on separable data and its endless
cycle on XOR.
"""

import math

import pytest

from gradtutor.render.term import plain_text
from gradtutor.tutor import init_study, perceptron, update_step
from gradtutor.tutor.answers import parse_quantity
from gradtutor.tutor.quantities import QuantityError
from gradtutor.tutor.sources import SOURCES
from gradtutor.tutor.sources.init_study import histograms_view, stats_table
from gradtutor.tutor.sources.perceptron import run_view
from gradtutor.tutor.sources.update import gradcheck_table, update_view


# -- the initialisation study ----------------------------------------------------------------------
def study(activation, inits, layers=6):
    return init_study.run(init_study.spec("s", {"activation": activation, "layers": layers, "width": 120,
                                                "samples": 200, "inits": inits}))


def test_small_weights_make_tanh_activations_and_gradients_vanish_layer_by_layer():
    (small,) = study("tanh", ["small"]).runs.values()
    stds = [layer.std for layer in small]
    assert all(later < 0.3 * earlier for earlier, later in zip(stds, stds[1:]))
    assert stds[-1] < 1e-4 and small[0].grad_std < 1e-3 * small[-1].grad_std


def test_large_weights_saturate_tanh_and_the_histogram_piles_up_at_the_ends():
    (large,) = study("tanh", ["large"]).runs.values()
    for layer in large:
        assert layer.saturated > 0.5
        assert layer.counts[0] + layer.counts[-1] > 0.5 * sum(layer.counts)


def test_under_relu_he_keeps_the_signal_and_xavier_halves_its_variance_per_layer():
    outcome = study("relu", ["xavier", "he"])
    xavier, he = outcome.runs["xavier"], outcome.runs["he"]
    assert 0.5 < he[-1].std / he[0].std < 2
    ratio = (xavier[-1].std / xavier[0].std) ** (1 / (len(xavier) - 1))
    assert ratio == pytest.approx(1 / math.sqrt(2), rel=0.1)  # the second moment halves per layer
    assert all(0.4 < layer.saturated < 0.6 for layer in he)  # ReLU zeroes about half, whatever the init
    family = SOURCES["init_study"]
    assert family.quantity(parse_quantity("largest_std:6"), outcome) == "he"
    assert family.quantity(parse_quantity("act_std:he:6"), outcome) == he[-1].std


def test_study_views_render_at_sixty_columns_and_bad_specs_are_one_line():
    from rich.cells import cell_len

    outcome = study("tanh", ["small", "xavier"], layers=3)
    for view in (histograms_view(outcome, "ko"), stats_table(outcome, "en")):
        assert all(cell_len(line) <= 60 for line in plain_text(view, width=60).splitlines())
    for table, message in (({"activation": "gelu"}, "activation must be one of tanh, relu"),
                           ({"inits": ["small", "small"]}, "inits must be a list of different"),
                           ({"width": 5000}, "width must be a whole number from 2 to 1000"),
                           ({"depth": 3}, "unknown key 'depth'")):
        with pytest.raises(init_study.StudyError, match=message):
            init_study.spec("s", table)


# -- one update step and the gradient check ----------------------------------------------------------
def step(param, lr=0.1, bug=None):
    table = {"example": "two-layer-net", "param": param, "lr": lr} | ({"bug": bug} if bug else {})
    return update_step.run(update_step.spec("u", table))


def test_the_engines_gradient_agrees_with_central_differences_and_a_small_step_lowers_the_loss():
    for param in ("W1", "b1", "W2", "b2"):
        outcome = step(param)
        assert outcome.relative_errors.max() < 1e-6
        assert outcome.loss_after < outcome.loss_before
        assert outcome.updated.tolist() == (outcome.value - 0.1 * outcome.engine_grad).tolist()


def test_a_forgotten_mean_is_off_by_the_batch_size_everywhere():
    outcome = step("W2", bug="no-mean")
    ratio = SOURCES["update"].quantity(parse_quantity("grad_ratio"), outcome)
    assert ratio == pytest.approx(4)  # the batch holds 4 samples
    assert outcome.grad / outcome.numeric == pytest.approx(4 * (outcome.numeric * 0 + 1))


def test_a_forgotten_relu_mask_shows_below_the_relu_only():
    assert step("W2", bug="no-relu-mask").relative_errors.max() < 1e-6
    assert step("b2", bug="no-relu-mask").relative_errors.max() < 1e-6
    below = step("W1", bug="no-relu-mask")
    assert below.relative_errors.max() > 0.1
    assert len({round(float(r), 3) for r in (below.grad / below.numeric).ravel()}) > 1  # no single factor


def test_replaying_the_graph_gives_the_forward_value_and_views_name_the_verdict():
    from gradtutor import examples

    root, _ = examples.get("two-layer-net").build()
    assert float(update_step.replay(root, {})) == float(root.data)
    assert "agrees" in plain_text(gradcheck_table(step("W1"), "en"), width=80)
    assert "wrong somewhere" in plain_text(gradcheck_table(step("W2", bug="no-mean"), "en"), width=80)
    assert "1.271" in plain_text(update_view(step("b2", lr=0.5), "en"), width=60)


def test_update_specs_that_cannot_run_are_one_line():
    for table, message in (({"example": "apple", "param": "tax"}, "must be a tensor example"),
                           ({"example": "two-layer-net", "param": "t"}, "param must name a parameter"),
                           ({"example": "affine", "param": "W", "bug": "no-mean"}, "bug needs a two-layer network"),
                           ({"example": "two-layer-net", "param": "W1", "lr": -1}, "lr must be a positive number")):
        with pytest.raises(update_step.UpdateError, match=message):
            update_step.spec("u", table)


# -- the perceptron and the delta rule ---------------------------------------------------------------
def neuron(**table):
    return perceptron.run(perceptron.spec("n", table))


def test_the_perceptron_converges_on_separable_points_and_then_stops_updating():
    outcome = neuron(data="separable", samples=20, epochs=12, seed=5)
    done = outcome.converged_epoch()
    assert done is not None and outcome.last.misclassified == 0
    assert all(e.updates == 0 for e in outcome.epochs[done:])
    w, b = outcome.last.weights, outcome.last.bias
    for x, t in zip(outcome.points, outcome.targets):
        assert (w[0] * x[0] + w[1] * x[1] + b > 0) == (t == 1)


def test_on_xor_the_perceptron_never_gets_every_corner_right():
    outcome = neuron(data="xor", epochs=20)
    assert outcome.converged_epoch() is None
    assert all(e.updates > 0 and e.misclassified > 0 for e in outcome.epochs)


def test_rosenblatts_rule_counts_a_point_on_the_line_as_wrong_for_both_classes():
    assert perceptron.misclassified(0.0, 1.0) and perceptron.misclassified(0.0, 0.0)
    assert not perceptron.misclassified(0.4, 1.0) and perceptron.misclassified(0.4, 0.0)
    first = neuron(data="and", epochs=1).last  # (0, 0) sits on the line w = 0, b = 0: subtracted
    assert first.weights == (1.0, 1.0) and first.bias == 0.0


def test_the_delta_rule_fits_the_line_the_data_was_made_from():
    outcome = neuron(data="line", rule="delta", lr=0.1, samples=10, epochs=60)
    assert outcome.last.weights[0] == pytest.approx(2, abs=0.2) and outcome.last.bias == pytest.approx(1, abs=0.2)
    mses = [e.mse for e in outcome.epochs]
    assert mses[-1] < 0.05 * mses[0]
    with pytest.raises(QuantityError, match="a regression run classifies nothing"):
        SOURCES["perceptron"].quantity(parse_quantity("converged_epoch"), outcome)


def test_the_run_view_draws_the_boundary_for_two_inputs_and_bad_specs_are_one_line():
    from rich.cells import cell_len

    text = plain_text(run_view(neuron(data="and", epochs=10), "ko"), width=60)
    assert "에폭" in text and all(cell_len(line) <= 60 for line in text.splitlines())
    for table, message in (({"data": "spiral"}, "data must be one of"),
                           ({"data": "line"}, "needs rule = \"delta\""),
                           ({"data": "and", "epochs": 0}, "epochs must be a whole number")):
        with pytest.raises(perceptron.NeuronError, match=message):
            perceptron.spec("n", table)
