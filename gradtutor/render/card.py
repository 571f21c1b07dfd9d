"""The op reference card: the op table as people read it, every gate at a glance or one in full.

`ops_table` lists the ops by group (scalar gates, array ops, fused layer gates) with symbol,
formula and gate pattern; `op_card` shows one op with each input's local gradient, Jacobian
structure and the rule the engine runs; `to_dict` / `dumps` give the same as JSON with every
text in every language (schema `gradtutor.ops/1`, SCHEMA.md). Texts are read only through the
records' accessors (`formula_in`, `local_in` …), so where a record keeps them is its own business.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich import box
from rich.console import Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from gradtutor.lang import LANGUAGES
from gradtutor.ops import Op
from gradtutor.render.fmt import words

SCHEMA = "gradtutor.ops/1"  # additive changes keep /1; anything else bumps the number

GROUPS = ("scalar", "array", "fused")  # in the order the table lists them

# Below this width a separate column for the gate pattern would wrap it into a ribbon a few
# letters wide: it goes under the formula instead.
PATTERN_COLUMN_FROM = 72


def group(op: Op) -> str:
    """Where an op belongs: "scalar" when it runs on plain numbers (it has a scalar sample),
    "fused" for a training layer's gate, "array" for the other ops on arrays."""
    if op.sample is not None:
        return "scalar"
    return "fused" if op.fused else "array"


def group_heading(name: str, lang: str = "en") -> str:
    """A group's heading in `lang`: "Scalar gates", "Array ops", "Fused layer gates"."""
    headings = {
        "scalar": words(lang, "ops_group_scalar"),
        "array": words(lang, "ops_group_array"),
        "fused": words(lang, "ops_group_fused"),
    }
    return headings[name]


def input_labels(op: Op) -> tuple[str, ...]:
    """What the card calls each input: its name; a variadic op (concatenate) has one text for
    all its inputs, so one label stands for them all: "x1, x2, …"."""
    if op.arity >= 0:
        return op.input_names()
    return (", ".join(op.input_names(2)) + ", …",)


def _table(title: str | None = None) -> Table:
    """The terminal views' table style: a rule under the header, no outer frame."""
    return Table(
        title=Text(title, style="bold") if title else None, title_justify="left", box=box.SIMPLE_HEAD,
        show_edge=False, collapse_padding=True,
    )


def _grouped(op_list: Iterable[Op]) -> list[tuple[str, list[Op]]]:
    ops_by_group = {name: [] for name in GROUPS}
    for op in op_list:
        ops_by_group[group(op)].append(op)
    return [(name, members) for name, members in ops_by_group.items() if members]


def _name_and_symbol(op: Op) -> Text:
    return Text("\n").join([Text(op.name), Text(op.symbol, style="dim")])


def _four_columns(title: str, members: list[Op], lang: str) -> Table:
    """Name, symbol, formula and pattern side by side: for a width where every row fits on one line."""
    table = _table(title)
    for key in ("ops_col_op", "ops_col_symbol", "ops_col_formula", "ops_col_pattern"):
        table.add_column(words(lang, key))
    for op in members:
        table.add_row(Text(op.name), Text(op.symbol), Text(op.formula_in(lang)), Text(op.gate_in(lang), style="italic"))
    return table


def _three_columns(title: str, members: list[Op], lang: str) -> Table:
    """The symbol under the name, leaving the width to formula and pattern, which wrap."""
    table = _table(title)
    table.add_column(f"{words(lang, 'ops_col_op')}\n{words(lang, 'ops_col_symbol')}", no_wrap=True)
    table.add_column(words(lang, "ops_col_formula"), overflow="fold")
    table.add_column(words(lang, "ops_col_pattern"), overflow="fold")
    for op in members:
        table.add_row(_name_and_symbol(op), Text(op.formula_in(lang)), Text(op.gate_in(lang), style="italic"))
    return table


def _two_columns(title: str, members: list[Op], lang: str) -> Table:
    """For narrow terminals: the pattern under the formula too."""
    table = _table(title)
    table.add_column(f"{words(lang, 'ops_col_op')}\n{words(lang, 'ops_col_symbol')}", overflow="fold")
    table.add_column(f"{words(lang, 'ops_col_formula')}\n{words(lang, 'ops_col_pattern')}", overflow="fold")
    for op in members:
        formula_and_pattern = Text("\n").join([Text(op.formula_in(lang)), Text(op.gate_in(lang), style="italic")])
        table.add_row(_name_and_symbol(op), formula_and_pattern)
    return table


class _ForWidth:
    """A table built for the width it is given: `build(width, fits)` returns it, where
    fits(table) says whether every row of that table fits the width on one line."""

    def __init__(self, build):
        self.build = build

    def _table(self, console, options) -> Table:
        def fits(table) -> bool:
            return Measurement.get(console, options.update_width(10_000), table).maximum <= options.max_width

        return self.build(options.max_width, fits)

    def __rich_console__(self, console, options):
        yield self._table(console, options)

    def __rich_measure__(self, console, options):
        return Measurement.get(console, options, self._table(console, options))


def _group_table(title: str, members: list[Op], lang: str) -> _ForWidth:
    """One group's table: four columns where every row fits on one line; else the symbol under
    the name, and below PATTERN_COLUMN_FROM columns the pattern under the formula too."""

    def build(width: int, fits) -> Table:
        four = _four_columns(title, members, lang)
        if fits(four):
            return four
        table = (_three_columns if width >= PATTERN_COLUMN_FROM else _two_columns)(title, members, lang)
        table.leading = 1  # rows of several lines: a blank line keeps one op's lines apart from the next
        return table

    return _ForWidth(build)


def ops_table(op_list: Iterable[Op], lang: str = "en"):
    """Every op in `op_list`, one table per group: name, symbol, formula and gate pattern, laid
    out for the terminal's width; texts wrap, none is cut."""
    parts = []
    for name, members in _grouped(op_list):
        parts += [_group_table(group_heading(name, lang), members, lang), ""]
    return Group(*parts, Text(words(lang, "ops_hint"), style="dim"))


def _input_texts(op: Op, lang: str):
    """(label, local gradient, Jacobian structure, rule the engine runs) per input."""
    for slot, label in enumerate(input_labels(op)):
        yield label, op.local_in(slot, lang), op.jacobian_in(slot, lang) or "", op.backward_in(slot, lang)


def _inputs_side_by_side(op: Op, lang: str) -> Table:
    table = _table()
    table.add_column(words(lang, "col_input"), no_wrap=True)
    table.add_column(words(lang, "card_local"), overflow="fold")
    table.add_column(words(lang, "card_jacobian"), overflow="fold")
    table.add_column(words(lang, "col_rule"), overflow="fold")
    for texts in _input_texts(op, lang):
        table.add_row(*(Text(text) for text in texts))
    return table


def _inputs_stacked(op: Op, lang: str) -> Table:
    """For narrow terminals: each input's three texts under each other, labelled."""
    table = _table()
    table.add_column(words(lang, "col_input"), no_wrap=True)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("", overflow="fold")
    aspects = [words(lang, "card_local"), words(lang, "card_jacobian"), words(lang, "col_rule")]
    for label, *texts in _input_texts(op, lang):
        for row, (aspect, text) in enumerate(zip(aspects, texts)):
            table.add_row(Text(label) if row == 0 else "", aspect, Text(text), end_section=row == len(aspects) - 1)
    return table


def _inputs_table(op: Op, lang: str) -> _ForWidth:
    def build(width: int, fits) -> Table:
        if width < PATTERN_COLUMN_FROM:
            return _inputs_stacked(op, lang)
        table = _inputs_side_by_side(op, lang)
        if not fits(table):
            table.leading = 1  # rows that wrap: a blank line keeps one input's lines apart from the next
        return table

    return _ForWidth(build)


def op_card(op: Op, lang: str = "en"):
    """One op in full: symbol, group, formula, gate pattern and its explanation, a note on
    exactness or domain where the record has one, then per input its local gradient, Jacobian
    structure and the rule the engine runs."""
    about = Table.grid(padding=(0, 2))
    about.add_column(style="bold", no_wrap=True)
    about.add_column(overflow="fold")
    about.add_row(words(lang, "ops_col_symbol"), Text(op.symbol))
    about.add_row(words(lang, "card_group"), Text(group_heading(group(op), lang)))
    about.add_row(words(lang, "ops_col_formula"), Text(op.formula_in(lang)))
    about.add_row(words(lang, "ops_col_pattern"), Text(op.gate_in(lang), style="italic"))
    about.add_row("", Text(op.explain_in(lang)))
    notes = [words(lang, "card_exact")] if op.exact else []
    if op.domain is not None:
        notes.append(words(lang, "card_domain"))
    for index, note in enumerate(notes):
        about.add_row(words(lang, "card_note") if index == 0 else "", Text(note))
    return Group(Text(op.name, style="bold"), "", about, "", _inputs_table(op, lang))


def _every_language(text_in) -> dict[str, str]:
    return {lang: text_in(lang) for lang in LANGUAGES}


def op_dict(op: Op) -> dict:
    """One op record as JSON-ready data, every text in every language (see SCHEMA.md)."""
    return {
        "name": op.name,
        "symbol": op.symbol,
        "group": group(op),
        "arity": op.arity,
        "exact": op.exact,
        "checks_domain": op.domain is not None,
        "formula": op.formula_in("en"),
        "formula_text": _every_language(op.formula_in),
        "gate": op.gate_in("en"),
        "gate_text": _every_language(op.gate_in),
        "explain_text": _every_language(op.explain_in),
        "inputs": [
            {
                "name": label,
                "local_formula_text": _every_language(lambda lang: op.local_in(slot, lang)),
                "jacobian_structure_text": _every_language(lambda lang: op.jacobian_in(slot, lang)),
                "rule_text": _every_language(lambda lang: op.backward_in(slot, lang) or None),
            }
            for slot, label in enumerate(input_labels(op))
        ],
    }


def to_dict(op_list: Iterable[Op]) -> dict:
    """The ops as one versioned object: {"schema": "gradtutor.ops/1", "ops": [...]}."""
    return {"schema": SCHEMA, "languages": list(LANGUAGES), "ops": [op_dict(op) for op in op_list]}


def dumps(op_list: Iterable[Op], indent: int | None = 2) -> str:
    """The ops as JSON text, UTF-8 characters kept (the Korean texts stay readable)."""
    return json.dumps(to_dict(op_list), indent=indent, ensure_ascii=False)
