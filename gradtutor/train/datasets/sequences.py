"""Sequence tasks for recurrent networks and transformers: the adding problem, copying, parity,
reversing a digit string.

Inputs are (N, T, features) float32 unless stated; each task says what a model must remember
and for how long, which is what separates an LSTM or GRU from a plain tanh RNN.
"""

from __future__ import annotations

from gradtutor.backend import host as np
from gradtutor.train.datasets.core import Dataset, check_counts


def adding(n: int = 2000, length: int = 50, seed: int = 0) -> Dataset:
    """The adding problem. Each step carries two numbers: a value drawn from U(0, 1) and a
    marker. Exactly two steps are marked, one in each half of the sequence; the target is the
    sum of their two values. x float32 (n, length, 2), y float32 (n, 1).

    Always answering the mean, 1, scores the variance of a sum of two U(0, 1): 2/12 ≈ 0.167 MSE
    (`info["baseline_mse"]`). Beating it means carrying a value across up to `length` steps.
    """
    check_counts("adding", n=n)
    if length < 2:
        raise ValueError(f"adding needs length >= 2, got {length}")
    rng = np.random.default_rng(seed)
    values = rng.random((n, length))
    half = length // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, length, n)
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=2)  # (n, T, 2)
    y = (values[rows, first] + values[rows, second])[:, None]  # (n, 1)
    return Dataset("adding", x.astype(np.float32), y.astype(np.float32), "regression",
                   info={"baseline_mse": 1.0 / 6.0, "length": length})


def copy(n: int = 2000, length: int = 8, delay: int = 5, symbols: int = 8, seed: int = 0) -> Dataset:
    """Remember a string of symbols and write it out after a pause.

    Tokens: 0 … symbols−1 are the symbols, `symbols` is blank, `symbols + 1` is the "go" signal.
    Input:  s₁ … s_L, then `delay` blanks, then go, then L − 1 blanks   (length 2L + delay)
    Target: blank at every step until go; from go on, s₁ … s_L.
    x int64 tokens (n, 2L + delay), y int64 (n, 2L + delay); `one_hot(x, symbols + 2)` gives
    float inputs. Targets have `symbols + 1` classes (the symbols and blank).
    """
    check_counts("copy", n=n, length=length, symbols=symbols)
    if delay < 0:
        raise ValueError(f"copy needs delay >= 0, got {delay}")
    rng = np.random.default_rng(seed)
    blank, go = symbols, symbols + 1
    text = rng.integers(0, symbols, (n, length))
    total = 2 * length + delay
    x = np.full((n, total), blank, dtype=np.int64)
    y = np.full((n, total), blank, dtype=np.int64)
    x[:, :length] = text
    x[:, length + delay] = go
    y[:, length + delay :] = text
    return Dataset("copy", x, y, "sequence-classes", symbols + 1,
                   info={"vocab": symbols + 2, "blank": blank, "go": go, "length": length, "delay": delay})


def parity(n: int = 2000, length: int = 10, seed: int = 0, running: bool = False) -> Dataset:
    """Is the number of ones in a bit string odd? x float32 bits (n, length, 1).

    y int64 (n,) is the parity of the whole string; with `running=True` it is (n, length), the
    parity so far at every step (many-to-many, and much easier to learn).
    """
    check_counts("parity", n=n, length=length)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (n, length))
    so_far = np.cumsum(bits, axis=1) % 2
    y = so_far if running else so_far[:, -1]
    kind = "sequence-classes" if running else "classes"
    return Dataset("parity", bits[:, :, None].astype(np.float32), y.astype(np.int64), kind, 2)


def running_parity(n: int = 2000, length: int = 10, seed: int = 0) -> Dataset:
    """Parity as a many-to-many task: the parity of the bits so far at every step, y (n, length).

    Each answer depends on the previous answer and one new bit, so a recurrent layer read at
    every step learns it easily, where reading only the last step (`parity`) is hard.
    """
    data = parity(n, length, seed, running=True)
    data.name = "running-parity"
    return data


def reverse(n: int = 2000, length: int = 8, symbols: int = 10, seed: int = 0) -> Dataset:
    """Write a string of digits backwards: x int64 (n, length) in 0 … symbols−1, y the same
    strings reversed. A sequence-to-sequence task: the first symbol to write is the last one
    read, the last to write the first read, so an encoder must hold the whole string.

    info: "vocab" = symbols (a decoder's start token takes the next id, `symbols`).
    """
    check_counts("reverse", n=n, length=length, symbols=symbols)
    digits = np.random.default_rng(seed).integers(0, symbols, (n, length))
    return Dataset("reverse", digits, digits[:, ::-1].copy(), "sequence-classes", symbols,
                   info={"vocab": symbols, "length": length})


def prompted(data: Dataset) -> Dataset:
    """A sequence-to-sequence task as one stream for a decoder-only model (the transformer),
    which writes the answer one next token at a time after reading the question.

    Tokens: the data's symbols and one more, the separator "=". A stream is d₁ … d_L = r₁ … r_{L−1}
    (length 2L), r the answer; the target at each position is the next token: the blank class
    (the separator's id) while the question is still coming (it cannot be predicted), then
    r₁ … r_L from the separator on. For `reverse` the answer's first digit is the question's
    last: the model must look back across the string.
    x, y int64 (n, 2L); symbols + 1 classes; info["answer"] = L, the number of answer positions.
    """
    question, answer = data.x, data.y
    n, length = question.shape
    separator = blank = data.info["vocab"]
    x = np.concatenate((question, np.full((n, 1), separator), answer[:, :-1]), axis=1)
    y = np.concatenate((np.full((n, length), blank), answer), axis=1)
    return Dataset(data.name, x.astype(np.int64), y.astype(np.int64), "sequence-classes", separator + 1,
                   info={"vocab": separator + 1, "separator": separator, "blank": blank, "length": length,
                         "answer": length})


def one_hot(tokens, classes: int):
    """int tokens (...,) -> float32 (..., classes) with a 1 at each token."""
    tokens = np.asarray(tokens)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= classes):
        raise ValueError(f"tokens must lie in 0..{classes - 1}, got {tokens.min()}..{tokens.max()}")
    return np.eye(classes, dtype=np.float32)[tokens]
