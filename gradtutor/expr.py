"""User expressions: "(x + y) * z" with values "x=-2,y=5,z=-4", turned into a graph of Values.

The text is parsed with Python's `ast` module and checked against an allow-list: numbers,
variable names, + − × ÷ and **, unary minus, and calls of the functions in `FUNCTIONS`. Nothing
is ever evaluated by Python itself (no eval, exec or compile). The checked tree is then walked
once, building the graph with the engine's own operators and op table, so the graph is exactly
what the same formula typed as Python code would build.

Leaves are named after the variables, one Value per name: `x * x` uses the same leaf twice, so
the trace shows the fan-out. Numbers are constants (unnamed leaves). The output is named f.

Every problem is an `ExprError` (a ValueError) whose one-line message says what is wrong and
where, with the 1-based column in the text the user typed. A domain error met while building
(log of a negative, division by zero) is an `ExprDomainError`, which is also an
`engine.DomainError`, and names the sub-expression it happened in.

Vectors and matrices: `--at "x=[1,2,3]"` or `"W=[[1,2,3],[4,5,6]]"` binds an array, and the
expression is then built on the tensor engine (every variable a float64 Tensor, numbers 0-d ones),
with `@` and the tensor functions (sum, mean, softmax, …) available. Shapes that do not fit give
a one-line error naming both shapes.

Extending: a new function is one entry in `FUNCTIONS`; a new binary operator one entry in
`OPERATORS`; a new kind of bound value is a change to `parse_value` and `make_leaf`.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from gradtutor import ops
from gradtutor.engine import DomainError, Value
from gradtutor.errors import UserError
from gradtutor.names import closest
from gradtutor.numbers import human


class ExprError(UserError, ValueError):
    """A problem with an expression or its values, with where it is.

    str(error) is one line: the message, the text it is about, and the column, e.g.
    unknown function 'foo' in "foo(x) + 1" at column 1
    """

    def __init__(self, message: str, source: str | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.column = column  # 1-based character position in `source`

    def __str__(self) -> str:
        text = self.message
        if self.source is not None:
            text += f' in "{excerpt(self.source, self.column)}"'
        if self.column is not None:
            text += f" at column {self.column}"
        return text


SOURCE_LIMIT = 60  # characters of the expression an error quotes; a longer one is cut around the column


LIST_LIMIT = 6  # names a message lists before it says how many more there are


def brief_list(items: list[str], sep: str = ", ") -> str:
    """Items for a one-line message: all of them when few, else the first ones and a count."""
    if len(items) <= LIST_LIMIT:
        return sep.join(items)
    return sep.join(items[:LIST_LIMIT]) + f"{sep}… ({len(items) - LIST_LIMIT} more)"


def excerpt(source: str, column: int | None = None) -> str:
    """The expression as an error quotes it: whole when short, else the part around `column`
    marked with … where it was cut, so a 500-term sum still gives a one-line error. Line
    breaks and tabs show as spaces (one for one, so the column still fits)."""
    source = source.translate(_WHITESPACE)
    if len(source) <= SOURCE_LIMIT:
        return source
    start = 0 if column is None else max(0, min(column - 1 - SOURCE_LIMIT // 2, len(source) - SOURCE_LIMIT))
    end = start + SOURCE_LIMIT
    return ("…" if start else "") + source[start:end] + ("…" if end < len(source) else "")


class ExprDomainError(ExprError, DomainError):
    """An op met an input outside its domain while the expression was being built."""


# -- what an expression may contain ----------------------------------------------------------


@dataclass(frozen=True)
class Function:
    name: str
    arity: int | tuple[int, ...]  # the argument counts it accepts
    build: Callable  # build(*args) -> graph node; args are graph nodes or plain numbers

    def counts(self) -> tuple[int, ...]:
        return self.arity if isinstance(self.arity, tuple) else (self.arity,)


def _is_tensor(x) -> bool:
    # No Tensor exists unless gradtutor.tensor was imported: scalar expressions never import it.
    module = sys.modules.get("gradtutor.tensor")
    return module is not None and isinstance(x, module.Tensor)


def _is_node(x) -> bool:
    """A graph node (Value or Tensor), as opposed to a plain number."""
    return isinstance(x, Value) or _is_tensor(x)


def _apply(op: ops.Op, *args):
    """One gate on Values, or on Tensors when any argument is one."""
    if any(_is_tensor(a) for a in args):
        from gradtutor.tensor import Tensor

        _check_elements(op, None, *args)
        return Tensor.apply(op, *args)
    return Value.apply(op, *args)


def _check_elements(op: ops.Op, param, *args) -> None:
    """Vectors and matrices against the op's own domain, the one a single number meets in the
    scalar engine: sqrt([1, 0]) has a finite value but no finite slope at 0, which the check for
    non-finite results would let through as an infinite gradient.

    Every domain in the op table is decided by an input's sign, its zeros or its size (log of
    x ≤ 0, √0, 1/0, e^710), so where any element fails, an input's smallest, largest or
    nearest-to-zero element fails too: those places are checked, in row-major order, rather than
    every element (a Python call per element took 9 s on a 3000 × 3000 gate).
    tests/test_expr.py checks this against every element."""
    if op.domain is None:
        return
    from gradtutor import backend

    host = backend.host
    arrays = host.broadcast_arrays(*(host.asarray(backend.to_host(getattr(a, "data", a)), dtype=float) for a in args))
    if arrays[0].size == 0:
        return
    places = {int(where(values)) for values in arrays for where in (host.argmin, host.argmax, _nearest_zero)}
    for place in sorted(places):
        message = op.domain(param, *(float(values.flat[place]) for values in arrays))
        if message:
            raise DomainError(message)


def _nearest_zero(values):
    from gradtutor import backend

    return backend.host.argmin(backend.host.abs(values))


def _from_op(op: ops.Op, name: str | None = None) -> Function:
    return Function(name or op.name, op.arity, lambda *args: _apply(op, *args))


def _tensor_only(name: str, arity, method: Callable) -> Function:
    """A function of vectors and matrices (sum, softmax …): method(first tensor, *rest)."""

    def build(*args):
        if not _is_tensor(args[0]):
            raise DomainError(f'{name}() works on vectors and matrices: bind one with --at "x=[1,2,3]"')
        return method(*args)

    return Function(name, arity, build)


def _max(*args):
    # max(x, y): the larger of two (elementwise on tensors); max(x): x's largest element.
    if len(args) == 2:
        return _apply(ops.MAX, *args)
    if not _is_tensor(args[0]):
        raise DomainError('max(x) of one argument takes a vector or matrix: bind one with --at "x=[1,2,3]"')
    return args[0].max()


def _softmax_cross_entropy(scores, labels):
    from gradtutor.tensor import softmax_cross_entropy

    check_class_labels(scores, labels)
    return softmax_cross_entropy(scores, labels)


def check_class_labels(scores, labels) -> None:
    """cross_entropy's labels are targets shaped like the scores (one-hot or soft), or class
    indices, one per row: whole numbers from 0 to C − 1. The op itself truncates 0.5 to class 0
    and makes no one-hot row at all for −1 or 7 of 3 classes, so a wrong label would give a
    quietly wrong loss; it is a DomainError here instead."""
    from gradtutor import backend

    values = backend.to_host(getattr(labels, "data", labels))
    shape, rows = tuple(scores.shape), tuple(scores.shape[:-1])
    if tuple(values.shape) == shape:
        return
    if tuple(values.shape) != rows:
        raise DomainError(
            f"labels of shape {tuple(values.shape)} fit neither the scores' shape {shape} (one-hot "
            f"targets) nor one class index per row {rows}"
        )
    classes = shape[-1]
    wrong = (values != backend.host.floor(values)) | (values < 0) | (values >= classes)
    if wrong.any():
        label = values[wrong].flat[0]
        raise DomainError(
            f"the label {human(float(label))} is not a class: class indices are whole numbers from 0 to {classes - 1}"
        )


def _mse(prediction, target):
    from gradtutor.tensor import mse

    return mse(prediction, target)


# The functions a user may call, by the name they type. `ln` is the name many textbooks use.
FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        _from_op(ops.EXP),
        _from_op(ops.LOG),
        _from_op(ops.LOG, "ln"),
        _from_op(ops.SQRT),
        _from_op(ops.TANH),
        _from_op(ops.SIGMOID),
        _from_op(ops.RELU),
        Function("max", (1, 2), _max),
        _from_op(ops.MIN),
        _tensor_only("sum", 1, lambda x: x.sum()),
        _tensor_only("mean", 1, lambda x: x.mean()),
        _tensor_only("softmax", 1, lambda x: x.softmax()),
        _tensor_only("log_softmax", 1, lambda x: x.log_softmax()),
        _tensor_only("transpose", 1, lambda x: x.T),
        _tensor_only("leaky_relu", 1, lambda x: x.leaky_relu()),
        _tensor_only("elu", 1, lambda x: x.elu()),
        _tensor_only("mse", 2, _mse),
        _tensor_only("cross_entropy", 2, _softmax_cross_entropy),
    )
}


def _power(base, exponent):
    # A plain-number exponent (the usual x**2) becomes one pow gate with c = 2; a graph
    # exponent goes through the engine's exp(y · ln x).
    if not _is_node(base) and not _is_node(exponent):
        base = Value(base)
    if _is_tensor(base) and not _is_node(exponent):
        _check_elements(ops.POW, exponent, base)
    return base**exponent


def _matmul(left, right):
    if not _is_tensor(left) and not _is_tensor(right):
        raise DomainError('@ multiplies vectors and matrices: bind them with --at "W=[[1,2],[3,4]]"')
    return left @ right


def _binary(combine: Callable) -> Callable:
    def build(left, right):
        if not _is_node(left) and not _is_node(right):
            left = Value(left)  # both constants: still a gate, as the user wrote it
        return combine(left, right)

    return build


def _divide(left, right):
    if _is_tensor(left) or _is_tensor(right):
        _check_elements(ops.DIV, None, left, right)  # a zero divisor named as for numbers: 1 / 0
    return _binary(lambda a, b: a / b)(left, right)


# Binary operators: the ast class, the symbol users type, and how to build the gate.
OPERATORS: dict[type, tuple[str, Callable]] = {
    ast.Add: ("+", _binary(lambda a, b: a + b)),
    ast.Sub: ("-", _binary(lambda a, b: a - b)),
    ast.Mult: ("*", _binary(lambda a, b: a * b)),
    ast.Div: ("/", _divide),
    ast.Pow: ("**", _power),
    ast.MatMult: ("@", _matmul),
}

_REJECTED_OPERATORS = {
    ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.LShift: "'<<'",
    ast.RShift: "'>>'", ast.BitOr: "'|'", ast.BitAnd: "'&'",
}

# Constructs Python accepts and expressions here do not, named as a user would recognise them.
_REJECTED_NODES = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (a[i])",
    ast.Slice: "slices",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "conditional expressions (a if c else b)",
    ast.List: "lists",
    ast.Tuple: "tuples (a comma outside a function call)",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Starred: "* unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

# Typographic characters that people paste from textbooks, each replaced by one ASCII
# character so that columns in messages still match what the user typed.
_TYPOGRAPHY = {0x2212: "-", 0x00D7: "*", 0x00F7: "/", 0x00B7: "*", 0x22C5: "*", 0x3000: " "}
_TYPOGRAPHY.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
_WHITESPACE = {ord(c): " " for c in "\n\r\t\x0b\x0c"}  # the breaks and tabs Python takes as spaces


# The output's name, as in the textbook's circuits, so tables read ∂f/∂x. An expression that
# uses f as a variable leaves its output unnamed (it then shows as its gate, e.g. mul1).
OUTPUT_NAME = "f"


# -- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A checked expression, ready to be built with values for its variables."""

    source: str  # exactly as the user typed it; columns in errors refer to this text
    tree: ast.Expression
    variables: tuple[str, ...]  # in order of first appearance

    def build(self, bindings: Mapping[str, object]):
        """The graph of this expression at the given values; returns its output node."""
        _check_bindings(self, bindings)
        tensor = any(isinstance(value, list) or _is_tensor(value) for value in bindings.values())
        leaves = {name: make_leaf(name, bindings[name], tensor) for name in self.variables}
        root = _Builder(self, leaves, tensor).run()
        if not root.is_leaf and OUTPUT_NAME not in self.variables:
            root.name = OUTPUT_NAME
        return root


def parse(source: str) -> Expression:
    """Check `source` against the allow-list; raise ExprError pointing at the first problem."""
    text, indent = _prepared(source)
    if not text:
        raise ExprError("the expression is empty")
    _check_characters(source, text, indent)
    try:
        tree = _ast_parse(text)
    except SyntaxError as exc:
        raise _syntax_error(exc, source, text, indent) from None
    except (RecursionError, MemoryError):
        raise ExprError(
            f"the expression is nested too deeply to parse ({len(source)} characters): each operator in a "
            "chain like x+x+x nests one level, and Python's parser stops near 3,000"
        ) from None
    checker = _Checker(source, text, indent)
    checker.visit(tree.body)
    return Expression(source, tree, tuple(checker.variables))


def _check_characters(source: str, text: str, indent: int) -> None:
    """Control characters and lone surrogates (from a bad paste or a broken encoding) are named
    here: Python's parser would call NUL the end of the text and fail on a surrogate."""
    for i, char in enumerate(text):
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise ExprError(f"invalid character U+{ord(char):04X}", _printable(source), i + 1 + indent)


def _printable(source: str) -> str:
    """The text as an error may quote it: control characters and surrogates shown as '?'."""
    return "".join("?" if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\r\t" else c for c in source)


def _prepared(source: str) -> tuple[str, int]:
    """The text handed to ast: ASCII operators, one line, no leading spaces (ast would call
    them an indent). Every change keeps one character for one, so with `indent` (the spaces
    removed) columns still point into the user's text."""
    text = source.translate(_TYPOGRAPHY).translate(_WHITESPACE)
    stripped = text.lstrip()
    return stripped.rstrip(), len(text) - len(stripped)


def _ast_parse(text: str) -> ast.Expression:
    """ast.parse in eval mode, with Python's SyntaxWarnings (1if: "invalid decimal literal")
    raised as the SyntaxErrors they describe: a warning would be a second line on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        return ast.parse(text, mode="eval")


def _syntax_error(exc: SyntaxError, source: str, text: str, indent: int) -> ExprError:
    message = exc.msg
    if message.startswith("Exceeds the limit"):
        # Python refuses integer literals of more than sys.get_int_max_str_digits() digits, at
        # no position: point at the first such number.
        limit = sys.get_int_max_str_digits()
        column = next(
            (m.start() + 1 for m in re.finditer(r"[0-9][0-9_]*", text) if len(m.group().replace("_", "")) > limit), 1
        )
        return ExprError(f"the number is too long (more than {limit:,} digits)", source, column + indent)
    if exc.offset in (None, 0) or message == "invalid syntax" and exc.offset > len(text):
        # Python reports the end of the text with no position: the expression stops too early.
        return ExprError("the expression ends too early", source, len(source.rstrip()) + 1)
    if message.startswith("invalid character"):
        message = message.split(" (U+")[0]
    if message == "invalid decimal literal":
        message = "a number runs into a name (write 3*x, not 3x)"
    message = "syntax error" if message == "invalid syntax" else f"syntax error: {message}"
    return ExprError(message, source, exc.offset + indent)


class _Checker:
    """Walks the tree once (iteratively: long sums nest deeply), rejecting what is not allowed
    and collecting variable names in order of appearance."""

    def __init__(self, source: str, parsed: str, indent: int):
        self.source = source
        self.parsed = parsed
        self.indent = indent
        self.variables: list[str] = []

    def fail(self, message: str, column: int) -> ExprError:
        return ExprError(message, self.source, column)

    def column(self, node: ast.AST) -> int:
        return _column(self.parsed, node.col_offset) + self.indent

    def visit(self, root: ast.AST) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            stack.extend(reversed(self.children(node)))

    def children(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            if type(node.op) not in OPERATORS:
                column = _operator_column(self.parsed, node) + self.indent
                if isinstance(node.op, ast.BitXor):
                    raise self.fail("'^' is not a power here (it is Python's xor); write x**2", column)
                raise self.fail(f"the operator {_REJECTED_OPERATORS.get(type(node.op), '?')} is not allowed", column)
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                symbol = "'not'" if isinstance(node.op, ast.Not) else "'~'"
                raise self.fail(f"the operator {symbol} is not allowed", self.column(node))
            return [node.operand]
        if isinstance(node, ast.Call):
            self.check_call(node)
            return list(node.args)
        if isinstance(node, ast.Name):
            self.check_name(node)
            return []
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise self.fail(f"{_constant_kind(node.value)} are not allowed, only numbers", self.column(node))
            if _too_large(node.value):
                raise self.fail("the number is too large", self.column(node))
            return []
        kind = _REJECTED_NODES.get(type(node), type(node).__name__)
        raise self.fail(f"not allowed: {kind}", self.column(node))

    def check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only named functions can be called, like exp(x)", self.column(node))
        name = node.func.id
        function = FUNCTIONS.get(name)
        if function is None:
            raise self.fail(f"unknown function '{name}'{_suggest(name, FUNCTIONS)}", self.column(node))
        if node.keywords:
            keyword_node = node.keywords[0]
            raise self.fail(f"{name}() takes no keyword arguments", self.column(keyword_node))
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail("* unpacking is not allowed", self.column(arg))
        if len(node.args) not in function.counts():
            wanted = " or ".join(map(str, function.counts())) + " argument" + ("s" if function.counts() != (1,) else "")
            raise self.fail(f"{name}() takes {wanted}, got {len(node.args)}", self.column(node))

    def check_name(self, node: ast.Name) -> None:
        if node.id in FUNCTIONS:
            raise self.fail(f"'{node.id}' is a function: call it, like {node.id}(x)", self.column(node))
        if node.id not in self.variables:
            self.variables.append(node.id)


def _constant_kind(value) -> str:
    if isinstance(value, bool):
        return "True and False"
    if isinstance(value, complex):
        return "complex numbers"
    if isinstance(value, (str, bytes)):
        return "strings"
    if value is None:
        return "None values"
    return "constants like ..."


def _too_large(number) -> bool:
    """1e999 reads as inf, and an integer beyond about 1.8e308 has no float: neither can be
    a value in the graph."""
    try:
        return not math.isfinite(float(number))
    except OverflowError:
        return True


def _suggest(name: str, known: Iterable[str]) -> str:
    close = closest(name, known)
    if close:
        return f" (did you mean {close}?)"
    return f" (functions: {', '.join(sorted(known))})"


def _column(text: str, byte_offset: int) -> int:
    """ast counts columns in UTF-8 bytes; people count characters, from 1."""
    return len(text.encode()[:byte_offset].decode(errors="ignore")) + 1


def _operator_column(text: str, node: ast.BinOp) -> int:
    """The column of a binary operator: the first character between its operands that is
    neither a space nor a closing parenthesis."""
    raw = text.encode()
    between = raw[node.left.end_col_offset : node.right.col_offset].decode(errors="ignore")
    start = _column(text, node.left.end_col_offset)
    for i, char in enumerate(between):
        if char not in " )":
            return start + i
    return start


# -- building --------------------------------------------------------------------------------


class _Builder:
    """Evaluates a checked tree into a graph, children before parents, without recursion."""

    def __init__(self, expression: Expression, leaves: Mapping[str, object], tensor: bool = False):
        self.expression = expression
        self.parsed, self.indent = _prepared(expression.source)
        self.leaves = leaves
        self.tensor = tensor  # building on the tensor engine: vectors or matrices are bound

    def lifted(self, operands: list) -> list:
        """On the tensor engine, a gate of plain numbers only (2 * 3) gets a 0-d Tensor first,
        so no scalar Value ever meets a Tensor."""
        if self.tensor and operands and not any(_is_tensor(x) for x in operands):
            operands = [make_leaf(None, operands[0], tensor=True), *operands[1:]]
        return operands

    def run(self):
        results: dict[int, object] = {}  # id(ast node) -> graph node or plain number
        stack: list[tuple[ast.AST, bool]] = [(self.expression.tree.body, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                results[id(node)] = self.evaluate(node, results)
                continue
            folded = _fold(node)
            if folded is not None:  # a signed number literal: one constant, not a neg gate
                results[id(node)] = folded
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(self.operands(node)))
        root = results[id(self.expression.tree.body)]
        if self.tensor:
            return root if _is_tensor(root) else make_leaf(None, root, tensor=True)
        return root if isinstance(root, Value) else Value(root)

    def operands(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow) and self.constant_exponent(node) is not None:
                return [node.left]
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            return [node.operand]
        if isinstance(node, ast.Call):
            return list(node.args)
        return []

    def constant_exponent(self, node: ast.BinOp):
        try:
            return _fold_arithmetic(node.right)
        except ZeroDivisionError:
            raise self.domain_error("division by zero in the exponent", node.right) from None
        except OverflowError:
            raise self.domain_error("the exponent is too large to represent", node.right) from None

    def evaluate(self, node: ast.AST, results: dict[int, object]):
        if isinstance(node, ast.Name):
            return self.leaves[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        try:
            with warnings.catch_warnings():
                # numpy warns on log(-1) or 1/0; the result is checked for non-finite values below
                warnings.simplefilter("ignore", RuntimeWarning)
                out = self.gate(node, results)
        except DomainError as exc:
            raise self.domain_error(str(exc), node) from None
        except (OverflowError, ZeroDivisionError):
            raise self.domain_error("the result is too large to represent", node) from None
        if not _finite(out):
            if _is_tensor(out):
                raise self.domain_error(
                    "the result has values that are not finite numbers (a division by 0 or an "
                    "overflow)", node,
                )
            raise self.domain_error(f"the result overflows to {human(out.data)}", node)
        return out

    def gate(self, node: ast.AST, results: dict[int, object]):
        if isinstance(node, ast.BinOp):
            exponent = self.constant_exponent(node) if isinstance(node.op, ast.Pow) else None
            if exponent is not None:
                (left,) = self.lifted([results[id(node.left)]])
                return OPERATORS[ast.Pow][1](left, exponent)
            left, right = self.lifted([results[id(node.left)], results[id(node.right)]])
            _check_size([left, right], matmul=isinstance(node.op, ast.MatMult))
            return OPERATORS[type(node.op)][1](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = results[id(node.operand)]
            return -operand if isinstance(node.op, ast.USub) else operand
        args = self.lifted([results[id(arg)] for arg in node.args])  # ast.Call, checked by _Checker
        _check_size(args)
        return FUNCTIONS[node.func.id].build(*args)

    def domain_error(self, message: str, node: ast.AST) -> ExprDomainError:
        segment = ast.get_source_segment(self.parsed, node) or ""
        source = self.expression.source
        where = "" if segment == self.parsed else f" while computing {segment}"
        if isinstance(node, ast.BinOp):
            column = _operator_column(self.parsed, node)
        else:
            column = _column(self.parsed, node.col_offset)
        return ExprDomainError(f"{message}{where}", source, column + self.indent)


def _check_size(operands: list, matmul: bool = False) -> None:
    """A gate of two or more tensors may broadcast them into something far larger than either:
    refused before numpy tries (gradtutor.memory). One input's size is already allocated."""
    shapes = [tuple(x.shape) for x in operands if _is_tensor(x)]
    if len(shapes) >= 2:
        from gradtutor.memory import MemoryLimitError, check_result

        try:
            check_result(shapes, matmul)
        except MemoryLimitError as error:
            raise DomainError(str(error)) from None


def _fold(node: ast.AST):
    """-2 and +2 are numbers, not gates applied to 2."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    return None


def _fold_arithmetic(node: ast.AST):
    """The number a variable-free exponent stands for (x**(1/2) is one pow gate with c = 0.5),
    or None if the exponent involves variables or functions. Whole numbers stay ints, so
    x**2 keeps an integer exponent (exact mode needs one)."""
    value = _fold_float(node)
    if value is None:
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _fold_float(node: ast.AST):
    # Floats throughout: 2**10**10 then overflows at once instead of building a huge integer.
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        value = _fold_float(node.operand)
        if value is None:
            return None
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _fold_float(node.left), _fold_float(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div):
            return left / right
        if isinstance(node.op, ast.Pow):
            result = left**right
            return None if isinstance(result, complex) else result
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
    return None


def _finite(out) -> bool:
    if _is_tensor(out):
        from gradtutor import backend

        return bool(backend.xp().isfinite(out.data).all())
    data = out.data if isinstance(out, Value) else out
    return not isinstance(data, float) or math.isfinite(data)


# -- values for the variables ----------------------------------------------------------------


def make_leaf(name: str | None, value, tensor: bool = False):
    """The graph leaf for a variable bound to `value`. A variable bound to a graph node is that
    node itself: a lesson circuit's later lines use the results of earlier ones this way. On the
    tensor engine (`tensor`) a number or nested list becomes a float64 Tensor."""
    if isinstance(value, Value) or _is_tensor(value):
        return value
    if tensor:
        from gradtutor.tensor import Tensor

        return Tensor(value, name, dtype="float64")
    return Value(value, name)


_LEVELS = {2: "only vectors and matrices: at most two levels of brackets",
           4: "at most four levels of brackets (an image batch: N, C, H, W)"}


def parse_value(text: str, depth: int = 2):
    """The value one `--at` entry binds, from its text: a finite number, or a vector or matrix
    written as nested lists ("[1, 2, 3]", "[[1, 2], [3, 4]]"), returned as nested lists.

    Accepts what people type: "-2", "2.5", "1e-3", a Unicode minus "−2", full-width digits.
    `depth` is how many levels of brackets are allowed: 2 for expressions, 4 for one gate's inputs
    (`gradtutor jacobian conv2d` takes images). Raises ValueError with a short reason (the
    caller adds which entry it was).
    """
    cleaned = unicodedata.normalize("NFKC", text.translate(_TYPOGRAPHY)).strip()
    if cleaned.startswith("["):
        return _parse_array(cleaned, depth)
    number = float(cleaned)  # ValueError for anything that is not a number
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _parse_array(text: str, depth: int = 2) -> list:
    """Nested lists of finite numbers, rectangular, at most `depth` levels deep."""
    try:
        tree = _ast_parse(text).body
    except SyntaxError:
        raise ValueError("not a list of numbers like [1, 2, 3]") from None

    def read(node, level):
        if isinstance(node, ast.List):
            if level == depth:
                raise ValueError(_LEVELS[depth])
            if not node.elts:
                raise ValueError("an empty list has no numbers")
            return [read(item, level + 1) for item in node.elts]
        folded = _fold(node)
        if type(folded) not in (int, float) or not math.isfinite(float(folded)):
            raise ValueError("a list may hold only finite numbers")
        return float(folded)

    rows = read(tree, 0)
    if not isinstance(rows, list):
        raise ValueError("not a list of numbers like [1, 2, 3]")
    if _shape(rows) is None:
        raise ValueError("a matrix needs rows of the same length, like [[1, 2], [3, 4]]")
    return rows


def _shape(value) -> tuple[int, ...] | None:
    """The shape of nested lists of numbers; None when they are not rectangular."""
    if not isinstance(value, list):
        return ()
    shapes = {_shape(item) for item in value}
    if len(shapes) != 1 or None in shapes:
        return None
    return (len(value),) + shapes.pop()


def parse_bindings(texts: str | Iterable[str] | None, depth: int = 2) -> dict[str, object]:
    """Read `--at` text such as "x=-2, y=5, z=-4" (one string or several) into {name: value};
    `depth` as in parse_value."""
    if texts is None:
        return {}
    if isinstance(texts, str):
        texts = [texts]
    bindings: dict[str, object] = {}
    for text in texts:
        for entry in _split_entries(text):
            name, value = _parse_entry(entry, depth)
            if name in bindings:
                raise ExprError(f"--at: {name} is given twice")
            bindings[name] = value
    return bindings


def _split_entries(text: str) -> list[str]:
    """Split on commas that are not inside brackets, so that a later x=[1,2] stays whole."""
    entries, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            entries.append(text[start:i])
            start = i + 1
    entries.append(text[start:])
    return [entry.strip() for entry in entries if entry.strip()]


def _parse_entry(entry: str, depth: int = 2) -> tuple[str, object]:
    name, equals, value_text = entry.partition("=")
    name = unicodedata.normalize("NFKC", name).strip()  # as Python reads identifiers
    if not equals:
        raise ExprError(f"--at: '{entry}' is not name=number (for example x=-2)")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ExprError(f"--at: '{name}' is not a variable name")
    if name in FUNCTIONS:
        raise ExprError(f"--at: '{name}' is a function, not a variable")
    if not value_text.strip():
        raise ExprError(f"--at: '{entry}' has no number after '='")
    try:
        return name, parse_value(value_text, depth)
    except ValueError as exc:
        if value_text.strip().startswith("["):
            raise ExprError(f"--at: '{entry}': {exc}") from None
        raise ExprError(f"--at: '{entry}' is not a number") from None


def _check_bindings(expression: Expression, bindings: Mapping[str, object]) -> None:
    missing = [name for name in expression.variables if name not in bindings]
    # A name the expression does not use is refused rather than ignored: it is nearly always
    # a typo or the wrong expression, and silently dropping input hides the mistake.
    unused = [name for name in bindings if name not in expression.variables]
    if missing:
        example = brief_list([f"{name}=…" for name in missing], ",")
        noun = "value" if len(missing) == 1 else "values"
        typo = f" (--at gives {brief_list(unused)}, which it does not use)" if unused else ""
        raise ExprError(
            f"no {noun} for {brief_list(missing)}; give {'it' if len(missing) == 1 else 'them'} with --at {example}{typo}"
        )
    if unused:
        known = brief_list(list(expression.variables)) or "none"
        raise ExprError(
            f"--at gives {brief_list(unused)}, but the expression has no such variable "
            f"(its variables: {known})"
        )


def build(source: str, at: str | Iterable[str] | None = None):
    """Parse `source` and build its graph with the values in `at`; returns the output node."""
    return parse(source).build(parse_bindings(at))


# -- one gate on its own (`gradtutor jacobian OP --at …`) ------------------------------------------


def _axis_param(value):
    return int(value)


# The parameter of each tensor op: (default, how to read the --param value).
_GATE_PARAMS: dict[str, tuple[object, Callable]] = {
    "pow": (2, float),
    "leaky_relu": (0.01, float),
    "elu": (1.0, float),
    "softmax": (-1, _axis_param),
    "log_softmax": (-1, _axis_param),
    "concatenate": (0, _axis_param),
    "stack": (0, _axis_param),
    "sum": ((None, False), lambda v: (int(v), False)),
    "mean": ((None, False), lambda v: (int(v), False)),
    "amax": ((None, False), lambda v: (int(v), False)),
    "transpose": (None, lambda v: tuple(int(a) for a in v)),
    "reshape": ((-1,), lambda v: tuple(int(n) for n in (v if isinstance(v, list) else [v]))),
    "getitem": (0, lambda v: [int(i) for i in v] if isinstance(v, list) else int(v)),
}


def _conv_window(shapes, value):
    """The kernel is W's; --param gives the stride, or [stride, padding] (default 1, 0)."""
    from gradtutor.ops.nn import Window

    stride, padding = value if isinstance(value, list) else (1 if value is None else value, 0)
    return Window(tuple(int(n) for n in shapes[1][2:]), int(stride), int(padding))


def _pool_window(shapes, value):
    """--param is the window's size (default 2), which is also its stride."""
    from gradtutor.ops.nn import Window

    size = int(value) if value is not None else 2
    return Window((size, size), size)


def _norm(axes):
    def make(shapes, value):
        from gradtutor.ops.nn import Norm

        return Norm(axes(len(shapes[0])))

    return make


def _array(default, dtype):
    def make(shapes, value):
        from gradtutor import backend

        return backend.xp().asarray(default(shapes) if value is None else value, dtype=dtype)

    return make


def _mask(shapes, value):
    """--param is the keep pattern (1 keep, 0 mask); default: the causal mask of the last two axes.
    A lone gate's output must be finite numbers, so the fill is −1e9 here, not −∞: the same rule."""
    from gradtutor import backend
    from gradtutor.ops.tensor import Mask, causal_keep

    xp = backend.xp()
    if value is not None:
        return Mask(xp.asarray(value, dtype=bool), -1e9)
    rows, columns = (shapes[0][-2:] if len(shapes[0]) >= 2 else (1, shapes[0][-1] if shapes[0] else 1))
    return Mask(causal_keep(xp, max(rows, columns))[:rows, :columns], -1e9)


def _attend(shapes, value):
    """--param 1 masks causally (0, the default, does not); the scale is 1/√d_k from Q's shape."""
    from gradtutor.ops.nn import Attend

    return Attend(1.0 / shapes[0][-1] ** 0.5, bool(value))


# The fused layer ops' parameters, made from the inputs' shapes and the --param value (or None).
_SHAPED_PARAMS: dict[str, Callable] = {
    "conv2d": _conv_window,
    "max_pool2d": _pool_window,
    "avg_pool2d": _pool_window,
    "batch_norm": _norm(lambda ndim: (0,) if ndim == 2 else (0,) + tuple(range(2, ndim))),
    "layer_norm": _norm(lambda ndim: (ndim - 1,)),
    "dropout": _array(lambda shapes: 1.0, "float64"),  # --param: the mask (default: keep every unit)
    "embedding": _array(lambda shapes: [0], "int64"),  # --param: the rows to look up
    "mask": _mask,
    "attention": _attend,
}


# Inputs for `gradtutor jacobian OP` without --at, for ops whose inputs are tedious to type: a
# case small enough that the whole Jacobian fits on a screen (a 3×3 image and a 2×2 filter: 4×9).
TINY_CASES: dict[str, tuple[str, ...]] = {
    "conv2d": ("X=[[[[1,1,1],[0,1,1],[0,0,1]]]]", "W=[[[[1,2],[0,-1]]]]", "b=[0]"),
    "max_pool2d": ("X=[[[[1,3,2,1],[4,2,0,1],[3,1,1,5],[0,2,6,2]]]]",),
}


def gate(op_name: str, at: str | Iterable[str] | None = None, param: str | None = None):
    """One op of the table applied to values bound with --at, as a float64 tensor graph; returns
    its output node (named "out"). Inputs go by the op's own names: x and y, X and W for matmul,
    x1, x2 … for concatenate and stack. `param` is the op's parameter as text (pow's exponent,
    an axis, …); without it the op's usual default is used. Without `at`, an op of TINY_CASES
    takes its tiny case."""
    from gradtutor.tensor import Tensor

    op = ops.OPS.get(op_name)
    if op is None:  # every op runs on tensors, so every op of the table is a gate here
        raise ExprError(f"unknown op '{op_name}'{_suggest(op_name, ops.OPS)}")
    if not at and op_name in TINY_CASES:
        at = TINY_CASES[op_name]
    bindings = parse_bindings(at, depth=4)
    names = op.input_names(len(bindings)) if op.arity < 0 else op.input_names()
    missing = [name for name in names if name not in bindings]
    if missing or not names:
        wanted = ",".join(f"{name}=…" for name in (missing or ["x1", "x2"]))
        raise ExprError(f"{op_name} needs values for its inputs: --at {wanted}")
    unused = [name for name in bindings if name not in names]
    if unused:
        raise ExprError(f"--at gives {', '.join(unused)}, but {op_name}'s inputs are {', '.join(names)}")
    default, read = _GATE_PARAMS.get(op_name, (None, None))
    shaped = _SHAPED_PARAMS.get(op_name)
    if param is not None and read is None and shaped is None:
        raise ExprError(f"{op_name} takes no parameter")
    leaves = [make_leaf(name, bindings[name], tensor=True) for name in names]
    if op is ops.SOFTMAX_CROSS_ENTROPY:
        try:
            check_class_labels(*leaves)
        except DomainError as exc:
            raise ExprError(f"{op_name}: {exc}") from None
    try:
        if shaped is not None:
            value = shaped([leaf.shape for leaf in leaves], None if param is None else parse_value(param))
        else:
            value = default if param is None else read(parse_value(param))
    except (TypeError, ValueError, IndexError):
        raise ExprError(f"--param '{param}' does not fit {op_name}") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            out = Tensor.apply(op, *leaves, param=value)
        except IndexError as exc:
            raise ExprError(f"--param {param}: {exc}") from None
    if not _finite(out):
        raise ExprError(f"{op_name} gives values that are not finite numbers at these inputs")
    out.name = "out"
    return out


def parse_upstream(text: str | None):
    """--upstream text for a tensor output: a number, or a list such as "[1, 0, 0]"."""
    if text is None:
        return 1.0
    try:
        return parse_value(text)
    except ValueError as exc:
        raise ExprError(f"--upstream '{text}': {exc}" if text.strip().startswith("[") else f"--upstream '{text}' is not a number") from None
