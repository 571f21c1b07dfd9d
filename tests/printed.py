"""Numbers as the tables and diagrams print them: negative with the minus sign of print (−4,
U+2212), not the ASCII hyphen that numbers.human and Python write.

Expectations built with human() go through `printed` before they are compared with a table;
a number read back from a table goes through `read`.
"""

MINUS = "\u2212"


def printed(text: str) -> str:
    """An ASCII-written number as a table prints it: "-4" -> "−4", "1e-08" -> "1e−08"."""
    return text.replace("-", MINUS)


def read(text: str) -> float:
    """A number as a table prints it, as a float: "−0.178977" -> -0.178977."""
    return float(text.replace(MINUS, "-"))
