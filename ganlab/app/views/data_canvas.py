"""The data-space canvas of 2D targets: samples, heatmaps, contours, arrows, manifold, paths.

Every item is created once in `__init__`; `show_run` updates them in place from a `RunFrame`
(fields the worker skipped this frame keep their last picture). Layer visibility only hides
items. In painting mode the canvas turns mouse drags into `brush_moved(x, y)` in data
coordinates instead of panning. The shapes' numbers come from `canvas_shapes.py` (Qt-free), the
off-screen markers from `offscreen_marks.py`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.heatmap_scale import HeatmapScale, colour_bar_label
from ganlab.app.layers import Layers
from ganlab.app.views.array_cache import same_array
from ganlab.app.views.canvas_legend import CanvasLegend
from ganlab.app.views.canvas_shapes import ArrowScale, joined_polylines, point_along
from ganlab.app.views.offscreen_marks import OffscreenMarks
from ganlab.app.views.scene_helpers import cache_static_items, grid_transform
from ganlab.core.contours import contour_segments
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame

DENSITY_LEVELS = (0.08, 0.4)  # contour levels as fractions of the density's peak


class DataCanvas(pg.GraphicsLayoutWidget):
    """One run's view of 2D data space."""

    brush_moved = Signal(float, float)  # painting: the brush is at (x, y), button held
    brush_released = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(320, 300)
        self.plot = self.addPlot(row=0, col=0)
        theme.style_plot(self.plot)
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.heatmap = pg.ImageItem(axisOrder="col-major")
        self.heatmap.setZValue(-10)
        self.plot.addItem(self.heatmap)
        self.colour_bar = pg.ColorBarItem(
            values=(0, 1), colorMap=theme.heatmap_colormap(), width=16, interactive=False,
            label="D(x)  (1 = real)",
        )
        self.colour_bar.setImageItem(self.heatmap)
        self.addItem(self.colour_bar, row=0, col=1)
        self.colour_bar.getAxis("right").setTickFont(theme.axis_font())
        density_pen = theme.pen(theme.DENSITY_CONTOUR, 1.3, alpha=190)
        self.density_curves = [pg.IsocurveItem(level=0.0, pen=density_pen)
                               for _ in DENSITY_LEVELS]
        # D* = ½ as separate segments (numpy marching squares: 0.5 ms where pyqtgraph's
        # path-joining IsocurveItem took 15 ms of the GUI thread's time at every update)
        boundary_pen = theme.pen(theme.BOUNDARY, 2.0, alpha=220)
        self.boundary = pg.PlotDataItem(pen=boundary_pen, connect="pairs")
        self.boundary.setZValue(-4)
        self.plot.addItem(self.boundary)
        for curve in self.density_curves:
            curve.setZValue(-5)
            # contours change only with the target: keep their rendering as a pixmap
            curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.plot.addItem(curve)
        # thin many-segment lines: antialiasing costs more than it shows
        self.manifold = pg.PlotDataItem(pen=theme.pen(theme.GENERATED, 1.0, alpha=110),
                                        antialias=False)
        self.real = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#0b2e1b", width=0.8),
                                       brush=theme.brush(theme.REAL, 230), name="real data")
        self.generated = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#2a0d3f", width=0.8),
                                            brush=theme.brush(theme.GENERATED, 230),
                                            name="generated")
        self.arrows = pg.PlotDataItem(pen=theme.pen(theme.GRADIENT, 1.2, alpha=200),
                                      connect="pairs", antialias=False)
        self.arrow_tips = pg.ScatterPlotItem(size=3, pen=None, brush=theme.brush(theme.GRADIENT))
        self.path = pg.PlotDataItem(pen=theme.pen(theme.INTERPOLATION, 2.5))
        self.path_ends = pg.ScatterPlotItem(size=10, symbol="s", pen=pg.mkPen("w", width=1),
                                            brush=theme.brush(theme.INTERPOLATION))
        self.traveller = pg.ScatterPlotItem(size=16, pen=pg.mkPen("w", width=2),
                                            brush=theme.brush(theme.INTERPOLATION))
        self.painted = pg.ScatterPlotItem(size=5, pen=None, brush=theme.brush(theme.REAL, 220))
        for z, item in enumerate((self.manifold, self.real, self.generated, self.arrows,
                                  self.arrow_tips, self.path, self.path_ends, self.traveller,
                                  self.painted)):
            item.setZValue(z)
            self.plot.addItem(item)
        self.legend = CanvasLegend(self.plot, self.real, self.generated, density_pen,
                                   boundary_pen)
        self.note = pg.TextItem(color=theme.MUTED, anchor=(1, 1))
        self.note.setParentItem(self.plot.vb)
        # generated points outside the view: a count and an arrow at the edge they left by
        self.offscreen = OffscreenMarks(self.plot)
        self.offscreen_labels = self.offscreen.labels
        cache_static_items(self)
        # the data never moves and the heatmap changes ~8 times a second: between changes they
        # are blitted from pixmaps instead of drawn again under every frame's moving samples
        for item in (self.real, self.heatmap):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._scale = HeatmapScale()
        self._arrow_scale = ArrowScale()
        self._density_source: np.ndarray | None = None
        self._boundary_source: np.ndarray | None = None
        self._real_source: np.ndarray | None = None
        self._box: ViewBox | None = None
        self._path: np.ndarray | None = None
        self._painting = False
        self._layers = Layers()
        self.set_layers(self._layers)

    # ---------------------------------------------------------------- configuration
    def set_title(self, text: str) -> None:
        if text == getattr(self, "_title", None):
            return
        self._title = text
        self.plot.setTitle(text, color=theme.NEUTRAL_TEXT, size=f"{theme.BASE_POINT_SIZE + 1}pt")

    def set_layers(self, layers: Layers) -> None:
        self._layers = layers
        painting = self._painting
        self.real.setVisible(layers.real and not painting)
        self.generated.setVisible(layers.generated and not painting)
        heatmap = (layers.discriminator or layers.optimal_discriminator) and not painting
        self.heatmap.setVisible(heatmap)
        self.boundary.setVisible(layers.discriminator and layers.optimal_discriminator
                                 and not painting)
        self.colour_bar.setVisible(heatmap)
        for curve in self.density_curves:
            curve.setVisible(layers.density and not painting)
        self.arrows.setVisible(layers.gradients and not painting)
        self.arrow_tips.setVisible(layers.gradients and not painting)
        self.note.setVisible(layers.gradients and not painting)
        self.manifold.setVisible(layers.manifold and not painting)
        for item in (self.path, self.path_ends, self.traveller):
            item.setVisible(layers.interpolation and not painting)
        self.painted.setVisible(painting)
        self.legend.show(not painting, density=layers.density,
                         boundary=layers.discriminator and layers.optimal_discriminator,
                         arrows=layers.gradients)

    def set_box(self, box: ViewBox) -> None:
        """Show exactly this region of data space."""
        if box == self._box:
            return
        self._box = box
        self.plot.setRange(xRange=(box.low[0], box.high[0]), yRange=(box.low[1], box.high[1]),
                           padding=0.0)
        self.note.setPos(self.plot.vb.width() - 6, self.plot.vb.height() - 4)

    def restart(self) -> None:
        """Forget adaptive scales (the networks restarted)."""
        self._scale.reset()
        self._arrow_scale = ArrowScale()

    # ---------------------------------------------------------------- drawing
    def show_run(self, run: RunFrame) -> None:
        snapshot = run.snapshot
        self.set_box(snapshot.box)
        if not same_array(snapshot.real, self._real_source):
            self._real_source = snapshot.real
            self.real.setData(pos=snapshot.real)
        if np.isfinite(snapshot.fake).all():
            self.generated.setData(pos=snapshot.fake)
        self._show_offscreen(snapshot.outside_counts, snapshot.box)
        layers = self._layers
        optimal = layers.optimal_discriminator and not layers.discriminator
        field = snapshot.optimal_discriminator if optimal else snapshot.critic
        if field is not None and field.ndim == 2:
            self._show_heatmap(field, snapshot, optimal=optimal)
        d_star = snapshot.optimal_discriminator
        if layers.discriminator and d_star is not None and d_star.ndim == 2:
            if not same_array(d_star, self._boundary_source):
                self._boundary_source = d_star
                # undefined D* (no data and no model nearby) counts as "not real": the contour
                # then encloses exactly the regions where the data outweighs the generator
                segments = contour_segments(np.nan_to_num(d_star, nan=0.0), 0.5, snapshot.box)
                self.boundary.setData(segments[:, 0], segments[:, 1], connect="pairs")
        elif layers.discriminator and snapshot.output_kind == "none":
            self.heatmap.clear()  # no discriminator (sliced Wasserstein): nothing to show
        if snapshot.target_density is not None:
            self._show_density(snapshot.target_density, snapshot.box)
        if snapshot.gradients is not None:
            self._show_gradients(snapshot.fake, snapshot.gradients, snapshot.box)
        if snapshot.manifold is not None:
            self._show_manifold(snapshot.manifold)
        self._path = run.interpolation_path
        if run.interpolation_path is None:
            self.path.setData([], [])
            self.path_ends.setData([], [])
            self.traveller.setData([], [])
        else:
            path = run.interpolation_path
            self.path.setData(path[:, 0], path[:, 1])
            self.path_ends.setData(pos=path[[0, -1]])

    def _show_offscreen(self, counts: np.ndarray | None, box: ViewBox) -> None:
        """'→ 312 off-screen' at the right edge when 312 generated points lie beyond it."""
        self.offscreen.show(counts, box, self._layers.generated)

    def _show_heatmap(self, field: np.ndarray, snapshot, optimal: bool) -> None:
        if optimal:
            levels, label = (0.0, 1.0), "D*(x) = p_data / (p_data + p_g)"
        else:
            levels = self._scale.levels(field, snapshot.output_kind, snapshot.objective)
            label = colour_bar_label(snapshot.output_kind, snapshot.objective)
        box = snapshot.box
        # D* is NaN where the estimate is too uncertain to show: those cells stay transparent
        image = field if optimal else np.nan_to_num(field, nan=0.5 * (levels[0] + levels[1]))
        self.heatmap.setImage(image, levels=levels, autoLevels=False)
        self.heatmap.setRect(QRectF(box.low[0], box.low[1], box.high[0] - box.low[0],
                                    box.high[1] - box.low[1]))
        if self.colour_bar.levels() != levels:
            self.colour_bar.setLevels(levels)
        axis = self.colour_bar.getAxis("left")  # ColorBarItem puts its label on the left axis
        if axis.labelText != label:
            axis.setLabel(label, color=theme.NEUTRAL_TEXT)

    def _show_density(self, density: np.ndarray, box: ViewBox) -> None:
        if density.ndim != 2 or same_array(density, self._density_source):
            return
        self._density_source = density
        transform = grid_transform(box, density.shape[0])
        peak = float(np.nanmax(density)) if density.size else 0.0
        for curve, fraction in zip(self.density_curves, DENSITY_LEVELS, strict=True):
            curve.setTransform(transform)
            curve.setData(density, level=fraction * peak)

    def _show_gradients(self, fake: np.ndarray, gradients: np.ndarray, box: ViewBox) -> None:
        arrows = self._arrow_scale.arrows(fake, gradients, box)
        if arrows is None:
            return
        self.arrows.setData(arrows.segments[:, 0], arrows.segments[:, 1])
        self.arrow_tips.setData(pos=arrows.tips)
        self.note.setText(f"median |∂L_G/∂x| = {arrows.median_norm:.2g}")
        self.note.setPos(self.plot.vb.width() - 6, self.plot.vb.height() - 4)

    def _show_manifold(self, polylines: list[np.ndarray]) -> None:
        if not polylines:
            return
        points, connect = joined_polylines(polylines)
        self.manifold.setData(points[:, 0], points[:, 1], connect=connect)

    def move_traveller(self, t: float) -> None:
        """Put the travelling point at fraction t ∈ [0, 1] of the interpolation path."""
        path = self._path
        if path is None or not len(path) or not self._layers.interpolation:
            return
        self.traveller.setData(pos=point_along(path, t)[None, :])

    # ---------------------------------------------------------------- painting
    def set_painting(self, painting: bool, box: ViewBox | None = None) -> None:
        self._painting = painting
        self.plot.setMouseEnabled(x=not painting, y=not painting)
        self.setCursor(Qt.CursorShape.CrossCursor if painting else Qt.CursorShape.ArrowCursor)
        if painting and box is not None:
            self._box = None
            self.set_box(box)
        self.set_layers(self._layers)

    def show_painted(self, points: np.ndarray) -> None:
        self.painted.setData(pos=points if len(points) else np.zeros((0, 2)))

    def data_position(self, widget_pos) -> tuple[float, float]:
        """Data coordinates of a position in this widget's viewport."""
        point = self.plot.vb.mapSceneToView(self.mapToScene(widget_pos))
        return float(point.x()), float(point.y())

    def mousePressEvent(self, event):
        if self._painting and event.button() == Qt.MouseButton.LeftButton:
            self.brush_moved.emit(*self.data_position(event.position().toPoint()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._painting and event.buttons() & Qt.MouseButton.LeftButton:
            self.brush_moved.emit(*self.data_position(event.position().toPoint()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._painting and event.button() == Qt.MouseButton.LeftButton:
            self.brush_released.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)
