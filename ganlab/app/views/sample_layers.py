"""The canvas's sample layers: real points x ~ p_data (green) and generated points G(z) for a
fixed batch of z (purple), with markers for the generated points that left the view."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from ganlab.app import theme
from ganlab.app.layers import LayerSpec
from ganlab.app.views.array_cache import same_array
from ganlab.app.views.canvas_layer import Z_GENERATED, Z_REAL, CanvasLayer, CanvasParts
from ganlab.app.views.moving_points import move_points
from ganlab.app.views.offscreen_marks import OffscreenMarks
from ganlab.core.targets import ViewBox
from ganlab.training.frame import RunFrame


class RealSamples(CanvasLayer):
    spec = LayerSpec("real", "Real", "Show real samples x ~ p_data (green).")

    def attach(self, parts: CanvasParts) -> None:
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#0b2e1b", width=0.8),
                                          brush=theme.brush(theme.REAL, 230), name="real data")
        self.scatter.setZValue(Z_REAL)
        parts.plot.addItem(self.scatter)
        parts.legend.add_fixed(self.scatter, "real data")
        # the data never moves: between changes it is blitted from a pixmap instead of drawn
        # again under every frame's moving samples
        self.scatter.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._source: np.ndarray | None = None

    def set_visible(self, shown: bool) -> None:
        self.scatter.setVisible(shown)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        real = run.snapshot.real
        if not same_array(real, self._source):
            self._source = real
            self.scatter.setData(pos=real)


class GeneratedSamples(CanvasLayer):
    spec = LayerSpec("generated", "Generated",
                     "Show generated samples G(z) for a fixed batch of z (purple).")

    def attach(self, parts: CanvasParts) -> None:
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#2a0d3f", width=0.8),
                                          brush=theme.brush(theme.GENERATED, 230),
                                          name="generated")
        self.scatter.setZValue(Z_GENERATED)
        parts.plot.addItem(self.scatter)
        parts.legend.add_fixed(self.scatter, "generated G(z)")
        # generated points outside the view: a count and an arrow at the edge they left by
        self.offscreen = OffscreenMarks(parts.plot)
        self._shown = True

    def set_visible(self, shown: bool) -> None:
        # the off-screen markers follow the toggle at the next frame (they need its counts)
        self._shown = shown
        self.scatter.setVisible(shown)

    def show(self, run: RunFrame, box: ViewBox) -> None:
        snapshot = run.snapshot
        if np.isfinite(snapshot.fake).all():
            move_points(self.scatter, snapshot.fake)  # (setData rebuilt every spot: 0.7 ms)
        self.show_offscreen(snapshot.outside_counts, box)

    def show_offscreen(self, counts: np.ndarray | None, box: ViewBox) -> None:
        """'→ 312 off-screen' at the right edge when 312 generated points lie beyond it."""
        self.offscreen.show(counts, box, self._shown)
