"""Optimizers: each one turns the gradients of the parameters into an in-place update.

A parameter is any object with `.data` (an array of the active backend) and `.grad` (an array of
the same shape, or None when it has no gradient yet); gradtutor's Tensor leaves are such
objects. `step()` changes `p.data` in place, so layers holding a parameter see the new values.

Notation in the docstrings: W the parameter, g its gradient, η the learning rate `lr`,
t the step number (1 for the first step). State arrays start at zero.

Regularisation is added to the gradient, as if the penalty were part of the loss:
    L2 (`weight_decay` = λ):  the loss gains (λ/2)·Σ W²   so  g ← g + λ·W
    L1 (`l1` = λ₁):          the loss gains λ₁·Σ |W|     so  g ← g + λ₁·sign(W)
The adaptive methods (AdaGrad, RMSProp, Adam...) therefore rescale the penalty's gradient too;
this is the classic coupled form, not AdamW's decoupled decay. `penalty()` gives the added loss
so a training loop can report the full objective.

dtype: every update uses Python floats and arrays shaped like the parameter, never float64
numpy scalars, so float32 parameters and their state stay float32 (NumPy 2 would otherwise
promote them silently).
"""

from __future__ import annotations

import math

from gradtutor import backend


class Optimizer:
    """The shared part: the parameter list, regularisation, zero_grad, and the step counter."""

    def __init__(self, params, lr: float = 0.01, weight_decay: float = 0.0, l1: float = 0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters to update")
        if lr < 0:
            raise ValueError(f"the learning rate must be >= 0, got {lr}")
        if weight_decay < 0 or l1 < 0:
            raise ValueError(f"regularisation strengths must be >= 0, got weight_decay={weight_decay}, l1={l1}")
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.l1 = float(l1)
        self.steps = 0  # t: how many updates have been made
        self._slots: dict[str, dict[int, object]] = {}  # state name -> parameter index -> array

    def zero_grad(self) -> None:
        """Drop the gradients (a parameter without one is skipped by step())."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        self.steps += 1
        for index, p in enumerate(self.params):
            if p.grad is None:
                continue
            self._update(index, p, self._regularised(p))

    def _regularised(self, p):
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.l1:
            g = g + self.l1 * backend.xp().sign(p.data)
        return g

    def _state(self, name: str, index: int, p):
        """A per-parameter state array (zeros like the parameter), created on first use."""
        per_param = self._slots.setdefault(name, {})
        if index not in per_param:
            per_param[index] = backend.xp().zeros_like(p.data)
        return per_param[index]

    def _update(self, index: int, p, g) -> None:
        raise NotImplementedError

    def state_arrays(self) -> dict:
        """Every state array by 'name/parameter index', for checkpoints."""
        return {f"{name}/{index}": array for name, per_param in self._slots.items() for index, array in per_param.items()}

    def load_state_arrays(self, arrays: dict, steps: int) -> None:
        """Restore what state_arrays() gave (host or device arrays) and the step count."""
        placed = []
        for key, array in arrays.items():  # check everything before changing anything
            name, _, index = key.rpartition("/")
            if not index.isdigit() or int(index) >= len(self.params):
                raise ValueError(f"optimizer state {key!r} names no parameter of this optimizer")
            shape = tuple(self.params[int(index)].data.shape)
            if shape != tuple(array.shape):
                raise ValueError(f"optimizer state {key!r} has shape {tuple(array.shape)}, the parameter {shape}")
            placed.append((name, int(index), array))
        for name, index, array in placed:
            target = self._state(name, index, self.params[index])
            target[...] = backend.to_device(array, dtype=target.dtype)
        self.steps = int(steps)


class SGD(Optimizer):
    """Plain gradient descent:  W ← W − η·g."""

    def _update(self, index, p, g):
        p.data -= self.lr * g


class Momentum(Optimizer):
    """SGD with momentum (β = `momentum`):
        a ← β·a + g
        W ← W − η·a
    The accumulated direction a keeps moving through flat stretches and damps zig-zags."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.9, **regularisation):
        super().__init__(params, lr, **regularisation)
        self.momentum = float(momentum)

    def _update(self, index, p, g):
        a = self._state("velocity", index, p)
        a *= self.momentum
        a += g
        p.data -= self.lr * a


class Nesterov(Momentum):
    """Nesterov accelerated gradient: momentum with the gradient taken after the look-ahead.
    The textbook form evaluates g at W − η·β·a; with one gradient per step we use the
    equivalent form in the shifted variable (the one PyTorch and Sutskever et al. use):
        a ← β·a + g
        W ← W − η·(g + β·a)"""

    def _update(self, index, p, g):
        a = self._state("velocity", index, p)
        a *= self.momentum
        a += g
        p.data -= self.lr * (g + self.momentum * a)


class AdaGrad(Optimizer):
    """Per-coordinate learning rates from the sum of squared gradients:
        G ← G + g²
        W ← W − η·g / (√G + ε)
    Steep coordinates slow down, flat ones keep their pace; G only grows, so steps shrink."""

    def __init__(self, params, lr: float = 0.01, eps: float = 1e-8, **regularisation):
        super().__init__(params, lr, **regularisation)
        self.eps = float(eps)

    def _update(self, index, p, g):
        G = self._state("square_sum", index, p)
        G += g * g
        p.data -= self.lr * g / (backend.xp().sqrt(G) + self.eps)


class RMSProp(Optimizer):
    """AdaGrad with a leak: an exponential moving average of g² (decay ρ = `rho`):
        G ← ρ·G + (1 − ρ)·g²
        W ← W − η·g / (√G + ε)"""

    def __init__(self, params, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8, **regularisation):
        super().__init__(params, lr, **regularisation)
        self.rho = float(rho)
        self.eps = float(eps)

    def _update(self, index, p, g):
        G = self._state("square_average", index, p)
        G *= self.rho
        G += (1.0 - self.rho) * (g * g)
        p.data -= self.lr * g / (backend.xp().sqrt(G) + self.eps)


class Adadelta(Optimizer):
    """RMSProp whose step size comes from the recent updates themselves (no learning rate is
    needed; `lr` only scales the step and defaults to 1):
        G ← ρ·G + (1 − ρ)·g²
        Δ ← −√(H + ε) / √(G + ε) · g        (H from the previous step)
        W ← W + η·Δ
        H ← ρ·H + (1 − ρ)·Δ²"""

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, **regularisation):
        super().__init__(params, lr, **regularisation)
        self.rho = float(rho)
        self.eps = float(eps)

    def _update(self, index, p, g):
        xp = backend.xp()
        G = self._state("square_average", index, p)
        H = self._state("delta_average", index, p)
        G *= self.rho
        G += (1.0 - self.rho) * (g * g)
        delta = -xp.sqrt(H + self.eps) / xp.sqrt(G + self.eps) * g
        p.data += self.lr * delta
        H *= self.rho
        H += (1.0 - self.rho) * (delta * delta)


class Adam(Optimizer):
    """Momentum and RMSProp together, with the zero start corrected (β₁ = `beta1`, β₂ = `beta2`):
        m ← β₁·m + (1 − β₁)·g            m̂ = m / (1 − β₁ᵗ)
        v ← β₂·v + (1 − β₂)·g²           v̂ = v / (1 − β₂ᵗ)
        W ← W − η·m̂ / (√v̂ + ε)"""

    def __init__(self, params, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, **regularisation):
        super().__init__(params, lr, **regularisation)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)

    def _update(self, index, p, g):
        m = self._state("first_moment", index, p)
        v = self._state("second_moment", index, p)
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        # Fold both corrections into two Python floats: η·m̂/(√v̂ + ε) = step·m/(√v + ε̂).
        correction2 = math.sqrt(1.0 - self.beta2**self.steps)
        step = self.lr * correction2 / (1.0 - self.beta1**self.steps)
        p.data -= step * m / (backend.xp().sqrt(v) + self.eps * correction2)


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "adadelta": Adadelta,
    "rmsprop": RMSProp,
    "adam": Adam,
}


def make(name: str, params, lr: float | None = None, **options) -> Optimizer:
    """An optimizer by its CLI name ("sgd", "adam", ...); lr=None keeps the optimizer's default."""
    try:
        kind = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}") from None
    if lr is not None:
        options["lr"] = lr
    return kind(params, **options)


def penalty(params, weight_decay: float = 0.0, l1: float = 0.0) -> float:
    """The loss the regularisation adds: (λ/2)·Σ W² + λ₁·Σ |W| over all parameters."""
    if not weight_decay and not l1:
        return 0.0
    xp = backend.xp()
    total = 0.0
    for p in params:
        if weight_decay:
            total += 0.5 * weight_decay * float(xp.sum(p.data * p.data))
        if l1:
            total += l1 * float(xp.sum(xp.abs(p.data)))
    return total


def clip_grad_norm(params, max_norm: float) -> float:
    """Scale all gradients together so their global L2 norm is at most `max_norm`.

    The norm is taken over every gradient as one long vector, so the direction of the update is
    kept and only its length is capped (the exploding-gradient fix for RNNs). Gradients are
    changed in place. Returns the norm before clipping.
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    xp = backend.xp()
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    norm = float(xp.sqrt(sum(xp.sum(g * g) for g in grads)))  # one device-to-host read
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in grads:
            g *= scale
    return norm
