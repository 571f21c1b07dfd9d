"""Optimizer paths on a function of x and y: the real optimizers, gradients from the scalar engine."""

import math

import pytest

from gradtutor.train import paths

BOWL = "x**2/20 + y**2"  # ∂f/∂x = x/10, ∂f/∂y = 2y


def test_one_sgd_step_is_the_start_minus_lr_times_the_gradient():
    path = paths.descend(BOWL, (-7, 2), "sgd", steps=1, lr=0.9)
    assert path.points[0] == (-7.0, 2.0)
    assert path.points[1] == pytest.approx((-7 - 0.9 * (-0.7), 2 - 0.9 * 4))
    assert path.values[1] == pytest.approx(path.points[1][0] ** 2 / 20 + path.points[1][1] ** 2)


def test_adams_first_step_is_lr_times_the_sign_of_the_gradient():
    path = paths.descend(BOWL, (-7, 2), "adam", steps=1, lr=0.3)
    assert path.points[1] == pytest.approx((-7 + 0.3, 2 - 0.3), abs=1e-6)


def test_momentum_carries_the_velocity_into_its_second_step():
    path = paths.descend(BOWL, (-7, 2), "momentum", steps=2, lr=0.1, momentum=0.9)
    (x0, y0), (x1, y1), (x2, y2) = path.points
    a1 = (x0 / 10, 2 * y0)
    a2 = (0.9 * a1[0] + x1 / 10, 0.9 * a1[1] + 2 * y1)
    assert (x1, y1) == pytest.approx((x0 - 0.1 * a1[0], y0 - 0.1 * a1[1]))
    assert (x2, y2) == pytest.approx((x1 - 0.1 * a2[0], y1 - 0.1 * a2[1]))


def test_adagrad_divides_by_the_root_of_the_summed_squares():
    path = paths.descend(BOWL, (-7, 2), "adagrad", steps=2, lr=1.5)
    (x0, _), (x1, _), (x2, _) = path.points
    g0, g1 = x0 / 10, x1 / 10
    assert x1 == pytest.approx(x0 - 1.5 * g0 / math.sqrt(g0**2))
    assert x2 == pytest.approx(x1 - 1.5 * g1 / math.sqrt(g0**2 + g1**2))


def test_the_named_surfaces_are_the_registrys():
    from gradtutor import names

    assert names.names("surface") == tuple(paths.FUNCTIONS)
    assert paths.surface("bowl")(3, 4) == 25


def test_the_length_is_the_sum_of_the_step_lengths_and_named_surfaces_resolve():
    path = paths.descend("elongated-bowl", paths.FUNCTIONS["elongated-bowl"][1], "rmsprop", steps=5, lr=0.3)
    steps = [math.dist(a, b) for a, b in zip(path.points, path.points[1:])]
    assert path.length == pytest.approx(sum(steps))
    assert path.final == path.values[-1] < path.values[0]
    assert path.distance_to((0, 0)) == pytest.approx(math.hypot(*path.points[-1]))


def test_a_path_that_runs_off_stops_there_and_says_so():
    path = paths.descend("x**2 + y**2", (1, 1), "sgd", steps=60, lr=1.5)  # each step doubles |x|
    assert path.diverged and len(path.points) < 61
    assert all(abs(v) < paths.BLOW_UP for v in path.values)


@pytest.mark.parametrize("function, message", [("x + z", "x and y only, not z"), ("x +* y", "syntax error")])
def test_a_function_that_cannot_be_descended_is_one_line(function, message):
    with pytest.raises(paths.PathError, match=message):
        paths.descend(function, (0, 0))


def gradtutor(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "gradtutor", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_the_paths_command_prints_every_path_and_saves_one_svg(tmp_path):
    result = gradtutor("paths", "-o", "sgd:0.95", "-o", "adam:0.3", "--steps", "20", "--plot", str(tmp_path / "p.svg"))
    assert result.returncode == 0, result.stderr
    sgd = paths.descend("elongated-bowl", (-7, 2), "sgd", 20, lr=0.95)
    assert "x**2/20 + y**2" in result.stdout and "sgd" in result.stdout and "adam" in result.stdout
    assert f"{sgd.length:.3g}" in result.stdout
    svg = (tmp_path / "p.svg").read_text(encoding="utf-8")
    assert svg.count("<polyline") == 2


@pytest.mark.parametrize("args, message", [
    (["x**2 + y**2"], "'x**2 + y**2' is not a named surface (elongated-bowl, bowl, rosenbrock): give a start as x,y"),
    (["elongated-bowel"], "is not a named surface (elongated-bowl, bowl, rosenbrock): did you mean 'elongated-bowl'?"),
    (["-o", "adan"], "unknown optimizer 'adan'; did you mean 'adam'?"),
    (["--start", "1;2"], "--start 1;2: write the start as x,y"),
    (["--steps", "0"], "steps must be from 1 to 10000, got 0"),
    (["--plot", "p.gif"], "use a .svg or .png file name"),
])
def test_bad_paths_requests_are_one_line(args, message):
    result = gradtutor("paths", *args)
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
