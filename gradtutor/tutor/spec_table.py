"""Reading one entry of an experiment's manifest table ([init_study.x], [update.x], [perceptron.x]):
each check raises the family's own error with a one-line message naming the key."""

from __future__ import annotations


class SpecTable:
    def __init__(self, table, keys: tuple[str, ...], error: type[Exception]):
        if not isinstance(table, dict):
            raise error(f"must be a table with {', '.join(keys)}")
        unknown = sorted(set(table) - set(keys))
        if unknown:
            raise error(f"unknown key {unknown[0]!r}")
        self.table, self.error = table, error

    def choice(self, key: str, options, default=None):
        value = self.table.get(key, default)
        if value not in options:
            raise self.error(f"{key} must be one of {', '.join(options)}, got {value!r}")
        return value

    def whole(self, key: str, default: int, lo: int, hi: int) -> int:
        value = self.table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise self.error(f"{key} must be a whole number from {lo} to {hi}, got {value!r}")
        return value

    def positive(self, key: str, default: float) -> float:
        value = self.table.get(key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise self.error(f"{key} must be a positive number, got {value!r}")
        return float(value)
