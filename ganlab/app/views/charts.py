"""The charts: losses with the objective's equilibrium line, divergences, and mode coverage.

Reference lines are what a perfect generator reaches: the theory values of the adversarial
objectives, and the finite-batch floors of the sample distances (MMD, sliced Wasserstein) that
the worker computes for the current data and batch size (`Snapshot.reference_losses`). The W1
chart carries W1's floor: what a perfect generator reads with the same 500 points.

Curves are created once per run and updated in place with `setData` from growing histories;
peak downsampling and clip-to-view keep long runs fast. Run A is drawn solid and run B (compare
mode) dashed, in the same colours, so both runs share every chart.

Axis ranges move in "nice" steps (1, 2, 5 × 10^k) rather than following every new point, so the
axes, whose text is slow to draw, are re-rendered only when a range actually changes; between
changes they are cached pixmaps.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.history import RunHistory
from ganlab.core.objectives import OBJECTIVES

# chart → [(series, label, colour)]
CHARTS = {
    "losses": [("discriminator_loss", "D loss", theme.DISCRIMINATOR),
               ("generator_loss", "G loss", theme.GENERATOR)],
    "divergences": [("js", "JS", theme.JS_COLOUR), ("w1", "W1 estimate", theme.W1_COLOUR)],
    "kl": [("kl_data_model", "KL(p_data‖p_g)", theme.KL_COLOUR),
           ("kl_model_data", "KL(p_g‖p_data)", theme.JS_COLOUR)],
    "modes": [("modes_covered", "modes covered %", theme.MODES_COLOUR),
              ("high_quality", "high quality %", theme.HIGH_QUALITY_COLOUR)],
}
LEFT_AXIS_WIDTH = 44  # pixels: room for labels like "−0.25" or "1e+03"
TITLES = {
    "losses": "Losses",
    "divergences": "Jensen–Shannon and Wasserstein-1",
    "kl": "KL divergences",
    "modes": "Mode coverage",
}


class Charts(pg.GraphicsLayoutWidget):
    """Four charts side by side, sharing the iteration axis."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(190)
        self.plots: dict[str, pg.PlotItem] = {}
        self.legends: dict[str, pg.LegendItem] = {}
        self.curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        self._run_count = 1
        for column, (chart, series) in enumerate(CHARTS.items()):
            plot = self.addPlot(row=0, col=column)
            theme.style_plot(plot, TITLES[chart], x_label="iteration")
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.disableAutoRange()
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            # a fixed width: tick labels of a new length would otherwise resize the axis, move
            # every chart of the row and make all their axes render their text again at once
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            legend = plot.addLegend(offset=(-4, 4), labelTextColor=theme.NEUTRAL_TEXT,
                                    brush=theme.brush(theme.BACKGROUND, 200),
                                    verSpacing=-6)
            legend.setLabelTextSize(f"{theme.BASE_POINT_SIZE - 1}pt")
            self.legends[chart] = legend
            for run in (0, 1):
                for name, label, colour in series:
                    curve = plot.plot(pen=theme.pen(colour, 2.0, dashed=run == 1))
                    curve.setClipToView(True)
                    curve.setDownsampling(auto=True, method="peak")
                    self.curves[(run, name)] = curve
                    if run == 0:
                        legend.addItem(curve, label)
            self.plots[chart] = plot
        self.plots["modes"].setYRange(0, 105)
        # the equilibrium losses of each run's objective: (run, role) → line; run B's are drawn
        # only where they differ from run A's (compare mode with another objective)
        self.reference_lines: dict[tuple[int, str], pg.InfiniteLine] = {}
        for run in (0, 1):
            for role, colour in (("discriminator", theme.DISCRIMINATOR),
                                 ("generator", theme.GENERATOR)):
                # labels start at the left edge, away from the legend in the top-right corner
                line = pg.InfiniteLine(
                    angle=0, movable=False, pen=theme.pen(colour, 1.2, alpha=150), label="",
                    labelOpts={"color": colour, "position": 0.02,
                               "anchors": [(0, 1), (0, 1)]})
                line.pen.setStyle(pg.QtCore.Qt.PenStyle.DotLine if run == 0
                                  else pg.QtCore.Qt.PenStyle.DashDotLine)
                line.setVisible(False)
                self.plots["losses"].addItem(line, ignoreBounds=True)
                self.reference_lines[(run, role)] = line
        self.js_ceiling = pg.InfiniteLine(pos=math.log(2), angle=0, movable=False,
                                          pen=theme.pen(theme.JS_COLOUR, 1.0, alpha=120),
                                          label="log 2 (JS maximum)",
                                          # under the line: it is the top of the chart
                                          labelOpts={"color": theme.JS_COLOUR, "position": 0.3,
                                                     "anchors": [(0.5, 0), (0.5, 0)]})
        self.plots["divergences"].addItem(self.js_ceiling, ignoreBounds=True)
        self.w1_floor = pg.InfiniteLine(angle=0, movable=False,
                                        pen=theme.pen(theme.W1_COLOUR, 1.0, alpha=150),
                                        label="W1 of a perfect G",
                                        labelOpts={"color": theme.W1_COLOUR, "position": 0.62,
                                                   "anchors": [(0.5, 1), (0.5, 1)]})
        self.w1_floor.pen.setStyle(pg.QtCore.Qt.PenStyle.DotLine)
        self.w1_floor.setVisible(False)
        self.plots["divergences"].addItem(self.w1_floor, ignoreBounds=True)
        self._objectives: list = []
        self._ranges: dict[str, tuple] = {}
        self.set_run_count(1)

    def set_run_count(self, runs: int) -> None:
        """Show run B's dashed curves only in compare mode (the titles say which is which)."""
        for (run, _name), curve in self.curves.items():
            curve.setVisible(run < runs)
            if run >= runs:
                curve.setData([], [])
        for chart, plot in self.plots.items():
            suffix = "  (A solid, B dashed)" if runs > 1 else ""
            plot.setTitle(TITLES[chart] + suffix, color=theme.NEUTRAL_TEXT,
                          size=f"{theme.BASE_POINT_SIZE + 1}pt")

    def set_mode_chart_visible(self, visible: bool) -> None:
        self.plots["modes"].setVisible(visible)

    def set_objectives(self, names: list[str],
                       references: list[tuple[float | None, float | None]] | None = None
                       ) -> None:
        """Draw what a perfect generator reaches for each run's objective (run A's, and run
        B's where they differ from A's): `references` are the runs' (D loss, G loss) values
        for their data and batch size; without them, the objectives' theory values."""
        names = list(names[:2])
        references = list(references or [])[:2]
        if [names, references] == self._objectives:
            return
        self._objectives = [names, references]
        values = []
        for run, name in enumerate(names):
            if run < len(references) and references[run] is not None:
                values.append(dict(zip(("discriminator", "generator"), references[run],
                                       strict=True)))
            else:
                values.append(_equilibrium_losses(name))
        for (run, role), line in self.reference_lines.items():
            value = values[run][role] if run < len(values) else None
            if run == 1 and value is not None and value == values[0][role]:
                value = None  # the same line as run A's
            line.setVisible(value is not None)
            if value is not None:
                line.setValue(value)
                letter = role[0].upper()
                objective = OBJECTIVES.get(names[run])
                floor = objective is not None and not objective.needs_discriminator
                if len(names) > 1:  # two runs in a small chart: short labels
                    what = "floor" if floor else "at equilibrium"
                    text = f"{'AB'[run]}: {letter} {what} {_describe(value, short=True)}"
                elif floor:  # a sample distance between two batches of the same law
                    text = f"{letter} at p_g = p_data, this batch size: {_describe(value)}"
                else:
                    text = f"equilibrium {letter}: {_describe(value)}"
                line.label.setFormat(text)

    def set_w1_floor(self, floor: float | None) -> None:
        """W1 of a perfect generator under the metrics' protocol (None: hide the line)."""
        shown = floor is not None and math.isfinite(floor)
        self.w1_floor.setVisible(shown)
        if shown and self.w1_floor.value() != floor:
            self.w1_floor.setValue(floor)

    def show_histories(self, histories: list[RunHistory],
                       charts: tuple[str, ...] | None = None) -> None:
        """Update `charts` (default: all) from the histories of run A (and B)."""
        last = max((h.last_iteration for h in histories), default=0)
        x_range = (0.0, nice_ceiling(max(last, 10) * 1.02))
        for chart in CHARTS if charts is None else charts:
            for run, history in enumerate(histories):
                for name, _, _ in CHARTS[chart]:
                    series = history.series[name]
                    self.curves[(run, name)].setData(series.x, series.y)
            self._fit_range(chart, histories, x_range)

    def _fit_range(self, chart: str, histories: list[RunHistory],
                   x_range: tuple[float, float]) -> None:
        if chart == "modes":
            y_range = (0.0, 105.0)
        else:
            values = [history.series[name].y for history in histories
                      for name, _, _ in CHARTS[chart]]
            y_range = nice_range(values)
            if chart == "losses":
                y_range = self._include_references(y_range)
            elif chart == "divergences":  # JS against its ceiling: how far from disjoint
                bounds = [*y_range, self.js_ceiling.value() * 1.05]
                if self.w1_floor.isVisible():
                    bounds.append(self.w1_floor.value())
                y_range = nice_range([np.array(bounds)])
        previous = self._ranges.get(chart)
        if previous is not None and _still_fits(previous[1], y_range):
            y_range = previous[1]  # keep the axis (and its cached picture) a while longer
        if previous != (x_range, y_range):
            self._ranges[chart] = (x_range, y_range)
            self.plots[chart].setRange(xRange=x_range, yRange=y_range, padding=0)

    def _include_references(self, y_range: tuple[float, float]) -> tuple[float, float]:
        low, high = y_range
        for line in self.reference_lines.values():
            if line.isVisible():
                low, high = min(low, line.value()), max(high, line.value())
        return nice_range([np.array([low, high])])


def _equilibrium_losses(name: str) -> dict[str, float | None]:
    objective = OBJECTIVES.get(name)
    return {role: getattr(objective, f"equilibrium_{role}_loss", None) if objective else None
            for role in ("discriminator", "generator")}


def _describe(value: float, short: bool = False) -> str:
    for text, number in (("log 4", math.log(4)), ("log 2", math.log(2)),
                         ("−log 2", -math.log(2))):
        if abs(value - number) < 1e-9:
            return text if short else f"{text} ≈ {value:.2f}".replace("-", "−")
    return f"{value:.3g}".replace("-", "−")


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ value."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for mantissa in (1, 2, 5, 10):
        candidate = mantissa * 10.0**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10.0 ** (exponent + 1)


def nice_range(arrays: list[np.ndarray]) -> tuple[float, float]:
    """A range covering the bulk (0.5–99.5 percentiles) of the values, snapped to nice steps."""
    samples = [a[:: max(1, len(a) // 4000)] for a in arrays if len(a)]
    finite = np.concatenate(samples) if samples else np.zeros(0)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return (0.0, 1.0)
    low, high = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
    step = nice_ceiling(max(high - low, 1e-6) / 4)
    return (math.floor(low / step) * step, math.ceil(high / step) * step + (step if high == low
                                                                          else 0.0))


def _still_fits(shown: tuple[float, float], wanted: tuple[float, float]) -> bool:
    """The shown range holds the wanted one and is not more than twice as wide."""
    inside = shown[0] <= wanted[0] and wanted[1] <= shown[1]
    return inside and (shown[1] - shown[0]) <= 2 * (wanted[1] - wanted[0])
