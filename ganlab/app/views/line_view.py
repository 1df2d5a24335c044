"""The view of 1D targets: densities, the discriminator along the line, and z → G(z).

Top: histograms of real and generated samples (green, purple), the target density (white) and a
kernel density estimate of the generated samples. Middle: D(x) and the optimal D*(x) on the same
x axis. Right: the generator as a function, z → G(z) — the pushforward picture of theory §1:
where the curve is flat, many z land on few x, and p_g is high there. With a latent space of
more than one dimension the curve is a slice, G(z₁, 0, …), and is labelled so; every displayed
sample is drawn behind it at (z₁, G(z)), so the slice is seen against all the samples.

D*(x) is drawn only where it is defined (`fields.optimal_discriminator_field` returns NaN where
neither density has mass, and the curve breaks there).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.heatmap_scale import HeatmapScale
from ganlab.app.layers import Layers
from ganlab.app.views.array_cache import same_array
from ganlab.core.grids import grid_axes, kde_on_grid, kernel_bandwidth
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame

BINS = 60


class LineView(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(320, 300)
        self.densities = self.addPlot(row=0, col=0)
        theme.style_plot(self.densities, "Real vs generated", y_label="density")
        self.discriminator = self.addPlot(row=1, col=0)
        theme.style_plot(self.discriminator, "Discriminator", x_label="x", y_label="D(x)")
        self.discriminator.setXLink(self.densities)
        self.pushforward = self.addPlot(row=0, col=1, rowspan=2)
        theme.style_plot(self.pushforward, "Generator z → G(z)", x_label="latent z",
                         y_label="G(z)")
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        for plot in (self.densities, self.discriminator, self.pushforward):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        legend = self.densities.addLegend(offset=(6, 6), labelTextColor=theme.NEUTRAL_TEXT,
                                          brush=theme.brush(theme.BACKGROUND, 170))
        self.real_histogram = pg.PlotDataItem(
            stepMode="center", fillLevel=0, pen=theme.pen(theme.REAL, 1.5),
            brush=theme.brush(theme.REAL, 60), name="real data")
        self.fake_histogram = pg.PlotDataItem(
            stepMode="center", fillLevel=0, pen=theme.pen(theme.GENERATED, 1.5),
            brush=theme.brush(theme.GENERATED, 60), name="generated G(z)")
        self.target_curve = pg.PlotDataItem(pen=theme.pen(theme.DENSITY, 2.0), name="p_data")
        self.fake_kde = pg.PlotDataItem(pen=theme.pen(theme.GENERATED, 2.5),
                                        name="p_g (kernel estimate)")
        for item in (self.real_histogram, self.fake_histogram, self.target_curve, self.fake_kde):
            self.densities.addItem(item)  # the legend picks up each item's name
        del legend
        self.discriminator.addLegend(offset=(6, 6), labelTextColor=theme.NEUTRAL_TEXT,
                                                brush=theme.brush(theme.BACKGROUND, 170))
        self.d_curve = self.discriminator.plot(pen=theme.pen(theme.DISCRIMINATOR, 2.5),
                                               name="D(x)")
        self.d_star_curve = self.discriminator.plot(
            pen=theme.pen(theme.DENSITY, 2.0, dashed=True), name="D*(x) = p_data/(p_data+p_g)",
            connect="finite")  # undefined (NaN) where neither density has mass: not drawn
        self.half_line = pg.InfiniteLine(pos=0.5, angle=0, movable=False,
                                         pen=theme.pen(theme.MUTED, 1.0, alpha=150))
        self.discriminator.addItem(self.half_line, ignoreBounds=True)
        self.pushforward_legend = self.pushforward.addLegend(
            offset=(6, 6), labelTextColor=theme.NEUTRAL_TEXT,
            brush=theme.brush(theme.BACKGROUND, 170))
        self.g_samples = pg.ScatterPlotItem(size=4, pen=None,
                                            brush=theme.brush(theme.GENERATED, 90))
        self.pushforward.addItem(self.g_samples)
        self.g_curve = self.pushforward.plot(pen=theme.pen(theme.GENERATED, 3.0))
        self._latent_dim = 0
        self._critic_objective: str | None = None  # the objective of the last D(x) curve
        self._scale = HeatmapScale()
        self._box: ViewBox | None = None
        self._real_source = None
        self._layers = Layers()

    def set_title(self, text: str) -> None:
        if text == getattr(self, "_title", None):
            return
        self._title = text
        self.densities.setTitle(text, color=theme.NEUTRAL_TEXT,
                                size=f"{theme.BASE_POINT_SIZE + 1}pt")

    def set_layers(self, layers: Layers) -> None:
        self._layers = layers
        self.real_histogram.setVisible(layers.real)
        self.fake_histogram.setVisible(layers.generated)
        self.fake_kde.setVisible(layers.generated)
        self.target_curve.setVisible(layers.density)
        self.d_curve.setVisible(layers.discriminator)
        self.d_star_curve.setVisible(layers.optimal_discriminator)

    def restart(self) -> None:
        self._scale.reset()

    def show_run(self, run: RunFrame) -> None:
        snapshot = run.snapshot
        box = snapshot.box
        if box != self._box:
            self._box = box
            self.densities.setXRange(box.low[0], box.high[0], padding=0)
        edges = np.linspace(box.low[0], box.high[0], BINS + 1)
        if not same_array(snapshot.real, self._real_source):
            self._real_source = snapshot.real
            counts, _ = np.histogram(snapshot.real[:, 0], edges, density=True)
            self.real_histogram.setData(edges, counts)
        fake = snapshot.fake[:, 0]
        if np.isfinite(fake).all():
            inside = fake[(fake >= edges[0]) & (fake <= edges[-1])]
            counts, _ = np.histogram(inside, edges)
            counts = counts / (len(fake) * (edges[1] - edges[0]))
            self.fake_histogram.setData(edges, counts)
            axis = grid_axes(box, 200)[0]
            bandwidth = kernel_bandwidth(box, 200, cells=3.0)
            self.fake_kde.setData(axis, kde_on_grid(snapshot.fake, box, 200, bandwidth))
        if snapshot.target_density is not None and snapshot.target_density.ndim == 1:
            axis = grid_axes(box, len(snapshot.target_density))[0]
            self.target_curve.setData(axis, snapshot.target_density)
        if snapshot.critic is not None:
            self._critic_objective = snapshot.objective
        elif snapshot.output_kind == "none" and self._critic_objective != snapshot.objective:
            # no D nor witness for this objective (sliced W): no stale curve of the last one
            self._critic_objective = snapshot.objective
            self.d_curve.setData([], [])
            self.half_line.setVisible(False)
            self._label_discriminator("no discriminator")
        if snapshot.critic is not None and snapshot.critic.ndim == 1:
            axis = grid_axes(box, len(snapshot.critic))[0]
            low, high = self._scale.levels(snapshot.critic, snapshot.heatmap_levels)
            self.discriminator.setYRange(low, high, padding=0.05)
            self._label_discriminator(snapshot.heatmap_label)
            self.half_line.setVisible(snapshot.output_kind == "probability")
            self.d_curve.setData(axis, snapshot.critic)
        if snapshot.optimal_discriminator is not None and snapshot.optimal_discriminator.ndim == 1:
            axis = grid_axes(box, len(snapshot.optimal_discriminator))[0]
            self.d_star_curve.setData(axis, snapshot.optimal_discriminator)
        if snapshot.pushforward is not None:
            self._show_pushforward(snapshot)

    def _label_discriminator(self, label: str) -> None:
        """'D(x) score (1 = real)': the short name on the axis, the reading in the title (the
        whole text, rotated, ran into the axis label of the plot above)."""
        if label == getattr(self, "_d_label", None):
            return
        self._d_label = label
        name, _, reading = label.rpartition(" (")
        name = name.strip() or label
        self.discriminator.setLabel("left", name)
        title = f"Discriminator ({reading}" if reading and name != label else "Discriminator"
        self.discriminator.setTitle(title, color=theme.NEUTRAL_TEXT,
                                    size=f"{theme.BASE_POINT_SIZE + 1}pt")

    def _show_pushforward(self, snapshot) -> None:
        z, image = snapshot.pushforward
        latent_dim = snapshot.latent.shape[1]
        if latent_dim != self._latent_dim:
            self._label_pushforward(latent_dim)
        if np.isfinite(image).all():
            self.g_curve.setData(z, image[:, 0])
            self.pushforward.setYRange(snapshot.box.low[0], snapshot.box.high[0], padding=0)
        if latent_dim > 1 and np.isfinite(snapshot.fake).all():
            self.g_samples.setData(snapshot.latent[:, 0], snapshot.fake[:, 0])

    def _label_pushforward(self, latent_dim: int) -> None:
        """One latent axis: the whole generator. More: a slice through z = 0, said so."""
        self._latent_dim = latent_dim
        sliced = latent_dim > 1
        last = str(latent_dim).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
        rest = "z₂ = 0" if latent_dim == 2 else f"z₂…z{last} = 0"
        zeros = "0" if latent_dim == 2 else "0, …"
        title = f"G(z₁, {zeros}): a slice at {rest}" if sliced else "Generator z → G(z)"
        self.pushforward.setTitle(title, color=theme.NEUTRAL_TEXT,
                                  size=f"{theme.BASE_POINT_SIZE + 1}pt")
        self.pushforward.setLabel("bottom", "latent z₁" if sliced else "latent z")
        self.g_samples.setVisible(sliced)
        if not sliced:
            self.g_samples.setData([], [])
        self.pushforward_legend.clear()
        if sliced:
            self.pushforward_legend.addItem(self.g_curve, f"G along {rest}")
            self.pushforward_legend.addItem(self.g_samples, "every sample: (z₁, G(z))")
