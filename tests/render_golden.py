"""Golden-text helpers for the renderer tests.

A golden file holds the exact text a renderer produced once and a person checked. Run the tests
with GRADTUTOR_UPDATE_GOLDEN=1 to rewrite the files after an intended change, then read the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from rich.console import Console

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GRADTUTOR_UPDATE_GOLDEN") == "1"


def console_text(renderable, width: int = 100) -> str:
    """What a plain 100-column terminal shows, trailing spaces stripped per line."""
    console = Console(
        width=width, record=True, color_system=None, force_terminal=False, file=io.StringIO()
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with GRADTUTOR_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file:\n{text}"


def traced(name: str, **options):
    """A built-in example, traced."""
    from gradtutor import examples
    from gradtutor.tracer import trace

    output, upstream = examples.get(name).build()
    return trace(output, upstream, **options)
