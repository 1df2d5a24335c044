"""The data-space canvas of 2D targets: a plot that draws the registered layers.

Each layer of `canvas_layers.CANVAS_LAYERS` (samples, heatmaps, contours, arrows, manifold,
paths; see `canvas_layer.py` for the interface) creates its items once when the canvas is made
and updates them in place from each `RunFrame` (fields the worker skipped this frame keep their
last picture). Layer visibility only hides items. In painting mode every layer is hidden, and the
canvas turns mouse drags into `brush_moved(x, y)` in data coordinates instead of panning.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from ganlab.app import theme
from ganlab.app.layers import Layers
from ganlab.app.views.canvas_layer import Z_PAINTED, CanvasLayer, CanvasParts
from ganlab.app.views.canvas_layers import CANVAS_LAYERS
from ganlab.app.views.canvas_legend import CanvasLegend
from ganlab.app.views.scene_helpers import cache_static_items
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame


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
        self.legend = CanvasLegend(self.plot)
        parts = CanvasParts(self.plot, self, self.legend)
        #: this canvas's layers by name, in registry order
        self.layers: dict[str, CanvasLayer] = {}
        for name, layer_type in CANVAS_LAYERS.items():
            layer = layer_type()
            layer.attach(parts)
            self.layers[name] = layer
        self.painted = pg.ScatterPlotItem(size=5, pen=None, brush=theme.brush(theme.REAL, 220))
        self.painted.setZValue(Z_PAINTED)
        self.plot.addItem(self.painted)
        cache_static_items(self)
        self._box: ViewBox | None = None
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
        shown = dataclasses.asdict(layers)
        entries = set()
        for name, layer in self.layers.items():
            layer.set_visible(shown.get(name, layer.spec.shown) and not painting)
            entries.update(layer.legend_entries(layers))
        self.painted.setVisible(painting)
        self.legend.show(not painting, entries)

    def set_box(self, box: ViewBox) -> None:
        """Show exactly this region of data space."""
        if box == self._box:
            return
        self._box = box
        self.plot.setRange(xRange=(box.low[0], box.high[0]), yRange=(box.low[1], box.high[1]),
                           padding=0.0)

    def restart(self) -> None:
        """Forget adaptive scales (the networks restarted)."""
        for layer in self.layers.values():
            layer.restart()

    # ---------------------------------------------------------------- drawing
    def show_run(self, run: RunFrame) -> None:
        box = run.snapshot.box
        self.set_box(box)
        for layer in self.layers.values():
            layer.show(run, box)

    def move_traveller(self, t: float) -> None:
        """Put the interpolation layer's travelling point at fraction t ∈ [0, 1] of its path."""
        self.layers["interpolation"].move_traveller(t)

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
