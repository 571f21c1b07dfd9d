"""Command-line values read without pydantic where the result is plain.

typer turns every option's text into its typed value through a pydantic validator, built on the
first value it reads: importing pydantic alone took longer than importing typer, on every command
that reads an option, even one left at its default. The values gradtutor's commands take are
mostly plain: none, a default, a word, a choice, a whole or decimal number, a path. `PlainValues`
reads those directly (a path through typer's own checks), and gives everything else (text that is
not a plain number, say) to typer's own reader, so a value or an error message is never other
than typer's.
tests/test_cli_values.py checks both readers give the same value for every option.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import get_args, get_origin

_WHOLE = re.compile(r"-?[0-9]{1,15}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")


class PlainValues:
    """A typer parameter's value reader (typer's RuntimeParam: `coerce(value, param, ctx)`)."""

    def __init__(self, build_typers):
        self._build_typers = build_typers  # typer's own reader, made when first needed
        self._typers = None

    def coerce(self, value, param, ctx):
        described = param.type_descriptor
        ranged = described.is_ranged and value is not None  # an option left out has no range to check
        plain = _NOT_PLAIN if ranged else _plain(described.annotation, value, param.multiple or param.nargs == -1)
        if plain is not _NOT_PLAIN:
            return plain
        if described.annotation is Path and isinstance(value, str) and described.parameter_info.path_type is None:
            from typer._param_types import coerce_cli_path  # typer's checks (exists, readable …), no pydantic

            return Path(coerce_cli_path(value, described.parameter_info, path_type=None, param=param, ctx=ctx))
        if self._typers is None:
            self._typers = self._build_typers()
        return self._typers.coerce(value, param=param, ctx=ctx)


_NOT_PLAIN = object()


def _plain(annotation, value, multiple: bool):
    """The value typer would give, where it is plain to see; else _NOT_PLAIN."""
    if value is None:
        return () if multiple else None  # what typer gives for an option not given
    if multiple:  # a repeated option: typer gives a list of its words
        plain_words = get_origin(annotation) is list and get_args(annotation) == (str,)
        words = plain_words and isinstance(value, (tuple, list)) and all(isinstance(word, str) for word in value)
        return list(value) if words else _NOT_PLAIN
    if not isinstance(annotation, type):
        return _NOT_PLAIN
    if isinstance(value, annotation) and not isinstance(value, bool):
        return value  # a default of the option's own type (an enum member, a str)
    if not isinstance(value, str):
        return _NOT_PLAIN
    if annotation is str:
        return value
    if annotation is int and _WHOLE.fullmatch(value):
        return int(value)
    if annotation is float and _DECIMAL.fullmatch(value):
        return float(value)
    if issubclass(annotation, enum.Enum):
        return next((member for member in annotation if member.value == value), _NOT_PLAIN)
    return _NOT_PLAIN


def install(command, ctx) -> None:
    """Give each of a command's typer parameters the plain reader, in front of typer's."""
    for param in command.get_params(ctx) if command is not None else ():
        if getattr(param, "_runtime_param", False) is None and hasattr(param, "type_descriptor"):
            param._runtime_param = PlainValues(lambda param=param: _typers_reader(param))


def _typers_reader(param):
    from typer._coercion import build_runtime_param

    return build_runtime_param(param.type_descriptor)
