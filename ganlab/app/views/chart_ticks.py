"""Iteration ticks that never run together, however narrow the chart.

pyqtgraph spaces the bottom axis' ticks by the range alone, so in a chart 160 pixels wide (five
image charts side by side at 1366×768) labels such as "5000" and "10000" touched. Here the
step is the smallest of 1, 2, 5 × 10^k whose labels fit: neighbours' centres lie one step
apart, so a step must span at least the widest label plus GAP pixels. Steps of 1,000 or more
are written in thousands ("10k", "20k"; zero stays "0"), which keeps labels short and so the
steps fine. Minor ticks (grid lines, no label) fall halfway between.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

GAP = 8.0  # pixels kept clear between two tick labels


def iteration_label(value: float, step: float) -> str:
    """A tick's text: thousands as "10k" when the step is 1,000 or more, else the number."""
    if step >= 1000 and value != 0:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def iteration_ticks(low: float, high: float, pixels: float,
                    text_width: Callable[[str], float]) -> list[list[tuple[float, str]]]:
    """[major ticks, minor ticks] as (value, text) for the range [low, high] drawn `pixels`
    wide: the finest 1, 2, 5 × 10^k step that spans, in pixels, the widest of its labels
    (`text_width` of each) plus GAP; [[], []] for an empty range."""
    if not (high > low and pixels > 0 and math.isfinite(high - low)):
        return [[], []]
    exponent = math.floor(math.log10((high - low) / 20))
    while True:
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**exponent
            values = [k * step for k in range(math.ceil(low / step - 1e-9),
                                               math.floor(high / step + 1e-9) + 1)]
            labels = [iteration_label(value, step) for value in values]
            widest = max((text_width(label) for label in labels), default=0.0)
            if step / (high - low) * pixels >= widest + GAP:
                minor = [(value + step / 2, "") for value in [values[0] - step, *values]
                         if low <= value + step / 2 <= high]
                return [list(zip(values, labels, strict=True)), minor]
        exponent += 1


def fit_iteration_ticks(plot: pg.PlotItem) -> None:
    """Give `plot`'s bottom axis the ticks of its current x range and width (only when they
    change: the axis' text is slow to draw)."""
    axis = plot.getAxis("bottom")
    metrics = QFontMetricsF(axis.style.get("tickFont") or axis.font())
    low, high = plot.vb.viewRange()[0]
    ticks = iteration_ticks(low, high, plot.vb.width(), metrics.horizontalAdvance)
    if ticks != getattr(axis, "_iteration_ticks", None):
        axis._iteration_ticks = ticks
        axis.setTicks(ticks)


__all__ = ["fit_iteration_ticks", "iteration_label", "iteration_ticks"]
