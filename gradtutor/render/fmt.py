"""Text shared by every renderer: values, gate symbols, local gradients, the renderers' words in
each language, and which backward step a view stops at.

`show` is the one place a value becomes text on one line (numbers, small arrays written out,
larger ones by their shape); `block` is its multi-line form for table cells, where vectors and
small matrices are laid out as matrices.
"""

from __future__ import annotations

import re

from gradtutor import ops
from gradtutor.errors import UserError
from gradtutor.lang import check_language, load_strings
from gradtutor.numbers import human

TABLE_DIGITS = 6  # significant digits in tables and diagrams: enough for every textbook number
INLINE_LIMIT = 6  # arrays up to this many elements are written out on one line ([1, 2, 3]);
# more would make diagram wires too long to read
PENDING = "?"  # a gradient a step view (table or diagram frame) has not computed yet
MATRIX_LIMIT = 64  # arrays up to this many elements are laid out as matrices in tables


def words(lang: str, key: str, **params) -> str:
    """One of the renderers' texts (render/strings.toml) in `lang`, placeholders filled in."""
    return load_strings("gradtutor.render")[key][check_language(lang)].format(**params)


def show(x, digits: int = TABLE_DIGITS) -> str:
    """A value as a person writes it: 220, 2.2, -0.5, 1/3; a small array on one line,
    [1, 2, 3] or [[1, 2], [3, 4]]; a larger one by its shape, "array (4, 3)"."""
    shape = getattr(x, "shape", None)
    if not shape:  # a number (or a 0-d array)
        return human(x, digits)
    if x.size > INLINE_LIMIT:
        return f"array {shape_text(shape)}"
    return _nested(x.tolist(), digits)


def _nested(items, digits: int) -> str:
    if isinstance(items, list):
        return "[" + ", ".join(_nested(item, digits) for item in items) + "]"
    return human(items, digits)


def shape_text(shape) -> str:
    """A shape as Python writes it: (3,), (2, 3), () for a number."""
    return str(tuple(int(n) for n in shape))


def is_array(x) -> bool:
    return bool(getattr(x, "shape", None))


def shaped(x, digits: int = TABLE_DIGITS) -> str:
    """A table cell with the shape in it: a number as `show` writes it; an array as
    "(3,) = [1  -1  2]", or its shape with the matrix on the lines below."""
    if not is_array(x):
        return show(x, digits)
    text = block(x, digits)
    return f"{shape_text(x.shape)}{chr(10) if chr(10) in text else ' = '}{text}"


def block(x, digits: int = TABLE_DIGITS, limit: int = MATRIX_LIMIT) -> str:
    """A value for a table cell: numbers as `show` writes them; vectors and matrices of up to
    `limit` elements as rows of right-aligned columns (bracketed like ⎡ ⎤ ⎣ ⎦ in print);
    other arrays by their shape."""
    if not is_array(x):
        return show(x, digits)
    if x.size > limit or x.ndim > 2:
        return f"array {shape_text(x.shape)}"
    rows = x.tolist() if x.ndim == 2 else [x.tolist()]
    cells = [[human(v, digits) for v in row] for row in rows]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    if len(lines) == 1:
        return f"[{lines[0]}]"
    edges = [("⎡", "⎤")] + [("⎢", "⎥")] * (len(lines) - 2) + [("⎣", "⎦")]
    return "\n".join(f"{left}{line}{right}" for (left, right), line in zip(edges, lines))


def operand(text: str) -> str:
    """Parenthesise a negative number used inside arithmetic: 1 × (-4), not 1 × -4."""
    return f"({text})" if text.startswith("-") else text


def gate_text(node) -> str:
    """The gate's symbol as diagrams and tables draw it: ×, +, max; a power shows its
    exponent (^2), since x² and x⁻¹ are different gates to a reader."""
    if node.op is ops.POW:
        return f"{node.op.symbol}{show(node.param)}"
    return node.op.symbol


def local_formula(op: ops.Op, slot: int, lang: str = "en") -> str:
    """The local-gradient text of one input in `lang`; a variadic op (concatenate) has one text for all."""
    return op.local_in(slot, lang)


# The letters a table may call a gate's two inputs by, in order of preference; the first of each
# pair also comes as the superscript the formulas write (eˣ, c·xᶜ⁻¹).
SLOT_LETTERS = (("x", "y"), ("u", "v"), ("a", "b"), ("p", "q"), ("s", "t"))
_SUPERSCRIPT = {"x": "ˣ", "u": "ᵘ", "a": "ᵃ", "p": "ᵖ", "s": "ˢ"}
_SLOT_LETTER = re.compile(r"(?<![A-Za-z])[xy](?![A-Za-z])")


def slot_letters(step, nodes, taken: frozenset[str] | None = None) -> tuple[str, ...]:
    """What a step's rows call the gate's inputs, as in "apple (x)" and the local gradient "y = 2".

    The op's own letters x, y, unless one of them is also the name of another node of the graph:
    in x**y (traced as exp(y·log x)) the multiply's x slot holds the user's y, so "y (x)" next to
    "y = 0.69" would say two things at once. Such a step takes the first pair of letters that
    names nothing else (u, v; then a, b …), in the input column and the formulas alike.

    `taken` is `labels_of(nodes)`: a view of many steps computes it once and passes it to each,
    since building it costs a pass over the whole graph."""
    names = step.op.input_names(len(step.flows))
    if names != SLOT_LETTERS[0][: len(names)]:  # ops with letters of their own (X, W; y, t) keep them
        return names
    if taken is None:
        taken = labels_of(nodes)
    inputs = [nodes[flow.node].label for flow in step.flows]

    def misleads(letters) -> bool:
        return any(letter in taken and label != letter for letter, label in zip(letters, inputs))

    for letters in SLOT_LETTERS:
        if not misleads(letters[: len(names)]):
            return letters[: len(names)]
    return names  # every pair names other nodes too (a graph of many one-letter variables)


def labels_of(nodes) -> frozenset[str]:
    """Every label in the graph, for `slot_letters`."""
    return frozenset(node.label for node in nodes)


def _with_letters(formula: str, names: tuple[str, ...], letters: tuple[str, ...]) -> str:
    """A local-gradient formula written with the step's letters instead of the op's x and y."""
    rename = dict(zip(names, letters))
    formula = _SLOT_LETTER.sub(lambda match: rename.get(match.group(0), match.group(0)), formula)
    return formula.replace("ˣ", _SUPERSCRIPT[rename["x"]]) if "x" in rename else formula


_OUTPUT_LETTER = re.compile(r"(?<![A-Za-z])z(?![A-Za-z])")


def names_z(trace) -> bool:
    """Whether a value named z is something other than the gate a step shows. The op formulas call
    a gate's output z (tanh's local gradient 1 − z²); next to an input named z that reads as the
    input, so such a trace's tables write each gate's output by its own name instead (see
    `local_text`). A lone gate whose own output is named z (z = x · y) keeps the formulas' z."""
    nodes = trace.nodes
    return any(node.label == "z" for node in nodes) and any(nodes[s.node].label != "z" for s in trace.steps)


def output_named(text: str, output: str | None) -> str:
    """An op text with its output's letter z written as `output` (no change for None)."""
    return text if output is None else _OUTPUT_LETTER.sub(output, text)


def local_text(
    op: ops.Op, slot: int, local, digits: int = TABLE_DIGITS, lang: str = "en", letters: tuple[str, ...] | None = None,
    output: str | None = None,
) -> str:
    """The local gradient as formula and value: "y = 5"; a bare constant stays "1". `letters`
    (from `slot_letters`) replaces the op's x and y where the step calls its inputs otherwise;
    `output` replaces the output's z ("1 − f² = 0.79" for f = tanh(z))."""
    formula = local_formula(op, slot, lang)
    if letters is not None and op.arity >= 0 and letters != op.input_names():
        formula = _with_letters(formula, op.input_names(), letters)
    formula = output_named(formula, output)
    value = show(local, digits)
    if formula.replace("−", "-") == value:  # a constant local gradient: "1", not "1 = 1"
        return value
    if " if " in formula or ", " in formula:  # a worded case split: "(1 if x > 0 else 0) = 1"
        formula = f"({formula})"
    return f"{formula} = {value}"


class StepOutOfRange(UserError, ValueError):
    """A view was asked for a backward step the trace does not have."""


def check_step(trace, step: int | None) -> int | None:
    """Accept None (the whole pass), 0 (forward values only) or 1..N; else a one-line error."""
    if step is None:
        return None
    count = len(trace.steps)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= count:
        has = f"steps 1 to {count}" if count > 1 else "only step 1" if count else "no backward steps"
        raise StepOutOfRange(f"step {step} is out of range: this trace has {has} (0 = forward pass only)")
    return step
