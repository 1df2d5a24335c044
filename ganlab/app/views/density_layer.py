"""The canvas's density layer: contour lines of the target density p_data at fixed fractions of
its peak. They change only with the target, so each is kept as a pixmap between changes."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.layers import LayerSpec
from ganlab.app.views.array_cache import same_array
from ganlab.app.views.canvas_layer import Z_DENSITY, CanvasLayer, CanvasParts
from ganlab.app.views.scene_helpers import grid_transform
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame

DENSITY_LEVELS = (0.08, 0.4)  # contour levels as fractions of the density's peak


class Density(CanvasLayer):
    spec = LayerSpec("density", "Density", "Contour lines of the target density p_data.",
                     asks=frozenset({"target_density"}))

    def attach(self, parts: CanvasParts) -> None:
        pen = theme.pen(theme.DENSITY_CONTOUR, 1.3, alpha=190)
        self.curves = [pg.IsocurveItem(level=0.0, pen=pen) for _ in DENSITY_LEVELS]
        for curve in self.curves:
            curve.setZValue(Z_DENSITY)
            # contours change only with the target: keep their rendering as a pixmap
            curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            parts.plot.addItem(curve)
        self.stand_in = parts.legend.add_switchable(pen, "p_data contours", Z_DENSITY)
        self._source: np.ndarray | None = None

    def set_visible(self, shown: bool) -> None:
        for curve in self.curves:
            curve.setVisible(shown)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        density = run.snapshot.target_density
        if density is None or density.ndim != 2 or same_array(density, self._source):
            return
        self._source = density
        transform = grid_transform(box, density.shape[0])
        peak = float(np.nanmax(density)) if density.size else 0.0
        for curve, fraction in zip(self.curves, DENSITY_LEVELS, strict=True):
            curve.setTransform(transform)
            curve.setData(density, level=fraction * peak)

    def legend_entries(self, layers) -> tuple:
        return (self.stand_in,) if layers.density else ()
