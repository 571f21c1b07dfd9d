"""The op record, the table every op is registered in, and the words that go with each op.

A record holds the rule only: forward, the vector-Jacobian product, where it is defined, how to
sample it. Its words (formula, local gradients, the gate pattern, Jacobian structure, backward
rule) live in one data file per language, texts/<lang>.toml, read once on first use, so prose is
edited and translated without touching code. The accessors (`gate_in`, `formula_in`, …) read them,
one op's table at a time (gradtutor.lang.WordsFile: a trace shows a few ops' words, and parsing
every op's took a tenth of `gradtutor trace`'s start-up).

The one calling convention every op follows and every caller uses:

    forward(m, p, *xs)                         -> (out, saved)
    vjp(m, p, g, out, saved, needs, *xs)       -> (gx0, gx1, ...)

m: the array namespace (`Scalar` below for Python numbers and Fractions, numpy or cupy for
arrays); p: the op's parameter (pow's exponent, an axis, a convolution's window) or None;
saved: what forward kept for the backward (None for most ops); needs: one bool per input, False
where no gradient is wanted, so an op may skip that part of its rule (matmul's unneeded half)
and return None there. Broadcasting is not a rule's business: the engine sums each downstream
gradient back to its input's shape in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Mapping

from gradtutor.errors import UserError
from gradtutor.lang import WordsFile
from gradtutor.names import closest

TEXTS = Path(__file__).with_name("texts")  # one <lang>.toml per language
KEYS = ("formula", "local", "gate", "explain", "jacobian", "backward")  # the words of an op
PER_INPUT = ("local", "jacobian", "backward")  # keys holding one text per input


@dataclass(frozen=True, slots=True)
class Op:
    name: str  # key in the table, in JSON and in the text files: "mul"
    symbol: str  # what the gate shows in diagrams: "×"
    arity: int  # -1: any number of inputs (concatenate)
    forward: Callable  # forward(m, p, *xs) -> (out, saved)
    vjp: Callable  # vjp(m, p, g, out, saved, needs, *xs) -> one gradient (or None) per input
    sample: Callable | None  # sample(rng) -> (xs, p): a point inside the domain, away from kinks;
    # None for ops that exist only on tensors
    exact: bool = False  # uses only + − × ÷ and integer powers: can run on Fractions
    # domain(p, *xs) -> message when xs are outside it. Decided by the inputs' signs, zeros and
    # sizes only: expr.py checks a vector at its smallest, largest and nearest-to-zero elements.
    domain: Callable | None = None
    inputs: tuple[str, ...] = field(default=("x", "y"))  # input names used in the text
    # tensor_sample(rng) -> (xs, p): float64 host arrays of random shapes (broadcasting pairs
    # included) inside the domain, rng a numpy Generator; None for scalar-only ops.
    tensor_sample: Callable | None = None
    # backward_shapes(input_shapes, output_shape, lang) -> each input's rule with the terms'
    # shapes, "(2,) = (3,) · (3, 2)", for ops whose rule mixes shapes (matmul); None elsewhere
    backward_shapes: Callable | None = None
    fused: bool = False  # a whole training layer's forward and backward in one record (nn, recurrent)
    # Words given in code, {lang: {key: text}}, for an op registered outside gradtutor (a test's
    # throwaway op); gradtutor's own ops have theirs in texts/<lang>.toml.
    texts: Mapping[str, Mapping] | None = field(default=None, compare=False)

    def input_names(self, count: int | None = None) -> tuple[str, ...]:
        """The inputs' names; a variadic op (arity -1, e.g. concatenate) numbers them x1, x2, …"""
        if self.arity >= 0:
            return self.inputs[: self.arity]
        return tuple(f"{self.inputs[0]}{i + 1}" for i in range(count or 0))

    def words(self, lang: str = "en") -> Mapping:
        """The op's own table in `lang` (keys it leaves out are absent; {} for an unknown language)."""
        if self.texts is not None:
            return self.texts.get(lang, {})
        return _table(lang, "op", self.name)

    def text(self, key: str, lang: str = "en"):
        """One of the op's words by key, in `lang`; a key a language leaves out (a formula with
        no words to translate) shows in English."""
        text = self.words(lang).get(key) if lang != "en" else None
        return text if text else self.words("en").get(key, "")

    def gate_in(self, lang: str = "en") -> str:
        """The gate pattern's short name in `lang` ("en" or "ko")."""
        return self.text("gate", lang)

    def explain_in(self, lang: str = "en") -> str:
        """The gate pattern in one sentence, in `lang`."""
        return self.text("explain", lang)

    def formula_in(self, lang: str = "en") -> str:
        """The forward rule as text, in `lang`."""
        return self.text("formula", lang)

    def local_in(self, slot: int, lang: str = "en") -> str:
        """Input `slot`'s local-gradient text in `lang` ("" when the op has none); a variadic op
        (concatenate) has one text for all its inputs."""
        return _slot(self.text("local", lang), slot)

    def jacobian_in(self, slot: int, lang: str = "en") -> str | None:
        """Input `slot`'s Jacobian structure in words, in `lang`; None when the op has none."""
        return _slot(self.text("jacobian", lang), slot) or None

    def backward_in(self, slot: int, lang: str = "en") -> str:
        """Input `slot`'s efficient backward rule as the engine runs it, in `lang`."""
        return _slot(self.text("backward", lang), slot)

    def backward_shapes_in(self, input_shapes, output_shape, lang: str = "en") -> tuple[str, ...] | None:
        """Each input's backward rule with the terms' shapes, in `lang`; None for ops without."""
        if self.backward_shapes is None:
            return None
        return self.backward_shapes(input_shapes, output_shape, lang)

    # The English words by their old attribute names, for code that reads one language only.
    @property
    def formula(self) -> str:
        return self.formula_in()

    @property
    def gate(self) -> str:
        return self.gate_in()

    @property
    def explain(self) -> str:
        return self.explain_in()

    @property
    def local(self) -> tuple[str, ...]:
        return tuple(self.text("local", "en"))

    @property
    def jacobian(self) -> tuple[str, ...]:
        return tuple(self.text("jacobian", "en"))

    @property
    def backward(self) -> tuple[str, ...]:
        return tuple(self.text("backward", "en"))


def _slot(texts, slot: int) -> str:
    return texts[min(slot, len(texts) - 1)] if texts else ""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A gate pattern that is not an op of its own: it comes from the graph's shape (fan-out)."""

    key: str  # its table in the text files: [pattern.<key>]

    def gate_in(self, lang: str = "en") -> str:
        return self.text("gate", lang)

    def explain_in(self, lang: str = "en") -> str:
        return self.text("explain", lang)

    def text(self, key: str, lang: str = "en") -> str:
        own = _table(lang, "pattern", self.key).get(key)
        return own or _table("en", "pattern", self.key)[key]

    @property
    def name(self) -> str:
        return self.gate_in()

    @property
    def explain(self) -> str:
        return self.explain_in()


FANOUT = Pattern("fanout")

_LANGUAGES: dict[str, WordsFile] = {}


def _words(lang: str) -> WordsFile:
    """texts/<lang>.toml, read once (empty where there is none)."""
    words = _LANGUAGES.get(lang)
    if words is None:
        path = TEXTS / f"{lang}.toml"
        words = _LANGUAGES[lang] = WordsFile(path.read_text(encoding="utf-8") if path.is_file() else "")
    return words


def _table(lang: str, section: str, key: str) -> Mapping:
    """The table [section.key] of texts/<lang>.toml ({} where there is none)."""
    try:
        return _words(lang).table(f"{section}.{key}")
    except KeyError:
        return {}


def language(lang: str) -> dict:
    """Everything texts/<lang>.toml says, parsed once; {} for a language with no file."""
    return _words(lang).parsed()


def languages() -> tuple[str, ...]:
    """The languages with a text file, English first."""
    found = sorted(path.stem for path in TEXTS.glob("*.toml"))
    return tuple(sorted(found, key=lambda lang: lang != "en"))


class Scalar:
    """The array namespace for plain Python numbers (floats, ints, Fractions)."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)

    @staticmethod
    def maximum(x, y):
        return x if x >= y else y

    @staticmethod
    def minimum(x, y):
        return x if x <= y else y

    # What the tracer's replay and numeric check ask of their namespace, for one number: it is
    # its own array of shape (), stored flat as a one-element list.
    @staticmethod
    def asarray(x, dtype=None):
        return float(x)

    array = asarray

    @staticmethod
    def zeros_like(x):
        return x * 0 if isinstance(x, Fraction) else 0.0  # (a float's x * 0 may be −0.0)

    @staticmethod
    def shape(x):
        return ()

    @staticmethod
    def reshape(x, shape):
        return [x] if shape == -1 else x[0]

    @staticmethod
    def sum(x):
        return x


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add an op to the table. The op tests parametrize over OPS, so registering is enough
    to get the op gradient-checked (and tests/test_ops_texts.py asks for its words)."""
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is registered twice")
    OPS[op.name] = op
    return op


class UnknownOp(UserError, KeyError):
    """A name that is not in the op table; the message suggests the closest one."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


def lookup(name: str) -> Op:
    """The op called `name`, or UnknownOp naming the closest one (`conv2x` → conv2d)."""
    try:
        return OPS[name]
    except KeyError:
        close = closest(name, OPS, cutoff=0.7)
        hint = f"; did you mean '{close}'?" if close else ""
        raise UnknownOp(f"unknown op '{name}'{hint} (see gradtutor ops)") from None
