"""The canvas's discriminator layers: D(x) (or the critic, or the MMD witness) and the optimal
D*(x) = p_data / (p_data + p_g). They share one heatmap with its colour bar: it shows D(x) when
that layer is on, else D*(x); with both on, D* is drawn as its decision boundary D* = ½ over the
D(x) heatmap. The colour levels and label are the objective's, carried by the snapshot."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.heatmap_scale import HeatmapScale
from ganlab.app.layers import LayerSpec
from ganlab.app.views.array_cache import same_array
from ganlab.app.views.canvas_layer import Z_BOUNDARY, Z_HEATMAP, CanvasLayer, CanvasParts
from ganlab.core.contours import contour_segments
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame

OPTIMAL_LABEL = "D*(x) = p_data / (p_data + p_g)"


class DiscriminatorPicture:
    """The heatmap, its colour bar and the D* = ½ boundary that the two layers draw together."""

    def __init__(self, parts: CanvasParts):
        self.heatmap = pg.ImageItem(axisOrder="col-major")
        self.heatmap.setZValue(Z_HEATMAP)
        parts.plot.addItem(self.heatmap)
        self.colour_bar = pg.ColorBarItem(
            values=(0, 1), colorMap=theme.heatmap_colormap(), width=16, interactive=False,
            label="D(x)  (1 = real)",
        )
        self.colour_bar.setImageItem(self.heatmap)
        parts.layout.addItem(self.colour_bar, row=0, col=1)
        self.colour_bar.getAxis("right").setTickFont(theme.axis_font())
        # D* = ½ as separate segments (numpy marching squares: 0.5 ms where pyqtgraph's
        # path-joining IsocurveItem took 15 ms of the GUI thread's time at every update)
        self.boundary_pen = theme.pen(theme.BOUNDARY, 2.0, alpha=220)
        self.boundary = pg.PlotDataItem(pen=self.boundary_pen, connect="pairs")
        self.boundary.setZValue(Z_BOUNDARY)
        parts.plot.addItem(self.boundary)
        # the heatmap changes ~8 times a second: between changes it is blitted from a pixmap
        self.heatmap.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.scale = HeatmapScale()
        self.critic_shown = True  # the D(x) layer is visible
        self.optimal_shown = False  # the D* layer is visible
        self.no_critic = False  # the objective has no D nor witness to draw (sliced W)
        self._critic_objective: str | None = None  # the objective of the last critic field
        self.legend = parts.legend
        self.boundary_entry = None  # the D* = ½ legend entry (the D* layer's), if attached
        self._boundary_source: np.ndarray | None = None

    def update_visibility(self) -> None:
        # with no critic to draw (sliced Wasserstein), the D* layer gets the heatmap if it is on
        critic = self.critic_shown and not self.no_critic
        heatmap = critic or self.optimal_shown
        self.heatmap.setVisible(heatmap)
        self.boundary.setVisible(critic and self.optimal_shown)
        self.colour_bar.setVisible(heatmap)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        snapshot = run.snapshot
        if snapshot.critic is not None:
            self._critic_objective = snapshot.objective
        # no field of D for this objective: "none" output and no witness drawn for it yet (a
        # frame carries the critic only every few frames, so absence alone proves nothing)
        no_critic = (snapshot.output_kind == "none"
                     and self._critic_objective != snapshot.objective)
        if no_critic != self.no_critic:
            self.no_critic = no_critic
            if no_critic:
                self.heatmap.clear()  # the previous objective's picture and levels are stale
                self.colour_bar.setLevels((0.0, 1.0))
                self.colour_bar.getAxis("left").setLabel("", color=theme.NEUTRAL_TEXT)
            self.update_visibility()
            if self.boundary_entry is not None:  # no boundary drawn: none listed
                self.legend.hold_back(self.boundary_entry, no_critic)
        optimal = self.optimal_shown and (not self.critic_shown or no_critic)
        field = snapshot.optimal_discriminator if optimal else snapshot.critic
        if field is not None and field.ndim == 2:
            self._show_heatmap(field, snapshot, optimal=optimal)
        d_star = snapshot.optimal_discriminator
        new_boundary = d_star is not None and d_star.ndim == 2 and not same_array(
            d_star, self._boundary_source)
        if self.critic_shown and not no_critic and new_boundary:
            self._boundary_source = d_star
            # undefined D* (no data and no model nearby) counts as "not real": the contour
            # then encloses exactly the regions where the data outweighs the generator
            segments = contour_segments(np.nan_to_num(d_star, nan=0.0), 0.5, snapshot.box)
            self.boundary.setData(segments[:, 0], segments[:, 1], connect="pairs")

    def _show_heatmap(self, field: np.ndarray, snapshot, optimal: bool) -> None:
        if optimal:
            levels, label = (0.0, 1.0), OPTIMAL_LABEL
        else:
            levels = self.scale.levels(field, snapshot.heatmap_levels)
            label = snapshot.heatmap_label
        box = snapshot.box
        # D* is NaN where the estimate is too uncertain to show: those cells stay transparent
        image = field if optimal else np.nan_to_num(field, nan=0.5 * (levels[0] + levels[1]))
        self.heatmap.setImage(image, levels=levels, autoLevels=False)
        self.heatmap.setRect(QRectF(box.low[0], box.low[1], box.high[0] - box.low[0],
                                    box.high[1] - box.low[1]))
        if self.colour_bar.levels() != levels:
            self.colour_bar.setLevels(levels)
            self._fit_numbers(levels)
        axis = self.colour_bar.getAxis("left")  # ColorBarItem puts its label on the left axis
        if axis.labelText != label:
            axis.setLabel(label, color=theme.NEUTRAL_TEXT)


    def _fit_numbers(self, levels: tuple[float, float]) -> None:
        """Widen the colour bar's axis to its longest number: pyqtgraph's fixed 45 pixels
        dropped every label that did not fit, so a critic's bar of ±0.001 showed only "0"."""
        axis = self.colour_bar.getAxis("right")
        metrics = QFontMetricsF(axis.style["tickFont"] or theme.axis_font())
        length = max(axis.geometry().height(), 100.0)
        texts = [text for spacing, values in axis.tickValues(*levels, length)
                 for text in axis.tickStrings(values, 1.0, spacing)]
        widest = max((metrics.boundingRect(QRectF(0, 0, 100, 100), Qt.AlignmentFlag.AlignCenter,
                                           text).width() for text in texts), default=0.0)
        width = max(45.0, widest + max(0, axis.style["tickLength"])
                    + axis.style["tickTextOffset"][0] + 4)
        if abs(width - axis.width()) >= 1:
            axis.setWidth(int(width + 0.999))


def shared_picture(parts: CanvasParts) -> DiscriminatorPicture:
    """The canvas's one `DiscriminatorPicture`, made by whichever layer attaches first."""
    if "discriminator_picture" not in parts.shared:
        parts.shared["discriminator_picture"] = DiscriminatorPicture(parts)
    return parts.shared["discriminator_picture"]


class Discriminator(CanvasLayer):
    """Draws the shared picture at every frame (the D* layer's `show` has nothing to add)."""

    spec = LayerSpec(
        "discriminator", "D(x)",
        "Heatmap of the discriminator: D(x) = sigmoid(d(x)), green = 'real', purple = 'fake' "
        "(the raw critic value for WGAN-type objectives).",
        asks=frozenset({"critic"}))

    def attach(self, parts: CanvasParts) -> None:
        self.picture = shared_picture(parts)

    def set_visible(self, shown: bool) -> None:
        self.picture.critic_shown = shown
        self.picture.update_visibility()

    def show(self, run: RunFrame, box: ViewBox) -> None:
        self.picture.show(run, box)

    def restart(self) -> None:
        self.picture.scale.reset()


class OptimalDiscriminator(CanvasLayer):
    spec = LayerSpec(
        "optimal_discriminator", "D*(x)",
        "The optimal discriminator D*(x) = p_data / (p_data + p_g) for the current G (a "
        "heatmap, or its ½ contour when D(x) is shown too).",
        shown=False, asks=frozenset({"optimal_discriminator", "target_density"}))

    def attach(self, parts: CanvasParts) -> None:
        self.picture = shared_picture(parts)
        self.stand_in = parts.legend.add_switchable(self.picture.boundary_pen, "D* = ½",
                                                    Z_BOUNDARY)
        self.picture.boundary_entry = self.stand_in

    def set_visible(self, shown: bool) -> None:
        self.picture.optimal_shown = shown
        self.picture.update_visibility()

    def show(self, run: RunFrame, box: ViewBox) -> None:
        """Nothing: the D(x) layer draws the shared picture, D* included."""

    def legend_entries(self, layers) -> tuple:
        return (self.stand_in,) if layers.discriminator and layers.optimal_discriminator else ()
