"""The one base class of bad input: a `UserError` is something the user typed or asked for that
cannot be done, with a one-line message that says what is wrong.

The CLI catches `UserError` in one place and prints `error: <message>` with exit code 2; every
other exception is a bug and keeps its traceback. Each module's own errors derive from it and
from the builtin they always were (`class DomainError(UserError, ValueError)`), so code that
catches `ValueError` keeps working. This module imports nothing, so any module may use it.
"""


class UserError(Exception):
    """Bad input, reported to the user as one line; never a bug."""
