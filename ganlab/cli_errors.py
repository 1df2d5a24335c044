"""What the `ganlab` commands share: the bad-input error and a whole-number range check."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit code 2."""


def check_range(option: str, value: int, low: int, high: int, hint: str = "") -> None:
    """Raise UsageError naming `option` unless low <= value <= high."""
    if not low <= value <= high:
        raise UsageError(f"{option} {value}: expected a whole number from {low:,} to "
                         f"{high:,}{hint}")
