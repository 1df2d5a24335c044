"""The charts: losses with the objective's equilibrium line, divergences, and mode coverage.

Reference lines are what a perfect generator reaches: the theory values of the adversarial
objectives, and the finite-batch floors of the sample distances (MMD, sliced Wasserstein) that
the worker computes for the current data and batch size (`Snapshot.reference_losses`). The W1
chart carries W1's floor: what a perfect generator reads with the same 500 points.

Curves are created once per run and updated in place with `setData` from growing histories;
peak downsampling and clip-to-view keep long runs fast. Run A is drawn solid and run B (compare
mode) dashed, in the same colours, so both runs share every chart.

Nothing is written over the curves: a chart's title names its series in their colours (no
legend box in a plot a hundred pixels high), and the reference lines are labelled in a margin
to the right of the plot (`chart_labels.ReferenceLabels`).

Axis ranges move in "nice" steps (1, 2, 5 × 10^k) rather than following every new point, so the
axes, whose text is slow to draw, are re-rendered only when a range actually changes; between
changes they are cached pixmaps.

The run's kind of data picks the charts (`set_data_kind`, tables in `chart_specs`): images get
the classifier numbers of `ganlab.core.image_evaluation`, each with a dashed line at its
real-vs-real value. Every chart is built once; a switch only re-arranges them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.history import RunHistory
from ganlab.app.views import chart_specs as specs
from ganlab.app.views.chart_labels import ReferenceLabels
from ganlab.app.views.chart_ranges import describe_value, nice_ceiling, nice_range, still_fits
from ganlab.app.views.chart_specs import ALL_CHARTS, CHARTS, IMAGE_CHARTS, KIND_CHARTS
from ganlab.app.views.chart_ticks import fit_iteration_ticks
from ganlab.core.objectives import OBJECTIVES

__all__ = ["CHARTS", "Charts", "nice_ceiling", "nice_range"]


class Charts(pg.GraphicsLayoutWidget):
    """The charts of the current kind of data side by side, sharing the iteration axis."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(190)
        self.all_plots: dict[str, pg.PlotItem] = {}
        self.labels: dict[str, ReferenceLabels] = {}  # the reference lines' labels, by chart
        self.curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        self._run_count = 1
        self.data_kind, self.classes = "", 0  # set_data_kind("points") below
        self._modes_wanted = True
        self._families: tuple[str, ...] = ("gan",)  # of the runs: the losses or the ELBO
        for column, (chart, series) in enumerate(ALL_CHARTS.items()):
            plot = self.addPlot(row=0, col=column)
            theme.style_plot(plot, "", x_label="iteration", y_label=specs.Y_LABELS.get(chart, ""))
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.disableAutoRange()
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            # a fixed width: tick labels of a new length would otherwise resize the axis, move
            # every chart of the row and make all their axes render their text again at once
            plot.getAxis("left").setWidth(specs.LABELLED_AXIS_WIDTH if chart in specs.Y_LABELS
                                          else specs.LEFT_AXIS_WIDTH)
            # values as they are: pyqtgraph would show a labelled axis within (0, 1] as
            # thousandths under a "(x0.001)" label (coverage 0.6 read "600")
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.vb.sigResized.connect(lambda _, plot=plot: fit_iteration_ticks(plot))
            for run in (0, 1):
                for name, _, colour in series:
                    curve = plot.plot(pen=theme.pen(colour, 2.0, dashed=run == 1))
                    curve.setClipToView(True)
                    curve.setDownsampling(auto=True, method="peak")
                    self.curves[(run, name)] = curve
            self.all_plots[chart] = plot
            self.labels[chart] = ReferenceLabels(plot)
        self.all_plots["modes"].setYRange(0, 105)
        # the equilibrium losses of each run's objective: (run, role) → line; run B's are drawn
        # only where they differ from run A's (compare mode with another objective)
        self.reference_lines: dict[tuple[int, str], pg.InfiniteLine] = {}
        for run in (0, 1):
            for role, colour in (("discriminator", theme.DISCRIMINATOR),
                                 ("generator", theme.GENERATOR)):
                line = pg.InfiniteLine(angle=0, movable=False,
                                       pen=theme.pen(colour, 1.2, alpha=150))
                line.pen.setStyle(pg.QtCore.Qt.PenStyle.DotLine if run == 0
                                  else pg.QtCore.Qt.PenStyle.DashDotLine)
                line.setVisible(False)
                self.all_plots["losses"].addItem(line, ignoreBounds=True)
                self.reference_lines[(run, role)] = line
        self.js_ceiling = pg.InfiniteLine(pos=math.log(2), angle=0, movable=False,
                                          pen=theme.pen(theme.JS_COLOUR, 1.0, alpha=120))
        self.all_plots["divergences"].addItem(self.js_ceiling, ignoreBounds=True)
        self.labels["divergences"].set_label(self.js_ceiling, "JS max log 2", theme.JS_COLOUR)
        self.w1_floor = pg.InfiniteLine(angle=0, movable=False,
                                        pen=theme.pen(theme.W1_COLOUR, 1.0, alpha=150))
        self.w1_floor.pen.setStyle(pg.QtCore.Qt.PenStyle.DotLine)
        self.w1_floor.setVisible(False)
        self.all_plots["divergences"].addItem(self.w1_floor, ignoreBounds=True)
        # what a perfect generator scores on each image chart (run A's: the data is shared)
        self.image_references: dict[str, pg.InfiniteLine] = {}
        for chart, (_, _, colour) in ((chart, IMAGE_CHARTS[chart][0]) for chart in IMAGE_CHARTS):
            line = pg.InfiniteLine(angle=0, movable=False, pen=theme.pen(colour, 1.2, alpha=170))
            line.pen.setStyle(pg.QtCore.Qt.PenStyle.DashLine)
            line.setVisible(False)
            self.all_plots[chart].addItem(line, ignoreBounds=True)
            self.image_references[chart] = line
        self._objectives: list = []
        self._ranges: dict[str, tuple] = {}
        self.set_run_count(1)
        self.set_data_kind("points")

    @property
    def chart_names(self) -> tuple[str, ...]:
        """The charts of the current kind of data and model families, left to right (mode
        coverage among them even where the target has no modes)."""
        return tuple(chart for chart in KIND_CHARTS[self.data_kind]
                     if specs.chart_wanted(chart, True, self._families))

    @property
    def plots(self) -> dict[str, pg.PlotItem]:
        """The plots of the current kind of data (`all_plots` holds every kind's)."""
        return {chart: self.all_plots[chart] for chart in self.chart_names}

    def set_data_kind(self, kind: str, classes: int = 0) -> None:
        """Chart a run of `kind` ("points" or "images"; anything else counts as points) with
        `classes` labelled classes (0: unlabelled images, which get no classifier numbers)."""
        kind = kind if kind in KIND_CHARTS else "points"
        if (kind, classes) == (self.data_kind, self.classes):
            return
        self.data_kind, self.classes = kind, classes
        self._arrange()
        self._ranges.pop("classes", None)
        self.set_run_count(self._run_count)
        self._fit_layout()

    def set_run_count(self, runs: int) -> None:
        """Show run B's dashed curves only in compare mode (the titles say which is which)."""
        self._run_count = runs
        for (run, _name), curve in self.curves.items():
            curve.setVisible(run < runs)
            if run >= runs:
                curve.setData([], [])
        for chart, plot in self.all_plots.items():
            suffix = "  (labelled images only)" if chart in IMAGE_CHARTS and not self.classes \
                else ""
            plot.setTitle(specs.chart_title(chart) + suffix, color=theme.NEUTRAL_TEXT,
                          size=f"{theme.BASE_POINT_SIZE}pt")  # five fit at 1366
            # under the plot, where a longer text cannot widen the chart as a title would
            # (A is solid: "B dashed" is all a narrow chart has room for)
            plot.setLabel("bottom", "iteration  (B dashed)" if runs > 1
                          else "iteration", color=theme.NEUTRAL_TEXT,
                          **{"font-size": f"{theme.BASE_POINT_SIZE}pt"})

    def set_mode_chart_visible(self, visible: bool) -> None:
        """The mode coverage chart of points runs (only targets with known modes have one)."""
        if visible != self._modes_wanted:
            self._modes_wanted = visible
            self._arrange()
            self._fit_layout()

    def set_model_families(self, families: tuple[str, ...]) -> None:
        """The runs' model families ("gan", "vae"): a VAE's ELBO chart, a GAN's losses."""
        if families != self._families:
            self._families = families
            self._arrange()
            self._fit_layout()

    def _fit_layout(self) -> None:
        """A re-filled layout grows to its preferred width when it next activates: activate it
        now and give it the view's width back."""
        self.ci.layout.activate()
        self.ci.setGeometry(self.range)

    def _arrange(self) -> None:
        """Lay out the charts of the current kind, left to right, sharing the width equally
        whatever their titles' lengths; the others leave the layout (a hidden chart would
        keep its column's room)."""
        shown = [chart for chart in self.chart_names
                 if specs.chart_wanted(chart, self._modes_wanted, self._families)]
        layout = self.ci
        for plot in self.all_plots.values():
            if plot in layout.items:
                layout.removeItem(plot)
        for column, chart in enumerate(shown):
            layout.addItem(self.all_plots[chart], row=0, col=column)
            self.all_plots[chart].setVisible(True)
            self.all_plots[chart].setPreferredWidth(0)  # the width comes from the stretch
        for column in range(len(self.all_plots)):
            layout.layout.setColumnStretchFactor(column, int(column < len(shown)))

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
                values.append(specs.equilibrium_losses(name))
        floors = False
        for (run, role), line in self.reference_lines.items():
            value = values[run][role] if run < len(values) else None
            if run == 1 and value is not None and value == values[0][role]:
                value = None  # the same line as run A's
            line.setVisible(value is not None)
            text = None
            if value is not None:
                line.setValue(value)
                objective = OBJECTIVES.get(names[run])
                # a sample distance between two batches of the same law: its finite-batch floor
                floors |= objective is not None and not objective.needs_discriminator
                run_name = f"{'AB'[run]}: " if len(names) > 1 else ""
                text = f"{run_name}{role[0].upper()} {describe_value(value, short=True)}"
            colour = theme.DISCRIMINATOR if role == "discriminator" else theme.GENERATOR
            self.labels["losses"].set_label(line, text, colour)
        self.labels["losses"].set_caption("at p_g = p_data" if floors else "at equilibrium")

    def set_w1_floor(self, floor: float | None) -> None:
        """W1 of a perfect generator under the metrics' protocol (None: hide the line)."""
        shown = floor is not None and math.isfinite(floor)
        self.w1_floor.setVisible(shown)
        if shown and self.w1_floor.value() != floor:
            self.w1_floor.setValue(floor)
        text = f"perfect W1 {describe_value(floor, short=True)}" if shown else None
        self.labels["divergences"].set_label(self.w1_floor, text, theme.W1_COLOUR)

    def show_histories(self, histories: list[RunHistory],
                       charts: tuple[str, ...] | None = None) -> None:
        """Update `charts` (default: those of the current kind) from the histories of run A
        (and B); an image chart's reference line shows run A's latest real-vs-real value."""
        last = max((h.last_iteration for h in histories), default=0)
        x_range = (0.0, nice_ceiling(max(last, 10) * 1.02))
        for chart in self.chart_names if charts is None else charts:
            for run, history in enumerate(histories):
                for name, _, _ in ALL_CHARTS[chart]:
                    series = history.series[name]
                    self.curves[(run, name)].setData(series.x, series.y)
            reference = specs.IMAGE_REFERENCES.get(chart)
            if reference is not None and histories:
                self._show_reference(chart, histories[0].series[reference].last())
            self._fit_range(chart, histories, x_range)

    def _show_reference(self, chart: str, value: float | None) -> None:
        line = self.image_references[chart]
        shown = value is not None and math.isfinite(value)
        line.setVisible(shown)
        if shown and line.value() != value:
            line.setValue(value)
        if shown:
            text = f"{value:.0f}" if chart == "classes" else describe_value(value)
            self.labels[chart].set_label(line, f"perfect {text}", IMAGE_CHARTS[chart][0][2])
        else:
            self.labels[chart].set_label(line, None, "")

    def _fit_range(self, chart: str, histories: list[RunHistory],
                   x_range: tuple[float, float]) -> None:
        if chart == "modes":
            y_range = (0.0, 105.0)
        elif chart == "classes" and self.classes:  # 0..classes, whatever was covered so far
            y_range = (0.0, self.classes + 0.5)
        else:
            values = [history.series[name].y for history in histories
                      for name, _, _ in ALL_CHARTS[chart]]
            if chart in specs.IMAGE_REFERENCES and self.image_references[chart].isVisible():
                values.append(np.array([0.0, self.image_references[chart].value()]))
            y_range = nice_range(values)
            if chart == "losses":
                y_range = self._include_references(y_range)
            elif chart == "divergences":  # JS against its ceiling: how far from disjoint
                bounds = [*y_range, self.js_ceiling.value() * 1.05]
                if self.w1_floor.isVisible():
                    bounds.append(self.w1_floor.value())
                y_range = nice_range([np.array(bounds)])
        previous = self._ranges.get(chart)
        if previous is not None and still_fits(previous[1], y_range):
            y_range = previous[1]  # keep the axis (and its cached picture) a while longer
        if previous != (x_range, y_range):
            self._ranges[chart] = (x_range, y_range)
            self.all_plots[chart].setRange(xRange=x_range, yRange=y_range, padding=0)
            fit_iteration_ticks(self.all_plots[chart])

    def _include_references(self, y_range: tuple[float, float]) -> tuple[float, float]:
        low, high = y_range
        for line in self.reference_lines.values():
            if line.isVisible():
                low, high = min(low, line.value()), max(high, line.value())
        return nice_range([np.array([low, high])])

