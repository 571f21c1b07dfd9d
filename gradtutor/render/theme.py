"""Colour themes for diagrams: one row per theme, one column per role."""

from __future__ import annotations

from dataclasses import dataclass

from gradtutor.errors import UserError


@dataclass(frozen=True, slots=True)
class Theme:
    background: str
    text: str  # node labels, gate symbols, outlines
    value: str  # forward values, above the edges
    gradient: str  # gradients, below the edges
    highlight: str  # the gate of the current step and its edges
    muted: str  # placeholders for gradients not computed yet: still 4.5:1 against the background


THEMES: dict[str, Theme] = {
    #                background text       value      gradient   highlight  muted
    "light": Theme("#ffffff", "#222222", "#1f4e9c", "#c62828", "#ef8f00", "#767676"),
    "dark": Theme("#1e1e24", "#e8e8e8", "#8ab4f8", "#ff7a7a", "#ffd166", "#8e8e99"),
}


class UnknownTheme(UserError, ValueError):
    """A theme name not in THEMES."""


def get_theme(name: str) -> Theme:
    name = getattr(name, "value", name)  # an Enum member from the CLI names its theme by value
    try:
        return THEMES[name]
    except KeyError:
        raise UnknownTheme(f"unknown theme {name!r}; themes are: {', '.join(THEMES)}") from None
