"""Offline datasets, all made on the host from a seed (nothing is downloaded).

    toy.py        xor, spiral, moons, circles          2-D points, class labels
    digits.py     digits                               28×28 handwritten-style digits
    sequences.py  adding, copy, parity, reverse        sequence tasks (recurrent networks, transformers)
    text.py       char_windows, CharVocab              the project's character corpus
    idx.py        load_idx, load_mnist                 MNIST-format files the user has
    core.py       Dataset, split, Batches              the common shape, splits, device batches

`load(name, **options)` makes any generated set by the name the CLI uses.
"""

from gradtutor.train.datasets.core import KINDS, Batches, Dataset, split
from gradtutor.train.datasets.digits import digits
from gradtutor.train.datasets.idx import IdxError, load_idx, load_mnist
from gradtutor.train.datasets.sequences import adding, copy, one_hot, parity, prompted, reverse, running_parity
from gradtutor.train.datasets.text import CharVocab, char_windows, corpus_text
from gradtutor.train.datasets.toy import circles, moons, spiral, xor

GENERATORS = {
    "xor": xor,
    "spiral": spiral,
    "moons": moons,
    "circles": circles,
    "digits": digits,
    "adding": adding,
    "copy": copy,
    "parity": parity,
    "running-parity": running_parity,
    "reverse": reverse,
    "chars": char_windows,
}


def load(name: str, **options) -> Dataset:
    """A generated dataset by name, e.g. load("spiral", per_class=100, seed=0)."""
    try:
        generator = GENERATORS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(GENERATORS)}") from None
    return generator(**options)


__all__ = [
    "KINDS", "Batches", "Dataset", "split", "digits", "IdxError", "load_idx", "load_mnist", "adding", "copy",
    "one_hot", "parity", "prompted", "running_parity", "reverse", "CharVocab", "char_windows", "corpus_text", "circles",
    "moons", "spiral", "xor",
    "GENERATORS", "load",
]
