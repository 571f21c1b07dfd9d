"""The path and race source families: manifests read, quantities computed with the engine, the
slips they name, and the refusals of tables that cannot run."""

import pytest

from gradtutor.train import paths
from gradtutor.tutor import answers
from gradtutor.tutor import training as runs
from gradtutor.tutor.sources import SOURCES
from gradtutor.tutor.sources.path import PATH, Descent
from gradtutor.tutor.sources.race import RACE, Race


class Report:
    def __init__(self):
        self.problems = []

    def problem(self, message):
        self.problems.append(message)

    def entry(self, label):
        pass

    def number(self, value, what):
        return value if isinstance(value, (int, float)) else self.problem(f"{what}: not a number")


def descent(**runs_):
    report = Report()
    table = PATH.parse_table({"bowl": {"function": "elongated-bowl", "steps": 3, "runs": runs_}}, report)
    assert report.problems == []
    return table["bowl"]


def test_path_quantities_are_the_optimizers_own_steps():
    source = descent(sgd={"lr": 0.95}, momentum={"lr": 0.1}, **{"slow-adam": {"optimizer": "adam", "lr": 0.05}})
    assert source.start == (-7.0, 2.0) and source.minimum == (0.0, 0.0)
    result = answers.solve(source)
    direct = paths.descend("elongated-bowl", (-7, 2), "momentum", 3, lr=0.1)
    assert answers.compute(answers.parse_quantity("y:momentum:2"), result) == pytest.approx(direct.points[2][1])
    assert answers.compute(answers.parse_quantity("final:momentum"), result) == pytest.approx(direct.final)
    assert answers.compute(answers.parse_quantity("length:sgd"), result) == pytest.approx(
        paths.descend("elongated-bowl", (-7, 2), "sgd", 3, lr=0.95).length)
    assert answers.compute(answers.parse_quantity("x:slow-adam:1"), result) == pytest.approx(-7 + 0.05, abs=1e-6)
    assert answers.compute(answers.parse_quantity("highest:length"), result) == "sgd"
    with pytest.raises(answers.QuantityError, match="has no run 'adam'"):
        answers.compute(answers.parse_quantity("final:adam"), result)


def test_path_slips_momentum_without_velocity_and_adam_without_correction():
    result = answers.solve(descent(momentum={"lr": 0.1}, adam={"lr": 0.3}))
    forgot = dict((key, value) for value, key in answers.known_mistakes(answers.parse_quantity("y:momentum:2"), result))
    assert forgot["path_no_velocity"] == pytest.approx(1.6 - 0.1 * 3.2)  # plain GD's second step
    raw = dict((key, value) for value, key in answers.known_mistakes(answers.parse_quantity("x:adam:1"), result))
    assert raw["path_no_bias_correction"] == pytest.approx(-7 + 0.3 * 0.1 / 0.001**0.5)


@pytest.mark.parametrize("table, message", [
    ({"function": "x + z", "start": [0, 0], "runs": {"sgd": {}}}, "x and y only, not z"),
    ({"function": "x**2 + y**2", "runs": {"sgd": {}}}, "needs start = [x, y]"),
    ({"function": "bowl", "runs": {"adan": {}}}, "run adan: unknown optimizer 'adan'"),
    ({"function": "bowl", "steps": 0, "runs": {"sgd": {}}}, "steps must be a whole number from 1 to 500"),
    ({"function": "bowl", "runs": {}}, "needs runs = a table of runs"),
])
def test_a_path_table_that_cannot_run_is_one_line(table, message):
    report = Report()
    assert PATH.parse_table({"p": table}, report) == {}
    assert len(report.problems) == 1 and message in report.problems[0]


def race(**overrides):
    report = Report()
    shared = dict(model="mlp", data="spiral", samples=8, hidden=[4], epochs=3)
    table = RACE.parse_table({"r": {**shared, "runs": overrides}}, report)
    assert report.problems == []
    return table["r"]


def test_race_quantities_are_each_runs_own_figures():
    source = race(sgd={"optimizer": "sgd", "lr": 0.1}, adam={"optimizer": "adam", "lr": 0.05},
                  early={"validation": 0.25, "patience": 1, "dropout": 0.2})
    result = answers.solve(source)
    alone = runs.run(dict(source.runs)["adam"])
    assert answers.compute(answers.parse_quantity("loss:adam"), result) == alone.figures.loss
    assert answers.compute(answers.parse_quantity("epochs:sgd"), result) == 3
    best = answers.compute(answers.parse_quantity("best_epoch:early"), result)
    assert 1 <= best <= answers.compute(answers.parse_quantity("epochs:early"), result)
    losses = {label: outcome.figures.loss for label, outcome in result.outcomes}
    assert answers.compute(answers.parse_quantity("lowest:loss"), result) == min(losses, key=losses.get)
    with pytest.raises(answers.QuantityError, match="no held-out data"):
        answers.compute(answers.parse_quantity("gap:sgd"), result)  # spiral holds nothing out
    with pytest.raises(answers.QuantityError, match="no early stopping"):
        answers.compute(answers.parse_quantity("best_epoch:sgd"), result)


def test_a_race_gap_taken_the_wrong_way_round_is_named():
    source = Race("digits", tuple((label, runs.spec(label, dict(model="mlp", data="digits", samples=24, hidden=[8],
                                                               epochs=2, **extra)))
                                  for label, extra in (("plain", {}), ("l2", {"weight_decay": 0.01}))))
    result = answers.solve(source)
    gap = answers.compute(answers.parse_quantity("gap:plain"), result)
    outcome = dict(result.outcomes)["plain"]
    assert gap == pytest.approx(outcome.figures.accuracy - outcome.figures.test_accuracy)
    slips = answers.known_mistakes(answers.parse_quantity("gap:plain"), result)
    assert slips == ([(-gap, "race_gap_reversed")] if gap else [])


@pytest.mark.parametrize("table, message", [
    ({"model": "mlp", "data": "spiral", "runs": {"one": {}}}, "at least two runs"),
    ({"model": "mlp", "data": "spiral", "runs": {"a": {}, "b": {"dropout": 2}}}, "run b: dropout must be a number from 0 to 1"),
    ({"model": "rnn", "data": "adding", "runs": {"a": {}, "b": {"dropout": 0.5}}}, "run b: --dropout applies to the mlp only"),
    ({"model": "mlp", "data": "spiral", "runs": {"a": {}, "b": {"patience": 2}}}, "run b: --patience stops on the validation loss"),
])
def test_a_race_table_that_cannot_run_is_one_line(table, message):
    report = Report()
    assert RACE.parse_table({"r": table}, report) == {}
    assert len(report.problems) == 1 and message in report.problems[0]


def test_both_families_are_in_the_table():
    assert SOURCES["path"] is PATH and SOURCES["race"] is RACE
    assert isinstance(descent(sgd={}), Descent)
