"""Text shared by every renderer: values, gate symbols, local gradients, the renderers' words in
each language, and which backward step a view stops at.

`show` is the one place a value becomes text on one line (numbers, small arrays written out,
larger ones by their shape); `block` is its multi-line form for table cells, where vectors and
small matrices are laid out as matrices. Both write each number through `written`, the one place
that decides how a number looks on screen (−4 with the minus sign of print, as the lessons write it).
"""

from __future__ import annotations

import re

from gradtutor import ops
from gradtutor.errors import UserError
from gradtutor.lang import check_language, strings_table
from gradtutor.numbers import MINUS, human, typeset

TABLE_DIGITS = 6  # significant digits in tables and diagrams: enough for every textbook number
INLINE_LIMIT = 6  # arrays up to this many elements are written out on one line ([1, 2, 3]);
# more would make diagram wires too long to read
PENDING = "?"  # a gradient a step view (table or diagram frame) has not computed yet
MATRIX_LIMIT = 64  # arrays up to this many elements are laid out as matrices in tables


def words(lang: str, key: str, **params) -> str:
    """One of the renderers' texts (render/strings.toml) in `lang`, placeholders filled in."""
    return strings_table("gradtutor.render", key)[check_language(lang)].format(**params)


def written(x, digits: int = TABLE_DIGITS) -> str:
    """One number as tables and diagrams write it: 220, 2.2, −0.5, 1/3 (`human`, then `typeset`)."""
    return typeset(human(x, digits))


def show(x, digits: int = TABLE_DIGITS) -> str:
    """A value as a person writes it: 220, 2.2, −0.5, 1/3; a small array on one line,
    [1, 2, 3] or [[1, 2], [3, 4]]; a larger one by its shape, "array (4, 3)"."""
    shape = getattr(x, "shape", None)
    if not shape:  # a number (or a 0-d array)
        return written(x, digits)
    if x.size > INLINE_LIMIT:
        return f"array {shape_text(shape)}"
    return _nested(x.tolist(), digits)


def _nested(items, digits: int) -> str:
    if isinstance(items, list):
        return "[" + ", ".join(_nested(item, digits) for item in items) + "]"
    return written(items, digits)


def shape_text(shape) -> str:
    """A shape as Python writes it: (3,), (2, 3), () for a number."""
    return str(tuple(int(n) for n in shape))


def is_array(x) -> bool:
    return bool(getattr(x, "shape", None))


def shaped(x, digits: int = TABLE_DIGITS) -> str:
    """A table cell with the shape in it: a number as `show` writes it; an array as
    "(3,) = [1  −1  2]", or its shape with the matrix on the lines below."""
    if not is_array(x):
        return show(x, digits)
    text = block(x, digits)
    return f"{shape_text(x.shape)}{chr(10) if chr(10) in text else ' = '}{text}"


def block(x, digits: int = TABLE_DIGITS, limit: int = MATRIX_LIMIT) -> str:
    """A value for a table cell: numbers as `show` writes them; vectors and matrices of up to
    `limit` elements as rows of right-aligned columns (bracketed like ⎡ ⎤ ⎣ ⎦ in print), and so
    are images whose leading axes are all 1 (one (1, 1, 5, 5) map: its 5×5 grid); other arrays
    by their shape."""
    if not is_array(x):
        return show(x, digits)
    if x.ndim > 2 and all(n == 1 for n in x.shape[:-2]):
        x = x.reshape(x.shape[-2:])  # the caller shows the full shape beside it
    if x.size > limit or x.ndim > 2:
        return f"array {shape_text(x.shape)}"
    rows = x.tolist() if x.ndim == 2 else [x.tolist()]
    cells = [[written(v, digits) for v in row] for row in rows]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    if len(lines) == 1:
        return f"[{lines[0]}]"
    edges = [("⎡", "⎤")] + [("⎢", "⎥")] * (len(lines) - 2) + [("⎣", "⎦")]
    return "\n".join(f"{left}{line}{right}" for (left, right), line in zip(edges, lines))


def operand(text: str) -> str:
    """Parenthesise a negative number used inside arithmetic: 1 × (−4), not 1 × −4."""
    return f"({text})" if text.startswith(MINUS) else text


def gate_text(node) -> str:
    """The gate's symbol as diagrams and tables draw it: ×, +, max; a power shows its
    exponent (^2), since x² and x⁻¹ are different gates to a reader."""
    if node.op is ops.POW:
        return f"{node.op.symbol}{show(node.param)}"
    return node.op.symbol


def local_formula(op: ops.Op, slot: int, lang: str = "en") -> str:
    """The local-gradient text of one input in `lang`; a variadic op (concatenate) has one text for all."""
    return op.local_in(slot, lang)


_OUTPUT_LETTER = re.compile(r"^([A-Za-z])ᵢ? = ")  # "z = x + y", "Y = X · W", "yᵢ = exp(xᵢ) / …"


def named(text: str, op: ops.Op, inputs, output: str | None) -> str:
    """An op text written with the step's own names instead of the op's letters: each input by its
    label, the output by the gate's ("tax = 1.1" for apple_price × tax, "1 − h² = 0.79" for
    h = tanh(…), "dL/db = dL/dY" for the bias of Y = XW + b). A table that named the gate's ports
    x, y, z would clash with a circuit's own x, y and z; the labels cannot, and stay the same
    from step to step. `output` None leaves the output's letter as the op writes it."""
    letters = op.input_names(len(inputs))
    rename = {letter: label for letter, label in zip(letters, inputs) if len(letter) == 1 or letter[1:].isdigit()}
    match = _OUTPUT_LETTER.match(op.formula_in())
    if output is not None and match and match.group(1) not in rename:
        rename[match.group(1)] = output
    if not rename:
        return text
    if "x" in rename:  # eˣ, e⁻ˣ: a superscript cannot take a name
        text = text.replace("e⁻ˣ", f"exp(−{rename['x']})").replace("eˣ", f"exp({rename['x']})")
    letter = "|".join(re.escape(key) for key in sorted(rename, key=len, reverse=True))
    # A letter on its own, or the variable of a derivative (dL/dx): not a letter inside a word.
    pattern = re.compile(rf"(?:(?<=dL/d)|(?<![A-Za-z0-9_]))({letter})(?![A-Za-z0-9_])")
    return pattern.sub(lambda found: rename[found.group(1)], text)


def local_text(
    op: ops.Op, slot: int, local, digits: int = TABLE_DIGITS, lang: str = "en", inputs=None, output: str | None = None,
) -> str:
    """The local gradient as formula and value: "y = 5"; a bare constant stays "1". `inputs` and
    `output` (the step's labels) write the formula with the step's own names (see `named`):
    "tax = 1.1", "1 − h² = 0.79"."""
    formula = local_formula(op, slot, lang)
    if inputs is not None:
        formula = named(formula, op, inputs, output)
    value = show(local, digits)
    if typeset(formula) == value:  # a constant local gradient: "1", not "1 = 1"
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
