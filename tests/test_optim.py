"""Optimizers against their update rules computed by hand, on every array backend."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from gradtutor import backend
from gradtutor.train import optim, schedules


@dataclass
class Param:
    """What an optimizer needs of a parameter: data and grad."""

    data: object
    grad: object = None


CURVATURE = np.array([[1.0, 4.0, 0.5], [2.0, 0.25, 3.0]])
SHIFT = np.array([[0.5, -1.0, 0.2], [0.0, 0.3, -0.7]])
START = np.array([[1.0, -2.0, 0.5], [1.5, 0.7, -0.3]])


def quadratic_grad(w):
    """Gradient of f(W) = Σ ½·c·W² + s·W (elementwise curvature c, shift s)."""
    return CURVATURE * w + SHIFT


def run(optimizer_class, steps, **options):
    """Run the optimizer on float32 device parameters; return the host trajectory."""
    p = Param(backend.to_device(START.astype(np.float32)))
    opt = optimizer_class([p], **options)
    path = []
    for _ in range(steps):
        p.grad = backend.to_device(quadratic_grad(backend.to_host(p.data).astype(np.float64)).astype(np.float32))
        opt.step()
        path.append(backend.to_host(p.data).astype(np.float64))
    return path, p, opt


# -- the update rules, written out independently in float64 -------------------------------------
def by_hand(name, steps, lr, **h):
    w = START.copy()
    a = np.zeros_like(w)
    b = np.zeros_like(w)
    path = []
    for t in range(1, steps + 1):
        g = quadratic_grad(w) + h.get("wd", 0.0) * w + h.get("l1", 0.0) * np.sign(w)
        if name == "sgd":
            w = w - lr * g
        elif name == "momentum":
            a = h["beta"] * a + g
            w = w - lr * a
        elif name == "nesterov":
            a = h["beta"] * a + g
            w = w - lr * (g + h["beta"] * a)
        elif name == "adagrad":
            a = a + g**2
            w = w - lr * g / (np.sqrt(a) + 1e-8)
        elif name == "rmsprop":
            a = h["rho"] * a + (1 - h["rho"]) * g**2
            w = w - lr * g / (np.sqrt(a) + 1e-8)
        elif name == "adadelta":
            a = h["rho"] * a + (1 - h["rho"]) * g**2
            delta = -np.sqrt(b + 1e-6) / np.sqrt(a + 1e-6) * g
            w = w + lr * delta
            b = h["rho"] * b + (1 - h["rho"]) * delta**2
        elif name == "adam":
            a = h["beta1"] * a + (1 - h["beta1"]) * g
            b = h["beta2"] * b + (1 - h["beta2"]) * g**2
            m_hat = a / (1 - h["beta1"] ** t)
            v_hat = b / (1 - h["beta2"] ** t)
            w = w - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        path.append(w.copy())
    return path


CASES = [
    ("sgd", optim.SGD, dict(lr=0.1), {}),
    ("momentum", optim.Momentum, dict(lr=0.05, momentum=0.8), dict(beta=0.8)),
    ("nesterov", optim.Nesterov, dict(lr=0.05, momentum=0.8), dict(beta=0.8)),
    ("adagrad", optim.AdaGrad, dict(lr=0.3), {}),
    ("rmsprop", optim.RMSProp, dict(lr=0.05, rho=0.8), dict(rho=0.8)),
    ("adadelta", optim.Adadelta, dict(lr=1.0, rho=0.9), dict(rho=0.9)),
    ("adam", optim.Adam, dict(lr=0.1, beta1=0.8, beta2=0.95), dict(beta1=0.8, beta2=0.95)),
    ("sgd", optim.SGD, dict(lr=0.1, weight_decay=0.3, l1=0.05), dict(wd=0.3, l1=0.05)),
    ("adam", optim.Adam, dict(lr=0.1, weight_decay=0.2), dict(beta1=0.9, beta2=0.999, wd=0.2)),
]


@pytest.mark.parametrize("name, kind, options, hyper", CASES, ids=[f"{c[0]}{'+reg' if 'wd' in c[3] else ''}" for c in CASES])
def test_steps_follow_the_formula(xp, name, kind, options, hyper):
    steps = 5
    path, p, opt = run(kind, steps, **options)
    expected = by_hand(name, steps, options["lr"], **hyper)
    for t, (got, want) in enumerate(zip(path, expected), 1):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, err_msg=f"{name} step {t}")
    # float32 in, float32 out: the parameter and every state array
    assert p.data.dtype == np.float32
    assert isinstance(p.data, xp.ndarray)
    for key, state in opt.state_arrays().items():
        assert state.dtype == np.float32, key


MINIMIZERS = [
    (optim.SGD, dict(lr=0.05), dict(lr=0.0015)),
    (optim.Momentum, dict(lr=0.02), dict(lr=0.001, momentum=0.9)),
    (optim.Nesterov, dict(lr=0.02), dict(lr=0.001, momentum=0.9)),
    (optim.AdaGrad, dict(lr=0.5), dict(lr=0.5)),
    (optim.RMSProp, dict(lr=0.01), dict(lr=0.002)),
    (optim.Adadelta, dict(lr=1.0), None),  # creeps along the Rosenbrock valley: quadratic only
    (optim.Adam, dict(lr=0.05), dict(lr=0.02)),
]


def descend(kind, options, start, grad, steps):
    p = Param(np.array(start, dtype=np.float32))
    opt = kind([p], **options)
    for _ in range(steps):
        p.grad = np.asarray(grad(*p.data.astype(np.float64)), dtype=np.float32)
        opt.step()
    assert p.data.dtype == np.float32
    return p.data.astype(np.float64)


@pytest.mark.parametrize("kind, quadratic_options, rosenbrock_options", MINIMIZERS, ids=[m[0].__name__ for m in MINIMIZERS])
def test_minimizes_a_quadratic_and_rosenbrock(kind, quadratic_options, rosenbrock_options):
    backend.use("numpy")

    # f = ½(x² + 25y²): curvature 25 times larger along y, from (3, −2)
    x, y = descend(kind, quadratic_options, [3.0, -2.0], lambda x, y: (x, 25 * y), 2000)
    assert 0.5 * (x * x + 25 * y * y) < 1e-3 * 0.5 * (9 + 25 * 4), (kind.__name__, x, y)

    if rosenbrock_options is None:
        return

    # f = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1), from (−1, 1): a curved valley
    def rosenbrock(x, y):
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def gradient(x, y):
        return (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))

    x, y = descend(kind, rosenbrock_options, [-1.0, 1.0], gradient, 3000)
    assert rosenbrock(x, y) < 0.01 * rosenbrock(-1.0, 1.0), (kind.__name__, x, y)


def test_zero_grad_and_missing_gradients_are_skipped(xp):
    a = Param(backend.to_device(np.ones(2, dtype=np.float32)), backend.to_device(np.ones(2, dtype=np.float32)))
    b = Param(backend.to_device(np.ones(2, dtype=np.float32)))
    opt = optim.Momentum([a, b], lr=0.5)
    opt.step()
    assert backend.to_host(a.data).tolist() == [0.5, 0.5]
    assert backend.to_host(b.data).tolist() == [1.0, 1.0]
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    opt.step()
    assert backend.to_host(a.data).tolist() == [0.5, 0.5]


def test_update_is_in_place(xp):
    data = backend.to_device(np.ones(3, dtype=np.float32))
    p = Param(data, backend.to_device(np.full(3, 2.0, dtype=np.float32)))
    optim.Adam([p], lr=0.1).step()
    assert p.data is data
    np.testing.assert_allclose(backend.to_host(data), 0.9, rtol=1e-6)


def test_penalty_matches_its_gradient():
    backend.use("numpy")
    w = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    assert optim.penalty([Param(w)], weight_decay=0.1, l1=0.01) == pytest.approx(0.05 * 14.25 + 0.01 * 6.5)
    assert optim.penalty([Param(w)]) == 0.0
    # the SGD step with only the penalty's gradient moves W by −η(λW + λ₁ sign W)
    p = Param(w.copy(), np.zeros_like(w))
    optim.SGD([p], lr=1.0, weight_decay=0.1, l1=0.01).step()
    np.testing.assert_allclose(p.data, w - (0.1 * w + 0.01 * np.sign(w)), rtol=1e-6)


def test_clip_grad_norm(xp):
    grads = [np.array([3.0, 0.0], dtype=np.float32), np.array([[0.0], [4.0]], dtype=np.float32)]
    params = [Param(backend.to_device(np.zeros_like(g)), backend.to_device(g)) for g in grads]
    params.append(Param(backend.to_device(np.zeros(2, dtype=np.float32))))  # no gradient: ignored
    assert optim.clip_grad_norm(params, max_norm=10.0) == pytest.approx(5.0)
    np.testing.assert_array_equal(backend.to_host(params[0].grad), [3.0, 0.0])  # under the cap: kept
    assert optim.clip_grad_norm(params, max_norm=1.0) == pytest.approx(5.0)
    clipped = [backend.to_host(p.grad) for p in params[:2]]
    np.testing.assert_allclose(clipped[0], [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(clipped[1], [[0.0], [0.8]], rtol=1e-5)
    assert all(g.dtype == np.float32 for g in clipped)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm(params, 0.0)


def test_make_by_name_and_bad_arguments():
    backend.use("numpy")
    p = Param(np.zeros(1, dtype=np.float32))
    assert isinstance(optim.make("Adam", [p]), optim.Adam)
    assert optim.make("adam", [p]).lr == 0.001
    assert optim.make("sgd", [p], lr=0.5).lr == 0.5
    assert set(optim.OPTIMIZERS) == {"sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam"}
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'; choose one of: sgd,"):
        optim.make("lbfgs", [p])
    with pytest.raises(ValueError, match="no parameters"):
        optim.SGD([])
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD([p], lr=-1)


# -- schedules ----------------------------------------------------------------------------------
def test_schedule_values():
    assert [schedules.StepDecay(0.8, drop=0.5, every=3)(e) for e in (0, 2, 3, 6, 7)] == [0.8, 0.8, 0.4, 0.2, 0.2]
    assert schedules.ExponentialDecay(1.0, k=0.5).lr_at(2) == pytest.approx(math.exp(-1.0))
    assert schedules.InverseTimeDecay(0.3, k=0.5).lr_at(4) == pytest.approx(0.1)
    cosine = schedules.CosineDecay(1.0, total=10, min_lr=0.1)
    assert cosine(0) == pytest.approx(1.0)
    assert cosine(5) == pytest.approx(0.55)
    assert cosine(10) == pytest.approx(0.1) and cosine(15) == pytest.approx(0.1)
    assert schedules.Constant(0.2)(99) == 0.2


@pytest.mark.parametrize("name", list(schedules.SCHEDULES))
def test_named_schedules_start_at_lr_and_never_grow(name):
    schedule = schedules.make(name, 0.5, epochs=20)
    values = [schedule(e) for e in range(25)]
    assert values[0] == pytest.approx(0.5)
    assert all(later <= earlier + 1e-12 for earlier, later in zip(values, values[1:]))
    if name != "constant":
        assert values[20] < 0.5 * values[0]


def test_bad_schedules():
    with pytest.raises(ValueError, match="unknown schedule 'warm'"):
        schedules.make("warm", 0.1, 10)
    with pytest.raises(ValueError, match="every >= 1"):
        schedules.StepDecay(0.1, every=0)


# -- with the real engine -----------------------------------------------------------------------
@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_optimizers_fit_a_linear_model_with_tensors(xp, name):
    """Least squares on gradtutor Tensors: backward() gives the gradients, step() follows them,
    and everything stays float32 on the active backend (the strict stand-in included)."""
    from gradtutor.tensor import Tensor

    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((64, 3)).astype(np.float32)
    targets = inputs @ np.array([[1.5], [-2.0], [0.5]], dtype=np.float32) + 0.3
    x, y = Tensor(backend.to_device(inputs), requires_grad=False), Tensor(backend.to_device(targets), requires_grad=False)
    w, b = Tensor(np.zeros((3, 1)), "w"), Tensor(np.zeros(1), "b")
    options = {"sgd": dict(lr=0.1), "momentum": dict(lr=0.05), "nesterov": dict(lr=0.05), "adagrad": dict(lr=0.5),
               "adadelta": dict(lr=1.0, eps=1e-4), "rmsprop": dict(lr=0.02), "adam": dict(lr=0.05)}[name]
    opt = optim.make(name, [w, b], **options)

    def loss():
        error = x @ w + b - y
        return (error * error).mean()

    first = float(loss().data)
    for _ in range(150):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
    last = float(loss().data)
    assert last < 0.05 * first, (name, first, last)
    assert w.data.dtype == np.float32 and isinstance(w.data, xp.ndarray)
