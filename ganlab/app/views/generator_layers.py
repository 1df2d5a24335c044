"""The canvas's layers of the generator as a map: the manifold (the image under G of a square
grid in latent space) and the interpolation path G((1−t)·z0 + t·z1) with a point travelling on
it (moved by `move_traveller`, between frames)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganlab.app import theme
from ganlab.app.layers import LayerSpec
from ganlab.app.views.canvas_layer import (
    Z_MANIFOLD,
    Z_PATH,
    Z_PATH_ENDS,
    Z_TRAVELLER,
    CanvasLayer,
    CanvasParts,
)
from ganlab.app.views.canvas_shapes import joined_polylines, point_along
from ganlab.app.views.moving_points import move_points
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame


class Manifold(CanvasLayer):
    spec = LayerSpec("manifold", "Manifold",
                     "The image under G of a square grid in latent space (z1, z2).",
                     shown=False, asks=frozenset({"manifold"}))

    def attach(self, parts: CanvasParts) -> None:
        # thin many-segment lines: antialiasing costs more than it shows
        self.lines = pg.PlotDataItem(pen=theme.pen(theme.GENERATED, 1.0, alpha=110),
                                     antialias=False)
        self.lines.setZValue(Z_MANIFOLD)
        parts.plot.addItem(self.lines)

    def set_visible(self, shown: bool) -> None:
        self.lines.setVisible(shown)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        polylines = run.snapshot.manifold
        if not polylines:
            return
        points, connect = joined_polylines(polylines)
        self.lines.setData(points[:, 0], points[:, 1], connect=connect)


class Interpolation(CanvasLayer):
    spec = LayerSpec(
        "interpolation", "Interpolation",
        "The path G((1−t)·z0 + t·z1) between two latent points, with a point travelling on it.")

    def attach(self, parts: CanvasParts) -> None:
        self.path = pg.PlotDataItem(pen=theme.pen(theme.INTERPOLATION, 2.5))
        self.ends = pg.ScatterPlotItem(size=10, symbol="s", pen=pg.mkPen("w", width=1),
                                       brush=theme.brush(theme.INTERPOLATION))
        self.traveller = pg.ScatterPlotItem(size=16, pen=pg.mkPen("w", width=2),
                                            brush=theme.brush(theme.INTERPOLATION))
        for z, item in ((Z_PATH, self.path), (Z_PATH_ENDS, self.ends),
                        (Z_TRAVELLER, self.traveller)):
            item.setZValue(z)
            parts.plot.addItem(item)
        self._points: np.ndarray | None = None
        self._shown = True
        self._drawn = True  # the items show `_points` (a hidden layer only keeps the newest)

    def set_visible(self, shown: bool) -> None:
        self._shown = shown
        for item in (self.path, self.ends, self.traveller):
            item.setVisible(shown)
        if shown and not self._drawn:
            self._draw(self._points)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        self._points = run.interpolation_path
        if self._shown:  # hidden: drawn when shown again (~0.3 ms a frame saved)
            self._draw(self._points)
        else:
            self._drawn = False

    def _draw(self, path: np.ndarray | None) -> None:
        self._drawn = True
        if path is None:
            self.path.setData([], [])
            self.ends.setData([], [])
            self.traveller.setData([], [])
        else:
            self.path.setData(path[:, 0], path[:, 1])
            move_points(self.ends, path[[0, -1]])

    def move_traveller(self, t: float) -> None:
        """Put the travelling point at fraction t ∈ [0, 1] of the interpolation path."""
        path = self._points
        if path is None or not len(path) or not self._shown:
            return
        move_points(self.traveller, point_along(path, t)[None, :])
