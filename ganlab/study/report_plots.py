"""The report's plots, as PNG, drawn with matplotlib's Agg canvas (no window, no Qt).

- `boxes-i<budget>.png`, one per budget: per objective (and setting), the distribution over
  seeds of modes, high-quality %, JS and CPU (else wall) time as box plots with every seed
  drawn as a dot, in the style of Lucic et al., "Are GANs created equal?" (2018).
- `budget.png`, when the study has several budgets: each metric's median over seeds against the
  budget, with the interquartile range shaded, one line per objective (and setting).

`figure_boxes` and `figure_budget` return the figures, for the app to show the same plots.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ganlab.core.atomic_file import atomic_write

#: the box plots' metrics, in order of preference; at most four are drawn
BOX_METRICS = ("modes_covered", "high_quality_pct", "js", "frechet_distance",
               "classes_covered", "w1", "wall_seconds")
MAX_PANELS = 4
DPI = 110


def _panels(shown: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """(column, heading) of up to four metrics, time always last: CPU time where the runs
    recorded it (it does not depend on the machine's load), else wall time."""
    headings = {column: heading for column, heading, _ in shown}
    chosen = [c for c in BOX_METRICS if c in headings and c != "wall_seconds"]
    time = next((c for c in ("cpu_seconds", "wall_seconds") if c in headings), None)
    chosen = chosen[: MAX_PANELS - 1] + ([time] if time else [])
    return [(c, headings[c]) for c in chosen]


def _label(key: tuple, names: list[str]) -> str:
    """An axis label for a group: the objective, then `name=value` of the other axes."""
    parts = [str(key[0])] + [f"{n}={v:g}" if isinstance(v, float) else f"{n}={v}"
                             for n, v in zip(names[1:], key[1:], strict=True)]
    return "\n".join(parts)


def figure_boxes(rows: list[dict[str, Any]], axes: list[str], shown, budget: int) -> Figure:
    """Box plots over seeds, one panel per metric, one box per group at this budget."""
    names = [a for a in axes if a not in ("seed", "iterations")]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row.get("iterations") == budget and row["status"] in ("finished", "diverged"):
            groups.setdefault(tuple(row[n] for n in names), []).append(row)
    panels = _panels(shown)
    figure = Figure(figsize=(3.2 * len(panels) + 0.6 * len(groups), 3.6), dpi=DPI,
                    layout="constrained")
    labels = [_label(key, names) for key in groups]
    for index, (column, heading) in enumerate(panels):
        axis = figure.add_subplot(1, len(panels), index + 1)
        values = [[r[column] for r in members if r[column] is not None]
                  for members in groups.values()]
        if any(values):
            axis.boxplot([v if v else [np.nan] for v in values], widths=0.6, showfliers=False,
                         medianprops={"color": "tab:red"})
            rng = np.random.default_rng(0)  # the dots' horizontal jitter, the same every time
            for position, v in enumerate(values, start=1):
                axis.plot(position + rng.uniform(-0.15, 0.15, len(v)), v, "o", ms=3,
                          color="black", alpha=0.6)
        axis.set_xticks(range(1, len(labels) + 1), labels, rotation=30 if len(labels) > 3
                        else 0, ha="right" if len(labels) > 3 else "center", fontsize=8)
        _fixed_range(axis, column, rows)
        axis.set_title(heading, fontsize=10)
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle(f"{budget:,} iterations: distribution over seeds", fontsize=10)
    return figure


def figure_budget(rows: list[dict[str, Any]], axes: list[str], shown) -> Figure:
    """Each metric's median over seeds (interquartile range shaded) against the budget."""
    names = [a for a in axes if a not in ("seed", "iterations")]
    budgets = sorted({r["iterations"] for r in rows})
    groups: dict[tuple, dict[int, list[dict]]] = {}
    for row in rows:
        if row["status"] in ("finished", "diverged"):
            key = tuple(row[n] for n in names)
            groups.setdefault(key, {}).setdefault(row["iterations"], []).append(row)
    panels = _panels(shown)
    figure = Figure(figsize=(3.4 * len(panels), 3.4), dpi=DPI, layout="constrained")
    for index, (column, heading) in enumerate(panels):
        axis = figure.add_subplot(1, len(panels), index + 1)
        for key, by_budget in groups.items():
            xs, low, mid, high = [], [], [], []
            for budget in budgets:
                v = [r[column] for r in by_budget.get(budget, []) if r[column] is not None]
                if v:
                    xs.append(budget)
                    q = np.percentile(v, [25, 50, 75])
                    low.append(q[0])
                    mid.append(q[1])
                    high.append(q[2])
            if xs:
                line = axis.plot(xs, mid, "o-", ms=3, label=_label(key, names).replace("\n", " "))
                axis.fill_between(xs, low, high, color=line[0].get_color(), alpha=0.15)
        axis.set_xscale("log" if budgets[-1] / budgets[0] >= 10 else "linear")
        _fixed_range(axis, column, rows)
        axis.set_xlabel("iterations", fontsize=9)
        axis.set_title(heading, fontsize=10)
        axis.grid(alpha=0.3)
        if index == 0 and groups:
            axis.legend(fontsize=7)
    figure.suptitle("metric against budget: median over seeds, 25th–75th percentile shaded",
                    fontsize=10)
    return figure


def _fixed_range(axis, column: str, rows) -> None:
    """Modes from 0 to the target's count and percentages from 0 to 100, whatever the data."""
    if column == "modes_covered":
        total = max((r["total_modes"] or 0 for r in rows), default=0)
        if total:
            axis.set_ylim(-0.4, total + 0.4)
    elif column == "high_quality_pct":
        axis.set_ylim(-3, 103)


def write_plots(folder: Path, rows, axes, shown) -> list[Path]:
    """Write every plot of the report into `folder`; their paths."""
    if not rows or not _panels(shown):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    budgets = sorted({r["iterations"] for r in rows})
    figures = [(f"boxes-i{b}.png", figure_boxes(rows, axes, shown, b)) for b in budgets]
    if len(budgets) > 1:
        figures.append(("budget.png", figure_budget(rows, axes, shown)))
    written = []
    for name, figure in figures:
        _save(figure, folder / name)
        written.append(folder / name)
    return written


def _save(figure: Figure, path: Path) -> None:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png")
    atomic_write(path, lambda s: s.write(buffer.getvalue()))
