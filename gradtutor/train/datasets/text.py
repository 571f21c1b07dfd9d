"""Character-level text: a vocabulary, encode/decode, and (input, next-character) windows.

The default text is the project's own corpus, `gradtutor/data/corpus.txt` (about 30 KB of simple
prose about gradients, gates, apples and taxes).
"""

from __future__ import annotations

import math
from importlib import resources

from gradtutor.backend import host as np
from gradtutor.train.datasets.core import Dataset


def corpus_text() -> str:
    """The text of the bundled corpus."""
    return resources.files("gradtutor").joinpath("data/corpus.txt").read_text(encoding="utf-8")


class CharVocab:
    """The characters of a text, sorted, each with an integer id."""

    def __init__(self, text: str):
        if not text:
            raise ValueError("cannot build a character vocabulary from empty text")
        self.chars = sorted(set(text))
        self._ids = {ch: i for i, ch in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str):
        """str -> int64 array of ids."""
        try:
            return np.array([self._ids[ch] for ch in text], dtype=np.int64)
        except KeyError as missing:
            raise ValueError(f"character {missing.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        """ids -> str."""
        return "".join(self.chars[int(i)] for i in ids)


def char_windows(text: str | None = None, length: int = 64, stride: int | None = None) -> Dataset:
    """Windows of `length` characters and the same windows shifted by one: predict each next
    character. x and y int64 (N, length); windows start every `stride` characters (default:
    `length`, no overlap).

    info: "vocab" (a CharVocab), "uniform_loss" = ln(vocabulary size), the cross-entropy of
    guessing every character equally likely — a trained model must fall well below it.
    """
    text = corpus_text() if text is None else text
    stride = length if stride is None else stride
    if length < 1 or stride < 1:
        raise ValueError(f"length and stride must be >= 1, got length={length}, stride={stride}")
    if len(text) < length + 1:
        raise ValueError(f"the text has {len(text)} characters, too few for windows of {length} + 1")
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    starts = np.arange(0, len(ids) - length, stride)
    offsets = starts[:, None] + np.arange(length)[None, :]  # (N, length)
    return Dataset("chars", ids[offsets], ids[offsets + 1], "sequence-classes", len(vocab),
                   info={"vocab": vocab, "uniform_loss": math.log(len(vocab))})
