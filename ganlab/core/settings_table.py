"""The README's settings table, generated from the settings' declarations.

`python -m ganlab.core.settings_table` prints it as markdown: one row per setting with its
path, command-line option, default, range (or choices), scale, the value `--paper-defaults`
sets and its one-line help. The README holds the output between the markers below, and a test
checks that it is current.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from ganlab.core.config import RunConfig
from ganlab.core.settings import NO_PAPER, FromPaper, Leaf, leaves, paper_value

BEGIN_MARKER = "<!-- settings table: python -m ganlab.core.settings_table -->"
END_MARKER = "<!-- end of settings table -->"
HEADER = ("Setting", "Option", "Default", "Range", "Scale", "Paper value", "Help")


def settings_table(root: type = RunConfig) -> str:
    """The markdown table of every setting of `root`, between the README's markers."""
    rows = [HEADER, ("---",) * len(HEADER)]
    rows += [_row(item) for item in leaves(root)]
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join([BEGIN_MARKER, *lines, END_MARKER])


def _row(item: Leaf) -> tuple[str, ...]:
    declared = item.setting
    option = item.cli or ""
    if declared.short:
        option += f", {declared.short}"
    if item.choices is not None:
        span = ", ".join(item.choices)
    elif declared.low is not None:
        span = f"{_number(declared.low)} – {_number(declared.high)}"
        span += f" {declared.unit}" if declared.unit else ""
    else:
        span = ""
    scale = declared.scale if item.kind in (int, float) else ""
    return (f"`{item.path}`", f"`{option}`" if option else "", _number(item.default), span,
            scale, _paper(item), item.help)


def _paper(item: Leaf) -> str:
    """A constant, or per objective: the most common value, then the objectives that differ."""
    if item.paper is NO_PAPER:
        return ""
    if not isinstance(item.paper, FromPaper):
        return _number(item.paper)
    from ganlab.core.objectives import OBJECTIVES  # torch: only for the table

    values = {name: paper_value(item, objective.paper) for name, objective in OBJECTIVES.items()}
    given = {name: value for name, value in values.items() if value is not NO_PAPER}
    if not given:
        return ""
    by_value: dict[str, list[str]] = {}
    for name, value in given.items():
        by_value.setdefault(_number(value), []).append(name)
    common, _ = Counter({v: len(n) for v, n in by_value.items()}).most_common(1)[0]
    if len(given) < len(values):  # only some papers name it: list each
        return "; ".join(f"{', '.join(names)}: {value}" for value, names in by_value.items())
    others = [f"{', '.join(names)}: {value}" for value, names in by_value.items()
              if value != common]
    return "; ".join([common, *others])


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and value >= 10**6:  # 10^9 and 2^63 − 1, not digit strings
        if value == 10 ** (len(str(value)) - 1):
            return f"10^{len(str(value)) - 1}"
        if value == 2 ** value.bit_length() - 1:
            return f"2^{value.bit_length()} − 1"
    return str(value)


def main() -> int:
    sys.stdout.write(settings_table() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
