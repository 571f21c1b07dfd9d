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

Extending: a new function is one entry in `FUNCTIONS`; a new binary operator one entry in
`OPERATORS`; a new kind of bound value (a vector, a matrix) is a change to `parse_value` and
`make_leaf`.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from gradtutor import ops
from gradtutor.engine import DomainError, Value
from gradtutor.numbers import human


class ExprError(ValueError):
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
            text += f' in "{self.source}"'
        if self.column is not None:
            text += f" at column {self.column}"
        return text


class ExprDomainError(ExprError, DomainError):
    """An op met an input outside its domain while the expression was being built."""


# -- what an expression may contain ----------------------------------------------------------


@dataclass(frozen=True)
class Function:
    name: str
    arity: int
    build: Callable  # build(*args) -> graph node; args are graph nodes or plain numbers


def _from_op(op: ops.Op, name: str | None = None) -> Function:
    return Function(name or op.name, op.arity, lambda *args: Value.apply(op, *args))


# The functions a user may call, by the name they type. `ln` is the name many textbooks use.
FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        _from_op(ops.EXP),
        _from_op(ops.LOG),
        _from_op(ops.LOG, "ln"),
        _from_op(ops.TANH),
        _from_op(ops.SIGMOID),
        _from_op(ops.RELU),
        _from_op(ops.MAX),
        _from_op(ops.MIN),
    )
}


def _power(base, exponent):
    # A plain-number exponent (the usual x**2) becomes one pow gate with c = 2; a graph
    # exponent goes through the engine's exp(y · ln x).
    if not isinstance(base, Value) and not isinstance(exponent, Value):
        base = Value(base)
    return base**exponent


def _binary(combine: Callable) -> Callable:
    def build(left, right):
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left)  # both constants: still a gate, as the user wrote it
        return combine(left, right)

    return build


# Binary operators: the ast class, the symbol users type, and how to build the gate.
OPERATORS: dict[type, tuple[str, Callable]] = {
    ast.Add: ("+", _binary(lambda a, b: a + b)),
    ast.Sub: ("-", _binary(lambda a, b: a - b)),
    ast.Mult: ("*", _binary(lambda a, b: a * b)),
    ast.Div: ("/", _binary(lambda a, b: a / b)),
    ast.Pow: ("**", _power),
}

_REJECTED_OPERATORS = {
    ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.MatMult: "'@'", ast.LShift: "'<<'",
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
_WHITESPACE = {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}


# The output's name, as in the textbook's circuits, so tables read ∂f/∂x. An expression that
# uses f as a variable leaves its output unnamed (it then shows as its gate, e.g. mul4).
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
        leaves = {name: make_leaf(name, bindings[name]) for name in self.variables}
        root = _Builder(self, leaves).run()
        if not root.is_leaf and OUTPUT_NAME not in self.variables:
            root.name = OUTPUT_NAME
        return root


def parse(source: str) -> Expression:
    """Check `source` against the allow-list; raise ExprError pointing at the first problem."""
    text, indent = _prepared(source)
    if not text:
        raise ExprError("the expression is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(exc, source, text, indent) from None
    except (RecursionError, MemoryError):
        raise ExprError(f"the expression is nested too deeply to parse ({len(source)} characters)") from None
    checker = _Checker(source, text, indent)
    checker.visit(tree.body)
    return Expression(source, tree, tuple(checker.variables))


def _prepared(source: str) -> tuple[str, int]:
    """The text handed to ast: ASCII operators, one line, no leading spaces (ast would call
    them an indent). Every change keeps one character for one, so with `indent` (the spaces
    removed) columns still point into the user's text."""
    text = source.translate(_TYPOGRAPHY).translate(_WHITESPACE)
    stripped = text.lstrip()
    return stripped.rstrip(), len(text) - len(stripped)


def _syntax_error(exc: SyntaxError, source: str, text: str, indent: int) -> ExprError:
    message = exc.msg
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
        if len(node.args) != function.arity:
            wanted = f"{function.arity} argument" + ("s" if function.arity != 1 else "")
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
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f" (did you mean {close[0]}?)"
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

    def __init__(self, expression: Expression, leaves: Mapping[str, object]):
        self.expression = expression
        self.parsed, self.indent = _prepared(expression.source)
        self.leaves = leaves

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
            if isinstance(node, ast.BinOp):
                left = results[id(node.left)]
                exponent = self.constant_exponent(node) if isinstance(node.op, ast.Pow) else None
                right = exponent if exponent is not None else results[id(node.right)]
                out = OPERATORS[type(node.op)][1](left, right)
            elif isinstance(node, ast.UnaryOp):
                operand = results[id(node.operand)]
                out = -operand if isinstance(node.op, ast.USub) else operand
            else:  # ast.Call, checked by _Checker
                args = [results[id(arg)] for arg in node.args]
                out = FUNCTIONS[node.func.id].build(*args)
        except DomainError as exc:
            raise self.domain_error(str(exc), node) from None
        except (OverflowError, ZeroDivisionError):
            raise self.domain_error("the result is too large to represent", node) from None
        if not _finite(out):
            raise self.domain_error(f"the result overflows to {human(out.data)}", node)
        return out

    def domain_error(self, message: str, node: ast.AST) -> ExprDomainError:
        segment = ast.get_source_segment(self.parsed, node) or ""
        source = self.expression.source
        where = "" if segment == self.parsed else f" while computing {segment}"
        if isinstance(node, ast.BinOp):
            column = _operator_column(self.parsed, node)
        else:
            column = _column(self.parsed, node.col_offset)
        return ExprDomainError(f"{message}{where}", source, column + self.indent)


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
    data = out.data if isinstance(out, Value) else out
    return not isinstance(data, float) or math.isfinite(data)


# -- values for the variables ----------------------------------------------------------------


def make_leaf(name: str, value):
    """The graph leaf for a variable bound to `value`. A variable bound to a graph node is that
    node itself: a lesson circuit's later lines use the results of earlier ones this way."""
    if isinstance(value, Value):
        return value
    return Value(value, name)


def parse_value(text: str):
    """The value one `--at` entry binds, from its text: a finite number.

    Accepts what people type: "-2", "2.5", "1e-3", a Unicode minus "−2", full-width digits.
    Raises ValueError with a short reason (the caller adds which entry it was).
    """
    cleaned = unicodedata.normalize("NFKC", text.translate(_TYPOGRAPHY)).strip()
    number = float(cleaned)  # ValueError for anything that is not a number
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def parse_bindings(texts: str | Iterable[str] | None) -> dict[str, object]:
    """Read `--at` text such as "x=-2, y=5, z=-4" (one string or several) into {name: value}."""
    if texts is None:
        return {}
    if isinstance(texts, str):
        texts = [texts]
    bindings: dict[str, object] = {}
    for text in texts:
        for entry in _split_entries(text):
            name, value = _parse_entry(entry)
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


def _parse_entry(entry: str) -> tuple[str, object]:
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
        return name, parse_value(value_text)
    except ValueError:
        raise ExprError(f"--at: '{entry}' is not a number") from None


def _check_bindings(expression: Expression, bindings: Mapping[str, object]) -> None:
    missing = [name for name in expression.variables if name not in bindings]
    if missing:
        example = ",".join(f"{name}=…" for name in missing)
        noun = "value" if len(missing) == 1 else "values"
        raise ExprError(f"no {noun} for {', '.join(missing)}; give {'it' if len(missing) == 1 else 'them'} with --at {example}")
    # A name the expression does not use is refused rather than ignored: it is nearly always
    # a typo or the wrong expression, and silently dropping input hides the mistake.
    unused = [name for name in bindings if name not in expression.variables]
    if unused:
        known = ", ".join(expression.variables) or "none"
        raise ExprError(
            f"--at gives {', '.join(unused)}, but the expression has no such variable "
            f"(its variables: {known})"
        )


def build(source: str, at: str | Iterable[str] | None = None):
    """Parse `source` and build its graph with the values in `at`; returns the output node."""
    return parse(source).build(parse_bindings(at))
